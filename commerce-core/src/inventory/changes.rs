//! The events a change to a SKU's stock emits: `stock.increased` / `stock.decreased`
//! per location whose on-hand count moved, `stock.low` when availability crosses the
//! low-stock threshold, `stock.back_in_stock` when a sold-out SKU can be bought again.
//!
//! An adapter reads the SKU's levels before the change, applies it, and calls
//! [`stock_events`] with both, inside the same atomic step.

use chrono::{DateTime, Utc};

use super::plan::total_available;
use super::{StockLevel, StockPolicy};
use crate::events::{DomainEvent, EventRecord, StockChange};
use crate::ids::CustomerId;

/// The threshold crossed when total availability goes from `before` (above the
/// policy's low-stock threshold) to `after` (at or below it); `None` otherwise, and
/// always `None` without a threshold.
pub fn low_stock_crossing(policy: &StockPolicy, before: i64, after: i64) -> Option<u32> {
    let threshold = policy.low_stock_threshold?;
    let limit = i64::from(threshold);
    (before > limit && after <= limit).then_some(threshold)
}

/// Whether total availability going from `before` to `after` brings a sold-out SKU back:
/// from zero or less to more than zero.
pub fn back_in_stock(before: i64, after: i64) -> bool {
    before <= 0 && after > 0
}

/// The events of one change to `policy.sku`'s stock, given its levels at every location
/// `before` and `after` the change (a location missing from `before` had nothing).
///
/// - one `stock.increased` or `stock.decreased` per location whose on-hand count changed
///   (in ascending location id), carrying the new on-hand count there and the total
///   available after the change; a change to reservations alone emits none;
/// - `stock.low` when total availability crosses from above the threshold to at or below
///   it (see [`low_stock_crossing`]); staying low does not repeat it;
/// - `stock.back_in_stock` when total availability goes from zero or less to more than
///   zero (see [`back_in_stock`]). It lists `subscribers`, which it empties: a
///   subscription is told once. It is emitted even when no one subscribed, so that
///   other listeners (a search index) learn the SKU can be bought again.
pub fn stock_events(
    policy: &StockPolicy,
    before: &[StockLevel],
    after: &[StockLevel],
    subscribers: &mut Vec<CustomerId>,
    now: DateTime<Utc>,
) -> Vec<EventRecord> {
    let sku = &policy.sku;
    let available_before = total_available(before);
    let available_after = total_available(after);

    let mut moved: Vec<&StockLevel> = after.iter().filter(|l| &l.sku == sku).collect();
    moved.sort_by_key(|level| level.location);
    let mut events: Vec<EventRecord> = moved
        .into_iter()
        .filter_map(|level| {
            let on_hand_before = before
                .iter()
                .find(|b| b.location == level.location && &b.sku == sku)
                .map_or(0, |b| b.on_hand);
            let change = StockChange {
                sku: sku.clone(),
                location: level.location,
                on_hand: level.on_hand,
                available: available_after,
            };
            match level.on_hand.cmp(&on_hand_before) {
                std::cmp::Ordering::Greater => Some(DomainEvent::StockIncreased(change)),
                std::cmp::Ordering::Less => Some(DomainEvent::StockDecreased(change)),
                std::cmp::Ordering::Equal => None,
            }
        })
        .map(|event| EventRecord::new(now, event))
        .collect();

    if let Some(threshold) = low_stock_crossing(policy, available_before, available_after) {
        events.push(EventRecord::new(
            now,
            DomainEvent::StockLow {
                sku: sku.clone(),
                available: available_after,
                threshold,
            },
        ));
    }
    if back_in_stock(available_before, available_after) {
        events.push(EventRecord::new(
            now,
            DomainEvent::BackInStock {
                sku: sku.clone(),
                available: available_after,
                subscribers: std::mem::take(subscribers),
            },
        ));
    }
    events
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::Sku;
    use crate::ids::LocationId;

    fn sku() -> Sku {
        Sku::parse("MUG-1").unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn level(location: u128, on_hand: i64, reserved: i64) -> StockLevel {
        StockLevel {
            sku: sku(),
            location: LocationId::from_u128(location),
            on_hand,
            reserved,
        }
    }

    fn policy(threshold: Option<u32>) -> StockPolicy {
        StockPolicy {
            low_stock_threshold: threshold,
            ..StockPolicy::strict(sku())
        }
    }

    fn names(events: &[EventRecord]) -> Vec<&'static str> {
        events.iter().map(|e| e.event.name()).collect()
    }

    #[test]
    fn on_hand_moves_emit_one_event_per_location() {
        let before = [level(1, 5, 0), level(2, 5, 0)];
        let after = [level(2, 7, 0), level(1, 4, 0), level(3, 1, 0)];
        let events = stock_events(&policy(None), &before, &after, &mut Vec::new(), now());
        assert_eq!(
            names(&events),
            ["stock.decreased", "stock.increased", "stock.increased"]
        );
        let DomainEvent::StockIncreased(change) = &events[1].event else {
            panic!("expected stock.increased");
        };
        assert_eq!(change.location, LocationId::from_u128(2));
        assert_eq!(change.on_hand, 7);
        assert_eq!(change.available, 12);
        assert!(events.iter().all(|e| e.occurred_at == now()));
    }

    #[test]
    fn reserving_changes_no_on_hand_and_emits_no_movement() {
        let events = stock_events(
            &policy(None),
            &[level(1, 5, 0)],
            &[level(1, 5, 3)],
            &mut Vec::new(),
            now(),
        );
        assert!(events.is_empty());
    }

    #[test]
    fn low_stock_fires_only_when_crossing_the_threshold() {
        let p = policy(Some(3));
        let crossing = stock_events(&p, &[level(1, 5, 0)], &[level(1, 5, 2)], &mut vec![], now());
        assert_eq!(names(&crossing), ["stock.low"]);
        assert!(matches!(
            crossing[0].event,
            DomainEvent::StockLow {
                available: 3,
                threshold: 3,
                ..
            }
        ));
        let staying = stock_events(&p, &[level(1, 5, 2)], &[level(1, 5, 4)], &mut vec![], now());
        assert!(staying.is_empty());
        let no_threshold = stock_events(
            &policy(None),
            &[level(1, 5, 0)],
            &[level(1, 5, 5)],
            &mut vec![],
            now(),
        );
        assert!(no_threshold.is_empty());
    }

    #[test]
    fn back_in_stock_consumes_the_subscribers() {
        let customer = CustomerId::from_u128(7);
        let mut subscribers = vec![customer];
        let events = stock_events(
            &policy(None),
            &[level(1, 2, 2)],
            &[level(1, 5, 2)],
            &mut subscribers,
            now(),
        );
        assert_eq!(names(&events), ["stock.increased", "stock.back_in_stock"]);
        assert_eq!(
            events[1].event,
            DomainEvent::BackInStock {
                sku: sku(),
                available: 3,
                subscribers: vec![customer],
            }
        );
        assert!(subscribers.is_empty());
    }

    #[test]
    fn subscribers_wait_while_the_sku_stays_sold_out() {
        let mut subscribers = vec![CustomerId::from_u128(7)];
        let events = stock_events(
            &policy(None),
            &[level(1, 0, 3)],
            &[level(1, 2, 3)],
            &mut subscribers,
            now(),
        );
        assert_eq!(names(&events), ["stock.increased"]);
        assert_eq!(subscribers.len(), 1);
    }

    proptest! {
        #[test]
        fn alerts_follow_the_availability_crossing(
            before in -20_i64..20,
            after in -20_i64..20,
            threshold in prop::option::of(0_u32..10),
        ) {
            let mut subscribers = vec![CustomerId::from_u128(1)];
            let events = stock_events(
                &policy(threshold),
                &[level(1, 20, 20 - before)],
                &[level(1, 20, 20 - after)],
                &mut subscribers,
                now(),
            );
            let low = events.iter().filter(|e| e.event.name() == "stock.low").count();
            let back = events.iter().filter(|e| e.event.name() == "stock.back_in_stock").count();
            let expect_low = threshold.is_some_and(|t| before > i64::from(t) && after <= i64::from(t));
            prop_assert_eq!(low, usize::from(expect_low));
            prop_assert_eq!(back, usize::from(before <= 0 && after > 0));
            prop_assert_eq!(subscribers.is_empty(), back == 1);
            prop_assert!(low + back <= 1);
            prop_assert_eq!(events.len(), low + back);
        }
    }
}
