//! E-mail notifications delivered through a real SMTP server (aiosmtpd on loopback, one
//! per test): what arrives, an outage with the queue and history in Postgres, and
//! failures that are recorded without blocking the queue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use chrono::Duration;
use commerce_core::NotificationSettings;
use commerce_core::identity::Account;
use commerce_core::notify::{
    Channel, DeliveryStatus, Notification, NotificationKey, NotificationKind, Templates,
    format_money,
};
use commerce_core::ports::Stores;
use commerce_core::{AccountId, EventId};
use commerce_smtp::{SmtpConfig, SmtpNotifier};
use commerce_testkit::fixtures::now;
use commerce_testkit::notify::NotifyShop;
use serde_json::{Value, json};
use support::SmtpSink;

fn settings(sink: &SmtpSink) -> NotificationSettings {
    let config = SmtpConfig::from_url(&sink.url()).unwrap();
    NotificationSettings::default().with_notifier(Arc::new(SmtpNotifier::new(&config).unwrap()))
}

/// A unique address per test run, so parallel tests never read each other's mail.
fn address(who: &str) -> String {
    format!("{who}-{}@example.com", EventId::random())
}

fn text(message: &Value, part: &str) -> String {
    message[part].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_confirmation_arrives_with_number_and_total_in_both_parts() {
    let sink = SmtpSink::start();
    let shop = NotifyShop::new(commerce_core::memory::stores(), settings(&sink)).await;
    let email = address("alice");
    let (_, who) = shop.customer(&email, "Alice").await;
    let order = shop.order(who, &[(shop.mug, 3), (shop.tee, 1)]).await;
    shop.queue().await;
    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(delivery.sent, 2, "{delivery:?}");

    let received = sink.received_by(&email);
    assert_eq!(received.len(), 2, "welcome and confirmation: {received:?}");
    let subject = format!("Order {} confirmed", order.number);
    let confirmation = received
        .iter()
        .find(|m| m["subject"] == subject.as_str())
        .unwrap_or_else(|| panic!("no message with subject {subject}: {received:?}"));
    assert_eq!(confirmation["to"], email.as_str());
    assert_eq!(confirmation["mail_from"], "shop@example.com");
    assert_eq!(confirmation["from"], "Shop <shop@example.com>");
    assert_eq!(confirmation["reply_to"], "help@example.com");
    assert_eq!(confirmation["content_type"], "multipart/alternative");
    let total = format_money(&order.totals.total);
    assert!(total.ends_with(" USD"));
    for part in ["text", "html"] {
        let body = text(confirmation, part);
        assert!(
            body.contains(order.number.as_str()),
            "number in {part}: {body}"
        );
        assert!(body.contains(&total), "total {total} in {part}: {body}");
        assert!(
            body.contains("Mug") && body.contains("T-shirt"),
            "{part}: {body}"
        );
    }
    assert!(text(confirmation, "html").contains("<table>"));
}

async fn postgres() -> Stores {
    commerce_sqlx::testing::postgres().await
}

fn statuses(history: &[Notification]) -> Vec<(DeliveryStatus, u32)> {
    history.iter().map(|n| (n.status, n.attempts)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_an_outage_notifications_wait_and_are_sent_once_when_the_server_is_back() {
    let mut sink = SmtpSink::start();
    let stores = postgres().await;
    let shop = NotifyShop::new(stores.clone(), settings(&sink)).await;
    let mut customers: Vec<(Account, String)> = Vec::new();
    for name in ["ann", "ben", "cat"] {
        let email = address(name);
        let (account, who) = shop.customer(&email, name).await;
        shop.order(who, &[(shop.mug, 1)]).await;
        customers.push((account, email));
    }
    let events = stores.outbox.unpublished(1000).await.unwrap();
    shop.queue().await;

    sink.stop();
    let first = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!((first.sent, first.retrying, first.failed), (0, 6, 0));
    for (account, _) in &customers {
        let history = stores.notifications.history(account.id).await.unwrap();
        assert_eq!(statuses(&history), [(DeliveryStatus::Queued, 1); 2]);
        for notification in &history {
            let reason = notification.last_error.as_deref().unwrap();
            assert!(reason.starts_with("SMTP"), "{reason}");
        }
    }
    // Still down at the next attempt (after the 30 s backoff): another failed attempt.
    shop.clock.advance(Duration::seconds(30));
    let second = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!((second.sent, second.retrying), (0, 6));
    // Not due again before the doubled backoff.
    shop.clock.advance(Duration::seconds(59));
    assert_eq!(
        shop.engine
            .deliver_notifications(100)
            .await
            .unwrap()
            .retrying,
        0
    );
    assert!(sink.received().is_empty());

    sink.restart();
    shop.clock.advance(Duration::seconds(1));
    let third = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!((third.sent, third.retrying, third.failed), (6, 0, 0));

    // The outbox offers every event again (as after a relay that died before marking
    // them published): nothing new is queued or sent.
    let queuer = shop.engine.notification_queuer();
    for entry in &events {
        queuer.handle(entry).await.unwrap();
    }
    shop.clock.advance(Duration::hours(2));
    let after = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(after, Default::default());
    assert!(stores.outbox.unpublished(100).await.unwrap().is_empty());

    for (account, email) in &customers {
        let history = stores.notifications.history(account.id).await.unwrap();
        assert_eq!(statuses(&history), [(DeliveryStatus::Sent, 3); 2]);
        let received = sink.received_by(email);
        let mut subjects: Vec<String> = received.iter().map(|m| text(m, "subject")).collect();
        subjects.sort();
        assert_eq!(
            subjects.len(),
            2,
            "exactly one welcome and one confirmation"
        );
        assert!(subjects[0].starts_with("Order ") && subjects[1] == "Welcome to the shop");
    }
    assert_eq!(sink.received().len(), 6);
}

fn direct(recipient: AccountId, address: &str, number: &str) -> Notification {
    Notification::queued(
        NotificationKey {
            event: EventId::random(),
            recipient,
            channel: Channel::Email,
        },
        NotificationKind::Delivered,
        address,
        json!({ "number": number }),
        now(),
    )
}

/// The reason `n` failed, after checking it failed on its first attempt.
async fn failure(stores: &Stores, n: &Notification) -> String {
    let stored = stores
        .notifications
        .notification(&n.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.status, stored.attempts),
        (DeliveryStatus::Failed, 1)
    );
    stored.last_error.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_and_broken_templates_fail_with_a_reason_and_the_rest_is_sent() {
    let sink = SmtpSink::start();
    let stores = postgres().await;
    let mut settings = settings(&sink);
    settings.templates = Templates::new()
        .with_template("payment_failed.html", "<p>{{ order.missing }}</p>")
        .unwrap();
    let shop = NotifyShop::new(stores.clone(), settings).await;
    let recipient = AccountId::random();
    let good = address("dora");
    let malformed = direct(recipient, "not an address", "1");
    let refused = direct(recipient, &address("reject"), "2");
    let broken = Notification {
        kind: NotificationKind::PaymentFailed,
        context: json!({ "number": "3", "total": "1.00 USD", "code": "card_declined" }),
        ..direct(recipient, &good, "3")
    };
    let first_good = direct(recipient, &good, "4");
    let second_good = direct(recipient, &good, "5");
    // The failures are queued first: they must not hold up the ones after them.
    stores
        .notifications
        .enqueue(vec![
            malformed.clone(),
            refused.clone(),
            broken.clone(),
            first_good,
            second_good,
        ])
        .await
        .unwrap();

    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(
        (delivery.sent, delivery.failed, delivery.retrying),
        (2, 3, 0)
    );

    let why = failure(&stores, &malformed).await;
    assert!(why.contains("invalid recipient address"), "{why}");
    let why = failure(&stores, &refused).await;
    assert!(why.contains("refused") && why.contains("550"), "{why}");
    let why = failure(&stores, &broken).await;
    assert!(why.contains("payment_failed.html"), "{why}");

    let received = sink.received_by(&good);
    let mut subjects: Vec<String> = received.iter().map(|m| text(m, "subject")).collect();
    subjects.sort();
    assert_eq!(subjects, ["Order 4 was delivered", "Order 5 was delivered"]);
    assert_eq!(sink.received().len(), 2);
    // Failed is final.
    shop.clock.advance(Duration::days(1));
    assert_eq!(
        shop.engine.deliver_notifications(100).await.unwrap(),
        Default::default()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_refusal_is_retried_with_backoff() {
    let sink = SmtpSink::start();
    let shop = NotifyShop::new(commerce_core::memory::stores(), settings(&sink)).await;
    let stores = shop.engine.stores().clone();
    let busy = direct(AccountId::random(), &address("busy"), "6");
    stores
        .notifications
        .enqueue(vec![busy.clone()])
        .await
        .unwrap();

    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(
        (delivery.sent, delivery.retrying, delivery.failed),
        (0, 1, 0)
    );
    let stored = stores
        .notifications
        .notification(&busy.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.status, stored.attempts),
        (DeliveryStatus::Queued, 1)
    );
    assert_eq!(stored.next_attempt_at, now() + Duration::seconds(30));
    let why = stored.last_error.unwrap();
    assert!(why.contains("451"), "{why}");
    assert!(sink.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_draining_one_postgres_queue_at_once_send_each_message_once() {
    let sink = SmtpSink::start();
    let stores = postgres().await;
    let shop = NotifyShop::new(stores.clone(), settings(&sink)).await;
    let email = address("many");
    let batch: Vec<Notification> = (0..24)
        .map(|n| direct(AccountId::random(), &email, &format!("{n}")))
        .collect();
    stores.notifications.enqueue(batch).await.unwrap();
    let mut workers = Vec::new();
    for _ in 0..3 {
        let engine = shop.engine.clone();
        workers.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let delivery = engine.deliver_notifications(2).await.unwrap();
                if delivery == Default::default() {
                    return sent;
                }
                sent += delivery.sent;
            }
        }));
    }
    let mut sent = 0;
    for worker in workers {
        sent += worker.await.unwrap();
    }
    assert_eq!(sent, 24);
    let received = sink.received_by(&email);
    let mut subjects: Vec<String> = received.iter().map(|m| text(m, "subject")).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!((received.len(), subjects.len()), (24, 24));
}

fn tls_settings(sink: &SmtpSink, userinfo: &str) -> NotificationSettings {
    let config = SmtpConfig::from_url(&sink.tls_url(userinfo))
        .unwrap()
        .with_root_certificate(sink.ca_pem());
    NotificationSettings::default().with_notifier(Arc::new(SmtpNotifier::new(&config).unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_credentials_delivers() {
    let sink = SmtpSink::start_tls("starttls", Some(("mailer", "s3cret:@/")));
    let email = address("tls");
    let good = direct(AccountId::random(), &email, "7");
    let shop = NotifyShop::new(
        commerce_core::memory::stores(),
        tls_settings(&sink, "mailer:s3cret%3A%40%2F@"),
    )
    .await;
    let stores = shop.engine.stores().clone();
    stores.notifications.enqueue(vec![good]).await.unwrap();
    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(delivery.sent, 1, "{delivery:?}");
    assert_eq!(sink.received_by(&email).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_delivers_and_an_untrusted_certificate_is_retried() {
    let sink = SmtpSink::start_tls("tls", None);
    let email = address("smtps");
    let shop = NotifyShop::new(commerce_core::memory::stores(), tls_settings(&sink, "")).await;
    let queue = shop.engine.stores().notifications.clone();
    queue
        .enqueue(vec![direct(AccountId::random(), &email, "9")])
        .await
        .unwrap();
    assert_eq!(
        shop.engine.deliver_notifications(100).await.unwrap().sent,
        1
    );
    assert_eq!(sink.received_by(&email).len(), 1);

    // Without the test CA the certificate is not trusted: nothing is sent in clear.
    let config = SmtpConfig::from_url(&sink.tls_url("")).unwrap();
    let untrusting = NotificationSettings::default()
        .with_notifier(Arc::new(SmtpNotifier::new(&config).unwrap()));
    let other = NotifyShop::new(commerce_core::memory::stores(), untrusting).await;
    let queue = other.engine.stores().notifications.clone();
    queue
        .enqueue(vec![direct(AccountId::random(), &email, "10")])
        .await
        .unwrap();
    let delivery = other.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(delivery.retrying, 1, "{delivery:?}");
    assert_eq!(sink.received_by(&email).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_answering_is_a_retryable_timeout() {
    // A listener that accepts connections and never says a word (no SMTP greeting).
    let silent = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || silent.accept().map(|(stream, _)| stream));
    let url = format!("smtp://127.0.0.1:{port}?tls=none&timeout_secs=1&from=shop%40example.com");
    let config = SmtpConfig::from_url(&url).unwrap();
    let settings = NotificationSettings::default()
        .with_notifier(Arc::new(SmtpNotifier::new(&config).unwrap()));
    let shop = NotifyShop::new(commerce_core::memory::stores(), settings).await;
    let queue = shop.engine.stores().notifications.clone();
    let waiting = direct(AccountId::random(), &address("slow"), "11");
    queue.enqueue(vec![waiting.clone()]).await.unwrap();

    let started = std::time::Instant::now();
    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(delivery.retrying, 1, "{delivery:?}");
    let stored = queue.notification(&waiting.key).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Queued);
    assert!(stored.last_error.unwrap().contains("no answer within 1 s"));
    drop(held);
}
