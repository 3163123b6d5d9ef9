//! The notification queue and history port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::ids::AccountId;
use crate::notify::{Notification, NotificationKey};

/// Durable storage of notifications: the queue the delivery worker drains and, since
/// entries are kept after they are sent or failed, each person's notification history.
/// Several workers (in several processes) may drain the same queue at once.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Queues `notifications`. One whose [`NotificationKey`] is already stored (in any
    /// status) is skipped and the stored one left unchanged: handling an event twice
    /// queues nothing new. Returns how many were added.
    async fn enqueue(&self, notifications: Vec<Notification>) -> Result<usize, Error>;

    /// Claims up to `limit` queued notifications due at `now` (`next_attempt_at <= now`),
    /// oldest queued first: each gets `next_attempt_at = until` before it is returned
    /// (and is returned with it), so no other claimer takes it until then — a worker
    /// records the outcome well before, and one that died leaves it to be retried at
    /// `until`. Concurrent claimers never get the same notification.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Notification>, Error>;

    /// Stores the outcome of an attempt: replaces the status, attempts, last error, next
    /// attempt and sent time of the notification with `notification.key`.
    /// [`Error::NotFound`] if no notification has that key.
    async fn record(&self, notification: &Notification) -> Result<(), Error>;

    /// The notification with `key`, if any.
    async fn notification(&self, key: &NotificationKey) -> Result<Option<Notification>, Error>;

    /// Every notification to `recipient`, in any status, oldest queued first.
    async fn history(&self, recipient: AccountId) -> Result<Vec<Notification>, Error>;
}
