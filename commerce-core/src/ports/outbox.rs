//! The event outbox port.

use async_trait::async_trait;

use super::{Published, Publisher};
use crate::error::Error;
use crate::events::{EventRecord, OutboxEntry};
use crate::ids::EventId;

/// Durable, ordered storage for domain events awaiting publication. Other ports append
/// to it in the same atomic step as their change; [`Outbox::relay`] publishes them, and
/// several relays (in several processes) may drain the same outbox at once.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Appends events on their own (for changes that touch nothing else). An event whose
    /// id is already in the outbox is skipped.
    async fn append(&self, events: Vec<EventRecord>) -> Result<(), Error>;

    /// Up to `limit` unpublished events in append order (ascending sequence), including
    /// events a concurrent `relay` has claimed but not yet marked. A read, not a claim:
    /// use `relay` to publish.
    async fn unpublished(&self, limit: usize) -> Result<Vec<OutboxEntry>, Error>;

    /// Marks events published; they are not returned by `unpublished` again. Unknown or
    /// already published ids are ignored.
    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Error>;

    /// Claims up to `limit` unpublished events in append order, hands each to
    /// `publisher` in that order, marks the ones it accepted published and returns what
    /// happened. Events claimed by a concurrent `relay` (another process draining the same
    /// outbox) are skipped, not waited for and never published twice. If the publisher
    /// fails on an event, that event and the ones after it stay unpublished for a later
    /// relay, and the events before it are still marked published.
    async fn relay(&self, limit: usize, publisher: &dyn Publisher) -> Result<Published, Error>;
}
