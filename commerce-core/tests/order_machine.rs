//! The order state machine under random sequences of operations: it never leaves the
//! machine, every transition is in the history, a refused operation changes nothing, and
//! refunds never exceed what was captured.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Duration;
use commerce_core::identity::Actor;
use commerce_core::order::{Order, OrderStatus, Refund};
use commerce_core::payment::PaymentOutcome;
use commerce_core::shipping::{Consignment, TrackingEvent, TrackingStatus};
use commerce_core::{CustomerId, Error, Money, RefundId, ShipmentId};
use commerce_testkit::fixtures::now;
use commerce_testkit::orders::{place, two_shops};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Succeed,
    Authorize,
    Fail,
    ProviderCancel,
    Cancel,
    Ship(usize),
    Deliver(usize),
    Refund(u32),
    Advance(usize),
    Jump(usize),
    Replay,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Succeed),
        Just(Op::Authorize),
        Just(Op::Fail),
        Just(Op::ProviderCancel),
        Just(Op::Cancel),
        (0..3usize).prop_map(Op::Ship),
        (0..3usize).prop_map(Op::Deliver),
        (1..4000u32).prop_map(Op::Refund),
        (0..3usize).prop_map(Op::Advance),
        (0..OrderStatus::ALL.len()).prop_map(Op::Jump),
        Just(Op::Replay),
    ]
}

fn fresh_order() -> Order {
    let (mut store, mug, tee) = two_shops();
    place(
        &mut store,
        CustomerId::from_u128(1),
        &[(mug, 2), (tee, 1)],
        "k",
        1,
        now(),
    )
    .order
}

fn cents(order: &Order, n: u32) -> Money {
    Money::from_minor_units(i64::from(n), order.currency)
}

/// Applies one operation; `Ok(())` also when the operation was a no-op.
fn apply(order: &mut Order, op: &Op, step: usize) -> Result<(), Error> {
    let now = now() + Duration::minutes(step as i64);
    let total = order.totals.total;
    let notice = format!("evt_{step}");
    match op {
        Op::Succeed => order
            .apply_payment(
                Some(&notice),
                &PaymentOutcome::Succeeded { captured: total },
                now,
            )
            .map(drop),
        Op::Authorize => order
            .apply_payment(None, &PaymentOutcome::Authorized { amount: total }, now)
            .map(drop),
        Op::Fail => order
            .apply_payment(
                Some(&notice),
                &PaymentOutcome::Failed {
                    code: "card_declined".into(),
                },
                now,
            )
            .map(drop),
        Op::ProviderCancel => order
            .apply_payment(Some(&notice), &PaymentOutcome::Cancelled, now)
            .map(drop),
        Op::Cancel => order.cancel(Actor::System, "test", now).map(drop),
        Op::Ship(i) => {
            let Some(fulfilment) = order.fulfilments.get(*i).map(|f| f.id) else {
                return Ok(());
            };
            let consignment = Consignment::parse("DHL", &format!("TRACK{step}")).unwrap();
            order
                .ship(
                    fulfilment,
                    ShipmentId::random(),
                    &consignment,
                    Actor::System,
                    now,
                )
                .map(drop)
        }
        Op::Deliver(i) => {
            let Some(shipment) = order
                .fulfilments
                .get(*i)
                .and_then(|f| f.shipments.first())
                .map(|s| s.id)
            else {
                return Ok(());
            };
            let update = TrackingEvent {
                at: now,
                status: TrackingStatus::Delivered,
                detail: String::new(),
            };
            order.track(shipment, update, now).map(drop)
        }
        Op::Refund(n) => {
            let refund = Refund {
                id: RefundId::random(),
                amount: cents(order, *n),
                reason: "test".into(),
                provider_reference: Some(format!("re_{step}")),
                at: now,
            };
            order.record_refund(refund, Actor::System, now).map(drop)
        }
        Op::Advance(i) => {
            let to = [
                OrderStatus::Processing,
                OrderStatus::Completed,
                OrderStatus::Returned,
            ][*i];
            order.advance(to, Actor::System, "test", now).map(drop)
        }
        Op::Jump(i) => order.transition(OrderStatus::ALL[*i], Actor::System, "jump", now),
        Op::Replay => {
            // The first success notice again: must change nothing once applied.
            order
                .apply_payment(
                    Some("evt_first"),
                    &PaymentOutcome::Succeeded { captured: total },
                    now,
                )
                .map(drop)
        }
    }
}

fn check_history(order: &Order) {
    let first = order.history.first().expect("created entry");
    assert_eq!(first.from, None);
    assert_eq!(first.to, OrderStatus::PendingPayment);
    for pair in order.history.windows(2) {
        let (before, entry) = (&pair[0], &pair[1]);
        let from = entry
            .from
            .expect("every later entry names where it came from");
        assert_eq!(from, before.to, "history is a chain");
        assert!(
            from.allows(entry.to),
            "{from} -> {} is not in the machine",
            entry.to
        );
    }
    assert_eq!(order.history.last().map(|h| h.to), Some(order.status));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_operations_stay_inside_the_machine(ops in proptest::collection::vec(op(), 1..40)) {
        let mut order = fresh_order();
        for (step, op) in ops.iter().enumerate() {
            let before = order.clone();
            match apply(&mut order, op, step) {
                Ok(()) => {}
                Err(_) => prop_assert_eq!(&order, &before, "a refused {:?} changed the order", op),
            }
            check_history(&order);
            prop_assert!(order.payment.refunded.amount() <= order.payment.captured.amount());
            if order.status != before.status {
                prop_assert!(order.history.len() > before.history.len(), "{:?} moved the order without a history entry", op);
            }
            if matches!(order.status, OrderStatus::Shipped | OrderStatus::Delivered) {
                prop_assert!(order.fulfilments.iter().all(|f| !f.shipments.is_empty()) || order.history.iter().any(|h| h.reason == "jump"));
            }
        }
    }
}

#[test]
fn every_illegal_transition_names_both_states() {
    for from in OrderStatus::ALL {
        for to in OrderStatus::ALL {
            let mut order = fresh_order();
            order.status = from;
            let result = order.transition(to, Actor::System, "x", now());
            if from.allows(to) {
                assert!(result.is_ok());
            } else {
                assert_eq!(result, Err(Error::InvalidTransition { from, to }));
                let message = Error::InvalidTransition { from, to }.to_string();
                assert!(message.contains(from.as_str()) && message.contains(to.as_str()));
            }
        }
    }
}

#[test]
fn terminal_states_are_cancelled_and_refunded() {
    let terminal: Vec<_> = OrderStatus::ALL
        .into_iter()
        .filter(|s| s.is_terminal())
        .collect();
    assert_eq!(
        terminal,
        vec![OrderStatus::Cancelled, OrderStatus::Refunded]
    );
}

#[test]
fn a_success_after_cancellation_flags_the_money_for_refund() {
    let mut order = fresh_order();
    order.cancel(Actor::System, "expired", now()).unwrap();
    let total = order.totals.total;
    let effects = order
        .apply_payment(
            Some("evt_late"),
            &PaymentOutcome::Succeeded { captured: total },
            now(),
        )
        .unwrap()
        .expect("records the capture");
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(effects.refund_due, Some(total));
}

#[test]
fn a_failure_after_success_does_not_unpay_the_order() {
    let mut order = fresh_order();
    let total = order.totals.total;
    order
        .apply_payment(
            Some("evt_1"),
            &PaymentOutcome::Succeeded { captured: total },
            now(),
        )
        .unwrap();
    order
        .apply_payment(
            Some("evt_0"),
            &PaymentOutcome::Failed {
                code: "card_declined".into(),
            },
            now(),
        )
        .unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.payment.captured, total);
}
