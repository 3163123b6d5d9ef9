//! What a search returns: a page of hits with facet counts; what autosuggest returns.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::SearchRating;
use crate::ids::{CategoryId, ProductId, ShopId};
use crate::money::Money;

/// The upper bounds (exclusive, in major units of the query's currency) of the price
/// facet's buckets; the last bucket is open-ended: 0–10, 10–25, ..., 500 and up.
pub const PRICE_BUCKETS: [u32; 6] = [10, 25, 50, 100, 250, 500];

/// One product in a page of results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The product.
    pub product: ProductId,
    /// Its shop.
    pub shop: ShopId,
    /// Its name.
    pub name: String,
    /// Its brand.
    pub brand: Option<String>,
    /// Its lowest price in the query's currency, if sold in it.
    pub price: Option<Money>,
    /// Its rating.
    pub rating: SearchRating,
    /// Whether it can be bought now.
    pub in_stock: bool,
}

/// A count for one value of a facet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    /// The value (a brand, as indexed).
    pub value: String,
    /// Matching products with it.
    pub count: u64,
}

/// A count for one category: matching products in it or its sub-categories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The category.
    pub category: CategoryId,
    /// Its name.
    pub name: String,
    /// Matching products in it or below it.
    pub count: u64,
}

/// A price bucket: `min` inclusive, `max` exclusive (none: open-ended).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBucket {
    /// From this price.
    pub min: Decimal,
    /// Up to (not including) this price.
    pub max: Option<Decimal>,
}

impl PriceBucket {
    /// Every bucket, cheapest first (see [`PRICE_BUCKETS`]).
    pub fn all() -> Vec<PriceBucket> {
        let mut buckets = Vec::with_capacity(PRICE_BUCKETS.len() + 1);
        let mut min = Decimal::ZERO;
        for bound in PRICE_BUCKETS {
            let max = Decimal::from(bound);
            buckets.push(PriceBucket {
                min,
                max: Some(max),
            });
            min = max;
        }
        buckets.push(PriceBucket { min, max: None });
        buckets
    }

    /// The bucket `price` falls in.
    pub fn of(price: Decimal) -> PriceBucket {
        PriceBucket::all()
            .into_iter()
            .find(|b| b.contains(price))
            .unwrap_or(PriceBucket {
                min: Decimal::ZERO,
                max: None,
            })
    }

    /// Whether `price` is in the bucket.
    pub fn contains(&self, price: Decimal) -> bool {
        price >= self.min && self.max.is_none_or(|max| price < max)
    }
}

/// A count for one price bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBucketCount {
    /// The bucket.
    pub bucket: PriceBucket,
    /// Matching products priced in it.
    pub count: u64,
}

/// A count for "rated `at_least` and up".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCount {
    /// 4, 3, 2 or 1 stars and up.
    pub at_least: u8,
    /// Matching products with an average at least that.
    pub count: u64,
}

/// Facet counts, each computed under every active filter except its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Per category (a product counts for its category and every ancestor), most first
    /// (ties by name).
    pub categories: Vec<CategoryCount>,
    /// Per brand, most first (ties by name).
    pub brands: Vec<ValueCount>,
    /// Per price bucket in the query's currency, cheapest first, all buckets listed.
    pub prices: Vec<PriceBucketCount>,
    /// Per "n stars and up", 4 down to 1.
    pub ratings: Vec<RatingCount>,
}

/// A page of results.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The hits on this page, in order.
    pub hits: Vec<SearchHit>,
    /// Matching products in all.
    pub total: u64,
    /// This page's number.
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
    /// Facet counts, if the query asked for them ([`SearchQuery::facets`]).
    ///
    /// [`SearchQuery::facets`]: super::SearchQuery::facets
    pub facets: Option<Facets>,
}

/// A suggested product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedProduct {
    /// The product.
    pub product: ProductId,
    /// Its name.
    pub name: String,
}

/// What autosuggest offers for a prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestions {
    /// Products, best selling first.
    pub products: Vec<SuggestedProduct>,
    /// Categories, by name; each count is the indexed products in it or below it.
    pub categories: Vec<CategoryCount>,
    /// Brands, by name.
    pub brands: Vec<String>,
}
