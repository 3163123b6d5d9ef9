//! Order administration (admins only).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use commerce::OrderId;
use commerce::order::{Order, OrderStatus};
use serde::Deserialize;

use super::{IdempotencyKeyParam, path_id};
use crate::auth::SignedIn;
use crate::errors::{ApiResult, parse_json};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
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
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Order>> {
    let id: OrderId = path_id(&id, "order")?;
    let request: StatusBody = parse_json(&body)?;
    Ok(Json(
        state
            .commerce
            .set_order_status(caller.principal, id, request.status, &request.reason)
            .await?,
    ))
}
