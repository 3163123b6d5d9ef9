//! In-memory orders. (Skeleton.)

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{MemoryCarts, MemoryInventory, MemoryOutbox};
use crate::error::Error;
use crate::ids::{CustomerId, OrderId, ShopId};
use crate::order::{Order, OrderNumber};
use crate::payment::PaymentRef;
use crate::ports::{OrderStore, OrderUpdate, PlaceOrder, Placed};
use crate::pricing::PromotionUsage;

fn todo() -> Error {
    Error::Unavailable("orders: not built yet".into())
}

/// Orders, with idempotency keys, placed atomically with their reservations.
#[derive(Debug)]
pub struct MemoryOrders {
    carts: Arc<MemoryCarts>,
    inventory: Arc<MemoryInventory>,
    outbox: Arc<MemoryOutbox>,
}

impl MemoryOrders {
    /// No orders; placing one also writes to `carts`, `inventory` and `outbox`.
    pub fn new(
        carts: Arc<MemoryCarts>,
        inventory: Arc<MemoryInventory>,
        outbox: Arc<MemoryOutbox>,
    ) -> Self {
        MemoryOrders {
            carts,
            inventory,
            outbox,
        }
    }
}

#[async_trait]
impl OrderStore for MemoryOrders {
    async fn next_order_number(&self) -> Result<u64, Error> {
        let _ = (&self.carts, &self.inventory, &self.outbox);
        Err(todo())
    }
    async fn place_order(&self, _p: PlaceOrder) -> Result<Placed, Error> {
        Err(todo())
    }
    async fn order(&self, _id: OrderId) -> Result<Option<Order>, Error> {
        Err(todo())
    }
    async fn order_by_number(&self, _n: &OrderNumber) -> Result<Option<Order>, Error> {
        Err(todo())
    }
    async fn order_by_payment(&self, _p: &PaymentRef) -> Result<Option<Order>, Error> {
        Err(todo())
    }
    async fn orders_of_customer(&self, _c: CustomerId) -> Result<Vec<Order>, Error> {
        Err(todo())
    }
    async fn orders_of_shop(&self, _s: ShopId) -> Result<Vec<Order>, Error> {
        Err(todo())
    }
    async fn update_order(&self, _u: OrderUpdate) -> Result<Order, Error> {
        Err(todo())
    }
    async fn unpaid_expired(&self, _now: DateTime<Utc>) -> Result<Vec<Order>, Error> {
        Err(todo())
    }
    async fn promotion_usage(&self, _c: Option<CustomerId>) -> Result<PromotionUsage, Error> {
        Err(todo())
    }
}
