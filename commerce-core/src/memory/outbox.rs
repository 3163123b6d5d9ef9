//! The in-memory outbox.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::error::Error;
use crate::events::{EventRecord, OutboxEntry};
use crate::ids::EventId;
use crate::ports::Outbox;

/// Events in append order, with the set already published.
#[derive(Debug, Default)]
pub struct MemoryOutbox {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    next_sequence: u64,
    unpublished: BTreeMap<u64, EventRecord>,
    seen: HashSet<EventId>,
}

impl MemoryOutbox {
    /// An empty outbox.
    pub fn new() -> Self {
        MemoryOutbox::default()
    }

    /// Appends events; other in-memory stores call this while holding their own lock,
    /// which is how their change and its events become visible together. The outbox's
    /// lock is always taken last.
    pub(crate) fn push(&self, events: Vec<EventRecord>) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        for record in events {
            if state.seen.insert(record.id) {
                state.next_sequence += 1;
                let sequence = state.next_sequence;
                state.unpublished.insert(sequence, record);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Outbox for MemoryOutbox {
    async fn append(&self, events: Vec<EventRecord>) -> Result<(), Error> {
        self.push(events)
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<OutboxEntry>, Error> {
        let state = lock(&self.state)?;
        Ok(state
            .unpublished
            .iter()
            .take(limit)
            .map(|(&sequence, record)| OutboxEntry {
                sequence,
                record: record.clone(),
            })
            .collect())
    }

    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        let ids: HashSet<&EventId> = ids.iter().collect();
        state
            .unpublished
            .retain(|_, record| !ids.contains(&record.id));
        Ok(())
    }
}
