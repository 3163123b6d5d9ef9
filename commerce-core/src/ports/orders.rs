//! The order storage port, with the atomic operations checkout and payments rely on.

use async_trait::async_trait;

use crate::cart::Cart;
use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{CustomerId, OrderId, PromotionId, ShopId};
use crate::inventory::{ReservationRequest, StockEffect};
use crate::order::{Order, OrderNumber};
use crate::payment::{IdempotencyKey, PaymentRef};
use crate::pricing::PromotionUsage;

/// Everything checkout stores in one atomic step.
#[derive(Clone, Debug)]
pub struct PlaceOrder {
    /// The client's key: a second `place_order` with the same key returns the first order.
    pub idempotency_key: IdempotencyKey,
    /// The order, as the domain built it.
    pub order: Order,
    /// The stock to hold for it (its id is the order's UUID).
    pub reservation: ReservationRequest,
    /// The cart, already marked checked out, at the version it was read and priced at.
    pub cart: Cart,
    /// `order.created`, `cart.checked_out`, ...
    pub events: Vec<EventRecord>,
    /// The usage limits of the promotions the order uses, checked in the same step.
    pub promotion_limits: Vec<PromotionLimit>,
}

/// How often a promotion may be used, as `place_order` enforces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PromotionLimit {
    /// The promotion.
    pub promotion: PromotionId,
    /// Uses by everyone, at most.
    pub total: Option<u32>,
    /// Uses by one customer, at most.
    pub per_customer: Option<u32>,
}

impl PromotionLimit {
    /// Whether one more use by the order's customer stays within the limit, given the
    /// usage so far (orders not cancelled).
    pub fn allows(&self, usage: &PromotionUsage) -> bool {
        let within = |limit: Option<u32>, used: u32| limit.is_none_or(|l| used < l);
        within(self.total, usage.total_uses(self.promotion))
            && within(self.per_customer, usage.shopper_uses(self.promotion))
    }
}

/// What `place_order` did.
#[derive(Clone, Debug)]
pub struct Placed {
    /// The order (the existing one when the key was seen before).
    pub order: Order,
    /// `false` when the idempotency key had been used already.
    pub created: bool,
}

/// A change to an order computed by the domain from version `expected_version`.
#[derive(Clone, Debug)]
pub struct OrderUpdate {
    /// The order after the change; its `version` is `expected_version + 1`.
    pub order: Order,
    /// The version the change was computed from.
    pub expected_version: u64,
    /// What happens to the order's reservation in the same step.
    pub stock: StockEffect,
    /// Events to append in the same step.
    pub events: Vec<EventRecord>,
}

/// Stores orders.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// The next number of a strictly increasing sequence (never reused, gaps allowed).
    async fn next_order_number(&self) -> Result<u64, Error>;

    /// Atomically, all or nothing:
    /// - if `idempotency_key` was used before: for the same cart, returns that order with
    ///   `created: false` and changes nothing; for another cart, `Conflict`;
    /// - else `Conflict` if the stored cart is already checked out or changed since it was
    ///   read (its version differs: the order would not match the cart);
    /// - `Conflict` if the order would take a promotion past one of `promotion_limits`
    ///   (counting the orders, not cancelled, that used it — by everyone and by this
    ///   customer); so concurrent checkouts cannot overuse a limited promotion;
    /// - reserves the stock (`InsufficientStock` if any line cannot be held), inserts the
    ///   order (`Conflict` if its id or number exists), stores the checked-out cart and
    ///   appends the events.
    async fn place_order(&self, place: PlaceOrder) -> Result<Placed, Error>;

    /// An order by id.
    async fn order(&self, id: OrderId) -> Result<Option<Order>, Error>;

    /// An order by number.
    async fn order_by_number(&self, number: &OrderNumber) -> Result<Option<Order>, Error>;

    /// The order paid through a provider payment.
    async fn order_by_payment(&self, payment: &PaymentRef) -> Result<Option<Order>, Error>;

    /// The order placed with an idempotency key.
    async fn order_by_idempotency_key(&self, key: &IdempotencyKey) -> Result<Option<Order>, Error>;

    /// A customer's orders, newest first.
    async fn orders_of_customer(&self, customer: CustomerId) -> Result<Vec<Order>, Error>;

    /// Orders with at least one line from a shop, newest first.
    async fn orders_of_shop(&self, shop: ShopId) -> Result<Vec<Order>, Error>;

    /// Atomically: if the stored order's version is `expected_version`, stores
    /// `update.order`, applies `update.stock` to the order's reservation and appends the
    /// events, returning the stored order. Otherwise `Conflict` (someone else changed it
    /// first: reload, recompute, retry) and nothing changes. `NotFound` if absent.
    async fn update_order(&self, update: OrderUpdate) -> Result<Order, Error>;

    /// Orders still awaiting payment whose reservation expired at or before `now`.
    async fn unpaid_expired(&self, now: chrono::DateTime<chrono::Utc>)
    -> Result<Vec<Order>, Error>;

    /// How often promotions were used by orders that were not cancelled: in total, and by
    /// `customer`.
    async fn promotion_usage(&self, customer: Option<CustomerId>) -> Result<PromotionUsage, Error>;
}
