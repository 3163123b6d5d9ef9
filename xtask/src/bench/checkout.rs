//! The checkout benchmark: checkouts per second against real Postgres, next to what the
//! same server does with pgbench (its standard transaction, and the bare stock decrement
//! a checkout contains), so the numbers say how much checkout itself costs.

use std::path::{Path, PathBuf};

use super::pgbench::Pgbench;
use super::{Run, machine, print_table};
use crate::postgres::Postgres;
use crate::{cargo, root, target_dir};

/// The scratch database the pgbench baselines run in, created fresh and dropped after.
const BENCH_DATABASE: &str = "commerce_bench";

/// Concurrent clients in every run.
const CLIENTS: u32 = 64;

/// Seconds per run unless `BENCH_SECS` says otherwise.
const DEFAULT_SECS: u64 = 10;

/// The bench in commerce-sqlx that measures checkouts, from the workspace root.
const CHECKOUT_BENCH: &str = "commerce-sqlx/benches/checkout.rs";

const TPCB: &str = "pgbench tpcb-like";
const BARE_HOT: &str = "bare UPDATE, one hot row";
const BARE_SPREAD: &str = "bare UPDATE, 10,000 rows";

/// One stock row with more than any run can sell, and 10,000 more like it.
const SETUP: [&str; 4] = [
    "CREATE TABLE bench_stock (sku text PRIMARY KEY, qty bigint NOT NULL)",
    "INSERT INTO bench_stock VALUES ('HOT', 1000000000000000)",
    "INSERT INTO bench_stock SELECT 'SKU-' || n, 1000000000000000 FROM generate_series(1, 10000) AS n",
    "VACUUM ANALYZE bench_stock",
];

const HOT_SCRIPT: &str = "UPDATE bench_stock SET qty = qty - 1 WHERE sku = 'HOT' AND qty >= 1;\n";

const SPREAD_SCRIPT: &str = "\\set n random(1, 10000)\n\
     UPDATE bench_stock SET qty = qty - 1 WHERE sku = 'SKU-' || :n AND qty >= 1;\n";

/// Runs the baselines and, when commerce-sqlx has it, the checkout bench; prints the
/// machine, one table of every run and the ratios. The scratch database and the logs
/// are removed whatever happens.
pub(super) fn run() -> Result<(), String> {
    let secs = bench_secs(std::env::var("BENCH_SECS").ok().as_deref())?;
    let postgres = Postgres::find()?;
    let logs = std::env::temp_dir().join(format!("xtask-pgbench-{}", std::process::id()));
    let result = fresh_dir(&logs)
        .and_then(|()| postgres.recreate_database(BENCH_DATABASE))
        .and_then(|()| measure(&postgres, secs, &logs));
    let dropped = postgres.drop_database(BENCH_DATABASE);
    // The logs are scratch; a leftover temp dir is not worth failing over.
    let _ = std::fs::remove_dir_all(&logs);
    result.and(dropped)
}

fn measure(postgres: &Postgres, secs: u64, logs: &Path) -> Result<(), String> {
    let bench_url = postgres.url_for(BENCH_DATABASE);
    let pgbench = Pgbench::new(bench_url.clone(), logs.to_path_buf(), secs);
    pgbench.initialize()?;
    let mut runs = vec![pgbench.run(TPCB, "tpcb", None, CLIENTS)?];
    crate::postgres::psql(&bench_url, &SETUP)?;
    let hot = write_script(logs, "hot.sql", HOT_SCRIPT)?;
    runs.push(pgbench.run(BARE_HOT, "hot", Some(&hot), CLIENTS)?);
    let spread = write_script(logs, "spread.sql", SPREAD_SCRIPT)?;
    runs.push(pgbench.run(BARE_SPREAD, "spread", Some(&spread), CLIENTS)?);

    let checkout = checkout_runs(postgres, secs)?;
    println!();
    machine::print(postgres);
    if let Some(machine) = checkout.as_ref().and_then(|c| c.machine.as_ref()) {
        println!("checkout bench says: {machine}");
    }
    println!("each run: {secs} s\n");
    let checkout = checkout.map(|c| c.runs).unwrap_or_default();
    runs.extend(checkout.iter().cloned());
    print_table(&runs);
    print_ratios(&runs, &checkout);
    Ok(())
}

/// What the checkout bench wrote: the machine it describes and its runs.
#[derive(Debug)]
struct CheckoutReport {
    machine: Option<String>,
    runs: Vec<Run>,
}

/// Runs commerce-sqlx's checkout bench and reads what it wrote; None when that bench
/// does not exist yet.
fn checkout_runs(postgres: &Postgres, secs: u64) -> Result<Option<CheckoutReport>, String> {
    if !root().join(CHECKOUT_BENCH).is_file() {
        println!(
            "xtask: {CHECKOUT_BENCH} does not exist yet: checkout runs skipped, baselines only"
        );
        return Ok(None);
    }
    let candidates = json_candidates();
    for stale in &candidates {
        let _ = std::fs::remove_file(stale);
    }
    let secs = secs.to_string();
    cargo(
        &["bench", "-p", "commerce-sqlx", "--bench", "checkout"],
        &[
            ("COMMERCE_BENCH_DATABASE_URL", postgres.url()),
            ("BENCH_SECS", &secs),
        ],
    )?;
    let path = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
        format!(
            "the checkout bench wrote no checkout.json (looked at {})",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    parse_checkout_json(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Where the checkout bench may have written `target/bench/checkout.json`: the target
/// directory cargo uses, the workspace's `target/`, or the package's own (a bench runs
/// in its package's directory).
fn json_candidates() -> Vec<PathBuf> {
    let mut candidates = vec![
        target_dir().join("bench/checkout.json"),
        root().join("target/bench/checkout.json"),
        root().join("commerce-sqlx/target/bench/checkout.json"),
    ];
    candidates.dedup();
    candidates
}

/// The machine line and the runs in the checkout bench's JSON.
fn parse_checkout_json(text: &str) -> Result<CheckoutReport, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let machine = json["machine"].as_str().map(str::to_owned);
    let runs = json["runs"]
        .as_array()
        .ok_or("no \"runs\" array")?
        .iter()
        .map(|run| {
            let name = run["name"].as_str().ok_or("a run without a name")?;
            let number = |field: &str| {
                run[field]
                    .as_f64()
                    .ok_or_else(|| format!("run {name:?} has no number {field:?}"))
            };
            Ok(Run {
                name: name.to_owned(),
                clients: run["clients"]
                    .as_u64()
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or_else(|| format!("run {name:?} has no \"clients\""))?,
                ops: run["ops"].as_u64().unwrap_or(0),
                secs: number("secs")?,
                per_sec: number("per_sec")?,
                p50_ms: run["p50_ms"].as_f64(),
                p99_ms: run["p99_ms"].as_f64(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(CheckoutReport { machine, runs })
}

/// The ratios of checkout throughput to the baselines, each with what it means.
fn print_ratios(all: &[Run], checkout: &[Run]) {
    println!("\nratios (per second over per second):");
    if checkout.is_empty() {
        println!("  none: no checkout runs to compare with the baselines");
        return;
    }
    let per_sec = |name: &str| all.iter().find(|r| r.name == name).map(|r| r.per_sec);
    for run in checkout {
        let lower = run.name.to_lowercase();
        let bare = if lower.contains("hot") {
            Some((
                BARE_HOT,
                "share of the bare one-row decrement's rate a whole checkout keeps when every client buys the same SKU (both queue on that row's lock)",
            ))
        } else if lower.contains("10,000") || lower.contains("10000") {
            Some((
                BARE_SPREAD,
                "share of the bare decrement's rate a whole checkout keeps when stock is spread over 10,000 rows (little lock contention)",
            ))
        } else {
            None
        };
        if let Some((baseline, meaning)) = bare {
            print_ratio(run, baseline, per_sec(baseline), meaning);
        }
        print_ratio(
            run,
            TPCB,
            per_sec(TPCB),
            "checkouts per pgbench's standard 5-statement write transaction on the same server",
        );
    }
}

fn print_ratio(run: &Run, baseline: &str, base: Option<f64>, meaning: &str) {
    match base {
        Some(base) if base > 0.0 => println!(
            "  {} / {baseline} = {:.3}\n      {meaning}",
            run.name,
            run.per_sec / base
        ),
        _ => println!("  {} / {baseline}: n/a (no baseline)", run.name),
    }
}

/// The seconds per run: `BENCH_SECS` if set (a whole number above 0), else 10.
fn bench_secs(var: Option<&str>) -> Result<u64, String> {
    match var.map(str::trim) {
        None | Some("") => Ok(DEFAULT_SECS),
        Some(text) => match text.parse::<u64>() {
            Ok(secs) if secs > 0 => Ok(secs),
            _ => Err(format!(
                "BENCH_SECS={text:?}: expected a whole number of seconds above 0"
            )),
        },
    }
}

fn write_script(dir: &Path, name: &str, text: &str) -> Result<PathBuf, String> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    Ok(path)
}

/// Makes `dir` exist and be empty.
fn fresh_dir(dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"machine": "2 cores", "runs": [
        {"name": "checkout, one hot SKU", "clients": 64, "ops": 1234, "secs": 10.0,
         "per_sec": 123.4, "p50_ms": 1.2, "p99_ms": 3.4},
        {"name": "checkout, 10,000 SKUs", "clients": 64, "ops": 5000, "secs": 10.0,
         "per_sec": 500.0, "p50_ms": 0.9, "p99_ms": null}]}"#;

    #[test]
    fn the_checkout_json_is_read() {
        let CheckoutReport { machine, runs } = parse_checkout_json(JSON).expect("valid");
        assert_eq!(machine.as_deref(), Some("2 cores"));
        assert_eq!(runs.len(), 2);
        assert_eq!(
            runs[0],
            Run {
                name: "checkout, one hot SKU".into(),
                clients: 64,
                ops: 1234,
                secs: 10.0,
                per_sec: 123.4,
                p50_ms: Some(1.2),
                p99_ms: Some(3.4),
            }
        );
        assert_eq!(runs[1].p99_ms, None);
    }

    #[test]
    fn a_checkout_json_missing_a_rate_is_refused() {
        let broken = r#"{"runs": [{"name": "x", "clients": 1, "secs": 1.0}]}"#;
        let error = parse_checkout_json(broken).expect_err("per_sec missing");
        assert!(error.contains("per_sec"), "{error}");
        assert!(parse_checkout_json("{}").is_err());
        assert!(parse_checkout_json("not json").is_err());
    }

    #[test]
    fn bench_secs_defaults_to_ten_and_refuses_nonsense() {
        assert_eq!(bench_secs(None), Ok(10));
        assert_eq!(bench_secs(Some("3")), Ok(3));
        assert!(bench_secs(Some("0")).is_err());
        assert!(bench_secs(Some("2.5")).is_err());
    }
}
