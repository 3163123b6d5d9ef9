//! A small shop for notification tests on any adapter's stores: customers registered
//! through the engine, orders placed through checkout, and the outbox published to the
//! notification queuer.

use std::sync::Arc;

use commerce_core::identity::{Account, Principal, Role};
use commerce_core::memory::{ManualClock, MemoryPayments};
use commerce_core::order::Order;
use commerce_core::payment::IdempotencyKey;
use commerce_core::ports::Stores;
use commerce_core::{CheckoutRequest, Commerce, Config, CustomerId, NotificationSettings};

use crate::fixtures::{Item, Store, now};
use crate::orders::{address, install, two_shops};

/// An engine over `stores` with the two-shop fixture installed (100 units of each SKU),
/// a manual clock at [`now`] and the given notification settings.
pub struct NotifyShop {
    /// The engine.
    pub engine: Commerce,
    /// Its clock.
    pub clock: Arc<ManualClock>,
    /// Its scriptable payment provider.
    pub payments: Arc<MemoryPayments>,
    /// The fixture store.
    pub store: Store,
    /// The mug (10.00 USD, first shop).
    pub mug: Item,
    /// The T-shirt (25.00 USD, second shop).
    pub tee: Item,
}

impl NotifyShop {
    /// The shop on `stores`, sending as `settings` say.
    pub async fn new(stores: Stores, settings: NotificationSettings) -> NotifyShop {
        NotifyShop::with_config(stores, settings, Config::default()).await
    }

    /// The shop on `stores`, sending as `settings` say, with the engine configured by
    /// `config` (manual capture, say).
    pub async fn with_config(
        stores: Stores,
        settings: NotificationSettings,
        config: Config,
    ) -> NotifyShop {
        let clock = Arc::new(ManualClock::default());
        clock.set(now());
        let (store, mug, tee) = two_shops();
        install(&store, &stores, 100, now()).await;
        let payments = Arc::new(MemoryPayments::new("whsec_notify", clock.clone()));
        let engine = Commerce::new(stores, payments.clone(), clock.clone(), config)
            .with_notifications(settings);
        NotifyShop {
            engine,
            clock,
            payments,
            store,
            mug,
            tee,
        }
    }

    /// Registers a customer with `email` and `name`; returns the account and the
    /// principal acting as it.
    pub async fn customer(&self, email: &str, name: &str) -> (Account, Principal) {
        let account = self
            .engine
            .register(
                email,
                "correct horse battery",
                name,
                Role::Customer,
                Principal::Guest,
            )
            .await
            .expect("register");
        let who = Principal::Customer(CustomerId::from_uuid(account.id.as_uuid()));
        (account, who)
    }

    /// Places an order for `who` with `lines` through checkout.
    pub async fn order(&self, who: Principal, lines: &[(Item, u32)]) -> Order {
        let Principal::Customer(customer) = who else {
            panic!("orders are placed by customers")
        };
        let cart = self.store.customer_cart(customer, lines, now());
        self.engine
            .stores()
            .carts
            .save_cart(&cart, Vec::new())
            .await
            .expect("save cart");
        let request = CheckoutRequest {
            cart: cart.id(),
            ship_to: address(),
            shipping_method: None,
            expected_total: None,
            idempotency_key: IdempotencyKey::parse(&format!("key-{}", cart.id())).unwrap(),
        };
        self.engine
            .checkout(who, request)
            .await
            .expect("checkout")
            .order
    }

    /// Publishes every pending event to the notification queuer.
    pub async fn queue(&self) {
        let queuer = self.engine.notification_queuer();
        while self
            .engine
            .publish_events(std::slice::from_ref(&queuer), 100)
            .await
            .expect("publish events")
            > 0
        {}
    }
}
