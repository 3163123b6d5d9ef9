//! Products, categories, search and autosuggest (anyone may call these).

use axum::Json;
use axum::extract::{Query, State};
use commerce::ProductId;
use commerce::catalog::Category;
use commerce::identity::Principal;
use commerce::search::{SearchResults, Suggest, Suggestions};
use serde::Serialize;

use super::extract::IdPath;
use crate::errors::{ApiError, ApiResult};
use crate::search_params::{Params, SearchParams};
use crate::state::AppState;
use crate::views::ProductView;

/// A page of products.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProductPage {
    total: usize,
    page: u32,
    products: Vec<ProductView>,
}

/// Lists active products, newest first: `?category=<id>` (with its sub-categories),
/// `?page=` (from 1, 24 a page).
#[utoipa::path(get, path = "/api/products", tag = "catalog",
    params(("category" = Option<String>, Query, description = "A category id"),
        ("page" = Option<u32>, Query, description = "Page, from 1")),
    responses((status = 200, description = "A page of products"),
        (status = 400, description = "A malformed parameter (named in `field`)")))]
pub(crate) async fn products(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> ApiResult<Json<ProductPage>> {
    let params = SearchParams::parse(&params, 24)?;
    let catalog = state.commerce.catalog(Principal::Guest).await?;
    let rules = state.commerce.stores().pricing.rules().await?;
    let mut matching: Vec<_> = catalog
        .products()
        .filter(|p| p.is_active())
        .filter(|p| {
            params
                .category
                .is_none_or(|c| catalog.product_in_category(p, c))
        })
        .collect();
    matching.sort_by(|a, b| {
        b.created_at()
            .cmp(&a.created_at())
            .then(a.id().cmp(&b.id()))
    });
    let per_page = 24usize;
    let start = (params.page.max(1) as usize - 1).saturating_mul(per_page);
    let mut page = Vec::new();
    for product in matching.iter().skip(start).take(per_page) {
        page.push(ProductView::of(&state, &catalog, &rules, product).await?);
    }
    Ok(Json(ProductPage {
        total: matching.len(),
        page: params.page.max(1),
        products: page,
    }))
}

/// One product with its variants, prices and stock.
#[utoipa::path(get, path = "/api/products/{id}", tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    responses((status = 200, description = "The product"),
        (status = 404, description = "No such product")))]
pub(crate) async fn product(
    State(state): State<AppState>,
    IdPath(id): IdPath<ProductId>,
) -> ApiResult<Json<ProductView>> {
    let product = state.commerce.product(Principal::Guest, id).await?;
    let catalog = state.commerce.catalog(Principal::Guest).await?;
    let rules = state.commerce.stores().pricing.rules().await?;
    Ok(Json(
        ProductView::of(&state, &catalog, &rules, &product).await?,
    ))
}

/// A category with its place in the tree.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CategoryView {
    #[serde(flatten)]
    category: Category,
    /// Active products in it and its sub-categories.
    products: usize,
}

/// The category tree, as a flat list with `parent` ids.
#[utoipa::path(get, path = "/api/categories", tag = "catalog",
    responses((status = 200, description = "Every category")))]
pub(crate) async fn categories(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<CategoryView>>> {
    let catalog = state.commerce.catalog(Principal::Guest).await?;
    let views = catalog
        .categories()
        .iter()
        .map(|category| CategoryView {
            category: category.clone(),
            products: catalog
                .products()
                .filter(|p| p.is_active() && catalog.product_in_category(p, category.id))
                .count(),
        })
        .collect();
    Ok(Json(views))
}

/// Full-text search with filters, sorting and facet counts: `?q=` (typos allowed),
/// `category`, `brand` (repeatable), `min_price`, `max_price`, `in_stock=true`, `shop`,
/// `sort` (relevance, price_ascending, price_descending, newest, rating, best_selling),
/// `page`, `per_page`.
#[utoipa::path(get, path = "/api/search", tag = "catalog",
    params(("q" = Option<String>, Query, description = "What the shopper typed"),
        ("category" = Option<String>, Query, description = "Category id"),
        ("brand" = Option<String>, Query, description = "Brand (repeatable)"),
        ("min_price" = Option<String>, Query, description = "Lowest price"),
        ("max_price" = Option<String>, Query, description = "Highest price"),
        ("in_stock" = Option<bool>, Query, description = "Only what is in stock"),
        ("sort" = Option<String>, Query, description = "Sort order"),
        ("page" = Option<u32>, Query, description = "Page, from 1")),
    responses((status = 200, description = "Hits, total and facets"),
        (status = 400, description = "A malformed parameter (named in `field`)")))]
pub(crate) async fn search(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> ApiResult<Json<SearchResults>> {
    let params = SearchParams::parse(&params, 20)?;
    let query = params.query(state.currency);
    Ok(Json(state.commerce.search(&query).await?))
}

/// Autosuggest for a prefix: `?q=tea&limit=5`.
#[utoipa::path(get, path = "/api/suggest", tag = "catalog",
    params(("q" = String, Query, description = "What was typed so far"),
        ("limit" = Option<u32>, Query, description = "At most this many of each kind")),
    responses((status = 200, description = "Products, categories and brands"),
        (status = 400, description = "A malformed parameter")))]
pub(crate) async fn suggest(
    State(state): State<AppState>,
    Query(params): Query<Params>,
) -> ApiResult<Json<Suggestions>> {
    let prefix = crate::search_params::one(&params, "q").unwrap_or_default();
    let limit = match crate::search_params::one(&params, "limit") {
        Some(raw) => raw
            .parse()
            .map_err(|_| ApiError::invalid("limit", "not a whole number"))?,
        None => 8,
    };
    Ok(Json(
        state.commerce.suggest(&Suggest::new(prefix, limit)).await?,
    ))
}
