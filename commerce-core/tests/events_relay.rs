//! Publishing the outbox to in-process subscribers: in order, at least once, stopping at
//! a refusal and resuming there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use commerce_core::events::{DomainEvent, EventRecord, OutboxEntry};
use commerce_core::memory::{EventRecorder, Memory};
use commerce_core::ports::Subscriber;
use commerce_core::{CartId, Error};
use commerce_testkit::fixtures::now;

fn abandoned(n: u128) -> EventRecord {
    EventRecord::new(
        now(),
        DomainEvent::CartAbandoned {
            cart: CartId::from_u128(n),
        },
    )
}

/// Refuses the `n`th event it sees (once), accepts everything else.
struct Flaky {
    refuse_at: usize,
    seen: AtomicUsize,
}

#[async_trait]
impl Subscriber for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    async fn handle(&self, _entry: &OutboxEntry) -> Result<(), Error> {
        if self.seen.fetch_add(1, Ordering::SeqCst) == self.refuse_at {
            return Err(Error::Unavailable("downstream is down".into()));
        }
        Ok(())
    }
}

#[tokio::test]
async fn subscribers_get_events_in_order_and_they_are_marked_published() {
    let memory = Memory::new();
    let engine = memory.commerce();
    let events: Vec<_> = (1..=4).map(abandoned).collect();
    memory.stores.outbox.append(events.clone()).await.unwrap();
    let recorder = Arc::new(EventRecorder::new());
    let subscribers: Vec<Arc<dyn Subscriber>> = vec![recorder.clone()];
    let published = engine.publish_events(&subscribers, 100).await.unwrap();
    assert_eq!(published, 4);
    let expected: Vec<_> = events.into_iter().map(|e| e.event).collect();
    assert_eq!(recorder.events().unwrap(), expected);
    assert!(
        memory
            .stores
            .outbox
            .unpublished(100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(engine.publish_events(&subscribers, 100).await.unwrap(), 0);
}

#[tokio::test]
async fn a_refusal_stops_delivery_and_the_next_run_resumes_there() {
    let memory = Memory::new();
    let engine = memory.commerce();
    memory
        .stores
        .outbox
        .append((1..=5).map(abandoned).collect())
        .await
        .unwrap();
    let recorder = Arc::new(EventRecorder::new());
    let flaky = Arc::new(Flaky {
        refuse_at: 2,
        seen: AtomicUsize::new(0),
    });
    let subscribers: Vec<Arc<dyn Subscriber>> = vec![recorder.clone(), flaky];
    let err = engine.publish_events(&subscribers, 100).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable(_)));
    assert_eq!(
        memory.stores.outbox.unpublished(100).await.unwrap().len(),
        3
    );
    assert_eq!(engine.publish_events(&subscribers, 100).await.unwrap(), 3);
    // The recorder saw the refused event twice but keeps it once.
    assert_eq!(recorder.events().unwrap().len(), 5);
}

/// Counts how often each event reaches it, yielding between events so relays overlap.
#[derive(Default)]
struct Counting {
    seen: std::sync::Mutex<std::collections::HashMap<commerce_core::EventId, usize>>,
}

#[async_trait]
impl Subscriber for Counting {
    fn name(&self) -> &str {
        "counting"
    }
    async fn handle(&self, entry: &OutboxEntry) -> Result<(), Error> {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        *self
            .seen
            .lock()
            .unwrap()
            .entry(entry.record.id)
            .or_default() += 1;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn engines_publishing_at_once_deliver_each_event_once() {
    let memory = Memory::new();
    memory
        .stores
        .outbox
        .append((1..=100).map(abandoned).collect())
        .await
        .unwrap();
    let counting = Arc::new(Counting::default());
    let mut workers = Vec::new();
    for _ in 0..3 {
        // Each worker is its own engine over the shared outbox, as separate processes
        // sharing one database would be.
        let engine = memory.commerce();
        let subscribers: Vec<Arc<dyn Subscriber>> = vec![counting.clone()];
        workers.push(tokio::spawn(async move {
            let mut total = 0;
            loop {
                match engine.publish_events(&subscribers, 5).await.unwrap() {
                    0 => break total,
                    n => total += n,
                }
            }
        }));
    }
    let mut published = 0;
    for worker in workers {
        published += worker.await.unwrap();
    }
    assert_eq!(published, 100);
    let seen = counting.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 100);
    assert!(
        seen.values().all(|&n| n == 1),
        "an event was delivered twice"
    );
    assert!(
        memory
            .stores
            .outbox
            .unpublished(1000)
            .await
            .unwrap()
            .is_empty()
    );
}
