//! Cost against store size: one price change, one add-to-cart and one whole order (a
//! new cart, one unit, checkout), each timed on SQLite and on Postgres with a catalog of
//! 1,000 and of 100,000 one-variant products (`BENCH_SCALE_SIZES=1000,100000,1000000`
//! to change them), median of `BENCH_SCALE_RUNS` operations (default 50) on products
//! picked across the catalog. Prints each median per size and the ratio of the largest
//! size's median to the smallest's: an operation whose cost does not grow with the store
//! has a ratio near 1 (the target is at most 1.5).
//!
//! A promotion change is not measured yet: promotions are still saved as one document.
//!
//! `cargo test --all-targets` runs this binary without `--bench`: a smoke run over 50
//! and 200 products and 5 operations each.
//!
//! Postgres comes from `COMMERCE_BENCH_DATABASE_URL` (set by xtask), else as for the
//! tests; each size gets a fresh `commerce_test_*` database (xtask drops them after).
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

use commerce_core::cart::CartPurpose;
use commerce_core::identity::Principal;
use commerce_core::memory::{ManualClock, MemoryPayments};
use commerce_core::ports::Stores;
use commerce_core::pricing::VariantPrice;
use commerce_core::{Commerce, Config, Currency, CustomerId, Money};
use commerce_sqlx::testing;
use support::Catalog;

fn env_list(name: &str) -> Option<Vec<usize>> {
    let raw = std::env::var(name).ok()?;
    raw.split(',').map(|s| s.trim().parse().ok()).collect()
}

fn eur(amount: &str) -> Money {
    Money::parse(amount, Currency::EUR).unwrap()
}

/// An engine on `stores` and a catalog of `size` products loaded through it.
async fn load(stores: Stores, size: usize) -> (Commerce, Catalog) {
    let clock = Arc::new(ManualClock::default());
    clock.set(chrono::Utc::now());
    let engine = Commerce::new(
        stores.clone(),
        Arc::new(MemoryPayments::new("whsec_bench_scale", clock.clone())),
        clock,
        Config::default(),
    );
    let catalog = support::load_catalog(&engine, &stores, size).await;
    (engine, catalog)
}

/// The median of `runs` timings of `op(i)`.
async fn median<F, Fut>(runs: usize, mut op: F) -> Duration
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let start = Instant::now();
        op(i).await;
        times.push(start.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// The three medians for one catalog: price change, add to cart, whole order.
async fn measure(engine: &Commerce, catalog: &Catalog, runs: usize) -> [Duration; 3] {
    let pick = |i: usize| catalog.products[(i * 7919) % catalog.products.len()];
    // Each product is picked at most once per operation below while runs < size / 7919
    // wraps; versions are tracked so every change is from the current one.
    let mut versions = std::collections::HashMap::new();
    let price_change = median(runs, |i| {
        let (product, variant) = pick(i);
        let version = *versions.entry(variant).or_insert(1_u64);
        versions.insert(variant, version + 1);
        let price = VariantPrice::new(eur(&format!("{}.{:02}", 10 + i % 90, i % 100)));
        async move {
            engine
                .set_variant_price(
                    catalog.seller,
                    product,
                    variant,
                    catalog.list,
                    price,
                    version,
                )
                .await
                .unwrap();
        }
    })
    .await;
    let add = median(runs, |i| async move {
        let shopper = Principal::Customer(CustomerId::random());
        let cart = engine
            .create_cart(shopper, Currency::EUR, CartPurpose::Shopping)
            .await
            .unwrap();
        let (_, variant) = pick(i + runs);
        engine
            .add_item(shopper, cart.id(), variant, 1)
            .await
            .unwrap();
    })
    .await;
    let order = median(runs, |i| async move {
        let (_, variant) = pick(i + 2 * runs);
        support::order(engine, variant).await.unwrap();
    })
    .await;
    [price_change, add, order]
}

const OPERATIONS: [&str; 3] = ["price change", "add to cart", "whole order"];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let sizes = if smoke {
        vec![50, 200]
    } else {
        env_list("BENCH_SCALE_SIZES").unwrap_or_else(|| vec![1_000, 100_000])
    };
    let runs = if smoke {
        5
    } else {
        std::env::var("BENCH_SCALE_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(50)
    };
    println!("scale: sizes {sizes:?}, median of {runs} operations each");
    let mut table: Vec<(String, &str, Vec<Duration>)> = Vec::new();
    for backend in ["sqlite", "postgres"] {
        let mut per_size: Vec<[Duration; 3]> = Vec::new();
        for &size in &sizes {
            let stores = match backend {
                "sqlite" => testing::sqlite().await,
                _ => testing::postgres_with(8).await.stores(),
            };
            let started = Instant::now();
            let (engine, catalog) = load(stores, size).await;
            println!(
                "{backend}: {size} products loaded in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            per_size.push(measure(&engine, &catalog, runs).await);
        }
        for (k, name) in OPERATIONS.iter().enumerate() {
            table.push((
                backend.to_owned(),
                name,
                per_size.iter().map(|m| m[k]).collect(),
            ));
        }
    }
    let header: Vec<String> = sizes.iter().map(|s| format!("{s:>10}")).collect();
    println!(
        "\n{:<9} {:<13} {}  {:>7}",
        "backend",
        "operation",
        header.join(" "),
        "ratio"
    );
    for (backend, name, medians) in &table {
        let cells: Vec<String> = medians
            .iter()
            .map(|d| format!("{:>7.2} ms", ms(*d)))
            .collect();
        let ratio = ms(*medians.last().unwrap()) / ms(medians[0]).max(1e-9);
        println!("{backend:<9} {name:<13} {}  {ratio:>7.2}", cells.join(" "));
    }
    println!("(medians; ratio = largest size / smallest size; target ≤ 1.5)");
}
