//! Use case: publishing the outbox to in-process subscribers.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Error;
use crate::events::OutboxEntry;
use crate::ports::{Publisher, Subscriber};

use super::Commerce;

impl Commerce {
    /// Delivers up to `batch` unpublished events, oldest first, to every subscriber, and
    /// marks each published once all subscribers took it. Stops at the first event a
    /// subscriber refuses (returning its error; that event and the ones after it stay
    /// unpublished and are offered again next time). Returns how many were published.
    ///
    /// Run it after changes, or in a loop. It goes through [`Outbox::relay`], so several
    /// processes may run it on the same outbox at once: each claims its own events and
    /// none is delivered by two of them. Delivery is still at least once — an event whose
    /// relay was interrupted is offered again — so subscribers de-duplicate by event id.
    /// Within one call events arrive in append order; across concurrent callers they may
    /// interleave.
    ///
    /// [`Outbox::relay`]: crate::ports::Outbox::relay
    pub async fn publish_events(
        &self,
        subscribers: &[Arc<dyn Subscriber>],
        batch: usize,
    ) -> Result<usize, Error> {
        let outcome = self
            .stores
            .outbox
            .relay(batch, &Subscribers(subscribers))
            .await?;
        match outcome.failed {
            Some(e) => Err(e),
            None => Ok(outcome.published.len()),
        }
    }
}

/// Publishes an event by handing it to every subscriber in turn; the first refusal stops
/// it.
struct Subscribers<'a>(&'a [Arc<dyn Subscriber>]);

#[async_trait]
impl Publisher for Subscribers<'_> {
    async fn publish(&self, entry: &OutboxEntry) -> Result<(), Error> {
        for subscriber in self.0 {
            subscriber.handle(entry).await?;
        }
        Ok(())
    }
}
