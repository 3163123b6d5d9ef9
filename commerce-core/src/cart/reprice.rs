//! Repricing a cart at checkout: what changed since the shopper added each line.

use chrono::{DateTime, Utc};

use super::{Cart, CartContext};
use crate::error::Error;
use crate::ids::VariantId;
use crate::money::Money;

/// One difference between a line's snapshot and the catalog now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineChange {
    /// The unit price is different.
    PriceChanged {
        /// The line.
        variant: VariantId,
        /// The product's name as the shopper saw it.
        name: String,
        /// The snapshot price.
        from: Money,
        /// The current price.
        to: Money,
    },
    /// The line can no longer be bought (gone, not active, or no price in the currency).
    Unavailable {
        /// The line.
        variant: VariantId,
        /// The product's name as the shopper saw it.
        name: String,
        /// Why.
        reason: Error,
    },
}

/// Every change found; empty when the cart can be bought as the shopper saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepriceReport {
    /// The changes, in line order.
    pub changes: Vec<LineChange>,
}

impl RepriceReport {
    /// True when nothing changed.
    pub fn is_unchanged(&self) -> bool {
        self.changes.is_empty()
    }
}

impl Cart {
    /// Compares every line's snapshot with the current catalog and prices.
    pub fn reprice(&self, ctx: &CartContext<'_>) -> RepriceReport {
        let changes = self
            .lines
            .iter()
            .filter_map(|line| {
                let current = ctx
                    .quote(line.variant, self.currency, line.quantity)
                    .map(|(_, _, price)| price);
                match current {
                    Err(reason) => Some(LineChange::Unavailable {
                        variant: line.variant,
                        name: line.name.clone(),
                        reason,
                    }),
                    Ok(price) if price.amount != line.unit_price => {
                        Some(LineChange::PriceChanged {
                            variant: line.variant,
                            name: line.name.clone(),
                            from: line.unit_price,
                            to: price.amount,
                        })
                    }
                    Ok(_) => None,
                }
            })
            .collect();
        RepriceReport { changes }
    }

    /// Accepts a report: updates snapshot prices and removes unavailable lines.
    pub fn accept_reprice(
        &mut self,
        report: &RepriceReport,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.ensure_open()?;
        for change in &report.changes {
            match change {
                LineChange::PriceChanged { variant, to, .. } => {
                    if let Some(line) = self.lines.iter_mut().find(|l| l.variant == *variant) {
                        line.unit_price = *to;
                    }
                }
                LineChange::Unavailable { variant, .. } => {
                    self.lines.retain(|l| l.variant != *variant);
                }
            }
        }
        self.touch(now);
        Ok(())
    }
}
