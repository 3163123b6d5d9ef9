//! The in-memory provider's webhook signature check under hostile headers: no header
//! or body can make it panic, and nothing is accepted unless it was signed with the
//! secret within the tolerance.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use commerce_core::memory::{ManualClock, Memory, MemoryPayments};
use commerce_core::payment::{PaymentOutcome, PaymentRef};
use commerce_core::ports::{Clock, PaymentProvider};
use commerce_core::{Entity, Error, ErrorKind, OrderId};
use commerce_testkit::fixtures::now;
use commerce_testkit::hostile::signature_header;
use commerce_testkit::orders::{address, install, two_shops};
use proptest::prelude::*;

fn provider() -> (MemoryPayments, DateTime<Utc>) {
    let clock = Arc::new(ManualClock::default());
    clock.set(now());
    (
        MemoryPayments::new("whsec_property", clock.clone()),
        clock.now(),
    )
}

fn refused(result: Result<Option<commerce_core::payment::PaymentNotice>, Error>) -> bool {
    matches!(result, Err(ref e) if e.kind() == ErrorKind::Unauthenticated)
}

#[test]
fn the_crafted_minimum_timestamp_is_refused_without_overflow() {
    let (payments, at) = provider();
    for signature in [
        "t=-9223372036854775808,v1=00",
        "t=9223372036854775807,v1=00",
        "t=-9223372036854775808,v1=",
    ] {
        assert!(
            refused(payments.verify_webhook(b"{}", signature, at)),
            "{signature}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No header and body the attacker makes up is accepted, and none panics.
    #[test]
    fn unsigned_headers_and_bodies_are_refused(signature in signature_header(), body in any::<Vec<u8>>()) {
        let (payments, at) = provider();
        prop_assert!(refused(payments.verify_webhook(&body, &signature, at)));
    }

    /// A body signed with the secret at any time is accepted only within five minutes of
    /// now, and never panics whatever the body or the time.
    #[test]
    fn signed_bodies_are_accepted_only_when_fresh(
        body in any::<Vec<u8>>(),
        seconds in any::<i64>(),
    ) {
        let (payments, at) = provider();
        let Some(signed_at) = DateTime::<Utc>::from_timestamp(seconds, 0) else {
            return Ok(());
        };
        let signature = payments.sign(&body, signed_at).unwrap();
        let result = payments.verify_webhook(&body, &signature, at);
        let fresh = (at - signed_at).num_seconds().abs() <= 300;
        if fresh {
            // Signed and fresh: only the body can be at fault now, as a typed error.
            prop_assert!(!refused(result.clone()), "{result:?}");
            if let Err(e) = result {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidInput { field: "webhook" });
            }
        } else {
            prop_assert!(refused(result));
        }
    }

    /// A signed notice is refused once its body is changed by even one byte.
    #[test]
    fn a_changed_byte_is_refused(body in prop::collection::vec(any::<u8>(), 1..200), at in any::<prop::sample::Index>(), flip in 1..=255u8) {
        let (payments, now) = provider();
        let signature = payments.sign(&body, now).unwrap();
        let mut tampered = body.clone();
        let i = at.index(tampered.len());
        tampered[i] ^= flip;
        prop_assert!(refused(payments.verify_webhook(&tampered, &signature, now)));
    }
}

#[tokio::test]
async fn the_engine_answers_a_crafted_header_with_unauthenticated() {
    let memory = Memory::new();
    let err = memory
        .commerce()
        .handle_payment_webhook(b"{}", "t=-9223372036854775808,v1=00")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
}

/// A signed notice about an order this engine does not have names the order it looked
/// for, not the payment reference.
#[tokio::test]
async fn a_notice_for_an_unknown_order_names_the_order() {
    let memory = Memory::new();
    memory.clock.set(now());
    let (store, mug, _) = two_shops();
    install(&store, &memory.stores, 10, now()).await;
    let customer = commerce_core::CustomerId::from_u128(1);
    let cart = store.customer_cart(customer, &[(mug, 1)], now());
    memory
        .stores
        .carts
        .save_cart(&cart, Vec::new())
        .await
        .unwrap();
    let checkout = memory
        .commerce()
        .checkout(
            commerce_core::identity::Principal::Customer(customer),
            commerce_core::CheckoutRequest {
                cart: cart.id(),
                ship_to: address(),
                shipping_method: None,
                expected_total: None,
                idempotency_key: commerce_core::payment::IdempotencyKey::parse("k").unwrap(),
            },
        )
        .await
        .unwrap();
    let payment: PaymentRef = checkout.payment.unwrap().reference;
    let hook = memory
        .payments
        .webhook_for(
            &payment,
            PaymentOutcome::Succeeded {
                captured: checkout.order.totals.total,
            },
        )
        .unwrap();
    // Another engine, with other stores, the same provider: the order is not there.
    let elsewhere = Memory::new();
    let engine = commerce_core::Commerce::new(
        elsewhere.stores.clone(),
        memory.payments.clone(),
        memory.clock.clone(),
        commerce_core::Config::default(),
    );
    let err = engine
        .handle_payment_webhook(&hook.payload, &hook.signature)
        .await
        .unwrap_err();
    let order: OrderId = checkout.order.id;
    assert_eq!(err, Error::not_found(Entity::Order, order));
    assert!(!err.to_string().contains(&payment.0), "{err}");
}
