//! Postgres: `uuid`, `NUMERIC`, `timestamptz` and `jsonb` columns; row locks with
//! `FOR UPDATE`, claims with `SKIP LOCKED`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use sqlx::migrate::Migrator;

use sqlx::postgres::{PgArguments, PgConnection, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Executor, Pool, Postgres, Row, Transaction};
use uuid::Uuid;

use super::private::Sealed;
use super::{Backend, Sql, Value, begin_detached, corrupt};
use crate::config::DatabaseConfig;
use crate::error::DbError;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

impl Backend for Postgres {}

fn query(sql: &Sql) -> Query<'_, Postgres, PgArguments> {
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
            Value::Time(v) => query.bind(*v),
            Value::Money(v) => query.bind(*v),
            Value::Doc(v) => query.bind(Json(v.as_ref())),
        };
    }
    query
}

fn get<'r, T>(row: &'r PgRow, column: &str) -> Result<T, DbError>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(column)
        .map_err(|e| corrupt(format_args!("column {column}: {e}")))
}

impl Sealed for Postgres {
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const NEXT_ORDER_NUMBER: &'static str = "SELECT nextval('order_numbers') AS n";

    fn order_lines(order: &str, alias: &str) -> String {
        format!("jsonb_array_elements({order}.doc->'lines') AS {alias}")
    }

    fn line_product(alias: &str) -> String {
        format!("({alias}->>'product')")
    }

    fn order_has_product(order: &str, param: &str) -> String {
        format!(
            "jsonb_path_query_array({order}.doc->'lines', '$[*].product') \
             @> jsonb_build_array({param}::text)"
        )
    }

    async fn migrate(pool: &Pool<Self>) -> Result<(), DbError> {
        Ok(MIGRATOR.run(pool).await?)
    }

    async fn connect(config: &DatabaseConfig) -> Result<Pool<Postgres>, DbError> {
        let options = config.pool_options::<Postgres>(PgPoolOptions::new());
        Ok(options.connect(config.url_secret()).await?)
    }

    async fn begin_write(pool: &Pool<Postgres>) -> Result<Transaction<'static, Postgres>, DbError> {
        let pool = pool.clone();
        begin_detached(async move { pool.begin().await }).await
    }

    async fn begin_snapshot(
        pool: &Pool<Postgres>,
    ) -> Result<Transaction<'static, Postgres>, DbError> {
        let pool = pool.clone();
        begin_detached(async move {
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
        })
        .await
    }

    async fn fetch_all(conn: &mut PgConnection, sql: Sql) -> Result<Vec<PgRow>, DbError> {
        Ok(conn.fetch_all(query(&sql)).await?)
    }

    async fn fetch_optional(conn: &mut PgConnection, sql: Sql) -> Result<Option<PgRow>, DbError> {
        Ok(conn.fetch_optional(query(&sql)).await?)
    }

    async fn execute(conn: &mut PgConnection, sql: Sql) -> Result<u64, DbError> {
        Ok(conn.execute(query(&sql)).await?.rows_affected())
    }

    fn uuid(row: &PgRow, column: &str) -> Result<Uuid, DbError> {
        get(row, column)
    }

    fn opt_uuid(row: &PgRow, column: &str) -> Result<Option<Uuid>, DbError> {
        get(row, column)
    }

    fn int(row: &PgRow, column: &str) -> Result<i64, DbError> {
        get(row, column)
    }

    fn boolean(row: &PgRow, column: &str) -> Result<bool, DbError> {
        get(row, column)
    }

    fn text(row: &PgRow, column: &str) -> Result<String, DbError> {
        get(row, column)
    }

    fn time(row: &PgRow, column: &str) -> Result<DateTime<Utc>, DbError> {
        get(row, column)
    }

    fn money(row: &PgRow, column: &str) -> Result<Decimal, DbError> {
        get(row, column)
    }

    fn doc<T: DeserializeOwned>(row: &PgRow, column: &str) -> Result<T, DbError> {
        let Json(value) = get::<Json<T>>(row, column)?;
        Ok(value)
    }
}
