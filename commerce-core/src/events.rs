//! Domain events: what happened, as data. Every change that other parts of a system care
//! about (search indexing, notifications, analytics, a message broker) produces one, and
//! storage adapters append it to the outbox in the same transaction as the change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::Sku;
use crate::identity::Role;
use crate::ids::{
    AccountId, CartId, CustomerId, EventId, FulfilmentId, LocationId, OrderId, PriceListId,
    ProductId, RefundId, ReviewId, SellerId, ShipmentId, ShopId, VariantId,
};
use crate::money::Money;
use crate::order::OrderStatus;
use crate::review::Rating;
use crate::shipping::TrackingStatus;

/// Something that happened in the domain. Serialized with a `type` tag holding SPEC's
/// event name (`"order.paid"`), so relays and subscribers can route on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum DomainEvent {
    /// An account was registered.
    #[serde(rename = "user.created")]
    UserCreated {
        /// The new account.
        account: AccountId,
        /// Its normalised e-mail address.
        email: String,
        /// Customer, seller or admin.
        role: Role,
    },
    /// A password reset was requested (the token itself goes to the caller, never here).
    #[serde(rename = "user.password_reset_requested")]
    PasswordResetRequested {
        /// The account.
        account: AccountId,
    },
    /// A shop was opened.
    #[serde(rename = "shop.created")]
    ShopCreated {
        /// The shop.
        shop: ShopId,
        /// Its owner.
        seller: SellerId,
    },
    /// A product was added to the catalog.
    #[serde(rename = "product.created")]
    ProductCreated {
        /// The product.
        product: ProductId,
        /// Its shop.
        shop: ShopId,
    },
    /// A product was changed.
    #[serde(rename = "product.updated")]
    ProductUpdated {
        /// The product.
        product: ProductId,
        /// Its shop.
        shop: ShopId,
    },
    /// A variant's price in a price list was set or changed.
    #[serde(rename = "price.updated")]
    PriceUpdated {
        /// The product the variant belongs to.
        product: ProductId,
        /// The variant.
        variant: VariantId,
        /// The price list.
        list: PriceListId,
        /// The price's version after the change.
        version: u64,
    },
    /// A product was removed from the catalog.
    #[serde(rename = "product.deleted")]
    ProductDeleted {
        /// The product.
        product: ProductId,
        /// Its shop.
        shop: ShopId,
    },
    /// Stock went down (a sale was committed or stock was written off).
    #[serde(rename = "stock.decreased")]
    StockDecreased(StockChange),
    /// Stock went up (received, restocked or released).
    #[serde(rename = "stock.increased")]
    StockIncreased(StockChange),
    /// Available stock fell to or below the SKU's low-stock threshold.
    #[serde(rename = "stock.low")]
    StockLow {
        /// The SKU.
        sku: Sku,
        /// Units available across locations.
        available: i64,
        /// The threshold that was crossed.
        threshold: u32,
    },
    /// A SKU that was sold out can be bought again; `subscribers` asked to be told.
    #[serde(rename = "stock.back_in_stock")]
    BackInStock {
        /// The SKU.
        sku: Sku,
        /// Units available across locations.
        available: i64,
        /// Customers who subscribed (their subscriptions are consumed).
        subscribers: Vec<CustomerId>,
    },
    /// A cart was created.
    #[serde(rename = "cart.created")]
    CartCreated {
        /// The cart.
        cart: CartId,
        /// Its owner, `None` for a guest.
        customer: Option<CustomerId>,
    },
    /// A cart was turned into an order.
    #[serde(rename = "cart.checked_out")]
    CartCheckedOut {
        /// The cart.
        cart: CartId,
        /// The order it became.
        order: OrderId,
    },
    /// A cart was idle too long.
    #[serde(rename = "cart.abandoned")]
    CartAbandoned {
        /// The cart.
        cart: CartId,
    },
    /// An order was placed (awaiting payment).
    #[serde(rename = "order.created")]
    OrderCreated {
        /// The order.
        order: OrderId,
        /// Its human-friendly number.
        number: String,
        /// The buyer.
        customer: CustomerId,
        /// What the buyer pays.
        total: Money,
    },
    /// An order was paid in full.
    #[serde(rename = "order.paid")]
    OrderPaid {
        /// The order.
        order: OrderId,
        /// The amount captured.
        amount: Money,
    },
    /// An order was cancelled.
    #[serde(rename = "order.cancelled")]
    OrderCancelled {
        /// The order.
        order: OrderId,
        /// Why, in words.
        reason: String,
    },
    /// A parcel of an order was handed to a carrier.
    #[serde(rename = "order.shipped")]
    OrderShipped {
        /// The order.
        order: OrderId,
        /// The shop's part that shipped.
        fulfilment: FulfilmentId,
        /// The parcel.
        shipment: ShipmentId,
        /// The carrier.
        carrier: String,
        /// The carrier's tracking number.
        tracking_number: String,
    },
    /// Every parcel of an order was delivered.
    #[serde(rename = "order.delivered")]
    OrderDelivered {
        /// The order.
        order: OrderId,
    },
    /// Any other order transition (processing, completed, returned, refunded ...).
    #[serde(rename = "order.status_changed")]
    OrderStatusChanged {
        /// The order.
        order: OrderId,
        /// The state it left.
        from: OrderStatus,
        /// The state it entered.
        to: OrderStatus,
    },
    /// A tracking update arrived for a parcel.
    #[serde(rename = "shipment.updated")]
    ShipmentUpdated {
        /// The order.
        order: OrderId,
        /// The parcel.
        shipment: ShipmentId,
        /// Where it is now.
        status: TrackingStatus,
    },
    /// A payment succeeded (money captured).
    #[serde(rename = "payment.success")]
    PaymentSucceeded {
        /// The order.
        order: OrderId,
        /// Amount captured.
        amount: Money,
    },
    /// A payment attempt failed.
    #[serde(rename = "payment.failed")]
    PaymentFailed {
        /// The order.
        order: OrderId,
        /// The provider's decline or failure code.
        code: String,
    },
    /// The provider reported a payment (captured, or authorised under manual capture)
    /// that does not cover the order's total: the order stays unpaid, for an admin to
    /// look at.
    #[serde(rename = "payment.underpaid")]
    PaymentUnderpaid {
        /// The order.
        order: OrderId,
        /// The order's total.
        due: Money,
        /// What the provider reported.
        received: Money,
    },
    /// Money was refunded.
    #[serde(rename = "payment.refunded")]
    PaymentRefunded {
        /// The order.
        order: OrderId,
        /// The refund.
        refund: RefundId,
        /// Amount refunded by this refund.
        amount: Money,
    },
    /// A customer reviewed a product.
    #[serde(rename = "review.created")]
    ReviewCreated {
        /// The review.
        review: ReviewId,
        /// The product reviewed.
        product: ProductId,
        /// The author.
        customer: CustomerId,
        /// The stars given.
        rating: Rating,
    },
    /// A review was edited, hidden, restored or answered by the seller.
    #[serde(rename = "review.updated")]
    ReviewUpdated {
        /// The review.
        review: ReviewId,
        /// The product reviewed.
        product: ProductId,
    },
    /// A review was deleted by its author.
    #[serde(rename = "review.deleted")]
    ReviewDeleted {
        /// The review.
        review: ReviewId,
        /// The product reviewed.
        product: ProductId,
    },
}

/// A change to a SKU's stock at one location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChange {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// Units on hand after the change.
    pub on_hand: i64,
    /// Units available (on hand minus reserved) across all locations after the change.
    pub available: i64,
}

impl DomainEvent {
    /// SPEC's name for the event, e.g. `"order.paid"`.
    pub fn name(&self) -> &'static str {
        match self {
            DomainEvent::UserCreated { .. } => "user.created",
            DomainEvent::PasswordResetRequested { .. } => "user.password_reset_requested",
            DomainEvent::ShopCreated { .. } => "shop.created",
            DomainEvent::ProductCreated { .. } => "product.created",
            DomainEvent::ProductUpdated { .. } => "product.updated",
            DomainEvent::ProductDeleted { .. } => "product.deleted",
            DomainEvent::PriceUpdated { .. } => "price.updated",
            DomainEvent::StockDecreased(_) => "stock.decreased",
            DomainEvent::StockIncreased(_) => "stock.increased",
            DomainEvent::StockLow { .. } => "stock.low",
            DomainEvent::BackInStock { .. } => "stock.back_in_stock",
            DomainEvent::CartCreated { .. } => "cart.created",
            DomainEvent::CartCheckedOut { .. } => "cart.checked_out",
            DomainEvent::CartAbandoned { .. } => "cart.abandoned",
            DomainEvent::OrderCreated { .. } => "order.created",
            DomainEvent::OrderPaid { .. } => "order.paid",
            DomainEvent::OrderCancelled { .. } => "order.cancelled",
            DomainEvent::OrderShipped { .. } => "order.shipped",
            DomainEvent::OrderDelivered { .. } => "order.delivered",
            DomainEvent::OrderStatusChanged { .. } => "order.status_changed",
            DomainEvent::ShipmentUpdated { .. } => "shipment.updated",
            DomainEvent::PaymentSucceeded { .. } => "payment.success",
            DomainEvent::PaymentFailed { .. } => "payment.failed",
            DomainEvent::PaymentUnderpaid { .. } => "payment.underpaid",
            DomainEvent::PaymentRefunded { .. } => "payment.refunded",
            DomainEvent::ReviewCreated { .. } => "review.created",
            DomainEvent::ReviewUpdated { .. } => "review.updated",
            DomainEvent::ReviewDeleted { .. } => "review.deleted",
        }
    }
}

/// An event with its identity and time, as the domain hands it to a storage port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Unique id: subscribers and relays de-duplicate on it.
    pub id: EventId,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// What happened.
    pub event: DomainEvent,
}

impl EventRecord {
    /// A new record with a fresh id.
    pub fn new(occurred_at: DateTime<Utc>, event: DomainEvent) -> Self {
        EventRecord {
            id: EventId::random(),
            occurred_at,
            event,
        }
    }
}

/// An event as the outbox holds it: with its position in the outbox's total order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Position in append order, strictly increasing (gaps allowed).
    pub sequence: u64,
    /// The event.
    pub record: EventRecord,
}
