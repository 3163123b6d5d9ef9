//! Conformance cases: what payment notices do to an order, through the engine over the
//! adapter's stores — an order is paid only when what the provider took covers its total,
//! an amount in another currency is refused, and refunds move a paid order to
//! `partially_refunded` and `refunded`.

use commerce_core::identity::{Actor, Principal};
use commerce_core::memory::Script;
use commerce_core::order::{Order, OrderStatus};
use commerce_core::payment::{CaptureMode, IdempotencyKey, PaymentOutcome, PaymentRef};
use commerce_core::ports::{PaymentProvider, Stores};
use commerce_core::{AdminId, Config, Currency, ErrorKind, Money, NotificationSettings, OrderId};

use super::outbox_records;
use crate::notify::NotifyShop;
use crate::orders::sku;

/// The payment cases, as tests.
#[macro_export]
macro_rules! payments_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            payments,
            $fresh,
            [
                a_short_capture_notice_leaves_the_order_unpaid_and_flagged,
                a_partial_approval_at_confirmation_leaves_the_order_unpaid,
                a_short_authorisation_under_manual_capture_leaves_the_order_unpaid,
                a_notice_in_another_currency_is_refused_and_changes_nothing,
                cancelling_an_underpaid_order_gives_back_what_was_taken,
                a_full_refund_by_an_admin_moves_a_paid_order_to_refunded,
                refunds_at_the_provider_move_the_order_to_partially_refunded_then_refunded,
                a_partially_refunded_order_still_ships_what_is_left,
            ]
        );
    };
}

const ADMIN: Principal = Principal::Admin(AdminId::from_u128(9));

/// A shop on `stores` with one customer's order of two mugs (20.00 USD), its payment
/// opened and not yet confirmed.
async fn ordered(stores: Stores, config: Config) -> (NotifyShop, Principal, Order) {
    let shop = NotifyShop::with_config(stores, NotificationSettings::default(), config).await;
    let (_, alice) = shop.customer("alice@example.com", "Alice").await;
    let order = shop.order(alice, &[(shop.mug, 2)]).await;
    let order = stored(&shop, order.id).await;
    (shop, alice, order)
}

async fn stored(shop: &NotifyShop, id: OrderId) -> Order {
    shop.engine
        .stores()
        .orders
        .order(id)
        .await
        .expect("read the order")
        .expect("the order is stored")
}

fn reference(order: &Order) -> PaymentRef {
    order
        .payment
        .reference
        .clone()
        .expect("checkout opened the payment")
}

fn usd(amount: &str) -> Money {
    Money::parse(amount, Currency::USD).expect("a USD amount")
}

/// Delivers a webhook saying `outcome` happened to the order's payment.
async fn notify(
    shop: &NotifyShop,
    order: &Order,
    outcome: PaymentOutcome,
) -> Result<Option<Order>, commerce_core::Error> {
    let hook = shop
        .payments
        .webhook_for(&reference(order), outcome)
        .expect("a signed webhook");
    shop.engine
        .handle_payment_webhook(&hook.payload, &hook.signature)
        .await
}

/// Delivers every webhook the provider produced so far.
async fn deliver_webhooks(shop: &NotifyShop) {
    for hook in shop.payments.take_webhooks().expect("webhooks") {
        shop.engine
            .handle_payment_webhook(&hook.payload, &hook.signature)
            .await
            .expect("webhook applied");
    }
}

fn names(stores_events: &[commerce_core::events::EventRecord]) -> Vec<&'static str> {
    stores_events.iter().map(|r| r.event.name()).collect()
}

async fn available(shop: &NotifyShop) -> i64 {
    shop.engine
        .stores()
        .inventory
        .available(&sku(&shop.store, shop.mug))
        .await
        .expect("available")
}

async fn on_hand(shop: &NotifyShop) -> i64 {
    let levels = shop
        .engine
        .stores()
        .inventory
        .levels(&sku(&shop.store, shop.mug))
        .await
        .expect("levels");
    levels.iter().map(|l| l.on_hand).sum()
}

fn assert_unpaid_and_flagged(order: &Order, received: Money) {
    assert_eq!(order.status, OrderStatus::PendingPayment, "not paid");
    let shortfall = order
        .payment
        .shortfall
        .as_ref()
        .expect("flagged for an admin");
    assert_eq!(shortfall.received, received);
    assert_eq!(shortfall.due, order.totals.total);
    assert!(
        order.history.iter().all(|h| h.to != OrderStatus::Paid),
        "no paid entry in the history"
    );
}

/// A `succeeded` notice for 0.01 of the total is recorded (captured 0.01), leaves the
/// order unpaid with its stock still only reserved, flags it, and emits
/// `payment.underpaid` but no `order.paid`; a later notice for the whole total pays it.
pub async fn a_short_capture_notice_leaves_the_order_unpaid_and_flagged(stores: Stores) {
    let (shop, _, order) = ordered(stores.clone(), Config::default()).await;
    assert_eq!(order.totals.total.currency(), Currency::USD);
    let events_before = outbox_records(&stores).await.len();
    let after = notify(
        &shop,
        &order,
        PaymentOutcome::Succeeded {
            captured: usd("0.01"),
        },
    )
    .await
    .expect("the notice is recorded")
    .expect("it is about this order");
    assert_unpaid_and_flagged(&after, usd("0.01"));
    let stored_order = stored(&shop, order.id).await;
    assert_eq!(stored_order, after, "what was answered is what is stored");
    assert_eq!(stored_order.payment.captured, usd("0.01"), "recorded");
    assert_eq!(on_hand(&shop).await, 100, "stock not committed");
    assert_eq!(available(&shop).await, 98, "still reserved");
    let events = outbox_records(&stores).await;
    let new = names(&events[events_before..]);
    assert_eq!(new, vec!["payment.underpaid"]);

    let total = order.totals.total;
    let paid = notify(&shop, &order, PaymentOutcome::Succeeded { captured: total })
        .await
        .expect("applied")
        .expect("about this order");
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(paid.payment.captured, total);
    assert_eq!(paid.payment.shortfall, None, "cleared once paid");
    assert_eq!(on_hand(&shop).await, 98, "committed once paid");
}

/// The client's confirmation answered with a partial approval does not pay the order
/// either.
pub async fn a_partial_approval_at_confirmation_leaves_the_order_unpaid(stores: Stores) {
    let (shop, alice, order) = ordered(stores, Config::default()).await;
    shop.payments
        .script([Script::ApprovePartially(usd("5.00"))])
        .expect("script");
    let attempt = shop
        .engine
        .pay(alice, order.id, "pm_card_visa")
        .await
        .expect("the confirmation's answer is recorded");
    assert_unpaid_and_flagged(&attempt.order, usd("5.00"));
    // The provider's own webhook about it changes nothing more.
    deliver_webhooks(&shop).await;
    let order = stored(&shop, order.id).await;
    assert_unpaid_and_flagged(&order, usd("5.00"));
    assert_eq!(order.payment.captured, usd("5.00"));
}

/// Under manual capture, an authorisation for less than the total leaves the order
/// unpaid and flagged.
pub async fn a_short_authorisation_under_manual_capture_leaves_the_order_unpaid(stores: Stores) {
    let config = Config {
        capture: CaptureMode::Manual,
        ..Config::default()
    };
    let (shop, alice, order) = ordered(stores, config).await;
    shop.payments
        .script([Script::ApprovePartially(usd("19.99"))])
        .expect("script");
    let attempt = shop
        .engine
        .pay(alice, order.id, "pm_card_visa")
        .await
        .expect("answered");
    assert_unpaid_and_flagged(&attempt.order, usd("19.99"));
    assert_eq!(attempt.order.payment.authorized, usd("19.99"), "recorded");
    assert!(attempt.order.payment.captured.is_zero());
    let after = notify(
        &shop,
        &order,
        PaymentOutcome::Authorized {
            amount: usd("0.01"),
        },
    )
    .await
    .expect("recorded")
    .expect("about this order");
    assert_unpaid_and_flagged(&after, usd("0.01"));
}

/// A notice in another currency than the order's is refused and stores nothing: not
/// the amount, not the notice id.
pub async fn a_notice_in_another_currency_is_refused_and_changes_nothing(stores: Stores) {
    let (shop, _, order) = ordered(stores.clone(), Config::default()).await;
    let events_before = outbox_records(&stores).await.len();
    let eur = Money::parse("1000.00", Currency::EUR).expect("EUR");
    for outcome in [
        PaymentOutcome::Succeeded { captured: eur },
        PaymentOutcome::Authorized { amount: eur },
    ] {
        let err = notify(&shop, &order, outcome)
            .await
            .expect_err("another currency is refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput { field: "currency" });
    }
    assert_eq!(stored(&shop, order.id).await, order, "unchanged");
    assert_eq!(outbox_records(&stores).await.len(), events_before);
    assert_eq!(available(&shop).await, 98);
}

/// Cancelling an order that is unpaid but had part of its total taken releases the
/// stock and refunds what was taken.
pub async fn cancelling_an_underpaid_order_gives_back_what_was_taken(stores: Stores) {
    let (shop, alice, order) = ordered(stores, Config::default()).await;
    shop.payments
        .script([Script::ApprovePartially(usd("5.00"))])
        .expect("script");
    shop.engine
        .pay(alice, order.id, "pm_card_visa")
        .await
        .expect("answered");
    let cancelled = shop
        .engine
        .cancel_order(alice, order.id, "changed my mind")
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(cancelled.payment.refunded, usd("5.00"));
    assert_eq!(
        shop.payments
            .refunded(&reference(&order))
            .expect("the provider's refunds"),
        usd("5.00"),
        "the provider gave it back"
    );
    assert_eq!(available(&shop).await, 100, "released");
    assert_eq!(on_hand(&shop).await, 100);
}

/// An admin refunding everything captured on a paid, unshipped order moves it to
/// `refunded` (history and events) and puts its stock back.
pub async fn a_full_refund_by_an_admin_moves_a_paid_order_to_refunded(stores: Stores) {
    let (shop, alice, order) = ordered(stores.clone(), Config::default()).await;
    shop.engine
        .pay(alice, order.id, "pm_card_visa")
        .await
        .expect("paid");
    assert_eq!(on_hand(&shop).await, 98);
    let events_before = outbox_records(&stores).await.len();
    let total = order.totals.total;
    let key = IdempotencyKey::parse("refund-all").expect("key");
    let refunded = shop
        .engine
        .refund(ADMIN, order.id, total, "customer complaint", &key)
        .await
        .expect("refunded");
    assert_eq!(refunded.status, OrderStatus::Refunded);
    let last = refunded.history.last().expect("history");
    assert_eq!(
        (last.from, last.to),
        (Some(OrderStatus::Paid), OrderStatus::Refunded)
    );
    assert_eq!(last.actor, Actor::from(ADMIN));
    let events = outbox_records(&stores).await;
    let mut new = names(&events[events_before..]);
    new.sort_unstable();
    assert_eq!(
        new,
        vec![
            "order.status_changed",
            "payment.refunded",
            "stock.increased"
        ]
    );
    assert_eq!(stored(&shop, order.id).await, refunded);
    assert_eq!(on_hand(&shop).await, 100, "nothing shipped: restocked");
}

/// Refunds made at the provider (its dashboard, say) reach the order by webhook: part
/// of the total makes it `partially_refunded`, the rest `refunded`.
pub async fn refunds_at_the_provider_move_the_order_to_partially_refunded_then_refunded(
    stores: Stores,
) {
    let (shop, alice, order) = ordered(stores, Config::default()).await;
    shop.engine
        .pay(alice, order.id, "pm_card_visa")
        .await
        .expect("paid");
    shop.payments
        .take_webhooks()
        .expect("drop the success notice");
    let payment = reference(&order);
    let key = |k: &str| IdempotencyKey::parse(k).expect("key");
    shop.payments
        .refund(&payment, usd("5.00"), &key("dashboard-1"))
        .await
        .expect("refund at the provider");
    deliver_webhooks(&shop).await;
    let partly = stored(&shop, order.id).await;
    assert_eq!(partly.status, OrderStatus::PartiallyRefunded);
    assert_eq!(partly.payment.refunded, usd("5.00"));
    let rest = order.totals.total.checked_sub(usd("5.00")).expect("USD");
    shop.payments
        .refund(&payment, rest, &key("dashboard-2"))
        .await
        .expect("refund the rest");
    deliver_webhooks(&shop).await;
    let all = stored(&shop, order.id).await;
    assert_eq!(all.status, OrderStatus::Refunded);
    assert_eq!(all.payment.refunded, order.totals.total);
    let steps: Vec<_> = all.history.iter().map(|h| h.to).collect();
    assert!(
        steps.ends_with(&[
            OrderStatus::Paid,
            OrderStatus::PartiallyRefunded,
            OrderStatus::Refunded
        ]),
        "{steps:?}"
    );
}

/// A partial refund before shipping does not strand the order: its parcels still ship,
/// and it stays `partially_refunded`.
pub async fn a_partially_refunded_order_still_ships_what_is_left(stores: Stores) {
    let (shop, alice, order) = ordered(stores, Config::default()).await;
    shop.engine
        .pay(alice, order.id, "pm_card_visa")
        .await
        .expect("paid");
    let key = IdempotencyKey::parse("goodwill").expect("key");
    shop.engine
        .refund(ADMIN, order.id, usd("1.00"), "goodwill", &key)
        .await
        .expect("refunded");
    let fulfilment = order.fulfilments[0].id;
    let shipped = shop
        .engine
        .ship(ADMIN, order.id, fulfilment, "UPS", "1Z999AA10123456784")
        .await
        .expect("ships");
    assert_eq!(shipped.status, OrderStatus::PartiallyRefunded);
    assert!(!shipped.fulfilments[0].shipments.is_empty());
    assert_eq!(on_hand(&shop).await, 98, "shipped, not restocked");
}
