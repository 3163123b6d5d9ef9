//! The report storage port: sums over orders, carts and stock, computed where the data
//! is (in SQL by the database adapters, never by loading every order).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::ids::ShopId;
use crate::report::{
    BucketSales, CartConversion, LowStockItem, ProductRank, ProductSales, RefundSummary,
    SalesQuery, StatusCount,
};

/// Computes report figures. Every method counts only orders placed (`created_at`) in
/// `[start, end)` of the query's buckets, in the query's currency (others are excluded,
/// never converted), and — for a one-shop scope — orders with at least one line of
/// that shop, summing only its lines. Revenue is the sum of line totals of orders that
/// [count as revenue](crate::report::counts_as_revenue); sums are exact.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// One entry per bucket, in the query's order (zeros for a bucket without orders):
    /// the revenue orders placed in it and their revenue.
    async fn sales_by_bucket(&self, query: &SalesQuery) -> Result<Vec<BucketSales>, Error>;

    /// At most `limit` products of the revenue orders placed in the query's window,
    /// ranked by units or by revenue, most first, ties by ascending product id. A
    /// product's name is the bytewise greatest name its lines were sold under.
    async fn top_products(
        &self,
        query: &SalesQuery,
        rank: ProductRank,
        limit: usize,
    ) -> Result<Vec<ProductSales>, Error>;

    /// Orders placed in the query's window per current state (every state, revenue or
    /// not), in [`OrderStatus::ALL`](crate::order::OrderStatus::ALL) order, states
    /// without orders left out.
    async fn status_counts(&self, query: &SalesQuery) -> Result<Vec<StatusCount>, Error>;

    /// Refunds on the revenue orders placed in the query's window, as
    /// [`RefundSummary`] defines them for the scope.
    async fn refunds(&self, query: &SalesQuery) -> Result<RefundSummary, Error>;

    /// Shopping carts created in `[start, end)` and how many of those are checked out.
    async fn cart_conversion(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<CartConversion, Error>;

    /// SKUs (of `shop`'s products, or of every shop) whose available units summed over
    /// their locations are at or below their policy's low-stock threshold, by SKU. SKUs
    /// without a threshold or without any stock level are never listed.
    async fn low_stock(&self, shop: Option<ShopId>) -> Result<Vec<LowStockItem>, Error>;
}
