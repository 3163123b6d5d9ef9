//! The recommendation queries port: what storage computes from the orders.

use async_trait::async_trait;

use crate::error::Error;
use crate::ids::ProductId;
use crate::recommend::BoughtTogether;

/// Queries over stored orders for recommendations. Adapters compute them where the orders
/// are (in SQL, one `GROUP BY` over order lines), never by handing every order to the
/// caller.
#[async_trait]
pub trait RecommendationStore: Send + Sync {
    /// Products bought together with `product`: every other product that appears in at
    /// least `min_support` distinct *paid* orders (see
    /// [`counts_as_purchase`](crate::recommend::counts_as_purchase)) that also contain
    /// `product`, with that number of orders as its support; ordered by support
    /// (descending) then product id (ascending); the first `offset` skipped, at most
    /// `limit` returned. `product` itself is never returned. A `min_support` of 0 is read
    /// as 1. Whether a product is still for sale is the caller's concern.
    async fn bought_together(
        &self,
        product: ProductId,
        min_support: u32,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<BoughtTogether>, Error>;
}
