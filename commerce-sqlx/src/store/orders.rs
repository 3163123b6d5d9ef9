//! The orders port on SQL (work in progress).

use async_trait::async_trait;
use commerce_core::cart::Cart;
use commerce_core::Error;
use commerce_core::events::EventRecord;
use commerce_core::{CustomerId, OrderId, PromotionId, ShopId};
use commerce_core::inventory::{ReservationRequest, StockEffect};
use commerce_core::order::{Order, OrderNumber};
use commerce_core::payment::{IdempotencyKey, PaymentRef};
use commerce_core::pricing::PromotionUsage;
use commerce_core::ports::{OrderStore, OrderUpdate, PlaceOrder, Placed};
use crate::backend::Backend;
use super::SqlStore;

#[async_trait]
impl<DB: Backend> OrderStore for SqlStore<DB> {
    async fn next_order_number(&self) -> Result<u64, Error> {
        todo!()
    }

    async fn place_order(&self, place: PlaceOrder) -> Result<Placed, Error> {
        todo!()
    }

    async fn order(&self, id: OrderId) -> Result<Option<Order>, Error> {
        todo!()
    }

    async fn order_by_number(&self, number: &OrderNumber) -> Result<Option<Order>, Error> {
        todo!()
    }

    async fn order_by_payment(&self, payment: &PaymentRef) -> Result<Option<Order>, Error> {
        todo!()
    }

    async fn order_by_idempotency_key(&self, key: &IdempotencyKey) -> Result<Option<Order>, Error> {
        todo!()
    }

    async fn orders_of_customer(&self, customer: CustomerId) -> Result<Vec<Order>, Error> {
        todo!()
    }

    async fn orders_of_shop(&self, shop: ShopId) -> Result<Vec<Order>, Error> {
        todo!()
    }

    async fn update_order(&self, update: OrderUpdate) -> Result<Order, Error> {
        todo!()
    }

    async fn unpaid_expired(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Order>, Error> {
        todo!()
    }

    async fn promotion_usage(&self, customer: Option<CustomerId>) -> Result<PromotionUsage, Error> {
        todo!()
    }

}
