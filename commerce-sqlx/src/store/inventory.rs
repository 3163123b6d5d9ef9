//! The inventory port on SQL (work in progress).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::catalog::Sku;
use commerce_core::Error;
use commerce_core::{CustomerId, LocationId, ReservationId};
use commerce_core::inventory::{Reservation, ReservationRequest, StockLevel, StockPolicy};
use commerce_core::ports::InventoryStore;
use crate::backend::Backend;
use super::SqlStore;

#[async_trait]
impl<DB: Backend> InventoryStore for SqlStore<DB> {
    async fn set_policy(&self, policy: StockPolicy) -> Result<(), Error> {
        todo!()
    }

    async fn policy(&self, sku: &Sku) -> Result<StockPolicy, Error> {
        todo!()
    }

    async fn adjust_stock(&self, sku: &Sku, location: LocationId, delta: i64, at: DateTime<Utc>) -> Result<StockLevel, Error> {
        todo!()
    }

    async fn levels(&self, sku: &Sku) -> Result<Vec<StockLevel>, Error> {
        todo!()
    }

    async fn available(&self, sku: &Sku) -> Result<i64, Error> {
        todo!()
    }

    async fn reserve(&self, request: ReservationRequest, at: DateTime<Utc>) -> Result<Reservation, Error> {
        todo!()
    }

    async fn reservation(&self, id: ReservationId) -> Result<Option<Reservation>, Error> {
        todo!()
    }

    async fn commit(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        todo!()
    }

    async fn release(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        todo!()
    }

    async fn restock(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        todo!()
    }

    async fn expire_reservations(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>, Error> {
        todo!()
    }

    async fn subscribe_back_in_stock(&self, sku: &Sku, customer: CustomerId) -> Result<(), Error> {
        todo!()
    }

}
