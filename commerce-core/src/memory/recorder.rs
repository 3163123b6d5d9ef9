//! A subscriber that remembers what it was told.

use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::error::Error;
use crate::events::{DomainEvent, OutboxEntry};
use crate::ids::EventId;
use crate::ports::Subscriber;

/// Records every event delivered to it, once per event id: handy in tests and as an
/// in-app activity feed.
#[derive(Debug, Default)]
pub struct EventRecorder {
    state: Mutex<(Vec<DomainEvent>, HashSet<EventId>)>,
}

impl EventRecorder {
    /// An empty recorder.
    pub fn new() -> Self {
        EventRecorder::default()
    }

    /// The events received, in delivery order.
    pub fn events(&self) -> Result<Vec<DomainEvent>, Error> {
        Ok(lock(&self.state)?.0.clone())
    }
}

#[async_trait]
impl Subscriber for EventRecorder {
    fn name(&self) -> &str {
        "event recorder"
    }

    async fn handle(&self, entry: &OutboxEntry) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        if state.1.insert(entry.record.id) {
            state.0.push(entry.record.event.clone());
        }
        Ok(())
    }
}
