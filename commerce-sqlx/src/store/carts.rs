//! The carts port on SQL (work in progress).

use super::SqlStore;
use crate::backend::Backend;
use async_trait::async_trait;
use commerce_core::Error;
use commerce_core::cart::Cart;
use commerce_core::events::EventRecord;
use commerce_core::ports::CartStore;
use commerce_core::{CartId, CustomerId};

#[async_trait]
impl<DB: Backend> CartStore for SqlStore<DB> {
    async fn save_cart(&self, cart: &Cart, events: Vec<EventRecord>) -> Result<Cart, Error> {
        todo!()
    }

    async fn cart(&self, id: CartId) -> Result<Option<Cart>, Error> {
        todo!()
    }

    async fn carts_of(&self, customer: CustomerId) -> Result<Vec<Cart>, Error> {
        todo!()
    }

    async fn delete_cart(&self, id: CartId) -> Result<(), Error> {
        todo!()
    }

    async fn merge_carts(
        &self,
        into: &Cart,
        merged: CartId,
        events: Vec<EventRecord>,
    ) -> Result<Cart, Error> {
        todo!()
    }
}
