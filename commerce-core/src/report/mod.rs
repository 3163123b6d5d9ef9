//! Sales reports for sellers (their shop) and administrators (every shop, or one).
//!
//! The core decides everything an adapter could get wrong and leaves the adapter only the
//! sums: [`ReportPeriod`] turns local dates in an IANA time zone into buckets — the UTC
//! instants where each local day, ISO week (Monday first) or month starts, DST-correct —
//! and a [`SalesQuery`] names the scope, the currency and those buckets. A
//! [`ReportStore`](crate::ports::ReportStore) groups orders by bucket with
//! `placed_at >= start AND placed_at < end`, so a database without time zones (SQLite)
//! computes the same buckets as one with them.
//!
//! # What counts
//! - **Revenue** is the sum of the order lines' totals (what the customer pays for the
//!   line: net of discounts, with tax; shipping charges are not part of any shop's
//!   revenue) of orders in a [revenue state](counts_as_revenue) — paid and every later
//!   state, including returned and (partially) refunded — never `pending_payment` or
//!   `cancelled`. For a shop, only its own lines count, so an order split across shops
//!   adds to each shop exactly its lines, and the shops' revenues add up to the
//!   all-shops revenue. Refunds are not subtracted: they are reported separately.
//! - An order belongs to the bucket its **placing time** (`created_at`) falls in.
//! - **Currency**: a report is in one currency. Orders in other currencies are excluded,
//!   never converted.
//! - **Order count** (for a shop: orders with at least one of its lines) and **average
//!   order value** = revenue / orders, rounded to the currency's minor units half away
//!   from zero (zero when there are no orders). Sums are exact.

mod figures;
mod period;

pub use figures::{
    BucketSales, CartConversion, LowStockItem, ProductRank, ProductSales, RefundSummary,
    RevenueBucket, RevenueSummary, SalesReport, StatusCount, average_order_value,
};
pub use period::{Bucket, Granularity, MAX_BUCKETS, ReportPeriod};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ShopId;
use crate::money::Currency;
use crate::order::OrderStatus;

/// Whose figures a report shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "shop", rename_all = "snake_case")]
pub enum ReportScope {
    /// Every shop (administrators only).
    AllShops,
    /// One shop's lines (its seller, or an administrator).
    Shop(ShopId),
}

impl ReportScope {
    /// The shop, for a one-shop scope.
    pub fn shop(self) -> Option<ShopId> {
        match self {
            ReportScope::AllShops => None,
            ReportScope::Shop(shop) => Some(shop),
        }
    }
}

/// Whether an order in `status` counts as revenue: paid and every later state (returned
/// and refunded ones too: their refunds are reported separately), never
/// `pending_payment` or `cancelled`.
pub fn counts_as_revenue(status: OrderStatus) -> bool {
    !matches!(status, OrderStatus::PendingPayment | OrderStatus::Cancelled)
}

/// The states that count as revenue, in [`OrderStatus::ALL`] order.
pub fn revenue_statuses() -> Vec<OrderStatus> {
    OrderStatus::ALL
        .into_iter()
        .filter(|s| counts_as_revenue(*s))
        .collect()
}

/// What a report store is asked: whose orders, in which currency, grouped into which
/// buckets (consecutive, in time order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesQuery {
    /// Whose figures.
    pub scope: ReportScope,
    /// The only currency counted.
    pub currency: Currency,
    /// The buckets, consecutive (each ends where the next starts), oldest first.
    pub buckets: Vec<Bucket>,
}

impl SalesQuery {
    /// The instant the first bucket starts and the one the last ends (`None` without
    /// buckets).
    pub fn window(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((self.buckets.first()?.start, self.buckets.last()?.end))
    }
}
