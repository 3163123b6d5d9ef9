//! What differs between the databases, behind one small sealed trait, so every store is
//! written once.
//!
//! Stores build statements as [`Sql`] — text with `$1`, `$2`, ... placeholders (both
//! databases accept them) and [`Value`]s — and read rows through the typed getters of
//! [`Backend`]. Each database decides how a value is stored: a UUID is `uuid` on Postgres
//! and a 16-byte blob on SQLite, money is `NUMERIC` on Postgres and exact decimal text on
//! SQLite, a time is `timestamptz` on Postgres and integer microseconds on SQLite, a
//! document is `jsonb` on Postgres and JSON text on SQLite.

// The sealed-trait pattern: `Sealed` is public so it can bound the public `Backend`,
// but lives in a private module, so the crate-private types in its signatures are out of
// reach of other crates all the same.
#![allow(private_interfaces, private_bounds)]

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::future::Future;

use chrono::{DateTime, Utc};
use commerce_core::Error;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use sqlx::{Pool, Transaction};
use uuid::Uuid;

use crate::config::DatabaseConfig;
use crate::error::DbError;

/// One bindable value.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Uuid(Uuid),
    OptUuid(Option<Uuid>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    Text(String),
    OptText(Option<String>),
    Time(DateTime<Utc>),
    Money(Decimal),
    Doc(Box<RawValue>),
}

impl From<Uuid> for Value {
    fn from(v: Uuid) -> Self {
        Value::Uuid(v)
    }
}
impl From<Option<Uuid>> for Value {
    fn from(v: Option<Uuid>) -> Self {
        Value::OptUuid(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::OptInt(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::OptText(v)
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Time(v)
    }
}
impl From<Decimal> for Value {
    fn from(v: Decimal) -> Self {
        Value::Money(v)
    }
}

/// A statement and its arguments.
#[derive(Clone, Debug)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) args: Vec<Value>,
}

impl Sql {
    /// A statement with `$n` placeholders.
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Into<Value>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Binds the next placeholder to `value` as a JSON document.
    pub(crate) fn doc(mut self, value: &impl Serialize) -> Result<Self, Error> {
        let raw = serde_json::value::to_raw_value(value)
            .map_err(|e| Error::Unavailable(format!("could not encode a stored document: {e}")))?;
        self.args.push(Value::Doc(raw));
        Ok(self)
    }
}

/// A database commerce-sqlx stores into: Postgres or SQLite. Sealed: only this crate
/// implements it.
pub trait Backend: sqlx::Database + private::Sealed {}

pub(crate) mod private {
    use super::*;

    /// The part of [`Backend`](super::Backend) the stores use. Public only so it can
    /// bound the public `Backend`; it is out of reach of other crates.
    #[allow(unreachable_pub)]
    pub trait Sealed: sqlx::Database + Sized {
        /// Appended to a `SELECT` that must lock the rows it reads until commit (empty on
        /// SQLite, where a write transaction already excludes every other writer).
        const FOR_UPDATE: &'static str;
        /// Appended to a `SELECT` that claims rows no concurrent claimer holds.
        const SKIP_LOCKED: &'static str;
        /// A statement returning the next order number as its one column.
        const NEXT_ORDER_NUMBER: &'static str;

        /// A `FROM` item over the lines (`doc.lines`) of the order aliased `order`, each
        /// aliased `alias`; read a line's product with [`Sealed::line_product`].
        fn order_lines(order: &str, alias: &str) -> String;

        /// The product id, as text, of the order line aliased `alias`.
        fn line_product(alias: &str) -> String;

        /// A condition: the order aliased `order` has a line of the product whose id (as
        /// text) is the parameter `param` (on Postgres answered from the
        /// `orders_line_products` index).
        fn order_has_product(order: &str, param: &str) -> String;

        /// Applies this database's migrations.
        fn migrate(pool: &Pool<Self>) -> impl Future<Output = Result<(), DbError>> + Send;

        /// A pool for `config`.
        fn connect(
            config: &DatabaseConfig,
        ) -> impl Future<Output = Result<Pool<Self>, DbError>> + Send;

        /// Begins a transaction that will write (on SQLite `BEGIN IMMEDIATE`, so it takes
        /// the write lock up front instead of failing on upgrade).
        fn begin_write(
            pool: &Pool<Self>,
        ) -> impl Future<Output = Result<Transaction<'static, Self>, DbError>> + Send;

        /// Begins a read-only transaction that sees one snapshot.
        fn begin_snapshot(
            pool: &Pool<Self>,
        ) -> impl Future<Output = Result<Transaction<'static, Self>, DbError>> + Send;

        /// Every row `sql` returns.
        fn fetch_all<'c>(
            conn: &'c mut Self::Connection,
            sql: Sql,
        ) -> impl Future<Output = Result<Vec<Self::Row>, DbError>> + Send + 'c;

        /// The one row `sql` returns, if any.
        fn fetch_optional<'c>(
            conn: &'c mut Self::Connection,
            sql: Sql,
        ) -> impl Future<Output = Result<Option<Self::Row>, DbError>> + Send + 'c;

        /// Runs `sql` and returns the number of rows it changed.
        fn execute<'c>(
            conn: &'c mut Self::Connection,
            sql: Sql,
        ) -> impl Future<Output = Result<u64, DbError>> + Send + 'c;

        /// A UUID column.
        fn uuid(row: &Self::Row, column: &str) -> Result<Uuid, DbError>;
        /// A nullable UUID column.
        fn opt_uuid(row: &Self::Row, column: &str) -> Result<Option<Uuid>, DbError>;
        /// An integer column.
        fn int(row: &Self::Row, column: &str) -> Result<i64, DbError>;
        /// A boolean column.
        fn boolean(row: &Self::Row, column: &str) -> Result<bool, DbError>;
        /// A text column.
        fn text(row: &Self::Row, column: &str) -> Result<String, DbError>;
        /// A time column.
        fn time(row: &Self::Row, column: &str) -> Result<DateTime<Utc>, DbError>;
        /// A money column.
        fn money(row: &Self::Row, column: &str) -> Result<Decimal, DbError>;
        /// A JSON document column, decoded.
        fn doc<T: DeserializeOwned>(row: &Self::Row, column: &str) -> Result<T, DbError>;
    }
}

/// A stored document that no longer decodes: the schema and the code disagree.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> DbError {
    DbError::Fail(Error::Unavailable(format!(
        "stored data does not decode: {what}"
    )))
}

/// Runs a `BEGIN` to completion even if the caller stops waiting for it.
///
/// sqlx counts a transaction only once its `BEGIN` has been answered; a caller dropped in
/// between (a timeout, a client gone) would hand the pool back a connection that is in a
/// transaction nobody knows about, and the next user of that connection would run inside
/// it. Spawned, the `BEGIN` always finishes and its `Transaction` is dropped properly
/// (rolled back) when no one takes it.
pub(crate) async fn begin_detached<DB, F>(begin: F) -> Result<Transaction<'static, DB>, DbError>
where
    DB: sqlx::Database,
    F: Future<Output = Result<Transaction<'static, DB>, sqlx::Error>> + Send + 'static,
{
    match tokio::spawn(begin).await {
        Ok(result) => Ok(result?),
        Err(e) => Err(DbError::Fail(Error::Unavailable(format!(
            "beginning a transaction failed: {e}"
        )))),
    }
}
