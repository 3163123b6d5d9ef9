//! The cart and checkout pages (forms posting back, then redirecting).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use commerce::cart::CartPurpose;
use commerce::identity::Principal;
use commerce::payment::IdempotencyKey;
use commerce::pricing::{PromotionResult, Region};
use commerce::{CheckoutRequest, ShippingMethodId, VariantId};
use minijinja::context;
use serde::Serialize;

use super::{
    PageError, PageResult, Viewer, field, parse_form, render, require_signed_in, required,
    see_other, ser,
};
use crate::api::cart::current_cart;
use crate::api::orders::AddressInput;
use crate::demo::STANDARD_SHIPPING;
use crate::state::AppState;

fn bad(message: impl Into<String>) -> PageError {
    PageError::Show(StatusCode::BAD_REQUEST, message.into())
}

fn variant_of(form: &[(String, String)]) -> Result<VariantId, PageError> {
    required(form, "variant")?
        .parse()
        .map_err(|_| bad("invalid variant: not a valid variant id"))
}

fn quantity_of(form: &[(String, String)]) -> Result<u32, PageError> {
    required(form, "quantity")?
        .parse()
        .map_err(|_| bad("invalid quantity: a whole number from 1 is needed"))
}

async fn my_cart(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Option<commerce::cart::Cart>, PageError> {
    Ok(current_cart(state, viewer.principal, None).await?)
}

#[derive(Serialize)]
struct Line {
    product: String,
    variant: String,
    name: String,
    unit_price: String,
    quantity: u32,
    discount: String,
    gross: String,
}

pub(super) async fn view(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    require_signed_in(&viewer, "/cart")?;
    let cart = my_cart(&state, &viewer).await?;
    let Some(cart) = cart.filter(|c| !c.lines().is_empty()) else {
        return render(
            "cart.html",
            &viewer,
            context! { lines => Vec::<minijinja::Value>::new() },
        );
    };
    let priced = state
        .commerce
        .price_cart(
            viewer.principal,
            cart.id(),
            Region::country("US")?,
            Some(STANDARD_SHIPPING),
        )
        .await?;
    let lines: Vec<Line> = priced
        .lines
        .iter()
        .map(|l| Line {
            product: l.product.to_string(),
            variant: l.variant.to_string(),
            name: l.name.to_string(),
            unit_price: l.unit_price.amount.to_string(),
            quantity: l.quantity,
            discount: l.discount.to_string(),
            gross: l.gross.to_string(),
        })
        .collect();
    let totals = &priced.totals;
    let applied: Vec<String> = priced
        .promotions
        .iter()
        .filter(|p| matches!(p.result, PromotionResult::Applied { .. }))
        .map(|p| format!("Applied: {}", p.name))
        .collect();
    render(
        "cart.html",
        &viewer,
        context! {
            lines => ser(&lines), applied,
            coupons => cart.coupons().iter().map(|c| c.as_str().to_owned()).collect::<Vec<_>>(),
            totals => context! {
                items => totals.items.to_string(), discount => totals.discount.to_string(),
                shipping => totals.shipping.checked_sub(totals.shipping_discount)?.to_string(),
                tax => totals.tax.to_string(), total => totals.total.to_string(),
            },
        },
    )
}

pub(super) async fn add(State(state): State<AppState>, viewer: Viewer, body: Bytes) -> PageResult {
    let form = parse_form(&body);
    let back = field(&form, "product").map_or_else(|| "/".to_owned(), |p| format!("/product/{p}"));
    require_signed_in(&viewer, &back)?;
    let variant = variant_of(&form)?;
    let quantity = quantity_of(&form)?;
    let cart = match my_cart(&state, &viewer).await? {
        Some(cart) => cart,
        None => {
            state
                .commerce
                .create_cart(viewer.principal, state.currency, CartPurpose::Shopping)
                .await?
        }
    };
    state
        .commerce
        .add_item(viewer.principal, cart.id(), variant, quantity)
        .await?;
    Ok(see_other("/cart"))
}

async fn cart_id(state: &AppState, viewer: &Viewer) -> Result<commerce::CartId, PageError> {
    my_cart(state, viewer)
        .await?
        .map(|c| c.id())
        .ok_or_else(|| bad("your cart is empty"))
}

pub(super) async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    require_signed_in(&viewer, "/cart")?;
    let form = parse_form(&body);
    let variant = variant_of(&form)?;
    let quantity = quantity_of(&form)?;
    let cart = cart_id(&state, &viewer).await?;
    state
        .commerce
        .update_quantity(viewer.principal, cart, variant, quantity)
        .await?;
    Ok(see_other("/cart"))
}

pub(super) async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    require_signed_in(&viewer, "/cart")?;
    let form = parse_form(&body);
    let variant = variant_of(&form)?;
    let cart = cart_id(&state, &viewer).await?;
    state
        .commerce
        .remove_item(viewer.principal, cart, variant)
        .await?;
    Ok(see_other("/cart"))
}

pub(super) async fn coupon(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    require_signed_in(&viewer, "/cart")?;
    let form = parse_form(&body);
    let code = required(&form, "code")?;
    let cart = cart_id(&state, &viewer).await?;
    state
        .commerce
        .apply_coupon(viewer.principal, cart, &code)
        .await?;
    Ok(see_other("/cart"))
}

pub(super) async fn checkout_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    require_signed_in(&viewer, "/checkout")?;
    let cart = cart_id(&state, &viewer).await?;
    let priced = state
        .commerce
        .price_cart(
            viewer.principal,
            cart,
            Region::country("US")?,
            Some(STANDARD_SHIPPING),
        )
        .await?;
    let rules = state.commerce.stores().pricing.rules().await?;
    let methods: Vec<_> = rules
        .shipping_methods
        .iter()
        .map(|m| context! { id => m.id.to_string(), name => m.name.clone() })
        .collect();
    render(
        "checkout.html",
        &viewer,
        context! { total => priced.totals.total.to_string(), methods, key => uuid::Uuid::new_v4().to_string() },
    )
}

pub(super) async fn checkout(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    require_signed_in(&viewer, "/checkout")?;
    let Principal::Customer(_) = viewer.principal else {
        return Err(bad("sign in as a customer to check out"));
    };
    let form = parse_form(&body);
    let key = IdempotencyKey::parse(&required(&form, "idempotency_key")?)
        .map_err(|e| bad(e.to_string()))?;
    let address = AddressInput::from_form(
        required(&form, "name")?,
        required(&form, "line1")?,
        required(&form, "city")?,
        required(&form, "postal_code")?,
        required(&form, "country")?,
    )
    .into_address()?;
    let shipping: Option<ShippingMethodId> = field(&form, "shipping")
        .map(|raw| {
            raw.parse()
                .map_err(|_| bad("invalid shipping: not a shipping method id"))
        })
        .transpose()?;
    let payment_method =
        field(&form, "payment_method").unwrap_or_else(|| "pm_card_visa".to_owned());
    // A resubmitted form carries the same key: the core returns the first order.
    let cart = match my_cart(&state, &viewer)
        .await?
        .filter(|c| !c.lines().is_empty())
    {
        Some(cart) => cart.id(),
        None => state
            .commerce
            .stores()
            .orders
            .order_by_idempotency_key(&key)
            .await?
            .map(|o| o.cart)
            .ok_or_else(|| bad("your cart is empty"))?,
    };
    let placed = state
        .commerce
        .checkout(
            viewer.principal,
            CheckoutRequest {
                cart,
                ship_to: address,
                shipping_method: shipping.or(Some(STANDARD_SHIPPING)),
                expected_total: None,
                idempotency_key: key,
            },
        )
        .await?;
    if state.memory_payments.is_some() {
        state
            .commerce
            .pay(viewer.principal, placed.order.id, &payment_method)
            .await?;
    }
    Ok(see_other(&format!("/orders/{}", placed.order.id)))
}
