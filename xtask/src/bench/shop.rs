//! The example shop's load benchmark: its checkout API over HTTP with 64 clients on
//! SQLite and on Postgres (the bench `commerce-shop/benches/checkout_api.rs`), with a
//! no-oversell check on each.

use super::{Run, machine, print_table};
use crate::postgres::Postgres;
use crate::{cargo, target_dir};

/// Seconds per run unless `BENCH_SECS` says otherwise.
const DEFAULT_SECS: &str = "30";

/// Runs the bench against the Postgres xtask finds, then prints the machine, the table
/// and each backend's oversell check.
pub(super) fn run() -> Result<(), String> {
    let secs = std::env::var("BENCH_SECS").unwrap_or_else(|_| DEFAULT_SECS.to_owned());
    let postgres = Postgres::find()?;
    let json = target_dir().join("bench/shop.json");
    let _ = std::fs::remove_file(&json);
    cargo(
        &["bench", "-p", "commerce-shop", "--bench", "checkout_api"],
        &[
            ("COMMERCE_BENCH_DATABASE_URL", postgres.url()),
            ("BENCH_SECS", &secs),
        ],
    )?;
    let text = std::fs::read_to_string(&json)
        .map_err(|e| format!("the shop bench wrote no {}: {e}", json.display()))?;
    let report: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", json.display()))?;
    let mut runs = Vec::new();
    let mut checks = Vec::new();
    for run in report["runs"].as_array().ok_or("no \"runs\" array")? {
        let name = run["name"]
            .as_str()
            .ok_or("a run without a name")?
            .to_owned();
        let number = |field: &str| {
            run[field]
                .as_f64()
                .ok_or_else(|| format!("run {name:?} has no number {field:?}"))
        };
        runs.push(Run {
            clients: run["clients"]
                .as_u64()
                .and_then(|c| u32::try_from(c).ok())
                .unwrap_or(0),
            ops: run["ops"].as_u64().unwrap_or(0),
            secs: number("secs")?,
            per_sec: number("per_sec")?,
            p50_ms: run["p50_ms"].as_f64(),
            p99_ms: run["p99_ms"].as_f64(),
            name: name.clone(),
        });
        let o = &run["oversell"];
        checks.push(format!(
            "  {name}: {} units raced by {} clients: {} sold, {} refused as sold out, {} reserved, {} available: {}",
            o["units"],
            run["clients"],
            o["sold"],
            o["refused"],
            o["reserved"],
            o["available"],
            if o["ok"] == true { "no unit oversold" } else { "OVERSOLD" }
        ));
    }
    println!();
    machine::print(&postgres);
    if let Some(machine) = report["machine"].as_str() {
        println!("shop bench says: {machine}");
    }
    println!(
        "each run: {secs} s; one operation = add a unit to the cart + check out (HTTP, JSON)\n"
    );
    print_table(&runs);
    println!("\nno-oversell check:");
    for check in &checks {
        println!("{check}");
    }
    Ok(())
}
