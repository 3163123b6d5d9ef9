//! `cargo xtask <job>`: the jobs cargo alone cannot do (the matklad convention).
//!
//! - `test`: the whole suite — every crate's unit, integration, property and doc tests,
//!   then the examples run for real. This is the README's one test command. It finds
//!   Postgres (`DATABASE_URL` if it is a `postgres://` URL, else
//!   `postgres://postgres@127.0.0.1:5432/postgres`, starting the local cluster if it is
//!   down) and fails when there is none; the tests get its admin URL in
//!   `COMMERCE_TEST_DATABASE_URL` and leftover `commerce_test_*` databases are dropped
//!   before and after. Once the facade has a `sqlite` feature, the lifecycle example
//!   also runs on SQLite (`DATABASE_URL=sqlite://target/lifecycle.db`).
//! - `lint`: formatting, clippy with warnings denied, rustdoc with warnings denied.
//! - `bench [pricing | checkout | search | reports | shop | scale]`: every benchmark, or the one named.
//!   `pricing`: the criterion benchmarks, then a table of medians with ratios.
//!   `checkout`: on the same Postgres, pgbench baselines (tpcb-like, a bare stock
//!   decrement on one hot row and over 10,000 rows) and commerce-sqlx's checkout bench,
//!   in one table with the ratios between them. `BENCH_SECS` sets each run's length.
//!   `search`: commerce-search's bench: a generated catalog (`BENCH_SEARCH_SIZES`,
//!   default 100,000 and 1,000,000 products) indexed by `TantivySearch` and loaded into
//!   Postgres FTS, then a fixed query mix on ours, raw tantivy and Postgres, with p50/p99,
//!   queries per second and ratios (also in `target/bench/search.json`).
//!   `reports`: commerce-sqlx's reports bench: the monthly revenue report over
//!   1,000,000 generated orders (`BENCH_REPORTS_ORDERS`) through the adapter, beside a
//!   hand-written single SQL query; medians of `BENCH_REPORTS_RUNS` runs and the ratio.
//!   `shop`: the example shop's checkout API over HTTP, 64 clients for `BENCH_SECS`
//!   (default 30) on SQLite and on Postgres, with a no-oversell check on each.
//!   `scale`: commerce-sqlx's scale bench: one price change, one add-to-cart and one
//!   whole order on SQLite and Postgres with catalogs of 1,000 and 100,000 products
//!   (`BENCH_SCALE_SIZES`, `BENCH_SCALE_RUNS`), medians and the largest/smallest ratio.
//!
//! URLs are printed with their password redacted.

// Benchmark timings are measurements, not money: floats are right here.
#![allow(clippy::float_arithmetic)]

mod bench;
mod chromium;
mod pg_url;
mod postgres;
mod process;
mod python;
mod service;
mod suite;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str =
    "usage: cargo xtask <test | lint | bench [pricing | checkout | search | reports | shop | scale]>
  test            run every test of the workspace (the README's test command); needs
                  Postgres: DATABASE_URL=postgres://... or the local cluster on 5432
  lint            cargo fmt --check, clippy -D warnings, rustdoc -D warnings
  bench           every benchmark below
  bench pricing   criterion pricing benchmarks, medians side by side
  bench checkout  checkouts per second on Postgres next to pgbench baselines
                  (BENCH_SECS=<seconds per run>, default 10)
  bench search    search latency: ours vs raw tantivy vs Postgres FTS
                  (BENCH_SEARCH_SIZES=100000,1000000 BENCH_SEARCH_RUNS=200)
  bench reports   monthly revenue report over 1,000,000 orders on Postgres: the
                  adapter vs one hand-written SQL query
                  (BENCH_REPORTS_ORDERS=1000000 BENCH_REPORTS_RUNS=7)
  bench shop      the example shop's checkout API, 64 clients, SQLite and Postgres,
                  with a no-oversell check (BENCH_SECS, default 30)
  bench scale     price change, add-to-cart and whole order at two catalog sizes on
                  SQLite and Postgres, with the ratio between them
                  (BENCH_SCALE_SIZES=1000,100000 BENCH_SCALE_RUNS=50)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => suite::run(),
        Some("lint") => lint(),
        Some("bench") => bench::run(args.get(1).map(String::as_str)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), Path::to_path_buf)
}

/// The directory cargo builds into: `CARGO_TARGET_DIR` if set, else the root's `target/`.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Runs `cargo` with `args` in the workspace root, failing with the command line.
fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("xtask: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not run {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

fn lint() -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"], &[])?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )
}
