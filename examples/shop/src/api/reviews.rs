//! Product reviews: anyone reads a product's visible reviews with its rating summary; a
//! customer writes one review per product and edits or deletes their own; an admin
//! hides and restores; the product's seller replies once. The rules are the engine's
//! (`Commerce::write_review` and friends); these handlers only parse and answer.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use commerce::identity::Principal;
use commerce::review::{RatingSummary, Review, ReviewPage};
use commerce::{ProductId, ReviewId, ReviewInput};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::IdempotencyKeyParam;
use super::extract::{IdPath, JsonBody};
use crate::auth::SignedIn;
use crate::errors::{ApiError, ApiResult};
use crate::search_params::{Params, one};
use crate::state::AppState;

/// A product's rating aggregates over its visible reviews.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SummaryView {
    /// How many visible reviews.
    pub(crate) count: u32,
    /// The average rating to one decimal (`"4.3"`), `"0"` without reviews.
    #[serde(with = "rust_decimal::serde::str")]
    pub(crate) average: Decimal,
    /// Reviews with 1, 2, 3, 4 and 5 stars.
    pub(crate) histogram: [u32; 5],
}

impl From<RatingSummary> for SummaryView {
    fn from(summary: RatingSummary) -> Self {
        SummaryView {
            count: summary.count(),
            average: summary.average(),
            histogram: summary.histogram,
        }
    }
}

/// One page of a product's reviews with its summary.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReviewsView {
    product: ProductId,
    summary: SummaryView,
    page: u32,
    per_page: u32,
    reviews: Vec<Review>,
}

/// A page number parameter (`page`, `per_page`); a malformed one is a 400 naming it.
fn page_param(params: &Params, name: &'static str, default: u32) -> Result<u32, ApiError> {
    match one(params, name) {
        Some(raw) => raw
            .parse()
            .map_err(|_| ApiError::invalid(name, format!("{raw:?} is not a page number"))),
        None => Ok(default),
    }
}

/// A product's visible reviews, newest first, with its rating summary (count, average,
/// histogram): `?page=` (from 1), `?per_page=` (1 to 50, default 10).
#[utoipa::path(get, path = "/api/products/{id}/reviews", tag = "reviews",
    params(("id" = String, Path, description = "Product id"),
        ("page" = Option<u32>, Query, description = "Page, from 1"),
        ("per_page" = Option<u32>, Query, description = "Reviews a page (at most 50)")),
    responses((status = 200, description = "`{product, summary, page, perPage, reviews}`"),
        (status = 400, description = "A malformed `page` or `per_page`"),
        (status = 404, description = "No such product")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    IdPath(product): IdPath<ProductId>,
    Query(params): Query<Params>,
) -> ApiResult<Json<ReviewsView>> {
    let page = ReviewPage::new(
        page_param(&params, "page", 1)?,
        page_param(&params, "per_page", ReviewPage::default().per_page)?,
    );
    // Unknown products (and drafts) are a 404, not an empty page.
    state.commerce.product(Principal::Guest, product).await?;
    let reviews = state.commerce.product_reviews(product, page).await?;
    let summary = state.commerce.rating_summary(product).await?;
    Ok(Json(ReviewsView {
        product,
        summary: summary.into(),
        page: page.page.max(1),
        per_page: page.size(),
        reviews,
    }))
}

/// A review as a customer writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewBody {
    rating: i64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

impl From<ReviewBody> for ReviewInput {
    fn from(body: ReviewBody) -> Self {
        ReviewInput {
            rating: body.rating,
            title: body.title,
            text: body.text,
        }
    }
}

/// A signed-in customer reviews a product, once: `{"rating": 1..5, "title"?, "text"?}`.
/// The review is a verified purchase when they have a delivered order with it.
#[utoipa::path(post, path = "/api/products/{id}/reviews", tag = "reviews",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Product id")),
    responses((status = 201, description = "The new review"),
        (status = 400, description = "A field is missing or invalid (`rating` outside 1–5, `title`, `text`)"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not a customer"),
        (status = 404, description = "No such product"),
        (status = 409, description = "The customer reviewed this product already")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(product): IdPath<ProductId>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> ApiResult<(StatusCode, Json<Review>)> {
    let input = ReviewInput::from(body);
    let review = state
        .commerce
        .write_review(caller.principal, product, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// The author edits their review: `{"rating", "title"?, "text"?}` (the whole review).
#[utoipa::path(put, path = "/api/reviews/{id}", tag = "reviews",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Review id")),
    responses((status = 200, description = "The edited review"),
        (status = 400, description = "A field is missing or invalid (named)"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not the author"),
        (status = 404, description = "No such review")))]
pub(crate) async fn edit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(review): IdPath<ReviewId>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> ApiResult<Json<Review>> {
    let input = ReviewInput::from(body);
    Ok(Json(
        state
            .commerce
            .edit_review(caller.principal, review, &input)
            .await?,
    ))
}

/// The author deletes their review; the product's summary follows.
#[utoipa::path(delete, path = "/api/reviews/{id}", tag = "reviews",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Review id")),
    responses((status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not the author"),
        (status = 404, description = "No such review")))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(review): IdPath<ReviewId>,
) -> ApiResult<StatusCode> {
    state
        .commerce
        .delete_review(caller.principal, review)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin hides a review: shoppers no longer see it and it stops counting.
#[utoipa::path(post, path = "/api/reviews/{id}/hide", tag = "reviews",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Review id")),
    responses((status = 200, description = "The hidden review"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such review"),
        (status = 409, description = "Hidden already")))]
pub(crate) async fn hide(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(review): IdPath<ReviewId>,
) -> ApiResult<Json<Review>> {
    Ok(Json(
        state.commerce.hide_review(caller.principal, review).await?,
    ))
}

/// An admin shows a hidden review again.
#[utoipa::path(post, path = "/api/reviews/{id}/restore", tag = "reviews",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Review id")),
    responses((status = 200, description = "The visible review"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such review"),
        (status = 409, description = "Not hidden")))]
pub(crate) async fn restore(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(review): IdPath<ReviewId>,
) -> ApiResult<Json<Review>> {
    Ok(Json(
        state
            .commerce
            .restore_review(caller.principal, review)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyBody {
    text: String,
}

/// The seller of the reviewed product answers, once: `{"text"}`.
#[utoipa::path(post, path = "/api/reviews/{id}/reply", tag = "reviews",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Review id")),
    responses((status = 200, description = "The review with its reply"),
        (status = 400, description = "Empty or too long (`reply`), or malformed body (`text`)"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not the product's seller"),
        (status = 404, description = "No such review"),
        (status = 409, description = "Answered already")))]
pub(crate) async fn reply(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(review): IdPath<ReviewId>,
    JsonBody(request): JsonBody<ReplyBody>,
) -> ApiResult<Json<Review>> {
    Ok(Json(
        state
            .commerce
            .reply_to_review(caller.principal, review, &request.text)
            .await?,
    ))
}
