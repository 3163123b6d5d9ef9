//! Checkout and payments through the engine on the in-memory adapters: one order per
//! key, one capture, stock committed once — whatever order the confirmation and the
//! provider's webhooks arrive in, and however often.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::Duration;
use commerce_core::SellerId;
use commerce_core::catalog::Sku;
use commerce_core::identity::Principal;
use commerce_core::inventory::ReservationState;
use commerce_core::memory::{Memory, Script};
use commerce_core::order::{Order, OrderStatus};
use commerce_core::payment::{IdempotencyKey, PaymentStatus};
use commerce_core::shipping::TrackingStatus;
use commerce_core::{
    CartId, CheckoutRequest, Commerce, Currency, CustomerId, ErrorKind, Money, OrderId,
};
use commerce_testkit::fixtures::{Item, Store, now};
use commerce_testkit::orders::{SECOND_SELLER, address, install, sku, two_shops};
use tokio::sync::Barrier;

const ALICE: Principal = Principal::Customer(CustomerId::from_u128(1));
const BOB: Principal = Principal::Customer(CustomerId::from_u128(2));
const ADMIN: Principal = Principal::Admin(commerce_core::AdminId::from_u128(9));
const FIRST_SELLER: Principal = Principal::Seller(SellerId::from_u128(1));

struct World {
    memory: Memory,
    engine: Commerce,
    store: Store,
    mug: Item,
    tee: Item,
}

impl World {
    async fn new(units: i64) -> World {
        let (store, mug, tee) = two_shops();
        World::with(store, mug, tee, units).await
    }

    async fn with(store: Store, mug: Item, tee: Item, units: i64) -> World {
        let memory = Memory::new();
        memory.clock.set(now());
        install(&store, &memory.stores, units, now()).await;
        World {
            engine: memory.commerce(),
            memory,
            store,
            mug,
            tee,
        }
    }

    async fn cart(&self, who: Principal, lines: &[(Item, u32)]) -> CartId {
        let Principal::Customer(customer) = who else {
            panic!("a customer")
        };
        let cart = self.store.customer_cart(customer, lines, now());
        self.memory
            .stores
            .carts
            .save_cart(&cart, Vec::new())
            .await
            .unwrap();
        cart.id()
    }

    fn request(&self, cart: CartId, key: &str) -> CheckoutRequest {
        CheckoutRequest {
            cart,
            ship_to: address(),
            shipping_method: None,
            expected_total: None,
            idempotency_key: IdempotencyKey::parse(key).unwrap(),
        }
    }

    async fn ordered(&self, who: Principal, lines: &[(Item, u32)]) -> Order {
        let cart = self.cart(who, lines).await;
        self.engine
            .checkout(who, self.request(cart, &format!("key-{cart}")))
            .await
            .unwrap()
            .order
    }

    fn sku(&self, item: Item) -> Sku {
        sku(&self.store, item)
    }

    async fn on_hand(&self, item: Item) -> i64 {
        let levels = self
            .memory
            .stores
            .inventory
            .levels(&self.sku(item))
            .await
            .unwrap();
        levels.iter().map(|l| l.on_hand).sum()
    }

    async fn available(&self, item: Item) -> i64 {
        self.memory
            .stores
            .inventory
            .available(&self.sku(item))
            .await
            .unwrap()
    }

    async fn deliver_webhooks(&self) -> Vec<commerce_core::memory::Webhook> {
        let hooks = self.memory.payments.take_webhooks().unwrap();
        for hook in &hooks {
            self.engine
                .handle_payment_webhook(&hook.payload, &hook.signature)
                .await
                .unwrap();
        }
        hooks
    }

    async fn order(&self, id: OrderId) -> Order {
        self.memory.stores.orders.order(id).await.unwrap().unwrap()
    }

    async fn events_named(&self, name: &str) -> usize {
        let all = self.memory.stores.outbox.unpublished(10_000).await.unwrap();
        all.iter().filter(|e| e.record.event.name() == name).count()
    }
}

fn paid_entries(order: &Order) -> usize {
    order
        .history
        .iter()
        .filter(|h| h.to == OrderStatus::Paid)
        .count()
}

#[tokio::test]
async fn confirmation_then_webhook_pays_once() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 2)]).await;
    assert_eq!(w.available(w.mug).await, 8);
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.status, PaymentStatus::Succeeded);
    assert_eq!(attempt.order.status, OrderStatus::Paid);
    let hooks = w.deliver_webhooks().await;
    assert_eq!(hooks.len(), 1);
    let order = w.order(order.id).await;
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(paid_entries(&order), 1);
    assert_eq!(order.payment.captured, order.totals.total);
    assert_eq!(w.memory.payments.capture_count().unwrap(), 1);
    assert_eq!(w.on_hand(w.mug).await, 8, "committed once");
    assert_eq!(w.events_named("order.paid").await, 1);
}

#[tokio::test]
async fn webhook_before_confirmation_pays_once() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await;
    // The provider takes the money but the answer is lost: the webhook gets here first.
    w.memory.payments.script([Script::TimeOut]).unwrap();
    let err = w
        .engine
        .pay(ALICE, order.id, "pm_card_visa")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(w.order(order.id).await.status, OrderStatus::PendingPayment);
    w.deliver_webhooks().await;
    assert_eq!(w.order(order.id).await.status, OrderStatus::Paid);
    let retry = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(retry.order.status, OrderStatus::Paid);
    let order = w.order(order.id).await;
    assert_eq!(paid_entries(&order), 1);
    assert_eq!(w.memory.payments.capture_count().unwrap(), 1);
    assert_eq!(w.on_hand(w.mug).await, 9);
}

#[tokio::test]
async fn duplicate_and_out_of_order_webhooks_change_nothing_twice() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 3)]).await;
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    let key = IdempotencyKey::parse("refund-1").unwrap();
    w.engine
        .refund(
            ADMIN,
            order.id,
            Money::parse("5.00", Currency::USD).unwrap(),
            "scratched",
            &key,
        )
        .await
        .unwrap();
    let mut hooks = w.memory.payments.take_webhooks().unwrap();
    assert_eq!(hooks.len(), 2, "succeeded, refunded");
    hooks.reverse();
    let replayed: Vec<_> = hooks.iter().chain(hooks.iter()).cloned().collect();
    for hook in &replayed {
        w.engine
            .handle_payment_webhook(&hook.payload, &hook.signature)
            .await
            .unwrap();
    }
    // A failure notice for an earlier attempt, arriving after the success.
    let reference = w.order(order.id).await.payment.reference.unwrap();
    let late = format!(
        r#"{{"id":"evt_late_failure","payment":"{}","order":"{}","outcome":{{"kind":"failed","code":"card_declined"}}}}"#,
        reference.0, order.id
    );
    let signature = w.memory.payments.sign(late.as_bytes(), now()).unwrap();
    w.engine
        .handle_payment_webhook(late.as_bytes(), &signature)
        .await
        .unwrap();
    let order = w.order(order.id).await;
    assert_eq!(order.status, OrderStatus::PartiallyRefunded);
    assert_eq!(paid_entries(&order), 1);
    assert_eq!(
        order.payment.refunded,
        Money::parse("5.00", Currency::USD).unwrap()
    );
    assert_eq!(order.payment.refunds.len(), 1);
    assert_eq!(w.memory.payments.capture_count().unwrap(), 1);
    assert_eq!(w.on_hand(w.mug).await, 7);
    assert_eq!(w.events_named("payment.refunded").await, 1);
}

#[tokio::test]
async fn a_refund_notice_before_its_capture_is_refused_for_redelivery() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await;
    let before = w.order(order.id).await;
    let reference = before.payment.reference.clone().unwrap();
    let early = format!(
        r#"{{"id":"evt_early_refund","payment":"{}","order":"{}","outcome":{{"kind":"refunded","reference":"re_x","amount":{{"amount":"1.00","currency":"USD"}}}}}}"#,
        reference.0, order.id
    );
    let signature = w.memory.payments.sign(early.as_bytes(), now()).unwrap();
    let err = w
        .engine
        .handle_payment_webhook(early.as_bytes(), &signature)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert!(err.is_retryable());
    let after = w.order(order.id).await;
    assert_eq!(after, before, "unchanged, and not marked as applied");
}

#[tokio::test]
async fn checkout_retried_with_the_same_key_returns_one_order() {
    let w = World::new(10).await;
    let cart = w.cart(ALICE, &[(w.mug, 2), (w.tee, 1)]).await;
    let first = w
        .engine
        .checkout(ALICE, w.request(cart, "retry-me"))
        .await
        .unwrap();
    assert!(first.created);
    let again = w
        .engine
        .checkout(ALICE, w.request(cart, "retry-me"))
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.order.id, first.order.id);
    assert_eq!(
        again.payment.as_ref().map(|p| &p.reference),
        first.payment.as_ref().map(|p| &p.reference),
        "one provider payment"
    );
    w.engine
        .pay(ALICE, first.order.id, "pm_card_visa")
        .await
        .unwrap();
    let after = w
        .engine
        .checkout(ALICE, w.request(cart, "retry-me"))
        .await
        .unwrap();
    assert_eq!(after.order.id, first.order.id);
    assert_eq!(after.order.status, OrderStatus::Paid);
    assert_eq!(w.engine.my_orders(ALICE).await.unwrap().len(), 1);
    assert_eq!(w.on_hand(w.mug).await, 8);
    assert_eq!(w.on_hand(w.tee).await, 9);
    assert_eq!(w.memory.payments.capture_count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_checkouts_with_one_key_make_one_order() {
    let w = Arc::new(World::new(10).await);
    let cart = w.cart(ALICE, &[(w.mug, 2)]).await;
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (w, barrier) = (w.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            w.engine.checkout(ALICE, w.request(cart, "same-key")).await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(checkout) => {
                ids.insert(checkout.order.id);
            }
            // A racer that lost before the key was stored sees the cart checked out.
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(w.engine.my_orders(ALICE).await.unwrap().len(), 1);
    assert_eq!(w.available(w.mug).await, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn confirmations_and_webhooks_racing_pay_once() {
    let w = Arc::new(World::new(10).await);
    let order = w.ordered(ALICE, &[(w.mug, 4)]).await;
    w.memory.payments.script([Script::TimeOut]).unwrap();
    assert!(w.engine.pay(ALICE, order.id, "pm_card_visa").await.is_err());
    let hooks = w.memory.payments.take_webhooks().unwrap();
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (w, barrier, hooks) = (w.clone(), barrier.clone(), hooks.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            if n % 2 == 0 {
                w.engine
                    .pay(ALICE, order.id, "pm_card_visa")
                    .await
                    .map(|a| a.order)
            } else {
                let hook = &hooks[0];
                w.engine
                    .handle_payment_webhook(&hook.payload, &hook.signature)
                    .await
                    .map(|o| o.unwrap())
            }
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status, OrderStatus::Paid);
    }
    let order = w.order(order.id).await;
    assert_eq!(paid_entries(&order), 1);
    assert_eq!(w.memory.payments.capture_count().unwrap(), 1);
    assert_eq!(w.on_hand(w.mug).await, 6, "committed once");
    assert_eq!(w.events_named("order.paid").await, 1);
}

#[tokio::test]
async fn a_declined_payment_cancels_the_order_and_releases_stock() {
    let w = World::new(5).await;
    let order = w.ordered(ALICE, &[(w.mug, 5)]).await;
    assert_eq!(w.available(w.mug).await, 0);
    let err = w
        .engine
        .pay(ALICE, order.id, "pm_card_declined")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PaymentDeclined);
    let order = w.order(order.id).await;
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.payment.last_failure.as_deref(), Some("card_declined"));
    assert_eq!(w.available(w.mug).await, 5);
    assert_eq!(w.on_hand(w.mug).await, 5);
    assert_eq!(w.events_named("payment.failed").await, 1);
    w.deliver_webhooks().await; // the provider's own failure notice changes nothing
    assert_eq!(w.order(order.id).await.history.len(), order.history.len());
}

#[tokio::test]
async fn reservation_expiry_returns_stock_and_voids_the_payment() {
    let w = World::new(3).await;
    let order = w.ordered(ALICE, &[(w.mug, 3)]).await;
    assert_eq!(w.available(w.mug).await, 0);
    w.memory.clock.advance(Duration::minutes(14));
    assert!(w.engine.expire_unpaid_orders().await.unwrap().is_empty());
    w.memory.clock.advance(Duration::minutes(2));
    let expired = w.engine.expire_unpaid_orders().await.unwrap();
    assert_eq!(
        expired.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![order.id]
    );
    assert_eq!(w.order(order.id).await.status, OrderStatus::Cancelled);
    assert_eq!(w.available(w.mug).await, 3);
    let reservation = w
        .memory
        .stores
        .inventory
        .reservation(order.reservation_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reservation.state, ReservationState::Released);
    let reference = w.order(order.id).await.payment.reference.unwrap();
    let payment = commerce_core::ports::PaymentProvider::payment(&*w.memory.payments, &reference)
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Cancelled);
}

#[tokio::test]
async fn a_cancelled_paid_order_is_refunded_and_restocked() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 2), (w.tee, 1)]).await;
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(w.on_hand(w.mug).await, 8);
    let cancelled = w
        .engine
        .cancel_order(ALICE, order.id, "changed my mind")
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(cancelled.payment.refunded, order.totals.total);
    let reference = cancelled.payment.reference.clone().unwrap();
    assert_eq!(
        w.memory.payments.refunded(&reference).unwrap(),
        order.totals.total
    );
    assert_eq!(w.on_hand(w.mug).await, 10);
    assert_eq!(w.on_hand(w.tee).await, 10);
    assert_eq!(w.available(w.mug).await, 10);
    // Cancelling again is an illegal transition and refunds nothing more.
    let err = w
        .engine
        .cancel_order(ALICE, order.id, "again")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    assert_eq!(
        w.memory.payments.refunded(&reference).unwrap(),
        order.totals.total
    );
}

#[tokio::test]
async fn refunds_never_exceed_what_was_captured() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await; // 10.00
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    let usd = |s| Money::parse(s, Currency::USD).unwrap();
    let key = |s| IdempotencyKey::parse(s).unwrap();
    w.engine
        .refund(ADMIN, order.id, usd("6.00"), "partial", &key("r1"))
        .await
        .unwrap();
    // Retrying the same refund refunds once.
    w.engine
        .refund(ADMIN, order.id, usd("6.00"), "partial", &key("r1"))
        .await
        .unwrap();
    let err = w
        .engine
        .refund(ADMIN, order.id, usd("4.01"), "too much", &key("r2"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput { field: "amount" });
    let order = w.order(order.id).await;
    assert_eq!(order.payment.refunded, usd("6.00"));
    let reference = order.payment.reference.clone().unwrap();
    assert_eq!(w.memory.payments.refunded(&reference).unwrap(), usd("6.00"));
    let err = w
        .engine
        .refund(ALICE, order.id, usd("1.00"), "me", &key("r3"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}

#[tokio::test]
async fn another_customer_cannot_read_pay_or_cancel_an_order() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await;
    for result in [
        w.engine.order(BOB, order.id).await.map(drop),
        w.engine.pay(BOB, order.id, "pm_card_visa").await.map(drop),
        w.engine
            .cancel_order(BOB, order.id, "mine now")
            .await
            .map(drop),
        w.engine.order(FIRST_SELLER, order.id).await.map(drop),
    ] {
        assert_eq!(result.unwrap_err().kind(), ErrorKind::Forbidden);
    }
    assert_eq!(w.order(order.id).await, order, "unchanged");
    let bobs_attempt = w.cart(ALICE, &[(w.mug, 1)]).await;
    let err = w
        .engine
        .checkout(BOB, w.request(bobs_attempt, "bob"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(w.available(w.mug).await, 9, "nothing reserved for Bob");
}

#[tokio::test]
async fn forged_or_stale_webhooks_are_refused_and_change_nothing() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await;
    w.memory.payments.script([Script::TimeOut]).unwrap();
    let _ = w.engine.pay(ALICE, order.id, "pm_card_visa").await;
    let hook = w.memory.payments.take_webhooks().unwrap().remove(0);
    let mut tampered = hook.payload.clone();
    tampered.extend_from_slice(b" ");
    for (payload, signature) in [
        (tampered.as_slice(), hook.signature.as_str()),
        (hook.payload.as_slice(), "t=1,v1=00"),
        (hook.payload.as_slice(), ""),
    ] {
        let err = w
            .engine
            .handle_payment_webhook(payload, signature)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    }
    w.memory.clock.advance(Duration::minutes(10));
    let err = w
        .engine
        .handle_payment_webhook(&hook.payload, &hook.signature)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "stale");
    assert_eq!(w.order(order.id).await.status, OrderStatus::PendingPayment);
}

#[tokio::test]
async fn checkout_out_of_stock_writes_nothing() {
    let w = World::new(1).await;
    let cart = w.cart(ALICE, &[(w.mug, 1), (w.tee, 2)]).await;
    let err = w
        .engine
        .checkout(ALICE, w.request(cart, "short"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InsufficientStock);
    assert!(w.engine.my_orders(ALICE).await.unwrap().is_empty());
    assert_eq!(w.available(w.mug).await, 1);
    let stored = w.memory.stores.carts.cart(cart).await.unwrap().unwrap();
    assert_eq!(stored.status(), commerce_core::cart::CartStatus::Open);
}

#[tokio::test]
async fn a_changed_total_stops_checkout() {
    let w = World::new(10).await;
    let cart = w.cart(ALICE, &[(w.mug, 1)]).await;
    let mut request = w.request(cart, "expect");
    request.expected_total = Some(Money::parse("9.00", Currency::USD).unwrap());
    let err = w.engine.checkout(ALICE, request).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(w.available(w.mug).await, 10);
}

#[tokio::test]
async fn each_shop_ships_its_part_and_the_order_is_delivered_when_all_arrive() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1), (w.tee, 2)]).await;
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    let first = order
        .fulfilments
        .iter()
        .find(|f| f.shop == w.store.shop)
        .unwrap()
        .id;
    let second = order
        .fulfilments
        .iter()
        .find(|f| f.shop != w.store.shop)
        .unwrap()
        .id;
    let second_seller = Principal::Seller(SECOND_SELLER);
    let err = w
        .engine
        .ship(FIRST_SELLER, order.id, second, "DHL", "X1")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let partly = w
        .engine
        .ship(FIRST_SELLER, order.id, first, "DHL", "JD0001")
        .await
        .unwrap();
    assert_eq!(partly.status, OrderStatus::PartiallyShipped);
    let shipped = w
        .engine
        .ship(second_seller, order.id, second, "UPS", "1Z999")
        .await
        .unwrap();
    assert_eq!(shipped.status, OrderStatus::Shipped);
    let parcels: Vec<_> = shipped
        .fulfilments
        .iter()
        .map(|f| (f.shop, f.shipments[0].id))
        .collect();
    for (shop, parcel) in &parcels {
        let who = if *shop == w.store.shop {
            FIRST_SELLER
        } else {
            second_seller
        };
        w.engine
            .track_shipment(who, order.id, *parcel, TrackingStatus::InTransit, "sorting")
            .await
            .unwrap();
    }
    let (_, last) = parcels[1];
    let (_, early) = parcels[0];
    let one = w
        .engine
        .track_shipment(
            FIRST_SELLER,
            order.id,
            early,
            TrackingStatus::Delivered,
            "door",
        )
        .await
        .unwrap();
    assert_eq!(one.status, OrderStatus::Shipped, "one parcel still out");
    let done = w
        .engine
        .track_shipment(ADMIN, order.id, last, TrackingStatus::Delivered, "door")
        .await
        .unwrap();
    assert_eq!(done.status, OrderStatus::Delivered);
    assert_eq!(w.events_named("order.shipped").await, 2);
    assert_eq!(w.events_named("order.delivered").await, 1);
    let mine = w.engine.shop_orders(second_seller).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(
        mine[0].lines.iter().all(|l| l.sku == w.sku(w.tee)),
        "only the seller's lines"
    );
    let statuses: Vec<_> = done.history.iter().map(|h| h.to).collect();
    assert_eq!(
        statuses,
        vec![
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            OrderStatus::PartiallyShipped,
            OrderStatus::Shipped,
            OrderStatus::Delivered
        ]
    );
}

#[tokio::test]
async fn the_reservation_sweep_cancels_the_unpaid_order_with_its_hold() {
    let w = World::new(2).await;
    let order = w.ordered(ALICE, &[(w.mug, 2)]).await;
    w.memory.clock.advance(Duration::minutes(20));
    w.engine.expire_reservations().await.unwrap();
    assert_eq!(w.order(order.id).await.status, OrderStatus::Cancelled);
    assert_eq!(w.available(w.mug).await, 2);
    // A payment arriving afterwards cannot pay a cancelled order.
    let err = w
        .engine
        .pay(ALICE, order.id, "pm_card_visa")
        .await
        .map(|a| a.order.status);
    assert_ne!(err, Ok(OrderStatus::Paid));
    assert_eq!(w.on_hand(w.mug).await, 2);
}

#[tokio::test]
async fn manual_capture_authorises_at_payment_and_captures_once_later() {
    let mut w = World::new(10).await;
    w.engine = Commerce::new(
        w.memory.stores.clone(),
        w.memory.payments.clone(),
        w.memory.clock.clone(),
        commerce_core::Config {
            capture: commerce_core::payment::CaptureMode::Manual,
            ..Default::default()
        },
    );
    let order = w.ordered(ALICE, &[(w.mug, 2)]).await;
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.status, PaymentStatus::RequiresCapture);
    assert_eq!(attempt.order.status, OrderStatus::Paid);
    assert_eq!(attempt.order.payment.authorized, order.totals.total);
    assert!(attempt.order.payment.captured.is_zero());
    assert_eq!(w.memory.payments.capture_count().unwrap(), 0);
    let err = w
        .engine
        .capture_payment(ALICE, order.id, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let captured = w
        .engine
        .capture_payment(ADMIN, order.id, None)
        .await
        .unwrap();
    assert_eq!(captured.payment.captured, order.totals.total);
    assert!(captured.payment.authorized.is_zero());
    w.engine
        .capture_payment(ADMIN, order.id, None)
        .await
        .unwrap();
    w.deliver_webhooks().await;
    assert_eq!(w.memory.payments.capture_count().unwrap(), 1);
    assert_eq!(paid_entries(&w.order(order.id).await), 1);
    assert_eq!(w.on_hand(w.mug).await, 8);
}

#[tokio::test]
async fn a_payment_that_needs_customer_action_is_paid_by_its_webhook() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await;
    w.memory.payments.script([Script::RequireAction]).unwrap();
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert!(matches!(
        attempt.status,
        PaymentStatus::RequiresAction { url: Some(_) }
    ));
    assert_eq!(attempt.order.status, OrderStatus::PendingPayment);
    let reference = attempt.order.payment.reference.clone().unwrap();
    w.memory.payments.complete_action(&reference).unwrap();
    w.deliver_webhooks().await;
    assert_eq!(w.order(order.id).await.status, OrderStatus::Paid);
    assert_eq!(w.on_hand(w.mug).await, 9);
}

#[tokio::test]
async fn a_provider_failure_leaves_the_order_payable() {
    let w = World::new(10).await;
    let order = w.ordered(ALICE, &[(w.mug, 1)]).await;
    w.memory.payments.script([Script::Fail]).unwrap();
    let err = w
        .engine
        .pay(ALICE, order.id, "pm_card_visa")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ProviderFailure);
    assert_eq!(w.order(order.id).await.status, OrderStatus::PendingPayment);
    assert_eq!(w.available(w.mug).await, 9, "still reserved");
    let paid = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(paid.order.status, OrderStatus::Paid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_promotion_limited_to_one_use_is_used_once_by_racing_checkouts() {
    use commerce_core::pricing::{Benefit, Promotion};
    let (mut store, mug, tee) = two_shops();
    let launch = store.promotion_id();
    store.promote(
        Promotion::new(
            launch,
            "Launch week",
            Benefit::PercentOffOrder {
                percent: commerce_testkit::fixtures::dec("10"),
            },
        )
        .map(|p| p.limit_uses(1)),
    );
    let w = Arc::new(World::with(store, mug, tee, 10).await);
    let mut tasks = Vec::new();
    let barrier = Arc::new(Barrier::new(4));
    for n in 0..4u128 {
        let who = Principal::Customer(CustomerId::from_u128(100 + n));
        let cart = w.cart(who, &[(w.mug, 1)]).await;
        let (w, barrier) = (w.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            w.engine
                .checkout(who, w.request(cart, &format!("launch-{n}")))
                .await
        }));
    }
    let mut discounted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(checkout) => {
                let used = checkout.order.promotions.contains(&launch);
                discounted += usize::from(used);
                let expected = if used { "9.00" } else { "10.00" };
                assert_eq!(
                    checkout.order.totals.total,
                    Money::parse(expected, Currency::USD).unwrap()
                );
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(discounted, 1, "the one-use promotion was used exactly once");
    let usage = w.memory.stores.orders.promotion_usage(None).await.unwrap();
    assert_eq!(usage.total_uses(launch), 1);
}
