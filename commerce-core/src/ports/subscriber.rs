//! The in-process event subscriber port.

use async_trait::async_trait;

use crate::error::Error;
use crate::events::OutboxEntry;

/// Something that reacts to domain events in the same process (a search indexer, a
/// notifier). Delivery is at least once and in outbox order: a subscriber may see an
/// event again after a failure, so it de-duplicates on `entry.record.id`.
#[async_trait]
pub trait Subscriber: Send + Sync {
    /// A name for logs and errors.
    fn name(&self) -> &str;

    /// Handles one event. An error stops delivery at this event; it is offered again on
    /// the next run.
    async fn handle(&self, entry: &OutboxEntry) -> Result<(), Error>;
}
