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

    /// Atomically stores `into` (inserting or replacing it), removes the cart `merged` and
    /// appends the events: how a guest cart is folded into a customer's cart on sign-in,
    /// so its lines are counted exactly once. `NotFound` if `merged` is absent (for
    /// instance because a concurrent call merged it first); `Conflict` if `merged` is
    /// `into` itself or either stored cart is checked out. Nothing changes on error.
    async fn merge_carts(
        &self,
        into: &Cart,
        merged: CartId,
        events: Vec<EventRecord>,
    ) -> Result<(), Error>;
}
