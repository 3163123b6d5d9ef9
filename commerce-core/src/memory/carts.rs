//! In-memory carts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{MemoryOutbox, lock};
use crate::cart::{Cart, CartStatus, writable};
use crate::error::{Entity, Error};
use crate::events::EventRecord;
use crate::ids::{CartId, CustomerId};
use crate::ports::CartStore;

/// Carts by id.
#[derive(Debug)]
pub struct MemoryCarts {
    carts: Mutex<HashMap<CartId, Cart>>,
    outbox: Arc<MemoryOutbox>,
}

impl MemoryCarts {
    /// No carts; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryCarts {
            carts: Mutex::new(HashMap::new()),
            outbox,
        }
    }

    pub(crate) fn locked(&self) -> Result<MutexGuard<'_, HashMap<CartId, Cart>>, Error> {
        lock(&self.carts)
    }
}

#[async_trait]
impl CartStore for MemoryCarts {
    async fn save_cart(&self, cart: &Cart, events: Vec<EventRecord>) -> Result<Cart, Error> {
        let mut carts = self.locked()?;
        let stored = writable(carts.get(&cart.id()), cart)?;
        self.outbox.push(events)?;
        carts.insert(stored.id(), stored.clone());
        Ok(stored)
    }

    async fn cart(&self, id: CartId) -> Result<Option<Cart>, Error> {
        Ok(self.locked()?.get(&id).cloned())
    }

    async fn carts_of(&self, customer: CustomerId) -> Result<Vec<Cart>, Error> {
        let mut carts: Vec<Cart> = self
            .locked()?
            .values()
            .filter(|c| c.customer() == Some(customer))
            .cloned()
            .collect();
        carts.sort_by_key(|c| (c.created_at(), c.id()));
        Ok(carts)
    }

    async fn delete_cart(&self, id: CartId) -> Result<(), Error> {
        self.locked()?
            .remove(&id)
            .map(|_| ())
            .ok_or_else(|| Error::not_found(Entity::Cart, id))
    }

    async fn merge_carts(
        &self,
        into: &Cart,
        merged: CartId,
        events: Vec<EventRecord>,
    ) -> Result<Cart, Error> {
        let mut carts = self.locked()?;
        if merged == into.id() {
            return Err(Error::Conflict(format!(
                "cart {merged} cannot merge into itself"
            )));
        }
        let stored = carts
            .get(&merged)
            .ok_or_else(|| Error::not_found(Entity::Cart, merged))?;
        if stored.status() == CartStatus::CheckedOut {
            return Err(Error::Conflict(format!("cart {merged} is checked out")));
        }
        let into = writable(carts.get(&into.id()), into)?;
        self.outbox.push(events)?;
        carts.remove(&merged);
        carts.insert(into.id(), into.clone());
        Ok(into)
    }
}
