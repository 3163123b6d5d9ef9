//! What reports hold: the figures stores compute and the report the engine assembles.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ReportScope;
use crate::catalog::Sku;
use crate::error::Error;
use crate::ids::ProductId;
use crate::money::{Currency, Money, RoundingMode};
use crate::order::OrderStatus;

/// One bucket's sales as a store sums them: revenue orders and their revenue (see the
/// [module docs](super) for what counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketSales {
    /// Orders placed in the bucket that count as revenue (for a shop: with its lines).
    pub orders: u64,
    /// Their revenue (for a shop: its lines only), exact.
    pub revenue: Money,
}

impl BucketSales {
    /// No orders, no revenue.
    pub fn zero(currency: Currency) -> Self {
        BucketSales {
            orders: 0,
            revenue: Money::zero(currency),
        }
    }
}

/// A report row: one bucket with its average order value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueBucket {
    /// The local date it starts on.
    pub first_day: NaiveDate,
    /// Where it starts (UTC), inclusive.
    pub start: DateTime<Utc>,
    /// Where it ends (UTC), exclusive.
    pub end: DateTime<Utc>,
    /// Revenue orders and revenue.
    pub sales: BucketSales,
    /// Revenue / orders, rounded to minor units half away from zero; zero without orders.
    pub average_order_value: Money,
}

/// The whole period's revenue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueSummary {
    /// Revenue orders and revenue over every bucket.
    pub sales: BucketSales,
    /// Revenue / orders, rounded to minor units half away from zero; zero without orders.
    pub average_order_value: Money,
}

/// Revenue / orders, rounded to the currency's minor units half away from zero; zero
/// without orders.
pub fn average_order_value(sales: BucketSales) -> Result<Money, Error> {
    if sales.orders == 0 {
        return Ok(Money::zero(sales.revenue.currency()));
    }
    let orders = Decimal::from(sales.orders);
    let average = sales
        .revenue
        .amount()
        .checked_div(orders)
        .ok_or(Error::Overflow)?;
    Ok(Money::new(average, sales.revenue.currency()).round(RoundingMode::HalfAwayFromZero))
}

/// How top products are ranked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductRank {
    /// Most units sold first.
    Units,
    /// Most revenue first.
    Revenue,
}

/// One product's sales in revenue orders of the period (for a shop: its products).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSales {
    /// The product.
    pub product: ProductId,
    /// Its name as sold (the bytewise greatest, if it was renamed in between).
    pub name: String,
    /// Units sold.
    pub units: u64,
    /// Revenue from its lines.
    pub revenue: Money,
}

/// How many orders placed in the period (in the report's currency, for a shop: with its
/// lines) are in one state. Every state is counted, pending and cancelled ones too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    /// The state.
    pub status: OrderStatus,
    /// Orders in it now.
    pub orders: u64,
}

/// Refunds on the period's revenue orders (placed in the period, in the currency).
///
/// An order records its refunds as a whole, not per shop. A shop's report therefore
/// counts only the refunds of orders whose every line is the shop's; refunded orders it
/// shares with other shops are counted in `shared_orders`, without an amount (splitting
/// it would be a guess, and showing it whole would show another shop's figures). The
/// all-shops report has every refund and no shared orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundSummary {
    /// Orders with any refund.
    pub orders: u64,
    /// Refunded in total on them.
    pub amount: Money,
    /// Refunded orders shared with other shops (one-shop reports only), not in `orders`
    /// or `amount`.
    pub shared_orders: u64,
}

/// Carts created in the period (`Shopping` carts, by the time they were made) and how
/// many of them became orders. Carts merged into another at sign-in no longer exist and
/// are not counted. A platform figure: carts are not per shop (one cart holds many
/// shops' items), so only the all-shops report has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartConversion {
    /// Shopping carts created in the period.
    pub carts_created: u64,
    /// Of those, checked out (turned into an order).
    pub carts_converted: u64,
}

impl CartConversion {
    /// `converted / created` as a fraction rounded to 4 places (half away from zero);
    /// `None` without carts.
    pub fn rate(&self) -> Option<Decimal> {
        if self.carts_created == 0 {
            return None;
        }
        Decimal::from(self.carts_converted)
            .checked_div(Decimal::from(self.carts_created))
            .map(|r| {
                r.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            })
    }
}

/// A SKU at or below its low-stock threshold (available units summed over locations).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStockItem {
    /// The SKU.
    pub sku: Sku,
    /// Its product.
    pub product: ProductId,
    /// `on_hand - reserved` over every location.
    pub available: i64,
    /// Its policy's threshold.
    pub threshold: u32,
}

/// A sales report: what [`Commerce::sales_report`](crate::Commerce::sales_report) returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesReport {
    /// Whose figures.
    pub scope: ReportScope,
    /// The only currency counted.
    pub currency: Currency,
    /// The IANA time zone the buckets are local days, weeks or months of.
    pub time_zone: String,
    /// Revenue, orders and average order value per bucket, oldest first.
    pub buckets: Vec<RevenueBucket>,
    /// The same over the whole period.
    pub total: RevenueSummary,
    /// Best sellers by units (ties: product id).
    pub top_by_units: Vec<ProductSales>,
    /// Best sellers by revenue (ties: product id).
    pub top_by_revenue: Vec<ProductSales>,
    /// Orders placed in the period by current state, in [`OrderStatus::ALL`] order,
    /// states without orders left out.
    pub statuses: Vec<StatusCount>,
    /// Refunds on the period's revenue orders.
    pub refunds: RefundSummary,
    /// Cart-to-order conversion (all-shops reports only).
    pub conversion: Option<CartConversion>,
}
