//! Recommendations: "frequently bought together" (co-occurrence in paid orders, counted
//! by storage through [`RecommendationStore`](crate::ports::RecommendationStore)) and
//! "similar products" (same category or brand, ranked by shared name words, by
//! [`rank_similar`]). The engine (`Commerce::bought_together`, `Commerce::similar_products`)
//! never recommends a product itself, an inactive one or one that cannot be bought now.

mod similar;

use serde::{Deserialize, Serialize};

pub use similar::{Candidate, Similar, rank_similar};

use crate::ids::ProductId;
use crate::order::OrderStatus;

/// The fewest distinct paid orders a pair must share before it is recommended by default:
/// one order does not make a rule.
pub const DEFAULT_MIN_SUPPORT: u32 = 2;
/// The most recommendations one call returns; larger requests are clamped to it.
pub const MAX_RECOMMENDATIONS: u32 = 50;

/// A product bought together with another, and in how many distinct paid orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoughtTogether {
    /// The other product.
    pub product: ProductId,
    /// Distinct paid orders holding both (the rule's support).
    pub orders: u32,
}

/// Whether an order in `status` counts as a purchase for co-occurrence: paid, and not
/// cancelled or fully refunded ([`OrderStatus::is_paid`]).
pub fn counts_as_purchase(status: OrderStatus) -> bool {
    status.is_paid()
}

/// Every status that [`counts_as_purchase`].
pub fn purchase_statuses() -> impl Iterator<Item = OrderStatus> {
    OrderStatus::ALL
        .into_iter()
        .filter(|&s| counts_as_purchase(s))
}
