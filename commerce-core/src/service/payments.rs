//! Use cases: paying for an order, and applying what the payment provider tells us.

use crate::error::{Entity, Error};
use crate::identity::{Actor, Principal};
use crate::ids::OrderId;
use crate::money::Money;
use crate::order::{Order, OrderStatus};
use crate::payment::{PaymentOutcome, PaymentRequest, PaymentStatus, ProviderPayment};

use super::Commerce;

/// The result of a payment attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentAttempt {
    /// The order after the attempt.
    pub order: Order,
    /// The provider's view (e.g. `RequiresAction` with a URL for the customer).
    pub status: PaymentStatus,
}

impl Commerce {
    /// Confirms the order's payment with a payment method (its customer only). A success
    /// pays the order; a decline cancels it, releases its stock and returns
    /// `PaymentDeclined`; a timeout returns a retryable error — calling again is safe and
    /// pays at most once, whatever the provider's webhooks did meanwhile.
    pub async fn pay(
        &self,
        actor: Principal,
        id: OrderId,
        payment_method: &str,
    ) -> Result<PaymentAttempt, Error> {
        let order = self.load_order(id).await?;
        actor.require_customer(order.customer, "pay for order")?;
        crate::text::line(
            "payment_method",
            payment_method,
            crate::text::MAX_LINE_CHARS,
        )?;
        let payment = self.open_payment(order).await?;
        let key = self.order_key(&self.load_order(id).await?, "confirm")?;
        match self
            .payments
            .confirm(&payment.reference, payment_method, &key)
            .await
        {
            Ok(payment) => {
                let order = match outcome_of(&payment) {
                    Some(outcome) => self.apply_payment(id, None, outcome).await?,
                    None => self.load_order(id).await?,
                };
                Ok(PaymentAttempt {
                    order,
                    status: payment.status,
                })
            }
            Err(Error::PaymentDeclined { code }) => {
                self.apply_payment(id, None, PaymentOutcome::Failed { code: code.clone() })
                    .await?;
                Err(Error::PaymentDeclined { code })
            }
            Err(e) => Err(e),
        }
    }

    /// Captures an authorised payment (admins only): all of it, or `amount`.
    pub async fn capture_payment(
        &self,
        actor: Principal,
        id: OrderId,
        amount: Option<Money>,
    ) -> Result<Order, Error> {
        actor.require_admin("capture payment")?;
        let order = self.load_order(id).await?;
        let Some(reference) = order.payment.reference.clone() else {
            return Err(Error::invalid("order", "has no payment to capture"));
        };
        let key = self.order_key(&order, "capture")?;
        let payment = self.payments.capture(&reference, amount, &key).await?;
        match outcome_of(&payment) {
            Some(outcome) => self.apply_payment(id, None, outcome).await,
            None => Ok(order),
        }
    }

    /// Verifies a provider webhook and applies it to its order, at most once per provider
    /// event id. Returns the order, or `None` for an event the core does not act on.
    /// Anything unsigned, stale or tampered with is `Unauthenticated` and changes nothing.
    pub async fn handle_payment_webhook(
        &self,
        payload: &[u8],
        signature: &str,
    ) -> Result<Option<Order>, Error> {
        let Some(notice) = self
            .payments
            .verify_webhook(payload, signature, self.now())?
        else {
            return Ok(None);
        };
        let order = match notice.order {
            Some(id) => self
                .stores
                .orders
                .order(id)
                .await?
                .ok_or_else(|| Error::not_found(Entity::Order, id))?,
            None => self
                .stores
                .orders
                .order_by_payment(&notice.payment)
                .await?
                .ok_or_else(|| Error::not_found(Entity::Payment, &notice.payment.0))?,
        };
        if order.payment.reference.as_ref() != Some(&notice.payment) {
            return Err(Error::Conflict(format!(
                "payment {} does not belong to order {}",
                notice.payment.0, order.number
            )));
        }
        self.apply_payment(order.id, Some(&notice.event_id), notice.outcome)
            .await
            .map(Some)
    }

    /// Applies a payment outcome to the order and does the provider-side follow-up (a
    /// refund of money captured for an order cancelled meanwhile).
    async fn apply_payment(
        &self,
        id: OrderId,
        notice: Option<&str>,
        outcome: PaymentOutcome,
    ) -> Result<Order, Error> {
        let now = self.now();
        let (order, settlement) = self
            .change_order(id, |order| order.apply_payment(notice, &outcome, now))
            .await?;
        self.settle(order, settlement, Actor::PaymentProvider).await
    }

    /// Opens the order's provider payment if it has none yet, and records it on the
    /// order. Safe to repeat: the provider call is keyed by the order.
    pub(super) async fn open_payment(&self, order: Order) -> Result<ProviderPayment, Error> {
        if let Some(reference) = &order.payment.reference {
            return self.payments.payment(reference).await;
        }
        if order.status != OrderStatus::PendingPayment {
            return Err(Error::InvalidTransition {
                from: order.status,
                to: OrderStatus::Paid,
            });
        }
        let payment = self
            .payments
            .create_payment(PaymentRequest {
                order: order.id,
                order_number: order.number.to_string(),
                amount: order.totals.total,
                capture: order.payment.capture,
                idempotency_key: self.order_key(&order, "payment")?,
            })
            .await?;
        let reference = payment.reference.clone();
        self.change_order(order.id, |order| {
            if order.payment.reference.is_some() {
                return Ok(None);
            }
            order.payment.reference = Some(reference.clone());
            Ok(Some(Default::default()))
        })
        .await?;
        Ok(payment)
    }
}

/// What a provider's answer means for the order, if anything yet.
fn outcome_of(payment: &ProviderPayment) -> Option<PaymentOutcome> {
    match &payment.status {
        PaymentStatus::Succeeded => Some(PaymentOutcome::Succeeded {
            captured: payment.captured,
        }),
        PaymentStatus::RequiresCapture => Some(PaymentOutcome::Authorized {
            amount: payment.authorized,
        }),
        PaymentStatus::Failed { code } => Some(PaymentOutcome::Failed { code: code.clone() }),
        PaymentStatus::Cancelled => Some(PaymentOutcome::Cancelled),
        PaymentStatus::RequiresConfirmation
        | PaymentStatus::RequiresAction { .. }
        | PaymentStatus::Processing => None,
    }
}
