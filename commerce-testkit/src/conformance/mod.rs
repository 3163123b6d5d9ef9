//! The conformance suite: every storage port's contract as tests, written once against
//! the port traits. An adapter crate runs all of it with one macro call and a function
//! that makes fresh, empty stores:
//!
//! ```text
//! async fn fresh() -> commerce_core::ports::Stores { commerce_core::memory::stores() }
//! commerce_testkit::conformance_suite!(fresh);
//! ```
//!
//! The search index port has its own area, run separately with
//! [`search_conformance!`](crate::search_conformance) over a fresh index (see [`search`]).
//!
//! Each case gets its own fresh stores and runs on a multi-threaded tokio runtime (the
//! calling crate needs `tokio` as a dev-dependency). Cases test behaviour through the
//! ports only, never through an adapter's internals.

pub mod accounts;
pub mod carts;
pub mod catalog;
pub mod inventory;
pub mod notifications;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod prices;
pub mod pricing;
pub mod recommendations;
pub mod reports;
pub mod reviews;
pub mod search;

/// Every unpublished event in the outbox, oldest first.
pub async fn outbox_records(
    stores: &commerce_core::ports::Stores,
) -> Vec<commerce_core::events::EventRecord> {
    stores
        .outbox
        .unpublished(usize::MAX)
        .await
        .expect("read the outbox")
        .into_iter()
        .map(|entry| entry.record)
        .collect()
}

/// Words of a database's own error text (SQLite's, Postgres's, sqlx's) that must never
/// reach a caller, who has no schema to read them against.
pub const DATABASE_WORDS: [&str; 12] = [
    "UNIQUE",
    "constraint",
    "duplicate key",
    "violat",
    "_key",
    "pkey",
    "SQL",
    "sqlx",
    "accounts.",
    "products.",
    "shops.",
    "product_variants",
];

/// Asserts `error` says nothing of the database: none of [`DATABASE_WORDS`], in any case.
#[track_caller]
pub fn assert_no_database_text(error: &commerce_core::Error) {
    let shown = error.to_string().to_lowercase();
    for word in DATABASE_WORDS {
        assert!(
            !shown.contains(&word.to_lowercase()),
            "{error} quotes the database ({word})"
        );
    }
}

/// Expands to one `#[tokio::test]` per case of one area, in a module named after it.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($area:ident, $fresh:path, [$($case:ident),* $(,)?]) => {
        mod $area {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let stores = $fresh().await;
                    $crate::conformance::$area::$case(stores).await;
                }
            )*
        }
    };
}

/// Every area of the conformance suite against the stores `$fresh().await` makes.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::accounts_conformance!($fresh);
        $crate::carts_conformance!($fresh);
        $crate::catalog_conformance!($fresh);
        $crate::inventory_conformance!($fresh);
        $crate::notifications_conformance!($fresh);
        $crate::orders_conformance!($fresh);
        $crate::outbox_conformance!($fresh);
        $crate::payments_conformance!($fresh);
        $crate::pricing_conformance!($fresh);
        $crate::prices_conformance!($fresh);
        $crate::reviews_conformance!($fresh);
        $crate::recommendations_conformance!($fresh);
        $crate::reports_conformance!($fresh);
    };
}
