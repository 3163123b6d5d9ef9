//! The reports benchmark: commerce-sqlx's `reports` bench binary, which generates
//! 1,000,000 orders in a scratch Postgres database and times the monthly revenue report
//! through the adapter beside a hand-written single SQL query doing the same
//! aggregation, and prints both medians and their ratio itself.

use super::machine;
use crate::cargo;
use crate::postgres::Postgres;

/// Finds Postgres, prints the machine and runs `commerce-sqlx/benches/reports.rs` with
/// the admin URL in `COMMERCE_BENCH_DATABASE_URL` (`BENCH_REPORTS_ORDERS` and
/// `BENCH_REPORTS_RUNS` pass through). The bench drops its scratch database itself.
pub(super) fn run() -> Result<(), String> {
    let postgres = Postgres::find()?;
    machine::print(&postgres);
    cargo(
        &["bench", "-p", "commerce-sqlx", "--bench", "reports"],
        &[("COMMERCE_BENCH_DATABASE_URL", postgres.url())],
    )
}
