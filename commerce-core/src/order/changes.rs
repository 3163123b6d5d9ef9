//! The changes an order goes through, as pure functions on [`Order`]. Each records its
//! transition in the history and says what must happen to stock and which events to
//! append; services store the result with a compare-and-swap on `version`.

use chrono::{DateTime, Utc};

use super::{FulfilmentStatus, HistoryEntry, Order, OrderStatus, Refund, Shortfall};
use crate::error::{Entity, Error};
use crate::events::{DomainEvent, EventRecord};
use crate::identity::Actor;
use crate::ids::{FulfilmentId, ShipmentId};
use crate::inventory::StockEffect;
use crate::money::Money;
use crate::payment::PaymentOutcome;
use crate::ports::OrderUpdate;
use crate::shipping::{Consignment, Shipment, TrackingEvent, TrackingStatus};

/// What a change requires besides the order itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// What happens to the order's reservation.
    pub stock: StockEffect,
    /// Events to append with the change.
    pub events: Vec<EventRecord>,
    /// Money the provider holds for an order that no longer wants it (captured for a
    /// cancelled order): refund it.
    pub refund_due: Option<Money>,
    /// An authorisation to void at the provider.
    pub void_due: bool,
}

impl Order {
    /// The one transition function: moves to `to` if the machine allows it and records
    /// the step in the history; otherwise [`Error::InvalidTransition`] and no change.
    pub fn transition(
        &mut self,
        to: OrderStatus,
        actor: Actor,
        reason: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let from = self.status;
        self.status = from.transition(to)?;
        self.history.push(HistoryEntry {
            at: now,
            actor,
            from: Some(from),
            to,
            reason: reason.into(),
        });
        Ok(())
    }

    /// Packages a changed copy of `before` for storage: bumps the version and names the
    /// version it was computed from.
    pub fn into_update(mut self, before: &Order, effects: Effects) -> OrderUpdate {
        self.version = before.version + 1;
        OrderUpdate {
            order: self,
            expected_version: before.version,
            stock: effects.stock,
            events: effects.events,
        }
    }

    /// Captured and not yet refunded.
    pub fn refundable(&self) -> Result<Money, Error> {
        self.payment.captured.checked_sub(self.payment.refunded)
    }

    /// Applies what the payment provider says happened. `notice` is the provider's event
    /// id for a webhook (applied at most once), `None` for a confirmation's own answer.
    /// Returns `None` when nothing changes (a duplicate, or news the order already has).
    ///
    /// A success pays a pending order exactly once (committing its stock) — but only when
    /// what was captured (or, under manual capture, authorised) covers the order's total:
    /// less is recorded on the payment, leaves the order unpaid and sets
    /// [`OrderPayment::shortfall`](super::OrderPayment::shortfall) with a
    /// `payment.underpaid` event for an admin. An amount in another currency is
    /// [`Error::CurrencyMismatch`] and changes nothing. A failure or a cancellation at the
    /// provider cancels a pending order (releasing its stock); news that arrives late — a
    /// failure after a success, a success after the order was cancelled — never moves the
    /// order back, and money captured for a cancelled order is flagged for refund.
    pub fn apply_payment(
        &mut self,
        notice: Option<&str>,
        outcome: &PaymentOutcome,
        now: DateTime<Utc>,
    ) -> Result<Option<Effects>, Error> {
        if let Some(id) = notice
            && self.payment.applied_notices.contains(id)
        {
            return Ok(None);
        }
        let before = self.clone();
        let mut effects = Effects::default();
        let actor = Actor::PaymentProvider;
        match outcome {
            PaymentOutcome::Succeeded { captured } => {
                self.same_currency(*captured)?;
                if captured.amount() > self.payment.captured.amount() {
                    self.payment.captured = *captured;
                    self.payment.authorized = Money::zero(self.currency);
                }
                match self.status {
                    OrderStatus::PendingPayment => {
                        let received = self.payment.captured;
                        self.pay_if_covered(received, "payment succeeded", now, &mut effects)?;
                    }
                    OrderStatus::Cancelled => {
                        let due = self.refundable()?;
                        effects.refund_due = (!due.is_zero() && !due.is_negative()).then_some(due);
                    }
                    _ => {}
                }
            }
            PaymentOutcome::Authorized { amount } => {
                self.same_currency(*amount)?;
                match self.status {
                    OrderStatus::PendingPayment => {
                        self.payment.authorized = *amount;
                        self.pay_if_covered(*amount, "payment authorised", now, &mut effects)?;
                    }
                    OrderStatus::Cancelled if self.payment.captured.is_zero() => {
                        effects.void_due = true;
                    }
                    _ => {}
                }
            }
            PaymentOutcome::Failed { code } => {
                self.payment.last_failure = Some(code.clone());
                if self.status == OrderStatus::PendingPayment {
                    let reason = format!("payment failed: {code}");
                    self.transition(OrderStatus::Cancelled, actor, reason.clone(), now)?;
                    effects.stock = StockEffect::Release;
                    effects.events.push(EventRecord::new(
                        now,
                        DomainEvent::PaymentFailed {
                            order: self.id,
                            code: code.clone(),
                        },
                    ));
                    effects.events.push(self.cancelled_event(reason, now));
                }
            }
            PaymentOutcome::Cancelled => {
                if self.status == OrderStatus::PendingPayment {
                    let reason = "payment cancelled at the provider".to_owned();
                    self.transition(OrderStatus::Cancelled, actor, reason.clone(), now)?;
                    effects.stock = StockEffect::Release;
                    effects.events.push(self.cancelled_event(reason, now));
                }
            }
            PaymentOutcome::Refunded { reference, amount } => {
                self.same_currency(*amount)?;
                let known = self
                    .payment
                    .refunds
                    .iter()
                    .any(|r| r.provider_reference.as_deref() == Some(reference.as_str()));
                if !known && amount.amount() > self.refundable()?.amount() {
                    // The capture it refunds has not reached us yet: deliver it again later.
                    return Err(Error::Unavailable(format!(
                        "refund {reference} arrived before its capture"
                    )));
                }
                let refund = Refund {
                    id: crate::ids::RefundId::random(),
                    amount: *amount,
                    reason: "refunded at the provider".into(),
                    provider_reference: Some(reference.clone()),
                    at: now,
                };
                effects
                    .events
                    .extend(self.record_refund(refund, actor, now)?.events);
            }
        }
        if let Some(id) = notice {
            self.payment.applied_notices.insert(id.to_owned());
        }
        if *self == before {
            return Ok(None);
        }
        Ok(Some(effects))
    }

    /// Pays a pending order when `received` covers its total (committing its stock);
    /// otherwise records the shortfall (once per amount) and leaves it unpaid.
    fn pay_if_covered(
        &mut self,
        received: Money,
        reason: &str,
        now: DateTime<Utc>,
        effects: &mut Effects,
    ) -> Result<(), Error> {
        let due = self.totals.total;
        if received.amount() >= due.amount() {
            self.payment.shortfall = None;
            self.transition(OrderStatus::Paid, Actor::PaymentProvider, reason, now)?;
            effects.stock = StockEffect::Commit;
            self.paid_events(received, now, effects);
            return Ok(());
        }
        if self.payment.shortfall.as_ref().map(|s| s.received) != Some(received) {
            self.payment.shortfall = Some(Shortfall {
                due,
                received,
                at: now,
            });
            effects.events.push(EventRecord::new(
                now,
                DomainEvent::PaymentUnderpaid {
                    order: self.id,
                    due,
                    received,
                },
            ));
        }
        Ok(())
    }

    /// Records a refund the provider made. It may not exceed what was captured and not yet
    /// refunded (`InvalidInput` on `amount`); a refund whose id or provider reference is
    /// already recorded changes nothing. A paid order (shipped or not, delivered,
    /// completed or returned) becomes `refunded` when everything captured has gone back,
    /// `partially_refunded` before that, with a history entry and an
    /// `order.status_changed` event; a full refund of an order none of whose parcels left
    /// puts its stock back. A cancelled order only records the refund.
    pub fn record_refund(
        &mut self,
        refund: Refund,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Effects, Error> {
        self.same_currency(refund.amount)?;
        let recorded = self.payment.refunds.iter().any(|r| {
            r.id == refund.id
                || (refund.provider_reference.is_some()
                    && r.provider_reference == refund.provider_reference)
        });
        if recorded {
            return Ok(Effects::default());
        }
        if refund.amount.is_zero() || refund.amount.is_negative() {
            return Err(Error::invalid("amount", "a refund must be more than zero"));
        }
        let refundable = self.refundable()?;
        if refund.amount.amount() > refundable.amount() {
            return Err(Error::invalid(
                "amount",
                format!("exceeds the {refundable} captured and not yet refunded"),
            ));
        }
        self.payment.refunded = self.payment.refunded.checked_add(refund.amount)?;
        let mut effects = Effects::default();
        effects.events.push(EventRecord::new(
            now,
            DomainEvent::PaymentRefunded {
                order: self.id,
                refund: refund.id,
                amount: refund.amount,
            },
        ));
        let fully = self.payment.refunded == self.payment.captured;
        let target = if fully {
            OrderStatus::Refunded
        } else {
            OrderStatus::PartiallyRefunded
        };
        if self.status.allows(target) {
            let from = self.status;
            let reason = format!("refunded {}: {}", refund.amount, refund.reason);
            self.transition(target, actor, reason, now)?;
            effects.events.push(self.status_event(from, now));
            // Paid or processing: no parcel has left, so the stock is still here.
            if fully && matches!(from, OrderStatus::Paid | OrderStatus::Processing) {
                effects.stock = StockEffect::Restock;
            }
        }
        self.payment.refunds.push(refund);
        Ok(effects)
    }

    /// Cancels the order. Before payment the reservation is released (and an open
    /// provider payment should be cancelled); after payment, before shipping, the stock is
    /// restocked and everything captured is due for refund. Later states cannot be
    /// cancelled.
    pub fn cancel(
        &mut self,
        actor: Actor,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Effects, Error> {
        let from = self.status;
        self.transition(OrderStatus::Cancelled, actor, reason, now)?;
        let mut effects = Effects::default();
        if from == OrderStatus::PendingPayment {
            effects.stock = StockEffect::Release;
            // A payment that took less than the total (see `apply_payment`) goes back.
            let due = self.refundable()?;
            effects.refund_due = (!due.is_zero() && !due.is_negative()).then_some(due);
            effects.void_due = self.payment.reference.is_some() && self.payment.captured.is_zero();
        } else {
            effects.stock = StockEffect::Restock;
            let due = self.refundable()?;
            effects.refund_due = (!due.is_zero()).then_some(due);
            effects.void_due = !self.payment.authorized.is_zero();
        }
        effects
            .events
            .push(self.cancelled_event(reason.to_owned(), now));
        Ok(effects)
    }

    /// Hands one shop's part to a carrier. The order must be paid and not yet fully
    /// shipped, and the fulfilment not shipped yet; the order becomes shipped when every
    /// fulfilment is, partially shipped before that. A partially refunded order still
    /// ships what it has left; it stays partially refunded.
    pub fn ship(
        &mut self,
        fulfilment: FulfilmentId,
        shipment: ShipmentId,
        consignment: &Consignment,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Effects, Error> {
        if !matches!(
            self.status,
            OrderStatus::Paid
                | OrderStatus::Processing
                | OrderStatus::PartiallyShipped
                | OrderStatus::PartiallyRefunded
        ) {
            return Err(Error::InvalidTransition {
                from: self.status,
                to: OrderStatus::Shipped,
            });
        }
        let order = self.id;
        let part = self
            .fulfilments
            .iter_mut()
            .find(|f| f.id == fulfilment)
            .ok_or_else(|| Error::not_found(Entity::Fulfilment, fulfilment))?;
        if part.status != FulfilmentStatus::Pending {
            return Err(Error::Conflict(format!(
                "fulfilment {fulfilment} already shipped"
            )));
        }
        part.status = FulfilmentStatus::Shipped;
        part.shipments.push(Shipment {
            id: shipment,
            carrier: consignment.carrier().to_owned(),
            tracking_number: consignment.tracking_number().to_owned(),
            status: TrackingStatus::LabelCreated,
            events: vec![TrackingEvent {
                at: now,
                status: TrackingStatus::LabelCreated,
                detail: "handed to carrier".into(),
            }],
        });
        let all_shipped = self
            .fulfilments
            .iter()
            .all(|f| f.status != FulfilmentStatus::Pending);
        let to = if all_shipped {
            OrderStatus::Shipped
        } else {
            OrderStatus::PartiallyShipped
        };
        if to != self.status && self.status != OrderStatus::PartiallyRefunded {
            let reason = format!(
                "shipped with {} {}",
                consignment.carrier(),
                consignment.tracking_number()
            );
            self.transition(to, actor, reason, now)?;
        }
        Ok(Effects {
            events: vec![EventRecord::new(
                now,
                DomainEvent::OrderShipped {
                    order,
                    fulfilment,
                    shipment,
                    carrier: consignment.carrier().to_owned(),
                    tracking_number: consignment.tracking_number().to_owned(),
                },
            )],
            ..Effects::default()
        })
    }

    /// Records a tracking update for a parcel. When every parcel of every fulfilment has
    /// arrived, the order becomes delivered.
    pub fn track(
        &mut self,
        shipment: ShipmentId,
        update: TrackingEvent,
        now: DateTime<Utc>,
    ) -> Result<Effects, Error> {
        let order = self.id;
        let status = update.status;
        let (part, parcel) = self
            .fulfilments
            .iter_mut()
            .find_map(|f| {
                let i = f.shipments.iter().position(|s| s.id == shipment)?;
                Some((f, i))
            })
            .ok_or_else(|| Error::not_found(Entity::Shipment, shipment))?;
        part.shipments[parcel].status = status;
        part.shipments[parcel].events.push(update);
        if part.shipments.iter().all(|s| s.status.is_delivered()) {
            part.status = FulfilmentStatus::Delivered;
        }
        let mut effects = Effects::default();
        effects.events.push(EventRecord::new(
            now,
            DomainEvent::ShipmentUpdated {
                order,
                shipment,
                status,
            },
        ));
        let all_delivered = self
            .fulfilments
            .iter()
            .all(|f| f.status == FulfilmentStatus::Delivered);
        if all_delivered && self.status == OrderStatus::Shipped {
            self.transition(
                OrderStatus::Delivered,
                Actor::Carrier,
                "all parcels delivered",
                now,
            )?;
            effects
                .events
                .push(EventRecord::new(now, DomainEvent::OrderDelivered { order }));
        }
        Ok(effects)
    }

    /// A transition with no side effects of its own (processing, completed), or a return
    /// (which restocks).
    pub fn advance(
        &mut self,
        to: OrderStatus,
        actor: Actor,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Effects, Error> {
        let from = self.status;
        let allowed = matches!(
            to,
            OrderStatus::Processing | OrderStatus::Completed | OrderStatus::Returned
        );
        if !allowed {
            return Err(Error::InvalidTransition { from, to });
        }
        self.transition(to, actor, reason, now)?;
        Ok(Effects {
            stock: if to == OrderStatus::Returned {
                StockEffect::Restock
            } else {
                StockEffect::None
            },
            events: vec![self.status_event(from, now)],
            ..Effects::default()
        })
    }

    fn same_currency(&self, amount: Money) -> Result<(), Error> {
        if amount.currency() == self.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: amount.currency(),
            })
        }
    }

    fn paid_events(&self, amount: Money, now: DateTime<Utc>, effects: &mut Effects) {
        effects.events.push(EventRecord::new(
            now,
            DomainEvent::PaymentSucceeded {
                order: self.id,
                amount,
            },
        ));
        effects.events.push(EventRecord::new(
            now,
            DomainEvent::OrderPaid {
                order: self.id,
                amount,
            },
        ));
    }

    fn cancelled_event(&self, reason: String, now: DateTime<Utc>) -> EventRecord {
        EventRecord::new(
            now,
            DomainEvent::OrderCancelled {
                order: self.id,
                reason,
            },
        )
    }

    fn status_event(&self, from: OrderStatus, now: DateTime<Utc>) -> EventRecord {
        EventRecord::new(
            now,
            DomainEvent::OrderStatusChanged {
                order: self.id,
                from,
                to: self.status,
            },
        )
    }
}
