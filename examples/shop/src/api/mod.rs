//! The JSON API under `/api`, one file per area. Every handler is annotated for the
//! OpenAPI document, and the router is built from those annotations
//! (`utoipa_axum::routes!`), so `/openapi.json` lists exactly the routes served.

mod admin;
mod auth;
pub(crate) mod cart;
mod catalog;
mod extract;
mod notifications;
pub(crate) mod orders;
mod payments;
pub(crate) mod reviews;
mod seller;

use axum::http::HeaderMap;
use commerce::payment::IdempotencyKey;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::errors::ApiError;
use crate::state::AppState;

/// The document's header; the paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "commerce-rs example shop",
        description = "The example shop's JSON API. Send `Authorization: Bearer <token>` \
            (from `POST /api/auth/login`). Errors are `{error, field?, message}`."
    ),
    tags(
        (name = "auth", description = "Sign-up, sessions and profile"),
        (name = "catalog", description = "Products, categories, search"),
        (name = "cart", description = "The shopper's cart (the seed documents' shapes)"),
        (name = "orders", description = "Checkout, orders, payments"),
        (name = "reviews", description = "Product reviews, ratings and moderation"),
        (name = "seller", description = "A seller's products, stock and orders"),
        (name = "admin", description = "Order administration"),
        (name = "notifications", description = "Notification history")
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI document.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me, auth::update_me))
        .routes(routes!(catalog::products))
        .routes(routes!(catalog::product))
        .routes(routes!(catalog::categories))
        .routes(routes!(catalog::search))
        .routes(routes!(catalog::suggest))
        .routes(routes!(cart::view))
        .routes(routes!(
            cart::add_item,
            cart::update_item,
            cart::remove_item
        ))
        .routes(routes!(cart::apply_coupon, cart::remove_coupon))
        .routes(routes!(orders::checkout))
        .routes(routes!(orders::my_orders))
        .routes(routes!(orders::order))
        .routes(routes!(orders::pay))
        .routes(routes!(orders::cancel))
        .routes(routes!(payments::webhook))
        .routes(routes!(reviews::list, reviews::create))
        .routes(routes!(reviews::edit, reviews::delete))
        .routes(routes!(reviews::hide))
        .routes(routes!(reviews::restore))
        .routes(routes!(reviews::reply))
        .routes(routes!(seller::products, seller::create_product))
        .routes(routes!(seller::stock, seller::adjust_stock))
        .routes(routes!(seller::orders))
        .routes(routes!(seller::ship))
        .routes(routes!(seller::track))
        .routes(routes!(admin::set_status))
        .routes(routes!(admin::refund))
        .routes(routes!(notifications::history))
}

/// The optional `Idempotency-Key` header as an OpenAPI parameter, for every mutating
/// call the replay layer ([`crate::idempotency`]) guards: `params(IdempotencyKeyParam)`.
pub(crate) struct IdempotencyKeyParam;

impl utoipa::IntoParams for IdempotencyKeyParam {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Optional, recommended where a retry could repeat the work: the first \
                     answer is stored, a retry with the same key and body gets it again \
                     (`Idempotent-Replayed: true`) without running twice; the same key with \
                     another body is 422, a retry while the first still runs is 409.",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        ]
    }
}

/// The `Idempotency-Key` header, required on calls a retry could duplicate.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    let value = headers
        .get("idempotency-key")
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                "this call needs an Idempotency-Key header (any unique string per attempt)",
            )
        })?
        .to_str()
        .map_err(|_| ApiError::invalid("Idempotency-Key", "not visible ASCII"))?;
    IdempotencyKey::parse(value).map_err(|e| ApiError::invalid("Idempotency-Key", e.to_string()))
}
