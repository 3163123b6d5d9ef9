//! The shop's settings, read from the environment. With nothing set it needs no
//! services: SQLite and a tantivy index in the data directory, the in-memory payment
//! provider and an in-app inbox.

use std::net::SocketAddr;
use std::path::PathBuf;

use commerce::Error;
use secrecy::SecretString;

/// Where the shop keeps its data and which services it uses.
#[derive(Clone, Debug)]
pub struct Config {
    /// The address to listen on (`SHOP_ADDR`, default `127.0.0.1:3000`; port 0 picks one).
    pub addr: SocketAddr,
    /// The data directory (`SHOP_DATA_DIR`, default `target/shop-data`): the SQLite
    /// database and the search index live here.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: a `postgres://` or `sqlite:` URL; `None` uses SQLite in the data
    /// directory.
    pub database_url: Option<String>,
    /// Stripe settings, when `STRIPE_SECRET_KEY` is set.
    pub stripe: Option<StripeSettings>,
    /// `SMTP_URL`: send e-mail through this server as well as to the in-app inbox.
    pub smtp_url: Option<String>,
    /// Load the demo catalog when the store is empty (`SHOP_DEMO=0` turns it off).
    pub demo: bool,
    /// How long a session lasts (30 days).
    pub session_ttl: chrono::Duration,
    /// Accept the in-memory payment provider's webhooks at `/api/payments/webhook`
    /// (`SHOP_MEMORY_WEBHOOKS=1`). Off by default: the route then refuses them (403)
    /// without applying anything. Stripe's webhooks do not depend on it.
    pub memory_webhooks: bool,
    /// `SHOP_MEMORY_WEBHOOK_SECRET`: what the in-memory provider signs its webhooks with
    /// (at least 32 characters). Unset, a random secret is made on first start and kept in
    /// the data directory's `memory-webhook-secret` file (owner-only permissions).
    pub memory_webhook_secret: Option<SecretString>,
}

/// Stripe's settings (`STRIPE_SECRET_KEY`, `STRIPE_API_BASE`, `STRIPE_WEBHOOK_SECRET`).
#[derive(Clone)]
pub struct StripeSettings {
    /// The secret API key.
    pub secret_key: String,
    /// Another API base (a local Stripe double), if any.
    pub api_base: Option<String>,
    /// The webhook signing secret.
    pub webhook_secret: String,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The settings from the environment.
    pub fn from_env() -> Result<Self, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = match var("SHOP_ADDR") {
            Some(addr) => addr
                .parse()
                .map_err(|_| Error::invalid("SHOP_ADDR", format!("{addr:?} is not host:port")))?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let stripe = var("STRIPE_SECRET_KEY").map(|secret_key| StripeSettings {
            secret_key,
            api_base: var("STRIPE_API_BASE"),
            webhook_secret: var("STRIPE_WEBHOOK_SECRET").unwrap_or_default(),
        });
        Ok(Config {
            addr,
            data_dir: var("SHOP_DATA_DIR")
                .map_or_else(|| PathBuf::from("target/shop-data"), PathBuf::from),
            database_url: var("DATABASE_URL"),
            stripe,
            smtp_url: var("SMTP_URL"),
            demo: var("SHOP_DEMO").is_none_or(|v| v != "0"),
            session_ttl: chrono::Duration::days(30),
            memory_webhooks: var("SHOP_MEMORY_WEBHOOKS").is_some_and(|v| v == "1"),
            memory_webhook_secret: var("SHOP_MEMORY_WEBHOOK_SECRET").map(SecretString::from),
        })
    }

    /// Settings for tests: everything in `data_dir`, port 0, the demo catalog, in-memory
    /// webhooks off.
    pub fn local(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            database_url: None,
            stripe: None,
            smtp_url: None,
            demo: true,
            session_ttl: chrono::Duration::days(30),
            memory_webhooks: false,
            memory_webhook_secret: None,
        }
    }
}
