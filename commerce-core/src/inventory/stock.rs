//! Stock levels, policies and reservations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

use crate::catalog::Sku;
use crate::ids::{LocationId, ReservationId};

/// A SKU's stock at one location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// Units physically there.
    pub on_hand: i64,
    /// Units promised to reservations that are not yet committed.
    pub reserved: i64,
}

impl StockLevel {
    /// `on_hand - reserved`: what can still be promised. Negative only for backorders.
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// The largest stock change one adjustment may make, either way: a billion units.
    pub const MAX_ADJUSTMENT: i64 = 1_000_000_000;

    /// Adds `delta` units on hand (negative to write off). `InvalidInput` on `delta`
    /// beyond ±[`StockLevel::MAX_ADJUSTMENT`]; `InsufficientStock` if on hand would fall
    /// below zero or below what is reserved here. Nothing changes on error.
    pub fn adjust(&mut self, delta: i64) -> Result<(), Error> {
        check_adjustment(delta)?;
        let on_hand = self
            .on_hand
            .checked_add(delta)
            .ok_or_else(|| Error::invalid("delta", "stock count out of range"))?;
        if delta < 0 && (on_hand < 0 || on_hand < self.reserved) {
            return Err(Error::InsufficientStock {
                sku: self.sku.clone(),
                requested: u32::try_from(delta.unsigned_abs()).unwrap_or(u32::MAX),
                available: self.available().max(0),
            });
        }
        self.on_hand = on_hand;
        Ok(())
    }
}

/// Refuses a stock change beyond ±[`StockLevel::MAX_ADJUSTMENT`] units with
/// [`Error::InvalidInput`] on `delta`: no shop moves a billion units at once, and a
/// larger figure is a typo or an attempt to overflow the counters.
pub fn check_adjustment(delta: i64) -> Result<(), Error> {
    if delta.unsigned_abs() > StockLevel::MAX_ADJUSTMENT.unsigned_abs() {
        return Err(Error::invalid(
            "delta",
            format!("at most {} units either way", StockLevel::MAX_ADJUSTMENT),
        ));
    }
    Ok(())
}

/// Per-SKU stock rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPolicy {
    /// The SKU.
    pub sku: Sku,
    /// Whether the SKU may be sold beyond what is on hand.
    pub backorder: bool,
    /// Emit `stock.low` when availability falls to or below this.
    pub low_stock_threshold: Option<u32>,
}

impl StockPolicy {
    /// The default policy: no backorders, no low-stock alert.
    pub fn strict(sku: Sku) -> Self {
        StockPolicy {
            sku,
            backorder: false,
            low_stock_threshold: None,
        }
    }
}

/// Units of one SKU asked for in a reservation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationLine {
    /// The SKU.
    pub sku: Sku,
    /// Units wanted (at least 1).
    pub quantity: u32,
}

/// A request to hold stock for a while (an order awaiting payment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationRequest {
    /// Chosen by the caller; an order's reservation uses the order's UUID.
    pub id: ReservationId,
    /// What to hold. A SKU may appear once.
    pub lines: Vec<ReservationLine>,
    /// When the hold lapses if not committed.
    pub expires_at: DateTime<Utc>,
}

/// Units of a SKU held at one location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedUnits {
    /// The SKU.
    pub sku: Sku,
    /// Where they are held.
    pub location: LocationId,
    /// How many.
    pub quantity: u32,
}

/// Where a reservation is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationState {
    /// Holding stock.
    Held,
    /// Paid: on hand was decreased by the held units.
    Committed,
    /// Let go (cancelled, payment failed or expired): the units are available again.
    Released,
    /// Committed, then returned to stock (a cancelled or returned paid order).
    Restocked,
}

/// Stock held for a request, split across locations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// Its id.
    pub id: ReservationId,
    /// Units held, per SKU and location.
    pub units: Vec<ReservedUnits>,
    /// When the hold lapses.
    pub expires_at: DateTime<Utc>,
    /// Its state.
    pub state: ReservationState,
}

/// What an order change does to the order's reservation, in the same atomic step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockEffect {
    /// Nothing.
    #[default]
    None,
    /// Held → committed (payment succeeded). A no-op if already committed.
    Commit,
    /// Held → released (cancelled before payment, payment failed, expired). A no-op if
    /// not held.
    Release,
    /// Committed → restocked (a paid order cancelled or returned). A no-op if not
    /// committed.
    Restock,
}
