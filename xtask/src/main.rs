//! `cargo xtask <job>`: the jobs cargo alone cannot do (the matklad convention).
//!
//! - `test`: the whole suite — every crate's unit, integration, property and doc tests,
//!   then the examples run for real. This is the README's one test command; as adapters
//!   arrive it also starts the real services their tests need.
//! - `lint`: formatting, clippy with warnings denied, rustdoc with warnings denied.
//! - `bench [pricing]`: the criterion benchmarks, then a table of medians with ratios.

// Benchmark timings are measurements, not money: floats are right here.
#![allow(clippy::float_arithmetic)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("lint") => lint(),
        Some("bench") => bench(args.get(1).map(String::as_str)),
        _ => Err("usage: cargo xtask <test | lint | bench [pricing]>\n  \
             test   run every test of the workspace (the README's test command)\n  \
             lint   cargo fmt --check, clippy -D warnings, rustdoc -D warnings\n  \
             bench  run the benchmarks and print their medians side by side"
            .to_owned()),
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

fn test() -> Result<(), String> {
    cargo(&["test", "--workspace", "--all-targets"], &[])?;
    // `--all-targets` leaves doc tests out; run them on their own.
    cargo(&["test", "--workspace", "--doc"], &[])?;
    for example in ["quickstart", "lifecycle"] {
        cargo(&["run", "--quiet", "--example", example], &[])?;
    }
    Ok(())
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

fn bench(which: Option<&str>) -> Result<(), String> {
    match which {
        None | Some("pricing") => {
            cargo(&["bench", "-p", "commerce-core", "--bench", "pricing"], &[])?;
            pricing_summary()
        }
        Some(other) => Err(format!("no benchmark named {other:?} (known: pricing)")),
    }
}

/// Criterion's median for one benchmark, in microseconds.
fn median_micros(group: &str, id: &str) -> Option<f64> {
    let path = root()
        .join("target/criterion")
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"]
        .as_f64()
        .map(|ns| ns / 1_000.0)
}

/// Prints the pricing medians of this run as tables: per cell the median, its ratio to
/// the same cart with no promotions, and the cost per line.
fn pricing_summary() -> Result<(), String> {
    const LINES: [u32; 4] = [1, 10, 100, 200];
    const PROMOTIONS: [u32; 3] = [0, 10, 50];
    println!("\nPricing medians from this run (µs; × = ratio to the same cart with 0 promotions)");
    for group in ["price_cart", "price_cart_everything_stacks"] {
        println!("\n{group}");
        print!("{:>14}", "promotions");
        for lines in LINES {
            print!("{:>24}", format!("{lines} lines"));
        }
        println!("{:>16}", "200 / 100 lines");
        for promotions in PROMOTIONS {
            print!("{promotions:>14}");
            let cell =
                |lines: u32| median_micros(group, &format!("{promotions}_promotions/{lines}"));
            for lines in LINES {
                let base = median_micros(group, &format!("0_promotions/{lines}"));
                match (cell(lines), base) {
                    (Some(m), Some(b)) => print!(
                        "{:>24}",
                        format!("{m:.1} ({:.2}×, {:.2}/line)", m / b, m / f64::from(lines))
                    ),
                    _ => print!("{:>24}", "n/a"),
                }
            }
            match (cell(200), cell(100)) {
                (Some(a), Some(b)) => println!("{:>16}", format!("{:.2}×", a / b)),
                _ => println!("{:>16}", "n/a"),
            }
        }
    }
    println!(
        "\nTarget: a 200-line cart with 50 promotions under 100 µs (price_cart row 50, column 200)."
    );
    Ok(())
}
