//! Conformance cases: the inventory port, with the outbox to read the `stock.*` events.
//!
//! Times are explicit (`fixtures::now()` plus offsets), so expiry needs no sleeping.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use commerce_core::catalog::Sku;
use commerce_core::events::DomainEvent;
use commerce_core::inventory::{
    Reservation, ReservationLine, ReservationRequest, ReservationState, ReservedUnits, StockLevel,
    StockPolicy,
};
use commerce_core::ports::Stores;
use commerce_core::{CustomerId, Error, LocationId, ReservationId};
use tokio::sync::Barrier;

use crate::fixtures::now;

fn sku(s: &str) -> Sku {
    Sku::parse(s).expect("fixture SKU")
}

fn loc(n: u128) -> LocationId {
    LocationId::from_u128(n)
}

fn rid(n: u128) -> ReservationId {
    ReservationId::from_u128(n)
}

fn later(minutes: i64) -> DateTime<Utc> {
    now() + Duration::minutes(minutes)
}

/// A request for `lines` that lapses 15 minutes after [`now`].
fn request(id: u128, lines: &[(&Sku, u32)]) -> ReservationRequest {
    request_until(id, lines, later(15))
}

fn request_until(id: u128, lines: &[(&Sku, u32)], expires_at: DateTime<Utc>) -> ReservationRequest {
    ReservationRequest {
        id: rid(id),
        lines: lines
            .iter()
            .map(|(sku, quantity)| ReservationLine {
                sku: (*sku).clone(),
                quantity: *quantity,
            })
            .collect(),
        expires_at,
    }
}

fn units(sku: &Sku, location: u128, quantity: u32) -> ReservedUnits {
    ReservedUnits {
        sku: sku.clone(),
        location: loc(location),
        quantity,
    }
}

fn level(sku: &Sku, location: u128, on_hand: i64, reserved: i64) -> StockLevel {
    StockLevel {
        sku: sku.clone(),
        location: loc(location),
        on_hand,
        reserved,
    }
}

/// Puts `units` on hand at each `(location, units)`.
async fn stock(stores: &Stores, sku: &Sku, at: &[(u128, i64)]) {
    for &(location, units) in at {
        stores
            .inventory
            .adjust_stock(sku, loc(location), units, now())
            .await
            .expect("stocking a fixture SKU");
    }
}

async fn reserve(stores: &Stores, request: ReservationRequest) -> Reservation {
    stores
        .inventory
        .reserve(request, now())
        .await
        .expect("reserving in a fixture")
}

async fn available(stores: &Stores, sku: &Sku) -> i64 {
    stores
        .inventory
        .available(sku)
        .await
        .expect("reading availability")
}

async fn levels(stores: &Stores, sku: &Sku) -> Vec<StockLevel> {
    stores.inventory.levels(sku).await.expect("reading levels")
}

/// Every event in the outbox, oldest first.
async fn events(stores: &Stores) -> Vec<DomainEvent> {
    stores
        .outbox
        .unpublished(100_000)
        .await
        .expect("reading the outbox")
        .into_iter()
        .map(|entry| entry.record.event)
        .collect()
}

fn named<'a>(events: &'a [DomainEvent], name: &str) -> Vec<&'a DomainEvent> {
    events.iter().filter(|e| e.name() == name).collect()
}

fn is_insufficient(result: &Result<Reservation, Error>) -> bool {
    matches!(result, Err(Error::InsufficientStock { .. }))
}

/// Stock added and written off shows in the levels (by location id) and in `available`,
/// with a `stock.increased` / `stock.decreased` event per change.
pub async fn adjusting_stock_moves_levels_and_available(stores: Stores) {
    let mug = sku("MUG-1");
    assert_eq!(available(&stores, &mug).await, 0, "an unknown SKU has none");
    assert!(levels(&stores, &mug).await.is_empty());

    let level_2 = stores
        .inventory
        .adjust_stock(&mug, loc(2), 5, now())
        .await
        .expect("receiving stock");
    assert_eq!(level_2, level(&mug, 2, 5, 0));
    stock(&stores, &mug, &[(1, 3), (2, -2)]).await;

    assert_eq!(
        levels(&stores, &mug).await,
        vec![level(&mug, 1, 3, 0), level(&mug, 2, 3, 0)]
    );
    assert_eq!(available(&stores, &mug).await, 6);

    let events = events(&stores).await;
    assert_eq!(named(&events, "stock.increased").len(), 2);
    let decreased = named(&events, "stock.decreased");
    assert_eq!(decreased.len(), 1);
    let DomainEvent::StockDecreased(change) = decreased[0] else {
        panic!("expected stock.decreased");
    };
    assert_eq!(
        (change.location, change.on_hand, change.available),
        (loc(2), 3, 6)
    );
}

/// A SKU's policy is strict until one is set; the set policy is read back.
pub async fn policy_defaults_to_strict_and_is_stored(stores: Stores) {
    let mug = sku("MUG-1");
    assert_eq!(
        stores.inventory.policy(&mug).await.expect("policy"),
        StockPolicy::strict(mug.clone())
    );
    let policy = StockPolicy {
        sku: mug.clone(),
        backorder: true,
        low_stock_threshold: Some(4),
    };
    stores
        .inventory
        .set_policy(policy.clone())
        .await
        .expect("set policy");
    assert_eq!(stores.inventory.policy(&mug).await.expect("policy"), policy);
}

/// Writing off more than is free (below what is reserved, or below zero) is
/// `InsufficientStock` and changes nothing, not even creating a level.
pub async fn writing_off_below_reserved_is_refused_and_changes_nothing(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 5)]).await;
    reserve(&stores, request(1, &[(&mug, 3)])).await;
    let events_before = events(&stores).await.len();

    let err = stores
        .inventory
        .adjust_stock(&mug, loc(1), -3, now())
        .await
        .expect_err("only 2 units are free");
    assert!(
        matches!(&err, Error::InsufficientStock { sku, requested: 3, available: 2 } if *sku == mug),
        "{err:?}"
    );
    let err = stores
        .inventory
        .adjust_stock(&mug, loc(9), -1, now())
        .await
        .expect_err("nothing on hand at location 9");
    assert!(matches!(err, Error::InsufficientStock { .. }), "{err:?}");

    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 5, 3)]);
    assert_eq!(events(&stores).await.len(), events_before);

    let freed = stores
        .inventory
        .adjust_stock(&mug, loc(1), -2, now())
        .await
        .expect("the 2 free units can be written off");
    assert_eq!(freed, level(&mug, 1, 3, 3));
}

/// A stock delta beyond ±1,000,000,000 units is `InvalidInput` on `delta` (never an
/// `InsufficientStock` quoting a wrapped quantity) and changes nothing, not even creating
/// a level; the limit itself is accepted.
pub async fn deltas_beyond_a_billion_are_refused_naming_delta(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 5)]).await;
    let events_before = events(&stores).await.len();
    for delta in [
        i64::MIN,
        -(1 << 62),
        -1_000_000_001,
        1_000_000_001,
        1 << 62,
        i64::MAX,
    ] {
        for location in [1, 2] {
            let err = stores
                .inventory
                .adjust_stock(&mug, loc(location), delta, now())
                .await
                .expect_err("out of range");
            assert!(
                matches!(err, Error::InvalidInput { field: "delta", .. }),
                "{delta}: {err:?}"
            );
        }
    }
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 5, 0)]);
    assert_eq!(events(&stores).await.len(), events_before);

    let most = stores
        .inventory
        .adjust_stock(&mug, loc(1), 1_000_000_000, now())
        .await
        .expect("a billion is within the limit");
    assert_eq!(most, level(&mug, 1, 1_000_000_005, 0));
    let least = stores
        .inventory
        .adjust_stock(&mug, loc(1), -1_000_000_000, now())
        .await
        .expect("minus a billion is within the limit");
    assert_eq!(least, level(&mug, 1, 5, 0));
}

/// A request that cannot be held in full holds nothing, and names the SKU that ran
/// short.
pub async fn reserving_is_all_or_nothing_across_skus(stores: Stores) {
    let mug = sku("MUG-1");
    let cap = sku("CAP-1");
    stock(&stores, &mug, &[(1, 5)]).await;
    stock(&stores, &cap, &[(1, 1)]).await;

    let err = stores
        .inventory
        .reserve(request(1, &[(&mug, 2), (&cap, 2)]), now())
        .await
        .expect_err("only one cap");
    assert!(
        matches!(&err, Error::InsufficientStock { sku, requested: 2, available: 1 } if *sku == cap),
        "{err:?}"
    );
    assert_eq!(available(&stores, &mug).await, 5);
    assert_eq!(available(&stores, &cap).await, 1);
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 5, 0)]);
    assert!(
        stores
            .inventory
            .reservation(rid(1))
            .await
            .expect("lookup")
            .is_none()
    );

    let held = reserve(&stores, request(2, &[(&mug, 2), (&cap, 1)])).await;
    assert_eq!(held.state, ReservationState::Held);
    assert_eq!(available(&stores, &mug).await, 3);
    assert_eq!(available(&stores, &cap).await, 0);
}

/// Malformed requests (no lines, zero units, a SKU twice) are invalid input and hold
/// nothing.
pub async fn malformed_requests_are_invalid_and_hold_nothing(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 5)]).await;
    for bad in [
        request(1, &[]),
        request(1, &[(&mug, 0)]),
        request(1, &[(&mug, 1), (&mug, 1)]),
    ] {
        let err = stores
            .inventory
            .reserve(bad.clone(), now())
            .await
            .expect_err("malformed request");
        assert!(
            matches!(err, Error::InvalidInput { .. }),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(available(&stores, &mug).await, 5);
    assert!(
        stores
            .inventory
            .reservation(rid(1))
            .await
            .expect("lookup")
            .is_none()
    );
}

/// Units come from locations in ascending location id, whatever order they were
/// stocked in.
pub async fn reserving_splits_across_locations_in_ascending_id(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(3, 5), (1, 2), (2, 2)]).await;
    let held = reserve(&stores, request(1, &[(&mug, 5)])).await;
    assert_eq!(
        held.units,
        vec![units(&mug, 1, 2), units(&mug, 2, 2), units(&mug, 3, 1)]
    );
    assert_eq!(held.expires_at, later(15));
    assert_eq!(
        levels(&stores, &mug).await,
        vec![
            level(&mug, 1, 2, 2),
            level(&mug, 2, 2, 2),
            level(&mug, 3, 5, 1)
        ]
    );
    assert_eq!(
        stores.inventory.reservation(rid(1)).await.expect("lookup"),
        Some(held)
    );
}

/// Reserving again with an id already used returns the first reservation and holds
/// nothing more.
pub async fn re_reserving_the_same_id_is_idempotent(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 10)]).await;
    let first = reserve(&stores, request(1, &[(&mug, 2)])).await;
    let again = reserve(&stores, request(1, &[(&mug, 2)])).await;
    let different = reserve(&stores, request(1, &[(&mug, 7)])).await;
    assert_eq!(again, first);
    assert_eq!(different, first);
    assert_eq!(available(&stores, &mug).await, 8);
}

/// Committing a held reservation takes its units off on-hand and reserved alike, and
/// emits `stock.decreased`.
pub async fn committing_lowers_on_hand_and_reserved(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 10)]).await;
    reserve(&stores, request(1, &[(&mug, 3)])).await;
    let committed = stores
        .inventory
        .commit(rid(1), later(1))
        .await
        .expect("commit");
    assert_eq!(committed.state, ReservationState::Committed);
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 7, 0)]);
    assert_eq!(available(&stores, &mug).await, 7);

    let events = events(&stores).await;
    let decreased = named(&events, "stock.decreased");
    assert_eq!(decreased.len(), 1);
    let DomainEvent::StockDecreased(change) = decreased[0] else {
        panic!("expected stock.decreased");
    };
    assert_eq!((change.on_hand, change.available), (7, 7));
}

/// Committing a committed reservation changes nothing and emits nothing.
pub async fn committing_twice_is_a_no_op(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 10)]).await;
    reserve(&stores, request(1, &[(&mug, 3)])).await;
    let first = stores
        .inventory
        .commit(rid(1), now())
        .await
        .expect("commit");
    let events_after_first = events(&stores).await.len();
    let second = stores
        .inventory
        .commit(rid(1), now())
        .await
        .expect("commit again");
    assert_eq!(second, first);
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 7, 0)]);
    assert_eq!(events(&stores).await.len(), events_after_first);
}

/// Releasing a held reservation makes its units available again; releasing it again
/// changes nothing, and a released reservation cannot be committed.
pub async fn releasing_returns_availability(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 10)]).await;
    reserve(&stores, request(1, &[(&mug, 3)])).await;
    assert_eq!(available(&stores, &mug).await, 7);

    let released = stores
        .inventory
        .release(rid(1), now())
        .await
        .expect("release");
    assert_eq!(released.state, ReservationState::Released);
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 10, 0)]);

    let again = stores
        .inventory
        .release(rid(1), now())
        .await
        .expect("release again");
    assert_eq!(again, released);
    assert_eq!(available(&stores, &mug).await, 10);

    let err = stores
        .inventory
        .commit(rid(1), now())
        .await
        .expect_err("a released reservation cannot be committed");
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 10, 0)]);
}

/// Restocking a committed reservation puts its units back on hand; restocking twice, or
/// restocking a held reservation, changes nothing.
pub async fn restocking_after_commit_puts_units_back(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 10)]).await;
    reserve(&stores, request(1, &[(&mug, 3)])).await;
    reserve(&stores, request(2, &[(&mug, 2)])).await;

    let held = stores
        .inventory
        .restock(rid(2), now())
        .await
        .expect("restocking a held reservation");
    assert_eq!(held.state, ReservationState::Held);

    stores
        .inventory
        .commit(rid(1), now())
        .await
        .expect("commit");
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 7, 2)]);
    let restocked = stores
        .inventory
        .restock(rid(1), now())
        .await
        .expect("restock");
    assert_eq!(restocked.state, ReservationState::Restocked);
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 10, 2)]);

    stores
        .inventory
        .restock(rid(1), now())
        .await
        .expect("restock again");
    assert_eq!(levels(&stores, &mug).await, vec![level(&mug, 1, 10, 2)]);
    assert_eq!(named(&events(&stores).await, "stock.increased").len(), 2);
}

/// Committing, releasing or restocking a reservation that does not exist is
/// `NotFound`.
pub async fn unknown_reservations_are_not_found(stores: Stores) {
    let inventory = &stores.inventory;
    assert!(
        inventory
            .reservation(rid(9))
            .await
            .expect("lookup")
            .is_none()
    );
    for result in [
        inventory.commit(rid(9), now()).await,
        inventory.release(rid(9), now()).await,
        inventory.restock(rid(9), now()).await,
    ] {
        assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    }
}

/// Expiry releases exactly the held reservations whose expiry is at or before `now`,
/// and returns them.
pub async fn expiry_releases_only_expired_holds(stores: Stores) {
    let mug = sku("MUG-1");
    stock(&stores, &mug, &[(1, 20)]).await;
    reserve(&stores, request_until(1, &[(&mug, 1)], later(5))).await;
    reserve(&stores, request_until(2, &[(&mug, 2)], later(10))).await;
    reserve(&stores, request_until(3, &[(&mug, 4)], later(15))).await;
    reserve(&stores, request_until(4, &[(&mug, 8)], later(5))).await;
    stores
        .inventory
        .commit(rid(4), now())
        .await
        .expect("commit");
    assert_eq!(available(&stores, &mug).await, 5);

    let expired = stores
        .inventory
        .expire_reservations(later(10))
        .await
        .expect("expire");
    let ids: BTreeSet<ReservationId> = expired.iter().map(|r| r.id).collect();
    assert_eq!(ids, BTreeSet::from([rid(1), rid(2)]));
    assert!(
        expired
            .iter()
            .all(|r| r.state == ReservationState::Released)
    );
    assert_eq!(available(&stores, &mug).await, 8);

    let state = |id| {
        let inventory = stores.inventory.clone();
        async move {
            inventory
                .reservation(rid(id))
                .await
                .expect("lookup")
                .expect("exists")
                .state
        }
    };
    assert_eq!(state(3).await, ReservationState::Held);
    assert_eq!(state(4).await, ReservationState::Committed);

    let nothing = stores
        .inventory
        .expire_reservations(later(10))
        .await
        .expect("expire again");
    assert!(nothing.is_empty());
    assert_eq!(available(&stores, &mug).await, 8);
}

/// A SKU that allows backorders may be reserved beyond what is on hand (available goes
/// negative, the shortfall booked at the first location); a strict SKU never.
pub async fn backorder_sku_may_go_negative_strict_never(stores: Stores) {
    let pre = sku("PREORDER-1");
    let strict = sku("STRICT-1");
    stores
        .inventory
        .set_policy(StockPolicy {
            backorder: true,
            ..StockPolicy::strict(pre.clone())
        })
        .await
        .expect("policy");
    stock(&stores, &pre, &[(2, 1), (1, 0)]).await;
    stock(&stores, &strict, &[(1, 2)]).await;

    let held = reserve(&stores, request(1, &[(&pre, 5)])).await;
    assert_eq!(held.units, vec![units(&pre, 1, 4), units(&pre, 2, 1)]);
    assert_eq!(available(&stores, &pre).await, -4);

    let err = stores
        .inventory
        .reserve(request(2, &[(&strict, 3)]), now())
        .await
        .expect_err("strict SKU has 2");
    assert!(
        matches!(
            &err,
            Error::InsufficientStock {
                requested: 3,
                available: 2,
                ..
            }
        ),
        "{err:?}"
    );
    reserve(&stores, request(3, &[(&strict, 2)])).await;
    let err = stores
        .inventory
        .reserve(request(4, &[(&strict, 1)]), now())
        .await
        .expect_err("strict SKU is sold out");
    assert!(
        matches!(&err, Error::InsufficientStock { available: 0, .. }),
        "{err:?}"
    );
    assert_eq!(available(&stores, &strict).await, 0);
}

/// `stock.low` is emitted once, when availability crosses from above the threshold to
/// at or below it; staying below emits no more.
pub async fn low_stock_is_emitted_once_when_crossing(stores: Stores) {
    let mug = sku("MUG-1");
    stores
        .inventory
        .set_policy(StockPolicy {
            low_stock_threshold: Some(3),
            ..StockPolicy::strict(mug.clone())
        })
        .await
        .expect("policy");
    stock(&stores, &mug, &[(1, 5)]).await;
    reserve(&stores, request(1, &[(&mug, 1)])).await;
    assert!(named(&events(&stores).await, "stock.low").is_empty());

    reserve(&stores, request(2, &[(&mug, 1)])).await;
    reserve(&stores, request(3, &[(&mug, 1)])).await;
    stores
        .inventory
        .adjust_stock(&mug, loc(1), -1, now())
        .await
        .expect("write off");

    let events = events(&stores).await;
    let low = named(&events, "stock.low");
    assert_eq!(low.len(), 1, "{events:?}");
    assert_eq!(
        low[0],
        &DomainEvent::StockLow {
            sku: mug.clone(),
            available: 3,
            threshold: 3,
        }
    );
}

/// `stock.back_in_stock` is emitted when a sold-out SKU becomes available, listing each
/// subscriber once; the subscriptions are consumed, so a later return lists none of them.
pub async fn back_in_stock_lists_subscribers_once_and_consumes_them(stores: Stores) {
    let mug = sku("MUG-1");
    let (ann, bob) = (CustomerId::from_u128(1), CustomerId::from_u128(2));
    for customer in [ann, bob, ann] {
        stores
            .inventory
            .subscribe_back_in_stock(&mug, customer)
            .await
            .expect("subscribe");
    }
    stock(&stores, &mug, &[(1, 2)]).await;

    let events_now = events(&stores).await;
    let back = named(&events_now, "stock.back_in_stock");
    assert_eq!(back.len(), 1, "{events_now:?}");
    let DomainEvent::BackInStock {
        sku: back_sku,
        available: back_available,
        subscribers,
    } = back[0]
    else {
        panic!("expected stock.back_in_stock");
    };
    assert_eq!((back_sku, *back_available), (&mug, 2));
    let mut subscribers = subscribers.clone();
    subscribers.sort();
    assert_eq!(subscribers, vec![ann, bob]);

    // Sell out, then receive more: nobody is told twice.
    reserve(&stores, request(1, &[(&mug, 2)])).await;
    stores
        .inventory
        .commit(rid(1), now())
        .await
        .expect("commit");
    stock(&stores, &mug, &[(1, 4)]).await;
    let events_later = events(&stores).await;
    let told_again = named(&events_later, "stock.back_in_stock")
        .into_iter()
        .skip(1)
        .any(|e| matches!(e, DomainEvent::BackInStock { subscribers, .. } if !subscribers.is_empty()));
    assert!(!told_again, "{events_later:?}");
}

/// Runs `tasks` concurrent reservations for `wanted(i)` units each of a SKU with 10
/// units (6 at location 1, 4 at location 2), while a reader samples availability.
/// Returns each task's quantity and result, and every sample seen.
async fn race(
    stores: &Stores,
    tasks: u32,
    wanted: fn(u32) -> u32,
) -> (
    Vec<(u32, Result<Reservation, Error>)>,
    Vec<(i64, Vec<StockLevel>)>,
) {
    let item = sku("LAST-UNITS");
    stock(stores, &item, &[(1, 6), (2, 4)]).await;
    let barrier = Arc::new(Barrier::new(tasks as usize + 1));
    let done = Arc::new(AtomicBool::new(false));

    let reader = {
        let (stores, item, barrier, done) =
            (stores.clone(), item.clone(), barrier.clone(), done.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            let mut samples = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let available = stores.inventory.available(&item).await.expect("sample");
                let levels = stores.inventory.levels(&item).await.expect("sample");
                samples.push((available, levels));
                if finished {
                    return samples;
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let racers: Vec<_> = (0..tasks)
        .map(|i| {
            let (stores, item, barrier) = (stores.clone(), item.clone(), barrier.clone());
            let quantity = wanted(i);
            tokio::spawn(async move {
                barrier.wait().await;
                let request = request(1000 + u128::from(i), &[(&item, quantity)]);
                (quantity, stores.inventory.reserve(request, now()).await)
            })
        })
        .collect();

    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.expect("racer task"));
    }
    done.store(true, Ordering::SeqCst);
    let samples = reader.await.expect("reader task");
    (results, samples)
}

fn assert_never_negative(samples: &[(i64, Vec<StockLevel>)]) {
    assert!(!samples.is_empty());
    for (available, levels) in samples {
        assert!(*available >= 0, "available observed at {available}");
        assert!(
            levels.iter().all(|l| l.available() >= 0),
            "a location observed below zero: {levels:?}"
        );
    }
}

/// THE invariant: 64 shoppers race for the last 10 units, one each. Exactly 10 get one,
/// 54 get `InsufficientStock`, and availability ends at 0 without ever being seen below.
pub async fn racing_for_the_last_units_never_oversells(stores: Stores) {
    let (results, samples) = race(&stores, 64, |_| 1).await;
    let won = results.iter().filter(|(_, r)| r.is_ok()).count();
    let lost = results.iter().filter(|(_, r)| is_insufficient(r)).count();
    assert_eq!((won, lost), (10, 54), "(won, refused) of 64 racers");

    let item = sku("LAST-UNITS");
    assert_eq!(available(&stores, &item).await, 0);
    assert_eq!(
        levels(&stores, &item).await,
        vec![level(&item, 1, 6, 6), level(&item, 2, 4, 4)]
    );
    assert_never_negative(&samples);
    assert_eq!(samples.last().map(|(a, _)| *a), Some(0));
}

/// The same race with shoppers wanting 1 to 3 units: what is held plus what is left is
/// exactly 10, nothing is ever seen below zero, and every refusal was a real shortage
/// (the units left at the end are fewer than the refused shopper wanted).
pub async fn racing_for_several_units_never_oversells(stores: Stores) {
    let (results, samples) = race(&stores, 64, |i| i % 3 + 1).await;
    let item = sku("LAST-UNITS");
    let left = available(&stores, &item).await;
    assert!(left >= 0);

    let held: i64 = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|r| &r.units)
        .map(|u| i64::from(u.quantity))
        .sum();
    assert_eq!(held + left, 10, "{held} held, {left} left of 10");
    for (quantity, result) in &results {
        match result {
            Ok(reservation) => {
                let units: u32 = reservation.units.iter().map(|u| u.quantity).sum();
                assert_eq!(units, *quantity);
            }
            Err(Error::InsufficientStock { requested, .. }) => {
                assert_eq!(requested, quantity);
                assert!(
                    left < i64::from(*quantity),
                    "{quantity} refused, {left} left"
                );
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    let reserved: i64 = levels(&stores, &item)
        .await
        .iter()
        .map(|l| l.reserved)
        .sum();
    assert_eq!(reserved, held);
    assert_never_negative(&samples);
}

/// The inventory cases, as tests.
#[macro_export]
macro_rules! inventory_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            inventory,
            $fresh,
            [
                adjusting_stock_moves_levels_and_available,
                policy_defaults_to_strict_and_is_stored,
                writing_off_below_reserved_is_refused_and_changes_nothing,
                deltas_beyond_a_billion_are_refused_naming_delta,
                reserving_is_all_or_nothing_across_skus,
                malformed_requests_are_invalid_and_hold_nothing,
                reserving_splits_across_locations_in_ascending_id,
                re_reserving_the_same_id_is_idempotent,
                committing_lowers_on_hand_and_reserved,
                committing_twice_is_a_no_op,
                releasing_returns_availability,
                restocking_after_commit_puts_units_back,
                unknown_reservations_are_not_found,
                expiry_releases_only_expired_holds,
                backorder_sku_may_go_negative_strict_never,
                low_stock_is_emitted_once_when_crossing,
                back_in_stock_lists_subscribers_once_and_consumes_them,
                racing_for_the_last_units_never_oversells,
                racing_for_several_units_never_oversells,
            ]
        );
    };
}
