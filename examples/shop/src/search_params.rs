//! Query-string parameters for product listings and search, shared by the API and the
//! pages. Every malformed value is a 400 naming its parameter.

use commerce::search::{PriceRange, SearchQuery, SortOrder};
use commerce::{CategoryId, Currency, ShopId};
use rust_decimal::Decimal;

use crate::errors::ApiError;

/// Raw query-string pairs (a key may repeat).
pub type Params = Vec<(String, String)>;

/// The first non-empty value of `name`.
pub fn one(params: &Params, name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
}

/// A parsed search or listing request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchParams {
    /// What the shopper typed.
    pub text: String,
    /// A category (with its sub-categories).
    pub category: Option<CategoryId>,
    /// Brands (any of them).
    pub brands: Vec<String>,
    /// Lowest price.
    pub min_price: Option<Decimal>,
    /// Highest price.
    pub max_price: Option<Decimal>,
    /// Only what is in stock.
    pub in_stock: bool,
    /// One shop.
    pub shop: Option<ShopId>,
    /// The order.
    pub sort: SortOrder,
    /// Page, from 1.
    pub page: u32,
    /// Hits per page.
    pub per_page: u32,
}

fn parse<T: std::str::FromStr>(
    params: &Params,
    name: &'static str,
    what: &str,
) -> Result<Option<T>, ApiError> {
    one(params, name)
        .map(|raw| {
            raw.parse()
                .map_err(|_| ApiError::invalid(name, format!("{raw:?} is not {what}")))
        })
        .transpose()
}

impl SearchParams {
    /// Parses the parameters; `per_page` defaults to `default_per_page`.
    pub fn parse(params: &Params, default_per_page: u32) -> Result<Self, ApiError> {
        let sort = match one(params, "sort").as_deref() {
            None | Some("relevance") => SortOrder::Relevance,
            Some("price_ascending") => SortOrder::PriceAscending,
            Some("price_descending") => SortOrder::PriceDescending,
            Some("newest") => SortOrder::Newest,
            Some("rating") => SortOrder::Rating,
            Some("best_selling") => SortOrder::BestSelling,
            Some(other) => {
                return Err(ApiError::invalid(
                    "sort",
                    format!(
                        "{other:?} is not one of relevance, price_ascending, price_descending, newest, rating, best_selling"
                    ),
                ));
            }
        };
        let in_stock = match one(params, "in_stock").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") | Some("on") => true,
            Some(other) => {
                return Err(ApiError::invalid(
                    "in_stock",
                    format!("{other:?} is not true or false"),
                ));
            }
        };
        Ok(SearchParams {
            text: one(params, "q").unwrap_or_default(),
            category: parse(params, "category", "a category id")?,
            brands: params
                .iter()
                .filter(|(k, v)| k == "brand" && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_owned())
                .collect(),
            min_price: parse(params, "min_price", "a decimal amount")?,
            max_price: parse(params, "max_price", "a decimal amount")?,
            in_stock,
            shop: parse(params, "shop", "a shop id")?,
            sort,
            page: parse(params, "page", "a page number")?.unwrap_or(1),
            per_page: parse(params, "per_page", "a page size")?.unwrap_or(default_per_page),
        })
    }

    /// The search query, with facets.
    pub fn query(&self, currency: Currency) -> SearchQuery {
        let mut query = SearchQuery::new(self.text.clone(), currency).with_facets();
        query.filters.category = self.category;
        query.filters.brands = self.brands.clone();
        if self.min_price.is_some() || self.max_price.is_some() {
            query.filters.price = Some(PriceRange {
                min: self.min_price,
                max: self.max_price,
            });
        }
        query.filters.in_stock_only = self.in_stock;
        query.filters.shop = self.shop;
        query.sort = self.sort;
        query.page = self.page;
        query.per_page = self.per_page;
        query
    }
}
