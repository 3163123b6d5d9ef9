//! `Stripe-Signature` verification under hostile headers, without a network: no header
//! or body can make it panic (async-stripe subtracts timestamps unchecked; the adapter
//! refuses out-of-range ones first), and nothing is accepted unless it was signed with
//! the secret within five minutes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use commerce_core::payment::PaymentNotice;
use commerce_core::ports::PaymentProvider;
use commerce_core::{Error, ErrorKind};
use commerce_stripe::StripePayments;
use commerce_testkit::hostile::{signature_header, signature_time};
use hmac::{Hmac, Mac};
use proptest::prelude::*;

const SECRET: &str = "whsec_property";

/// The adapter, made once (its HTTP client is costly to build); verification never
/// talks to the API, so the base URL is never used.
fn stripe() -> &'static StripePayments {
    static STRIPE: LazyLock<StripePayments> =
        LazyLock::new(|| support::payments("http://127.0.0.1:9/", SECRET));
    &STRIPE
}

fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_750_000_000, 0).unwrap()
}

fn sign(payload: &str, at: i64) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{at}.").as_bytes());
    mac.update(payload.as_bytes());
    format!("t={at},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn refused(result: &Result<Option<PaymentNotice>, Error>) -> bool {
    matches!(result, Err(e) if e.kind() == ErrorKind::Unauthenticated)
}

/// A minimal Stripe event the adapter maps (a canceled PaymentIntent).
fn event() -> String {
    serde_json::json!({
        "id": "evt_property", "object": "event", "created": 1_750_000_000,
        "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": "payment_intent.canceled",
        "data": {"object": {
            "id": "pi_property", "object": "payment_intent", "amount": 2000,
            "amount_capturable": 0, "amount_received": 0, "capture_method": "automatic",
            "confirmation_method": "automatic", "created": 1_750_000_000, "currency": "usd",
            "livemode": false, "metadata": {}, "payment_method_types": ["card"],
            "status": "canceled"
        }}
    })
    .to_string()
}

#[test]
fn the_crafted_minimum_timestamp_is_refused_without_overflow() {
    for header in [
        "t=-9223372036854775808,v1=00".to_owned(),
        "t=9223372036854775807,v1=00".to_owned(),
        // Even correctly signed, an absurd time is refused rather than overflowing.
        sign(&event(), i64::MIN),
        sign(&event(), i64::MAX),
    ] {
        let result = stripe().verify_webhook(event().as_bytes(), &header, now());
        assert!(refused(&result), "{header}: {result:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No made-up header is accepted, whatever the body, and none panics.
    #[test]
    fn unsigned_headers_and_bodies_are_refused(header in signature_header(), body in any::<Vec<u8>>()) {
        let result = stripe().verify_webhook(&body, &header, now());
        prop_assert!(refused(&result), "{result:?}");
    }

    /// The same for the body the adapter would accept when signed.
    #[test]
    fn unsigned_headers_on_a_real_event_are_refused(header in signature_header()) {
        let result = stripe().verify_webhook(event().as_bytes(), &header, now());
        prop_assert!(refused(&result), "{result:?}");
    }

    /// A body signed with the secret at any time is accepted only within five minutes of
    /// now; a signed body that is not an event is a typed error, never a panic.
    #[test]
    fn signed_bodies_are_accepted_only_when_fresh(
        body in prop_oneof![any::<String>(), Just(event())],
        at in prop_oneof![signature_time(), 1_749_999_000..1_750_001_000i64],
    ) {
        let result = stripe().verify_webhook(body.as_bytes(), &sign(&body, at), now());
        let fresh = now().timestamp().checked_sub(at).is_some_and(|d| d.unsigned_abs() <= 300);
        if fresh {
            prop_assert!(!refused(&result), "{result:?}");
            if body == event() {
                prop_assert!(matches!(result, Ok(Some(_))), "{result:?}");
            }
        } else {
            prop_assert!(refused(&result), "{result:?}");
        }
    }
}
