//! Logging in and out, signing up, and the customer's order history with tracking.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use commerce::OrderId;
use commerce::identity::{Principal, Role};
use commerce::order::Order;
use minijinja::context;
use serde::Serialize;

use super::{
    PageError, PageResult, Viewer, field, parse_form, render, require_signed_in, with_session,
};
use crate::search_params::{Params, one};
use crate::state::AppState;

/// Where to go after logging in: a local path only (never another site).
fn next_of(raw: Option<String>, principal: Principal) -> String {
    match raw {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && next != "/login" => next,
        _ => match principal {
            Principal::Seller(_) => "/seller".to_owned(),
            Principal::Admin(_) => "/admin/orders".to_owned(),
            _ => "/".to_owned(),
        },
    }
}

fn auth_page(
    viewer: &Viewer,
    signup: bool,
    next: String,
    error: Option<String>,
    email: Option<String>,
) -> PageResult {
    let (heading, action) = if signup {
        ("Sign up", "/signup")
    } else {
        ("Log in", "/login")
    };
    let failed = error.is_some();
    let mut response = render(
        "login.html",
        viewer,
        context! { heading, action, signup, next, error, email },
    )?;
    if failed {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

pub(super) async fn login_form(viewer: Viewer, Query(params): Query<Params>) -> PageResult {
    auth_page(
        &viewer,
        false,
        one(&params, "next").unwrap_or_default(),
        None,
        None,
    )
}

pub(super) async fn signup_form(viewer: Viewer, Query(params): Query<Params>) -> PageResult {
    auth_page(
        &viewer,
        true,
        one(&params, "next").unwrap_or_default(),
        None,
        None,
    )
}

pub(super) async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    let form = parse_form(&body);
    let next = field(&form, "next").unwrap_or_default();
    let email = field(&form, "email").unwrap_or_default();
    let password = field(&form, "password").unwrap_or_default();
    match state.commerce.login(&email, &password).await {
        Ok((token, principal)) => Ok(with_session(
            &next_of(Some(next), principal),
            Some(token.expose()),
        )),
        Err(e) => auth_page(&viewer, false, next, Some(e.to_string()), Some(email)),
    }
}

pub(super) async fn signup(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    let form = parse_form(&body);
    let next = field(&form, "next").unwrap_or_default();
    let email = field(&form, "email").unwrap_or_default();
    let password = field(&form, "password").unwrap_or_default();
    let name = field(&form, "name").unwrap_or_default();
    let registered = state
        .commerce
        .register(&email, &password, &name, Role::Customer, Principal::Guest)
        .await;
    if let Err(e) = registered {
        return auth_page(&viewer, true, next, Some(e.to_string()), Some(email));
    }
    let (token, principal) = state.commerce.login(&email, &password).await?;
    Ok(with_session(
        &next_of(Some(next), principal),
        Some(token.expose()),
    ))
}

pub(super) async fn logout(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if let Some(token) = &viewer.token {
        state.commerce.logout(token).await?;
    }
    Ok(with_session("/", None))
}

fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What the order pages show of an order.
fn order_view(order: &Order) -> minijinja::Value {
    let shipments: Vec<_> = order
        .fulfilments
        .iter()
        .flat_map(|f| f.shipments.iter())
        .map(|s| {
            context! {
                carrier => s.carrier.clone(), tracking_number => s.tracking_number.clone(),
                status => snake(&s.status).replace('_', " "),
                events => s.events.iter().map(|e| format!("{} {}: {}", e.at.format("%Y-%m-%d %H:%M"), snake(&e.status).replace('_', " "), e.detail)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let lines: Vec<_> = order
        .lines
        .iter()
        .map(|l| {
            context! {
                name => l.name.clone(), quantity => l.quantity, unit_price => l.unit_price.to_string(),
                discount => l.discount.to_string(), total => l.total.to_string(),
            }
        })
        .collect();
    let history: Vec<String> = order
        .history
        .iter()
        .map(|h| {
            format!(
                "{} {} → {} ({}, {})",
                h.at.format("%Y-%m-%d %H:%M"),
                h.from.map_or("—".to_owned(), |s| s.to_string()),
                h.to,
                h.actor,
                h.reason
            )
        })
        .collect();
    context! {
        id => order.id.to_string(), number => order.number.to_string(), status => order.status.to_string(),
        total => order.totals.total.to_string(), created_at => order.created_at.format("%Y-%m-%d %H:%M").to_string(),
        lines, shipments, history,
    }
}

pub(super) async fn orders(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    require_signed_in(&viewer, "/orders")?;
    let mut orders = state.commerce.my_orders(viewer.principal).await?;
    orders.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    let orders: Vec<_> = orders.iter().map(order_view).collect();
    render("orders.html", &viewer, context! { orders })
}

pub(super) async fn order(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    require_signed_in(&viewer, &format!("/orders/{id}"))?;
    let id: OrderId = id
        .parse()
        .map_err(|_| PageError::Show(StatusCode::NOT_FOUND, format!("order {id:?} not found")))?;
    let order = state.commerce.order(viewer.principal, id).await?;
    render(
        "order.html",
        &viewer,
        context! { order => order_view(&order)},
    )
}
