//! The cart storage port.

use async_trait::async_trait;

use crate::cart::Cart;
use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{CartId, CustomerId};

/// Stores carts.
#[async_trait]
pub trait CartStore: Send + Sync {
    /// Inserts or replaces a cart. `Conflict` if the stored cart is checked out (a
    /// checked-out cart never changes again); nothing is written then.
    async fn save_cart(&self, cart: &Cart, events: Vec<EventRecord>) -> Result<(), Error>;

    /// A cart by id.
    async fn cart(&self, id: CartId) -> Result<Option<Cart>, Error>;

    /// Every cart a customer owns, oldest first.
    async fn carts_of(&self, customer: CustomerId) -> Result<Vec<Cart>, Error>;

    /// Removes a cart. `NotFound` if absent.
    async fn delete_cart(&self, id: CartId) -> Result<(), Error>;
}
