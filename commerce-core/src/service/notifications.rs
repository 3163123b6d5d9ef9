//! Use cases: notifications — turning outbox events into queued notifications (who is
//! told what), delivering due ones with retries, and each person's history.
//!
//! Delivery is at least once: a notification is recorded sent after its channel
//! accepted it, so a worker that dies between the two sends it again once its claim
//! lapses. Everything before that is exactly once: an event the outbox delivers twice
//! queues the same keys, which the store keeps once.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use serde_json::{Value, json};

use super::Commerce;
use crate::error::Error;
use crate::events::{DomainEvent, OutboxEntry};
use crate::identity::{Account, Principal};
use crate::ids::{AccountId, OrderId};
use crate::notify::{
    Backoff, Channel, DeliveryStatus, Message, Notification, NotificationKey, NotificationKind,
    Templates, format_money,
};
use crate::order::Order;
use crate::ports::{Notifier, SendError, Subscriber};

/// How notifications are sent: the channels, the templates, retry timing.
#[derive(Clone)]
pub struct NotificationSettings {
    notifiers: BTreeMap<Channel, Arc<dyn Notifier>>,
    /// The templates messages are rendered with.
    pub templates: Templates,
    /// Retry timing for failed attempts.
    pub backoff: Backoff,
    /// How long a delivery run holds the notifications it claimed; one whose worker died
    /// is retried after this.
    pub claim_lease: Duration,
    /// The tracking page linked from shipping updates, with `{carrier}` and
    /// `{tracking_number}` replaced (URL-encoded).
    pub tracking_url: String,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            notifiers: BTreeMap::new(),
            templates: Templates::new(),
            backoff: Backoff::default(),
            claim_lease: Duration::minutes(5),
            tracking_url: "https://parcelsapp.com/en/tracking/{tracking_number}".to_owned(),
        }
    }
}

impl std::fmt::Debug for NotificationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationSettings")
            .field("channels", &self.notifiers.keys().collect::<Vec<_>>())
            .field("templates", &self.templates)
            .field("backoff", &self.backoff)
            .field("claim_lease", &self.claim_lease)
            .field("tracking_url", &self.tracking_url)
            .finish()
    }
}

impl NotificationSettings {
    /// The same settings sending on `notifier`'s channel through it (replacing any
    /// notifier of that channel).
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifiers.insert(notifier.channel(), notifier);
        self
    }

    /// The channels with a notifier.
    pub fn channels(&self) -> impl Iterator<Item = Channel> + '_ {
        self.notifiers.keys().copied()
    }
}

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Notifications sent.
    pub sent: usize,
    /// Notifications given up as failed (permanent error or too many attempts).
    pub failed: usize,
    /// Notifications that failed for now and stay queued for a retry.
    pub retrying: usize,
}

impl Commerce {
    /// The same engine sending notifications as `settings` say (see
    /// [`Commerce::notification_queuer`] and [`Commerce::deliver_notifications`]).
    pub fn with_notifications(mut self, settings: NotificationSettings) -> Self {
        self.notifications = settings;
        self
    }

    /// The notification settings.
    pub fn notification_settings(&self) -> &NotificationSettings {
        &self.notifications
    }

    /// A subscriber that queues notifications from events, for
    /// [`Commerce::publish_events`]. Who is told what, with the context the templates get
    /// (every context also has the recipient's `name` and `email`; money is formatted
    /// for its currency):
    ///
    /// - `user.created` → the new account: welcome;
    /// - `user.password_reset_requested` → the account: password reset;
    /// - `order.created` → the buyer: order confirmation (`number`, `total`, `lines` with
    ///   `name`, `sku`, `quantity`, `unit_price`, `total`; `totals` with `items`,
    ///   `discount`, `shipping`, `shipping_discount`, `tax`, `total`);
    /// - `payment.failed` → the buyer: payment failed (`number`, `total`, `code`);
    /// - `order.shipped` → the buyer: shipping update (`number`, `carrier`,
    ///   `tracking_number`, `tracking_url`);
    /// - `order.delivered` → the buyer: delivered (`number`);
    /// - `stock.low` → the seller owning the SKU's shop: low stock (`sku`, `product`,
    ///   `available`, `threshold`);
    /// - `stock.back_in_stock` → each subscriber who opted in to marketing (it is
    ///   promotional): back in stock (`sku`, `product`).
    ///
    /// One notification per recipient and channel with a notifier (e-mail to the account's
    /// address, SMS to the profile's phone if any, push and in-app to the account id).
    /// Keyed by (event, recipient, channel), so an event handled twice queues nothing new.
    /// Events about something that no longer exists tell no one, and so does every event
    /// handled while no notifier is configured: configure the channels before running it.
    pub fn notification_queuer(&self) -> Arc<dyn Subscriber> {
        Arc::new(NotificationQueuer {
            engine: self.clone(),
        })
    }

    /// Sends up to `limit` due notifications: claims them, renders each with the
    /// templates and hands it to its channel's notifier, then records the outcome —
    /// sent; failed with the reason (a template that fails to render, an address the
    /// channel rejects, or the last allowed attempt); or still queued with the failure
    /// recorded and the next attempt put off by the backoff. One notification's failure
    /// never stops the others. Run it in a loop, from as many processes as you like.
    ///
    /// # Errors
    /// Only storage errors; a notification whose outcome could not be recorded is
    /// retried after the claim lease.
    pub async fn deliver_notifications(&self, limit: usize) -> Result<Delivery, Error> {
        let now = self.now();
        let until = now + self.notifications.claim_lease;
        let store = &self.stores.notifications;
        let due = store.claim_due(now, until, limit).await?;
        let mut delivery = Delivery::default();
        for mut notification in due {
            notification.attempts = notification.attempts.saturating_add(1);
            match self.send(&notification).await {
                Ok(()) => {
                    notification.status = DeliveryStatus::Sent;
                    notification.sent_at = Some(now);
                    notification.last_error = None;
                    delivery.sent += 1;
                }
                Err(SendError::Permanent(reason)) => {
                    notification.status = DeliveryStatus::Failed;
                    notification.last_error = Some(reason);
                    delivery.failed += 1;
                }
                Err(SendError::Retryable(reason)) => {
                    let backoff = &self.notifications.backoff;
                    if backoff.retries_after(notification.attempts) {
                        notification.next_attempt_at = now + backoff.delay(notification.attempts);
                        notification.last_error = Some(reason);
                        delivery.retrying += 1;
                    } else {
                        notification.status = DeliveryStatus::Failed;
                        notification.last_error = Some(format!(
                            "gave up after {} attempts: {reason}",
                            notification.attempts
                        ));
                        delivery.failed += 1;
                    }
                }
            }
            store.record(&notification).await?;
        }
        Ok(delivery)
    }

    /// Every notification to `account`, oldest first, with its status, attempts and last
    /// error (the seeds' `GET /notifications/history`).
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is that account or an admin.
    pub async fn notification_history(
        &self,
        actor: Principal,
        account: AccountId,
    ) -> Result<Vec<Notification>, Error> {
        if !actor.is_admin() && actor.account() != Some(account) {
            return Err(Error::forbidden("read another person's notifications"));
        }
        self.stores.notifications.history(account).await
    }

    /// Renders and sends one notification.
    async fn send(&self, notification: &Notification) -> Result<(), SendError> {
        let settings = &self.notifications;
        let rendered = settings
            .templates
            .render(notification.kind, &notification.context)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        let notifier = settings
            .notifiers
            .get(&notification.key.channel)
            .ok_or_else(|| {
                SendError::Retryable(format!(
                    "no notifier for the {} channel",
                    notification.key.channel.as_str()
                ))
            })?;
        let message = Message {
            kind: notification.kind,
            to: notification.address.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        };
        notifier.send(&message).await
    }

    /// Who is told what about `event`: recipients with their kind and context.
    async fn audience(
        &self,
        event: &DomainEvent,
    ) -> Result<Vec<(AccountId, NotificationKind, Value)>, Error> {
        let one = |account, kind, context| Ok(vec![(account, kind, context)]);
        match event {
            DomainEvent::UserCreated { account, .. } => {
                one(*account, NotificationKind::Welcome, json!({}))
            }
            DomainEvent::PasswordResetRequested { account } => {
                one(*account, NotificationKind::PasswordReset, json!({}))
            }
            DomainEvent::OrderCreated { order, .. } => {
                let Some(order) = self.order_for(*order).await? else {
                    return Ok(Vec::new());
                };
                one(
                    buyer(&order),
                    NotificationKind::OrderConfirmation,
                    order_context(&order),
                )
            }
            DomainEvent::PaymentFailed { order, code } => {
                let Some(order) = self.order_for(*order).await? else {
                    return Ok(Vec::new());
                };
                one(
                    buyer(&order),
                    NotificationKind::PaymentFailed,
                    json!({
                        "number": order.number.as_str(),
                        "total": format_money(&order.totals.total),
                        "code": code,
                    }),
                )
            }
            DomainEvent::OrderShipped {
                order,
                carrier,
                tracking_number,
                ..
            } => {
                let Some(order) = self.order_for(*order).await? else {
                    return Ok(Vec::new());
                };
                let url = self
                    .notifications
                    .tracking_url
                    .replace("{carrier}", &url_encode(carrier))
                    .replace("{tracking_number}", &url_encode(tracking_number));
                one(
                    buyer(&order),
                    NotificationKind::ShippingUpdate,
                    json!({
                        "number": order.number.as_str(),
                        "carrier": carrier,
                        "tracking_number": tracking_number,
                        "tracking_url": url,
                    }),
                )
            }
            DomainEvent::OrderDelivered { order } => {
                let Some(order) = self.order_for(*order).await? else {
                    return Ok(Vec::new());
                };
                one(
                    buyer(&order),
                    NotificationKind::Delivered,
                    json!({ "number": order.number.as_str() }),
                )
            }
            DomainEvent::StockLow {
                sku,
                available,
                threshold,
            } => {
                let Some(product) = self.stores.catalog.product_by_sku(sku).await? else {
                    return Ok(Vec::new());
                };
                let Some(shop) = self.stores.catalog.shop(product.shop()).await? else {
                    return Ok(Vec::new());
                };
                one(
                    AccountId::from_uuid(shop.seller.as_uuid()),
                    NotificationKind::LowStock,
                    json!({
                        "sku": sku.as_str(),
                        "product": product.name(),
                        "available": available,
                        "threshold": threshold,
                    }),
                )
            }
            DomainEvent::BackInStock {
                sku, subscribers, ..
            } => {
                let product = self.stores.catalog.product_by_sku(sku).await?;
                let name = product.as_ref().map_or(sku.as_str(), |p| p.name());
                let context = json!({ "sku": sku.as_str(), "product": name });
                Ok(subscribers
                    .iter()
                    .map(|customer| {
                        (
                            AccountId::from_uuid(customer.as_uuid()),
                            NotificationKind::BackInStock,
                            context.clone(),
                        )
                    })
                    .collect())
            }
            _ => Ok(Vec::new()),
        }
    }

    async fn order_for(&self, id: OrderId) -> Result<Option<Order>, Error> {
        self.stores.orders.order(id).await
    }

    /// The notifications `entry` causes, one per recipient and channel.
    async fn notifications_for(&self, entry: &OutboxEntry) -> Result<Vec<Notification>, Error> {
        let settings = &self.notifications;
        if settings.notifiers.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut queued = Vec::new();
        for (recipient, kind, mut context) in self.audience(&entry.record.event).await? {
            let Some(account) = self.stores.accounts.account(recipient).await? else {
                continue;
            };
            if kind.is_promotional() && !account.profile.marketing_opt_in {
                continue;
            }
            if let Value::Object(map) = &mut context {
                map.insert("name".into(), json!(account.profile.name));
                map.insert("email".into(), json!(account.email.as_str()));
            }
            for channel in settings.channels() {
                let Some(address) = address_on(&account, channel) else {
                    continue;
                };
                let key = NotificationKey {
                    event: entry.record.id,
                    recipient,
                    channel,
                };
                queued.push(Notification::queued(
                    key,
                    kind,
                    address,
                    context.clone(),
                    now,
                ));
            }
        }
        Ok(queued)
    }
}

/// Where `account` is reached on `channel`, if it can be.
fn address_on(account: &Account, channel: Channel) -> Option<String> {
    match channel {
        Channel::Email => Some(account.email.as_str().to_owned()),
        Channel::Sms => account.profile.phone.clone(),
        Channel::Push | Channel::InApp => Some(account.id.to_string()),
    }
}

fn buyer(order: &Order) -> AccountId {
    AccountId::from_uuid(order.customer.as_uuid())
}

/// An order confirmation's context: number, lines and totals.
fn order_context(order: &Order) -> Value {
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            json!({
                "name": line.name,
                "sku": line.sku.as_str(),
                "quantity": line.quantity,
                "unit_price": format_money(&line.unit_price),
                "total": format_money(&line.total),
            })
        })
        .collect();
    let totals = &order.totals;
    json!({
        "number": order.number.as_str(),
        "total": format_money(&totals.total),
        "lines": lines,
        "totals": {
            "items": format_money(&totals.items),
            "discount": format_money(&totals.discount),
            "shipping": format_money(&totals.shipping),
            "shipping_discount": format_money(&totals.shipping_discount),
            "tax": format_money(&totals.tax),
            "total": format_money(&totals.total),
        },
    })
}

/// Percent-encodes everything but unreserved URL characters.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Queues the notifications each event causes.
struct NotificationQueuer {
    engine: Commerce,
}

#[async_trait]
impl Subscriber for NotificationQueuer {
    fn name(&self) -> &str {
        "notifications"
    }

    async fn handle(&self, entry: &OutboxEntry) -> Result<(), Error> {
        let queued = self.engine.notifications_for(entry).await?;
        if !queued.is_empty() {
            self.engine.stores.notifications.enqueue(queued).await?;
        }
        Ok(())
    }
}
