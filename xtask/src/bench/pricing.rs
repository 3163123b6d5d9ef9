//! The pricing benchmark (criterion, in commerce-core) and its table of medians.

use crate::{cargo, target_dir};

/// Runs the pricing benchmark, then prints its medians.
pub(super) fn run() -> Result<(), String> {
    cargo(&["bench", "-p", "commerce-core", "--bench", "pricing"], &[])?;
    summary()
}

/// Criterion's median for one benchmark, in microseconds.
fn median_micros(group: &str, id: &str) -> Option<f64> {
    let path = target_dir()
        .join("criterion")
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
fn summary() -> Result<(), String> {
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
