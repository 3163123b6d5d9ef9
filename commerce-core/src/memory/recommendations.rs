//! In-memory recommendation queries, counted over the in-memory orders.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;

use super::MemoryOrders;
use crate::error::Error;
use crate::ids::ProductId;
use crate::ports::RecommendationStore;
use crate::recommend::{BoughtTogether, counts_as_purchase};

/// Co-occurrence counts over [`MemoryOrders`].
#[derive(Debug)]
pub struct MemoryRecommendations {
    orders: Arc<MemoryOrders>,
}

impl MemoryRecommendations {
    /// Recommendations over `orders`.
    pub fn new(orders: Arc<MemoryOrders>) -> Self {
        MemoryRecommendations { orders }
    }
}

#[async_trait]
impl RecommendationStore for MemoryRecommendations {
    async fn bought_together(
        &self,
        product: ProductId,
        min_support: u32,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<BoughtTogether>, Error> {
        let orders = self.orders.select(|o| {
            counts_as_purchase(o.status) && o.lines.iter().any(|l| l.product == product)
        })?;
        let mut support: BTreeMap<ProductId, u32> = BTreeMap::new();
        for order in &orders {
            let others: BTreeSet<ProductId> = order
                .lines
                .iter()
                .map(|l| l.product)
                .filter(|&p| p != product)
                .collect();
            for other in others {
                *support.entry(other).or_default() += 1;
            }
        }
        let mut found: Vec<BoughtTogether> = support
            .into_iter()
            .filter(|&(_, orders)| orders >= min_support.max(1))
            .map(|(product, orders)| BoughtTogether { product, orders })
            .collect();
        found.sort_by(|a, b| (b.orders, a.product).cmp(&(a.orders, b.product)));
        Ok(found
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect())
    }
}
