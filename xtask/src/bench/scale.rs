//! The scale benchmark: commerce-sqlx's `scale` bench binary, which times one price
//! change, one add-to-cart and one whole order on SQLite and Postgres with catalogs of
//! 1,000 and 100,000 products (`BENCH_SCALE_SIZES`, `BENCH_SCALE_RUNS` pass through) and
//! prints each median and the ratio of the largest size to the smallest.

use super::machine;
use crate::cargo;
use crate::postgres::Postgres;

/// Finds Postgres, prints the machine, runs `commerce-sqlx/benches/scale.rs` with the
/// admin URL as the tests get it, and drops the scratch databases afterwards.
pub(super) fn run() -> Result<(), String> {
    let postgres = Postgres::find()?;
    machine::print(&postgres);
    let result = cargo(
        &["bench", "-p", "commerce-sqlx", "--bench", "scale"],
        &[("COMMERCE_TEST_DATABASE_URL", postgres.url())],
    );
    let cleanup = postgres.drop_test_databases().map(drop);
    result.and(cleanup)
}
