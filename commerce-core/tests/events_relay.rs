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
