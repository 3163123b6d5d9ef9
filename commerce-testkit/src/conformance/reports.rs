//! Conformance cases: report figures — revenue, orders and buckets in a time zone, top
//! products, states, refunds, cart conversion and low stock — checked against totals the
//! test computes itself by iterating over what it stored.
//!
//! Orders are stored through `OrderStore::place_order` directly (not through checkout),
//! already in the state the case needs, so a thousand of them take seconds on Postgres.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use commerce_core::cart::{Cart, CartPurpose};
use commerce_core::catalog::Shop;
use commerce_core::catalog::Sku;
use commerce_core::inventory::{ReservationLine, ReservationRequest, StockPolicy};
use commerce_core::order::{
    Fulfilment, FulfilmentStatus, Order, OrderLine, OrderNumber, OrderStatus,
};
use commerce_core::payment::IdempotencyKey;
use commerce_core::ports::{PlaceOrder, Stores};
use commerce_core::report::{
    BucketSales, Granularity, ProductRank, ProductSales, RefundSummary, ReportPeriod, ReportScope,
    SalesQuery, StatusCount, counts_as_revenue,
};
use commerce_core::{
    CartId, Currency, CustomerId, FulfilmentId, Money, OrderId, ReservationId, SellerId, ShopId,
};
use rust_decimal::Decimal;

use crate::fixtures::{Item, Store, now};
use crate::orders::{WAREHOUSE, place, save_catalog};

/// The report store cases, as tests.
#[macro_export]
macro_rules! reports_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            reports,
            $fresh,
            [
                a_thousand_orders_in_three_shops_and_two_currencies_match_independent_totals,
                a_split_order_adds_each_shop_only_its_lines,
                pending_cancelled_and_other_currency_orders_are_not_revenue,
                refunds_of_shared_orders_are_counted_without_an_amount_for_a_shop,
                every_bucket_of_a_long_period_gets_its_own_orders,
                cart_conversion_counts_shopping_carts_created_in_the_window,
                low_stock_lists_skus_at_or_below_their_threshold_by_shop,
            ]
        );
    };
}

/// The third shop's seller in [`three_shops`].
const THIRD_SELLER: SellerId = SellerId::from_u128(3);
/// The shops of [`three_shops`].
const SHOPS: [ShopId; 3] = [
    ShopId::from_u128(1),
    ShopId::from_u128(2),
    ShopId::from_u128(3),
];
/// The zone the fixture's days are local to: it moves to summer time on 2026-03-08.
const ZONE: &str = "America/New_York";

/// A USD store with three shops of two products each.
fn three_shops() -> (Store, Vec<Item>) {
    let (mut store, mug, tee) = crate::orders::two_shops();
    let cup = store.product("Cup", "4.00");
    store.shop = crate::orders::SECOND_SHOP;
    let cap = store.product("Cap", "12.50");
    store
        .catalog
        .add_shop(Shop::new(SHOPS[2], THIRD_SELLER, "Third Shop").expect("third shop"))
        .expect("add third shop");
    store.shop = SHOPS[2];
    let pen = store.product("Pen", "1.99");
    let ink = store.product("Ink", "7.25");
    store.shop = SHOPS[0];
    (store, vec![mug, cup, tee, cap, pen, ink])
}

/// How one fixture line is sold: the catalog item and its shop, name and unit prices.
#[derive(Clone)]
struct Sold {
    item: Item,
    shop: ShopId,
    name: String,
    sku: commerce_core::catalog::Sku,
}

fn sold(store: &Store, items: &[Item]) -> Vec<Sold> {
    items
        .iter()
        .map(|&item| {
            let (product, variant) = store.catalog.variant(item.variant).expect("variant");
            Sold {
                item,
                shop: product.shop(),
                name: product.name().to_owned(),
                sku: variant.sku.clone(),
            }
        })
        .collect()
}

/// An order as the case wants it stored: its lines, currency, state, refunded amount and
/// placing time, on top of a real placed order's shape.
struct Spec<'a> {
    lines: Vec<(&'a Sold, u32, Money)>,
    currency: Currency,
    status: OrderStatus,
    refunded: Money,
    at: DateTime<Utc>,
}

/// Builds the `PlaceOrder` for `spec` from `template` (an order placed by the fixture):
/// fresh ids, its own cart (created and checked out at `spec.at`), no stock held, no
/// events.
fn placement(template: &Order, spec: &Spec<'_>, n: u64) -> PlaceOrder {
    let mut order = template.clone();
    order.id = OrderId::random();
    order.number = OrderNumber::from_sequence(n);
    order.customer = CustomerId::from_u128(u128::from(n % 37) + 1000);
    order.currency = spec.currency;
    order.status = spec.status;
    order.created_at = spec.at;
    order.reservation_expires_at = spec.at + Duration::minutes(15);
    order.lines = spec
        .lines
        .iter()
        .map(|(s, quantity, unit)| {
            let discount = if quantity % 3 == 0 {
                Money::from_minor_units(1, spec.currency)
            } else {
                Money::zero(spec.currency)
            };
            let total = unit
                .times(*quantity)
                .and_then(|t| t.checked_sub(discount))
                .expect("line total");
            OrderLine {
                product: s.item.product,
                variant: s.item.variant,
                sku: s.sku.clone(),
                name: s.name.clone(),
                shop: s.shop,
                quantity: *quantity,
                unit_price: *unit,
                discount,
                tax: Money::zero(spec.currency),
                total,
            }
        })
        .collect();
    let mut by_shop: BTreeMap<ShopId, Vec<usize>> = BTreeMap::new();
    for (i, line) in order.lines.iter().enumerate() {
        by_shop.entry(line.shop).or_default().push(i);
    }
    order.fulfilments = by_shop
        .into_iter()
        .map(|(shop, lines)| Fulfilment {
            id: FulfilmentId::random(),
            shop,
            lines,
            status: FulfilmentStatus::Pending,
            shipments: Vec::new(),
        })
        .collect();
    order.payment.captured =
        Money::sum(spec.currency, order.lines.iter().map(|l| l.total)).expect("captured");
    order.payment.authorized = Money::zero(spec.currency);
    order.payment.refunded = spec.refunded.min(order.payment.captured).expect("refund");
    let mut cart = Cart::new(
        CartId::random(),
        Some(order.customer),
        CartPurpose::Shopping,
        spec.currency,
        spec.at,
    );
    cart.mark_checked_out(spec.at).expect("open cart");
    order.cart = cart.id();
    PlaceOrder {
        idempotency_key: IdempotencyKey::parse(&format!("report-{n}")).expect("key"),
        reservation: ReservationRequest {
            id: ReservationId::from_uuid(order.id.as_uuid()),
            lines: vec![ReservationLine {
                sku: held_sku(),
                quantity: 1,
            }],
            expires_at: order.reservation_expires_at,
        },
        order,
        cart,
        events: Vec::new(),
        promotion_limits: Vec::new(),
    }
}

/// A placed order whose shape (address, totals, payment mode) the fixture reuses.
fn template(store: &mut Store, items: &[Item]) -> Order {
    place(
        store,
        CustomerId::from_u128(999),
        &[(items[0], 1)],
        "template",
        1,
        now(),
    )
    .order
}

/// The SKU every fixture order holds one unit of (a reservation needs a line), so
/// placing orders does not disturb the catalog's stock.
fn held_sku() -> Sku {
    Sku::parse("REPORT-HOLD").expect("sku")
}

/// Stores `placements` through `place_order`, eight at a time; returns the orders.
async fn store_all(stores: &Stores, placements: Vec<PlaceOrder>) -> Vec<Order> {
    let units = i64::try_from(placements.len()).expect("few orders");
    stores
        .inventory
        .adjust_stock(&held_sku(), WAREHOUSE, units, now())
        .await
        .expect("stock to hold");
    let mut chunks: Vec<Vec<PlaceOrder>> = (0..8).map(|_| Vec::new()).collect();
    for (i, p) in placements.into_iter().enumerate() {
        chunks[i % 8].push(p);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in chunks {
        let stores = stores.clone();
        tasks.spawn(async move {
            let mut placed = Vec::new();
            for p in chunk {
                let order = stores.orders.place_order(p).await.expect("place order");
                assert!(order.created);
                placed.push(order.order);
            }
            placed
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done.expect("seeding task"));
    }
    all
}

/// A local wall-clock time in the fixture's zone, as UTC.
fn local(zone: Tz, day: NaiveDate, seconds: i64) -> DateTime<Utc> {
    let midnight = zone
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .expect("midnight exists in the fixture zone");
    (midnight + Duration::seconds(seconds)).with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn query(scope: ReportScope, currency: Currency, period: &ReportPeriod) -> SalesQuery {
    SalesQuery {
        scope,
        currency,
        buckets: period.buckets().to_vec(),
    }
}

/// The lines of `order` a scope counts.
fn lines_of(order: &Order, scope: ReportScope) -> Vec<&OrderLine> {
    order
        .lines
        .iter()
        .filter(|l| scope.shop().is_none_or(|s| l.shop == s))
        .collect()
}

/// 1,200 orders over 16 local days around a two-week period in New York (across the
/// switch to summer time), in three shops (orders of one, two or three shops) and two
/// currencies, in every state, some refunded, many placed within a second of local
/// midnight — on a different UTC day than their local one. Each figure is checked
/// against one computed here by iterating over the stored orders, grouping them by the
/// local date chrono-tz gives their placing time.
pub async fn a_thousand_orders_in_three_shops_and_two_currencies_match_independent_totals(
    stores: Stores,
) {
    let (mut store, items) = three_shops();
    let sold = sold(&store, &items);
    let template = template(&mut store, &items);
    let zone: Tz = ZONE.parse().expect("zone");
    let usd = ["10.00", "4.00", "25.00", "12.50", "1.99", "7.25"];
    let eur = ["9.10", "3.70", "23.00", "11.45", "1.85", "6.60"];
    // Seconds after local midnight: just after midnight, just before the next one,
    // midday, evening (already tomorrow in UTC).
    let times = [0, 1, 86_399, 43_200, 79_200, 3_600];
    let mut placements = Vec::new();
    for n in 0..1200_u64 {
        let i = usize::try_from(n).expect("small");
        let currency = if n % 5 == 3 {
            Currency::EUR
        } else {
            Currency::USD
        };
        let prices = if currency == Currency::EUR {
            &eur
        } else {
            &usd
        };
        let day = date(2026, 2, 28) + Duration::days(i64::try_from(n % 16).expect("small"));
        let at = local(zone, day, times[(i / 16) % times.len()]);
        // One, two or three shops; product choice varies with n.
        let shops = 1 + (i / 7) % 3;
        let lines = (0..shops)
            .map(|k| {
                let shop = (i + k) % 3;
                let product = shop * 2 + (i / 3 + k) % 2;
                let quantity = u32::try_from(1 + (i + k) % 4).expect("small");
                let unit = Money::parse(prices[product], currency).expect("price");
                (&sold[product], quantity, unit)
            })
            .collect::<Vec<_>>();
        let status = OrderStatus::ALL[(i * 7 / 3) % OrderStatus::ALL.len()];
        let total = Money::sum(
            currency,
            lines.iter().map(|(_, q, u)| u.times(*q).expect("line")),
        )
        .expect("total");
        let refunded = match status {
            OrderStatus::Refunded => total,
            OrderStatus::PartiallyRefunded | OrderStatus::Returned => {
                Money::from_minor_units(100 + i64::try_from(n % 50).expect("small"), currency)
            }
            _ => Money::zero(currency),
        };
        placements.push(placement(
            &template,
            &Spec {
                lines,
                currency,
                status,
                refunded,
                at,
            },
            n + 10,
        ));
    }
    let orders = store_all(&stores, placements).await;
    assert_eq!(orders.len(), 1200);
    // Some orders land on another day locally than in UTC: the boundary is exercised.
    assert!(
        orders
            .iter()
            .filter(|o| o.created_at.with_timezone(&zone).date_naive() != o.created_at.date_naive())
            .count()
            > 100
    );

    let (first, last) = (date(2026, 3, 1), date(2026, 3, 14));
    let period = ReportPeriod::new(first, last, ZONE, Granularity::Day).expect("period");
    assert_eq!(period.buckets().len(), 14);
    let scopes = [
        ReportScope::AllShops,
        ReportScope::Shop(SHOPS[0]),
        ReportScope::Shop(SHOPS[1]),
        ReportScope::Shop(SHOPS[2]),
    ];
    for currency in [Currency::USD, Currency::EUR] {
        for scope in scopes {
            let q = query(scope, currency, &period);
            // Independently: every stored order in the scope, by its local date.
            let counted: Vec<(&Order, Vec<&OrderLine>, NaiveDate)> = orders
                .iter()
                .filter(|o| o.currency == currency)
                .map(|o| {
                    (
                        o,
                        lines_of(o, scope),
                        o.created_at.with_timezone(&zone).date_naive(),
                    )
                })
                .filter(|(_, lines, day)| !lines.is_empty() && *day >= first && *day <= last)
                .collect();
            let mut expected = vec![BucketSales::zero(currency); 14];
            for (order, lines, day) in &counted {
                if !counts_as_revenue(order.status) {
                    continue;
                }
                let i = usize::try_from((*day - first).num_days()).expect("in period");
                expected[i].orders += 1;
                for line in lines {
                    expected[i].revenue = expected[i].revenue.checked_add(line.total).expect("sum");
                }
            }
            let got = stores.reports.sales_by_bucket(&q).await.expect("sales");
            assert_eq!(got, expected, "{scope:?} {currency}");
            assert!(
                expected.iter().all(|b| b.orders > 0),
                "{scope:?} {currency}"
            );

            let mut products: BTreeMap<_, ProductSales> = BTreeMap::new();
            let mut statuses: HashMap<OrderStatus, u64> = HashMap::new();
            let mut refunds = RefundSummary {
                orders: 0,
                amount: Money::zero(currency),
                shared_orders: 0,
            };
            for (order, lines, _) in &counted {
                *statuses.entry(order.status).or_default() += 1;
                if !counts_as_revenue(order.status) {
                    continue;
                }
                for line in lines {
                    let p = products
                        .entry(line.product)
                        .or_insert_with(|| ProductSales {
                            product: line.product,
                            name: line.name.clone(),
                            units: 0,
                            revenue: Money::zero(currency),
                        });
                    p.units += u64::from(line.quantity);
                    p.revenue = p.revenue.checked_add(line.total).expect("sum");
                }
                if order.payment.refunded.is_positive() {
                    if lines.len() == order.lines.len() {
                        refunds.orders += 1;
                        refunds.amount = refunds
                            .amount
                            .checked_add(order.payment.refunded)
                            .expect("sum");
                    } else {
                        refunds.shared_orders += 1;
                    }
                }
            }
            let mut by_units: Vec<ProductSales> = products.values().cloned().collect();
            by_units.sort_by(|a, b| b.units.cmp(&a.units).then(a.product.cmp(&b.product)));
            by_units.truncate(4);
            let mut by_revenue: Vec<ProductSales> = products.values().cloned().collect();
            by_revenue.sort_by(|a, b| {
                b.revenue
                    .amount()
                    .cmp(&a.revenue.amount())
                    .then(a.product.cmp(&b.product))
            });
            by_revenue.truncate(4);
            assert_eq!(
                stores
                    .reports
                    .top_products(&q, ProductRank::Units, 4)
                    .await
                    .expect("top"),
                by_units,
                "{scope:?} {currency}"
            );
            assert_eq!(
                stores
                    .reports
                    .top_products(&q, ProductRank::Revenue, 4)
                    .await
                    .expect("top"),
                by_revenue,
                "{scope:?} {currency}"
            );
            let expected_statuses: Vec<StatusCount> = OrderStatus::ALL
                .into_iter()
                .filter_map(|status| {
                    statuses
                        .get(&status)
                        .map(|&orders| StatusCount { status, orders })
                })
                .collect();
            assert_eq!(
                stores.reports.status_counts(&q).await.expect("statuses"),
                expected_statuses,
                "{scope:?} {currency}"
            );
            assert_eq!(
                stores.reports.refunds(&q).await.expect("refunds"),
                refunds,
                "{scope:?} {currency}"
            );
            assert!(refunds.orders > 0, "{scope:?} {currency}");
        }
    }

    // Weeks and months group the same orders: the week of Monday 2026-03-09 and the
    // whole of March (the fixture has orders up to 2026-03-15, nothing later).
    for (granularity, from, to) in [
        (Granularity::Week, date(2026, 3, 9), date(2026, 3, 15)),
        (Granularity::Month, date(2026, 3, 1), date(2026, 3, 31)),
    ] {
        let period = ReportPeriod::new(from, to, ZONE, granularity).expect("period");
        let q = query(ReportScope::AllShops, Currency::USD, &period);
        let mut expected = BucketSales::zero(Currency::USD);
        for order in orders.iter().filter(|o| {
            let day = o.created_at.with_timezone(&zone).date_naive();
            o.currency == Currency::USD && counts_as_revenue(o.status) && day >= from && day <= to
        }) {
            expected.orders += 1;
            for line in &order.lines {
                expected.revenue = expected.revenue.checked_add(line.total).expect("sum");
            }
        }
        assert_eq!(
            stores.reports.sales_by_bucket(&q).await.expect("sales"),
            vec![expected],
            "{granularity:?}"
        );
    }
}

/// A fixture store with its catalog saved, and the template order.
async fn small_fixture(stores: &Stores) -> (Vec<Sold>, Order) {
    let (mut store, items) = three_shops();
    save_catalog(&store, stores).await;
    let template = template(&mut store, &items);
    (sold(&store, &items), template)
}

fn usd(amount: &str) -> Money {
    Money::parse(amount, Currency::USD).expect("amount")
}

fn march_1() -> ReportPeriod {
    ReportPeriod::new(date(2026, 3, 1), date(2026, 3, 1), "UTC", Granularity::Day).expect("period")
}

fn at_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("time")
}

/// One order with lines from three shops: each shop's report has only its lines, and
/// the shops' revenues add up to the all-shops revenue.
pub async fn a_split_order_adds_each_shop_only_its_lines(stores: Stores) {
    let (sold, template) = small_fixture(&stores).await;
    let spec = Spec {
        lines: vec![
            (&sold[0], 2, usd("10.00")),
            (&sold[2], 1, usd("25.00")),
            (&sold[3], 3, usd("12.50")),
            (&sold[4], 1, usd("1.99")),
        ],
        currency: Currency::USD,
        status: OrderStatus::Paid,
        refunded: Money::zero(Currency::USD),
        at: at_noon(),
    };
    store_all(&stores, vec![placement(&template, &spec, 1)]).await;
    let period = march_1();
    let sales = |scope| {
        let q = query(scope, Currency::USD, &period);
        let stores = stores.clone();
        async move { stores.reports.sales_by_bucket(&q).await.expect("sales") }
    };
    let one = |orders, revenue: &str| {
        vec![BucketSales {
            orders,
            revenue: usd(revenue),
        }]
    };
    // 12.50 × 3 − 0.01 (the fixture's discount on quantities of 3) = 37.49.
    assert_eq!(sales(ReportScope::AllShops).await, one(1, "84.48"));
    assert_eq!(sales(ReportScope::Shop(SHOPS[0])).await, one(1, "20.00"));
    assert_eq!(sales(ReportScope::Shop(SHOPS[1])).await, one(1, "62.49"));
    assert_eq!(sales(ReportScope::Shop(SHOPS[2])).await, one(1, "1.99"));
    let q = query(ReportScope::Shop(SHOPS[1]), Currency::USD, &period);
    let top = stores
        .reports
        .top_products(&q, ProductRank::Revenue, 10)
        .await
        .expect("top");
    let names: Vec<(&str, u64)> = top.iter().map(|p| (p.name.as_str(), p.units)).collect();
    assert_eq!(names, vec![("Cap", 3), ("T-shirt", 1)]);
    // Another shop's figures are not there at all.
    let other = query(
        ReportScope::Shop(ShopId::from_u128(77)),
        Currency::USD,
        &period,
    );
    assert_eq!(
        stores.reports.sales_by_bucket(&other).await.expect("sales"),
        vec![BucketSales::zero(Currency::USD)]
    );
    assert!(
        stores
            .reports
            .status_counts(&other)
            .await
            .expect("statuses")
            .is_empty()
    );
}

/// Pending and cancelled orders appear in the state breakdown but not in revenue; an
/// order in another currency appears in neither.
pub async fn pending_cancelled_and_other_currency_orders_are_not_revenue(stores: Stores) {
    let (sold, template) = small_fixture(&stores).await;
    let spec = |status, currency, amount: &str| Spec {
        lines: vec![(&sold[0], 1, Money::parse(amount, currency).expect("amount"))],
        currency,
        status,
        refunded: Money::zero(currency),
        at: at_noon(),
    };
    let placements = vec![
        placement(
            &template,
            &spec(OrderStatus::PendingPayment, Currency::USD, "5.00"),
            1,
        ),
        placement(
            &template,
            &spec(OrderStatus::Cancelled, Currency::USD, "6.00"),
            2,
        ),
        placement(
            &template,
            &spec(OrderStatus::Delivered, Currency::USD, "7.00"),
            3,
        ),
        placement(
            &template,
            &spec(OrderStatus::Paid, Currency::USD, "7.01"),
            4,
        ),
        placement(
            &template,
            &spec(OrderStatus::Paid, Currency::USD, "7.01"),
            5,
        ),
        placement(
            &template,
            &spec(OrderStatus::Paid, Currency::EUR, "8.00"),
            6,
        ),
    ];
    store_all(&stores, placements).await;
    let q = query(ReportScope::AllShops, Currency::USD, &march_1());
    assert_eq!(
        stores.reports.sales_by_bucket(&q).await.expect("sales"),
        vec![BucketSales {
            orders: 3,
            revenue: usd("21.02"),
        }]
    );
    let statuses = stores.reports.status_counts(&q).await.expect("statuses");
    let count = |status, orders| StatusCount { status, orders };
    assert_eq!(
        statuses,
        vec![
            count(OrderStatus::PendingPayment, 1),
            count(OrderStatus::Paid, 2),
            count(OrderStatus::Delivered, 1),
            count(OrderStatus::Cancelled, 1),
        ]
    );
    // Average order value 21.02 / 3 = 7.00666…, rounded half away from zero.
    let aov = commerce_core::report::average_order_value(BucketSales {
        orders: 3,
        revenue: usd("21.02"),
    })
    .expect("aov");
    assert_eq!(aov, usd("7.01"));
    let eur = query(ReportScope::AllShops, Currency::EUR, &march_1());
    let eur_sales = stores.reports.sales_by_bucket(&eur).await.expect("sales");
    assert_eq!(eur_sales[0].orders, 1);
    assert_eq!(eur_sales[0].revenue.amount(), Decimal::new(800, 2));
}

/// A refund on a one-shop order is that shop's; a refund on an order shared by shops is
/// in the all-shops report with its amount and in each shop's as a shared order only.
pub async fn refunds_of_shared_orders_are_counted_without_an_amount_for_a_shop(stores: Stores) {
    let (sold, template) = small_fixture(&stores).await;
    let single = Spec {
        lines: vec![(&sold[0], 1, usd("10.00"))],
        currency: Currency::USD,
        status: OrderStatus::PartiallyRefunded,
        refunded: usd("4.00"),
        at: at_noon(),
    };
    let shared = Spec {
        lines: vec![(&sold[0], 1, usd("10.00")), (&sold[2], 1, usd("25.00"))],
        currency: Currency::USD,
        status: OrderStatus::Refunded,
        refunded: usd("35.00"),
        at: at_noon(),
    };
    // Cancelled (paid, then refunded in full): not revenue, so not in the refunds.
    let cancelled = Spec {
        lines: vec![(&sold[0], 1, usd("10.00"))],
        currency: Currency::USD,
        status: OrderStatus::Cancelled,
        refunded: usd("10.00"),
        at: at_noon(),
    };
    store_all(
        &stores,
        vec![
            placement(&template, &single, 1),
            placement(&template, &shared, 2),
            placement(&template, &cancelled, 3),
        ],
    )
    .await;
    let refunds = |scope| {
        let q = query(scope, Currency::USD, &march_1());
        let stores = stores.clone();
        async move { stores.reports.refunds(&q).await.expect("refunds") }
    };
    assert_eq!(
        refunds(ReportScope::AllShops).await,
        RefundSummary {
            orders: 2,
            amount: usd("39.00"),
            shared_orders: 0,
        }
    );
    assert_eq!(
        refunds(ReportScope::Shop(SHOPS[0])).await,
        RefundSummary {
            orders: 1,
            amount: usd("4.00"),
            shared_orders: 1,
        }
    );
    assert_eq!(
        refunds(ReportScope::Shop(SHOPS[1])).await,
        RefundSummary {
            orders: 0,
            amount: usd("0"),
            shared_orders: 1,
        }
    );
}

/// Over 90 local days in Kolkata (UTC+05:30), orders placed at the first and the last
/// second of each day land in that day's bucket, every one of the 90 (a store finding
/// buckets by search is exercised across many boundaries, not a handful).
pub async fn every_bucket_of_a_long_period_gets_its_own_orders(stores: Stores) {
    let (sold, template) = small_fixture(&stores).await;
    let zone: Tz = "Asia/Kolkata".parse().expect("zone");
    let first = date(2026, 1, 1);
    let mut placements = Vec::new();
    for d in 0..90_u64 {
        let day = first + Duration::days(i64::try_from(d).expect("small"));
        for (k, seconds) in [0, 86_399].into_iter().enumerate() {
            let spec = Spec {
                lines: vec![(
                    &sold[0],
                    1,
                    Money::from_minor_units(100 + i64::try_from(d).expect("small"), Currency::USD),
                )],
                currency: Currency::USD,
                status: OrderStatus::Paid,
                refunded: Money::zero(Currency::USD),
                at: local(zone, day, seconds),
            };
            placements.push(placement(&template, &spec, d * 2 + k as u64 + 1));
        }
    }
    store_all(&stores, placements).await;
    let period = ReportPeriod::new(first, date(2026, 3, 31), "Asia/Kolkata", Granularity::Day)
        .expect("period");
    assert_eq!(period.buckets().len(), 90);
    let q = query(ReportScope::AllShops, Currency::USD, &period);
    let expected: Vec<BucketSales> = (0..90)
        .map(|d| BucketSales {
            orders: 2,
            revenue: Money::from_minor_units(2 * (100 + d), Currency::USD),
        })
        .collect();
    assert_eq!(
        stores.reports.sales_by_bucket(&q).await.expect("sales"),
        expected
    );
}

/// Shopping carts created in the window are counted; those checked out are converted;
/// carts for later and carts created outside the window are not counted.
pub async fn cart_conversion_counts_shopping_carts_created_in_the_window(stores: Stores) {
    let (sold, template) = small_fixture(&stores).await;
    let noon = at_noon();
    let mut placements = Vec::new();
    for n in 0..3_u32 {
        let spec = Spec {
            lines: vec![(&sold[0], 1, usd("10.00"))],
            currency: Currency::USD,
            status: OrderStatus::PendingPayment,
            refunded: Money::zero(Currency::USD),
            at: noon + Duration::minutes(i64::from(n)),
        };
        placements.push(placement(&template, &spec, u64::from(n) + 1));
    }
    store_all(&stores, placements).await;
    let save = |purpose, at| {
        let cart = Cart::new(CartId::random(), None, purpose, Currency::USD, at);
        let stores = stores.clone();
        async move {
            stores
                .carts
                .save_cart(&cart, Vec::new())
                .await
                .expect("save cart");
        }
    };
    for minutes in [0, 30, 600, 719] {
        save(CartPurpose::Shopping, noon + Duration::minutes(minutes)).await;
    }
    save(CartPurpose::SavedForLater, noon).await;
    save(CartPurpose::Wishlist, noon).await;
    // Outside: the next day (UTC) and the day before.
    save(CartPurpose::Shopping, noon + Duration::hours(12)).await;
    save(CartPurpose::Shopping, noon - Duration::hours(13)).await;
    let period = march_1();
    let (start, end) = query(ReportScope::AllShops, Currency::USD, &period)
        .window()
        .expect("window");
    let conversion = stores
        .reports
        .cart_conversion(start, end)
        .await
        .expect("conversion");
    assert_eq!(conversion.carts_created, 7);
    assert_eq!(conversion.carts_converted, 3);
    assert_eq!(conversion.rate(), Some(Decimal::new(4286, 4)));
}

/// SKUs whose stock summed over locations is at or below their threshold are listed, by
/// SKU; a shop sees only its own; SKUs without a threshold are never listed.
pub async fn low_stock_lists_skus_at_or_below_their_threshold_by_shop(stores: Stores) {
    let (sold, _) = small_fixture(&stores).await;
    let other_location = commerce_core::LocationId::from_u128(2);
    // (index, threshold, units in the warehouse, units elsewhere)
    let setup: [(usize, Option<u32>, i64, i64); 5] = [
        (0, Some(5), 3, 2),  // 5 ≤ 5: low
        (1, Some(5), 4, 2),  // 6: fine
        (2, Some(10), 1, 0), // low
        (4, None, 0, 0),     // no threshold
        (5, Some(0), 0, 0),  // 0 ≤ 0: low
    ];
    for (i, threshold, here, there) in setup {
        let sku = &sold[i].sku;
        stores
            .inventory
            .set_policy(StockPolicy {
                sku: sku.clone(),
                backorder: false,
                low_stock_threshold: threshold,
            })
            .await
            .expect("policy");
        stores
            .inventory
            .adjust_stock(sku, WAREHOUSE, here, now())
            .await
            .expect("stock");
        if there > 0 {
            stores
                .inventory
                .adjust_stock(sku, other_location, there, now())
                .await
                .expect("stock");
        }
    }
    let listed = |shop| {
        let stores = stores.clone();
        async move {
            stores
                .reports
                .low_stock(shop)
                .await
                .expect("low stock")
                .into_iter()
                .map(|item| (item.product, item.available, item.threshold))
                .collect::<Vec<_>>()
        }
    };
    let mut all = vec![
        (sold[0].item.product, 5, 5),
        (sold[2].item.product, 1, 10),
        (sold[5].item.product, 0, 0),
    ];
    let sku_of = |product| {
        sold.iter()
            .find(|s| s.item.product == product)
            .map(|s| s.sku.clone())
            .expect("sku")
    };
    all.sort_by_key(|(product, _, _)| sku_of(*product));
    assert_eq!(listed(None).await, all);
    assert_eq!(
        listed(Some(SHOPS[1])).await,
        vec![(sold[2].item.product, 1, 10)]
    );
    assert_eq!(
        listed(Some(SHOPS[2])).await,
        vec![(sold[5].item.product, 0, 0)]
    );
    assert!(listed(Some(ShopId::from_u128(77))).await.is_empty());
}
