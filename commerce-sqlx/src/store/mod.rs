//! [`SqlStore`]: one pool, implementing every storage port, one file per port.
//!
//! Every change runs in one transaction (`*_once` functions) and is run again by
//! [`retry`](crate::error::retry) if the database aborted it because of a concurrent one;
//! events are appended to the outbox inside the same transaction, so a change and its
//! events commit together or not at all.

mod accounts;
mod carts;
mod catalog;
mod inventory;
mod notifications;
mod orders;
mod outbox;
mod pricing;
mod recommendations;
mod reports;
mod reviews;
mod stock;

use std::sync::Arc;

use commerce_core::Error;
use commerce_core::ports::Stores;
use sqlx::Pool;

use crate::backend::{Backend, Sql};
use crate::config::DatabaseConfig;
use crate::error::{DbError, done, retry};

/// The storage adapter for one database: Postgres ([`PostgresStore`](crate::PostgresStore))
/// or SQLite ([`SqliteStore`](crate::SqliteStore)). Cheap to clone (it is a pool handle).
pub struct SqlStore<DB: Backend> {
    pool: Pool<DB>,
}

impl<DB: Backend> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Backend> std::fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqlStore<{}>", <DB as sqlx::Database>::NAME)
    }
}

impl<DB: Backend> SqlStore<DB> {
    /// Opens a pool for `config`. Does not migrate: call [`SqlStore::migrate`] (or use
    /// [`open`](crate::open), which does both).
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, Error> {
        done(DB::connect(config).await).map(SqlStore::from_pool)
    }

    /// Wraps a pool the host already has.
    pub fn from_pool(pool: Pool<DB>) -> Self {
        SqlStore { pool }
    }

    /// Applies the migrations this version needs (idempotent; safe to run from several
    /// processes at once — sqlx takes a lock).
    pub async fn migrate(&self) -> Result<(), Error> {
        done(DB::migrate(&self.pool).await)
    }

    /// The pool, for the host's own queries.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// Every storage port, backed by this database, for [`Commerce::new`](commerce_core::Commerce::new).
    pub fn stores(&self) -> Stores {
        let store = Arc::new(self.clone());
        Stores {
            catalog: store.clone(),
            pricing: store.clone(),
            carts: store.clone(),
            accounts: store.clone(),
            inventory: store.clone(),
            orders: store.clone(),
            outbox: store.clone(),
            notifications: store.clone(),
            reviews: store.clone(),
            recommendations: store.clone(),
            reports: store,
        }
    }

    /// Every row of one statement, on a pooled connection.
    pub(crate) async fn read_all(&self, sql: Sql) -> Result<Vec<DB::Row>, Error> {
        let mut conn = done(self.pool.acquire().await.map_err(DbError::from))?;
        done(DB::fetch_all(&mut conn, sql).await)
    }

    /// The row one statement returns, if any, on a pooled connection.
    pub(crate) async fn read_one(&self, sql: Sql) -> Result<Option<DB::Row>, Error> {
        let mut conn = done(self.pool.acquire().await.map_err(DbError::from))?;
        done(DB::fetch_optional(&mut conn, sql).await)
    }

    /// Runs one statement on its own (retried if it loses a race) and returns the number
    /// of rows it changed.
    pub(crate) async fn execute(&self, sql: Sql) -> Result<u64, Error> {
        retry(|| async {
            let mut conn = self.pool.acquire().await?;
            DB::execute(&mut conn, sql.clone()).await
        })
        .await
    }

    /// The documents one statement returns in its `doc` column, decoded.
    pub(crate) async fn read_docs<T: serde::de::DeserializeOwned>(
        &self,
        sql: Sql,
    ) -> Result<Vec<T>, Error> {
        let rows = self.read_all(sql).await?;
        done(rows.iter().map(|row| DB::doc(row, "doc")).collect())
    }

    /// The document one statement returns in its `doc` column, if any.
    pub(crate) async fn read_doc<T: serde::de::DeserializeOwned>(
        &self,
        sql: Sql,
    ) -> Result<Option<T>, Error> {
        let row = self.read_one(sql).await?;
        done(row.map(|row| DB::doc(&row, "doc")).transpose())
    }
}

/// The document one statement returns in its `doc` column, if any, on the caller's
/// connection (inside its transaction).
pub(crate) async fn fetch_doc<DB: Backend, T: serde::de::DeserializeOwned>(
    conn: &mut DB::Connection,
    sql: Sql,
) -> Result<Option<T>, DbError> {
    DB::fetch_optional(conn, sql)
        .await?
        .map(|row| DB::doc(&row, "doc"))
        .transpose()
}
