//! The payment provider's webhook.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use commerce::Error;
use serde::Serialize;

use super::IdempotencyKeyParam;
use crate::errors::{ApiError, ApiResult};
use crate::state::AppState;

/// What the webhook did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookOutcome {
    order: Option<commerce::OrderId>,
    status: Option<commerce::order::OrderStatus>,
}

/// Receives a signed provider event (`Stripe-Signature` for Stripe, `Signature` for the
/// in-memory provider) and applies it to its order at most once. The in-memory
/// provider's are refused (403, nothing applied) unless `SHOP_MEMORY_WEBHOOKS=1`.
#[utoipa::path(post, path = "/api/payments/webhook", tag = "orders",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "Applied (or ignored: not an event the shop acts on)"),
        (status = 400, description = "No signature header"),
        (status = 401, description = "Bad, stale or tampered signature"),
        (status = 403, description = "In-memory provider webhooks are switched off")))]
pub(crate) async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookOutcome>> {
    if state.memory_payments.is_some() && !state.memory_webhooks {
        return Err(Error::forbidden(
            "deliver in-memory payment webhooks (the shop takes them only with \
             SHOP_MEMORY_WEBHOOKS=1)",
        )
        .into());
    }
    let signature = headers
        .get("stripe-signature")
        .or_else(|| headers.get("signature"))
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::invalid("Signature", "the webhook must be signed"))?;
    let order = state
        .commerce
        .handle_payment_webhook(&body, signature)
        .await?;
    Ok(Json(WebhookOutcome {
        order: order.as_ref().map(|o| o.id),
        status: order.as_ref().map(|o| o.status),
    }))
}
