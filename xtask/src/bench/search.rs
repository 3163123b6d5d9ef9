//! The search benchmark: commerce-search's bench binary, which runs the same generated
//! catalog and query mix on `TantivySearch`, on plain tantivy over the same index and on
//! Postgres full-text search, and prints the table and ratios itself.

use super::machine;
use crate::cargo;
use crate::postgres::Postgres;

/// Finds Postgres, prints the machine and runs `commerce-search/benches/search.rs` with
/// the admin URL in `COMMERCE_BENCH_DATABASE_URL` (`BENCH_SEARCH_SIZES` and
/// `BENCH_SEARCH_RUNS` pass through). The bench drops its scratch database itself.
pub(super) fn run() -> Result<(), String> {
    let postgres = Postgres::find()?;
    machine::print(&postgres);
    cargo(
        &["bench", "-p", "commerce-search", "--bench", "search"],
        &[("COMMERCE_BENCH_DATABASE_URL", postgres.url())],
    )
}
