//! A seller's side: their shop's products, stock and orders, shipping and tracking.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use commerce::catalog::{NewProduct, ProductStatus, Sku, Variant, Weight};
use commerce::identity::Principal;
use commerce::inventory::{StockLevel, StockPolicy};
use commerce::order::{Fulfilment, Order, OrderLine, OrderStatus};
use commerce::pricing::{TaxCategory, VariantPrice};
use commerce::shipping::TrackingStatus;
use commerce::{
    Error, FulfilmentId, LocationId, Money, OrderId, ProductId, ShipmentId, ShopOrder, VariantId,
};
use serde::{Deserialize, Serialize};

use super::IdempotencyKeyParam;
use super::extract::{IdPath, JsonBody};
use crate::auth::SignedIn;
use crate::errors::{ApiError, ApiResult};
use crate::search_params::{Params, one};
use crate::state::AppState;
use crate::views::ProductView;

/// The seller's shop; `Forbidden` for anyone else, `NotFound` before they open one.
async fn my_shop(state: &AppState, caller: Principal) -> Result<commerce::catalog::Shop, ApiError> {
    let Principal::Seller(seller) = caller else {
        return Err(Error::forbidden("use the seller API (sellers only)").into());
    };
    state
        .commerce
        .stores()
        .catalog
        .shop_of_seller(seller)
        .await?
        .ok_or_else(|| ApiError::not_found("you have no shop yet"))
}

/// The seller's products (every status), with stock.
#[utoipa::path(get, path = "/api/seller/products", tag = "seller",
    responses((status = 200, description = "The shop's products"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not a seller")))]
pub(crate) async fn products(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> ApiResult<Json<Vec<ProductView>>> {
    let shop = my_shop(&state, caller.principal).await?;
    let catalog = state.commerce.catalog(caller.principal).await?;
    let variants: Vec<VariantId> = catalog
        .products()
        .filter(|p| p.shop() == shop.id)
        .flat_map(|p| p.variants().iter().map(|v| v.id))
        .collect();
    let rules = state.commerce.stores().pricing.rules_for(&variants).await?;
    let mut views = Vec::new();
    for product in catalog.products().filter(|p| p.shop() == shop.id) {
        views.push(ProductView::of(&state, &catalog, &rules, product).await?);
    }
    Ok(Json(views))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct NewProductBody {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category_id: Option<String>,
    #[serde(default)]
    brand: Option<String>,
    sku: String,
    price: String,
    #[serde(default)]
    grams: u32,
    #[serde(default)]
    stock: u32,
}

/// Adds an active product with one variant to the seller's shop: `{"name", "sku",
/// "price", "description"?, "categoryId"?, "brand"?, "grams"?, "stock"?}`.
#[utoipa::path(post, path = "/api/seller/products", tag = "seller",
    params(IdempotencyKeyParam),
    responses((status = 201, description = "The new product"),
        (status = 400, description = "A field is missing or invalid (named)"),
        (status = 403, description = "Not a seller"),
        (status = 409, description = "The SKU or slug is taken")))]
pub(crate) async fn create_product(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBody(request): JsonBody<NewProductBody>,
) -> ApiResult<(StatusCode, Json<ProductView>)> {
    let shop = my_shop(&state, caller.principal).await?;
    let sku = Sku::parse(&request.sku).map_err(|e| ApiError::invalid("sku", e.to_string()))?;
    let price = Money::parse(&request.price, state.currency)
        .map_err(|e| ApiError::invalid("price", e.to_string()))?;
    if price.amount().is_sign_negative() {
        return Err(ApiError::invalid("price", "a price cannot be negative"));
    }
    let category = request
        .category_id
        .as_deref()
        .map(|raw| {
            raw.parse()
                .map_err(|_| ApiError::invalid("categoryId", "not a valid category id"))
        })
        .transpose()?;
    let variant = VariantId::random();
    let product = state
        .commerce
        .save_product(
            caller.principal,
            NewProduct {
                id: ProductId::random(),
                shop: shop.id,
                name: request.name,
                slug: None,
                description: request.description,
                status: ProductStatus::Active,
                category,
                brand: request.brand,
                attributes: Default::default(),
                tax_category: TaxCategory::standard(),
                media: Vec::new(),
                variants: vec![Variant::new(
                    variant,
                    sku.clone(),
                    Weight::grams(request.grams),
                )],
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
    // The lists without their prices: as cheap with ten prices as with a million.
    let pricing = &state.commerce.stores().pricing;
    let lists = pricing.rules_for(&[]).await?;
    let list = lists
        .price_book
        .lists()
        .iter()
        .find(|l| l.currency == state.currency && l.customer_group.is_none())
        .map(|l| l.id)
        .ok_or_else(|| {
            ApiError::from(commerce::Error::Conflict(format!(
                "the store has no price list for everyone in {}",
                state.currency
            )))
        })?;
    // One price row, versioned: a concurrent edit elsewhere is never lost.
    state
        .commerce
        .set_variant_price(
            caller.principal,
            product.id(),
            variant,
            list,
            VariantPrice::new(price),
            0,
        )
        .await?;
    if request.stock > 0 {
        state
            .commerce
            .adjust_stock(
                caller.principal,
                &sku,
                crate::demo::WAREHOUSE,
                i64::from(request.stock),
            )
            .await?;
    }
    state
        .commerce
        .set_stock_policy(
            caller.principal,
            StockPolicy {
                sku: sku.clone(),
                backorder: false,
                low_stock_threshold: Some(crate::demo::LOW_STOCK_THRESHOLD),
            },
        )
        .await?;
    let catalog = state.commerce.catalog(caller.principal).await?;
    let rules = pricing.rules_for(&[variant]).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProductView::of(&state, &catalog, &rules, &product).await?),
    ))
}

/// Stock levels of one of the seller's SKUs per location: `?sku=`.
#[utoipa::path(get, path = "/api/seller/stock", tag = "seller",
    params(("sku" = String, Query, description = "The SKU")),
    responses((status = 200, description = "On hand and reserved per location"),
        (status = 400, description = "No or malformed SKU"),
        (status = 403, description = "Not this seller's SKU")))]
pub(crate) async fn stock(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<StockLevel>>> {
    let raw = one(&params, "sku").ok_or_else(|| ApiError::invalid("sku", "say which SKU"))?;
    let sku = Sku::parse(&raw).map_err(|e| ApiError::invalid("sku", e.to_string()))?;
    Ok(Json(
        state.commerce.stock_levels(caller.principal, &sku).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StockBody {
    sku: String,
    #[serde(default)]
    location: Option<String>,
    delta: i64,
}

/// Adds (or with a negative `delta` writes off) stock: `{"sku", "delta", "location"?}`.
/// A delta is not idempotent: send an `Idempotency-Key` so that a retry returns the
/// first answer instead of adding the delta again.
#[utoipa::path(post, path = "/api/seller/stock", tag = "seller",
    params(IdempotencyKeyParam),
    responses((status = 200, description = "The new level"),
        (status = 400, description = "A field is missing or invalid"),
        (status = 403, description = "Not this seller's SKU"),
        (status = 409, description = "Would go below what is reserved")))]
pub(crate) async fn adjust_stock(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBody(request): JsonBody<StockBody>,
) -> ApiResult<Json<StockLevel>> {
    let sku = Sku::parse(&request.sku).map_err(|e| ApiError::invalid("sku", e.to_string()))?;
    let location = match request.location.as_deref() {
        Some(raw) => raw
            .parse::<LocationId>()
            .map_err(|_| ApiError::invalid("location", "not a valid location id"))?,
        None => crate::demo::WAREHOUSE,
    };
    Ok(Json(
        state
            .commerce
            .adjust_stock(caller.principal, &sku, location, request.delta)
            .await?,
    ))
}

/// The seller's part of every order with their products, newest first.
#[utoipa::path(get, path = "/api/seller/orders", tag = "seller",
    responses((status = 200, description = "The shop's orders"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Not a seller")))]
pub(crate) async fn orders(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> ApiResult<Json<Vec<ShopOrderView>>> {
    let orders = state.commerce.shop_orders(caller.principal).await?;
    Ok(Json(orders.into_iter().map(ShopOrderView::from).collect()))
}

/// A seller's part of an order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShopOrderView {
    order: OrderId,
    number: String,
    status: OrderStatus,
    lines: Vec<OrderLine>,
    fulfilment: Fulfilment,
}

impl From<ShopOrder> for ShopOrderView {
    fn from(order: ShopOrder) -> Self {
        ShopOrderView {
            order: order.order,
            number: order.number.to_string(),
            status: order.status,
            lines: order.lines,
            fulfilment: order.fulfilment,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ShipBody {
    fulfilment_id: String,
    carrier: String,
    tracking_number: String,
}

/// Ships the seller's fulfilment of an order: `{"fulfilmentId", "carrier",
/// "trackingNumber"}`.
#[utoipa::path(post, path = "/api/seller/orders/{id}/shipments", tag = "seller",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order, (partially) shipped"),
        (status = 400, description = "A field is missing or invalid"),
        (status = 403, description = "Not this seller's fulfilment"),
        (status = 404, description = "No such order"),
        (status = 409, description = "Not paid yet, or shipped already")))]
pub(crate) async fn ship(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(id): IdPath<OrderId>,
    JsonBody(request): JsonBody<ShipBody>,
) -> ApiResult<Json<Order>> {
    let fulfilment: FulfilmentId = request
        .fulfilment_id
        .parse()
        .map_err(|_| ApiError::invalid("fulfilmentId", "not a valid fulfilment id"))?;
    Ok(Json(
        state
            .commerce
            .ship(
                caller.principal,
                id,
                fulfilment,
                &request.carrier,
                &request.tracking_number,
            )
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct TrackingBody {
    shipment_id: String,
    status: TrackingStatus,
    #[serde(default)]
    detail: String,
}

/// A carrier's tracking update for a shipment: `{"shipmentId", "status" (in_transit,
/// out_for_delivery, delivered, exception), "detail"?}`; moves the order and notifies
/// the customer.
#[utoipa::path(post, path = "/api/seller/orders/{id}/tracking", tag = "seller",
    params(IdempotencyKeyParam, ("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order after the update"),
        (status = 400, description = "A field is missing or invalid"),
        (status = 403, description = "Not this seller's shipment"),
        (status = 404, description = "No such order or shipment")))]
pub(crate) async fn track(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    IdPath(id): IdPath<OrderId>,
    JsonBody(request): JsonBody<TrackingBody>,
) -> ApiResult<Json<Order>> {
    let shipment: ShipmentId = request
        .shipment_id
        .parse()
        .map_err(|_| ApiError::invalid("shipmentId", "not a valid shipment id"))?;
    Ok(Json(
        state
            .commerce
            .track_shipment(
                caller.principal,
                id,
                shipment,
                request.status,
                &request.detail,
            )
            .await?,
    ))
}
