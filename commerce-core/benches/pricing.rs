//! Pricing throughput: carts of 1, 10, 100 and 200 lines against 0, 10 and 50 live
//! promotions, with tax and weight-based shipping.
//!
//! Two promotion mixes (see `commerce_testkit::generate::PromotionMix`):
//! - `price_cart/…`: a shop's promotions table — every promotion live and evaluated, each
//!   applying where its rules say (the figure the target is about);
//! - `price_cart_everything_stacks/…`: the worst case, every promotion combinable and
//!   applied, a third of them order discounts itemised on every line.
//!
//! Run with `cargo xtask bench pricing`, which also prints the medians side by side with
//! their ratios to the no-promotion baseline of the same run.

use std::hint::black_box;

use commerce_core::pricing::price_cart;
use commerce_testkit::generate::{PromotionMix, priced_cart_workload};
use criterion::{BenchmarkId, Criterion, Throughput};

/// Line counts measured.
const LINES: [usize; 4] = [1, 10, 100, 200];
/// Promotion counts measured.
const PROMOTIONS: [usize; 3] = [0, 10, 50];

fn bench_mix(c: &mut Criterion, group_name: &str, mix: PromotionMix) {
    let mut group = c.benchmark_group(group_name);
    for promotions in PROMOTIONS {
        for lines in LINES {
            let (store, cart, context) = priced_cart_workload(lines, promotions, mix, 42);
            // Fail loudly rather than benchmark an error path.
            match price_cart(&cart, &store.catalog, &store.rules, &context) {
                Ok(priced) if lines == 200 => {
                    let adjustments: usize = priced.lines.iter().map(|l| l.adjustments.len()).sum();
                    println!(
                        "{group_name} {lines} lines / {promotions} promotions: {adjustments} line adjustments, total {}",
                        priced.totals.total
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("workload {lines}/{promotions} does not price: {e}");
                    std::process::exit(1);
                }
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
    bench_mix(&mut criterion, "price_cart", PromotionMix::Shop);
    bench_mix(
        &mut criterion,
        "price_cart_everything_stacks",
        PromotionMix::EverythingStacks,
    );
    criterion.final_summary();
}
