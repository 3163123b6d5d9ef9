//! Ports: the traits the core needs from the outside world, one file per port. Each
//! method documents its contract — what it must do, including on absence and on
//! conflict — and `commerce-testkit` checks exactly that contract against every adapter.
//!
//! Ports are `async` through [`async_trait`](https://docs.rs/async-trait), chosen once for
//! the whole workspace because it keeps them object-safe (`Arc<dyn OrderStore>`) and their
//! futures `Send`. The core never picks an async runtime.
//!
//! Lookups return `Ok(None)` for absence; mutations of something absent return
//! [`Error::NotFound`](crate::Error::NotFound). Methods that take `events` append them to
//! the outbox in the same atomic step as the change, or not at all.

mod accounts;
mod carts;
mod catalog;
mod clock;
mod inventory;
mod notifications;
mod notifier;
mod orders;
mod outbox;
mod payments;
mod pricing;
mod publisher;
mod recommendations;
mod reports;
mod reviews;
mod search;
mod subscriber;

use std::sync::Arc;

pub use accounts::AccountStore;
pub use carts::CartStore;
pub use catalog::CatalogStore;
pub use clock::{Clock, SystemClock};
pub use inventory::InventoryStore;
pub use notifications::NotificationStore;
pub use notifier::{Notifier, SendError};
pub use orders::{OrderStore, OrderUpdate, PlaceOrder, Placed, PromotionLimit};
pub use outbox::Outbox;
pub use payments::PaymentProvider;
pub use pricing::{PriceChange, PricingStore};
pub use publisher::{Published, Publisher};
pub use recommendations::RecommendationStore;
pub use reports::ReportStore;
pub use reviews::{ReviewStore, ReviewUpdate};
pub use search::SearchIndex;
pub use subscriber::Subscriber;

/// Every storage port, as trait objects: what a storage adapter hands the engine.
#[derive(Clone)]
pub struct Stores {
    /// Shops, categories and products.
    pub catalog: Arc<dyn CatalogStore>,
    /// Price lists, promotions, tax and shipping methods.
    pub pricing: Arc<dyn PricingStore>,
    /// Carts.
    pub carts: Arc<dyn CartStore>,
    /// Accounts, sessions, reset tokens and addresses.
    pub accounts: Arc<dyn AccountStore>,
    /// Stock and reservations.
    pub inventory: Arc<dyn InventoryStore>,
    /// Orders, with the atomic checkout and update operations.
    pub orders: Arc<dyn OrderStore>,
    /// The event outbox.
    pub outbox: Arc<dyn Outbox>,
    /// The notification queue and history.
    pub notifications: Arc<dyn NotificationStore>,
    /// Reviews and rating aggregates.
    pub reviews: Arc<dyn ReviewStore>,
    /// Recommendation queries over the orders.
    pub recommendations: Arc<dyn RecommendationStore>,
    /// Sales report figures.
    pub reports: Arc<dyn ReportStore>,
}
