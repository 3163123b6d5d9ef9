//! Checkout throughput on Postgres: 64 clients, each placing orders through the engine
//! (create a cart, add one unit, check out) as fast as it can, for `BENCH_SECS` seconds
//! (default 10), (a) all on one hot SKU and (b) spread over 10,000 SKUs. Prints orders
//! per second and p50/p99 latency of a whole order, and writes them to
//! `target/bench/checkout.json` for `cargo xtask bench checkout`, which runs this beside
//! the bare-`UPDATE` and pgbench baselines against the same server.
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

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use commerce_core::memory::{ManualClock, MemoryPayments};
use commerce_core::{Commerce, Config, VariantId};
use commerce_sqlx::{DatabaseConfig, PostgresStore, testing};
use sqlx::Connection;

const CLIENTS: usize = 64;

/// This run's database: named for the process, so a smoke run under `cargo test` and a
/// full run at the same time never drop each other's.
fn database() -> String {
    format!("commerce_bench_checkout_{}", std::process::id())
}

fn admin_url() -> String {
    std::env::var("COMMERCE_BENCH_DATABASE_URL").unwrap_or_else(|_| testing::admin_url())
}

/// Drops this run's database.
async fn drop_database() {
    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url()).await {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database());
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await;
    }
}

struct Run {
    name: String,
    orders: usize,
    secs: f64,
    latencies: Vec<Duration>,
}

impl Run {
    fn per_sec(&self) -> f64 {
        self.orders as f64 / self.secs
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1_000.0
    }
}

/// A fresh database for one scenario, and the engine on it.
async fn engine() -> (PostgresStore, Commerce) {
    let admin = admin_url();
    let database = database();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("no Postgres for the benchmark ({e}); run it with `cargo xtask bench checkout`")
        });
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&database);
    let config = DatabaseConfig::new(url.to_string())
        .unwrap()
        .with_max_connections(CLIENTS as u32 + 4);
    let store = PostgresStore::connect(&config).await.unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(ManualClock::default());
    let commerce = Commerce::new(
        store.stores(),
        Arc::new(MemoryPayments::new("whsec_bench", clock.clone())),
        clock,
        Config::default(),
    );
    (store, commerce)
}

/// 64 clients ordering for `secs`; client `c`'s `i`th order buys `pick(c, i)`.
async fn drive(name: &str, products: usize, secs: Duration) -> Run {
    let (store, shop) = engine().await;
    let catalog = support::load_catalog(&shop, &store.stores(), products).await;
    let variants: Arc<Vec<VariantId>> = Arc::new(catalog.products.iter().map(|p| p.1).collect());
    let start = Instant::now();
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (shop, variants) = (shop.clone(), variants.clone());
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = client;
            while start.elapsed() < secs {
                let variant = variants[(i * 7_919) % variants.len()];
                let began = Instant::now();
                support::order(&shop, variant).await.unwrap();
                latencies.push(began.elapsed());
                i += CLIENTS;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    // Check the run oversold nothing and every order holds exactly its unit.
    let row: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM orders), coalesce(sum(reserved), 0)::bigint, \
         count(*) FILTER (WHERE reserved > on_hand) FROM stock_levels",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        row.0 as usize,
        latencies.len(),
        "one order per completed request"
    );
    assert_eq!(row.1, row.0, "one unit held per order");
    assert_eq!(row.2, 0, "no level promises more than it holds");
    store.pool().close().await;
    Run {
        name: name.to_owned(),
        orders: latencies.len(),
        secs,
        latencies,
    }
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`: a one-second smoke
    // run over 100 SKUs then (its invariant checks still apply), and no figures written.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let secs = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let secs = Duration::from_secs(if smoke { 1 } else { secs });
    let runs = [
        drive("checkout, one hot SKU", 1, secs).await,
        drive(
            if smoke {
                "checkout, 100 SKUs"
            } else {
                "checkout, 10,000 SKUs"
            },
            if smoke { 100 } else { 10_000 },
            secs,
        )
        .await,
    ];
    drop_database().await;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("\ncheckout through the engine on Postgres, {CLIENTS} clients, {cores} cores");
    for run in &runs {
        println!(
            "{:<24} {:>8} orders in {:>5.1} s  {:>8.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            run.name,
            run.orders,
            run.secs,
            run.per_sec(),
            run.percentile_ms(50.0),
            run.percentile_ms(99.0)
        );
    }
    let json = serde_json::json!({
        "machine": format!("{cores} cores"),
        "runs": runs.iter().map(|run| serde_json::json!({
            "name": run.name,
            "clients": CLIENTS,
            "ops": run.orders,
            "secs": run.secs,
            "per_sec": run.per_sec(),
            "p50_ms": run.percentile_ms(50.0),
            "p99_ms": run.percentile_ms(99.0),
        })).collect::<Vec<_>>(),
    });
    if smoke {
        return;
    }
    let dir = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        std::path::PathBuf::from,
    );
    let dir = dir.join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("checkout.json"), json.to_string()).unwrap();
}
