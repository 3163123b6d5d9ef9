//! Checkout to paid order against localstripe on loopback, with the webhooks it
//! delivers to each test's own endpoint: in every order, twice or never; declines; a
//! retry after a lost answer; refunds capped at what was captured; manual capture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use commerce_core::order::{Order, OrderStatus};
use commerce_core::payment::{CaptureMode, IdempotencyKey, PaymentRef, PaymentStatus};
use commerce_core::ports::PaymentProvider;
use commerce_core::{Currency, Error, ErrorKind, Money};
use support::{ADMIN, ALICE, Proxy, Receiver, World, get_json, stripe_url, unique};

fn paid_entries(order: &Order) -> usize {
    order
        .history
        .iter()
        .filter(|h| h.to == OrderStatus::Paid)
        .count()
}

fn usd(text: &str) -> Money {
    Money::parse(text, Currency::USD).unwrap()
}

/// The PaymentIntents on the server whose metadata names `order`.
async fn intents_for(order: &Order) -> Vec<serde_json::Value> {
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(last) => format!("/v1/payment_intents?limit=100&starting_after={last}"),
            None => "/v1/payment_intents?limit=100".to_owned(),
        };
        let page = get_json(&path).await;
        let data = page["data"].as_array().unwrap().clone();
        found.extend(
            data.iter()
                .filter(|pi| pi["metadata"]["commerce_order_id"] == order.id.to_string())
                .cloned(),
        );
        match (page["has_more"].as_bool(), data.last()) {
            (Some(true), Some(last)) => after = Some(last["id"].as_str().unwrap().to_owned()),
            _ => return found,
        }
    }
}

#[tokio::test]
async fn checkout_confirmation_then_webhook_pays_once_and_commits_stock() {
    let mut hooks = Receiver::start().await;
    let w = World::new(&hooks.secret).await;
    let order = w.ordered(2).await;
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(w.available().await, 8, "reserved at checkout");
    let intent = World::intent(&order);
    let server = get_json(&format!("/v1/payment_intents/{intent}")).await;
    assert_eq!(server["amount"], 2000, "20.00 USD in cents");
    assert_eq!(server["currency"], "usd");
    assert_eq!(
        server["metadata"]["commerce_order_id"],
        order.id.to_string()
    );
    assert_eq!(
        server["metadata"]["commerce_order_number"],
        order.number.to_string()
    );

    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.status, PaymentStatus::Succeeded);
    assert_eq!(attempt.order.status, OrderStatus::Paid);

    let hook = hooks.next("payment_intent.succeeded", &intent).await;
    let after = w.deliver(&hook).await;
    assert_eq!(after.status, OrderStatus::Paid);
    let order = w.order(order.id).await;
    assert_eq!(paid_entries(&order), 1);
    assert_eq!(order.payment.captured, usd("20.00"));
    assert_eq!(w.on_hand().await, 8, "stock committed once");
    assert_eq!(w.available().await, 8);
}

#[tokio::test]
async fn webhook_before_the_clients_confirmation_and_twice_pays_once() {
    let mut hooks = Receiver::start().await;
    let w = World::new(&hooks.secret).await;
    let order = w.ordered(1).await;
    let intent = World::intent(&order);
    // The shopper's browser confirms with Stripe directly (as Stripe.js would); the
    // webhook reaches the shop before the browser reports back.
    w.browser_confirms(&intent).await;
    let hook = hooks.next("payment_intent.succeeded", &intent).await;
    for _ in 0..2 {
        let order = w.deliver(&hook).await;
        assert_eq!(order.status, OrderStatus::Paid);
    }
    let before = w.order(order.id).await;
    // Now the client's confirmation arrives.
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.status, PaymentStatus::Succeeded);
    let order = w.order(order.id).await;
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(paid_entries(&order), 1);
    assert_eq!(order.history.len(), before.history.len(), "nothing changed");
    assert_eq!(
        order.payment.applied_notices.len(),
        1,
        "one notice, applied once"
    );
    assert_eq!(w.on_hand().await, 9, "stock committed once");
}

#[tokio::test]
async fn without_any_webhook_the_confirmation_alone_pays() {
    // No endpoint of this test is registered: whatever localstripe sends, it never
    // reaches this engine.
    let w = World::new("whsec_never_used").await;
    let order = w.ordered(3).await;
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.order.status, OrderStatus::Paid);
    let order = w.order(order.id).await;
    assert_eq!(paid_entries(&order), 1);
    assert!(order.payment.applied_notices.is_empty());
    assert_eq!(w.on_hand().await, 7);
    // Paying again changes nothing.
    let again = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(again.order.status, OrderStatus::Paid);
    assert_eq!(paid_entries(&w.order(order.id).await), 1);
    assert_eq!(w.on_hand().await, 7);
}

#[tokio::test]
async fn a_decline_leaves_the_order_unpaid_and_releases_its_stock() {
    let mut hooks = Receiver::start().await;
    let w = World::new(&hooks.secret).await;
    let order = w.ordered(4).await;
    assert_eq!(w.available().await, 6);
    let intent = World::intent(&order);
    let err = w
        .engine
        .pay(ALICE, order.id, "pm_card_chargeCustomerFail")
        .await
        .unwrap_err();
    match &err {
        Error::PaymentDeclined { code } => assert_eq!(code, "card_declined"),
        other => panic!("expected a typed decline, got {other:?}"),
    }
    let order = w.order(order.id).await;
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(paid_entries(&order), 0);
    assert_eq!(order.payment.last_failure.as_deref(), Some("card_declined"));
    assert_eq!(w.available().await, 10, "reservation released");
    assert_eq!(w.on_hand().await, 10, "nothing committed");
    // localstripe's payment_failed webhook changes nothing more.
    let hook = hooks.next("payment_intent.payment_failed", &intent).await;
    let after = w.deliver(&hook).await;
    assert_eq!(after.status, OrderStatus::Cancelled);
    assert_eq!(w.available().await, 10);
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_creates_no_second_payment_intent() {
    // The proxy lets localstripe create the PaymentIntent, then drops the connection
    // instead of answering: a real network error for the client.
    let proxy = Proxy::start("POST /v1/payment_intents", 1).await;
    let w = World::with(&proxy.url, "whsec_unused", CaptureMode::Automatic).await;
    let order = w.ordered(1).await;
    assert_eq!(order.status, OrderStatus::PendingPayment);
    let intents = intents_for(&order).await;
    assert_eq!(
        intents.len(),
        1,
        "one PaymentIntent on the server: {intents:#?}"
    );
    assert_eq!(intents[0]["id"], World::intent(&order));
    let creates: Vec<Option<String>> = proxy
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(line, _)| line.starts_with("POST /v1/payment_intents "))
        .map(|(_, key)| key.clone())
        .collect();
    assert_eq!(
        creates.len(),
        1,
        "the lost create was not sent again: {creates:?}"
    );
    let key = creates[0]
        .clone()
        .expect("an Idempotency-Key on the create");
    assert_eq!(intents[0]["metadata"]["commerce_idempotency_key"], key);
    assert!(
        proxy
            .seen
            .lock()
            .unwrap()
            .iter()
            .any(|(line, _)| line.starts_with("GET /v1/payment_intents?")),
        "the retry looked the PaymentIntent up by its key"
    );
    // The order pays normally through the same proxy.
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.order.status, OrderStatus::Paid);
}

#[tokio::test]
async fn a_create_cut_before_stripe_is_sent_again_with_the_same_key() {
    let proxy = Proxy::cutting("POST /v1/payment_intents", 1).await;
    let w = World::with(&proxy.url, "whsec_unused", CaptureMode::Automatic).await;
    let order = w.ordered(1).await;
    let intents = intents_for(&order).await;
    assert_eq!(
        intents.len(),
        1,
        "one PaymentIntent on the server: {intents:#?}"
    );
    let creates: Vec<Option<String>> = proxy
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(line, _)| line.starts_with("POST /v1/payment_intents "))
        .map(|(_, key)| key.clone())
        .collect();
    assert_eq!(creates.len(), 2, "sent again after the cut: {creates:?}");
    assert!(creates[0].is_some(), "keyed");
    assert_eq!(creates[0], creates[1], "the retry reuses the key");
    assert_eq!(
        intents[0]["metadata"]["commerce_idempotency_key"],
        creates[0].clone().unwrap()
    );
}

#[tokio::test]
async fn paying_twice_confirms_once_and_every_mutating_call_is_keyed() {
    let proxy = Proxy::start("POST /v1/payment_intents/", 0).await;
    let w = World::with(&proxy.url, "whsec_unused", CaptureMode::Automatic).await;
    let order = w.ordered(1).await;
    let intent = World::intent(&order);
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.order.status, OrderStatus::Paid);
    let again = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(again.order.status, OrderStatus::Paid);
    let seen = proxy.seen.lock().unwrap().clone();
    let confirms: Vec<_> = seen
        .iter()
        .filter(|(line, _)| {
            line.starts_with(&format!("POST /v1/payment_intents/{intent}/confirm "))
        })
        .collect();
    assert_eq!(confirms.len(), 1, "confirmed once: {seen:#?}");
    assert!(
        seen.iter()
            .filter(|(line, _)| line.starts_with("POST "))
            .all(|(_, key)| key.is_some()),
        "every mutating call carries an Idempotency-Key: {seen:#?}"
    );
}

#[tokio::test]
async fn every_mutating_call_carries_its_own_idempotency_key() {
    let proxy = Proxy::start("POST /nothing-is-dropped", 0).await;
    let w = World::with(&proxy.url, "whsec_unused", CaptureMode::Manual).await;
    let order = w.ordered(2).await;
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    w.engine
        .capture_payment(ADMIN, order.id, Some(usd("15.00")))
        .await
        .unwrap();
    let key = IdempotencyKey::parse(&format!("refund-{}", unique())).unwrap();
    w.engine
        .refund(ADMIN, order.id, usd("5.00"), "scratched", &key)
        .await
        .unwrap();
    let other = w.ordered(1).await;
    w.engine
        .cancel_order(ALICE, other.id, "changed my mind")
        .await
        .unwrap();
    let seen = proxy.seen.lock().unwrap().clone();
    let posts: Vec<&(String, Option<String>)> = seen
        .iter()
        .filter(|(line, _)| line.starts_with("POST "))
        .collect();
    for path in ["/confirm ", "/capture ", "/cancel ", "/v1/refunds "] {
        assert!(
            posts.iter().any(|(line, _)| line.contains(path)),
            "{path} went through the proxy: {posts:#?}"
        );
    }
    assert!(
        posts.iter().all(|(_, key)| key.is_some()),
        "every POST keyed: {posts:#?}"
    );
    let keys: std::collections::HashSet<&String> =
        posts.iter().filter_map(|(_, key)| key.as_ref()).collect();
    assert_eq!(keys.len(), posts.len(), "one key per operation: {posts:#?}");
}

#[tokio::test]
async fn a_lost_confirmation_answer_is_retried_and_pays_once() {
    let w = World::new("whsec_unused").await;
    let order = w.ordered(1).await;
    let intent = World::intent(&order);
    // From here the engine reaches Stripe through a proxy that loses the answer to the
    // confirmation (after localstripe took the money).
    let confirm: &'static str =
        Box::leak(format!("POST /v1/payment_intents/{intent}/confirm").into_boxed_str());
    let proxy = Proxy::start(confirm, 1).await;
    let engine = commerce_core::Commerce::new(
        w.memory.stores.clone(),
        std::sync::Arc::new(support::payments(&proxy.url, "whsec_unused")),
        w.memory.clock.clone(),
        commerce_core::Config::default(),
    );
    let attempt = engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.status, PaymentStatus::Succeeded);
    assert_eq!(attempt.order.status, OrderStatus::Paid);
    let seen = proxy.seen.lock().unwrap().clone();
    let confirms = seen
        .iter()
        .filter(|(line, _)| line.starts_with(confirm))
        .count();
    assert_eq!(confirms, 1, "not confirmed twice: {seen:#?}");
    let at = seen
        .iter()
        .position(|(line, _)| line.starts_with(confirm))
        .unwrap();
    assert!(
        seen[at + 1..]
            .iter()
            .any(|(line, _)| line.starts_with(&format!("GET /v1/payment_intents/{intent}"))),
        "after the lost answer the adapter read the payment again: {seen:#?}"
    );
    let server = get_json(&format!("/v1/payment_intents/{intent}")).await;
    assert_eq!(server["status"], "succeeded");
    assert_eq!(server["amount_received"], 1000);
    assert_eq!(paid_entries(&w.order(order.id).await), 1);
    assert_eq!(w.on_hand().await, 9);
}

#[tokio::test]
async fn refunds_never_exceed_what_was_captured() {
    let w = World::new("whsec_unused").await;
    let order = w.ordered(3).await; // 30.00
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    let intent = World::intent(&order);
    let first = IdempotencyKey::parse(&format!("refund-{}", unique())).unwrap();
    let partial = w
        .engine
        .refund(ADMIN, order.id, usd("12.50"), "damaged", &first)
        .await
        .unwrap();
    assert_eq!(partial.payment.refunded, usd("12.50"));
    // A retry of the same refund refunds once.
    w.engine
        .refund(ADMIN, order.id, usd("12.50"), "damaged", &first)
        .await
        .unwrap();
    let rest = IdempotencyKey::parse(&format!("refund-{}", unique())).unwrap();
    let full = w
        .engine
        .refund(ADMIN, order.id, usd("17.50"), "returned", &rest)
        .await
        .unwrap();
    assert_eq!(full.payment.refunded, usd("30.00"));
    let more = IdempotencyKey::parse(&format!("refund-{}", unique())).unwrap();
    let err = w
        .engine
        .refund(ADMIN, order.id, usd("0.01"), "greedy", &more)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { .. }),
        "{err:?}"
    );
    let refunds = get_json(&format!("/v1/refunds?payment_intent={intent}&limit=100")).await;
    let total: i64 = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 3000, "refunded at Stripe: exactly what was captured");
    let order = w.order(order.id).await;
    assert_eq!(order.payment.refunded, order.payment.captured);
    assert_eq!(order.payment.refunds.len(), 2);
    // localstripe itself would have taken more: the cap is ours.
    let over = IdempotencyKey::parse(&format!("over-{}", unique())).unwrap();
    let accepted = w
        .stripe
        .refund(&PaymentRef(intent), usd("1.00"), &over)
        .await;
    assert!(
        accepted.is_ok(),
        "localstripe accepts an over-refund: {accepted:?}"
    );
}

#[tokio::test]
async fn manual_capture_in_part_and_cancellations_void_at_stripe() {
    let w = World::with(&stripe_url(), "whsec_unused", CaptureMode::Manual).await;
    let order = w.ordered(2).await; // 20.00 authorised
    let attempt = w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    assert_eq!(attempt.status, PaymentStatus::RequiresCapture);
    assert_eq!(attempt.order.status, OrderStatus::Paid);
    let intent = World::intent(&order);
    let captured = w
        .engine
        .capture_payment(ADMIN, order.id, Some(usd("15.00")))
        .await
        .unwrap();
    assert_eq!(captured.payment.captured, usd("15.00"));
    let server = get_json(&format!("/v1/payment_intents/{intent}")).await;
    assert_eq!(server["status"], "succeeded");
    assert_eq!(server["amount_received"], 1500);

    // An unpaid order cancelled by its customer: its PaymentIntent is voided at Stripe.
    let unpaid = w.ordered(1).await;
    let cancelled = w
        .engine
        .cancel_order(ALICE, unpaid.id, "changed my mind")
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    let server = get_json(&format!("/v1/payment_intents/{}", World::intent(&unpaid))).await;
    assert_eq!(server["status"], "canceled");

    // An authorised, uncaptured order cancelled: voided too, nothing captured.
    let held = w.ordered(1).await;
    w.engine.pay(ALICE, held.id, "pm_card_visa").await.unwrap();
    w.engine
        .cancel_order(ALICE, held.id, "changed my mind")
        .await
        .unwrap();
    let server = get_json(&format!("/v1/payment_intents/{}", World::intent(&held))).await;
    assert_eq!(server["status"], "canceled");
    assert_eq!(server["amount_received"], 0);

    // Cancelling again at the adapter: still cancelled, no error.
    let key = IdempotencyKey::parse(&format!("cancel-{}", unique())).unwrap();
    let again = w
        .stripe
        .cancel(&PaymentRef(World::intent(&held)), &key)
        .await
        .unwrap();
    assert_eq!(again.status, PaymentStatus::Cancelled);
    assert_eq!(
        w.available().await,
        10 - 2,
        "only the captured order's stock is out"
    );
}

#[tokio::test]
async fn amounts_go_out_in_exact_minor_units() {
    let stripe = support::payments(&stripe_url(), "whsec_unused");
    for (amount, currency, minor) in [
        ("19.99", Currency::USD, 1999),
        ("1999", Currency::JPY, 1999),
        ("1.999", Currency::KWD, 1999),
        ("0.5", Currency::EUR, 50),
    ] {
        let money = Money::parse(amount, currency).unwrap();
        let created = stripe
            .create_payment(commerce_core::payment::PaymentRequest {
                order: commerce_core::OrderId::random(),
                order_number: "CR-000001".into(),
                amount: money,
                capture: CaptureMode::Automatic,
                idempotency_key: IdempotencyKey::parse(&format!("minor-{}", unique())).unwrap(),
            })
            .await
            .unwrap();
        assert_eq!(created.amount, money, "{amount} {currency}");
        let server = get_json(&format!("/v1/payment_intents/{}", created.reference.0)).await;
        assert_eq!(server["amount"], minor, "{amount} {currency}");
        assert_eq!(server["currency"], currency.code().to_ascii_lowercase());
    }
    // Finer than the currency allows: refused, nothing created.
    let err = stripe
        .create_payment(commerce_core::payment::PaymentRequest {
            order: commerce_core::OrderId::random(),
            order_number: "CR-000002".into(),
            amount: Money::new(rust_decimal::Decimal::new(15, 1), Currency::JPY),
            capture: CaptureMode::Automatic,
            idempotency_key: IdempotencyKey::parse(&format!("minor-{}", unique())).unwrap(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_stripe_is_a_retryable_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let stripe = support::payments(&format!("http://127.0.0.1:{port}/"), "whsec_unused");
    let err = stripe
        .payment(&PaymentRef("pi_missing".into()))
        .await
        .unwrap_err();
    match err {
        Error::Provider { retryable, .. } => assert!(retryable),
        other => panic!("expected a retryable provider error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_payment_is_not_found_without_stripe_json() {
    let stripe = support::payments(&stripe_url(), "whsec_unused");
    let err = stripe
        .payment(&PaymentRef("pi_doesnotexist".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(!err.to_string().contains('{'), "{err}");
}

#[tokio::test]
async fn rate_limits_and_outages_are_retried_then_typed_retryable() {
    let w = World::new("whsec_unused").await;
    let order = w.ordered(1).await;
    let reference = PaymentRef(World::intent(&order));
    for status in [429u16, 500, 503] {
        // Always failing: three tries, then a retryable error without Stripe's JSON.
        let proxy = Proxy::failing("GET /v1/payment_intents", status, 100).await;
        let stripe = support::payments(&proxy.url, "whsec_unused");
        let err = stripe.payment(&reference).await.unwrap_err();
        match &err {
            Error::Provider { retryable, message } => {
                assert!(retryable, "{status}");
                assert!(!message.contains("injected"), "{message}");
            }
            other => panic!("expected a retryable provider error for {status}, got {other:?}"),
        }
        assert_eq!(
            proxy.seen.lock().unwrap().len(),
            3,
            "tried three times on {status}"
        );
        // Failing once: the retry gets through.
        let proxy = Proxy::failing("GET /v1/payment_intents", status, 1).await;
        let stripe = support::payments(&proxy.url, "whsec_unused");
        let found = stripe.payment(&reference).await.unwrap();
        assert_eq!(found.reference, reference);
        assert_eq!(proxy.seen.lock().unwrap().len(), 2);
    }
    // A refusal that retrying cannot fix is not retried.
    let proxy = Proxy::failing("GET /v1/payment_intents", 400, 100).await;
    let stripe = support::payments(&proxy.url, "whsec_unused");
    let err = stripe.payment(&reference).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(proxy.seen.lock().unwrap().len(), 1);
}
