//! Checkout, the caller's orders, paying and cancelling.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use commerce::identity::NewAddress;
use commerce::order::Order;
use commerce::payment::ProviderPayment;
use commerce::pricing::CountryCode;
use commerce::{CheckoutRequest, Money, OrderId, ShippingMethodId};
use serde::{Deserialize, Serialize};

use super::extract::{IdPath, JsonBody};
use super::{IdempotencyKeyParam, idempotency_key};
use crate::auth::{Caller, SignedIn};
use crate::errors::{ApiError, ApiResult, parse_json};
use crate::state::AppState;

/// A shipping address in a request.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AddressInput {
    name: String,
    line1: String,
    #[serde(default)]
    line2: Option<String>,
    city: String,
    postal_code: String,
    #[serde(default)]
    region: Option<String>,
    country: String,
    #[serde(default)]
    phone: Option<String>,
}

impl AddressInput {
    /// An address from the checkout form's fields.
    pub(crate) fn from_form(
        name: String,
        line1: String,
        city: String,
        postal_code: String,
        country: String,
    ) -> Self {
        AddressInput {
            name,
            line1,
            line2: None,
            city,
            postal_code,
            region: None,
            country: country.to_uppercase(),
            phone: None,
        }
    }

    /// The core's address; a bad country code names `shipTo.country`.
    pub(crate) fn into_address(self) -> Result<NewAddress, ApiError> {
        let country = CountryCode::parse(&self.country)
            .map_err(|e| ApiError::invalid("shipTo.country", e.to_string()))?;
        Ok(NewAddress {
            name: self.name,
            line1: self.line1,
            line2: self.line2,
            city: self.city,
            postal_code: self.postal_code,
            region: self.region,
            country,
            phone: self.phone,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CheckoutBody {
    #[serde(default)]
    cart_id: Option<String>,
    ship_to: AddressInput,
    #[serde(default)]
    shipping_method: Option<String>,
    #[serde(default)]
    expected_total: Option<String>,
}

/// The answer to a checkout.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CheckoutView {
    order: Order,
    payment: Option<ProviderPayment>,
    created: bool,
    repriced_lines: usize,
}

/// Checks out the caller's cart (or `cartId`): `{"shipTo": {...}, "shippingMethod"?,
/// "expectedTotal"?}` with an `Idempotency-Key` header; retrying with the same key
/// returns the same order (`created: false`).
#[utoipa::path(post, path = "/api/checkout", tag = "orders",
    params(("Idempotency-Key" = String, Header, description = "Unique per checkout attempt")),
    responses((status = 201, description = "The order, pending payment"),
        (status = 200, description = "A retry: the first order for this key"),
        (status = 400, description = "Missing key, malformed body (field named)"),
        (status = 401, description = "Not signed in as a customer"),
        (status = 409, description = "Out of stock, price changed, or the key was used for another cart")))]
pub(crate) async fn checkout(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CheckoutView>)> {
    let key = idempotency_key(&headers)?;
    let request: CheckoutBody = parse_json(&body)?;
    let cart = match &request.cart_id {
        Some(raw) => raw
            .parse()
            .map_err(|_| ApiError::invalid("cartId", "not a valid cart id"))?,
        None => match super::cart::current_cart(&state, caller.principal, None)
            .await?
            .filter(|c| !c.lines().is_empty())
        {
            Some(cart) => cart.id(),
            // A retry: the first attempt checked the cart out; the core answers with
            // that order (or refuses a key reused by someone else).
            None => state
                .commerce
                .stores()
                .orders
                .order_by_idempotency_key(&key)
                .await?
                .map(|order| order.cart)
                .ok_or_else(|| ApiError::invalid("cartId", "your cart is empty"))?,
        },
    };
    let shipping_method = request
        .shipping_method
        .as_deref()
        .map(|raw| {
            raw.parse::<ShippingMethodId>()
                .map_err(|_| ApiError::invalid("shippingMethod", "not a valid shipping method id"))
        })
        .transpose()?
        .or(Some(crate::demo::STANDARD_SHIPPING));
    let expected_total = request
        .expected_total
        .as_deref()
        .map(|raw| {
            Money::parse(raw, state.currency)
                .map_err(|e| ApiError::invalid("expectedTotal", e.to_string()))
        })
        .transpose()?;
    let checkout = state
        .commerce
        .checkout(
            caller.principal,
            CheckoutRequest {
                cart,
                ship_to: request.ship_to.into_address()?,
                shipping_method,
                expected_total,
                idempotency_key: key,
            },
        )
        .await?;
    let status = if checkout.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(CheckoutView {
            order: checkout.order,
            payment: checkout.payment,
            created: checkout.created,
            repriced_lines: checkout.repriced.changes.len(),
        }),
    ))
}

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/api/orders", tag = "orders",
    responses((status = 200, description = "Order history"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not a customer")))]
pub(crate) async fn my_orders(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> ApiResult<Json<Vec<Order>>> {
    let mut orders = state.commerce.my_orders(caller.principal).await?;
    orders.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    Ok(Json(orders))
}

/// One order with its history, fulfilments and shipments (tracking).
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Someone else's order"),
        (status = 404, description = "No such order")))]
pub(crate) async fn order(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<OrderId>,
) -> ApiResult<Json<Order>> {
    Ok(Json(state.commerce.order(caller.principal, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PayBody {
    payment_method: String,
}

/// Pays an order with a payment method (`{"paymentMethod": "pm_card_visa"}`); safe to
/// retry: an order is paid at most once.
#[utoipa::path(post, path = "/api/orders/{id}/pay", tag = "orders",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order after the attempt"),
        (status = 400, description = "Malformed body"),
        (status = 402, description = "Declined"),
        (status = 403, description = "Someone else's order"),
        (status = 404, description = "No such order")))]
pub(crate) async fn pay(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(id): IdPath<OrderId>,
    JsonBody(request): JsonBody<PayBody>,
) -> ApiResult<Json<Order>> {
    let attempt = state
        .commerce
        .pay(caller.principal, id, &request.payment_method)
        .await?;
    Ok(Json(attempt.order))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelBody {
    reason: String,
}

/// Cancels an order (`{"reason"}`): releases its stock and refunds what was paid.
#[utoipa::path(post, path = "/api/orders/{id}/cancel", tag = "orders",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The cancelled order"),
        (status = 400, description = "Malformed body"),
        (status = 403, description = "Someone else's order"),
        (status = 404, description = "No such order"),
        (status = 409, description = "Too late to cancel")))]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(id): IdPath<OrderId>,
    JsonBody(request): JsonBody<CancelBody>,
) -> ApiResult<Json<Order>> {
    Ok(Json(
        state
            .commerce
            .cancel_order(caller.principal, id, &request.reason)
            .await?,
    ))
}
