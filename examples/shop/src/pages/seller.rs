//! The seller dashboard: revenue and orders per day (SVG), top products, low stock and
//! the shop's orders. Computed from the shop's orders through the stores for now; a
//! reports API will replace the arithmetic here.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use commerce::Money;
use commerce::identity::Principal;
use commerce::order::OrderStatus;
use minijinja::context;

use super::chart::{Bar, bars};
use super::{PageError, PageResult, Viewer, render, require_signed_in};
use crate::state::AppState;

/// Days the charts cover.
const DAYS: i64 = 14;

/// Whether an order's money counts as revenue (paid, not cancelled or refunded).
fn counts(status: OrderStatus) -> bool {
    !matches!(
        status,
        OrderStatus::PendingPayment | OrderStatus::Cancelled | OrderStatus::Refunded
    )
}

pub(super) async fn dashboard(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    require_signed_in(&viewer, "/seller")?;
    let Principal::Seller(seller) = viewer.principal else {
        return Err(PageError::Show(
            StatusCode::FORBIDDEN,
            "the dashboard is for sellers".into(),
        ));
    };
    let stores = state.commerce.stores();
    let shop = stores
        .catalog
        .shop_of_seller(seller)
        .await?
        .ok_or_else(|| PageError::Show(StatusCode::NOT_FOUND, "you have no shop yet".into()))?;
    let mut orders = stores.orders.orders_of_shop(shop.id).await?;
    orders.sort_by_key(|o| std::cmp::Reverse(o.created_at));

    let today = Utc::now().date_naive();
    let first = today - Duration::days(DAYS - 1);
    let mut revenue: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut count: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut top: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut total = Money::zero(state.currency);
    let mut counted = 0u64;
    let mut rows = Vec::new();
    for order in &orders {
        let mine: Vec<_> = order.lines.iter().filter(|l| l.shop == shop.id).collect();
        let part = Money::sum(order.currency, mine.iter().map(|l| l.total))?;
        rows.push(context! {
            number => order.number.to_string(), status => order.status.to_string(), total => part.to_string(),
            lines => mine.iter().map(|l| context! { quantity => l.quantity, name => l.name.clone() }).collect::<Vec<_>>(),
        });
        if !counts(order.status) || order.currency != state.currency {
            continue;
        }
        total = total.checked_add(part)?;
        counted += 1;
        let day = order.created_at.date_naive();
        if day >= first {
            *revenue.entry(day).or_default() += part.to_minor_units()?;
            *count.entry(day).or_default() += 1;
        }
        for line in &mine {
            let entry = top.entry(line.name.clone()).or_default();
            entry.0 += u64::from(line.quantity);
            entry.1 += line.total.to_minor_units()?;
        }
    }
    let days: Vec<NaiveDate> = (0..DAYS).map(|i| first + Duration::days(i)).collect();
    let revenue_bars: Vec<Bar> = days
        .iter()
        .map(|d| {
            let cents = revenue.get(d).copied().unwrap_or(0);
            Bar {
                label: d.format("%d").to_string(),
                value: cents,
                title: format!("{d}: {}", Money::from_minor_units(cents, state.currency)),
            }
        })
        .collect();
    let order_bars: Vec<Bar> = days
        .iter()
        .map(|d| {
            let n = count.get(d).copied().unwrap_or(0);
            Bar {
                label: d.format("%d").to_string(),
                value: n,
                title: format!("{d}: {n} orders"),
            }
        })
        .collect();
    let mut top: Vec<_> = top.into_iter().collect();
    top.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
    let top: Vec<_> = top
        .into_iter()
        .take(5)
        .map(|(name, (units, cents))| context! { name, units, revenue => Money::from_minor_units(cents, state.currency).to_string() })
        .collect();

    let catalog = state.commerce.catalog(viewer.principal).await?;
    let mut low = Vec::new();
    for product in catalog.products().filter(|p| p.shop() == shop.id) {
        for variant in product.variants() {
            let available = state.commerce.available(&variant.sku).await?;
            if available <= 3 {
                low.push((
                    available,
                    variant.sku.as_str().to_owned(),
                    product.name().to_owned(),
                ));
            }
        }
    }
    low.sort();
    let low: Vec<_> = low
        .into_iter()
        .take(10)
        .map(|(available, sku, name)| context! { available, sku, name })
        .collect();
    render(
        "seller.html",
        &viewer,
        context! {
            shop_name => shop.name, days => DAYS, revenue_total => total.to_string(), orders_total => counted,
            revenue_chart => bars("revenue-chart", &revenue_bars), orders_chart => bars("orders-chart", &order_bars),
            top, low, orders => rows,
        },
    )
}
