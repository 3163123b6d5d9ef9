//! What a shopper asks: a query with filters, a sort and a page; or a prefix to complete.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, ShopId};
use crate::money::Currency;

/// The most hits one page may hold; larger requests are clamped to it.
pub const MAX_PAGE_SIZE: u32 = 100;
/// The most suggestions of each kind [`Suggest`] may ask for; larger are clamped.
pub const MAX_SUGGESTIONS: u32 = 20;

/// A price range in the query's currency, both ends inclusive, either open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRange {
    /// At least this.
    pub min: Option<Decimal>,
    /// At most this.
    pub max: Option<Decimal>,
}

impl PriceRange {
    /// Whether `price` is inside the range.
    pub fn contains(&self, price: Decimal) -> bool {
        self.min.is_none_or(|min| price >= min) && self.max.is_none_or(|max| price <= max)
    }
}

/// Filters; all that are set must hold. Facet counts for one facet are computed under all
/// the other filters (so choosing a brand still shows the other brands' counts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFilters {
    /// In this category or one of its sub-categories.
    pub category: Option<CategoryId>,
    /// Of one of these brands (exact, case-insensitive); empty means any.
    pub brands: Vec<String>,
    /// With a price in the query's currency inside this range (products not sold in the
    /// currency are excluded when a range is set).
    pub price: Option<PriceRange>,
    /// Rated at least this on average.
    pub min_rating: Option<Decimal>,
    /// Only products that can be bought now.
    pub in_stock_only: bool,
    /// Only this shop's products.
    pub shop: Option<ShopId>,
}

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first; ties go to the better rated, then the better selling.
    #[default]
    Relevance,
    /// Cheapest first (in the query's currency; unpriced last).
    PriceAscending,
    /// Dearest first (unpriced last).
    PriceDescending,
    /// Most recently created first.
    Newest,
    /// Best average rating first (more ratings break ties).
    Rating,
    /// Most units sold first.
    BestSelling,
}

/// A search: shopper text (any string; empty means "everything"), filters, order, a
/// page (1-based; `per_page` clamped to 1..=[`MAX_PAGE_SIZE`]) and whether to count
/// facets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What the shopper typed.
    pub text: String,
    /// Filters.
    pub filters: SearchFilters,
    /// Order.
    pub sort: SortOrder,
    /// The shopper's currency: prices are filtered, sorted, bucketed and shown in it.
    pub currency: Currency,
    /// Page number, from 1 (0 is read as 1).
    pub page: u32,
    /// Hits per page.
    pub per_page: u32,
    /// Whether to count facets ([`Facets`](super::Facets)) too. Off unless asked for:
    /// counting visits every match, where a page of hits needs only the best few.
    #[serde(default)]
    pub facets: bool,
}

impl SearchQuery {
    /// A first page of 20 by relevance, no filters.
    pub fn new(text: impl Into<String>, currency: Currency) -> Self {
        SearchQuery {
            text: text.into(),
            filters: SearchFilters::default(),
            sort: SortOrder::Relevance,
            currency,
            page: 1,
            per_page: 20,
            facets: false,
        }
    }

    /// The same query, counting facets too.
    pub fn with_facets(mut self) -> Self {
        self.facets = true;
        self
    }

    /// The page size, clamped to 1..=[`MAX_PAGE_SIZE`].
    pub fn page_size(&self) -> u32 {
        self.per_page.clamp(1, MAX_PAGE_SIZE)
    }

    /// How many hits come before this page.
    pub fn offset(&self) -> usize {
        let page = self.page.max(1) - 1;
        usize::try_from(u64::from(page) * u64::from(self.page_size())).unwrap_or(usize::MAX)
    }
}

/// Autosuggest for what a shopper has typed so far: products whose name has a word
/// starting with the last word typed (the earlier words must match as words), and
/// categories and brands whose name does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggest {
    /// What was typed so far (any string).
    pub prefix: String,
    /// Suggestions of each kind, at most (clamped to 1..=[`MAX_SUGGESTIONS`]).
    pub limit: u32,
}

impl Suggest {
    /// Up to `limit` of each kind.
    pub fn new(prefix: impl Into<String>, limit: u32) -> Self {
        Suggest {
            prefix: prefix.into(),
            limit,
        }
    }

    /// The limit, clamped.
    pub fn size(&self) -> usize {
        self.limit.clamp(1, MAX_SUGGESTIONS) as usize
    }
}
