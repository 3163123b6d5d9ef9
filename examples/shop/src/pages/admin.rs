//! The admin's orders page: every order, and a form to move each one on.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commerce::OrderId;
use commerce::identity::Principal;
use commerce::order::OrderStatus;
use minijinja::context;

use super::{
    PageError, PageResult, Viewer, field, parse_form, render, require_signed_in, required,
    see_other,
};
use crate::state::AppState;

fn admin_only(viewer: &Viewer) -> Result<(), PageError> {
    require_signed_in(viewer, "/admin/orders")?;
    if matches!(viewer.principal, Principal::Admin(_)) {
        Ok(())
    } else {
        Err(PageError::Show(
            StatusCode::FORBIDDEN,
            "this page is for admins".into(),
        ))
    }
}

pub(super) async fn orders(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    admin_only(&viewer)?;
    // Every order has a line from some shop: the union of the shops' orders is all of them.
    let catalog = state.commerce.catalog(viewer.principal).await?;
    let mut all = BTreeMap::new();
    for shop in catalog.shops() {
        for order in state
            .commerce
            .stores()
            .orders
            .orders_of_shop(shop.id)
            .await?
        {
            all.insert(order.id, order);
        }
    }
    let mut orders: Vec<_> = all.into_values().collect();
    orders.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    let orders: Vec<_> = orders
        .iter()
        .map(|o| {
            context! {
                id => o.id.to_string(), number => o.number.to_string(), status => o.status.to_string(),
                total => o.totals.total.to_string(), created_at => o.created_at.format("%Y-%m-%d %H:%M").to_string(),
                underpaid => o.payment.shortfall.as_ref().map(|s| format!("the provider reported only {} of {}", s.received, s.due)),
            }
        })
        .collect();
    let statuses: Vec<String> = OrderStatus::ALL.iter().map(ToString::to_string).collect();
    render("admin_orders.html", &viewer, context! { orders, statuses })
}

pub(super) async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    admin_only(&viewer)?;
    let id: OrderId = id
        .parse()
        .map_err(|_| PageError::Show(StatusCode::NOT_FOUND, format!("order {id:?} not found")))?;
    let form = parse_form(&body);
    let raw = required(&form, "status")?;
    let status: OrderStatus = serde_json::from_value(serde_json::Value::String(raw.clone()))
        .map_err(|_| {
            PageError::Show(
                StatusCode::BAD_REQUEST,
                format!("invalid status: {raw:?} is not an order status"),
            )
        })?;
    let reason = field(&form, "reason").unwrap_or_else(|| "set by an admin".to_owned());
    state
        .commerce
        .set_order_status(viewer.principal, id, status, &reason)
        .await?;
    Ok(see_other("/admin/orders"))
}
