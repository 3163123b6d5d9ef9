//! Stripe payments for commerce-rs: the core's
//! [`PaymentProvider`](commerce_core::ports::PaymentProvider) port on Stripe's
//! PaymentIntents and Refunds, with signed webhooks.
//!
//! ```no_run
//! # fn main() -> Result<(), commerce_core::Error> {
//! use commerce_stripe::{StripeConfig, StripePayments};
//! use secrecy::SecretString;
//!
//! let config = StripeConfig::new(
//!     SecretString::from("sk_test_..."),
//!     SecretString::from("whsec_..."),
//! );
//! let payments = StripePayments::new(config)?;
//! # Ok(()) }
//! ```
//!
//! What the adapter does:
//!
//! - **Amounts** go to Stripe in the currency's minor units, exactly
//!   ([`Money::to_minor_units`](commerce_core::Money::to_minor_units)): 19.99 USD is
//!   `1999`, 1999 JPY is `1999`, 1.999 KWD is `1999`. An amount finer than the currency
//!   allows is refused, never rounded.
//! - **PaymentIntents** carry the order's id (`commerce_order_id`), number
//!   (`commerce_order_number`) and the core's idempotency key
//!   (`commerce_idempotency_key`) in their metadata. Capture is automatic or manual as the
//!   core asks; manual payments can be captured in part.
//! - **Idempotency**: every mutating call sends the core's key as Stripe's
//!   `Idempotency-Key` (sub-steps use [`IdempotencyKey::derive`](commerce_core::payment::IdempotencyKey::derive)),
//!   and the adapter's own retries (network errors, timeouts, 429, 5xx) reuse the same
//!   key. Creating a PaymentIntent is made safe twice over: after a create whose answer
//!   was lost, the adapter first looks for a PaymentIntent carrying the key in its
//!   metadata (a plain list, which unlike search is read-your-writes) and reuses it, so a
//!   server that ignores `Idempotency-Key` (the `localstripe` test server does) still
//!   ends up with one PaymentIntent per order. (The adapter remembers such keys in
//!   memory; after a restart, Stripe's own 24-hour `Idempotency-Key` replay is what keeps
//!   a repeated create from opening a second PaymentIntent.)
//! - **Errors**: a decline is [`Error::PaymentDeclined`](commerce_core::Error::PaymentDeclined)
//!   with Stripe's decline code (or error code); network errors, timeouts, 429 and 5xx
//!   are [`Error::Provider`](commerce_core::Error::Provider) with `retryable: true`; other
//!   refusals are non-retryable provider errors. Messages never carry Stripe's JSON.
//! - **Webhooks**: [`verify_webhook`](commerce_core::ports::PaymentProvider::verify_webhook)
//!   checks `Stripe-Signature` (HMAC-SHA256 over `"{t}.{body}"`, 5 minutes tolerance
//!   against the engine's clock) with `async-stripe-webhook`, and maps
//!   `payment_intent.succeeded`, `payment_intent.payment_failed`,
//!   `payment_intent.canceled` and `charge.refunded` (and, for manual capture,
//!   `payment_intent.amount_capturable_updated`) onto the core's notices; any other
//!   genuine event is `Ok(None)`. De-duplication by event id is the core's (the order
//!   remembers the notices it applied).
//!
//! # Testing
//!
//! The tests run against `localstripe` on loopback, started by `cargo xtask test`
//! through `tests/support/localstripe_compat.py` (which documents each way its JSON is
//! brought in line with Stripe's). localstripe only sends `payment_intent.succeeded` and
//! `payment_intent.payment_failed` webhooks and ignores `Idempotency-Key`, so the
//! `charge.refunded` and `payment_intent.canceled` mappings, replays of the same event,
//! and tampered or stale signatures are tested with payloads signed locally with a real
//! HMAC-SHA256 (`tests/webhooks.rs`); a retry after a network error is tested through a
//! loopback proxy that drops the first answer, and checked by listing the
//! PaymentIntents on the server.
//!
//! `charge.refunded` is mapped from the newest refund in the charge's `refunds` list;
//! when Stripe leaves that list out (newer API versions do unless it is expanded) the
//! event is `Ok(None)`: refunds made through the engine are recorded from the refund
//! call's own answer, so only refunds made outside the engine go unrecorded then.

mod config;
mod errors;
mod payments;
mod views;
mod webhook;

pub use config::{DEFAULT_API_BASE, StripeConfig};
pub use payments::StripePayments;
