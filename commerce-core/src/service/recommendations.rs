//! Use cases: recommendations — "frequently bought together" and "similar products".
//!
//! Access: anyone may ask, guests included. Neither ever returns the product itself, an
//! inactive product or one that cannot be bought now (no units available and no
//! backorders).

use std::collections::BTreeSet;

use super::Commerce;
use crate::catalog::{Catalog, Product};
use crate::error::{Entity, Error};
use crate::ids::ProductId;
use crate::money::Currency;
use crate::recommend::{BoughtTogether, Candidate, MAX_RECOMMENDATIONS, Similar, rank_similar};
use crate::search::{MAX_PAGE_SIZE, SearchQuery};

impl Commerce {
    /// Products frequently bought together with `product`: those sharing at least
    /// `min_support` distinct paid orders with it (one order does not make a rule: pass
    /// [`DEFAULT_MIN_SUPPORT`](crate::recommend::DEFAULT_MIN_SUPPORT) or more), by
    /// support then product id, at most `limit` (clamped to 1..=[`MAX_RECOMMENDATIONS`]),
    /// skipping products that are inactive, gone or cannot be bought now. The counting
    /// is done by the [`RecommendationStore`](crate::ports::RecommendationStore).
    pub async fn bought_together(
        &self,
        product: ProductId,
        min_support: u32,
        limit: u32,
    ) -> Result<Vec<BoughtTogether>, Error> {
        let limit = limit.clamp(1, MAX_RECOMMENDATIONS) as usize;
        let batch = 4 * MAX_RECOMMENDATIONS;
        let mut picked = Vec::new();
        let mut offset = 0u32;
        loop {
            let found = self
                .stores
                .recommendations
                .bought_together(product, min_support, offset, batch)
                .await?;
            let ids: Vec<ProductId> = found.iter().map(|b| b.product).collect();
            let catalog = self.stores.catalog.catalog_for(&ids, &[]).await?;
            for candidate in &found {
                if self
                    .recommendable(&catalog, product, candidate.product)
                    .await?
                {
                    picked.push(*candidate);
                    if picked.len() == limit {
                        return Ok(picked);
                    }
                }
            }
            if found.len() < batch as usize {
                return Ok(picked);
            }
            offset = offset.saturating_add(batch);
        }
    }

    /// Products similar to `product`: in the same category or of the same brand, ranked
    /// by the name words they share, then by matching both, then by id
    /// ([`rank_similar`]); at most `limit` (clamped to 1..=[`MAX_RECOMMENDATIONS`]),
    /// skipping products that are inactive or cannot be bought now.
    ///
    /// Candidates come from the search index when one is configured — the in-stock active
    /// products of the category and of the brand (up to a page each) and, where the index
    /// has it, its "more like this" ([`SearchIndex::more_like_this`](crate::ports::SearchIndex::more_like_this))
    /// — otherwise from a catalog snapshot.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown product.
    pub async fn similar_products(
        &self,
        product: ProductId,
        limit: u32,
    ) -> Result<Vec<Similar>, Error> {
        let limit = limit.clamp(1, MAX_RECOMMENDATIONS) as usize;
        let target = self
            .stores
            .catalog
            .product(product)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Product, product))?;
        let catalog = match &self.search {
            Some(_) => {
                let ids = self.similar_from_index(&target).await?;
                self.stores.catalog.catalog_for(&ids, &[]).await?
            }
            None => self.stores.catalog.catalog().await?,
        };
        let candidates = catalog.products().map(candidate);
        let mut picked = Vec::new();
        for similar in rank_similar(&candidate(&target), candidates) {
            if self
                .recommendable(&catalog, product, similar.product)
                .await?
            {
                picked.push(similar);
                if picked.len() == limit {
                    break;
                }
            }
        }
        Ok(picked)
    }

    /// The ids the search index holds in `target`'s category and of its brand (active,
    /// in stock), one page of each, and the index's "more like this" for it.
    async fn similar_from_index(&self, target: &Product) -> Result<Vec<ProductId>, Error> {
        let index = self.index()?;
        let mut queries = Vec::new();
        if let Some(category) = target.category() {
            let mut query = SearchQuery::new("", Currency::USD);
            query.filters.category = Some(category);
            queries.push(query);
        }
        if let Some(brand) = target.brand() {
            let mut query = SearchQuery::new("", Currency::USD);
            query.filters.brands = vec![brand.to_owned()];
            queries.push(query);
        }
        let page = MAX_PAGE_SIZE as usize;
        let mut ids: BTreeSet<ProductId> = index
            .more_like_this(target.id(), page)
            .await?
            .unwrap_or_default()
            .into_iter()
            .collect();
        for mut query in queries {
            query.filters.in_stock_only = true;
            query.per_page = MAX_PAGE_SIZE;
            let results = index.search(&query).await?;
            ids.extend(results.hits.iter().map(|hit| hit.product));
        }
        Ok(ids.into_iter().collect())
    }

    /// Whether `candidate` may be recommended beside `product`: not the product itself,
    /// in `catalog` and active, and can be bought now.
    async fn recommendable(
        &self,
        catalog: &Catalog,
        product: ProductId,
        candidate: ProductId,
    ) -> Result<bool, Error> {
        if candidate == product {
            return Ok(false);
        }
        match catalog.product(candidate) {
            Some(p) if p.is_active() => self.can_be_bought(p).await,
            _ => Ok(false),
        }
    }
}

fn candidate(product: &Product) -> Candidate {
    Candidate {
        product: product.id(),
        name: product.name().to_owned(),
        brand: product.brand().map(str::to_owned),
        category: product.category(),
    }
}
