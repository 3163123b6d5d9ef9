//! Reviews and ratings: a customer's [`Review`] of a product (one per customer per
//! product), its parsed parts ([`Rating`], [`ReviewText`]), the changes it goes through
//! (edit, hide, restore, the seller's one reply) as pure functions, and the per-product
//! aggregates ([`RatingSummary`]: count, histogram, average to one decimal).

mod rating;
mod record;
mod summary;

pub use rating::{MAX_TEXT_CHARS, MAX_TITLE_CHARS, Rating, ReviewText};
pub use record::{MAX_REVIEWS_PER_PAGE, NewReview, Review, ReviewPage, ReviewStatus, SellerReply};
pub use summary::RatingSummary;

use crate::order::OrderStatus;

/// Whether an order in `status` has reached its buyer (delivered or completed): a review
/// by that buyer of a product in it is a verified purchase.
pub fn counts_as_received(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Delivered | OrderStatus::Completed)
}
