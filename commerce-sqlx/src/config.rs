//! Where the database is and how many connections to keep: a URL plus pool options.
//! The URL is held as a secret, and `Debug` shows it with the password redacted.

use std::fmt;
use std::time::Duration;

use commerce_core::Error;
use secrecy::{ExposeSecret, SecretString};
use sqlx::pool::PoolOptions;

/// The environment variable [`DatabaseConfig::from_env`] reads.
pub const DATABASE_URL: &str = "DATABASE_URL";

/// A database URL (`postgres://...` or `sqlite://path`) and pool options.
#[derive(Clone)]
pub struct DatabaseConfig {
    url: SecretString,
    /// Connections the pool opens at most (default 10).
    pub max_connections: u32,
    /// Connections the pool keeps open when idle (default 0).
    pub min_connections: u32,
    /// How long a caller waits for a free connection before `Unavailable` (default 10 s).
    pub acquire_timeout: Duration,
    /// SQLite only: how long a writer waits for the write lock (default 5 s).
    pub busy_timeout: Duration,
}

impl DatabaseConfig {
    /// A configuration for `url` with the default pool options. `InvalidInput` unless the
    /// URL is `postgres://`, `postgresql://` or `sqlite:`.
    pub fn new(url: impl Into<String>) -> Result<Self, Error> {
        let url: String = url.into();
        let config = DatabaseConfig {
            url: SecretString::from(url),
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(10),
            busy_timeout: Duration::from_secs(5),
        };
        if !config.is_postgres() && !config.is_sqlite() {
            return Err(Error::invalid(
                "database_url",
                format!(
                    "{} is neither postgres://... nor sqlite:...",
                    config.redacted_url()
                ),
            ));
        }
        Ok(config)
    }

    /// The configuration from `DATABASE_URL`; `None` when it is not set.
    pub fn from_env() -> Result<Option<Self>, Error> {
        match std::env::var(DATABASE_URL) {
            Ok(url) => DatabaseConfig::new(url).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The same, with at most `n` connections.
    pub fn with_max_connections(mut self, n: u32) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Whether the URL names a Postgres server.
    pub fn is_postgres(&self) -> bool {
        let url = self.url.expose_secret();
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// Whether the URL names a SQLite file (or `sqlite::memory:`).
    pub fn is_sqlite(&self) -> bool {
        self.url.expose_secret().starts_with("sqlite:")
    }

    /// The URL with any password replaced by `***`, safe to print.
    pub fn redacted_url(&self) -> String {
        redact(self.url.expose_secret())
    }

    /// The URL itself, for the driver only.
    pub(crate) fn url_secret(&self) -> &str {
        self.url.expose_secret()
    }

    pub(crate) fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// `options` with this configuration's pool sizes and timeouts.
    pub(crate) fn pool_options<DB: sqlx::Database>(
        &self,
        options: PoolOptions<DB>,
    ) -> PoolOptions<DB> {
        options
            .max_connections(self.max_connections)
            .min_connections(self.min_connections)
            .acquire_timeout(self.acquire_timeout)
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &self.redacted_url())
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("busy_timeout", &self.busy_timeout)
            .finish()
    }
}

/// `url` with its password (and any `password=` query parameter) replaced by `***`.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Only fails for URLs that cannot have a password, which this one has.
                let _ = parsed.set_password(Some("***"));
            }
            let query: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(k, v)| {
                    let secret = k.eq_ignore_ascii_case("password");
                    (
                        k.into_owned(),
                        if secret { "***".into() } else { v.into_owned() },
                    )
                })
                .collect();
            if !query.is_empty() {
                parsed.query_pairs_mut().clear().extend_pairs(query);
            }
            parsed.to_string()
        }
        // Not a URL we can take apart: show only the scheme.
        Err(_) => format!("{}://***", url.split(':').next().unwrap_or("?")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_redacted_url_never_show_the_password() {
        let config =
            DatabaseConfig::new("postgres://shop:hunter2@db.example:5432/shop?sslmode=require")
                .unwrap();
        let shown = format!("{config:?} {}", config.redacted_url());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("shop:***@db.example:5432/shop"), "{shown}");

        let in_query = DatabaseConfig::new("postgres://db/shop?user=a&password=hunter2").unwrap();
        assert!(!format!("{in_query:?}").contains("hunter2"));
    }

    #[test]
    fn only_postgres_and_sqlite_urls_are_accepted() {
        assert!(
            DatabaseConfig::new("postgresql://localhost/x")
                .unwrap()
                .is_postgres()
        );
        assert!(DatabaseConfig::new("sqlite://shop.db").unwrap().is_sqlite());
        assert!(DatabaseConfig::new("sqlite::memory:").unwrap().is_sqlite());
        let refused = DatabaseConfig::new("mysql://root:pw@localhost/x").unwrap_err();
        assert!(matches!(
            refused.kind(),
            commerce_core::ErrorKind::InvalidInput { .. }
        ));
        assert!(!refused.to_string().contains("pw@"), "{refused}");
    }
}
