//! The cart, with the seed documents' request and response shapes
//! (`commerce::cart::api`): add, update and remove items, view, coupons.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use commerce::cart::{
    AddItemRequest, CartItemResponse, CartItemView, RemoveItemRequest, RemoveItemResponse,
    UpdateItemRequest,
};
use commerce::cart::{Cart, CartPurpose, CartStatus};
use commerce::catalog::Catalog;
use commerce::identity::Principal;
use commerce::pricing::{PricedCart, Region};
use commerce::{CartId, Error, ProductId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::IdempotencyKeyParam;
use super::extract::JsonBody;
use crate::auth::Caller;
use crate::demo::STANDARD_SHIPPING;
use crate::errors::{ApiError, ApiResult};
use crate::search_params::{Params, one};
use crate::state::AppState;

/// A whole cart: the seed shape's fields plus every line, coupons and the priced totals
/// (discounts, shipping and tax for a US address with standard shipping).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CartView {
    cart_id: Option<CartId>,
    total_items: u64,
    #[serde(with = "rust_decimal::serde::str")]
    total_price: Decimal,
    items: Vec<CartItemView>,
    coupons: Vec<String>,
    priced: Option<PricedCart>,
}

/// The caller's open shopping cart, if any: the one `?cartId=` names, when given (as the
/// engine lets the caller reach it: another customer's is 403, an unknown one 404, never
/// silently swapped for the caller's own); otherwise a customer's own open cart.
pub(crate) async fn current_cart(
    state: &AppState,
    caller: Principal,
    named: Option<&str>,
) -> Result<Option<Cart>, ApiError> {
    if matches!(caller, Principal::Seller(_) | Principal::Admin(_)) {
        return Err(Error::forbidden("shop (sellers and admins do not have carts)").into());
    }
    if let Some(raw) = named {
        let id: CartId = raw
            .parse()
            .map_err(|_| ApiError::invalid("cartId", "not a valid cart id"))?;
        let cart = state.commerce.cart(caller, id).await?;
        return Ok((cart.status() != CartStatus::CheckedOut).then_some(cart));
    }
    match caller {
        Principal::Customer(_) => {
            Ok(state
                .commerce
                .my_carts(caller)
                .await?
                .into_iter()
                .find(|c| {
                    c.purpose() == CartPurpose::Shopping && c.status() != CartStatus::CheckedOut
                }))
        }
        _ => Ok(None),
    }
}

/// The view of a cart, priced.
pub(crate) async fn cart_view(
    state: &AppState,
    caller: Principal,
    cart: Option<Cart>,
) -> Result<CartView, ApiError> {
    let Some(cart) = cart else {
        return Ok(CartView {
            cart_id: None,
            total_items: 0,
            total_price: Decimal::ZERO,
            items: Vec::new(),
            coupons: Vec::new(),
            priced: None,
        });
    };
    let priced = if cart.lines().is_empty() {
        None
    } else {
        Some(
            state
                .commerce
                .price_cart(
                    caller,
                    cart.id(),
                    Region::country("US")?,
                    Some(STANDARD_SHIPPING),
                )
                .await?,
        )
    };
    Ok(CartView {
        cart_id: Some(cart.id()),
        total_items: cart.total_items(),
        total_price: cart.subtotal()?.amount(),
        items: cart
            .lines()
            .iter()
            .map(CartItemView::of)
            .collect::<Result<_, _>>()?,
        coupons: cart
            .coupons()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        priced,
    })
}

/// The part of the catalog a request about `product_id` needs.
async fn catalog_for(state: &AppState, product_id: &str) -> Result<Catalog, ApiError> {
    let ids: Vec<ProductId> = product_id.parse().ok().into_iter().collect();
    Ok(state
        .commerce
        .stores()
        .catalog
        .catalog_for(&ids, &[])
        .await?)
}

/// The caller's cart, as it is now.
#[utoipa::path(get, path = "/api/cart", tag = "cart",
    params(("cartId" = Option<String>, Query, description = "A guest's cart")),
    responses((status = 200, description = "The cart with its lines and priced totals"),
        (status = 403, description = "Another customer's cart, or a seller/admin"),
        (status = 404, description = "No such cart")))]
pub(crate) async fn view(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> ApiResult<Json<CartView>> {
    let cart = current_cart(&state, caller.principal, one(&params, "cartId").as_deref()).await?;
    Ok(Json(cart_view(&state, caller.principal, cart).await?))
}

/// Adds units of a product: `{"userId"?, "productId", "variantId"?, "quantity"}`. The
/// items go to the cart `?cartId=` names (another customer's is 403), else to a
/// customer's open cart, else to a new cart. Adding is not idempotent: send an `Idempotency-Key` so that a retry
/// returns the first answer instead of adding the units again.
#[utoipa::path(post, path = "/api/cart/items", tag = "cart",
    params(IdempotencyKeyParam, ("cartId" = Option<String>, Query, description = "A guest's cart")),
    responses((status = 200, description = "`{cartId, totalItems, totalPrice, item}`"),
        (status = 400, description = "A field is missing or invalid (named in `field`)"),
        (status = 403, description = "`userId` or `cartId` is someone else's"),
        (status = 404, description = "No such product or variant")))]
pub(crate) async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
    body: Bytes,
) -> ApiResult<Json<CartItemResponse>> {
    let body = text(&body)?;
    let request = AddItemRequest::from_json(body)?;
    if let Some(user) = request.customer()?
        && caller.principal != Principal::Customer(user)
    {
        return Err(Error::forbidden("add to another user's cart").into());
    }
    let catalog = catalog_for(&state, &request.product_id).await?;
    let (variant, quantity) = request.resolve(&catalog)?;
    let cart =
        match current_cart(&state, caller.principal, one(&params, "cartId").as_deref()).await? {
            Some(cart) => cart,
            None => {
                state
                    .commerce
                    .create_cart(caller.principal, state.currency, CartPurpose::Shopping)
                    .await?
            }
        };
    let cart = state
        .commerce
        .add_item(caller.principal, cart.id(), variant, u32::from(quantity))
        .await?;
    Ok(Json(CartItemResponse::of(&cart, variant)?))
}

/// Sets a line's quantity: `{"cartId", "productId", "variantId"?, "quantity"}`.
#[utoipa::path(put, path = "/api/cart/items", tag = "cart",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "`{cartId, totalItems, totalPrice, item}`"),
        (status = 400, description = "A field is missing or invalid"),
        (status = 403, description = "Another customer's cart"),
        (status = 404, description = "No such cart, product or line")))]
pub(crate) async fn update_item(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<CartItemResponse>> {
    let body = text(&body)?;
    let request = UpdateItemRequest::from_json(body)?;
    let catalog = catalog_for(&state, &request.product_id).await?;
    let (cart, variant, quantity) = request.resolve(&catalog)?;
    let cart = state
        .commerce
        .update_quantity(caller.principal, cart, variant, u32::from(quantity))
        .await?;
    Ok(Json(CartItemResponse::of(&cart, variant)?))
}

/// Removes a line: `{"cartId", "productId", "variantId"?}`.
#[utoipa::path(delete, path = "/api/cart/items", tag = "cart",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "`{cartId, totalItems, totalPrice, message}`"),
        (status = 400, description = "A field is missing or invalid"),
        (status = 403, description = "Another customer's cart"),
        (status = 404, description = "No such cart, product or line")))]
pub(crate) async fn remove_item(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<RemoveItemResponse>> {
    let body = text(&body)?;
    let request = RemoveItemRequest::from_json(body)?;
    let catalog = catalog_for(&state, &request.product_id).await?;
    let (cart, variant) = request.resolve(&catalog)?;
    let cart = state
        .commerce
        .remove_item(caller.principal, cart, variant)
        .await?;
    Ok(Json(RemoveItemResponse::of(&cart)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CouponRequest {
    #[serde(default)]
    cart_id: Option<String>,
    code: String,
}

async fn coupon_cart(
    state: &AppState,
    caller: Principal,
    request: &CouponRequest,
) -> Result<CartId, ApiError> {
    match &request.cart_id {
        Some(raw) => raw
            .parse()
            .map_err(|_| ApiError::invalid("cartId", "not a valid cart id")),
        None => current_cart(state, caller, None)
            .await?
            .map(|c| c.id())
            .ok_or_else(|| ApiError::invalid("cartId", "you have no open cart; add an item first")),
    }
}

/// Applies a coupon code to the cart: `{"code", "cartId"?}`.
#[utoipa::path(post, path = "/api/cart/coupon", tag = "cart",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "The cart, priced with the coupon"),
        (status = 400, description = "Unknown or inapplicable code (`field`: `coupon`)"),
        (status = 403, description = "Another customer's cart")))]
pub(crate) async fn apply_coupon(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<CouponRequest>,
) -> ApiResult<Json<CartView>> {
    let id = coupon_cart(&state, caller.principal, &request).await?;
    let cart = state
        .commerce
        .apply_coupon(caller.principal, id, &request.code)
        .await?;
    Ok(Json(cart_view(&state, caller.principal, Some(cart)).await?))
}

/// Removes a coupon code from the cart: `{"code", "cartId"?}`.
#[utoipa::path(delete, path = "/api/cart/coupon", tag = "cart",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "The cart without the coupon"),
        (status = 400, description = "Malformed body"),
        (status = 403, description = "Another customer's cart")))]
pub(crate) async fn remove_coupon(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<CouponRequest>,
) -> ApiResult<Json<CartView>> {
    let id = coupon_cart(&state, caller.principal, &request).await?;
    let cart = state
        .commerce
        .remove_coupon(caller.principal, id, &request.code)
        .await?;
    Ok(Json(cart_view(&state, caller.principal, Some(cart)).await?))
}

/// The request body as text (the seed-shape parsers read `&str`).
fn text(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|_| ApiError::invalid("body", "not UTF-8"))
}
