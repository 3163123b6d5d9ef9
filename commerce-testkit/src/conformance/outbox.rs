//! Conformance cases: the outbox — order, publication, de-duplication, and relays that
//! claim events so concurrent drainers publish each exactly once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use commerce_core::events::{DomainEvent, EventRecord, OutboxEntry};
use commerce_core::ports::{Published, Publisher, Stores};
use commerce_core::{CartId, Error, EventId};
use tokio::sync::Barrier;

use crate::fixtures::now;

/// The outbox cases, as tests.
#[macro_export]
macro_rules! outbox_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            outbox,
            $fresh,
            [
                events_come_back_in_append_order,
                published_events_are_not_returned_again,
                an_event_id_is_stored_once,
                unpublished_respects_the_limit,
                concurrent_appends_are_all_kept_in_a_total_order,
                relay_publishes_in_append_order_and_marks_published,
                a_failing_publisher_leaves_its_event_and_later_ones_unpublished,
                concurrent_relays_publish_every_event_exactly_once,
                an_interrupted_relay_loses_nothing,
            ]
        );
    };
}

fn event(n: u128) -> EventRecord {
    EventRecord::new(
        now(),
        DomainEvent::CartAbandoned {
            cart: CartId::from_u128(n),
        },
    )
}

/// Events are read back in the order appended, with increasing sequence numbers.
pub async fn events_come_back_in_append_order(stores: Stores) {
    let events: Vec<_> = (1..=5).map(event).collect();
    stores.outbox.append(events[..2].to_vec()).await.unwrap();
    stores.outbox.append(events[2..].to_vec()).await.unwrap();
    let read = stores.outbox.unpublished(100).await.unwrap();
    let ids: Vec<_> = read.iter().map(|e| e.record.id).collect();
    let expected: Vec<_> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids, expected);
    assert!(read.windows(2).all(|w| w[0].sequence < w[1].sequence));
    assert_eq!(read[0].record, events[0]);
}

/// Marked events disappear from `unpublished`; unknown ids are ignored.
pub async fn published_events_are_not_returned_again(stores: Stores) {
    let events: Vec<_> = (1..=3).map(event).collect();
    stores.outbox.append(events.clone()).await.unwrap();
    stores
        .outbox
        .mark_published(&[events[0].id, event(99).id])
        .await
        .unwrap();
    let left: Vec<_> = stores
        .outbox
        .unpublished(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.record.id)
        .collect();
    assert_eq!(left, vec![events[1].id, events[2].id]);
    stores.outbox.mark_published(&[events[0].id]).await.unwrap();
    assert_eq!(stores.outbox.unpublished(100).await.unwrap().len(), 2);
}

/// Appending an event id twice keeps one copy, even after it was published.
pub async fn an_event_id_is_stored_once(stores: Stores) {
    let first = event(1);
    stores.outbox.append(vec![first.clone()]).await.unwrap();
    stores.outbox.append(vec![first.clone()]).await.unwrap();
    assert_eq!(stores.outbox.unpublished(100).await.unwrap().len(), 1);
    stores.outbox.mark_published(&[first.id]).await.unwrap();
    stores.outbox.append(vec![first]).await.unwrap();
    assert!(stores.outbox.unpublished(100).await.unwrap().is_empty());
}

/// At most `limit` events are returned, the oldest first.
pub async fn unpublished_respects_the_limit(stores: Stores) {
    let events: Vec<_> = (1..=10).map(event).collect();
    stores.outbox.append(events.clone()).await.unwrap();
    let page = stores.outbox.unpublished(3).await.unwrap();
    let ids: Vec<_> = page.iter().map(|e| e.record.id).collect();
    assert_eq!(ids, events[..3].iter().map(|e| e.id).collect::<Vec<_>>());
}

/// Appends from many tasks are all kept, each with its own sequence number.
pub async fn concurrent_appends_are_all_kept_in_a_total_order(stores: Stores) {
    let mut tasks = Vec::new();
    for task in 0..16u128 {
        let stores = stores.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..10u128 {
                stores
                    .outbox
                    .append(vec![event(task * 100 + n)])
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let all = stores.outbox.unpublished(1000).await.unwrap();
    assert_eq!(all.len(), 160);
    let mut sequences: Vec<_> = all.iter().map(|e| e.sequence).collect();
    sequences.dedup();
    assert_eq!(sequences.len(), 160);
}

fn ids(events: &[EventRecord]) -> Vec<EventId> {
    events.iter().map(|e| e.id).collect()
}

async fn unpublished_ids(stores: &Stores) -> Vec<EventId> {
    stores
        .outbox
        .unpublished(usize::MAX)
        .await
        .expect("read the outbox")
        .into_iter()
        .map(|e| e.record.id)
        .collect()
}

/// Records every entry it is handed; refuses the one with id `refuse` (if any).
#[derive(Default)]
struct Recorder {
    handed: Mutex<Vec<OutboxEntry>>,
    refuse: Option<EventId>,
}

impl Recorder {
    fn refusing(id: EventId) -> Self {
        Recorder {
            handed: Mutex::default(),
            refuse: Some(id),
        }
    }

    fn handed_ids(&self) -> Vec<EventId> {
        let handed = self.handed.lock().expect("recorder lock");
        handed.iter().map(|e| e.record.id).collect()
    }
}

#[async_trait]
impl Publisher for Recorder {
    async fn publish(&self, entry: &OutboxEntry) -> Result<(), Error> {
        self.handed
            .lock()
            .expect("recorder lock")
            .push(entry.clone());
        if self.refuse == Some(entry.record.id) {
            return Err(Error::Unavailable("broker down".into()));
        }
        Ok(())
    }
}

/// `relay` hands events to the publisher oldest first, at most `limit` of them, reports
/// and marks the ones accepted, and an empty outbox relays nothing.
pub async fn relay_publishes_in_append_order_and_marks_published(stores: Stores) {
    let events: Vec<_> = (1..=5).map(event).collect();
    stores.outbox.append(events.clone()).await.unwrap();

    let publisher = Recorder::default();
    let first = stores.outbox.relay(3, &publisher).await.unwrap();
    assert_eq!(
        first,
        Published {
            published: ids(&events[..3]),
            failed: None
        }
    );
    let handed = publisher.handed.lock().unwrap().clone();
    let records: Vec<_> = handed.iter().map(|e| e.record.clone()).collect();
    assert_eq!(records, events[..3].to_vec());
    assert!(handed.windows(2).all(|w| w[0].sequence < w[1].sequence));
    assert_eq!(unpublished_ids(&stores).await, ids(&events[3..]));

    let second = stores.outbox.relay(10, &publisher).await.unwrap();
    assert_eq!(second.published, ids(&events[3..]));
    assert_eq!(second.failed, None);
    assert_eq!(publisher.handed_ids(), ids(&events));
    assert!(unpublished_ids(&stores).await.is_empty());

    let third = stores.outbox.relay(10, &publisher).await.unwrap();
    assert_eq!(third, Published::default());
    assert_eq!(publisher.handed.lock().unwrap().len(), 5);
}

/// A publisher error stops the relay at that event: the events before it are published
/// and marked, it and the later ones stay unpublished (and are not handed over), the
/// error is reported, and the next relay starts at the failed event.
pub async fn a_failing_publisher_leaves_its_event_and_later_ones_unpublished(stores: Stores) {
    let events: Vec<_> = (1..=5).map(event).collect();
    stores.outbox.append(events.clone()).await.unwrap();

    let failing = Recorder::refusing(events[2].id);
    let outcome = stores.outbox.relay(10, &failing).await.unwrap();
    assert_eq!(
        outcome,
        Published {
            published: ids(&events[..2]),
            failed: Some(Error::Unavailable("broker down".into())),
        }
    );
    assert_eq!(failing.handed_ids(), ids(&events[..3]));
    assert_eq!(unpublished_ids(&stores).await, ids(&events[2..]));

    let healthy = Recorder::default();
    let retry = stores.outbox.relay(10, &healthy).await.unwrap();
    assert_eq!(retry.published, ids(&events[2..]));
    assert_eq!(retry.failed, None);
    assert_eq!(healthy.handed_ids(), ids(&events[2..]));
    assert!(unpublished_ids(&stores).await.is_empty());
}

/// One of two relays running side by side: logs every event it is handed into a log
/// shared with the other, and on its first event waits (up to 5 s) until the other relay
/// also holds an event, which proves claims are skipped rather than waited for.
struct Racer {
    log: Arc<Mutex<Vec<EventId>>>,
    meet: Arc<Barrier>,
    calls: AtomicUsize,
    met: Mutex<Option<bool>>,
}

#[async_trait]
impl Publisher for Racer {
    async fn publish(&self, entry: &OutboxEntry) -> Result<(), Error> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            let met = tokio::time::timeout(Duration::from_secs(5), self.meet.wait())
                .await
                .is_ok();
            *self.met.lock().expect("racer lock") = Some(met);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.log.lock().expect("racer log").push(entry.record.id);
        Ok(())
    }
}

/// Two relays draining 200 events at once, in batches of 10, each until it finds
/// nothing left to claim: both publish while the other holds a claim, every event is
/// handed to a publisher exactly once and reported published by exactly one relay, each
/// batch is in append order, and the outbox ends empty.
pub async fn concurrent_relays_publish_every_event_exactly_once(stores: Stores) {
    let events: Vec<_> = (1..=200).map(event).collect();
    stores.outbox.append(events.clone()).await.unwrap();
    let order: Vec<EventId> = ids(&events);
    let log = Arc::new(Mutex::new(Vec::new()));
    let meet = Arc::new(Barrier::new(2));

    let mut tasks = Vec::new();
    for _ in 0..2 {
        let stores = stores.clone();
        let racer = Racer {
            log: log.clone(),
            meet: meet.clone(),
            calls: AtomicUsize::new(0),
            met: Mutex::new(None),
        };
        tasks.push(tokio::spawn(async move {
            let mut batches = Vec::new();
            loop {
                let outcome = stores.outbox.relay(10, &racer).await.unwrap();
                assert_eq!(outcome.failed, None);
                if outcome.published.is_empty() {
                    break;
                }
                batches.push(outcome.published);
            }
            let met = *racer.met.lock().unwrap();
            (batches, met)
        }));
    }

    let mut reported = Vec::new();
    for task in tasks {
        let (batches, met) = task.await.unwrap();
        assert_eq!(
            met,
            Some(true),
            "each relay must get events of its own while the other holds a claim"
        );
        for batch in batches {
            let positions: Vec<_> = batch
                .iter()
                .map(|id| order.iter().position(|o| o == id).expect("a known event"))
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "batch in order");
            reported.extend(batch);
        }
    }
    let handed = log.lock().unwrap().clone();
    assert_eq!(handed.len(), 200, "every event handed over exactly once");
    assert_eq!(handed.iter().collect::<HashSet<_>>().len(), 200);
    assert_eq!(
        reported.len(),
        200,
        "every event reported by exactly one relay"
    );
    assert_eq!(
        reported.iter().collect::<HashSet<_>>(),
        order.iter().collect::<HashSet<_>>()
    );
    assert!(unpublished_ids(&stores).await.is_empty());
}

/// Accepts the first `accept` events it is handed, then hangs forever on the next one.
struct Stalls {
    accept: usize,
    accepted: Mutex<Vec<EventId>>,
}

#[async_trait]
impl Publisher for Stalls {
    async fn publish(&self, entry: &OutboxEntry) -> Result<(), Error> {
        if self.accepted.lock().expect("stalls lock").len() == self.accept {
            std::future::pending::<()>().await;
        }
        self.accepted
            .lock()
            .expect("stalls lock")
            .push(entry.record.id);
        Ok(())
    }
}

/// A relay whose future is dropped while its publisher is busy (here: a timeout around
/// a relay stuck on its 4th event of 10) loses nothing. Later relays publish, in append
/// order, the stuck event and all after it; the 3 events the publisher had accepted may
/// be published again (an adapter that marks at commit re-offers them) or not, so what
/// later relays publish is a suffix of the outbox of at least 7 events. Afterwards
/// nothing is unpublished.
pub async fn an_interrupted_relay_loses_nothing(stores: Stores) {
    let events: Vec<_> = (1..=10).map(event).collect();
    stores.outbox.append(events.clone()).await.unwrap();
    let all = ids(&events);

    let stalls = Stalls {
        accept: 3,
        accepted: Mutex::default(),
    };
    let interrupted = tokio::time::timeout(
        Duration::from_millis(200),
        stores.outbox.relay(100, &stalls),
    )
    .await;
    assert!(interrupted.is_err(), "the relay was still running");
    assert_eq!(*stalls.accepted.lock().unwrap(), all[..3].to_vec());

    // An adapter may need a moment to release the dropped relay's claim (a database
    // rolls the transaction back when its connection is returned), so relay until the
    // outbox is empty, for at most 5 s.
    let later = Recorder::default();
    let mut republished = Vec::new();
    for _ in 0..250 {
        let outcome = stores.outbox.relay(100, &later).await.unwrap();
        assert_eq!(outcome.failed, None);
        republished.extend(outcome.published);
        if unpublished_ids(&stores).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        unpublished_ids(&stores).await.is_empty(),
        "nothing was lost"
    );
    assert!(
        (0..=3).any(|skip| republished == all[skip..]),
        "later relays published a suffix holding the stuck event: {republished:?}"
    );
    assert_eq!(later.handed_ids(), republished);
}
