//! Order administration (admins only).

use axum::Json;
use axum::extract::State;
use commerce::OrderId;
use commerce::order::{Order, OrderStatus};
use serde::Deserialize;

use super::IdempotencyKeyParam;
use super::extract::{IdPath, JsonBody};
use crate::auth::SignedIn;
use crate::errors::ApiResult;
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
