//! The in-memory outbox.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::error::Error;
use crate::events::{EventRecord, OutboxEntry};
use crate::ids::EventId;
use crate::ports::{Outbox, Published, Publisher};

/// Events in append order, with the set already published and the ones a relay holds.
#[derive(Debug, Default)]
pub struct MemoryOutbox {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    next_sequence: u64,
    unpublished: BTreeMap<u64, EventRecord>,
    seen: HashSet<EventId>,
    /// Sequences of unpublished events a running `relay` has claimed; other relays skip
    /// them.
    claimed: HashSet<u64>,
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

    /// Claims up to `limit` unclaimed unpublished events, oldest first.
    fn claim(&self, limit: usize) -> Result<Claim<'_>, Error> {
        let mut state = lock(&self.state)?;
        let State {
            unpublished,
            claimed,
            ..
        } = &mut *state;
        let entries: Vec<OutboxEntry> = unpublished
            .iter()
            .filter(|(sequence, _)| !claimed.contains(sequence))
            .take(limit)
            .map(|(&sequence, record)| OutboxEntry {
                sequence,
                record: record.clone(),
            })
            .collect();
        claimed.extend(entries.iter().map(|entry| entry.sequence));
        Ok(Claim {
            outbox: self,
            entries,
        })
    }

    /// Marks one claimed event published and drops its claim.
    fn settle(&self, sequence: u64) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        state.unpublished.remove(&sequence);
        state.claimed.remove(&sequence);
        Ok(())
    }
}

/// Events claimed by one relay. Dropping it (when the relay ends, fails, or its future is
/// dropped mid-way) releases whatever was not settled, so a later relay picks it up.
struct Claim<'a> {
    outbox: &'a MemoryOutbox,
    entries: Vec<OutboxEntry>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        // A poisoned lock makes every later call fail anyway; nothing to release then.
        if let Ok(mut state) = self.outbox.state.lock() {
            for entry in &self.entries {
                state.claimed.remove(&entry.sequence);
            }
        }
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

    async fn relay(&self, limit: usize, publisher: &dyn Publisher) -> Result<Published, Error> {
        let claim = self.claim(limit)?;
        let mut outcome = Published::default();
        // The lock is not held while publishing: each event is marked as soon as the
        // publisher accepts it, so an interrupted relay re-offers only the event in flight.
        for entry in &claim.entries {
            if let Err(e) = publisher.publish(entry).await {
                outcome.failed = Some(e);
                break;
            }
            self.settle(entry.sequence)?;
            outcome.published.push(entry.record.id);
        }
        Ok(outcome)
    }
}
