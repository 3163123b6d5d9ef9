//! The review record and the changes it goes through, as pure functions: each checks,
//! changes a copy, bumps nothing itself (storage uses [`Review::into_update`]) and names
//! the events to append.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MAX_TEXT_CHARS, Rating, ReviewText};
use crate::error::Error;
use crate::events::{DomainEvent, EventRecord};
use crate::ids::{CustomerId, ProductId, ReviewId, SellerId, ShopId};
use crate::ports::ReviewUpdate;

/// The most reviews one page may hold; larger requests are clamped to it.
pub const MAX_REVIEWS_PER_PAGE: u32 = 50;

/// Whether shoppers see a review (and whether it counts in the aggregates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Shown, and counted.
    #[default]
    Visible,
    /// Hidden by a moderator: neither shown nor counted until restored.
    Hidden,
}

/// The seller's one public answer to a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerReply {
    /// The seller who answered (the owner of the product's shop).
    pub seller: SellerId,
    /// The answer, trimmed, 1 to [`MAX_TEXT_CHARS`] characters.
    pub text: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What a new review is made of; [`Review::create`] builds it.
#[derive(Clone, Debug)]
pub struct NewReview {
    /// Its id.
    pub id: ReviewId,
    /// The product reviewed.
    pub product: ProductId,
    /// The product's shop (whose seller may reply).
    pub shop: ShopId,
    /// The author.
    pub customer: CustomerId,
    /// The stars.
    pub rating: Rating,
    /// Title and text.
    pub text: ReviewText,
    /// Whether the author has a delivered order containing the product.
    pub verified_purchase: bool,
    /// When it is written.
    pub now: DateTime<Utc>,
}

/// A customer's review of a product. One per customer per product; changed only through
/// the functions of this type, stored with a compare-and-swap on `version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Its id.
    pub id: ReviewId,
    /// The product reviewed.
    pub product: ProductId,
    /// The product's shop.
    pub shop: ShopId,
    /// The author.
    pub customer: CustomerId,
    /// The stars.
    pub rating: Rating,
    /// Title and text.
    pub text: ReviewText,
    /// Whether the author had a delivered order containing the product when writing it.
    pub verified_purchase: bool,
    /// Shown or hidden by a moderator.
    pub status: ReviewStatus,
    /// The seller's answer, at most one.
    pub reply: Option<SellerReply>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Incremented by every change.
    pub version: u64,
}

impl Review {
    /// A new visible review (version 1) and its `review.created` event.
    pub fn create(new: NewReview) -> (Review, Vec<EventRecord>) {
        let review = Review {
            id: new.id,
            product: new.product,
            shop: new.shop,
            customer: new.customer,
            rating: new.rating,
            text: new.text,
            verified_purchase: new.verified_purchase,
            status: ReviewStatus::Visible,
            reply: None,
            created_at: new.now,
            updated_at: new.now,
            version: 1,
        };
        let event = EventRecord::new(
            new.now,
            DomainEvent::ReviewCreated {
                review: review.id,
                product: review.product,
                customer: review.customer,
                rating: review.rating,
            },
        );
        (review, vec![event])
    }

    /// Whether shoppers see it.
    pub fn is_visible(&self) -> bool {
        self.status == ReviewStatus::Visible
    }

    /// The author's edit: a new rating, title and text.
    pub fn edit(&mut self, rating: Rating, text: ReviewText, now: DateTime<Utc>) -> EventRecord {
        self.rating = rating;
        self.text = text;
        self.touched(now)
    }

    /// A moderator hides it; [`Error::Conflict`] if it is hidden already.
    pub fn hide(&mut self, now: DateTime<Utc>) -> Result<EventRecord, Error> {
        self.moderate(ReviewStatus::Hidden, now)
    }

    /// A moderator shows it again; [`Error::Conflict`] if it is not hidden.
    pub fn restore(&mut self, now: DateTime<Utc>) -> Result<EventRecord, Error> {
        self.moderate(ReviewStatus::Visible, now)
    }

    /// The seller's one reply: `text` by the one rule of [`crate::text`], 1 to
    /// [`MAX_TEXT_CHARS`] characters on several lines ([`Error::InvalidInput`] on field
    /// `reply` otherwise); [`Error::Conflict`] if the review has a reply already.
    pub fn reply(
        &mut self,
        seller: SellerId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<EventRecord, Error> {
        let text = crate::text::text("reply", text, MAX_TEXT_CHARS)?;
        if self.reply.is_some() {
            return Err(Error::Conflict(format!(
                "review {} already has the seller's reply",
                self.id
            )));
        }
        self.reply = Some(SellerReply {
            seller,
            text,
            at: now,
        });
        Ok(self.touched(now))
    }

    /// The `review.deleted` event of deleting it.
    pub fn deleted_event(&self, now: DateTime<Utc>) -> EventRecord {
        EventRecord::new(
            now,
            DomainEvent::ReviewDeleted {
                review: self.id,
                product: self.product,
            },
        )
    }

    /// Packages a changed copy of `before` for storage: bumps the version and names the
    /// version it was computed from.
    pub fn into_update(mut self, before: &Review, events: Vec<EventRecord>) -> ReviewUpdate {
        self.version = before.version + 1;
        ReviewUpdate {
            review: self,
            expected_version: before.version,
            events,
        }
    }

    fn moderate(&mut self, to: ReviewStatus, now: DateTime<Utc>) -> Result<EventRecord, Error> {
        if self.status == to {
            return Err(Error::Conflict(format!(
                "review {} is {} already",
                self.id,
                match to {
                    ReviewStatus::Visible => "visible",
                    ReviewStatus::Hidden => "hidden",
                }
            )));
        }
        self.status = to;
        Ok(self.touched(now))
    }

    fn touched(&mut self, now: DateTime<Utc>) -> EventRecord {
        self.updated_at = now;
        EventRecord::new(
            now,
            DomainEvent::ReviewUpdated {
                review: self.id,
                product: self.product,
            },
        )
    }
}

/// A page of a product's reviews: 1-based `page`, `per_page` clamped to
/// 1..=[`MAX_REVIEWS_PER_PAGE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    /// Page number, from 1 (0 is read as 1).
    pub page: u32,
    /// Reviews per page.
    pub per_page: u32,
}

impl Default for ReviewPage {
    /// The first page of 10.
    fn default() -> Self {
        ReviewPage {
            page: 1,
            per_page: 10,
        }
    }
}

impl ReviewPage {
    /// Page `page` of `per_page`.
    pub fn new(page: u32, per_page: u32) -> Self {
        ReviewPage { page, per_page }
    }

    /// The page size, clamped.
    pub fn size(&self) -> u32 {
        self.per_page.clamp(1, MAX_REVIEWS_PER_PAGE)
    }

    /// How many reviews come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.max(1) - 1) * u64::from(self.size())
    }
}
