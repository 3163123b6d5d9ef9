//! Payments as the core sees them: what is asked of a provider, what it answers, and the
//! verified notices (webhooks) it sends. The [`PaymentProvider`](crate::ports::PaymentProvider)
//! port turns these into calls to a real provider.

mod idempotency;

use serde::{Deserialize, Serialize};

pub use idempotency::IdempotencyKey;

use chrono::{DateTime, Utc};

use crate::ids::OrderId;
use crate::money::Money;

/// How far a webhook signature's time may be from now, either way: five minutes, as
/// Stripe's own libraries allow.
pub const WEBHOOK_TOLERANCE_SECONDS: u64 = 300;

/// Whether a webhook signed at `signed_at` (unix seconds, as a signature header carries
/// it) is within [`WEBHOOK_TOLERANCE_SECONDS`] of `now`. Checked arithmetic: any `i64`,
/// however far from now, is a plain `false`, never an overflow.
pub fn signed_recently(signed_at: i64, now: DateTime<Utc>) -> bool {
    now.timestamp()
        .checked_sub(signed_at)
        .is_some_and(|age| age.unsigned_abs() <= WEBHOOK_TOLERANCE_SECONDS)
}

/// When the money is taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMode {
    /// Captured as soon as the payment is authorised.
    #[default]
    Automatic,
    /// Authorised now, captured later (e.g. on shipping).
    Manual,
}

/// A provider's reference for a payment (a Stripe PaymentIntent id, say).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaymentRef(pub String);

/// A request to open a payment for an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    /// The order being paid.
    pub order: OrderId,
    /// Its human-friendly number (providers show it in their dashboards).
    pub order_number: String,
    /// How much.
    pub amount: Money,
    /// Automatic or manual capture.
    pub capture: CaptureMode,
    /// Repeating the request with the same key must not open a second payment.
    pub idempotency_key: IdempotencyKey,
}

/// What a provider says a payment's state is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Waiting for a payment method and confirmation.
    RequiresConfirmation,
    /// The customer must do something (3-D Secure); `url` tells them where, if known.
    RequiresAction {
        /// Where to send the customer.
        url: Option<String>,
    },
    /// The provider is still working on it.
    Processing,
    /// Authorised; waiting for a manual capture.
    RequiresCapture,
    /// Captured.
    Succeeded,
    /// Cancelled before capture.
    Cancelled,
    /// Declined or failed; `code` is the provider's decline code.
    Failed {
        /// Decline or failure code.
        code: String,
    },
}

/// A provider's view of one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderPayment {
    /// The provider's reference.
    pub reference: PaymentRef,
    /// Its state.
    pub status: PaymentStatus,
    /// The amount asked for.
    pub amount: Money,
    /// The amount authorised and not yet captured (under manual capture; a partial
    /// approval may make it less than `amount`).
    pub authorized: Money,
    /// The amount captured so far.
    pub captured: Money,
    /// A secret the client uses to confirm the payment itself, if the provider has one.
    pub client_secret: Option<String>,
}

/// A refund as the provider recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRefund {
    /// The provider's reference for the refund.
    pub reference: String,
    /// How much was refunded.
    pub amount: Money,
}

/// What a verified webhook (or a confirmation's result) says happened to a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentOutcome {
    /// Money captured; `captured` is the total captured so far.
    Succeeded {
        /// Total captured.
        captured: Money,
    },
    /// Authorised, waiting for a manual capture.
    Authorized {
        /// Amount authorised.
        amount: Money,
    },
    /// Declined or failed.
    Failed {
        /// The decline or failure code.
        code: String,
    },
    /// Cancelled at the provider.
    Cancelled,
    /// Money went back.
    Refunded {
        /// The provider's reference for this refund (refunds are recorded once each).
        reference: String,
        /// How much this refund returned.
        amount: Money,
    },
}

/// A verified notice from a provider about one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentNotice {
    /// The provider's event id: notices are applied at most once per id.
    pub event_id: String,
    /// The payment it is about.
    pub payment: PaymentRef,
    /// The order, if the provider carried it in metadata.
    pub order: Option<OrderId>,
    /// What happened.
    pub outcome: PaymentOutcome,
}
