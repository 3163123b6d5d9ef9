//! Use cases: product reviews and ratings.
//!
//! Access: a signed-in customer writes one review per product and edits or deletes only
//! their own; an admin hides and restores any review (moderation); only the seller who
//! owns the product's shop replies, once; anyone, guests included, reads a product's
//! visible reviews and its rating aggregates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Commerce;
use crate::catalog::ProductStatus;
use crate::error::{Entity, Error, ErrorKind};
use crate::events::EventRecord;
use crate::identity::Principal;
use crate::ids::{ProductId, ReviewId};
use crate::review::{NewReview, Rating, RatingSummary, Review, ReviewPage, ReviewText};

/// What a customer submits when writing or editing a review, as received: the rating and
/// text are parsed by the use case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// Stars, 1 to 5.
    pub rating: i64,
    /// An optional title.
    pub title: Option<String>,
    /// An optional text.
    pub text: Option<String>,
}

impl ReviewInput {
    /// A rating with no title or text.
    pub fn stars(rating: i64) -> Self {
        ReviewInput {
            rating,
            ..ReviewInput::default()
        }
    }

    fn parse(&self) -> Result<(Rating, ReviewText), Error> {
        let rating = Rating::new(self.rating)?;
        let text = ReviewText::parse(self.title.as_deref(), self.text.as_deref())?;
        Ok((rating, text))
    }
}

impl Commerce {
    /// `actor` (a customer) reviews `product`. The review is a verified purchase when the
    /// customer has a delivered order containing the product. It is stored with the
    /// product's new aggregates and a `review.created` event in one step.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is a customer; [`Error::InvalidInput`] on field
    /// `rating` (outside 1–5), `title` or `text` (too long); [`Error::NotFound`] for an
    /// unknown product or a draft (archived products may be reviewed); [`Error::Conflict`] if the customer already reviewed it. Nothing
    /// changes on error.
    pub async fn write_review(
        &self,
        actor: Principal,
        product: ProductId,
        input: &ReviewInput,
    ) -> Result<Review, Error> {
        let Principal::Customer(customer) = actor else {
            return Err(Error::forbidden("write a review"));
        };
        let (rating, text) = input.parse()?;
        // Drafts are invisible to shoppers; archived products were sold and may be reviewed.
        let stored = self
            .stores
            .catalog
            .product(product)
            .await?
            .filter(|p| p.status() != ProductStatus::Draft)
            .ok_or_else(|| Error::not_found(Entity::Product, product))?;
        let verified_purchase = self.stores.reviews.has_received(customer, product).await?;
        let (review, events) = Review::create(NewReview {
            id: ReviewId::random(),
            product,
            shop: stored.shop(),
            customer,
            rating,
            text,
            verified_purchase,
            now: self.now(),
        });
        self.stores
            .reviews
            .create_review(review.clone(), events)
            .await?;
        Ok(review)
    }

    /// The author edits their review: a new rating, title and text. A review written
    /// before the product was delivered becomes a verified purchase once it has been.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is the customer who wrote it; as
    /// [`Commerce::write_review`] for the input; [`Error::NotFound`] for an unknown review.
    pub async fn edit_review(
        &self,
        actor: Principal,
        review: ReviewId,
        input: &ReviewInput,
    ) -> Result<Review, Error> {
        let (rating, text) = input.parse()?;
        let current = self.load_review(review).await?;
        require_author(actor, &current, "edit a review")?;
        let received = self
            .stores
            .reviews
            .has_received(current.customer, current.product)
            .await?;
        self.change_review(review, |review, now| {
            require_author(actor, review, "edit a review")?;
            review.verified_purchase |= received;
            Ok(vec![review.edit(rating, text.clone(), now)])
        })
        .await
    }

    /// The author deletes their review; the product's aggregates follow.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is the customer who wrote it;
    /// [`Error::NotFound`] for an unknown review.
    pub async fn delete_review(&self, actor: Principal, review: ReviewId) -> Result<(), Error> {
        let mut attempt = 0;
        loop {
            let stored = self.load_review(review).await?;
            require_author(actor, &stored, "delete a review")?;
            let events = vec![stored.deleted_event(self.now())];
            match self
                .stores
                .reviews
                .delete_review(review, stored.version, events)
                .await
            {
                Err(e) if e.kind() == ErrorKind::Conflict && attempt < self.config.max_retries => {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// An admin hides a review: shoppers no longer see it and it stops counting.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is an admin; [`Error::NotFound`] for an
    /// unknown review; [`Error::Conflict`] if it is hidden already.
    pub async fn hide_review(&self, actor: Principal, review: ReviewId) -> Result<Review, Error> {
        actor.require_admin("moderate reviews")?;
        self.change_review(review, |review, now| Ok(vec![review.hide(now)?]))
            .await
    }

    /// An admin shows a hidden review again.
    ///
    /// # Errors
    /// As [`Commerce::hide_review`]; [`Error::Conflict`] if it is not hidden.
    pub async fn restore_review(
        &self,
        actor: Principal,
        review: ReviewId,
    ) -> Result<Review, Error> {
        actor.require_admin("moderate reviews")?;
        self.change_review(review, |review, now| Ok(vec![review.restore(now)?]))
            .await
    }

    /// The seller who owns the reviewed product's shop answers a review, once.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is that seller; [`Error::InvalidInput`] on
    /// field `reply` for an empty or too long text; [`Error::Conflict`] if the review
    /// has a reply already; [`Error::NotFound`] for an unknown review.
    pub async fn reply_to_review(
        &self,
        actor: Principal,
        review: ReviewId,
        text: &str,
    ) -> Result<Review, Error> {
        let Principal::Seller(seller) = actor else {
            return Err(Error::forbidden("reply to a review"));
        };
        let shop = self.load_review(review).await?.shop;
        let owner = self.stores.catalog.shop(shop).await?.map(|s| s.seller);
        if owner != Some(seller) {
            return Err(Error::forbidden("reply to a review"));
        }
        self.change_review(review, |review, now| {
            Ok(vec![review.reply(seller, text, now)?])
        })
        .await
    }

    /// One page of a product's visible reviews, newest first. Anyone may read them.
    pub async fn product_reviews(
        &self,
        product: ProductId,
        page: ReviewPage,
    ) -> Result<Vec<Review>, Error> {
        self.stores.reviews.product_reviews(product, page).await
    }

    /// A product's rating aggregates (visible reviews only). Anyone may read them.
    pub async fn rating_summary(&self, product: ProductId) -> Result<RatingSummary, Error> {
        self.stores.reviews.rating_summary(product).await
    }

    async fn load_review(&self, id: ReviewId) -> Result<Review, Error> {
        self.stores
            .reviews
            .review(id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Review, id))
    }

    /// Loads a review, applies `change` to a copy and stores it with a compare-and-swap;
    /// a lost race reloads and recomputes. Errors from `change` return at once.
    async fn change_review(
        &self,
        id: ReviewId,
        change: impl Fn(&mut Review, DateTime<Utc>) -> Result<Vec<EventRecord>, Error>,
    ) -> Result<Review, Error> {
        let mut attempt = 0;
        loop {
            let before = self.load_review(id).await?;
            let mut after = before.clone();
            let events = change(&mut after, self.now())?;
            match self
                .stores
                .reviews
                .update_review(after.into_update(&before, events))
                .await
            {
                Err(e) if e.kind() == ErrorKind::Conflict && attempt < self.config.max_retries => {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

/// Allowed only for the customer who wrote `review` (not even an admin edits someone
/// else's words).
fn require_author(actor: Principal, review: &Review, action: &'static str) -> Result<(), Error> {
    match actor {
        Principal::Customer(me) if me == review.customer => Ok(()),
        _ => Err(Error::forbidden(action)),
    }
}
