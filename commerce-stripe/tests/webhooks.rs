//! Webhook signatures and event mapping. localstripe signs the events it sends, but it
//! sends no `payment_intent.canceled` or `charge.refunded`; those, replays of one event
//! id, and stale or tampered signatures are built here and signed locally with a real
//! HMAC-SHA256, exactly as Stripe signs (`t=<unix>,v1=<hex HMAC of "{t}.{body}">`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::Utc;
use commerce_core::order::OrderStatus;
use commerce_core::payment::{IdempotencyKey, PaymentOutcome};
use commerce_core::ports::PaymentProvider;
use commerce_core::{Currency, Error, ErrorKind, Money};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use support::{ADMIN, ALICE, Receiver, World, get_json, unique};

fn sign(secret: &str, payload: &[u8], at: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{at}.").as_bytes());
    mac.update(payload);
    format!("t={at},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn event(kind: &str, object: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": format!("evt_local_{}", unique()),
        "object": "event",
        "created": Utc::now().timestamp(),
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
        "data": {"object": object},
    }))
    .unwrap()
}

fn unauthenticated(result: Result<Option<commerce_core::order::Order>, Error>) {
    match result {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e:?}"),
        Ok(order) => panic!("accepted: {order:?}"),
    }
}

#[tokio::test]
async fn tampered_unsigned_stale_or_foreign_webhooks_are_rejected_and_change_nothing() {
    let mut hooks = Receiver::start().await;
    let w = World::new(&hooks.secret).await;
    let order = w.ordered(2).await;
    let intent = World::intent(&order);
    // The browser confirms; localstripe signs and sends the success.
    w.browser_confirms(&intent).await;
    let hook = hooks.next("payment_intent.succeeded", &intent).await;

    let mut tampered = hook.payload.clone();
    let text = String::from_utf8(tampered.clone()).unwrap();
    tampered = text
        .replacen("\"amount\": 2000", "\"amount\": 1", 1)
        .into_bytes();
    assert_ne!(tampered, hook.payload);
    let stale = sign(&hooks.secret, &hook.payload, Utc::now().timestamp() - 600);
    let foreign = sign("whsec_someone_else", &hook.payload, Utc::now().timestamp());
    unauthenticated(
        w.engine
            .handle_payment_webhook(&tampered, &hook.signature)
            .await,
    );
    unauthenticated(w.engine.handle_payment_webhook(&hook.payload, "").await);
    unauthenticated(
        w.engine
            .handle_payment_webhook(&hook.payload, "t=1,v1=zz")
            .await,
    );
    unauthenticated(w.engine.handle_payment_webhook(&hook.payload, &stale).await);
    unauthenticated(
        w.engine
            .handle_payment_webhook(&hook.payload, &foreign)
            .await,
    );
    unauthenticated(
        w.engine
            .handle_payment_webhook(&[0xff, 0xfe], &hook.signature)
            .await,
    );
    let unchanged = w.order(order.id).await;
    assert_eq!(unchanged, w.order(order.id).await);
    assert_eq!(unchanged.status, OrderStatus::PendingPayment);
    assert_eq!(unchanged.version, order.version, "nothing written");
    assert_eq!(w.on_hand().await, 10, "nothing committed");
    assert_eq!(w.available().await, 8, "still reserved");

    // The genuine one pays.
    let paid = w.deliver(&hook).await;
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(w.on_hand().await, 8);
}

#[tokio::test]
async fn a_canceled_payment_intent_cancels_the_pending_order_once() {
    let secret = format!("whsec_{}", unique());
    let w = World::new(&secret).await;
    let order = w.ordered(3).await;
    assert_eq!(w.available().await, 7);
    let intent = World::intent(&order);
    let mut object = get_json(&format!("/v1/payment_intents/{intent}")).await;
    object["status"] = json!("canceled");
    object["cancellation_reason"] = json!("abandoned");
    let payload = event("payment_intent.canceled", object);
    let signature = sign(&secret, &payload, Utc::now().timestamp());
    let notice = w
        .stripe
        .verify_webhook(&payload, &signature, Utc::now())
        .unwrap()
        .unwrap();
    assert_eq!(notice.outcome, PaymentOutcome::Cancelled);
    assert_eq!(
        notice.order,
        Some(order.id),
        "the order id from the metadata"
    );
    for _ in 0..2 {
        let cancelled = w
            .engine
            .handle_payment_webhook(&payload, &signature)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cancelled.status, OrderStatus::Cancelled);
    }
    let order = w.order(order.id).await;
    assert_eq!(order.payment.applied_notices.len(), 1);
    assert_eq!(w.available().await, 10, "released once");
    assert_eq!(w.on_hand().await, 10);
}

fn charge(intent: &str, refunds: &[(String, i64)], captured: i64) -> serde_json::Value {
    let refunded: i64 = refunds.iter().map(|r| r.1).sum();
    let now = Utc::now().timestamp();
    let data: Vec<serde_json::Value> = refunds
        .iter()
        .enumerate()
        .map(|(i, (id, amount))| {
            json!({
                "id": id, "object": "refund", "amount": amount, "currency": "usd",
                "created": now + i as i64, "payment_intent": intent, "status": "succeeded",
                "metadata": {},
            })
        })
        .collect();
    json!({
        "id": format!("ch_local_{}", unique()),
        "object": "charge",
        "amount": captured,
        "amount_captured": captured,
        "amount_refunded": refunded,
        "billing_details": {"address": null, "email": null, "name": null, "phone": null},
        "captured": true,
        "created": now,
        "currency": "usd",
        "disputed": false,
        "livemode": false,
        "metadata": {},
        "paid": true,
        "payment_intent": intent,
        "refunded": refunded >= captured,
        "status": "succeeded",
        "refunds": {"object": "list", "data": data, "has_more": false, "url": "/v1/refunds"},
    })
}

#[tokio::test]
async fn charge_refunded_records_each_refund_once() {
    let secret = format!("whsec_{}", unique());
    let w = World::new(&secret).await;
    let order = w.ordered(3).await; // 30.00
    w.engine.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    let intent = World::intent(&order);
    // A refund through the engine: recorded from the refund call's answer.
    let key = IdempotencyKey::parse(&format!("refund-{}", unique())).unwrap();
    let refunded = w
        .engine
        .refund(
            ADMIN,
            order.id,
            Money::parse("10.00", Currency::USD).unwrap(),
            "damaged",
            &key,
        )
        .await
        .unwrap();
    let ours = refunded.payment.refunds[0]
        .provider_reference
        .clone()
        .expect("Stripe's refund id");
    assert!(ours.starts_with("re_"), "{ours}");

    // Its charge.refunded webhook changes nothing more.
    let payload = event(
        "charge.refunded",
        charge(&intent, &[(ours.clone(), 1000)], 3000),
    );
    let signature = sign(&secret, &payload, Utc::now().timestamp());
    let notice = w
        .stripe
        .verify_webhook(&payload, &signature, Utc::now())
        .unwrap()
        .unwrap();
    assert_eq!(
        notice.outcome,
        PaymentOutcome::Refunded {
            reference: ours.clone(),
            amount: Money::parse("10.00", Currency::USD).unwrap(),
        }
    );
    w.engine
        .handle_payment_webhook(&payload, &signature)
        .await
        .unwrap();
    let after = w.order(order.id).await;
    assert_eq!(
        after.payment.refunded,
        Money::parse("10.00", Currency::USD).unwrap()
    );
    assert_eq!(after.payment.refunds.len(), 1);

    // A refund made in Stripe's dashboard: recorded once, however often it arrives.
    let outside = format!("re_outside_{}", unique());
    let payload = event(
        "charge.refunded",
        charge(&intent, &[(ours, 1000), (outside.clone(), 500)], 3000),
    );
    let signature = sign(&secret, &payload, Utc::now().timestamp());
    for _ in 0..2 {
        w.engine
            .handle_payment_webhook(&payload, &signature)
            .await
            .unwrap();
    }
    let after = w.order(order.id).await;
    assert_eq!(
        after.payment.refunded,
        Money::parse("15.00", Currency::USD).unwrap()
    );
    assert_eq!(after.payment.refunds.len(), 2);
    assert!(
        after
            .payment
            .refunds
            .iter()
            .any(|r| r.provider_reference.as_deref() == Some(outside.as_str()))
    );
}

#[tokio::test]
async fn a_genuine_event_the_core_does_not_act_on_is_none() {
    let secret = format!("whsec_{}", unique());
    let w = World::new(&secret).await;
    let payload = event(
        "customer.created",
        json!({"id": "cus_local", "object": "customer", "created": 1, "livemode": false}),
    );
    let signature = sign(&secret, &payload, Utc::now().timestamp());
    match w.stripe.verify_webhook(&payload, &signature, Utc::now()) {
        Ok(None) => {}
        Err(e) if matches!(e.kind(), ErrorKind::InvalidInput { .. }) => {
            panic!("a genuine customer.created must not be an error: {e:?}")
        }
        other => panic!("expected Ok(None), got {other:?}"),
    }
}

#[tokio::test]
async fn an_authorisation_webhook_pays_a_manual_capture_order_once() {
    let secret = format!("whsec_{}", unique());
    let w = World::with(
        &support::stripe_url(),
        &secret,
        commerce_core::payment::CaptureMode::Manual,
    )
    .await;
    let order = w.ordered(2).await;
    let intent = World::intent(&order);
    let mut object = get_json(&format!("/v1/payment_intents/{intent}")).await;
    object["status"] = json!("requires_capture");
    object["amount_capturable"] = json!(2000);
    let payload = event("payment_intent.amount_capturable_updated", object);
    let signature = sign(&secret, &payload, Utc::now().timestamp());
    for _ in 0..2 {
        let paid = w
            .engine
            .handle_payment_webhook(&payload, &signature)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(paid.status, OrderStatus::Paid);
        assert_eq!(
            paid.payment.authorized,
            Money::parse("20.00", Currency::USD).unwrap()
        );
        assert!(paid.payment.captured.is_zero());
    }
    assert_eq!(w.on_hand().await, 8, "committed once");
}

/// A `payment_intent.succeeded` whose `amount_received` is one cent of a 20.00 total
/// is recorded but does not pay the order; one in another currency is refused.
#[tokio::test]
async fn a_success_for_less_than_the_total_leaves_the_order_unpaid() {
    let secret = format!("whsec_{}", unique());
    let w = World::new(&secret).await;
    let order = w.ordered(2).await;
    let intent = World::intent(&order);
    let mut object = get_json(&format!("/v1/payment_intents/{intent}")).await;
    object["status"] = json!("succeeded");
    object["amount_received"] = json!(1);
    let after = deliver_signed(&w, &secret, "payment_intent.succeeded", object.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, OrderStatus::PendingPayment);
    let one_cent = Money::parse("0.01", Currency::USD).unwrap();
    assert_eq!(after.payment.captured, one_cent, "recorded");
    let shortfall = after.payment.shortfall.clone().expect("flagged");
    assert_eq!(
        (shortfall.due, shortfall.received),
        (order.totals.total, one_cent)
    );
    assert_eq!(w.on_hand().await, 10, "nothing committed");

    object["currency"] = json!("eur");
    object["amount_received"] = json!(order.totals.total.to_minor_units().unwrap());
    let err = deliver_signed(&w, &secret, "payment_intent.succeeded", object)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput { field: "currency" });
    assert_eq!(w.order(order.id).await, after, "unchanged");
}

/// A signed event about a PaymentIntent no order has says which payment it looked
/// for, as a payment, not as an order.
#[tokio::test]
async fn a_notice_for_an_unknown_payment_names_the_payment() {
    let secret = format!("whsec_{}", unique());
    let w = World::new(&secret).await;
    let order = w.ordered(1).await;
    let intent = World::intent(&order);
    let mut object = get_json(&format!("/v1/payment_intents/{intent}")).await;
    object["id"] = json!("pi_nobody_has_this");
    object["metadata"] = json!({});
    object["status"] = json!("succeeded");
    object["amount_received"] = object["amount"].clone();
    let err = deliver_signed(&w, &secret, "payment_intent.succeeded", object)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::not_found(commerce_core::Entity::Payment, "pi_nobody_has_this")
    );
}

/// Signs an event of `kind` about `object` with `secret`, now, and hands it to the engine.
async fn deliver_signed(
    w: &World,
    secret: &str,
    kind: &str,
    object: serde_json::Value,
) -> Result<Option<commerce_core::order::Order>, Error> {
    let payload = event(kind, object);
    let signature = sign(secret, &payload, Utc::now().timestamp());
    w.engine.handle_payment_webhook(&payload, &signature).await
}
