//! The payment provider port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::money::Money;
use crate::payment::{
    IdempotencyKey, PaymentNotice, PaymentRef, PaymentRequest, ProviderPayment, ProviderRefund,
};

/// A payment service provider (Stripe, or the in-memory one).
///
/// Every mutating call takes an idempotency key: repeating a call with the same key must
/// not move money twice. Errors: a decline is [`Error::PaymentDeclined`] with the decline
/// code; timeouts, rate limits and provider outages are [`Error::Provider`] with
/// `retryable: true`; nothing provider-specific leaks through.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Opens a payment for an order.
    async fn create_payment(&self, request: PaymentRequest) -> Result<ProviderPayment, Error>;

    /// Confirms a payment with a payment method (a provider token such as
    /// `pm_card_visa`). Returns the payment's new state: succeeded, requires capture,
    /// requires action, processing; a decline is `Err(PaymentDeclined)`.
    async fn confirm(
        &self,
        payment: &PaymentRef,
        payment_method: &str,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error>;

    /// Captures an authorised payment, all of it (`None`) or part.
    async fn capture(
        &self,
        payment: &PaymentRef,
        amount: Option<Money>,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error>;

    /// Cancels a payment that was not captured.
    async fn cancel(
        &self,
        payment: &PaymentRef,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error>;

    /// Refunds part or all of what was captured.
    async fn refund(
        &self,
        payment: &PaymentRef,
        amount: Money,
        key: &IdempotencyKey,
    ) -> Result<ProviderRefund, Error>;

    /// The payment's current state at the provider.
    async fn payment(&self, payment: &PaymentRef) -> Result<ProviderPayment, Error>;

    /// Verifies a webhook's signature (with its timestamp checked against `now`) and
    /// turns it into a notice. `Ok(None)` for a genuine event the core does not act on;
    /// `Unauthenticated` for anything unsigned, stale or tampered with.
    fn verify_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PaymentNotice>, Error>;
}
