//! A scriptable in-memory payment provider.
//!
//! It behaves like a real provider in the ways that matter to the engine: idempotency
//! keys replay the first answer, confirmations can be declined, fail, time out (after the
//! money moved — the nasty case) or require customer action, and every state change also
//! produces a signed webhook that tests deliver whenever — and as often — they like.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::lock;
use crate::error::{Entity, Error};
use crate::ids::OrderId;
use crate::money::Money;
use crate::payment::{
    CaptureMode, IdempotencyKey, PaymentNotice, PaymentOutcome, PaymentRef, PaymentRequest,
    PaymentStatus, ProviderPayment, ProviderRefund, signed_recently,
};
use crate::ports::{Clock, PaymentProvider};

/// What the provider does with the next confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Script {
    /// Approve (and capture, under automatic capture).
    Approve,
    /// Decline with this code.
    Decline(String),
    /// Fail with a non-retryable provider error; nothing happens at the provider.
    Fail,
    /// Approve, then lose the answer: the caller sees a retryable timeout although the
    /// money moved. A retry with the same key gets the real answer.
    TimeOut,
    /// Ask for customer action (3-D Secure); [`MemoryPayments::complete_action`] finishes
    /// it.
    RequireAction,
    /// Approve only this much (a card with a partial approval): captured, or authorised
    /// under manual capture; the engine must not take it for the whole total.
    ApprovePartially(Money),
}

/// A signed webhook as the provider would POST it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// The body.
    pub payload: Vec<u8>,
    /// The signature header (`t=<unix seconds>,v1=<hex HMAC-SHA256>`).
    pub signature: String,
}

#[derive(Serialize, Deserialize)]
struct WireEvent {
    id: String,
    payment: PaymentRef,
    order: OrderId,
    outcome: PaymentOutcome,
}

#[derive(Debug)]
struct Payment {
    order: OrderId,
    amount: Money,
    authorized: Money,
    capture: CaptureMode,
    status: PaymentStatus,
    captured: Money,
    refunded: Money,
}

#[derive(Debug, Default)]
struct State {
    payments: HashMap<PaymentRef, Payment>,
    replies: HashMap<(&'static str, IdempotencyKey), Result<ProviderPayment, Error>>,
    refunds: HashMap<IdempotencyKey, ProviderRefund>,
    script: VecDeque<Script>,
    outgoing: Vec<Webhook>,
    counter: u64,
    captures: u64,
}

/// A payment provider in memory: approves unless scripted otherwise.
pub struct MemoryPayments {
    state: Mutex<State>,
    secret: Vec<u8>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryPayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryPayments").finish_non_exhaustive()
    }
}

impl MemoryPayments {
    /// A provider that approves everything, signing webhooks with `secret` and stamping
    /// them with `clock`'s time.
    pub fn new(secret: &str, clock: Arc<dyn Clock>) -> Self {
        MemoryPayments {
            state: Mutex::new(State::default()),
            secret: secret.as_bytes().to_vec(),
            clock,
        }
    }

    /// Queues what the next confirmations do, in order; afterwards it approves again.
    pub fn script(&self, steps: impl IntoIterator<Item = Script>) -> Result<(), Error> {
        lock(&self.state)?.script.extend(steps);
        Ok(())
    }

    /// Takes every webhook produced so far, oldest first.
    pub fn take_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        Ok(std::mem::take(&mut lock(&self.state)?.outgoing))
    }

    /// How many times money was captured, across all payments.
    pub fn capture_count(&self) -> Result<u64, Error> {
        Ok(lock(&self.state)?.captures)
    }

    /// Total refunded for a payment.
    pub fn refunded(&self, payment: &PaymentRef) -> Result<Money, Error> {
        let state = lock(&self.state)?;
        let found = state
            .payments
            .get(payment)
            .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0))?;
        Ok(found.refunded)
    }

    /// The customer finished the action a payment required: it is approved now.
    pub fn complete_action(&self, payment: &PaymentRef) -> Result<ProviderPayment, Error> {
        let mut state = lock(&self.state)?;
        self.approve(&mut state, payment)
    }

    /// A webhook saying `outcome` happened to `payment`, signed now, without changing
    /// anything at the provider: what a faulty provider, or anyone holding the secret,
    /// could send. For tests of what the engine accepts.
    pub fn webhook_for(
        &self,
        payment: &PaymentRef,
        outcome: PaymentOutcome,
    ) -> Result<Webhook, Error> {
        let mut state = lock(&self.state)?;
        self.signed(&mut state, payment, outcome)
    }

    /// A new event about `payment`, signed now.
    fn signed(
        &self,
        state: &mut State,
        payment: &PaymentRef,
        outcome: PaymentOutcome,
    ) -> Result<Webhook, Error> {
        let order = state
            .payments
            .get(payment)
            .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0))?
            .order;
        state.counter += 1;
        let event = WireEvent {
            id: format!("evt_mem_{}", state.counter),
            payment: payment.clone(),
            order,
            outcome,
        };
        let payload = serde_json::to_vec(&event)
            .map_err(|e| Error::invalid("webhook", format!("unwritable event: {e}")))?;
        let signature = self.sign(&payload, self.clock.now())?;
        Ok(Webhook { payload, signature })
    }

    /// Signs a payload the way this provider does, at `at` (for tests of tampering and
    /// staleness).
    pub fn sign(&self, payload: &[u8], at: DateTime<Utc>) -> Result<String, Error> {
        let timestamp = at.timestamp();
        Ok(format!(
            "t={timestamp},v1={}",
            hex::encode(self.mac(timestamp, payload)?)
        ))
    }

    fn mac(&self, timestamp: i64, payload: &[u8]) -> Result<Vec<u8>, Error> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|_| Error::invalid("webhook_secret", "unusable key"))?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        Ok(mac.finalize().into_bytes().to_vec())
    }

    fn emit(&self, state: &mut State, payment: &PaymentRef, outcome: PaymentOutcome) {
        if let Ok(webhook) = self.signed(state, payment, outcome) {
            state.outgoing.push(webhook);
        }
    }

    fn view(reference: &PaymentRef, payment: &Payment) -> ProviderPayment {
        ProviderPayment {
            reference: reference.clone(),
            status: payment.status.clone(),
            amount: payment.amount,
            authorized: payment.authorized,
            captured: payment.captured,
            client_secret: Some(format!("{}_secret", reference.0)),
        }
    }

    fn approve(&self, state: &mut State, reference: &PaymentRef) -> Result<ProviderPayment, Error> {
        self.approve_up_to(state, reference, None)
    }

    /// Approves the payment for its whole amount, or for `partial` of it.
    fn approve_up_to(
        &self,
        state: &mut State,
        reference: &PaymentRef,
        partial: Option<Money>,
    ) -> Result<ProviderPayment, Error> {
        let payment = state
            .payments
            .get_mut(reference)
            .ok_or_else(|| Error::not_found(Entity::Payment, &reference.0))?;
        let approved = partial.unwrap_or(payment.amount);
        let outcome = match payment.capture {
            CaptureMode::Automatic => {
                payment.status = PaymentStatus::Succeeded;
                payment.captured = approved;
                PaymentOutcome::Succeeded { captured: approved }
            }
            CaptureMode::Manual => {
                payment.status = PaymentStatus::RequiresCapture;
                payment.authorized = approved;
                PaymentOutcome::Authorized { amount: approved }
            }
        };
        let view = Self::view(reference, payment);
        if matches!(outcome, PaymentOutcome::Succeeded { .. }) {
            state.captures += 1;
        }
        self.emit(state, reference, outcome);
        Ok(view)
    }

    fn confirm_now(
        &self,
        state: &mut State,
        reference: &PaymentRef,
        method: &str,
    ) -> Result<ProviderPayment, Error> {
        let payment = state
            .payments
            .get(reference)
            .ok_or_else(|| Error::not_found(Entity::Payment, &reference.0))?;
        match payment.status {
            PaymentStatus::RequiresConfirmation | PaymentStatus::Failed { .. } => {}
            _ => return Ok(Self::view(reference, payment)),
        }
        let step = match method {
            "pm_card_declined" => Script::Decline("card_declined".into()),
            "pm_card_insufficient_funds" => Script::Decline("insufficient_funds".into()),
            _ => state.script.pop_front().unwrap_or(Script::Approve),
        };
        match step {
            Script::Approve => self.approve(state, reference),
            Script::ApprovePartially(amount) => self.approve_up_to(state, reference, Some(amount)),
            Script::TimeOut => {
                self.approve(state, reference)?;
                Err(Error::Provider {
                    retryable: true,
                    message: "timed out waiting for the provider".into(),
                })
            }
            Script::Fail => Err(Error::Provider {
                retryable: false,
                message: "the provider refused the request".into(),
            }),
            Script::Decline(code) => {
                if let Some(payment) = state.payments.get_mut(reference) {
                    payment.status = PaymentStatus::Failed { code: code.clone() };
                }
                self.emit(
                    state,
                    reference,
                    PaymentOutcome::Failed { code: code.clone() },
                );
                Err(Error::PaymentDeclined { code })
            }
            Script::RequireAction => {
                let payment = state
                    .payments
                    .get_mut(reference)
                    .ok_or_else(|| Error::not_found(Entity::Payment, &reference.0))?;
                payment.status = PaymentStatus::RequiresAction {
                    url: Some(format!("https://pay.example/3ds/{}", reference.0)),
                };
                Ok(Self::view(reference, payment))
            }
        }
    }
}

/// Replays the first answer for a key; otherwise runs `op` and remembers its answer
/// (including errors that say what happened at the provider, but not "try again" ones,
/// which a retry must be able to get past).
fn replay(
    state: &mut State,
    op: &'static str,
    key: &IdempotencyKey,
    run: impl FnOnce(&mut State) -> Result<ProviderPayment, Error>,
) -> Result<ProviderPayment, Error> {
    if let Some(reply) = state.replies.get(&(op, key.clone())) {
        return reply.clone();
    }
    let reply = run(state);
    let remember = match &reply {
        Ok(_) | Err(Error::PaymentDeclined { .. }) => true,
        Err(_) => false,
    };
    if remember {
        state.replies.insert((op, key.clone()), reply.clone());
    }
    reply
}

#[async_trait]
impl PaymentProvider for MemoryPayments {
    async fn create_payment(&self, request: PaymentRequest) -> Result<ProviderPayment, Error> {
        let mut state = lock(&self.state)?;
        replay(&mut state, "create", &request.idempotency_key, |state| {
            if request.amount.is_negative() || request.amount.is_zero() {
                return Err(Error::invalid("amount", "must be more than zero"));
            }
            request.amount.to_minor_units()?;
            state.counter += 1;
            let reference = PaymentRef(format!("pi_mem_{}", state.counter));
            let payment = Payment {
                order: request.order,
                amount: request.amount,
                authorized: Money::zero(request.amount.currency()),
                capture: request.capture,
                status: PaymentStatus::RequiresConfirmation,
                captured: Money::zero(request.amount.currency()),
                refunded: Money::zero(request.amount.currency()),
            };
            let view = Self::view(&reference, &payment);
            state.payments.insert(reference, payment);
            Ok(view)
        })
    }

    async fn confirm(
        &self,
        payment: &PaymentRef,
        payment_method: &str,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        let mut state = lock(&self.state)?;
        if let Some(reply) = state.replies.get(&("confirm", key.clone())) {
            return reply.clone();
        }
        let reply = self.confirm_now(&mut state, payment, payment_method);
        // A timeout is "try again"; the retry sees what really happened.
        let answer = match &reply {
            Err(Error::Provider {
                retryable: true, ..
            }) => state
                .payments
                .get(payment)
                .map(|p| Self::view(payment, p))
                .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0)),
            other => other.clone(),
        };
        if !matches!(
            reply,
            Err(Error::Provider {
                retryable: false,
                ..
            })
        ) {
            state.replies.insert(("confirm", key.clone()), answer);
        }
        reply
    }

    async fn capture(
        &self,
        payment: &PaymentRef,
        amount: Option<Money>,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        let mut state = lock(&self.state)?;
        replay(&mut state, "capture", key, |state| {
            let found = state
                .payments
                .get_mut(payment)
                .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0))?;
            if found.status != PaymentStatus::RequiresCapture {
                return Err(Error::Conflict(format!(
                    "payment {} cannot be captured",
                    payment.0
                )));
            }
            let amount = amount.unwrap_or(found.authorized);
            if amount.currency() != found.authorized.currency()
                || amount.is_zero()
                || amount.is_negative()
                || amount.amount() > found.authorized.amount()
            {
                return Err(Error::invalid(
                    "amount",
                    "must be between zero and the authorised amount",
                ));
            }
            found.status = PaymentStatus::Succeeded;
            found.captured = amount;
            found.authorized = Money::zero(amount.currency());
            let view = Self::view(payment, found);
            state.captures += 1;
            self.emit(
                state,
                payment,
                PaymentOutcome::Succeeded { captured: amount },
            );
            Ok(view)
        })
    }

    async fn cancel(
        &self,
        payment: &PaymentRef,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        let mut state = lock(&self.state)?;
        replay(&mut state, "cancel", key, |state| {
            let found = state
                .payments
                .get_mut(payment)
                .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0))?;
            match found.status {
                PaymentStatus::Succeeded => {
                    return Err(Error::Conflict(format!(
                        "payment {} was captured",
                        payment.0
                    )));
                }
                PaymentStatus::Cancelled => return Ok(Self::view(payment, found)),
                _ => found.status = PaymentStatus::Cancelled,
            }
            let view = Self::view(payment, found);
            self.emit(state, payment, PaymentOutcome::Cancelled);
            Ok(view)
        })
    }

    async fn refund(
        &self,
        payment: &PaymentRef,
        amount: Money,
        key: &IdempotencyKey,
    ) -> Result<ProviderRefund, Error> {
        let mut state = lock(&self.state)?;
        if let Some(refund) = state.refunds.get(key) {
            return Ok(refund.clone());
        }
        let found = state
            .payments
            .get_mut(payment)
            .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0))?;
        let left = found.captured.checked_sub(found.refunded)?;
        if amount.currency() != left.currency()
            || amount.is_zero()
            || amount.is_negative()
            || amount.amount() > left.amount()
        {
            return Err(Error::invalid(
                "amount",
                format!("must be more than zero and at most {left}"),
            ));
        }
        found.refunded = found.refunded.checked_add(amount)?;
        state.counter += 1;
        let refund = ProviderRefund {
            reference: format!("re_mem_{}", state.counter),
            amount,
        };
        state.refunds.insert(key.clone(), refund.clone());
        let outcome = PaymentOutcome::Refunded {
            reference: refund.reference.clone(),
            amount,
        };
        self.emit(&mut state, payment, outcome);
        Ok(refund)
    }

    async fn payment(&self, payment: &PaymentRef) -> Result<ProviderPayment, Error> {
        let state = lock(&self.state)?;
        state
            .payments
            .get(payment)
            .map(|p| Self::view(payment, p))
            .ok_or_else(|| Error::not_found(Entity::Payment, &payment.0))
    }

    fn verify_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PaymentNotice>, Error> {
        let refuse = |why: &'static str| Error::Unauthenticated(why);
        let mut timestamp = None;
        let mut given = None;
        for part in signature.split(',') {
            match part.trim().split_once('=') {
                Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
                Some(("v1", v)) => given = hex::decode(v).ok(),
                _ => {}
            }
        }
        let (Some(timestamp), Some(given)) = (timestamp, given) else {
            return Err(refuse("webhook signature missing or malformed"));
        };
        if !signed_recently(timestamp, now) {
            return Err(refuse("webhook signature too old"));
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|_| Error::invalid("webhook_secret", "unusable key"))?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.verify_slice(&given)
            .map_err(|_| refuse("webhook signature does not match"))?;
        let event: WireEvent = serde_json::from_slice(payload)
            .map_err(|e| Error::invalid("webhook", format!("unreadable payload: {e}")))?;
        Ok(Some(PaymentNotice {
            event_id: event.id,
            payment: event.payment,
            order: Some(event.order),
            outcome: event.outcome,
        }))
    }
}
