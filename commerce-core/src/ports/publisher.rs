//! The outbox relay's destination port.

use async_trait::async_trait;

use crate::error::Error;
use crate::events::OutboxEntry;
use crate::ids::EventId;

/// Where the outbox relay sends events: a message broker, subscribers, a webhook.
#[async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes one event. An error leaves it (and those after it) for a later relay.
    async fn publish(&self, entry: &OutboxEntry) -> Result<(), Error>;
}

/// What one `relay` call did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Published {
    /// Events published and marked, in order.
    pub published: Vec<EventId>,
    /// The error that stopped the relay early, if any (its event stays unpublished).
    pub failed: Option<Error>,
}
