//! Checkout under real concurrency on Postgres: 64 racers, each with its own connection,
//! for the last units of one SKU (in one location and spread over three); and checkouts
//! cut off at random points, after which nothing partial is left behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use commerce_core::ports::{PlaceOrder, Stores};
use commerce_core::{CustomerId, ErrorKind, LocationId, ReservationId};
use commerce_sqlx::{DatabaseConfig, PostgresStore, testing};
use commerce_testkit::fixtures::now;
use commerce_testkit::generate::Sequence;
use commerce_testkit::orders::{WAREHOUSE, install, place, sku, two_shops};
use sqlx::Row;
use tokio::sync::{Barrier, Mutex};

/// These tests open up to 70 connections each; run them one at a time so they stay
/// under the server's connection limit.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

const RACERS: u64 = 64;

/// Stock counts of one SKU summed over its locations.
#[derive(Debug, PartialEq, Eq)]
struct Totals {
    on_hand: i64,
    reserved: i64,
}

async fn totals(store: &PostgresStore, sku: &str) -> Totals {
    let row = sqlx::query(
        "SELECT coalesce(sum(on_hand), 0)::bigint AS on_hand, \
         coalesce(sum(reserved), 0)::bigint AS reserved FROM stock_levels WHERE sku = $1",
    )
    .bind(sku)
    .fetch_one(store.pool())
    .await
    .unwrap();
    Totals {
        on_hand: row.get("on_hand"),
        reserved: row.get("reserved"),
    }
}

/// Races 64 single-unit checkouts of the mug, each racer on its own one-connection
/// store, against `stock` units spread over locations 1, 2, 3 as given.
async fn race_for_the_last_units(stock: [i64; 3]) {
    let _serial = ONE_AT_A_TIME.lock().await;
    let config: DatabaseConfig = testing::postgres_config(4).await;
    let setup = PostgresStore::connect(&config).await.unwrap();
    setup.migrate().await.unwrap();
    let stores: Stores = setup.stores();
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 0, now()).await;
    let mug_sku = sku(&store, mug);
    for (n, units) in stock.iter().enumerate() {
        let location = LocationId::from_u128(n as u128 + 1);
        stores
            .inventory
            .adjust_stock(&mug_sku, location, *units, now())
            .await
            .unwrap();
    }
    let start: i64 = stock.iter().sum();

    let attempts: Vec<PlaceOrder> = (0..RACERS)
        .map(|i| {
            let customer = CustomerId::from_u128(9_000 + u128::from(i));
            place(
                &mut store,
                customer,
                &[(mug, 1)],
                &format!("race-{i}"),
                i + 1,
                now(),
            )
        })
        .collect();
    let barrier = Arc::new(Barrier::new(RACERS as usize));
    let mut racers = Vec::new();
    for attempt in attempts {
        // Its own pool of one connection: a separate session, as another process would be.
        let own = PostgresStore::connect(&config.clone().with_max_connections(1))
            .await
            .unwrap()
            .stores();
        let barrier = barrier.clone();
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            let placed = own.orders.place_order(attempt).await;
            (own, placed)
        }));
    }
    let mut winners = Vec::new();
    for racer in racers {
        let (own, placed) = racer.await.unwrap();
        match placed {
            Ok(placed) => {
                assert!(placed.created);
                winners.push((own, placed.order));
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::InsufficientStock, "{e}"),
        }
    }
    assert_eq!(
        winners.len() as i64,
        start,
        "exactly one order per unit in stock"
    );
    assert_eq!(stores.inventory.available(&mug_sku).await.unwrap(), 0);
    for level in stores.inventory.levels(&mug_sku).await.unwrap() {
        assert!(level.available() >= 0, "{level:?}");
        assert!(level.reserved <= level.on_hand, "{level:?}");
    }

    // Pay for every order (each from its own racer's connection): held stock leaves.
    let mut sold = 0;
    for (own, order) in &winners {
        let id = ReservationId::from_uuid(order.id.as_uuid());
        let committed = own.inventory.commit(id, now()).await.unwrap();
        sold += committed
            .units
            .iter()
            .map(|u| i64::from(u.quantity))
            .sum::<i64>();
    }
    let after = totals(&setup, mug_sku.as_str()).await;
    assert_eq!(after.reserved, 0);
    assert_eq!(
        after.on_hand + sold,
        start,
        "on hand + sold = starting stock"
    );
    assert!(after.on_hand >= 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_racers_for_the_last_units_of_one_sku_make_exactly_that_many_orders() {
    race_for_the_last_units([10, 0, 0]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_race_with_stock_spread_over_three_locations() {
    race_for_the_last_units([4, 3, 5]).await;
}

/// 16 checkouts with one idempotency key, each on its own connection: one order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_checkouts_with_one_key_on_their_own_connections_make_one_order() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let config = testing::postgres_config(4).await;
    let setup = PostgresStore::connect(&config).await.unwrap();
    setup.migrate().await.unwrap();
    let stores = setup.stores();
    let (mut store, mug, _) = two_shops();
    install(&store, &stores, 100, now()).await;
    let first = place(
        &mut store,
        CustomerId::from_u128(1),
        &[(mug, 3)],
        "one-key",
        1,
        now(),
    );
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let own = PostgresStore::connect(&config.clone().with_max_connections(1))
            .await
            .unwrap()
            .stores();
        // A retried request: same key and cart, but the engine built a new order id.
        let mut attempt = first.clone();
        attempt.order.id = commerce_core::OrderId::random();
        attempt.reservation.id = attempt.order.reservation_id();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            own.orders.place_order(attempt).await
        }));
    }
    let mut orders = std::collections::BTreeSet::new();
    let mut created = 0;
    for task in tasks {
        let placed = task.await.unwrap().unwrap();
        created += usize::from(placed.created);
        orders.insert(placed.order.id);
    }
    assert_eq!((created, orders.len()), (1, 1));
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(setup.pool())
        .await
        .unwrap();
    assert_eq!(counted, 1);
    assert_eq!(
        stores.inventory.available(&sku(&store, mug)).await.unwrap(),
        97
    );
}

/// Checkouts cut off at random points (their future dropped mid-transaction, as a crash
/// or a client timeout would) leave no partial order, no orphan reservation, no event
/// without its change and no stock held for nothing — checked in one snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkouts_cut_off_at_any_point_leave_nothing_partial() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let config = testing::postgres_config(8).await;
    let setup = PostgresStore::connect(&config).await.unwrap();
    setup.migrate().await.unwrap();
    let stores = setup.stores();
    let (mut store, mug, tee) = two_shops();
    install(&store, &stores, 0, now()).await;
    for (n, units) in [300, 300, 400].into_iter().enumerate() {
        let location = LocationId::from_u128(n as u128 + 1);
        for item in [mug, tee] {
            stores
                .inventory
                .adjust_stock(&sku(&store, item), location, units, now())
                .await
                .unwrap();
        }
    }
    let _ = WAREHOUSE;
    let mut random = Sequence::new(5);
    let mut attempt = |i: u64, random: &mut Sequence| {
        let lines = [
            (mug, 1 + random.below(3) as u32),
            (tee, 1 + random.below(2) as u32),
        ];
        let key = format!("cut-{i}");
        place(
            &mut store,
            CustomerId::from_u128(u128::from(i) + 1),
            &lines,
            &key,
            i + 1,
            now(),
        )
    };
    // How long one uncut checkout takes here, so the cuts land anywhere inside one.
    let mut took = Vec::new();
    for i in 0..5 {
        let began = std::time::Instant::now();
        stores
            .orders
            .place_order(attempt(i, &mut random))
            .await
            .unwrap();
        took.push(began.elapsed());
    }
    took.sort();
    let typical = took[2].as_micros() as u64;
    let (mut cut, mut finished) = (0, 0);
    // Waves of 4, each checkout cut after 0 to 4 typical checkouts' time.
    for wave in 0..24u64 {
        let mut tasks = Vec::new();
        for n in 0..4 {
            let attempt = attempt(5 + wave * 4 + n, &mut random);
            let budget = Duration::from_micros(random.below(4 * typical + 1));
            let stores = stores.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::timeout(budget, stores.orders.place_order(attempt)).await
            }));
        }
        for task in tasks {
            match task.await.unwrap() {
                Ok(placed) => {
                    placed.unwrap();
                    finished += 1;
                }
                Err(_) => cut += 1,
            }
        }
    }
    assert!(
        cut > 0,
        "some checkouts must have been cut off for this test to mean anything"
    );
    // Let the server roll back what the dropped transactions left.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut snapshot = setup
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .unwrap();
    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let orders = count("SELECT count(*) FROM orders")
        .fetch_one(&mut *snapshot)
        .await
        .unwrap();
    let checks: [(&str, &'static str, i64); 7] = [
        (
            "orders without their reservation",
            "SELECT count(*) FROM orders o LEFT JOIN reservations r ON r.id = o.id WHERE r.id IS NULL",
            0,
        ),
        (
            "reservations without their order",
            "SELECT count(*) FROM reservations r LEFT JOIN orders o ON o.id = r.id WHERE o.id IS NULL",
            0,
        ),
        (
            "idempotency keys without their order",
            "SELECT count(*) FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id WHERE o.id IS NULL",
            0,
        ),
        (
            "order.created events",
            "SELECT count(*) FROM outbox WHERE name = 'order.created'",
            orders,
        ),
        (
            "cart.checked_out events",
            "SELECT count(*) FROM outbox WHERE name = 'cart.checked_out'",
            orders,
        ),
        (
            "checked-out carts",
            "SELECT count(*) FROM carts WHERE checked_out",
            orders,
        ),
        (
            "carts left open by a cut checkout",
            "SELECT count(*) FROM carts WHERE NOT checked_out",
            0,
        ),
    ];
    for (what, sql, expected) in checks {
        let found = count(sql).fetch_one(&mut *snapshot).await.unwrap();
        assert_eq!(found, expected, "{what}");
    }
    // Stock held equals what the stored reservations hold, unit for unit.
    let held: Vec<sqlx::types::Json<commerce_core::inventory::Reservation>> =
        sqlx::query_scalar("SELECT doc FROM reservations WHERE state = 'held'")
            .fetch_all(&mut *snapshot)
            .await
            .unwrap();
    let held_units: i64 = held
        .iter()
        .flat_map(|r| r.0.units.iter())
        .map(|u| i64::from(u.quantity))
        .sum();
    let reserved: i64 = count("SELECT coalesce(sum(reserved), 0)::bigint FROM stock_levels")
        .fetch_one(&mut *snapshot)
        .await
        .unwrap();
    assert_eq!(reserved, held_units);
    let on_hand: i64 = count("SELECT coalesce(sum(on_hand), 0)::bigint FROM stock_levels")
        .fetch_one(&mut *snapshot)
        .await
        .unwrap();
    assert_eq!(
        on_hand, 2_000,
        "nothing was committed, so nothing left the shelves"
    );
    assert!(
        finished > 0,
        "some cut-off checkouts must have finished in time"
    );
    assert!(orders >= 5 + finished);
    // The pool is still healthy: no connection was handed back inside a dead transaction.
    let again = place(
        &mut store,
        CustomerId::from_u128(999),
        &[(mug, 1)],
        "after-the-cuts",
        999,
        now(),
    );
    for _ in 0..8 {
        stores.orders.next_order_number().await.unwrap();
    }
    assert!(stores.orders.place_order(again).await.unwrap().created);
}
