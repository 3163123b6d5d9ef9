//! Inventory: stock per SKU per location, `available = on_hand - reserved`, reservations
//! with expiry that are committed on payment and released on cancellation, failure or
//! expiry, per-SKU backorder and low-stock policy, and back-in-stock subscriptions.
//!
//! The rules are pure functions here; storage adapters call them inside their atomic
//! section (a lock, a transaction) so that every adapter decides the same way.

mod changes;
mod lifecycle;
mod plan;
mod stock;

pub use changes::{back_in_stock, low_stock_crossing, stock_events};
pub use plan::{check_request, plan_reservation, reservable, total_available};

pub use stock::{
    Reservation, ReservationLine, ReservationRequest, ReservationState, ReservedUnits, StockEffect,
    StockLevel, StockPolicy, check_adjustment,
};
