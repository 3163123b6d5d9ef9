//! What the search index holds for one product.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, ProductId, ShopId};
use crate::money::{Currency, Money};

/// A product's rating as search ranks and filters it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRating {
    /// The average, 1.0 to 5.0 with one decimal (0 when unrated).
    pub average: Decimal,
    /// How many ratings.
    pub count: u32,
}

/// One active product as the index holds it: the text a shopper searches, the values
/// filters, facets and sorts read. Inactive products are not indexed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDocument {
    /// The product.
    pub product: ProductId,
    /// Its shop.
    pub shop: ShopId,
    /// Its name (boosted most).
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its brand.
    pub brand: Option<String>,
    /// Its category and every ancestor, nearest first: filtering by a category finds the
    /// products of its sub-categories too.
    pub categories: Vec<CategoryId>,
    /// The names of `categories`, in the same order.
    pub category_names: Vec<String>,
    /// Its variants' SKUs.
    pub skus: Vec<String>,
    /// The lowest regular price for everyone, per currency it is sold in.
    pub prices: BTreeMap<Currency, Money>,
    /// Whether any variant can be bought now.
    pub in_stock: bool,
    /// Its rating.
    pub rating: SearchRating,
    /// Units sold (paid orders).
    pub sales: u64,
    /// When it was created (for "newest").
    pub created_at: DateTime<Utc>,
}

impl SearchDocument {
    /// The price filters and sorts use in `currency`, if it is sold in it.
    pub fn price_in(&self, currency: Currency) -> Option<Decimal> {
        self.prices.get(&currency).map(Money::amount)
    }
}
