//! The seller dashboard: revenue and orders per day (SVG), top products and low stock
//! from the engine's reports (`Commerce::sales_report`, `low_stock_report`), and the
//! shop's orders.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use commerce::identity::Principal;
use commerce::report::{Granularity, ReportPeriod, ReportScope};
use commerce::{Money, ReportRequest};
use minijinja::context;

use super::chart::{Bar, bars};
use super::{PageError, PageResult, Viewer, render, require_signed_in};
use crate::state::AppState;

/// Days the charts cover.
const DAYS: i64 = 14;
/// The time zone the dashboard's days are cut in.
const ZONE: &str = "UTC";
/// How many top products it lists.
const TOP: usize = 5;
/// How many low-stock SKUs it lists.
const LOW: usize = 10;

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
    let scope = ReportScope::Shop(shop.id);
    let today = Utc::now().date_naive();
    let period = ReportPeriod::new(
        today - Duration::days(DAYS - 1),
        today,
        ZONE,
        Granularity::Day,
    )?;
    let report = state
        .commerce
        .sales_report(
            viewer.principal,
            ReportRequest {
                scope,
                currency: state.currency,
                period,
                top: TOP,
            },
        )
        .await?;
    let mut revenue_bars = Vec::with_capacity(report.buckets.len());
    let mut order_bars = Vec::with_capacity(report.buckets.len());
    for bucket in &report.buckets {
        let day = bucket.first_day;
        let orders = i64::try_from(bucket.sales.orders).unwrap_or(i64::MAX);
        revenue_bars.push(Bar {
            label: day.format("%d").to_string(),
            value: bucket.sales.revenue.to_minor_units()?,
            title: format!("{day}: {}", bucket.sales.revenue),
        });
        order_bars.push(Bar {
            label: day.format("%d").to_string(),
            value: orders,
            title: format!("{day}: {orders} orders"),
        });
    }
    let top: Vec<_> = report
        .top_by_revenue
        .iter()
        .map(|p| context! { name => p.name.clone(), units => p.units, revenue => p.revenue.to_string() })
        .collect();

    let low_stock = state
        .commerce
        .low_stock_report(viewer.principal, scope)
        .await?;
    let catalog = stores
        .catalog
        .catalog_for(
            &low_stock
                .items
                .iter()
                .map(|i| i.product)
                .collect::<Vec<_>>(),
            &[],
        )
        .await?;
    let mut low: Vec<_> = low_stock.items.iter().collect();
    low.sort_by(|a, b| a.available.cmp(&b.available).then(a.sku.cmp(&b.sku)));
    let low: Vec<_> = low
        .into_iter()
        .take(LOW)
        .map(|item| context! {
            available => item.available, sku => item.sku.as_str(),
            name => catalog.product(item.product).map(|p| p.name().to_owned()).unwrap_or_default(),
        })
        .collect();

    let mut rows = Vec::new();
    for order in state.commerce.shop_orders(viewer.principal).await? {
        let part = Money::sum(state.currency, order.lines.iter().map(|l| l.total))?;
        rows.push(context! {
            number => order.number.to_string(), status => order.status.to_string(), total => part.to_string(),
            lines => order.lines.iter().map(|l| context! { quantity => l.quantity, name => l.name.clone() }).collect::<Vec<_>>(),
        });
    }
    render(
        "seller.html",
        &viewer,
        context! {
            shop_name => shop.name, days => DAYS, revenue_total => report.total.sales.revenue.to_string(),
            orders_total => report.total.sales.orders,
            revenue_chart => bars("revenue-chart", &revenue_bars), orders_chart => bars("orders-chart", &order_bars),
            top, low, orders => rows,
        },
    )
}
