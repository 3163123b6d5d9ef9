//! Conformance cases: the order port — atomic placement, idempotency keys,
//! compare-and-swap updates with their stock effects, and the queries.

use std::sync::Arc;

use chrono::Duration;
use commerce_core::cart::CartStatus;
use commerce_core::identity::Actor;
use commerce_core::inventory::{ReservationState, StockEffect};
use commerce_core::order::{OrderNumber, OrderStatus};
use commerce_core::payment::{IdempotencyKey, PaymentRef};
use commerce_core::ports::Stores;
use commerce_core::{CustomerId, ErrorKind};
use tokio::sync::Barrier;

use crate::fixtures::now;
use crate::orders::{install, place, sku, two_shops};

/// The order cases, as tests.
#[macro_export]
macro_rules! orders_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            orders,
            $fresh,
            [
                placing_stores_order_reservation_cart_and_events_together,
                same_key_returns_the_first_order_and_reserves_once,
                same_key_for_another_cart_is_a_conflict,
                a_checked_out_cart_cannot_be_ordered_again,
                out_of_stock_order_writes_nothing,
                concurrent_checkouts_with_one_key_create_one_order,
                stale_update_is_a_conflict_and_changes_nothing,
                concurrent_updates_from_one_version_let_exactly_one_win,
                commit_effect_takes_stock_off_hand_once,
                release_effect_returns_stock,
                restock_effect_puts_committed_stock_back,
                order_numbers_are_unique_under_concurrency,
                queries_find_orders_by_number_key_payment_customer_and_shop,
                unpaid_expired_lists_only_lapsed_pending_orders,
                promotion_usage_ignores_cancelled_orders,
                promotion_limits_hold_under_concurrent_checkouts,
            ]
        );
    };
}

const ALICE: CustomerId = CustomerId::from_u128(7001);
const BOB: CustomerId = CustomerId::from_u128(7002);

/// `place_order` stores the order, holds its stock, checks out the cart and appends
/// its events.
pub async fn placing_stores_order_reservation_cart_and_events_together(stores: Stores) {
    let (mut store, mug, tee) = two_shops();
    install(&store, &stores, 10, now()).await;
    let place = place(&mut store, ALICE, &[(mug, 2), (tee, 1)], "k-1", 1, now());
    let cart = place.cart.id();
    let placed = stores.orders.place_order(place).await.expect("placed");
    assert!(placed.created);
    let order = stores
        .orders
        .order(placed.order.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(order, placed.order);
    assert_eq!(order.fulfilments.len(), 2, "one fulfilment per shop");
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        8
    );
    assert_eq!(
        stores.inventory.available(&sku(&store, tee)).await.unwrap(),
        9
    );
    let reservation = stores
        .inventory
        .reservation(order.reservation_id())
        .await
        .unwrap()
        .expect("reservation");
    assert_eq!(reservation.state, ReservationState::Held);
    let cart = stores.carts.cart(cart).await.unwrap().expect("cart stored");
    assert_eq!(cart.status(), CartStatus::CheckedOut);
    let names: Vec<&str> = stores
        .outbox
        .unpublished(100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.record.event.name())
        .collect();
    assert!(names.contains(&"order.created"), "{names:?}");
    assert!(names.contains(&"cart.checked_out"), "{names:?}");
}

/// A second `place_order` with the same key and cart returns the first order.
pub async fn same_key_returns_the_first_order_and_reserves_once(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let first = place(&mut store, ALICE, &[(mug, 3)], "k-same", 1, now());
    let mut again = first.clone();
    // A retry builds a fresh order value; the stored one must win.
    again.order.id = commerce_core::OrderId::random();
    again.reservation.id = again.order.reservation_id();
    let placed = stores.orders.place_order(first).await.unwrap();
    let replay = stores.orders.place_order(again).await.unwrap();
    assert!(!replay.created);
    assert_eq!(replay.order.id, placed.order.id);
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        7
    );
    assert_eq!(
        stores.orders.orders_of_customer(ALICE).await.unwrap().len(),
        1
    );
}

/// Reusing a key for a different cart is refused.
pub async fn same_key_for_another_cart_is_a_conflict(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let first = place(&mut store, ALICE, &[(mug, 1)], "k-reused", 1, now());
    let other = place(&mut store, ALICE, &[(mug, 2)], "k-reused", 2, now());
    stores.orders.place_order(first).await.unwrap();
    let err = stores.orders.place_order(other).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        9
    );
}

/// A cart that is already checked out cannot become a second order under a new key.
pub async fn a_checked_out_cart_cannot_be_ordered_again(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let first = place(&mut store, ALICE, &[(mug, 1)], "k-a", 1, now());
    let mut second = first.clone();
    second.idempotency_key = IdempotencyKey::parse("k-b").unwrap();
    second.order.id = commerce_core::OrderId::random();
    second.order.number = OrderNumber::from_sequence(2);
    second.reservation.id = second.order.reservation_id();
    stores.orders.place_order(first).await.unwrap();
    let err = stores.orders.place_order(second).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        9
    );
    assert_eq!(
        stores.orders.orders_of_customer(ALICE).await.unwrap().len(),
        1
    );
}

/// When a line cannot be reserved nothing is written: no order, the cart still open,
/// no events, stock untouched.
pub async fn out_of_stock_order_writes_nothing(stores: Stores) {
    let (mut store, mug, tee) = two_shops();
    install(&store, &stores, 2, now()).await;
    let place = place(
        &mut store,
        ALICE,
        &[(mug, 1), (tee, 3)],
        "k-short",
        1,
        now(),
    );
    let cart = place.cart.id();
    let before = stores.outbox.unpublished(1000).await.unwrap().len();
    let order = place.order.id;
    let err = stores.orders.place_order(place).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InsufficientStock);
    assert!(stores.orders.order(order).await.unwrap().is_none());
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        2
    );
    assert_eq!(
        stores.inventory.available(&sku(&store, tee)).await.unwrap(),
        2
    );
    assert!(
        stores.carts.cart(cart).await.unwrap().is_none(),
        "the checked-out cart was not written"
    );
    assert_eq!(stores.outbox.unpublished(1000).await.unwrap().len(), before);
}

/// Many concurrent checkouts with one key: one order, stock held once.
pub async fn concurrent_checkouts_with_one_key_create_one_order(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 50, now()).await;
    let place = place(&mut store, ALICE, &[(mug, 2)], "k-race", 1, now());
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (stores, mut attempt, barrier) = (stores.clone(), place.clone(), barrier.clone());
        attempt.order.id = commerce_core::OrderId::random();
        attempt.reservation.id = attempt.order.reservation_id();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            stores.orders.place_order(attempt).await
        }));
    }
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let placed = task.await.unwrap().expect("placed or replayed");
        created += usize::from(placed.created);
        ids.insert(placed.order.id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        48
    );
}

/// An update computed from an old version is refused and changes nothing.
pub async fn stale_update_is_a_conflict_and_changes_nothing(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let placed = stores
        .orders
        .place_order(place(&mut store, ALICE, &[(mug, 1)], "k-cas", 1, now()))
        .await
        .unwrap()
        .order;
    let mut first = placed.clone();
    first
        .transition(OrderStatus::Cancelled, Actor::System, "first", now())
        .unwrap();
    stores
        .orders
        .update_order(first.into_update(&placed, Default::default()))
        .await
        .unwrap();
    let mut stale = placed.clone();
    stale
        .transition(OrderStatus::Paid, Actor::System, "stale", now())
        .unwrap();
    let update = stale.into_update(
        &placed,
        commerce_core::order::Effects {
            stock: StockEffect::Commit,
            ..Default::default()
        },
    );
    let err = stores.orders.update_order(update).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let stored = stores.orders.order(placed.id).await.unwrap().unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    assert_eq!(stored.version, placed.version + 1);
    let levels = stores.inventory.levels(&sku(&store, mug)).await.unwrap();
    assert_eq!(
        levels.iter().map(|l| l.on_hand).sum::<i64>(),
        10,
        "not committed"
    );
}

/// Sixteen writers race from the same version: exactly one update is stored.
pub async fn concurrent_updates_from_one_version_let_exactly_one_win(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let placed = stores
        .orders
        .place_order(place(&mut store, ALICE, &[(mug, 1)], "k-cas16", 1, now()))
        .await
        .unwrap()
        .order;
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (stores, placed, barrier) = (stores.clone(), placed.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let mut next = placed.clone();
            next.transition(
                OrderStatus::Paid,
                Actor::System,
                format!("writer {n}"),
                now(),
            )
            .unwrap();
            let update = next.into_update(
                &placed,
                commerce_core::order::Effects {
                    stock: StockEffect::Commit,
                    ..Default::default()
                },
            );
            barrier.wait().await;
            stores.orders.update_order(update).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict),
        }
    }
    assert_eq!(won, 1);
    let levels = stores.inventory.levels(&sku(&store, mug)).await.unwrap();
    assert_eq!(
        levels.iter().map(|l| l.on_hand).sum::<i64>(),
        9,
        "committed once"
    );
}

async fn placed_and_paid(
    stores: &Stores,
) -> (commerce_core::order::Order, commerce_core::catalog::Sku) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores.clone(), 10, now()).await;
    let placed = stores
        .orders
        .place_order(place(&mut store, ALICE, &[(mug, 4)], "k-pay", 1, now()))
        .await
        .unwrap()
        .order;
    let mut paid = placed.clone();
    paid.transition(OrderStatus::Paid, Actor::PaymentProvider, "paid", now())
        .unwrap();
    let paid = stores
        .orders
        .update_order(paid.into_update(
            &placed,
            commerce_core::order::Effects {
                stock: StockEffect::Commit,
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    (paid, sku(&store, mug))
}

/// Commit takes the units off hand and out of reserved; committing again changes
/// nothing.
pub async fn commit_effect_takes_stock_off_hand_once(stores: Stores) {
    let (paid, sku) = placed_and_paid(&stores).await;
    let levels = stores.inventory.levels(&sku).await.unwrap();
    assert_eq!(levels.iter().map(|l| l.on_hand).sum::<i64>(), 6);
    assert_eq!(levels.iter().map(|l| l.reserved).sum::<i64>(), 0);
    let mut again = paid.clone();
    again
        .transition(OrderStatus::Processing, Actor::System, "pick", now())
        .unwrap();
    stores
        .orders
        .update_order(again.into_update(
            &paid,
            commerce_core::order::Effects {
                stock: StockEffect::Commit,
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let levels = stores.inventory.levels(&sku).await.unwrap();
    assert_eq!(
        levels.iter().map(|l| l.on_hand).sum::<i64>(),
        6,
        "not twice"
    );
}

/// Release gives held units back.
pub async fn release_effect_returns_stock(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let placed = stores
        .orders
        .place_order(place(&mut store, ALICE, &[(mug, 4)], "k-rel", 1, now()))
        .await
        .unwrap()
        .order;
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        6
    );
    let mut cancelled = placed.clone();
    let effects = cancelled
        .cancel(Actor::System, "changed my mind", now())
        .unwrap();
    assert_eq!(effects.stock, StockEffect::Release);
    stores
        .orders
        .update_order(cancelled.into_update(&placed, effects))
        .await
        .unwrap();
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        10
    );
    let reservation = stores
        .inventory
        .reservation(placed.reservation_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reservation.state, ReservationState::Released);
}

/// Restock puts committed units back on hand.
pub async fn restock_effect_puts_committed_stock_back(stores: Stores) {
    let (paid, sku) = placed_and_paid(&stores).await;
    let mut cancelled = paid.clone();
    let effects = cancelled
        .cancel(Actor::System, "cancelled after payment", now())
        .unwrap();
    assert_eq!(effects.stock, StockEffect::Restock);
    stores
        .orders
        .update_order(cancelled.into_update(&paid, effects))
        .await
        .unwrap();
    let levels = stores.inventory.levels(&sku).await.unwrap();
    assert_eq!(levels.iter().map(|l| l.on_hand).sum::<i64>(), 10);
    assert_eq!(stores.inventory.available(&sku).await.unwrap(), 10);
}

/// Order numbers drawn concurrently are all different.
pub async fn order_numbers_are_unique_under_concurrency(stores: Stores) {
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let stores = stores.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..8 {
                mine.push(stores.orders.next_order_number().await.unwrap());
            }
            mine
        }));
    }
    let mut all = std::collections::BTreeSet::new();
    for task in tasks {
        for n in task.await.unwrap() {
            assert!(all.insert(n), "number {n} handed out twice");
        }
    }
    assert_eq!(all.len(), 256);
}

/// Orders are found by number, idempotency key, payment, customer and shop.
pub async fn queries_find_orders_by_number_key_payment_customer_and_shop(stores: Stores) {
    let (mut store, mug, tee) = two_shops();
    install(&store, &stores, 10, now()).await;
    let first = stores
        .orders
        .place_order(place(&mut store, ALICE, &[(mug, 1)], "k-q1", 1, now()))
        .await
        .unwrap()
        .order;
    let second = stores
        .orders
        .place_order(place(
            &mut store,
            ALICE,
            &[(tee, 1)],
            "k-q2",
            2,
            now() + Duration::minutes(1),
        ))
        .await
        .unwrap()
        .order;
    let bobs = stores
        .orders
        .place_order(place(
            &mut store,
            BOB,
            &[(mug, 1), (tee, 1)],
            "k-q3",
            3,
            now(),
        ))
        .await
        .unwrap()
        .order;
    let alice: Vec<_> = stores
        .orders
        .orders_of_customer(ALICE)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(
        alice,
        vec![second.id, first.id],
        "newest first, only Alice's"
    );
    let by_number = stores.orders.order_by_number(&first.number).await.unwrap();
    assert_eq!(by_number.map(|o| o.id), Some(first.id));
    let by_key = stores
        .orders
        .order_by_idempotency_key(&IdempotencyKey::parse("k-q3").unwrap())
        .await
        .unwrap();
    assert_eq!(by_key.map(|o| o.id), Some(bobs.id));
    let second_shop: Vec<_> = stores
        .orders
        .orders_of_shop(crate::orders::SECOND_SHOP)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(second_shop.len(), 2);
    assert!(second_shop.contains(&second.id) && second_shop.contains(&bobs.id));
    let mut with_payment = first.clone();
    with_payment.payment.reference = Some(PaymentRef("pi_test_1".into()));
    stores
        .orders
        .update_order(with_payment.into_update(&first, Default::default()))
        .await
        .unwrap();
    let by_payment = stores
        .orders
        .order_by_payment(&PaymentRef("pi_test_1".into()))
        .await
        .unwrap();
    assert_eq!(by_payment.map(|o| o.id), Some(first.id));
    assert!(
        stores
            .orders
            .order_by_payment(&PaymentRef("pi_other".into()))
            .await
            .unwrap()
            .is_none()
    );
}

/// Only orders still pending payment whose hold has lapsed are listed.
pub async fn unpaid_expired_lists_only_lapsed_pending_orders(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let early = stores
        .orders
        .place_order(place(&mut store, ALICE, &[(mug, 1)], "k-e1", 1, now()))
        .await
        .unwrap()
        .order;
    let late = stores
        .orders
        .place_order(place(
            &mut store,
            BOB,
            &[(mug, 1)],
            "k-e2",
            2,
            now() + Duration::minutes(10),
        ))
        .await
        .unwrap()
        .order;
    let at = now() + Duration::minutes(16);
    let lapsed: Vec<_> = stores
        .orders
        .unpaid_expired(at)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(lapsed, vec![early.id]);
    let mut paid = late.clone();
    paid.transition(OrderStatus::Paid, Actor::System, "paid", at)
        .unwrap();
    stores
        .orders
        .update_order(paid.into_update(&late, Default::default()))
        .await
        .unwrap();
    let later = now() + Duration::hours(1);
    let lapsed: Vec<_> = stores
        .orders
        .unpaid_expired(later)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(lapsed, vec![early.id], "a paid order is never listed");
}

/// Usage counts orders that used a promotion, except cancelled ones.
pub async fn promotion_usage_ignores_cancelled_orders(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 10, now()).await;
    let promotion = commerce_core::PromotionId::from_u128(99);
    let mut a = place(&mut store, ALICE, &[(mug, 1)], "k-p1", 1, now());
    a.order.promotions = vec![promotion];
    let mut b = place(&mut store, BOB, &[(mug, 1)], "k-p2", 2, now());
    b.order.promotions = vec![promotion];
    let mut c = place(&mut store, ALICE, &[(mug, 1)], "k-p3", 3, now());
    c.order.promotions = vec![promotion];
    stores.orders.place_order(a).await.unwrap();
    stores.orders.place_order(b).await.unwrap();
    let c = stores.orders.place_order(c).await.unwrap().order;
    let mut cancelled = c.clone();
    let effects = cancelled.cancel(Actor::System, "no", now()).unwrap();
    stores
        .orders
        .update_order(cancelled.into_update(&c, effects))
        .await
        .unwrap();
    let usage = stores.orders.promotion_usage(Some(ALICE)).await.unwrap();
    assert_eq!(usage.total_uses(promotion), 2);
    assert_eq!(usage.shopper_uses(promotion), 1);
}

/// Ten customers race to use a promotion limited to three uses (and one use each):
/// exactly three orders are placed, and the refused ones write nothing.
pub async fn promotion_limits_hold_under_concurrent_checkouts(stores: Stores) {
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 100, now()).await;
    let promotion = commerce_core::PromotionId::from_u128(77);
    let limit = commerce_core::ports::PromotionLimit {
        promotion,
        total: Some(3),
        per_customer: Some(1),
    };
    let barrier = Arc::new(Barrier::new(10));
    let mut tasks = Vec::new();
    for n in 0..10u128 {
        let customer = CustomerId::from_u128(8000 + n);
        let key = format!("k-limit-{n}");
        let mut attempt = place(
            &mut store,
            customer,
            &[(mug, 1)],
            &key,
            100 + n as u64,
            now(),
        );
        attempt.order.promotions = vec![promotion];
        attempt.promotion_limits = vec![limit];
        let (stores, barrier) = (stores.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            stores.orders.place_order(attempt).await
        }));
    }
    let mut placed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => placed += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(placed, 3);
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        97
    );
    let usage = stores.orders.promotion_usage(None).await.unwrap();
    assert_eq!(usage.total_uses(promotion), 3);
    // The per-customer limit: a customer who used it cannot use it again.
    let first = CustomerId::from_u128(9000);
    let mut once = place(&mut store, first, &[(mug, 1)], "k-once", 200, now());
    once.order.promotions = vec![promotion];
    once.promotion_limits = vec![commerce_core::ports::PromotionLimit {
        total: None,
        ..limit
    }];
    let mut twice = place(&mut store, first, &[(mug, 1)], "k-twice", 201, now());
    twice.order.promotions = vec![promotion];
    twice.promotion_limits = once.promotion_limits.clone();
    stores.orders.place_order(once).await.unwrap();
    let err = stores.orders.place_order(twice).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}
