//! Use case: publishing the outbox to in-process subscribers.

use std::sync::Arc;

use crate::error::Error;
use crate::ports::Subscriber;

use super::Commerce;

impl Commerce {
    /// Delivers up to `batch` unpublished events, oldest first, to every subscriber, and
    /// marks each published once all subscribers took it. Stops at the first event a
    /// subscriber refuses (returning its error; that event and the ones after it stay
    /// unpublished and are offered again next time). Returns how many were published.
    ///
    /// Run it after changes, or in a loop; one relay per process is enough, and with a
    /// database outbox several processes may run it — subscribers de-duplicate by event
    /// id.
    pub async fn publish_events(
        &self,
        subscribers: &[Arc<dyn Subscriber>],
        batch: usize,
    ) -> Result<usize, Error> {
        let entries = self.stores.outbox.unpublished(batch).await?;
        let mut published = Vec::with_capacity(entries.len());
        let mut failure = None;
        'events: for entry in &entries {
            for subscriber in subscribers {
                if let Err(e) = subscriber.handle(entry).await {
                    failure = Some(e);
                    break 'events;
                }
            }
            published.push(entry.record.id);
        }
        self.stores.outbox.mark_published(&published).await?;
        match failure {
            Some(e) => Err(e),
            None => Ok(published.len()),
        }
    }
}
