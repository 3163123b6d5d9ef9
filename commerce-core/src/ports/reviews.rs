//! The review storage port: reviews, and each product's rating aggregates kept in the
//! same atomic step as every change.

use async_trait::async_trait;

use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{CustomerId, ProductId, ReviewId};
use crate::review::{RatingSummary, Review, ReviewPage};

/// A change to a review computed by the domain from version `expected_version`.
#[derive(Clone, Debug)]
pub struct ReviewUpdate {
    /// The review after the change; its `version` is `expected_version + 1`.
    pub review: Review,
    /// The version the change was computed from.
    pub expected_version: u64,
    /// Events to append in the same step.
    pub events: Vec<EventRecord>,
}

/// Stores reviews and their products' rating aggregates.
///
/// A product's aggregates ([`RatingSummary`]) count its *visible* reviews; every method
/// that changes a review recomputes them in the same atomic step as the change and its
/// events, so a reader never sees a review without its effect on the aggregates, and two
/// concurrent changes to one product's reviews never lose each other's effect.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Atomically inserts `review`, updates its product's aggregates and appends the
    /// events; returns the product's aggregates after. `Conflict` — and nothing is
    /// written — if its author already has a review of that product (even a hidden one)
    /// or its id exists.
    async fn create_review(
        &self,
        review: Review,
        events: Vec<EventRecord>,
    ) -> Result<RatingSummary, Error>;

    /// Atomically: if the stored review's version is `expected_version`, stores
    /// `update.review`, updates the product's aggregates and appends the events,
    /// returning the stored review. Otherwise `Conflict` (reload, recompute, retry) and
    /// nothing changes. `NotFound` if absent. Its product and author never change
    /// (`Conflict` if the update tries).
    async fn update_review(&self, update: ReviewUpdate) -> Result<Review, Error>;

    /// Atomically: if the stored review's version is `expected_version`, deletes it,
    /// updates the product's aggregates and appends the events. `Conflict` on another
    /// version, `NotFound` if absent; nothing changes then.
    async fn delete_review(
        &self,
        id: ReviewId,
        expected_version: u64,
        events: Vec<EventRecord>,
    ) -> Result<(), Error>;

    /// A review by id, visible or hidden.
    async fn review(&self, id: ReviewId) -> Result<Option<Review>, Error>;

    /// The review `customer` wrote of `product`, visible or hidden.
    async fn review_by_author(
        &self,
        product: ProductId,
        customer: CustomerId,
    ) -> Result<Option<Review>, Error>;

    /// One page of `product`'s visible reviews, newest first (`created_at`, then id,
    /// both descending).
    async fn product_reviews(
        &self,
        product: ProductId,
        page: ReviewPage,
    ) -> Result<Vec<Review>, Error>;

    /// `product`'s aggregates (all zero when it has no visible review).
    async fn rating_summary(&self, product: ProductId) -> Result<RatingSummary, Error>;

    /// The aggregates of every product with at least one visible review, by product id.
    async fn rating_summaries(&self) -> Result<Vec<(ProductId, RatingSummary)>, Error>;

    /// Whether `customer` has an order that was delivered (status delivered or
    /// completed) with a line of `product`: what makes a review a verified purchase.
    async fn has_received(&self, customer: CustomerId, product: ProductId) -> Result<bool, Error>;
}
