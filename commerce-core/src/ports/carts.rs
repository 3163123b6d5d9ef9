//! The cart storage port.

use async_trait::async_trait;

use crate::cart::Cart;
use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{CartId, CustomerId};

/// Stores carts.
#[async_trait]
pub trait CartStore: Send + Sync {
    /// Inserts or replaces a cart and returns it as stored, at `cart.version() + 1`.
    /// `cart.version()` is the version the caller read (0 for a new cart): if the stored
    /// cart has another version — someone changed it meanwhile — or is checked out (a
    /// checked-out cart never changes again), `Conflict`; a new cart whose id is taken is
    /// also a `Conflict`, and an old version of a cart that was deleted is `NotFound`.
    /// Nothing is written on error.
    async fn save_cart(&self, cart: &Cart, events: Vec<EventRecord>) -> Result<Cart, Error>;

    /// A cart by id.
    async fn cart(&self, id: CartId) -> Result<Option<Cart>, Error>;

    /// Every cart a customer owns, oldest first.
    async fn carts_of(&self, customer: CustomerId) -> Result<Vec<Cart>, Error>;

    /// Removes a cart. `NotFound` if absent.
    async fn delete_cart(&self, id: CartId) -> Result<(), Error>;

    /// Atomically stores `into` (checked and versioned as by `save_cart`), removes the
    /// cart `merged` and appends the events: how a guest cart is folded into a customer's
    /// cart on sign-in, so its lines are counted exactly once. Returns `into` as stored.
    /// `NotFound` if `merged` is absent (for instance because a concurrent call merged it
    /// first); `Conflict` if `merged` is `into` itself, either stored cart is checked out,
    /// or `into` changed since it was read. Nothing changes on error.
    async fn merge_carts(
        &self,
        into: &Cart,
        merged: CartId,
        events: Vec<EventRecord>,
    ) -> Result<Cart, Error>;
}
