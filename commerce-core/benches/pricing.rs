//! Pricing throughput: carts of 1, 10, 100 and 200 lines against 0, 10 and 50 live
//! promotions (every kind: item and order percentages and amounts, buy-X-get-Y, free
//! shipping, coupons), with tax and weight-based shipping.
//!
//! Run with `cargo xtask bench pricing`, which also prints the medians side by side with
//! their ratios to the no-promotion baseline and per line.

use std::hint::black_box;

use commerce_core::pricing::price_cart;
use commerce_testkit::generate::priced_cart_workload;
use criterion::{BenchmarkId, Criterion, Throughput};

/// Line counts and promotion counts measured.
const LINES: [usize; 4] = [1, 10, 100, 200];
const PROMOTIONS: [usize; 3] = [0, 10, 50];

fn bench_price_cart(c: &mut Criterion) {
    let mut group = c.benchmark_group("price_cart");
    for promotions in PROMOTIONS {
        for lines in LINES {
            let (store, cart, context) = priced_cart_workload(lines, promotions, 42);
            // Fail loudly rather than benchmark an error path.
            if let Err(e) = price_cart(&cart, &store.catalog, &store.rules, &context) {
                eprintln!("workload {lines}/{promotions} does not price: {e}");
                std::process::exit(1);
            }
            group.throughput(Throughput::Elements(lines as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("{promotions}_promotions"), lines),
                &(store, cart, context),
                |b, (store, cart, context)| {
                    b.iter(|| {
                        price_cart(
                            black_box(cart),
                            black_box(&store.catalog),
                            black_box(&store.rules),
                            black_box(context),
                        )
                    })
                },
            );
        }
    }
    group.finish();
}

fn print_machine() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "machine: {model}, {cores} cores available, {}",
        std::env::consts::ARCH
    );
}

fn main() {
    print_machine();
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    bench_price_cart(&mut criterion);
    criterion.final_summary();
}
