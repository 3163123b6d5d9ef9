//! Order administration (admins only).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use commerce::order::{Order, OrderStatus};
use commerce::{Money, OrderId};
use serde::Deserialize;

use super::extract::{IdPath, JsonBody};
use super::{IdempotencyKeyParam, idempotency_key};
use crate::auth::SignedIn;
use crate::errors::{ApiError, ApiResult, parse_json};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusBody {
    status: OrderStatus,
    #[serde(default)]
    reason: String,
}

/// Moves an order on: `{"status": "processing" | "completed" | "returned", "reason"?}`.
#[utoipa::path(post, path = "/api/admin/orders/{id}/status", tag = "admin",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order in its new state"),
        (status = 400, description = "Unknown status (field `status`)"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such order"),
        (status = 409, description = "An illegal transition (both states named)")))]
pub(crate) async fn set_status(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(id): IdPath<OrderId>,
    JsonBody(request): JsonBody<StatusBody>,
) -> ApiResult<Json<Order>> {
    Ok(Json(
        state
            .commerce
            .set_order_status(caller.principal, id, request.status, &request.reason)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefundBody {
    /// A decimal string in the order's currency, e.g. `"5.00"`.
    amount: String,
    #[serde(default)]
    reason: String,
}

/// Refunds part or all of what an order's payment captured: `{"amount": "5.00",
/// "reason"?}` in the order's currency, with an `Idempotency-Key` header (a retry with
/// the same key refunds once). Everything captured makes the order `refunded`, less
/// `partially_refunded`.
#[utoipa::path(post, path = "/api/admin/orders/{id}/refunds", tag = "admin",
    params(("Idempotency-Key" = String, Header, description = "Unique per refund"),
        ("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order after the refund"),
        (status = 400, description = "Missing key, or a bad amount (field `amount`): not a number in the order's currency, zero, or more than is left to refund"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such order")))]
pub(crate) async fn refund(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(id): IdPath<OrderId>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Order>> {
    let key = idempotency_key(&headers)?;
    let request: RefundBody = parse_json(&body)?;
    let order = state.commerce.order(caller.principal, id).await?;
    let amount = Money::parse(&request.amount, order.currency)
        .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
    Ok(Json(
        state
            .commerce
            .refund(caller.principal, id, amount, &request.reason, &key)
            .await?,
    ))
}
