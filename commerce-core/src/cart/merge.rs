//! Moving lines between carts: a guest cart into the customer's on sign-in, and a line
//! to "saved for later" or a wish list.

use chrono::{DateTime, Utc};

use super::{Cart, CartLimits};
use crate::error::{Entity, Error};
use crate::ids::VariantId;

/// What a merge did beyond adding quantities.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Lines whose combined quantity was cut to the store's per-line maximum.
    pub capped: Vec<VariantId>,
    /// Guest lines left out because the cart was full.
    pub dropped: Vec<VariantId>,
}

impl Cart {
    /// Merges `guest` (a guest's cart) into this one when the guest signs in.
    ///
    /// Quantities of the same variant add up, capped at the per-line maximum; new
    /// variants are appended with the guest's snapshot price until the line bound is
    /// reached; coupons are combined. An empty cart takes the guest cart's currency.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when both carts have lines in different currencies;
    /// [`Error::Conflict`] when this cart is checked out. On error nothing changes.
    pub fn merge_guest(
        &mut self,
        guest: &Cart,
        limits: CartLimits,
        now: DateTime<Utc>,
    ) -> Result<MergeReport, Error> {
        self.ensure_open()?;
        if guest.currency != self.currency && !self.lines.is_empty() {
            return Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: guest.currency,
            });
        }
        let mut lines = self.lines.clone();
        let mut report = MergeReport::default();
        for incoming in &guest.lines {
            let full = lines.len() >= limits.max_lines;
            match lines.iter_mut().find(|l| l.variant == incoming.variant) {
                Some(line) => {
                    let sum = line.quantity.saturating_add(incoming.quantity);
                    if sum > limits.max_line_quantity {
                        report.capped.push(line.variant);
                    }
                    line.quantity = sum.min(limits.max_line_quantity);
                }
                None if full => report.dropped.push(incoming.variant),
                None => {
                    let mut line = incoming.clone();
                    if line.quantity > limits.max_line_quantity {
                        report.capped.push(line.variant);
                        line.quantity = limits.max_line_quantity;
                    }
                    lines.push(line);
                }
            }
        }
        for code in &guest.coupons {
            if !self.coupons.contains(code) {
                self.coupons.push(code.clone());
            }
        }
        self.currency = guest.currency;
        self.lines = lines;
        self.touch(now);
        Ok(report)
    }

    /// Moves a whole line into `to` (for example "save for later"), adding to a line of the
    /// same variant there, capped at the per-line maximum.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the line is not in this cart;
    /// [`Error::CurrencyMismatch`] when `to` is in another currency and not empty;
    /// [`Error::InvalidInput`] when `to` is full; [`Error::Conflict`] when either cart is
    /// checked out. On error neither cart changes.
    pub fn move_line(
        &mut self,
        to: &mut Cart,
        variant: VariantId,
        limits: CartLimits,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.ensure_open()?;
        to.ensure_open()?;
        let index = self
            .lines
            .iter()
            .position(|l| l.variant == variant)
            .ok_or_else(|| Error::not_found(Entity::CartLine, variant))?;
        if to.currency != self.currency && !to.lines.is_empty() {
            return Err(Error::CurrencyMismatch {
                expected: to.currency,
                found: self.currency,
            });
        }
        let full = to.lines.len() >= limits.max_lines;
        let existing = to.lines.iter_mut().find(|l| l.variant == variant);
        if existing.is_none() && full {
            return Err(Error::invalid(
                "cart",
                format!("a cart holds at most {} lines", limits.max_lines),
            ));
        }
        let line = self.lines.remove(index);
        match existing {
            Some(target) => {
                target.quantity = target
                    .quantity
                    .saturating_add(line.quantity)
                    .min(limits.max_line_quantity);
            }
            None => {
                to.currency = self.currency;
                to.lines.push(line);
            }
        }
        self.touch(now);
        to.touch(now);
        Ok(())
    }
}
