//! In-memory inventory. (Skeleton: filled in by the inventory work.)

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::MemoryOutbox;
use crate::catalog::Sku;
use crate::error::Error;
use crate::ids::{CustomerId, LocationId, ReservationId};
use crate::inventory::{Reservation, ReservationRequest, StockEffect, StockLevel, StockPolicy};
use crate::ports::InventoryStore;

fn todo() -> Error {
    Error::Unavailable("inventory: not built yet".into())
}

/// Stock levels, policies and reservations.
#[derive(Debug)]
pub struct MemoryInventory {
    outbox: Arc<MemoryOutbox>,
}

impl MemoryInventory {
    /// No stock; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryInventory { outbox }
    }

    /// Reserves as `InventoryStore::reserve` does, for a caller that holds its own lock
    /// (placing an order).
    pub(crate) fn reserve_now(
        &self,
        request: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error> {
        let _ = (request, at, &self.outbox);
        Err(todo())
    }

    /// Applies an order's stock effect to its reservation, for a caller holding its own
    /// lock (updating an order).
    pub(crate) fn apply_effect(
        &self,
        id: ReservationId,
        effect: StockEffect,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let _ = (id, effect, at);
        Err(todo())
    }
}

#[async_trait]
impl InventoryStore for MemoryInventory {
    async fn set_policy(&self, _p: StockPolicy) -> Result<(), Error> {
        Err(todo())
    }
    async fn policy(&self, _sku: &Sku) -> Result<StockPolicy, Error> {
        Err(todo())
    }
    async fn adjust_stock(
        &self,
        _sku: &Sku,
        _l: LocationId,
        _d: i64,
        _at: DateTime<Utc>,
    ) -> Result<StockLevel, Error> {
        Err(todo())
    }
    async fn levels(&self, _sku: &Sku) -> Result<Vec<StockLevel>, Error> {
        Err(todo())
    }
    async fn available(&self, _sku: &Sku) -> Result<i64, Error> {
        Err(todo())
    }
    async fn reserve(
        &self,
        r: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error> {
        self.reserve_now(r, at)
    }
    async fn reservation(&self, _id: ReservationId) -> Result<Option<Reservation>, Error> {
        Err(todo())
    }
    async fn commit(&self, _id: ReservationId, _at: DateTime<Utc>) -> Result<Reservation, Error> {
        Err(todo())
    }
    async fn release(&self, _id: ReservationId, _at: DateTime<Utc>) -> Result<Reservation, Error> {
        Err(todo())
    }
    async fn restock(&self, _id: ReservationId, _at: DateTime<Utc>) -> Result<Reservation, Error> {
        Err(todo())
    }
    async fn expire_reservations(&self, _now: DateTime<Utc>) -> Result<Vec<Reservation>, Error> {
        Err(todo())
    }
    async fn subscribe_back_in_stock(&self, _sku: &Sku, _c: CustomerId) -> Result<(), Error> {
        Err(todo())
    }
}
