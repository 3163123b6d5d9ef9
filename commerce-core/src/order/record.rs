//! The order record.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{OrderNumber, OrderStatus};
use crate::cart::CartPurpose;
use crate::catalog::Sku;
use crate::identity::{Actor, NewAddress};
use crate::ids::{
    CartId, CustomerId, FulfilmentId, OrderId, ProductId, PromotionId, RefundId, ShopId, VariantId,
};
use crate::money::{Currency, Money};
use crate::payment::{CaptureMode, PaymentRef};
use crate::pricing::Totals;
use crate::shipping::Shipment;

/// A line as bought: names and prices are snapshots, not references to the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product.
    pub product: ProductId,
    /// The variant.
    pub variant: VariantId,
    /// The SKU.
    pub sku: Sku,
    /// The product's name when bought.
    pub name: String,
    /// The shop that sells it.
    pub shop: ShopId,
    /// Units.
    pub quantity: u32,
    /// The unit price before discounts.
    pub unit_price: Money,
    /// Discounts on the line.
    pub discount: Money,
    /// Tax on the line.
    pub tax: Money,
    /// What the customer pays for the line (net of discounts, with tax).
    pub total: Money,
}

/// Where one shop's part of an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FulfilmentStatus {
    /// Not shipped yet.
    Pending,
    /// Handed to a carrier.
    Shipped,
    /// Arrived.
    Delivered,
}

/// One shop's part of an order: its lines and the parcels it sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fulfilment {
    /// Its id.
    pub id: FulfilmentId,
    /// The shop.
    pub shop: ShopId,
    /// Indexes into the order's lines.
    pub lines: Vec<usize>,
    /// Its state.
    pub status: FulfilmentStatus,
    /// Parcels sent.
    pub shipments: Vec<Shipment>,
}

/// A refund recorded on the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// Its id.
    pub id: RefundId,
    /// How much.
    pub amount: Money,
    /// Why.
    pub reason: String,
    /// The provider's reference, once the provider has it.
    pub provider_reference: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The order's money as the payment provider moved it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPayment {
    /// Automatic or manual capture.
    pub capture: CaptureMode,
    /// The provider's payment, once opened.
    pub reference: Option<PaymentRef>,
    /// Authorised and not yet captured.
    pub authorized: Money,
    /// Captured in total.
    pub captured: Money,
    /// Refunded in total; never more than `captured`.
    pub refunded: Money,
    /// Refunds, oldest first.
    pub refunds: Vec<Refund>,
    /// The last decline or failure code, if an attempt failed.
    pub last_failure: Option<String>,
    /// Provider event ids already applied (a replayed notice changes nothing).
    pub applied_notices: BTreeSet<String>,
    /// Set when the provider reported money that does not cover the total of an unpaid
    /// order: the order stays unpaid and an admin should look. Cleared once it is paid.
    #[serde(default)]
    pub shortfall: Option<Shortfall>,
}

/// A payment the provider reported for less than the order's total: what it said was
/// taken (captured, or authorised under manual capture) against what was due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    /// The order's total.
    pub due: Money,
    /// What the provider reported: captured, or authorised under manual capture.
    pub received: Money,
    /// When it was reported.
    pub at: DateTime<Utc>,
}

/// One transition in an order's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who caused it.
    pub actor: Actor,
    /// The state it left (`None` for the order's creation).
    pub from: Option<OrderStatus>,
    /// The state it entered.
    pub to: OrderStatus,
    /// Why, in words.
    pub reason: String,
}

/// An order. Built by checkout, changed only through the functions of this module, each
/// of which records its transition in `history` and bumps `version` (storage uses the
/// version to refuse a change computed from a stale copy).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Its id.
    pub id: OrderId,
    /// Human-friendly unique number.
    pub number: OrderNumber,
    /// The buyer.
    pub customer: CustomerId,
    /// The cart it came from.
    pub cart: CartId,
    /// What kind of cart that was (always `Shopping` today).
    pub cart_purpose: CartPurpose,
    /// The order's one currency.
    pub currency: Currency,
    /// Current state.
    pub status: OrderStatus,
    /// What was bought.
    pub lines: Vec<OrderLine>,
    /// One per shop.
    pub fulfilments: Vec<Fulfilment>,
    /// Totals as priced at checkout.
    pub totals: Totals,
    /// Promotions that applied (for usage limits).
    pub promotions: Vec<PromotionId>,
    /// Where it goes.
    pub ship_to: NewAddress,
    /// Payment state.
    pub payment: OrderPayment,
    /// Every transition, oldest first.
    pub history: Vec<HistoryEntry>,
    /// When the stock reservation lapses if unpaid.
    pub reservation_expires_at: DateTime<Utc>,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
    /// Incremented by every change.
    pub version: u64,
}
