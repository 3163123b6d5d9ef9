//! Conformance cases: the notification queue — idempotent enqueueing per (event,
//! recipient, channel), claiming due entries so concurrent workers never share one,
//! recording outcomes, and history per recipient.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use commerce_core::notify::{
    Channel, DeliveryStatus, Notification, NotificationKey, NotificationKind,
};
use commerce_core::ports::Stores;
use commerce_core::{AccountId, ErrorKind, EventId};
use serde_json::json;

use crate::fixtures::now;

/// The notification store cases, as tests.
#[macro_export]
macro_rules! notifications_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            notifications,
            $fresh,
            [
                enqueue_keeps_one_notification_per_event_recipient_and_channel,
                claim_returns_due_queued_notifications_oldest_first_and_holds_them,
                claim_respects_the_limit,
                recorded_outcomes_are_kept_and_end_the_queueing,
                recording_an_unknown_notification_is_not_found,
                history_lists_one_recipients_notifications_oldest_first,
                concurrent_claims_never_hand_out_a_notification_twice,
            ]
        );
    };
}

fn key(event: u128, recipient: u128, channel: Channel) -> NotificationKey {
    NotificationKey {
        event: EventId::from_u128(event),
        recipient: AccountId::from_u128(recipient),
        channel,
    }
}

fn queued(key: NotificationKey, number: &str) -> Notification {
    Notification::queued(
        key,
        NotificationKind::OrderConfirmation,
        "buyer@example.com",
        json!({ "number": number, "lines": [{ "name": "Tea", "total": "4.50 EUR" }] }),
        now(),
    )
}

/// Enqueueing a key twice keeps the first notification; another channel is another one.
pub async fn enqueue_keeps_one_notification_per_event_recipient_and_channel(stores: Stores) {
    let store = &stores.notifications;
    let email = key(1, 100, Channel::Email);
    assert_eq!(store.enqueue(vec![queued(email, "A-1")]).await.unwrap(), 1);
    assert_eq!(store.enqueue(vec![queued(email, "A-2")]).await.unwrap(), 0);
    let in_app = key(1, 100, Channel::InApp);
    let other_recipient = key(1, 101, Channel::Email);
    let added = store
        .enqueue(vec![
            queued(email, "A-3"),
            queued(in_app, "A-1"),
            queued(other_recipient, "A-1"),
        ])
        .await
        .unwrap();
    assert_eq!(added, 2);
    let stored = store.notification(&email).await.unwrap().unwrap();
    assert_eq!(stored, queued(email, "A-1"));
    assert!(
        store
            .notification(&key(9, 100, Channel::Email))
            .await
            .unwrap()
            .is_none()
    );
}

/// Claiming hands out queued notifications due now, oldest first, each held until
/// `until`; not-yet-due ones wait.
pub async fn claim_returns_due_queued_notifications_oldest_first_and_holds_them(stores: Stores) {
    let store = &stores.notifications;
    let mut later = queued(key(3, 100, Channel::Email), "C");
    later.next_attempt_at = now() + Duration::minutes(10);
    store
        .enqueue(vec![
            queued(key(1, 100, Channel::Email), "A"),
            later,
            queued(key(2, 100, Channel::Email), "B"),
        ])
        .await
        .unwrap();
    let until = now() + Duration::minutes(5);
    let claimed = store.claim_due(now(), until, 10).await.unwrap();
    let events: Vec<u128> = claimed
        .iter()
        .map(|n| n.key.event.as_uuid().as_u128())
        .collect();
    assert_eq!(events, [1, 2]);
    assert!(claimed.iter().all(|n| n.next_attempt_at == until));
    assert!(store.claim_due(now(), until, 10).await.unwrap().is_empty());
    let stored = store
        .notification(&key(1, 100, Channel::Email))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.next_attempt_at, until);
    assert_eq!(stored.status, DeliveryStatus::Queued);
    // After the lease, held ones are due again, and the later one is due by then too.
    let again = store
        .claim_due(
            now() + Duration::minutes(10),
            until + Duration::minutes(10),
            10,
        )
        .await
        .unwrap();
    assert_eq!(again.len(), 3);
}

/// A claim returns at most `limit` notifications.
pub async fn claim_respects_the_limit(stores: Stores) {
    let store = &stores.notifications;
    let batch = (1..=5)
        .map(|n| queued(key(n, 100, Channel::Email), "A"))
        .collect();
    store.enqueue(batch).await.unwrap();
    let until = now() + Duration::minutes(5);
    assert_eq!(store.claim_due(now(), until, 2).await.unwrap().len(), 2);
    assert_eq!(store.claim_due(now(), until, 10).await.unwrap().len(), 3);
}

/// A recorded outcome replaces status, attempts, error and times, and keeps the rest;
/// sent and failed notifications are never claimed again, queued ones when due.
pub async fn recorded_outcomes_are_kept_and_end_the_queueing(stores: Stores) {
    let store = &stores.notifications;
    let sent_key = key(1, 100, Channel::Email);
    let failed_key = key(2, 100, Channel::Email);
    let retry_key = key(3, 100, Channel::Email);
    store
        .enqueue(vec![
            queued(sent_key, "A"),
            queued(failed_key, "B"),
            queued(retry_key, "C"),
        ])
        .await
        .unwrap();
    let claimed = store
        .claim_due(now(), now() + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);

    let mut sent = claimed[0].clone();
    sent.status = DeliveryStatus::Sent;
    sent.attempts = 1;
    sent.sent_at = Some(now());
    // Only the outcome is recorded: a changed address is not.
    sent.address = "someone-else@example.com".into();
    store.record(&sent).await.unwrap();

    let mut failed = claimed[1].clone();
    failed.status = DeliveryStatus::Failed;
    failed.attempts = 1;
    failed.last_error = Some("invalid recipient address".into());
    store.record(&failed).await.unwrap();

    let mut retry = claimed[2].clone();
    retry.attempts = 1;
    retry.last_error = Some("connection refused".into());
    retry.next_attempt_at = now() + Duration::seconds(30);
    store.record(&retry).await.unwrap();

    let stored = store.notification(&sent_key).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Sent);
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.sent_at, Some(now()));
    assert_eq!(stored.address, "buyer@example.com");
    let stored = store.notification(&failed_key).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Failed);
    assert_eq!(
        stored.last_error.as_deref(),
        Some("invalid recipient address")
    );
    let stored = store.notification(&retry_key).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Queued);
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.last_error.as_deref(), Some("connection refused"));

    let later = now() + Duration::hours(1);
    let due = store
        .claim_due(later, later + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].key, retry_key);
    assert_eq!(due[0].attempts, 1);
}

/// Recording an outcome for a key never queued is `NotFound` and stores nothing.
pub async fn recording_an_unknown_notification_is_not_found(stores: Stores) {
    let store = &stores.notifications;
    let unknown = queued(key(1, 100, Channel::Email), "A");
    let error = store.record(&unknown).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert!(store.notification(&unknown.key).await.unwrap().is_none());
}

/// History holds every notification of one recipient, any status, oldest first.
pub async fn history_lists_one_recipients_notifications_oldest_first(stores: Stores) {
    let store = &stores.notifications;
    store
        .enqueue(vec![
            queued(key(1, 100, Channel::Email), "A"),
            queued(key(2, 200, Channel::Email), "B"),
            queued(key(3, 100, Channel::InApp), "C"),
        ])
        .await
        .unwrap();
    let claimed = store
        .claim_due(now(), now() + Duration::minutes(5), 1)
        .await
        .unwrap();
    let mut sent = claimed[0].clone();
    sent.status = DeliveryStatus::Sent;
    sent.attempts = 1;
    store.record(&sent).await.unwrap();

    let history = store.history(AccountId::from_u128(100)).await.unwrap();
    let seen: Vec<(u128, DeliveryStatus)> = history
        .iter()
        .map(|n| (n.key.event.as_uuid().as_u128(), n.status))
        .collect();
    assert_eq!(
        seen,
        [(1, DeliveryStatus::Sent), (3, DeliveryStatus::Queued)]
    );
    assert!(
        store
            .history(AccountId::from_u128(999))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Workers claiming at once each get their own notifications: together all, none twice.
pub async fn concurrent_claims_never_hand_out_a_notification_twice(stores: Stores) {
    let store = stores.notifications.clone();
    let batch = (1..=40)
        .map(|n| queued(key(n, 100, Channel::Email), "A"))
        .collect();
    store.enqueue(batch).await.unwrap();
    let until = now() + Duration::minutes(5);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_due(now(), until, 3).await.unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|n| n.key));
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 40, "every notification claimed once");
    assert_eq!(unique.len(), 40);
}
