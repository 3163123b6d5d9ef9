//! Sales reports through the engine: who may see which figures, and the assembled
//! report (buckets, totals, average order value, conversion).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use commerce_core::identity::Principal;
use commerce_core::memory::Memory;
use commerce_core::report::{Granularity, ReportPeriod, ReportScope};
use commerce_core::{
    AdminId, Commerce, Currency, CustomerId, ErrorKind, Money, ReportRequest, SellerId, ShopId,
};
use commerce_testkit::fixtures::now;
use commerce_testkit::orders::{install, place, two_shops};

const FIRST: ShopId = ShopId::from_u128(1);
const SECOND: ShopId = ShopId::from_u128(2);
const ADMIN: Principal = Principal::Admin(AdminId::from_u128(9));

fn request(scope: ReportScope) -> ReportRequest {
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    ReportRequest {
        scope,
        currency: Currency::USD,
        period: ReportPeriod::new(day, day, "Europe/Berlin", Granularity::Day).unwrap(),
        top: 5,
    }
}

/// Two shops; three paid orders: mug × 1 (10.00), mug × 2 and T-shirt × 1 (20.00 +
/// 25.00), T-shirt × 1 (25.00), placed at noon UTC on 2026-03-01.
async fn engine() -> Commerce {
    let memory = Memory::new();
    let (mut store, mug, tee) = two_shops();
    install(&store, &memory.stores, 100, now()).await;
    let orders = [vec![(mug, 1)], vec![(mug, 2), (tee, 1)], vec![(tee, 1)]];
    for (n, lines) in orders.iter().enumerate() {
        let n = n as u64 + 1;
        let mut placement = place(
            &mut store,
            CustomerId::from_u128(u128::from(n)),
            lines,
            &format!("key-{n}"),
            n,
            now(),
        );
        placement.order.status = commerce_core::order::OrderStatus::Paid;
        memory.stores.orders.place_order(placement).await.unwrap();
    }
    memory.commerce()
}

#[tokio::test]
async fn a_seller_sees_only_their_own_shop() {
    let shop = engine().await;
    let seller = Principal::Seller(SellerId::from_u128(1));
    let report = shop
        .sales_report(seller, request(ReportScope::Shop(FIRST)))
        .await
        .unwrap();
    assert_eq!(report.total.sales.orders, 2);
    assert_eq!(
        report.total.sales.revenue,
        Money::parse("30.00", Currency::USD).unwrap()
    );
    assert_eq!(
        report.total.average_order_value,
        Money::parse("15.00", Currency::USD).unwrap()
    );
    assert_eq!(report.conversion, None);
    assert_eq!(report.time_zone, "Europe/Berlin");
    for scope in [
        ReportScope::Shop(SECOND),
        ReportScope::AllShops,
        ReportScope::Shop(ShopId::from_u128(77)),
    ] {
        let refused = shop.sales_report(seller, request(scope)).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Forbidden, "{scope:?}");
        let refused = shop.low_stock_report(seller, scope).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Forbidden, "{scope:?}");
    }
}

#[tokio::test]
async fn customers_and_guests_see_no_figures() {
    let shop = engine().await;
    for actor in [
        Principal::Customer(CustomerId::from_u128(1)),
        Principal::Guest,
    ] {
        for scope in [ReportScope::AllShops, ReportScope::Shop(FIRST)] {
            let refused = shop.sales_report(actor, request(scope)).await.unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::Forbidden);
        }
    }
}

#[tokio::test]
async fn an_admin_sees_every_shop_with_conversion_and_one_shop_on_request() {
    let shop = engine().await;
    let report = shop
        .sales_report(ADMIN, request(ReportScope::AllShops))
        .await
        .unwrap();
    assert_eq!(report.buckets.len(), 1);
    // Berlin's 2026-03-01 starts at 23:00 UTC the day before.
    assert_eq!(
        report.buckets[0].start,
        Utc.with_ymd_and_hms(2026, 2, 28, 23, 0, 0).unwrap()
    );
    assert_eq!(report.total.sales.orders, 3);
    assert_eq!(
        report.total.sales.revenue,
        Money::parse("80.00", Currency::USD).unwrap()
    );
    // 80.00 / 3 = 26.666…
    assert_eq!(
        report.total.average_order_value,
        Money::parse("26.67", Currency::USD).unwrap()
    );
    assert_eq!(report.top_by_units[0].name, "Mug");
    assert_eq!(report.top_by_units[0].units, 3);
    assert_eq!(report.top_by_revenue[0].name, "T-shirt");
    let conversion = report.conversion.unwrap();
    assert_eq!(
        (conversion.carts_created, conversion.carts_converted),
        (3, 3)
    );
    let second = shop
        .sales_report(ADMIN, request(ReportScope::Shop(SECOND)))
        .await
        .unwrap();
    assert_eq!(
        second.total.sales.revenue,
        Money::parse("50.00", Currency::USD).unwrap()
    );
    let missing = shop
        .sales_report(ADMIN, request(ReportScope::Shop(ShopId::from_u128(77))))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn too_many_top_products_is_invalid_input() {
    let shop = engine().await;
    let mut asked = request(ReportScope::AllShops);
    asked.top = 101;
    let refused = shop.sales_report(ADMIN, asked).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput { field: "top" });
}
