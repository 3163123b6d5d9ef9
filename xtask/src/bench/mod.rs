//! The `bench` job: every benchmark, or the one named, each followed by its summary.

mod checkout;
mod machine;
mod pgbench;
mod pricing;
mod reports;
mod scale;
mod search;
mod shop;

/// The benchmarks `cargo xtask bench <name>` knows.
const KNOWN: &str = "pricing, checkout, search, reports, shop, scale";

/// Runs the benchmark `which`, or every benchmark when none is named.
pub(crate) fn run(which: Option<&str>) -> Result<(), String> {
    match which {
        None => {
            pricing::run()?;
            checkout::run()?;
            search::run()?;
            reports::run()?;
            shop::run()?;
            scale::run()
        }
        Some("pricing") => pricing::run(),
        Some("checkout") => checkout::run(),
        Some("search") => search::run(),
        Some("reports") => reports::run(),
        Some("shop") => shop::run(),
        Some("scale") => scale::run(),
        Some(other) => Err(format!("no benchmark named {other:?} (known: {KNOWN})")),
    }
}

/// One measured run of a throughput benchmark: what ran, how hard, and how it went.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    name: String,
    clients: u32,
    ops: u64,
    secs: f64,
    per_sec: f64,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
}

/// Prints `runs` as one table: name, clients, operations per second, p50 and p99.
fn print_table(runs: &[Run]) {
    let width = runs.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    println!(
        "{:<width$}  {:>7}  {:>10}  {:>8}  {:>8}",
        "run", "clients", "per second", "p50 ms", "p99 ms"
    );
    println!("{}", "-".repeat(width + 41));
    let ms = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}"));
    for run in runs {
        println!(
            "{:<width$}  {:>7}  {:>10.1}  {:>8}  {:>8}",
            run.name,
            run.clients,
            run.per_sec,
            ms(run.p50_ms),
            ms(run.p99_ms)
        );
    }
}
