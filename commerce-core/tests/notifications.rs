//! Notifications through the engine on the in-memory adapters, with the in-app inbox as
//! the channel: who is told what, one message per event however often it is delivered,
//! opt-out of promotional messages, failures that do not block the queue, backoff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::Duration;
use commerce_core::SellerId;
use commerce_core::events::{DomainEvent, EventRecord};
use commerce_core::identity::{Account, Email, PasswordHash, Principal, Profile, Role};
use commerce_core::memory::{MemoryInbox, Script, stores};
use commerce_core::notify::Backoff;
use commerce_core::notify::{
    Channel, DeliveryStatus, Message, Notification, NotificationKey, NotificationKind, Templates,
};
use commerce_core::shipping::TrackingStatus;
use commerce_core::{AccountId, ErrorKind, EventId, NotificationSettings};
use commerce_testkit::fixtures::now;
use commerce_testkit::notify::NotifyShop;
use commerce_testkit::orders::sku;
use serde_json::json;

async fn shop_with(settings: NotificationSettings) -> (NotifyShop, Arc<MemoryInbox>) {
    let inbox = Arc::new(MemoryInbox::new());
    let settings = settings.with_notifier(inbox.clone());
    (NotifyShop::new(stores(), settings).await, inbox)
}

async fn shop() -> (NotifyShop, Arc<MemoryInbox>) {
    shop_with(NotificationSettings::default()).await
}

#[tokio::test]
async fn an_order_confirmation_reaches_the_buyer_with_its_lines_and_total() {
    let (shop, inbox) = shop().await;
    let (alice, who) = shop.customer("alice@example.com", "Alice").await;
    let order = shop.order(who, &[(shop.mug, 2), (shop.tee, 1)]).await;
    shop.queue().await;
    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(delivery.sent, 2, "welcome and order confirmation");

    let messages = inbox.messages_for(alice.id);
    let confirmation = messages
        .iter()
        .find(|m| m.kind == NotificationKind::OrderConfirmation)
        .expect("an order confirmation");
    assert_eq!(confirmation.to, alice.id.to_string());
    assert_eq!(
        confirmation.subject,
        format!("Order {} confirmed", order.number)
    );
    assert!(order.totals.total.amount() > rust_decimal::Decimal::ZERO);
    let total = format!("{} USD", order.totals.total.amount().round_dp(2));
    for body in [&confirmation.text, &confirmation.html] {
        assert!(body.contains(order.number.as_str()), "{body}");
        assert!(body.contains(&total), "total {total} in {body}");
        assert!(body.contains("Mug") && body.contains("T-shirt"), "{body}");
    }
    assert!(
        confirmation.text.contains("2 x Mug"),
        "{}",
        confirmation.text
    );

    let history = shop
        .engine
        .notification_history(who, alice.id)
        .await
        .unwrap();
    let kinds: Vec<_> = history
        .iter()
        .map(|n| (n.kind, n.status, n.attempts))
        .collect();
    assert_eq!(
        kinds,
        [
            (NotificationKind::Welcome, DeliveryStatus::Sent, 1),
            (NotificationKind::OrderConfirmation, DeliveryStatus::Sent, 1),
        ]
    );
    assert!(history.iter().all(|n| n.sent_at == Some(now())));
}

#[tokio::test]
async fn an_event_handled_twice_sends_one_message() {
    let (shop, inbox) = shop().await;
    let (alice, _) = shop.customer("alice@example.com", "Alice").await;
    let entries = shop.engine.stores().outbox.unpublished(100).await.unwrap();
    let welcome = entries
        .iter()
        .find(|e| matches!(e.record.event, DomainEvent::UserCreated { .. }))
        .unwrap();
    let queuer = shop.engine.notification_queuer();
    queuer.handle(welcome).await.unwrap();
    shop.engine.deliver_notifications(100).await.unwrap();
    // The outbox offers it again (a relay died before marking it published).
    queuer.handle(welcome).await.unwrap();
    shop.queue().await;
    let again = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(inbox.messages_for(alice.id).len(), 1);
}

#[tokio::test]
async fn password_resets_go_to_the_account_and_history_is_private() {
    let (shop, inbox) = shop().await;
    let (alice, alice_who) = shop.customer("alice@example.com", "Alice").await;
    let (_, bob_who) = shop.customer("bob@example.com", "Bob").await;
    shop.engine
        .request_password_reset("alice@example.com")
        .await
        .unwrap();
    shop.queue().await;
    shop.engine.deliver_notifications(100).await.unwrap();
    let reset = inbox
        .messages_for(alice.id)
        .into_iter()
        .find(|m| m.kind == NotificationKind::PasswordReset)
        .expect("a reset message");
    assert!(reset.text.contains("alice@example.com"));

    let error = shop
        .engine
        .notification_history(bob_who, alice.id)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    let admin = Principal::Admin(commerce_core::AdminId::from_u128(9));
    assert_eq!(
        shop.engine
            .notification_history(admin, alice.id)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        shop.engine
            .notification_history(alice_who, alice.id)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn back_in_stock_is_promotional_and_skips_people_who_did_not_opt_in() {
    let (shop, inbox) = shop().await;
    let (keen, keen_who) = shop.customer("keen@example.com", "Keen").await;
    let (quiet, _) = shop.customer("quiet@example.com", "Quiet").await;
    let mut profile = keen.profile.clone();
    profile.marketing_opt_in = true;
    shop.engine
        .update_profile(keen_who, keen.id, profile)
        .await
        .unwrap();
    let mug = sku(&shop.store, shop.mug);
    let event = DomainEvent::BackInStock {
        sku: mug.clone(),
        available: 5,
        subscribers: [keen.id, quiet.id]
            .iter()
            .map(|a| commerce_core::CustomerId::from_uuid(a.as_uuid()))
            .collect(),
    };
    shop.engine
        .stores()
        .outbox
        .append(vec![EventRecord::new(now(), event)])
        .await
        .unwrap();
    shop.queue().await;
    shop.engine.deliver_notifications(100).await.unwrap();
    let back = |id| {
        inbox
            .messages_for(id)
            .into_iter()
            .filter(|m| m.kind == NotificationKind::BackInStock)
            .collect::<Vec<_>>()
    };
    let keen_messages = back(keen.id);
    assert_eq!(keen_messages.len(), 1);
    assert_eq!(keen_messages[0].subject, "Mug is back in stock");
    assert!(back(quiet.id).is_empty());
}

#[tokio::test]
async fn a_template_that_fails_to_render_is_failed_and_the_rest_are_sent() {
    let templates = Templates::new()
        .with_template("order_confirmation.txt", "Order {{ no_such.field }}")
        .unwrap();
    let mut settings = NotificationSettings::default();
    settings.templates = templates;
    let (shop, inbox) = shop_with(settings).await;
    let (alice, who) = shop.customer("alice@example.com", "Alice").await;
    shop.order(who, &[(shop.mug, 1)]).await;
    shop.customer("bob@example.com", "Bob").await;
    shop.queue().await;
    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!((delivery.sent, delivery.failed), (2, 1));
    let history = shop
        .engine
        .stores()
        .notifications
        .history(alice.id)
        .await
        .unwrap();
    let failed = history
        .iter()
        .find(|n| n.kind == NotificationKind::OrderConfirmation)
        .unwrap();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    let reason = failed.last_error.as_deref().unwrap();
    assert!(reason.contains("order_confirmation.txt"), "{reason}");
    assert_eq!(inbox.messages_for(alice.id).len(), 1, "the welcome only");
    // Failed is final: later runs do not try it again.
    shop.clock.advance(Duration::days(1));
    assert_eq!(
        shop.engine.deliver_notifications(100).await.unwrap().failed,
        0
    );
}

#[tokio::test]
async fn overriding_a_template_with_bad_syntax_or_an_unknown_name_is_refused() {
    let error = Templates::new()
        .with_template("welcome.txt", "{% for %}")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "template" });
    let error = Templates::new()
        .with_template("farewell.txt", "Bye")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "template" });
}

fn notification(recipient: AccountId, channel: Channel, address: &str) -> Notification {
    Notification::queued(
        NotificationKey {
            event: EventId::random(),
            recipient,
            channel,
        },
        NotificationKind::Delivered,
        address,
        json!({ "number": "100042" }),
        now(),
    )
}

#[tokio::test]
async fn an_address_the_channel_rejects_is_failed_without_blocking_the_queue() {
    let (shop, inbox) = shop().await;
    let alice = AccountId::random();
    let queue = &shop.engine.stores().notifications;
    let bad = notification(alice, Channel::InApp, "not an account id");
    let good = notification(alice, Channel::InApp, &alice.to_string());
    queue
        .enqueue(vec![bad.clone(), good.clone()])
        .await
        .unwrap();
    let delivery = shop.engine.deliver_notifications(100).await.unwrap();
    assert_eq!((delivery.sent, delivery.failed), (1, 1));
    let stored = queue.notification(&bad.key).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Failed);
    assert!(stored.last_error.unwrap().contains("not an account id"));
    assert_eq!(inbox.messages_for(alice).len(), 1);
    assert_eq!(
        inbox.messages_for(alice)[0].subject,
        "Order 100042 was delivered"
    );
}

#[tokio::test]
async fn retryable_failures_back_off_exponentially_and_give_up_at_the_cap() {
    let mut settings = NotificationSettings::default();
    settings.backoff = Backoff {
        first: Duration::seconds(10),
        max_delay: Duration::seconds(15),
        max_attempts: 3,
    };
    let (shop, _) = shop_with(settings).await;
    // No SMS notifier is configured: sending on that channel fails for now.
    let sms = notification(AccountId::random(), Channel::Sms, "+15550100");
    let queue = &shop.engine.stores().notifications;
    queue.enqueue(vec![sms.clone()]).await.unwrap();

    let run = || shop.engine.deliver_notifications(100);
    assert_eq!(run().await.unwrap().retrying, 1);
    let stored = queue.notification(&sms.key).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.attempts),
        (DeliveryStatus::Queued, 1)
    );
    assert_eq!(stored.next_attempt_at, now() + Duration::seconds(10));
    assert!(
        stored
            .last_error
            .unwrap()
            .contains("no notifier for the sms channel")
    );

    shop.clock.advance(Duration::seconds(9));
    assert_eq!(run().await.unwrap(), Default::default(), "not due yet");
    shop.clock.advance(Duration::seconds(1));
    assert_eq!(run().await.unwrap().retrying, 1);
    let stored = queue.notification(&sms.key).await.unwrap().unwrap();
    assert_eq!(stored.attempts, 2);
    assert_eq!(
        stored.next_attempt_at,
        now() + Duration::seconds(10 + 15),
        "doubled, capped at 15 s"
    );

    shop.clock.advance(Duration::seconds(15));
    assert_eq!(run().await.unwrap().failed, 1);
    let stored = queue.notification(&sms.key).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.attempts),
        (DeliveryStatus::Failed, 3)
    );
    assert!(
        stored
            .last_error
            .unwrap()
            .starts_with("gave up after 3 attempts")
    );
}

fn messages_of(inbox: &MemoryInbox, account: AccountId, kind: NotificationKind) -> Vec<Message> {
    inbox
        .messages_for(account)
        .into_iter()
        .filter(|m| m.kind == kind)
        .collect()
}

#[tokio::test]
async fn shipping_updates_carry_the_tracking_link_and_delivery_is_announced() {
    let (shop, inbox) = shop().await;
    let (alice, who) = shop.customer("alice@example.com", "Alice").await;
    let order = shop.order(who, &[(shop.mug, 1)]).await;
    shop.engine
        .pay(who, order.id, "pm_card_visa")
        .await
        .unwrap();
    let seller = Principal::Seller(SellerId::from_u128(1));
    let fulfilment = order.fulfilments[0].id;
    let shipped = shop
        .engine
        .ship(seller, order.id, fulfilment, "UPS", "1Z 999/AA")
        .await
        .unwrap();
    let parcel = shipped.fulfilments[0].shipments[0].id;
    shop.engine
        .track_shipment(seller, order.id, parcel, TrackingStatus::Delivered, "door")
        .await
        .unwrap();
    shop.queue().await;
    shop.engine.deliver_notifications(100).await.unwrap();

    let update = messages_of(&inbox, alice.id, NotificationKind::ShippingUpdate);
    assert_eq!(update.len(), 1);
    assert_eq!(
        update[0].subject,
        format!("Order {} has shipped", order.number)
    );
    let link = "https://parcelsapp.com/en/tracking/1Z%20999%2FAA";
    assert!(update[0].text.contains(link), "{}", update[0].text);
    // HTML-escaped as minijinja escapes attributes ('/' as an entity, which browsers
    // decode).
    let html = update[0].html.replace("&#x2f;", "/");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(update[0].text.contains("UPS"));
    let delivered = messages_of(&inbox, alice.id, NotificationKind::Delivered);
    assert_eq!(delivered.len(), 1);
    assert!(delivered[0].text.contains(order.number.as_str()));
}

#[tokio::test]
async fn a_declined_payment_tells_the_buyer_with_the_code() {
    let (shop, inbox) = shop().await;
    let (alice, who) = shop.customer("alice@example.com", "Alice").await;
    let order = shop.order(who, &[(shop.tee, 2)]).await;
    shop.payments
        .script([Script::Decline("card_declined".into())])
        .unwrap();
    let error = shop
        .engine
        .pay(who, order.id, "pm_card_visa")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PaymentDeclined);
    shop.queue().await;
    shop.engine.deliver_notifications(100).await.unwrap();
    let failed = messages_of(&inbox, alice.id, NotificationKind::PaymentFailed);
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].text.contains("card_declined"),
        "{}",
        failed[0].text
    );
    assert!(failed[0].text.contains("50.00 USD"), "{}", failed[0].text);
}

#[tokio::test]
async fn low_stock_goes_to_the_seller_of_the_sku() {
    let (shop, inbox) = shop().await;
    // The first shop's seller, as an account with the seller's id.
    let seller = AccountId::from_u128(1);
    let account = Account {
        id: seller,
        email: Email::parse("seller@example.com").unwrap(),
        role: Role::Seller,
        password: PasswordHash::from_phc("not a real hash".into()),
        profile: Profile::default(),
        created_at: now(),
    };
    shop.engine
        .stores()
        .accounts
        .create_account(account, Vec::new())
        .await
        .unwrap();
    let (buyer, _) = shop.customer("buyer@example.com", "Buyer").await;
    let event = DomainEvent::StockLow {
        sku: sku(&shop.store, shop.mug),
        available: 2,
        threshold: 5,
    };
    shop.engine
        .stores()
        .outbox
        .append(vec![EventRecord::new(now(), event)])
        .await
        .unwrap();
    shop.queue().await;
    shop.engine.deliver_notifications(100).await.unwrap();
    let low = messages_of(&inbox, seller, NotificationKind::LowStock);
    assert_eq!(low.len(), 1);
    assert!(low[0].text.contains("Mug") && low[0].text.contains("down to 2 units"));
    assert!(messages_of(&inbox, buyer.id, NotificationKind::LowStock).is_empty());
}
