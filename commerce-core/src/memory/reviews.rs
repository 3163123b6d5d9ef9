//! In-memory reviews, with each product's aggregates kept under the same lock.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{MemoryOrders, MemoryOutbox, lock};
use crate::error::{Entity, Error};
use crate::events::EventRecord;
use crate::ids::{CustomerId, ProductId, ReviewId};
use crate::ports::{ReviewStore, ReviewUpdate};
use crate::review::{RatingSummary, Review, ReviewPage, counts_as_received};

/// Reviews, one per (product, author), and their products' aggregates. Each change is
/// checked, its events appended (the last step that can fail), then applied and the
/// product's aggregates recomputed, all under one lock.
#[derive(Debug)]
pub struct MemoryReviews {
    state: Mutex<State>,
    orders: Arc<MemoryOrders>,
    outbox: Arc<MemoryOutbox>,
}

#[derive(Debug, Default)]
struct State {
    reviews: HashMap<ReviewId, Review>,
    by_author: HashMap<(ProductId, CustomerId), ReviewId>,
    summaries: BTreeMap<ProductId, RatingSummary>,
}

impl State {
    /// Recomputes `product`'s aggregates from its visible reviews.
    fn summarise(&mut self, product: ProductId) {
        let summary = RatingSummary::of(
            self.reviews
                .values()
                .filter(|r| r.product == product && r.is_visible())
                .map(|r| r.rating),
        );
        self.summaries.insert(product, summary);
    }

    fn current(&self, id: ReviewId, expected_version: u64) -> Result<&Review, Error> {
        let stored = self
            .reviews
            .get(&id)
            .ok_or_else(|| Error::not_found(Entity::Review, id))?;
        if stored.version != expected_version {
            return Err(Error::Conflict(format!(
                "review {id} changed (version {}, expected {expected_version})",
                stored.version
            )));
        }
        Ok(stored)
    }
}

impl MemoryReviews {
    /// No reviews; verified purchases are looked up in `orders`, events go to `outbox`.
    pub fn new(orders: Arc<MemoryOrders>, outbox: Arc<MemoryOutbox>) -> Self {
        MemoryReviews {
            state: Mutex::new(State::default()),
            orders,
            outbox,
        }
    }
}

#[async_trait]
impl ReviewStore for MemoryReviews {
    async fn create_review(
        &self,
        review: Review,
        events: Vec<EventRecord>,
    ) -> Result<RatingSummary, Error> {
        let mut state = lock(&self.state)?;
        let author = (review.product, review.customer);
        if state.by_author.contains_key(&author) {
            return Err(Error::Conflict(format!(
                "customer {} has already reviewed product {}",
                review.customer, review.product
            )));
        }
        if state.reviews.contains_key(&review.id) {
            return Err(Error::Conflict(format!("review {} exists", review.id)));
        }
        self.outbox.push(events)?;
        let product = review.product;
        state.by_author.insert(author, review.id);
        state.reviews.insert(review.id, review);
        state.summarise(product);
        Ok(state.summaries.get(&product).copied().unwrap_or_default())
    }

    async fn update_review(&self, update: ReviewUpdate) -> Result<Review, Error> {
        let mut state = lock(&self.state)?;
        let review = update.review;
        let stored = state.current(review.id, update.expected_version)?;
        if (stored.product, stored.customer) != (review.product, review.customer) {
            return Err(Error::Conflict(format!(
                "review {} cannot move to another product or author",
                review.id
            )));
        }
        self.outbox.push(update.events)?;
        let product = review.product;
        state.reviews.insert(review.id, review.clone());
        state.summarise(product);
        Ok(review)
    }

    async fn delete_review(
        &self,
        id: ReviewId,
        expected_version: u64,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        let stored = state.current(id, expected_version)?;
        let author = (stored.product, stored.customer);
        self.outbox.push(events)?;
        state.reviews.remove(&id);
        state.by_author.remove(&author);
        state.summarise(author.0);
        Ok(())
    }

    async fn review(&self, id: ReviewId) -> Result<Option<Review>, Error> {
        Ok(lock(&self.state)?.reviews.get(&id).cloned())
    }

    async fn review_by_author(
        &self,
        product: ProductId,
        customer: CustomerId,
    ) -> Result<Option<Review>, Error> {
        let state = lock(&self.state)?;
        Ok(state
            .by_author
            .get(&(product, customer))
            .and_then(|id| state.reviews.get(id))
            .cloned())
    }

    async fn product_reviews(
        &self,
        product: ProductId,
        page: ReviewPage,
    ) -> Result<Vec<Review>, Error> {
        let state = lock(&self.state)?;
        let mut visible: Vec<&Review> = state
            .reviews
            .values()
            .filter(|r| r.product == product && r.is_visible())
            .collect();
        visible.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        Ok(visible
            .into_iter()
            .skip(skip)
            .take(page.size() as usize)
            .cloned()
            .collect())
    }

    async fn rating_summary(&self, product: ProductId) -> Result<RatingSummary, Error> {
        Ok(lock(&self.state)?
            .summaries
            .get(&product)
            .copied()
            .unwrap_or_default())
    }

    async fn rating_summaries(&self) -> Result<Vec<(ProductId, RatingSummary)>, Error> {
        Ok(lock(&self.state)?
            .summaries
            .iter()
            .filter(|(_, s)| s.count() > 0)
            .map(|(&p, &s)| (p, s))
            .collect())
    }

    async fn has_received(&self, customer: CustomerId, product: ProductId) -> Result<bool, Error> {
        let received = self.orders.select(|o| {
            o.customer == customer
                && counts_as_received(o.status)
                && o.lines.iter().any(|l| l.product == product)
        })?;
        Ok(!received.is_empty())
    }
}
