//! Postgres and SQLite storage for commerce-rs: every storage port of
//! [`commerce_core::ports`], on [sqlx](https://docs.rs/sqlx).
//!
//! ```no_run
//! # async fn run() -> Result<(), commerce_core::Error> {
//! use commerce_sqlx::DatabaseConfig;
//!
//! let config = DatabaseConfig::new("sqlite://shop.db")?; // or postgres://...
//! let stores = commerce_sqlx::open(&config).await?;      // connects and migrates
//! let shop = commerce_core::Commerce::new(
//!     stores,
//!     std::sync::Arc::new(commerce_core::memory::MemoryPayments::new(
//!         "whsec_demo",
//!         std::sync::Arc::new(commerce_core::ports::SystemClock),
//!     )),
//!     std::sync::Arc::new(commerce_core::ports::SystemClock),
//!     commerce_core::Config::default(),
//! );
//! # let _ = shop; Ok(()) }
//! ```
//!
//! - Postgres (feature `postgres`) is the production system of record; SQLite (feature
//!   `sqlite`) is the embedded default that needs no services. Both run the whole
//!   `commerce-testkit` conformance suite.
//! - Migrations are embedded (`sqlx::migrate!`) and applied by [`SqlStore::migrate`] or
//!   [`open`].
//! - Money is stored exactly: `NUMERIC` on Postgres, decimal text on SQLite, and decimal
//!   text inside the JSON documents; never floating point.
//! - Stock cannot be oversold: reservation is a row-locked read-modify-write inside the
//!   checkout transaction, and a `CHECK` constraint refuses any level that promises more
//!   than it holds (see the `stock` module's source for why this and not one conditional
//!   `UPDATE`).
//! - Errors map onto the core's kinds; no `sqlx::Error` escapes: unique and other
//!   constraint violations are `Conflict`, transactions aborted by a concurrent one are
//!   retried a bounded number of times and then `Unavailable`.

mod backend;
mod config;
mod error;
mod store;
pub mod testing;

pub use backend::Backend;
pub use config::{DATABASE_URL, DatabaseConfig};
pub use store::SqlStore;

use commerce_core::Error;
use commerce_core::ports::Stores;

/// The Postgres adapter.
#[cfg(feature = "postgres")]
pub type PostgresStore = SqlStore<sqlx::Postgres>;

/// The SQLite adapter.
#[cfg(feature = "sqlite")]
pub type SqliteStore = SqlStore<sqlx::Sqlite>;

/// Connects to the database `config` names (Postgres or SQLite, by its URL), applies the
/// migrations and returns every storage port. `InvalidInput` if the URL's database is not
/// compiled in.
pub async fn open(config: &DatabaseConfig) -> Result<Stores, Error> {
    #[cfg(feature = "postgres")]
    if config.is_postgres() {
        let store = PostgresStore::connect(config).await?;
        store.migrate().await?;
        return Ok(store.stores());
    }
    #[cfg(feature = "sqlite")]
    if config.is_sqlite() {
        let store = SqliteStore::connect(config).await?;
        store.migrate().await?;
        return Ok(store.stores());
    }
    Err(Error::invalid(
        "database_url",
        format!(
            "{} needs a database feature of commerce-sqlx that is not enabled",
            config.redacted_url()
        ),
    ))
}
