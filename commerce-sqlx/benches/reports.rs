//! The monthly revenue report on Postgres over 1,000,000 orders (`BENCH_REPORTS_ORDERS`
//! to change it), through the adapter (`ReportStore::sales_by_bucket`, the query the
//! engine's `sales_report` runs for its buckets), next to a hand-written single SQL
//! query doing the same aggregation with Postgres' own time-zone support
//! (`date_trunc('month', created_at AT TIME ZONE ...)`) as the baseline. Both must agree
//! to the cent; each is timed as the median of `BENCH_REPORTS_RUNS` runs (default 7)
//! after one warm-up, for all shops and for one shop.
//!
//! Orders are generated in the database with `generate_series`: placed over 2025, 1 to
//! 3 lines each from 3 shops and 300 products, 4 in 5 in EUR (the report's currency)
//! and 1 in 5 in USD (excluded), in every state (pending and cancelled ones are not
//! revenue). They go into a database of this process, `commerce_bench_reports_<pid>`,
//! dropped after.
//!
//! `cargo test --all-targets` runs this binary without `--bench`: a smoke run over 2,000
//! orders and 3 runs then (the agreement check still applies).
//!
//! The admin URL comes from `COMMERCE_BENCH_DATABASE_URL` (set by xtask), else as for the
//! tests (see `commerce_sqlx::testing::admin_url`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_arithmetic,
    missing_docs
)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use commerce_core::ShopId;
use commerce_core::money::Currency;
use commerce_core::order::OrderStatus;
use commerce_core::report::{
    BucketSales, Granularity, ReportPeriod, ReportScope, SalesQuery, revenue_statuses,
};
use commerce_sqlx::{DatabaseConfig, PostgresStore, testing};
use sqlx::{Connection, Row};

const ZONE: &str = "Europe/Berlin";

fn database() -> String {
    format!("commerce_bench_reports_{}", std::process::id())
}

fn admin_url() -> String {
    std::env::var("COMMERCE_BENCH_DATABASE_URL").unwrap_or_else(|_| testing::admin_url())
}

async fn admin_execute(sql: String) {
    let mut conn = sqlx::PgConnection::connect(&admin_url())
        .await
        .unwrap_or_else(|e| {
            panic!("no Postgres for the benchmark ({e}); run it with `cargo xtask bench reports`")
        });
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// A fresh, migrated database for this process.
async fn store() -> PostgresStore {
    let database = database();
    admin_execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await;
    admin_execute(format!("CREATE DATABASE {database}")).await;
    let mut url = url::Url::parse(&admin_url()).unwrap();
    url.set_path(&database);
    let config = DatabaseConfig::new(url.to_string())
        .unwrap()
        .with_max_connections(4);
    let store = PostgresStore::connect(&config).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// Shop `k`'s id as the generator made it (`md5('s' || k)::uuid`).
async fn shop_id(store: &PostgresStore, k: u32) -> ShopId {
    let row = sqlx::query("SELECT md5('s' || $1::text)::uuid AS id")
        .bind(k.to_string())
        .fetch_one(store.pool())
        .await
        .unwrap();
    ShopId::from_uuid(row.get::<uuid::Uuid, _>("id"))
}

/// Fills the database with `n` orders (see the module docs), then analyzes it.
async fn generate(store: &PostgresStore, n: u64) {
    let statuses = OrderStatus::ALL
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // Refunded, partially refunded and returned orders carry a refund.
    let statements = [
        format!(
            "INSERT INTO orders (id, number, customer_id, cart_id, status, version, currency, \
             total, reservation_expires_at, created_at, doc, lines_minor, refunded_minor) \
             SELECT md5('o' || n)::uuid, 'B-' || n, md5('c' || (n % 5000))::uuid, \
             md5('k' || n)::uuid, (ARRAY[{statuses}])[1 + n % 11], 1, \
             CASE WHEN n % 5 = 3 THEN 'USD' ELSE 'EUR' END, l.total / 100.0, \
             t.at + interval '15 minutes', t.at, '{{}}'::jsonb, l.total, \
             CASE WHEN n % 11 IN (8, 9, 10) THEN 100 + n % 900 ELSE 0 END \
             FROM generate_series(1::bigint, {n}) AS n, \
             LATERAL (SELECT timestamptz '2025-01-01 00:00:00+01' \
                      + (n * 31535999 / {n}) * interval '1 second' AS at) AS t, \
             LATERAL (SELECT sum((n * 7 + k * 13) % 5000 + 100)::bigint AS total \
                      FROM generate_series(0, n % 3) AS k) AS l"
        ),
        format!(
            "INSERT INTO order_lines (order_id, line_no, shop_id, product_id, name, quantity, \
             total_minor) \
             SELECT md5('o' || n)::uuid, k, md5('s' || ((n + k) % 3))::uuid, \
             md5('p' || ((n * 3 + k) % 300))::uuid, 'Product ' || ((n * 3 + k) % 300), \
             1 + (n + k) % 4, (n * 7 + k * 13) % 5000 + 100 \
             FROM generate_series(1::bigint, {n}) AS n, generate_series(0, n % 3) AS k"
        ),
        "INSERT INTO order_shops (order_id, shop_id) \
         SELECT DISTINCT order_id, shop_id FROM order_lines"
            .to_owned(),
        "VACUUM ANALYZE orders, order_lines, order_shops".to_owned(),
    ];
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await
            .unwrap();
    }
}

/// The baseline: one hand-written query grouping by the local month with Postgres' own
/// time zones, for all shops or one.
async fn baseline(store: &PostgresStore, query: &SalesQuery) -> Vec<(i64, i64)> {
    let (start, end) = query.window().unwrap();
    let statuses = revenue_statuses()
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match query.scope.shop() {
        None => format!(
            "SELECT date_trunc('month', created_at AT TIME ZONE '{ZONE}') AS month, \
             count(*) AS n, sum(lines_minor)::bigint AS revenue FROM orders \
             WHERE created_at >= $1 AND created_at < $2 AND currency = $3 \
             AND status IN ({statuses}) GROUP BY 1 ORDER BY 1"
        ),
        Some(_) => format!(
            "SELECT date_trunc('month', o.created_at AT TIME ZONE '{ZONE}') AS month, \
             count(DISTINCT o.id) AS n, sum(l.total_minor)::bigint AS revenue \
             FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.shop_id = $4 \
             WHERE o.created_at >= $1 AND o.created_at < $2 AND o.currency = $3 \
             AND o.status IN ({statuses}) GROUP BY 1 ORDER BY 1"
        ),
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(start)
        .bind(end)
        .bind(query.currency.code());
    if let Some(shop) = query.scope.shop() {
        q = q.bind(shop.as_uuid());
    }
    q.fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get::<i64, _>("n"), row.get::<i64, _>("revenue")))
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Times the adapter and the baseline for `query`, `runs` times each after a warm-up,
/// after checking they agree.
async fn measure(
    store: &PostgresStore,
    query: &SalesQuery,
    runs: usize,
) -> (Duration, Duration, BucketSales) {
    let reports = store.stores().reports;
    let ours = reports.sales_by_bucket(query).await.unwrap();
    let theirs = baseline(store, query).await;
    let as_pairs: Vec<(i64, i64)> = ours
        .iter()
        .filter(|b| b.orders > 0)
        .map(|b| {
            (
                i64::try_from(b.orders).unwrap(),
                b.revenue.to_minor_units().unwrap(),
            )
        })
        .collect();
    assert_eq!(as_pairs, theirs, "the adapter and the baseline disagree");
    let mut adapter = Vec::new();
    let mut hand = Vec::new();
    for _ in 0..runs {
        let began = Instant::now();
        let got = reports.sales_by_bucket(query).await.unwrap();
        adapter.push(began.elapsed());
        assert_eq!(got, ours);
        let began = Instant::now();
        let got = baseline(store, query).await;
        hand.push(began.elapsed());
        assert_eq!(got, theirs);
    }
    let mut total = BucketSales::zero(query.currency);
    for b in &ours {
        total.orders += b.orders;
        total.revenue = total.revenue.checked_add(b.revenue).unwrap();
    }
    (median(adapter), median(hand), total)
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|s| s.parse().ok())
}

#[tokio::main]
async fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let orders = if smoke {
        2_000
    } else {
        env_number("BENCH_REPORTS_ORDERS").unwrap_or(1_000_000)
    };
    let runs = if smoke {
        3
    } else {
        usize::try_from(env_number("BENCH_REPORTS_RUNS").unwrap_or(7)).unwrap()
    };
    let store = store().await;
    let began = Instant::now();
    generate(&store, orders).await;
    let generated = began.elapsed();
    let period = ReportPeriod::new(
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        ZONE,
        Granularity::Month,
    )
    .unwrap();
    let first_shop = shop_id(&store, 0).await;
    let mut lines = Vec::new();
    for (name, scope) in [
        ("all shops", ReportScope::AllShops),
        ("one shop", ReportScope::Shop(first_shop)),
    ] {
        let query = SalesQuery {
            scope,
            currency: Currency::EUR,
            buckets: period.buckets().to_vec(),
        };
        let (adapter, hand, total) = measure(&store, &query, runs).await;
        lines.push(format!(
            "{name:<10} {:>9} orders {:>16} EUR  adapter {:>9.2} ms  hand-written SQL {:>9.2} ms  ratio {:>5.2}",
            total.orders,
            total.revenue.amount(),
            adapter.as_secs_f64() * 1_000.0,
            hand.as_secs_f64() * 1_000.0,
            adapter.as_secs_f64() / hand.as_secs_f64()
        ));
    }
    store.pool().close().await;
    admin_execute(format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        database()
    ))
    .await;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\nmonthly revenue report, 2025 in {ZONE}, EUR, on Postgres: {orders} orders \
         generated in {:.1} s; median of {runs} runs; {cores} cores",
        generated.as_secs_f64()
    );
    for line in lines {
        println!("{line}");
    }
}
