//! Fresh databases for tests: what the conformance suite and the race tests run on, and
//! what a host's own tests can use.
//!
//! Postgres tests need a server. The admin URL comes from `COMMERCE_TEST_DATABASE_URL`
//! (which `cargo xtask test` sets after finding or starting the server), else from
//! `DATABASE_URL` when it is a Postgres URL, else the local default
//! `postgres://postgres@127.0.0.1:5432/postgres`. Each call creates a new database named
//! `commerce_test_<random>`; `cargo xtask test` drops them after the run. When no server
//! answers these functions panic with a message saying how to get one: a test that needs
//! Postgres fails, it is never skipped.

use commerce_core::ports::Stores;

use crate::config::DatabaseConfig;

/// The variable naming the Postgres server tests create their databases on.
pub const TEST_DATABASE_URL: &str = "COMMERCE_TEST_DATABASE_URL";

const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin URL of the Postgres server tests use (see the module docs).
pub fn admin_url() -> String {
    if let Ok(url) = std::env::var(TEST_DATABASE_URL) {
        return url;
    }
    match std::env::var(crate::DATABASE_URL) {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => url,
        _ => LOCAL_POSTGRES.to_owned(),
    }
}

#[allow(clippy::panic)] // a test without its database must fail loudly, never skip
fn no_server(url: &str, error: impl std::fmt::Display) -> ! {
    let shown = DatabaseConfig::new(url).map_or_else(|_| "?".to_owned(), |c| c.redacted_url());
    panic!(
        "no Postgres server for the tests at {shown}: {error}\n\
         Run the suite with `cargo xtask test` (it finds or starts the local server), or set \
         {TEST_DATABASE_URL}=postgres://user:password@host:port/postgres to a server where the \
         user may create databases (Debian: `apt install postgresql && pg_ctlcluster 15 main start`)."
    )
}

/// Creates a fresh, empty database on the test server and returns its configuration,
/// with at most `max_connections` connections. Not migrated.
#[cfg(feature = "postgres")]
#[allow(clippy::panic)]
pub async fn postgres_config(max_connections: u32) -> DatabaseConfig {
    use sqlx::Connection;

    let admin = admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(conn) => conn,
        Err(e) => no_server(&admin, e),
    };
    let name = format!("commerce_test_{}", uuid::Uuid::new_v4().simple());
    if let Err(e) = sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
    )
    .await
    {
        no_server(&admin, e);
    }
    let _ = conn.close().await;
    let mut url = match url::Url::parse(&admin) {
        Ok(url) => url,
        Err(e) => no_server(&admin, e),
    };
    url.set_path(&name);
    match DatabaseConfig::new(url.to_string()) {
        Ok(config) => config.with_max_connections(max_connections),
        Err(e) => no_server(&admin, e),
    }
}

/// A fresh, migrated Postgres store with at most `max_connections` connections.
#[cfg(feature = "postgres")]
#[allow(clippy::panic)]
pub async fn postgres_with(max_connections: u32) -> crate::PostgresStore {
    let config = postgres_config(max_connections).await;
    let store = match crate::PostgresStore::connect(&config).await {
        Ok(store) => store,
        Err(e) => no_server(&admin_url(), e),
    };
    if let Err(e) = store.migrate().await {
        panic!("migrating a fresh test database failed: {e}");
    }
    store
}

/// Every port on a fresh, migrated Postgres database (what the conformance suite runs on).
#[cfg(feature = "postgres")]
pub async fn postgres() -> Stores {
    postgres_with(4).await.stores()
}

/// A fresh, migrated SQLite store in a new file under the system's temporary directory.
#[cfg(feature = "sqlite")]
#[allow(clippy::panic)]
pub async fn sqlite_store() -> crate::SqliteStore {
    let dir = std::env::temp_dir().join("commerce-sqlx-tests");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    let path = dir.join(format!("{}.db", uuid::Uuid::new_v4().simple()));
    let config = match DatabaseConfig::new(format!("sqlite://{}", path.display())) {
        Ok(config) => config.with_max_connections(4),
        Err(e) => panic!("bad SQLite test path {}: {e}", path.display()),
    };
    let store = match crate::SqliteStore::connect(&config).await {
        Ok(store) => store,
        Err(e) => panic!("cannot open {}: {e}", path.display()),
    };
    if let Err(e) = store.migrate().await {
        panic!("migrating a fresh SQLite test database failed: {e}");
    }
    store
}

/// Every port on a fresh, migrated SQLite database.
#[cfg(feature = "sqlite")]
pub async fn sqlite() -> Stores {
    sqlite_store().await.stores()
}
