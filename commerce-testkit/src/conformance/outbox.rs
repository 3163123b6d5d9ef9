//! Conformance cases: the outbox — order, publication, de-duplication.

use commerce_core::CartId;
use commerce_core::events::{DomainEvent, EventRecord};
use commerce_core::ports::Stores;

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
