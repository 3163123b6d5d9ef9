//! Idempotency keys for the JSON API: a mutating request (`POST`, `PUT`, `PATCH`,
//! `DELETE`) that carries an `Idempotency-Key` header runs once; its answer is stored in
//! the shop's own database, keyed by (caller, method, path with query, key), together
//! with a SHA-256 fingerprint of the request body. Then:
//!
//! - a retry with the same key and the same body gets the stored answer (same status,
//!   same body, and `Idempotent-Replayed: true`) without the handler running again;
//! - the same key with a different body is a 422 naming `Idempotency-Key`;
//! - a retry while the first request still runs is a 409 (try again shortly).
//!
//! Only final answers are stored: 2xx, and 4xx other than 401, 408, 409 and 429 (those
//! may succeed on a later try, and like every error they changed nothing). A 5xx is never
//! stored, so a retry runs the request again. Records are kept for [`RETENTION`]; a
//! request still marked running after [`LEASE`] (its process died) may be taken over.
//!
//! The key stays optional: calls whose retry is harmless (cart quantity updates and
//! removals set absolute values) do not need one, but every mutating call accepts it.
//! Checkout is the exception in how it is handled, not in whether it takes a key: it
//! requires one and the engine itself stores the order with its key in the same
//! transaction (`Commerce::checkout`), so it is not replayed here.
//!
//! The handler runs in its own task, so a client hanging up mid-request does not leave
//! the work half recorded: the answer is stored for the retry.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use commerce::Error;
use commerce::identity::Principal;
use commerce::payment::IdempotencyKey;
use sha2::{Digest, Sha256};

use crate::auth::token_of;
use crate::errors::ApiError;
use crate::state::AppState;

/// How long an answer is kept for replay.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a request may stay marked running before a retry may take it over.
pub const LEASE: Duration = Duration::from_secs(60);
/// The largest request body the layer reads (the same as axum's default limit).
const MAX_BODY: usize = 2 * 1024 * 1024;
/// The header that marks a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS shop_idempotency (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status BIGINT,
    content_type TEXT,
    body TEXT,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
)";
/// Expiry deletes by age every background round: an index keeps that a range scan.
const CREATE_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS shop_idempotency_started ON shop_idempotency (started_at)";

/// Where the answers are kept: the shop's database (Postgres or SQLite), in its own
/// `shop_idempotency` table next to the engine's.
#[derive(Clone, Debug)]
pub enum ReplayStore {
    /// On Postgres.
    Postgres(sqlx::PgPool),
    /// On SQLite.
    Sqlite(sqlx::SqlitePool),
}

/// A stored request: its body's fingerprint, and its answer once it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    fingerprint: String,
    status: Option<i64>,
    content_type: Option<String>,
    body: Option<String>,
    started_at: i64,
}

type Row = (String, Option<i64>, Option<String>, Option<String>, i64);

impl From<Row> for Record {
    fn from(row: Row) -> Self {
        Record {
            fingerprint: row.0,
            status: row.1,
            content_type: row.2,
            body: row.3,
            started_at: row.4,
        }
    }
}

fn db(e: sqlx::Error) -> Error {
    Error::Unavailable(format!("idempotency store: {e}"))
}

/// Runs `$body` with `$pool` bound to whichever pool the store has (the query text and
/// binds are the same on both databases).
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            ReplayStore::Postgres($pool) => $body,
            ReplayStore::Sqlite($pool) => $body,
        }
    };
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl ReplayStore {
    /// The store on a Postgres pool, creating its table if needed.
    pub async fn postgres(pool: sqlx::PgPool) -> Result<Self, Error> {
        let store = ReplayStore::Postgres(pool);
        store.create_table().await?;
        Ok(store)
    }

    /// The store on a SQLite pool, creating its table if needed.
    pub async fn sqlite(pool: sqlx::SqlitePool) -> Result<Self, Error> {
        let store = ReplayStore::Sqlite(pool);
        store.create_table().await?;
        Ok(store)
    }

    async fn create_table(&self) -> Result<(), Error> {
        for statement in [CREATE_TABLE, CREATE_INDEX] {
            on_pool!(self, |pool| sqlx::query(statement)
                .execute(pool)
                .await
                .map(drop)
                .map_err(db))?;
        }
        Ok(())
    }

    /// Marks (scope, key) as running with `fingerprint`; false if there is a record.
    async fn claim(&self, scope: &str, key: &str, fingerprint: &str) -> Result<bool, Error> {
        const SQL: &str = "INSERT INTO shop_idempotency (scope, idem_key, fingerprint, started_at) \
            VALUES ($1, $2, $3, $4) ON CONFLICT (scope, idem_key) DO NOTHING";
        let done = on_pool!(self, |pool| sqlx::query(SQL)
            .bind(scope)
            .bind(key)
            .bind(fingerprint)
            .bind(now_millis())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db))?;
        Ok(done == 1)
    }

    /// Takes over a running record last started at `started_at` (its process gave up);
    /// false if someone else did first or it has finished meanwhile.
    async fn take_over(&self, scope: &str, key: &str, started_at: i64) -> Result<bool, Error> {
        const SQL: &str = "UPDATE shop_idempotency SET started_at = $1 \
            WHERE scope = $2 AND idem_key = $3 AND status IS NULL AND started_at = $4";
        let done = on_pool!(self, |pool| sqlx::query(SQL)
            .bind(now_millis())
            .bind(scope)
            .bind(key)
            .bind(started_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db))?;
        Ok(done == 1)
    }

    async fn record(&self, scope: &str, key: &str) -> Result<Option<Record>, Error> {
        const SQL: &str = "SELECT fingerprint, status, content_type, body, started_at \
            FROM shop_idempotency WHERE scope = $1 AND idem_key = $2";
        let row: Option<Row> = on_pool!(self, |pool| sqlx::query_as(SQL)
            .bind(scope)
            .bind(key)
            .fetch_optional(pool)
            .await
            .map_err(db))?;
        Ok(row.map(Record::from))
    }

    async fn finish(
        &self,
        scope: &str,
        key: &str,
        status: StatusCode,
        content_type: Option<&str>,
        body: &str,
    ) -> Result<(), Error> {
        const SQL: &str = "UPDATE shop_idempotency SET status = $1, content_type = $2, body = $3 \
            WHERE scope = $4 AND idem_key = $5";
        on_pool!(self, |pool| sqlx::query(SQL)
            .bind(i64::from(status.as_u16()))
            .bind(content_type)
            .bind(body)
            .bind(scope)
            .bind(key)
            .execute(pool)
            .await
            .map(drop)
            .map_err(db))
    }

    async fn release(&self, scope: &str, key: &str) -> Result<(), Error> {
        const SQL: &str = "DELETE FROM shop_idempotency WHERE scope = $1 AND idem_key = $2";
        on_pool!(self, |pool| sqlx::query(SQL)
            .bind(scope)
            .bind(key)
            .execute(pool)
            .await
            .map(drop)
            .map_err(db))
    }

    /// Forgets answers older than [`RETENTION`]; returns how many.
    pub async fn expire(&self) -> Result<u64, Error> {
        const SQL: &str = "DELETE FROM shop_idempotency WHERE started_at < $1";
        let before = now_millis().saturating_sub(millis(RETENTION));
        on_pool!(self, |pool| sqlx::query(SQL)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db))
    }
}

/// Whether an answer with `status` is final (stored for replay).
pub fn is_final(status: StatusCode) -> bool {
    status.is_success()
        || (status.is_client_error()
            && !matches!(
                status,
                StatusCode::UNAUTHORIZED
                    | StatusCode::REQUEST_TIMEOUT
                    | StatusCode::CONFLICT
                    | StatusCode::TOO_MANY_REQUESTS
            ))
}

/// The request's key, if it has one; a malformed one is a 400 naming the header.
fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::invalid("Idempotency-Key", "not visible ASCII"))?;
    IdempotencyKey::parse(value)
        .map_err(|e| ApiError::invalid("Idempotency-Key", e.to_string()))?;
    Ok(Some(value.to_owned()))
}

/// Who is calling, as a stable string; `None` for a token that does not authenticate
/// (the handler answers 401; nothing is stored).
async fn caller_scope(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let mut parts = Request::new(()).into_parts().0;
    parts.headers = headers.clone();
    let principal = match token_of(&parts) {
        None => Principal::Guest,
        Some(token) => state.commerce.authenticate(&token).await.ok()?,
    };
    Some(match principal {
        Principal::Guest => "guest".to_owned(),
        Principal::Customer(id) => format!("customer:{id}"),
        Principal::Seller(id) => format!("seller:{id}"),
        Principal::Admin(id) => format!("admin:{id}"),
    })
}

fn fingerprint(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Whether the layer handles a call: the API's mutating calls, except checkout (the
/// engine keeps its key); reads and the pages pass straight through.
fn replayable(method: &Method, path: &str) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && path.starts_with("/api/")
        && path != "/api/checkout"
}

fn answer(status: StatusCode, code: &'static str, message: &str) -> Response {
    ApiError {
        status,
        code,
        field: Some("Idempotency-Key".to_owned()),
        message: message.to_owned(),
    }
    .into_response()
}

fn replay(record: &Record) -> Response {
    let status = record
        .status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = Response::new(Body::from(record.body.clone().unwrap_or_default()));
    *response.status_mut() = status;
    if let Some(value) = record
        .content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// The middleware: see the module documentation.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !replayable(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let key = match key_of(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(e) => return e.into_response(),
    };
    let Some(caller) = caller_scope(&state, request.headers()).await else {
        return next.run(request).await;
    };
    let path = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let scope = format!("{caller} {} {path}", request.method());
    let (parts, body) = request.into_parts();
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "invalid_input",
                field: Some("body".to_owned()),
                message: format!("the body is larger than {MAX_BODY} bytes"),
            }
            .into_response();
        }
    };
    let print = fingerprint(&body);
    match admit(&state, &scope, &key, &print).await {
        Ok(None) => {}
        Ok(Some(early)) => return early,
        Err(e) => return ApiError::from(e).into_response(),
    }
    let request = Request::from_parts(parts, Body::from(body));
    // Run (and record) in a task of its own, so a client hanging up does not cut it
    // short between the work and its record.
    let task =
        tokio::spawn(async move { run_and_record(&state, next, request, &scope, &key).await });
    match task.await {
        Ok(response) => response,
        Err(e) => {
            ApiError::from(Error::Unavailable(format!("the request failed: {e}"))).into_response()
        }
    }
}

/// Decides whether this request runs: `None` when it has claimed the key, otherwise the
/// answer to give (a replay, 422 or 409).
async fn admit(
    state: &AppState,
    scope: &str,
    key: &str,
    print: &str,
) -> Result<Option<Response>, Error> {
    let store = &state.replay;
    for _ in 0..3 {
        if store.claim(scope, key, print).await? {
            return Ok(None);
        }
        let Some(record) = store.record(scope, key).await? else {
            continue; // released between the two statements: claim again
        };
        if record.fingerprint != print {
            return Ok(Some(answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "this Idempotency-Key was used with a different request body; use a new key for a new request",
            )));
        }
        if record.status.is_some() {
            return Ok(Some(replay(&record)));
        }
        let stale = now_millis().saturating_sub(record.started_at) > millis(LEASE);
        if stale && store.take_over(scope, key, record.started_at).await? {
            return Ok(None);
        }
        return Ok(Some(answer(
            StatusCode::CONFLICT,
            "conflict",
            "a request with this Idempotency-Key is still running; retry shortly",
        )));
    }
    Ok(Some(answer(
        StatusCode::CONFLICT,
        "conflict",
        "this Idempotency-Key is busy; retry shortly",
    )))
}

async fn run_and_record(
    state: &AppState,
    next: Next,
    request: Request,
    scope: &str,
    key: &str,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let (parts, body) = response.into_parts();
    // Our own handlers' answers: small JSON documents, read whole.
    let bytes = to_bytes(body, usize::MAX).await;
    let stored = match &bytes {
        Ok(bytes) if is_final(status) => match std::str::from_utf8(bytes) {
            Ok(text) => {
                let content_type = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                state
                    .replay
                    .finish(scope, key, status, content_type, text)
                    .await
            }
            Err(_) => state.replay.release(scope, key).await,
        },
        _ => state.replay.release(scope, key).await,
    };
    if let Err(e) = stored {
        eprintln!("idempotency: could not record {scope} {key}: {e}");
    }
    match bytes {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(e) => ApiError::from(Error::Unavailable(format!(
            "the answer could not be read: {e}"
        )))
        .into_response(),
    }
}
