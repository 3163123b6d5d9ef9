//! In-memory adapters for every port: std-only, thread-safe, one small type per port.
//! They are a product feature — a complete working engine for tests, examples and
//! prototypes — and they pass the same conformance kit as the database adapters.
//!
//! A complete engine in one line:
//!
//! ```
//! let shop = commerce_core::memory::Memory::new().commerce();
//! # let _ = shop;
//! ```
//!
//! Atomic operations that span ports (placing an order reserves stock, stores the order,
//! checks out the cart and appends events) take the locks of the stores involved in one
//! fixed order — orders, carts, inventory, outbox — so they cannot deadlock.

mod accounts;
mod carts;
mod catalog;
mod clock;
mod inventory;
mod notifications;
mod orders;
mod outbox;
mod payments;
mod pricing;
mod recommendations;
mod recorder;
mod reports;
mod reviews;
mod search;

use std::sync::{Arc, Mutex, MutexGuard};

pub use accounts::MemoryAccounts;
pub use carts::MemoryCarts;
pub use catalog::MemoryCatalog;
pub use clock::ManualClock;
pub use inventory::MemoryInventory;
pub use notifications::{MemoryInbox, MemoryNotifications};
pub use orders::MemoryOrders;
pub use outbox::MemoryOutbox;
pub use payments::{MemoryPayments, Script, Webhook};
pub use pricing::MemoryPricing;
pub use recommendations::MemoryRecommendations;
pub use recorder::EventRecorder;
pub use reports::MemoryReports;
pub use reviews::MemoryReviews;
pub use search::MemorySearch;

use crate::error::Error;
use crate::ports::Stores;
use crate::service::{Commerce, Config};

/// Fresh, empty in-memory stores sharing one outbox.
pub fn stores() -> Stores {
    let outbox = Arc::new(MemoryOutbox::new());
    let carts = Arc::new(MemoryCarts::new(outbox.clone()));
    let inventory = Arc::new(MemoryInventory::new(outbox.clone()));
    let catalog = Arc::new(MemoryCatalog::new(outbox.clone()));
    let orders = Arc::new(MemoryOrders::new(
        carts.clone(),
        inventory.clone(),
        outbox.clone(),
    ));
    Stores {
        catalog: catalog.clone(),
        pricing: Arc::new(MemoryPricing::new(outbox.clone())),
        accounts: Arc::new(MemoryAccounts::new(outbox.clone())),
        notifications: Arc::new(MemoryNotifications::new()),
        reviews: Arc::new(MemoryReviews::new(orders.clone(), outbox.clone())),
        recommendations: Arc::new(MemoryRecommendations::new(orders.clone())),
        orders: orders.clone(),
        carts: carts.clone(),
        inventory: inventory.clone(),
        outbox,
        reports: Arc::new(MemoryReports::new(orders, carts, inventory, catalog)),
    }
}

/// A complete in-memory engine with handles on the parts tests steer: the clock and the
/// scriptable payment provider.
#[derive(Clone)]
pub struct Memory {
    /// Every storage port.
    pub stores: Stores,
    /// A clock that only moves when told to.
    pub clock: Arc<ManualClock>,
    /// A payment provider that approves unless scripted otherwise.
    pub payments: Arc<MemoryPayments>,
}

impl Memory {
    /// Empty stores, a clock at 2025-01-01T00:00:00Z and an approving payment provider.
    pub fn new() -> Self {
        let clock = Arc::new(ManualClock::default());
        Memory {
            stores: stores(),
            payments: Arc::new(MemoryPayments::new("whsec_memory", clock.clone())),
            clock,
        }
    }

    /// The engine over these adapters, with the default configuration.
    pub fn commerce(&self) -> Commerce {
        Commerce::new(
            self.stores.clone(),
            self.payments.clone(),
            self.clock.clone(),
            Config::default(),
        )
    }
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new()
    }
}

/// Locks a mutex, turning poisoning (a panic while it was held) into a typed error
/// instead of a second panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, Error> {
    mutex
        .lock()
        .map_err(|_| Error::Unavailable("in-memory store poisoned by an earlier panic".into()))
}
