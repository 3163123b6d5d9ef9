//! The search index port.

use async_trait::async_trait;

use crate::error::Error;
use crate::ids::ProductId;
use crate::search::{SearchDocument, SearchQuery, SearchResults, Suggest, Suggestions};

/// A product search index. Writes are visible to searches once the call returns; a batch
/// is applied as one commit, so bulk imports should pass many documents at once.
///
/// Searching never fails because of what a shopper typed: any text gives results or an
/// empty page (`search`, `suggest` only fail when the index itself is unavailable).
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// Inserts or replaces documents (by product id).
    async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), Error>;

    /// Removes products; unknown ids are ignored.
    async fn remove(&self, products: &[ProductId]) -> Result<(), Error>;

    /// Replaces the whole index with `documents` (a rebuild), atomically for searchers.
    async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), Error>;

    /// The stored document of a product, if indexed.
    async fn document(&self, product: ProductId) -> Result<Option<SearchDocument>, Error>;

    /// A page of results, with facet counts if the query asks for them. Every term must
    /// match; words match within their typo budget except in SKUs, which match exactly.
    /// Relevance ranks name over brand over category and SKU over description; equal
    /// relevance is ordered by rating, then sales.
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, Error>;

    /// Completions for what a shopper is typing.
    async fn suggest(&self, request: &Suggest) -> Result<Suggestions, Error>;

    /// "More like this": up to `limit` indexed products whose text (name, brand, category
    /// names, description) is most like `product`'s, best first. Every one shares at
    /// least one word with it; `product` itself is never among them. An unindexed
    /// `product` gives `Some` of nothing.
    ///
    /// `Ok(None)` when the index has no such query, which is what this default does:
    /// callers then find candidates their own way.
    async fn more_like_this(
        &self,
        product: ProductId,
        limit: usize,
    ) -> Result<Option<Vec<ProductId>>, Error> {
        let _ = (product, limit);
        Ok(None)
    }
}
