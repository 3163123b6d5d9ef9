//! Browsing: home, search with facets, category pages, product pages.

use axum::extract::{Path, Query, State};
use commerce::identity::Principal;
use commerce::search::{SearchResults, Suggest};
use commerce::{CategoryId, ProductId};
use minijinja::context;
use serde::Serialize;

use super::{PageError, PageResult, Viewer, encode, render, ser};
use crate::search_params::{Params, SearchParams, one};
use crate::state::AppState;
use crate::views::ProductView;

/// A product in a grid.
#[derive(Serialize)]
struct Tile {
    id: String,
    name: String,
    brand: Option<String>,
    price: String,
    in_stock: bool,
}

fn money(m: Option<commerce::Money>) -> String {
    m.map_or_else(|| "—".to_owned(), |m| m.to_string())
}

pub(super) async fn home(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let catalog = state.commerce.catalog(Principal::Guest).await?;
    let rules = state.commerce.stores().pricing.rules().await?;
    let mut newest: Vec<_> = catalog.products().filter(|p| p.is_active()).collect();
    newest.sort_by(|a, b| {
        b.created_at()
            .cmp(&a.created_at())
            .then(a.id().cmp(&b.id()))
    });
    let mut products = Vec::new();
    for product in newest.into_iter().take(12) {
        let view = ProductView::of(&state, &catalog, &rules, product).await?;
        products.push(Tile {
            id: product.id().to_string(),
            name: product.name().to_owned(),
            brand: product.brand().map(str::to_owned),
            price: money(view.price),
            in_stock: view.offers.iter().any(|o| o.available > 0),
        });
    }
    let categories: Vec<_> = catalog.categories().iter().cloned().collect();
    render(
        "home.html",
        &viewer,
        context! { categories => ser(&categories), products => ser(&products) },
    )
}

/// A facet value with the link that toggles it.
#[derive(Serialize)]
struct FacetLink {
    value: String,
    name: String,
    label: String,
    count: u64,
    link: String,
    selected: bool,
}

fn link(action: &str, params: &[(String, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if query.is_empty() {
        action.to_owned()
    } else {
        format!("{action}?{}", query.join("&"))
    }
}

/// `params` without any `name`, and without the page (a new filter starts at page 1).
fn without(params: &[(String, String)], name: &str) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(k, _)| k != name && k != "page")
        .cloned()
        .collect()
}

async fn results_page(
    state: &AppState,
    viewer: &Viewer,
    raw: Params,
    action: &str,
    title: Option<String>,
) -> PageResult {
    let params = SearchParams::parse(&raw, 24)?;
    let results: SearchResults = state.commerce.search(&params.query(state.currency)).await?;
    let suggestions: Vec<String> = if params.text.is_empty() {
        Vec::new()
    } else {
        state
            .commerce
            .suggest(&Suggest::new(params.text.clone(), 8))
            .await?
            .products
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    let products: Vec<Tile> = results
        .hits
        .iter()
        .map(|hit| Tile {
            id: hit.product.to_string(),
            name: hit.name.clone(),
            brand: hit.brand.clone(),
            price: money(hit.price),
            in_stock: hit.in_stock,
        })
        .collect();
    let facets = results.facets.clone().unwrap_or_default();
    let brands: Vec<FacetLink> = facets
        .brands
        .iter()
        .map(|b| {
            let selected = params.brands.contains(&b.value);
            let mut next = without(&raw, "brand");
            if !selected {
                next.push(("brand".into(), b.value.clone()));
            }
            FacetLink {
                value: b.value.clone(),
                name: b.value.clone(),
                label: b.value.clone(),
                count: b.count,
                link: link(action, &next),
                selected,
            }
        })
        .collect();
    let categories: Vec<FacetLink> = facets
        .categories
        .iter()
        .map(|c| {
            let selected = params.category == Some(c.category);
            let mut next = without(&raw, "category");
            if !selected {
                next.push(("category".into(), c.category.to_string()));
            }
            FacetLink {
                value: c.category.to_string(),
                name: c.name.clone(),
                label: c.name.clone(),
                count: c.count,
                link: link(action, &next),
                selected,
            }
        })
        .collect();
    let prices: Vec<FacetLink> = facets
        .prices
        .iter()
        .filter(|p| p.count > 0)
        .map(|p| {
            let mut next = without(&without(&raw, "min_price"), "max_price");
            next.push(("min_price".into(), p.bucket.min.to_string()));
            let label = match p.bucket.max {
                Some(max) => {
                    next.push(("max_price".into(), max.to_string()));
                    format!("{} – {}", p.bucket.min, max)
                }
                None => format!("{} and up", p.bucket.min),
            };
            FacetLink {
                value: label.clone(),
                name: label.clone(),
                label,
                count: p.count,
                link: link(action, &next),
                selected: false,
            }
        })
        .collect();
    let mut in_stock_next = without(&raw, "in_stock");
    if !params.in_stock {
        in_stock_next.push(("in_stock".into(), "true".into()));
    }
    let page = params.page.max(1);
    let per_page = u64::from(params.per_page.clamp(1, commerce::search::MAX_PAGE_SIZE));
    let page_link = |n: u32| {
        let mut next = without(&raw, "page");
        next.push(("page".into(), n.to_string()));
        link(action, &next)
    };
    let next_link = (u64::from(page) * per_page < results.total).then(|| page_link(page + 1));
    let prev_link = (page > 1).then(|| page_link(page - 1));
    let sort = serde_json::to_value(params.sort)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    render(
        "search.html",
        viewer,
        context! {
            q => params.text, title, total => results.total, products => ser(&products), suggestions,
            facets => context! { brands => ser(&brands), categories => ser(&categories), prices => ser(&prices) },
            in_stock => params.in_stock, in_stock_link => link(action, &in_stock_next),
            sort, sorts => ["relevance", "price_ascending", "price_descending", "newest", "rating", "best_selling"],
            action, page, next_link, prev_link,
        },
    )
}

pub(super) async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(raw): Query<Params>,
) -> PageResult {
    results_page(&state, &viewer, raw, "/search", None).await
}

pub(super) async fn category(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(mut raw): Query<Params>,
) -> PageResult {
    let not_found = || {
        PageError::Show(
            axum::http::StatusCode::NOT_FOUND,
            format!("category {id:?} not found"),
        )
    };
    let category: CategoryId = id.parse().map_err(|_| not_found())?;
    let catalog = state.commerce.catalog(Principal::Guest).await?;
    let name = catalog
        .categories()
        .get(category)
        .ok_or_else(not_found)?
        .name
        .clone();
    raw.retain(|(k, _)| k != "category");
    raw.push(("category".into(), category.to_string()));
    results_page(
        &state,
        &viewer,
        raw,
        &format!("/category/{category}"),
        Some(name),
    )
    .await
}

pub(super) async fn product(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(raw): Query<Params>,
) -> PageResult {
    let id: ProductId = id.parse().map_err(|_| {
        PageError::Show(
            axum::http::StatusCode::NOT_FOUND,
            format!("product {id:?} not found"),
        )
    })?;
    let product = state.commerce.product(Principal::Guest, id).await?;
    let catalog = state.commerce.catalog(Principal::Guest).await?;
    let rules = state.commerce.stores().pricing.rules().await?;
    let view = ProductView::of(&state, &catalog, &rules, &product).await?;
    let path: Vec<_> = product
        .category()
        .map(|c| catalog.categories().path(c).into_iter().cloned().collect())
        .unwrap_or_default();
    #[derive(Serialize)]
    struct Offer {
        id: String,
        options: std::collections::BTreeMap<String, String>,
        price: String,
        available: i64,
    }
    let offers: Vec<Offer> = view
        .offers
        .iter()
        .map(|o| Offer {
            id: o.id.to_string(),
            options: o.options.clone(),
            price: money(o.price),
            available: o.available,
        })
        .collect();
    let reviews = super::reviews::section(&state, id).await?;
    let (together, similar) = super::reviews::recommendations(&state, &catalog, &rules, id).await?;
    let (notice, error) = super::reviews::review_notice(one(&raw, "review").as_deref());
    render(
        "product.html",
        &viewer,
        context! {
            product => context! { id => product.id().to_string(), name => product.name(), brand => product.brand(), description => product.description() },
            shop_name => view.shop_name, offers => ser(&offers), path => ser(&path),
            reviews => ser(&reviews), together => ser(&together), similar => ser(&similar),
            can_review => matches!(viewer.principal, Principal::Customer(_)), notice, error,
        },
    )
}
