//! Notifications: who is told what, on which channel, and what became of it.
//!
//! Events from the outbox become queued [`Notification`]s (one per event, recipient and
//! channel — the [`NotificationKey`] — so an event delivered twice queues one), which a
//! delivery run renders with [`Templates`] and hands to a
//! [`Notifier`](crate::ports::Notifier), retrying with [`Backoff`]. Each notification is
//! also its own history entry: queued, sent, or failed with the reason and the attempts.

mod backoff;
mod money;
mod templates;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, EventId};

pub use backoff::Backoff;
pub use money::format_money;
pub use templates::{Rendered, Templates};

/// How a message reaches a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail, to the account's address.
    Email,
    /// A text message, to the profile's phone number.
    Sms,
    /// A push notification to the person's devices.
    Push,
    /// A message in the application's own inbox.
    InApp,
}

impl Channel {
    /// The channel's name in storage and templates: `"email"`, `"sms"`, `"push"`, `"in_app"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Push => "push",
            Channel::InApp => "in_app",
        }
    }
}

/// What a notification is about: one per template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A new account was registered.
    Welcome,
    /// An order was placed: its lines and totals.
    OrderConfirmation,
    /// A payment attempt for an order failed.
    PaymentFailed,
    /// A parcel was handed to a carrier: carrier, tracking number and link.
    ShippingUpdate,
    /// An order was delivered.
    Delivered,
    /// A password reset was requested.
    PasswordReset,
    /// A seller's SKU fell to its low-stock threshold.
    LowStock,
    /// A SKU a customer asked about can be bought again.
    BackInStock,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 8] = [
        NotificationKind::Welcome,
        NotificationKind::OrderConfirmation,
        NotificationKind::PaymentFailed,
        NotificationKind::ShippingUpdate,
        NotificationKind::Delivered,
        NotificationKind::PasswordReset,
        NotificationKind::LowStock,
        NotificationKind::BackInStock,
    ];

    /// The kind's name, which is also its templates' base name (`"order_confirmation"`).
    pub fn as_str(&self) -> &'static str {
        match self {
            NotificationKind::Welcome => "welcome",
            NotificationKind::OrderConfirmation => "order_confirmation",
            NotificationKind::PaymentFailed => "payment_failed",
            NotificationKind::ShippingUpdate => "shipping_update",
            NotificationKind::Delivered => "delivered",
            NotificationKind::PasswordReset => "password_reset",
            NotificationKind::LowStock => "low_stock",
            NotificationKind::BackInStock => "back_in_stock",
        }
    }

    /// Whether the message is promotional: not sent to people who did not opt in to
    /// marketing. Order, payment, shipping, account and seller messages are
    /// transactional and always sent.
    pub fn is_promotional(&self) -> bool {
        matches!(self, NotificationKind::BackInStock)
    }
}

/// What a delivery run does with a message: one notification's identity, unique in the
/// queue. An event delivered twice from the outbox yields the same keys, so it queues —
/// and sends — one message per recipient and channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NotificationKey {
    /// The event that caused it.
    pub event: EventId,
    /// Who is told.
    pub recipient: AccountId,
    /// How.
    pub channel: Channel,
}

/// Where a notification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent (first attempt, or a retry after a failed attempt).
    Queued,
    /// Handed to the channel successfully.
    Sent,
    /// Given up: a permanent failure (bad address, template error) or too many attempts.
    Failed,
}

impl DeliveryStatus {
    /// The status's name in storage: `"queued"`, `"sent"`, `"failed"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One notification to one person on one channel: the queue entry and its history entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Event, recipient and channel: unique.
    pub key: NotificationKey,
    /// What it is about (which templates render it).
    pub kind: NotificationKind,
    /// Where it goes on its channel: an e-mail address, a phone number, or the account id
    /// for in-app messages.
    pub address: String,
    /// The data the templates render, gathered when the event was handled.
    pub context: serde_json::Value,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Send attempts made so far.
    pub attempts: u32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it may be attempted next (while queued).
    pub next_attempt_at: DateTime<Utc>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

impl Notification {
    /// A new queued notification, due at `now`.
    pub fn queued(
        key: NotificationKey,
        kind: NotificationKind,
        address: impl Into<String>,
        context: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Self {
        Notification {
            key,
            kind,
            address: address.into(),
            context,
            status: DeliveryStatus::Queued,
            attempts: 0,
            last_error: None,
            next_attempt_at: now,
            created_at: now,
            sent_at: None,
        }
    }
}

/// A rendered message, ready for a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// What the notification is about.
    pub kind: NotificationKind,
    /// Where it goes (see [`Notification::address`]).
    pub to: String,
    /// The subject line (the title of a push or in-app message).
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}
