//! The engine the handlers share, wired from the [`Config`]: stores, payments, search,
//! notifications, and the background loop that feeds the search index and the inbox from
//! the outbox.

use std::sync::Arc;
use std::time::Duration;

use commerce::identity::Principal;
use commerce::memory::{MemoryInbox, MemoryPayments};
use commerce::ports::{Clock, PaymentProvider, SearchIndex, Stores, Subscriber, SystemClock};
use commerce::sql::DatabaseConfig;
use commerce::{Commerce, Currency, Error, NotificationSettings};
use secrecy::{ExposeSecret, SecretString};

use commerce::search_index::TantivySearch;

use crate::config::Config;
use crate::idempotency::ReplayStore;
use crate::webhook_secret::memory_webhook_secret;

/// What every handler reaches: the engine and the pieces of it the shop shows directly.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub commerce: Commerce,
    /// The same engine without the search index, for reads that can do without it: the
    /// product page's similar products when the index fails a "more like this" query.
    pub unindexed: Commerce,
    /// The in-memory payment provider, when the shop uses it (none with Stripe).
    pub memory_payments: Option<Arc<MemoryPayments>>,
    /// Whether `/api/payments/webhook` accepts the in-memory provider's webhooks
    /// ([`Config::memory_webhooks`]).
    pub memory_webhooks: bool,
    /// The shop's currency.
    pub currency: Currency,
    /// The answers kept for `Idempotency-Key` retries, in the shop's database.
    pub replay: ReplayStore,
    /// The search index was built by another version and has been emptied: it needs a
    /// rebuild from the stores.
    pub search_recreated: bool,
    subscribers: Arc<Vec<Arc<dyn Subscriber>>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the stores (creating and migrating the database), the search index and the
    /// payment provider the configuration names.
    pub async fn open(config: &Config) -> Result<Self, Error> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| Error::invalid("SHOP_DATA_DIR", e.to_string()))?;
        let url = match &config.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", config.data_dir.join("shop.db").display()),
        };
        Self::open_on(config, DatabaseConfig::new(url)?).await
    }

    /// The same on the database `database` names (whatever `config.database_url` says).
    pub async fn open_on(config: &Config, database: DatabaseConfig) -> Result<Self, Error> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| Error::invalid("SHOP_DATA_DIR", e.to_string()))?;
        let (stores, replay) = open_database(&database).await?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let (payments, memory_payments): (Arc<dyn PaymentProvider>, _) = match &config.stripe {
            Some(stripe) => {
                let mut settings = commerce::stripe::StripeConfig::new(
                    SecretString::from(stripe.secret_key.clone()),
                    SecretString::from(stripe.webhook_secret.clone()),
                );
                if let Some(base) = &stripe.api_base {
                    settings = settings.api_base(base.clone());
                }
                (
                    Arc::new(commerce::stripe::StripePayments::new(settings)?),
                    None,
                )
            }
            None => {
                let secret =
                    memory_webhook_secret(config.memory_webhook_secret.as_ref(), &config.data_dir)?;
                let memory = Arc::new(MemoryPayments::new(secret.expose_secret(), clock.clone()));
                (memory.clone(), Some(memory))
            }
        };
        let (index, search_recreated) = open_search(&config.data_dir.join("search"))?;
        let index: Arc<dyn SearchIndex> = Arc::new(index);
        let mut notifications =
            NotificationSettings::default().with_notifier(Arc::new(MemoryInbox::new()));
        if let Some(url) = &config.smtp_url {
            let smtp = commerce::smtp::SmtpConfig::from_url(url)?;
            notifications =
                notifications.with_notifier(Arc::new(commerce::smtp::SmtpNotifier::new(&smtp)?));
        }
        let settings = commerce::Config {
            session_ttl: config.session_ttl,
            ..commerce::Config::default()
        };
        let unindexed = Commerce::new(
            stores.clone(),
            payments.clone(),
            clock.clone(),
            settings.clone(),
        );
        let commerce = Commerce::new(stores, payments, clock, settings)
            .with_search(index)
            .with_notifications(notifications);
        let subscribers = vec![commerce.search_indexer(), commerce.notification_queuer()];
        Ok(AppState {
            commerce,
            unindexed,
            memory_payments,
            memory_webhooks: config.memory_webhooks,
            currency: Currency::USD,
            replay,
            search_recreated,
            subscribers: Arc::new(subscribers),
        })
    }

    /// After a bulk load: hands the pending events to the notification queue only, then
    /// rebuilds the search index from the stores in one go (instead of one index commit
    /// per event).
    pub async fn rebuild_after_bulk_load(&self) -> Result<u64, Error> {
        let queuer = [self.commerce.notification_queuer()];
        while self.commerce.publish_events(&queuer, 1000).await? > 0 {}
        let admin = Principal::Admin(commerce::AdminId::from_u128(0xAD_0000));
        self.commerce.rebuild_search_index(admin).await
    }

    /// One round of background work: publish pending events to the search indexer and
    /// the notification queue, then deliver due notifications. Returns how many events
    /// were published.
    pub async fn pump(&self) -> Result<usize, Error> {
        let mut published = 0;
        loop {
            let n = self.commerce.publish_events(&self.subscribers, 500).await?;
            published += n;
            if n == 0 {
                break;
            }
        }
        self.commerce.deliver_notifications(100).await?;
        self.commerce.expire_reservations().await?;
        self.replay.expire().await?;
        Ok(published)
    }

    /// Runs [`pump`](Self::pump) every half second until the task is dropped, logging
    /// failures to stderr (a failed round is retried on the next tick).
    pub async fn run_background(self) {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if let Err(e) = self.pump().await {
                eprintln!("background work failed (will retry): {e}");
            }
        }
    }
}

/// Connects to and migrates the engine's database, and opens the shop's own table of
/// idempotent answers on the same pool.
/// The search index in `dir`; one built with another schema (by an older version of the
/// shop) is emptied (the second value says so): it is derived data, rebuilt from the
/// stores.
fn open_search(dir: &std::path::Path) -> Result<(TantivySearch, bool), Error> {
    match TantivySearch::open(dir) {
        Ok(index) => Ok((index, false)),
        Err(Error::Conflict(reason)) => {
            eprintln!("{reason}: emptying it to rebuild it");
            Ok((TantivySearch::recreate(dir)?, true))
        }
        Err(error) => Err(error),
    }
}

async fn open_database(database: &DatabaseConfig) -> Result<(Stores, ReplayStore), Error> {
    if database.is_postgres() {
        let store = commerce::sql::PostgresStore::connect(database).await?;
        store.migrate().await?;
        let replay = ReplayStore::postgres(store.pool().clone()).await?;
        return Ok((store.stores(), replay));
    }
    if database.is_sqlite() {
        let store = commerce::sql::SqliteStore::connect(database).await?;
        store.migrate().await?;
        let replay = ReplayStore::sqlite(store.pool().clone()).await?;
        return Ok((store.stores(), replay));
    }
    Err(Error::invalid(
        "DATABASE_URL",
        format!(
            "{} is neither a postgres:// nor a sqlite:// URL",
            database.redacted_url()
        ),
    ))
}
