//! SQLite: UUIDs as 16-byte blobs, money as exact decimal text, times as integer
//! microseconds since the epoch (so they compare in SQL), documents as JSON text. One
//! writer at a time: write transactions begin `IMMEDIATE`, so row locks are not needed.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use sqlx::migrate::Migrator;

use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Executor, Pool, Row, Sqlite, Transaction};
use uuid::Uuid;

use super::private::Sealed;
use super::{Backend, Sql, Value, begin_detached, corrupt};
use crate::config::DatabaseConfig;
use crate::error::DbError;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

impl Backend for Sqlite {}

/// A time as stored: microseconds since the Unix epoch.
fn micros(at: &DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn query(sql: &Sql) -> Query<'_, Sqlite, SqliteArguments> {
    let mut query = sqlx::query(AssertSqlSafe(sql.text.as_str()));
    for value in &sql.args {
        query = match value {
            Value::Uuid(v) => query.bind(*v),
            Value::OptUuid(v) => query.bind(*v),
            Value::Int(v) => query.bind(*v),
            Value::OptInt(v) => query.bind(*v),
            Value::Bool(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.as_str()),
            Value::OptText(v) => query.bind(v.as_deref()),
            Value::Time(v) => query.bind(micros(v)),
            Value::Money(v) => query.bind(v.to_string()),
            Value::Doc(v) => query.bind(v.get()),
        };
    }
    query
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T, DbError>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column)
        .map_err(|e| corrupt(format_args!("column {column}: {e}")))
}

impl Sealed for Sqlite {
    const FOR_UPDATE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    const NEXT_ORDER_NUMBER: &'static str =
        "UPDATE counters SET value = value + 1 WHERE name = 'order_number' RETURNING value AS n";

    fn order_lines(order: &str, alias: &str) -> String {
        format!("json_each({order}.doc, '$.lines') AS {alias}")
    }

    fn line_product(alias: &str) -> String {
        format!("json_extract({alias}.value, '$.product')")
    }

    fn order_has_product(order: &str, param: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM json_each({order}.doc, '$.lines') AS has \
             WHERE json_extract(has.value, '$.product') = {param})"
        )
    }

    async fn migrate(pool: &Pool<Self>) -> Result<(), DbError> {
        Ok(MIGRATOR.run(pool).await?)
    }

    async fn connect(config: &DatabaseConfig) -> Result<Pool<Sqlite>, DbError> {
        let options = SqliteConnectOptions::from_str(config.url_secret())?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(config.busy_timeout());
        let pool = config.pool_options::<Sqlite>(SqlitePoolOptions::new());
        Ok(pool.connect_with(options).await?)
    }

    async fn begin_write(pool: &Pool<Sqlite>) -> Result<Transaction<'static, Sqlite>, DbError> {
        let pool = pool.clone();
        begin_detached(async move { pool.begin_with("BEGIN IMMEDIATE").await }).await
    }

    async fn begin_snapshot(pool: &Pool<Sqlite>) -> Result<Transaction<'static, Sqlite>, DbError> {
        // A deferred transaction reads one snapshot in WAL mode.
        let pool = pool.clone();
        begin_detached(async move { pool.begin().await }).await
    }

    async fn fetch_all(conn: &mut SqliteConnection, sql: Sql) -> Result<Vec<SqliteRow>, DbError> {
        Ok(conn.fetch_all(query(&sql)).await?)
    }

    async fn fetch_optional(
        conn: &mut SqliteConnection,
        sql: Sql,
    ) -> Result<Option<SqliteRow>, DbError> {
        Ok(conn.fetch_optional(query(&sql)).await?)
    }

    async fn execute(conn: &mut SqliteConnection, sql: Sql) -> Result<u64, DbError> {
        Ok(conn.execute(query(&sql)).await?.rows_affected())
    }

    fn uuid(row: &SqliteRow, column: &str) -> Result<Uuid, DbError> {
        get(row, column)
    }

    fn opt_uuid(row: &SqliteRow, column: &str) -> Result<Option<Uuid>, DbError> {
        get(row, column)
    }

    fn int(row: &SqliteRow, column: &str) -> Result<i64, DbError> {
        get(row, column)
    }

    fn boolean(row: &SqliteRow, column: &str) -> Result<bool, DbError> {
        get(row, column)
    }

    fn text(row: &SqliteRow, column: &str) -> Result<String, DbError> {
        get(row, column)
    }

    fn time(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>, DbError> {
        let micros: i64 = get(row, column)?;
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| corrupt(format_args!("column {column}: time {micros} out of range")))
    }

    fn money(row: &SqliteRow, column: &str) -> Result<Decimal, DbError> {
        let text: String = get(row, column)?;
        Decimal::from_str(&text).map_err(|e| corrupt(format_args!("column {column}: {e}")))
    }

    fn doc<T: DeserializeOwned>(row: &SqliteRow, column: &str) -> Result<T, DbError> {
        let text: &str = get(row, column)?;
        serde_json::from_str(text).map_err(|e| corrupt(format_args!("column {column}: {e}")))
    }
}
