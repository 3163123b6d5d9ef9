//! Use cases: the engine a host application calls. [`Commerce`] holds the ports and
//! exposes every use case as a method, grouped in one file per area. Each use case takes
//! the acting [`Principal`](crate::identity::Principal) and enforces the access rules
//! itself; denials are [`Error::Forbidden`](crate::Error::Forbidden) and change nothing.

mod carts;
mod catalog;
mod checkout;
mod events;
mod identity;
mod inventory;
mod notifications;
mod orders;
mod payments;
mod prices;
mod recommendations;
mod reports;
mod reviews;
mod search;
mod shipping;

use std::sync::Arc;

pub use checkout::{Checkout, CheckoutRequest};
pub use notifications::{Delivery, NotificationSettings};
pub use orders::ShopOrder;
pub use payments::PaymentAttempt;
pub use reports::{LowStockReport, MAX_TOP_PRODUCTS, ReportRequest};
pub use reviews::ReviewInput;

use chrono::{DateTime, Duration, Utc};

use crate::cart::CartLimits;
use crate::error::Error;
use crate::identity::Principal;
use crate::ids::ShopId;
use crate::payment::CaptureMode;
use crate::ports::{Clock, PaymentProvider, SearchIndex, Stores};

/// Store-wide settings for the use cases.
#[derive(Clone, Debug)]
pub struct Config {
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// How long a password-reset token lasts.
    pub reset_token_ttl: Duration,
    /// How long checkout holds stock for an unpaid order.
    pub reservation_ttl: Duration,
    /// Cart quantity bounds.
    pub cart_limits: CartLimits,
    /// Capture payments at once or on demand.
    pub capture: CaptureMode,
    /// How often a use case recomputes and retries after losing a race.
    pub max_retries: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            session_ttl: Duration::days(30),
            reset_token_ttl: Duration::hours(1),
            reservation_ttl: Duration::minutes(15),
            cart_limits: CartLimits::default(),
            capture: CaptureMode::Automatic,
            max_retries: 8,
        }
    }
}

/// The commerce engine: every use case, over the ports the host wired in.
#[derive(Clone)]
pub struct Commerce {
    stores: Stores,
    payments: Arc<dyn PaymentProvider>,
    clock: Arc<dyn Clock>,
    config: Config,
    search: Option<Arc<dyn SearchIndex>>,
    notifications: NotificationSettings,
}

impl Commerce {
    /// An engine over `stores`, taking payments through `payments` and the time from
    /// `clock`.
    pub fn new(
        stores: Stores,
        payments: Arc<dyn PaymentProvider>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Self {
        Commerce {
            stores,
            payments,
            clock,
            config,
            search: None,
            notifications: NotificationSettings::default(),
        }
    }

    /// The same engine answering searches from `index` (see [`Commerce::search`]); keep it
    /// current with [`Commerce::search_indexer`] and [`Commerce::rebuild_search_index`].
    pub fn with_search(mut self, index: Arc<dyn SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    /// The storage ports (for host code and adapters' own jobs).
    pub fn stores(&self) -> &Stores {
        &self.stores
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Allowed for an admin, or the seller who owns `shop`.
    async fn require_shop_access(
        &self,
        actor: Principal,
        shop: ShopId,
        action: &'static str,
    ) -> Result<(), Error> {
        match actor {
            Principal::Admin(_) => Ok(()),
            Principal::Seller(seller) => {
                let owner = self.stores.catalog.shop(shop).await?.map(|s| s.seller);
                if owner == Some(seller) {
                    Ok(())
                } else {
                    Err(Error::forbidden(action))
                }
            }
            _ => Err(Error::forbidden(action)),
        }
    }
}
