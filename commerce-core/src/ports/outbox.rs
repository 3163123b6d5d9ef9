//! The event outbox port.

use async_trait::async_trait;

use crate::error::Error;
use crate::events::{EventRecord, OutboxEntry};
use crate::ids::EventId;

/// Durable, ordered storage for domain events awaiting publication. Other ports append
/// to it in the same atomic step as their change; a relay reads and publishes.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Appends events on their own (for changes that touch nothing else). An event whose
    /// id is already in the outbox is skipped.
    async fn append(&self, events: Vec<EventRecord>) -> Result<(), Error>;

    /// Up to `limit` unpublished events in append order (ascending sequence).
    async fn unpublished(&self, limit: usize) -> Result<Vec<OutboxEntry>, Error>;

    /// Marks events published; they are not returned by `unpublished` again. Unknown or
    /// already published ids are ignored.
    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Error>;
}
