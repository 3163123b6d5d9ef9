//! The inventory storage port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::catalog::Sku;
use crate::error::Error;
use crate::ids::{CustomerId, LocationId, ReservationId};
use crate::inventory::{Reservation, ReservationRequest, StockLevel, StockPolicy};

/// Stores stock levels, policies and reservations.
///
/// **Invariant**: for a SKU without backorders, `available` (`on_hand - reserved`)
/// never goes below zero, under any concurrency. Methods that change stock append the
/// `stock.*` events the core's [`inventory`](crate::inventory) rules derive, in the same
/// atomic step.
#[async_trait]
pub trait InventoryStore: Send + Sync {
    /// Sets a SKU's policy (backorders, low-stock threshold).
    async fn set_policy(&self, policy: StockPolicy) -> Result<(), Error>;

    /// A SKU's policy; the strict default if none was set.
    async fn policy(&self, sku: &Sku) -> Result<StockPolicy, Error>;

    /// Adds `delta` units on hand at a location (negative to write off), creating the
    /// level at zero first if needed (the change is [`StockLevel::adjust`]).
    /// `InvalidInput` on `delta` beyond ±[`StockLevel::MAX_ADJUSTMENT`]; `InsufficientStock`
    /// if on hand would fall below what is reserved there (or below zero); nothing
    /// changes, and no level is created, on error.
    async fn adjust_stock(
        &self,
        sku: &Sku,
        location: LocationId,
        delta: i64,
        at: DateTime<Utc>,
    ) -> Result<StockLevel, Error>;

    /// A SKU's levels at every location, by location id.
    async fn levels(&self, sku: &Sku) -> Result<Vec<StockLevel>, Error>;

    /// Units available across all locations (0 for an unknown SKU).
    async fn available(&self, sku: &Sku) -> Result<i64, Error>;

    /// Holds every line of `request` or none: `InsufficientStock` naming the first SKU
    /// that ran short. Units come from locations in ascending location id. A request
    /// whose id already exists returns the existing reservation unchanged.
    async fn reserve(
        &self,
        request: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error>;

    /// A reservation by id.
    async fn reservation(&self, id: ReservationId) -> Result<Option<Reservation>, Error>;

    /// Held → committed: on hand and reserved both fall by the held units. Committing a
    /// committed reservation changes nothing; any other state is `Conflict`.
    async fn commit(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error>;

    /// Held → released: the units are available again. Releasing a reservation that is
    /// not held changes nothing.
    async fn release(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error>;

    /// Committed → restocked: the units go back on hand. Restocking a reservation that is
    /// not committed changes nothing.
    async fn restock(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error>;

    /// Releases every held reservation whose expiry is at or before `now` and returns
    /// them. Hosts call [`Commerce::expire_reservations`](crate::Commerce::expire_reservations),
    /// which cancels lapsed unpaid orders first so an order never outlives its hold.
    async fn expire_reservations(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>, Error>;

    /// Asks to be told (a `stock.back_in_stock` event) when the SKU can be bought again.
    /// Subscribing twice is the same as once.
    async fn subscribe_back_in_stock(&self, sku: &Sku, customer: CustomerId) -> Result<(), Error>;
}
