//! The in-memory notification queue and history, and an in-app inbox notifier.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::lock;
use crate::error::{Entity, Error};
use crate::ids::AccountId;
use crate::notify::{Channel, DeliveryStatus, Message, Notification, NotificationKey};
use crate::ports::{NotificationStore, Notifier, SendError};

/// Notifications in the order they were queued, indexed by key.
#[derive(Debug, Default)]
pub struct MemoryNotifications {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    next_sequence: u64,
    entries: BTreeMap<u64, Notification>,
    by_key: HashMap<NotificationKey, u64>,
}

impl MemoryNotifications {
    /// An empty queue.
    pub fn new() -> Self {
        MemoryNotifications::default()
    }
}

#[async_trait]
impl NotificationStore for MemoryNotifications {
    async fn enqueue(&self, notifications: Vec<Notification>) -> Result<usize, Error> {
        let mut state = lock(&self.state)?;
        let mut added = 0;
        for notification in notifications {
            if state.by_key.contains_key(&notification.key) {
                continue;
            }
            state.next_sequence += 1;
            let sequence = state.next_sequence;
            state.by_key.insert(notification.key, sequence);
            state.entries.insert(sequence, notification);
            added += 1;
        }
        Ok(added)
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Notification>, Error> {
        let mut state = lock(&self.state)?;
        let mut claimed = Vec::new();
        for notification in state.entries.values_mut() {
            if claimed.len() >= limit {
                break;
            }
            if notification.status == DeliveryStatus::Queued && notification.next_attempt_at <= now
            {
                notification.next_attempt_at = until;
                claimed.push(notification.clone());
            }
        }
        Ok(claimed)
    }

    async fn record(&self, notification: &Notification) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        let sequence = state.by_key.get(&notification.key).copied();
        let stored = sequence
            .and_then(|sequence| state.entries.get_mut(&sequence))
            .ok_or_else(|| Error::not_found(Entity::Notification, notification.key.event))?;
        stored.status = notification.status;
        stored.attempts = notification.attempts;
        stored.last_error.clone_from(&notification.last_error);
        stored.next_attempt_at = notification.next_attempt_at;
        stored.sent_at = notification.sent_at;
        Ok(())
    }

    async fn notification(&self, key: &NotificationKey) -> Result<Option<Notification>, Error> {
        let state = lock(&self.state)?;
        Ok(state
            .by_key
            .get(key)
            .and_then(|sequence| state.entries.get(sequence))
            .cloned())
    }

    async fn history(&self, recipient: AccountId) -> Result<Vec<Notification>, Error> {
        let state = lock(&self.state)?;
        Ok(state
            .entries
            .values()
            .filter(|n| n.key.recipient == recipient)
            .cloned()
            .collect())
    }
}

/// The in-app channel: messages kept in memory per recipient, for the application to
/// show (and for tests to read). Its addresses are account ids.
#[derive(Debug, Default)]
pub struct MemoryInbox {
    messages: Mutex<Vec<Message>>,
}

impl MemoryInbox {
    /// An empty inbox.
    pub fn new() -> Self {
        MemoryInbox::default()
    }

    /// Every message sent to `account`, oldest first.
    pub fn messages_for(&self, account: AccountId) -> Vec<Message> {
        let to = account.to_string();
        self.messages
            .lock()
            .map(|messages| messages.iter().filter(|m| m.to == to).cloned().collect())
            .unwrap_or_default()
    }
}

#[async_trait]
impl Notifier for MemoryInbox {
    fn channel(&self) -> Channel {
        Channel::InApp
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        if message.to.parse::<AccountId>().is_err() {
            return Err(SendError::Permanent(format!(
                "in-app address {:?} is not an account id",
                message.to
            )));
        }
        self.messages
            .lock()
            .map_err(|_| SendError::Retryable("inbox poisoned by an earlier panic".into()))?
            .push(message.clone());
        Ok(())
    }
}
