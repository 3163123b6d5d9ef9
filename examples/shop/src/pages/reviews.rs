//! What the product page shows of reviews and recommendations, and the review form's
//! handler (a plain POST, then a redirect back to the product).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commerce::catalog::Catalog;
use commerce::identity::Principal;
use commerce::pricing::PricingRules;
use commerce::recommend::DEFAULT_MIN_SUPPORT;
use commerce::review::{Rating, Review, ReviewPage};
use commerce::{AccountId, ErrorKind, ProductId, ReviewId, ReviewInput};
use serde::Serialize;

use super::{PageError, PageResult, Viewer, field, parse_form, require_signed_in, see_other};
use crate::api::reviews::SummaryView;
use crate::state::AppState;
use crate::views::ProductView;

/// How many reviews the product page shows.
const REVIEWS_SHOWN: u32 = 20;
/// How many products each recommendation row shows.
const RECOMMENDED: u32 = 4;

/// A review as the product page shows it.
#[derive(Serialize)]
pub(super) struct ReviewItem {
    id: String,
    author: String,
    stars: u8,
    star_text: String,
    title: Option<String>,
    text: Option<String>,
    verified: bool,
    date: String,
    reply: Option<String>,
}

/// One bar of the rating histogram: stars, how many, and the share in whole percent.
#[derive(Serialize)]
pub(super) struct HistogramRow {
    stars: u8,
    count: u32,
    percent: u32,
}

/// The reviews part of the product page.
#[derive(Serialize)]
pub(super) struct ReviewsSection {
    summary: SummaryView,
    histogram: Vec<HistogramRow>,
    reviews: Vec<ReviewItem>,
}

/// A recommended product.
#[derive(Serialize)]
pub(super) struct Recommendation {
    id: String,
    name: String,
    price: String,
}

/// The author's first name (reviews show no more of who wrote them).
async fn author(state: &AppState, review: &Review) -> String {
    let id = AccountId::from_uuid(review.customer.as_uuid());
    match state.commerce.stores().accounts.account(id).await {
        Ok(Some(account)) => account
            .profile
            .name
            .split_whitespace()
            .next()
            .unwrap_or("A customer")
            .to_owned(),
        _ => "A customer".to_owned(),
    }
}

/// The product's rating summary, histogram and newest visible reviews.
pub(super) async fn section(
    state: &AppState,
    product: ProductId,
) -> Result<ReviewsSection, PageError> {
    let summary = state.commerce.rating_summary(product).await?;
    let count = summary.count();
    let histogram = Rating::ALL
        .iter()
        .rev()
        .map(|&rating| {
            let n = summary.with_rating(rating);
            HistogramRow {
                stars: rating.stars(),
                count: n,
                percent: if count == 0 {
                    0
                } else {
                    u32::try_from(u64::from(n) * 100 / u64::from(count)).unwrap_or(100)
                },
            }
        })
        .collect();
    let page = ReviewPage::new(1, REVIEWS_SHOWN);
    let mut reviews = Vec::new();
    for review in state.commerce.product_reviews(product, page).await? {
        reviews.push(ReviewItem {
            id: review.id.to_string(),
            author: author(state, &review).await,
            stars: review.rating.stars(),
            star_text: (1..=5)
                .map(|n| {
                    if n <= review.rating.stars() {
                        '★'
                    } else {
                        '☆'
                    }
                })
                .collect(),
            title: review.text.title().map(str::to_owned),
            text: review.text.text().map(str::to_owned),
            verified: review.verified_purchase,
            date: review.created_at.format("%Y-%m-%d").to_string(),
            reply: review.reply.as_ref().map(|r| r.text.clone()),
        });
    }
    Ok(ReviewsSection {
        summary: summary.into(),
        histogram,
        reviews,
    })
}

async fn tiles(
    state: &AppState,
    catalog: &Catalog,
    rules: &PricingRules,
    ids: Vec<ProductId>,
) -> Result<Vec<Recommendation>, PageError> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(product) = catalog.product(id) {
            let view = ProductView::of(state, catalog, rules, product).await?;
            out.push(Recommendation {
                id: id.to_string(),
                name: product.name().to_owned(),
                price: view.price.map_or_else(|| "—".to_owned(), |m| m.to_string()),
            });
        }
    }
    Ok(out)
}

/// "Frequently bought together" and "similar products" for `product`.
///
/// Recommendations are a side dish. When the search index fails (`Unavailable`: tantivy's
/// "more like this" can panic while updated documents await a merge), similar products
/// come from a catalog snapshot instead; if a row still cannot be had for such a
/// passing reason the page is shown without it and the reason goes to stderr. Any other
/// error fails the page as usual.
pub(super) async fn recommendations(
    state: &AppState,
    catalog: &Catalog,
    rules: &PricingRules,
    product: ProductId,
) -> Result<(Vec<Recommendation>, Vec<Recommendation>), PageError> {
    let together = optional(
        "frequently bought together",
        state
            .commerce
            .bought_together(product, DEFAULT_MIN_SUPPORT, RECOMMENDED)
            .await,
    )?;
    let similar = match state.commerce.similar_products(product, RECOMMENDED).await {
        Err(e) if e.kind() == ErrorKind::Unavailable => {
            eprintln!("product page: similar products from the catalog instead of the index: {e}");
            state.unindexed.similar_products(product, RECOMMENDED).await
        }
        found => found,
    };
    let similar = optional("similar products", similar)?;
    let together: Vec<ProductId> = together.iter().map(|b| b.product).collect();
    let similar: Vec<ProductId> = similar.iter().map(|s| s.product).collect();
    Ok((
        tiles(state, catalog, rules, together).await?,
        tiles(state, catalog, rules, similar).await?,
    ))
}

/// `result`, or nothing (logged) when it failed with `Unavailable`.
fn optional<T>(what: &str, result: Result<Vec<T>, commerce::Error>) -> Result<Vec<T>, PageError> {
    match result {
        Ok(found) => Ok(found),
        Err(e) if e.kind() == ErrorKind::Unavailable => {
            eprintln!("product page: {what} left out: {e}");
            Ok(Vec::new())
        }
        Err(e) => Err(e.into()),
    }
}

/// The review form: `rating` (1–5), `title`, `text`. Back to the product page with
/// `?review=thanks`, or `?review=<problem>` (`rating`, `title`, `text`, `twice`) for
/// something the form can fix.
pub(super) async fn write(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let product: ProductId = id
        .parse()
        .map_err(|_| PageError::Show(StatusCode::NOT_FOUND, format!("product {id:?} not found")))?;
    let here = format!("/product/{product}");
    require_signed_in(&viewer, &here)?;
    if !matches!(viewer.principal, Principal::Customer(_)) {
        return Err(PageError::Show(
            StatusCode::FORBIDDEN,
            "only customers write reviews".into(),
        ));
    }
    let form = parse_form(&body);
    let rating = match field(&form, "rating").map(|r| r.parse::<i64>()) {
        Some(Ok(stars)) => stars,
        _ => return Ok(see_other(&format!("{here}?review=rating#reviews"))),
    };
    let input = ReviewInput {
        rating,
        title: field(&form, "title"),
        text: field(&form, "text"),
    };
    match state
        .commerce
        .write_review(viewer.principal, product, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("{here}?review=thanks#reviews"))),
        Err(e) => match e.kind() {
            ErrorKind::Conflict => Ok(see_other(&format!("{here}?review=twice#reviews"))),
            ErrorKind::InvalidInput { field } if ["rating", "title", "text"].contains(&field) => {
                Ok(see_other(&format!("{here}?review={field}#reviews")))
            }
            _ => Err(e.into()),
        },
    }
}

/// An admin hides a review from its product page (moderation); back to the product
/// with `?review=hidden`. Restoring is the API's (`POST /api/reviews/{id}/restore`).
pub(super) async fn hide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let review: ReviewId = id
        .parse()
        .map_err(|_| PageError::Show(StatusCode::NOT_FOUND, format!("review {id:?} not found")))?;
    require_signed_in(&viewer, "/")?;
    let hidden = state.commerce.hide_review(viewer.principal, review).await?;
    Ok(see_other(&format!(
        "/product/{}?review=hidden#reviews",
        hidden.product
    )))
}

/// What the product page says after the review form, from its `review` parameter
/// (a fixed list: the page never echoes text from the address).
pub(super) fn review_notice(code: Option<&str>) -> (Option<&'static str>, Option<&'static str>) {
    match code {
        Some("thanks") => (Some("Thank you: your review is published."), None),
        Some("hidden") => (
            Some("The review is hidden: shoppers no longer see it."),
            None,
        ),
        Some("twice") => (None, Some("You have reviewed this product already.")),
        Some("rating") => (None, Some("Choose a rating from 1 to 5 stars.")),
        Some("title") => (None, Some("The title is too long.")),
        Some("text") => (None, Some("The review text is too long.")),
        _ => (None, None),
    }
}
