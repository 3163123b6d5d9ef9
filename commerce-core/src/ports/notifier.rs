//! The notification channel port.

use async_trait::async_trait;

use crate::notify::{Channel, Message};

/// Why a message could not be sent, as the delivery worker needs to know it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// It may work later (server down, timeout, a 4xx "try again" reply): the
    /// notification stays queued and is retried with backoff.
    #[error("temporary failure: {0}")]
    Retryable(String),
    /// It will never work (invalid address, 5xx rejection): the notification is marked
    /// failed with this reason and not retried.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Sends rendered messages on one channel (e-mail over SMTP, an in-app inbox, an SMS
/// gateway ...).
#[async_trait]
pub trait Notifier: Send + Sync {
    /// The channel it sends on.
    fn channel(&self) -> Channel;

    /// Sends `message` to `message.to`. `Ok` means the channel accepted it (an SMTP
    /// server queued it); the worker then records the notification sent. Must not
    /// panic on any address: a malformed one is [`SendError::Permanent`].
    async fn send(&self, message: &Message) -> Result<(), SendError>;
}
