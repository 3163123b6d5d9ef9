//! The payment port on Stripe's PaymentIntents and Refunds.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::payment::{
    CaptureMode, IdempotencyKey, PaymentNotice, PaymentRef, PaymentRequest, ProviderPayment,
    ProviderRefund,
};
use commerce_core::ports::PaymentProvider;
use commerce_core::{Error, Money};
use secrecy::{ExposeSecret, SecretString};
use stripe::{Client, ClientBuilder, RequestStrategy, StripeError, StripeRequest};
use stripe_core::payment_intent::{
    CancelPaymentIntent, CapturePaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent,
    ListPaymentIntent, RetrievePaymentIntent, UpdatePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::{PaymentIntent, PaymentIntentCaptureMethod, PaymentIntentStatus};

use crate::config::StripeConfig;
use crate::errors::{is_retryable, map_error};
use crate::views;

/// Metadata key: the order's id.
pub(crate) const ORDER_ID: &str = "commerce_order_id";
/// Metadata key: the order's number.
pub(crate) const ORDER_NUMBER: &str = "commerce_order_number";
/// Metadata key: the idempotency key the PaymentIntent was created under.
pub(crate) const IDEMPOTENCY_KEY: &str = "commerce_idempotency_key";

/// How many pages of 100 PaymentIntents a lookup by idempotency key reads at most.
const LOOKUP_PAGES: usize = 20;

/// Payments through Stripe. See the [crate docs](crate) for what it does.
pub struct StripePayments {
    client: Client,
    webhook_secret: SecretString,
    timeout: Duration,
    attempts: u32,
    /// Keys whose create call failed without a clear answer: the next create under one
    /// of them looks for the PaymentIntent first.
    unsettled: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for StripePayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripePayments")
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl StripePayments {
    /// A Stripe client for `config`; an unusable base URL or key is `InvalidInput`.
    pub fn new(config: StripeConfig) -> Result<Self, Error> {
        let client = ClientBuilder::new(config.secret_key.expose_secret())
            .url(config.api_base.clone())
            .timeout(config.timeout)
            .build()
            .map_err(|_| Error::invalid("stripe", "unusable API base URL or secret key"))?;
        Ok(StripePayments {
            client,
            webhook_secret: config.webhook_secret,
            timeout: config.timeout,
            attempts: config.attempts,
            unsettled: Mutex::new(HashSet::new()),
        })
    }

    /// Runs `call` until it succeeds, fails for good, or the attempts run out; each
    /// try is built by `call`, so it carries the same idempotency key.
    async fn retrying<T, F, Fut>(&self, mut call: F) -> Result<T, StripeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, StripeError>>,
    {
        let mut tried = 0;
        loop {
            tried += 1;
            match call().await {
                Ok(value) => return Ok(value),
                Err(e) if tried < self.attempts && is_retryable(&e) => {
                    tokio::time::sleep(backoff(tried)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends `request` once, under `strategy` (the idempotency key every try of a
    /// mutating call carries) and the configured timeout.
    async fn send_keyed<R>(
        &self,
        request: &R,
        strategy: &RequestStrategy,
    ) -> Result<R::Output, StripeError>
    where
        R: StripeRequest,
        R::Output: miniserde::Deserialize,
    {
        request
            .customize()
            .request_strategy(strategy.clone())
            .timeout(self.timeout)
            .send(&self.client)
            .await
    }

    async fn retrieve(&self, id: &str) -> Result<PaymentIntent, Error> {
        let request = RetrievePaymentIntent::new(id);
        self.retrying(|| request.customize().timeout(self.timeout).send(&self.client))
            .await
            .map_err(|e| map_error("read a payment", Some(id), e))
    }

    fn unsettled(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // A poisoned set only means another call panicked mid-insert; the set is still
        // a valid set of keys.
        self.unsettled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The PaymentIntent created under `key`, if any, by its metadata.
    async fn find_by_key(&self, key: &IdempotencyKey) -> Result<Option<PaymentIntent>, Error> {
        let mut after: Option<String> = None;
        for _ in 0..LOOKUP_PAGES {
            let mut request = ListPaymentIntent::new().limit(100);
            if let Some(last) = &after {
                request = request.starting_after(last.clone());
            }
            let page = self
                .retrying(|| request.customize().timeout(self.timeout).send(&self.client))
                .await
                .map_err(|e| map_error("list payments", None, e))?;
            if let Some(found) = page.data.iter().find(|pi| {
                pi.metadata.get(IDEMPOTENCY_KEY).map(String::as_str) == Some(key.as_str())
            }) {
                return Ok(Some(found.clone()));
            }
            match (page.has_more, page.data.last()) {
                (true, Some(last)) => after = Some(last.id.as_str().to_owned()),
                _ => break,
            }
        }
        Ok(None)
    }
}

/// Wait before try `tried + 1`: 100 ms, 200 ms, 400 ms, ... at most 2 s.
fn backoff(tried: u32) -> Duration {
    let factor = 1u64 << tried.saturating_sub(1).min(5);
    Duration::from_millis((100 * factor).min(2_000))
}

/// Stripe's idempotency strategy for the core's key.
fn keyed(key: &IdempotencyKey) -> Result<RequestStrategy, Error> {
    stripe::IdempotencyKey::new(key.as_str())
        .map(RequestStrategy::Idempotent)
        .map_err(|_| Error::invalid("idempotency_key", "not usable with Stripe"))
}

fn confirmable(status: &PaymentIntentStatus) -> bool {
    matches!(
        status,
        PaymentIntentStatus::RequiresPaymentMethod | PaymentIntentStatus::RequiresConfirmation
    )
}

#[async_trait]
impl PaymentProvider for StripePayments {
    async fn create_payment(&self, request: PaymentRequest) -> Result<ProviderPayment, Error> {
        let minor = views::minor_units(request.amount)?;
        let currency = views::stripe_currency(request.amount.currency())?;
        let key = request.idempotency_key;
        let strategy = keyed(&key)?;
        if self.unsettled().contains(key.as_str())
            && let Some(found) = self.find_by_key(&key).await?
        {
            self.unsettled().remove(key.as_str());
            return views::payment(&found);
        }
        let metadata = HashMap::from([
            (ORDER_ID.to_owned(), request.order.to_string()),
            (ORDER_NUMBER.to_owned(), request.order_number.clone()),
            (IDEMPOTENCY_KEY.to_owned(), key.as_str().to_owned()),
        ]);
        let capture = match request.capture {
            CaptureMode::Automatic => PaymentIntentCaptureMethod::Automatic,
            CaptureMode::Manual => PaymentIntentCaptureMethod::Manual,
        };
        let create = CreatePaymentIntent::new(minor, currency)
            .capture_method(capture)
            .metadata(metadata);
        let mut tried = 0;
        loop {
            tried += 1;
            let sent = self.send_keyed(&create, &strategy).await;
            match sent {
                Ok(intent) => {
                    self.unsettled().remove(key.as_str());
                    return views::payment(&intent);
                }
                Err(e) if is_retryable(&e) => {
                    // The PaymentIntent may exist although the answer was lost.
                    self.unsettled().insert(key.as_str().to_owned());
                    if tried >= self.attempts {
                        return Err(map_error("create a payment", None, e));
                    }
                    tokio::time::sleep(backoff(tried)).await;
                    if let Ok(Some(found)) = self.find_by_key(&key).await {
                        self.unsettled().remove(key.as_str());
                        return views::payment(&found);
                    }
                }
                Err(e) => return Err(map_error("create a payment", None, e)),
            }
        }
    }

    async fn confirm(
        &self,
        payment: &PaymentRef,
        payment_method: &str,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        let id = payment.0.as_str();
        let attach = keyed(&key.derive("payment-method"))?;
        let strategy = keyed(key)?;
        let mut tried = 0;
        loop {
            tried += 1;
            // Read first: a retry after a lost answer must see what really happened.
            let intent = self.retrieve(id).await?;
            if !confirmable(&intent.status) {
                return views::payment(&intent);
            }
            if intent.status == PaymentIntentStatus::RequiresPaymentMethod {
                let update = UpdatePaymentIntent::new(id).payment_method(payment_method);
                self.retrying(|| self.send_keyed(&update, &attach))
                    .await
                    .map_err(|e| map_error("set the payment method", Some(id), e))?;
            }
            let sent = self
                .send_keyed(&ConfirmPaymentIntent::new(id), &strategy)
                .await;
            match sent {
                Ok(intent) => return views::payment(&intent),
                Err(e) if is_retryable(&e) && tried < self.attempts => {
                    tokio::time::sleep(backoff(tried)).await;
                }
                Err(e) => return Err(map_error("confirm a payment", Some(id), e)),
            }
        }
    }

    async fn capture(
        &self,
        payment: &PaymentRef,
        amount: Option<Money>,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        let id = payment.0.as_str();
        let strategy = keyed(key)?;
        let intent = self.retrieve(id).await?;
        let view = views::payment(&intent)?;
        let wanted = match amount {
            Some(amount) => {
                amount.ensure_same_currency(view.amount.currency())?;
                let minor = views::minor_units(amount)?;
                if minor > intent.amount {
                    return Err(Error::invalid(
                        "amount",
                        "must be between zero and the authorised amount",
                    ));
                }
                minor
            }
            None => intent.amount,
        };
        match intent.status {
            PaymentIntentStatus::RequiresCapture => {}
            // A retry of a capture that went through.
            PaymentIntentStatus::Succeeded if intent.amount_received == wanted => return Ok(view),
            _ => {
                return Err(Error::Conflict(format!("payment {id} cannot be captured")));
            }
        }
        let capture = CapturePaymentIntent::new(id).amount_to_capture(wanted);
        let captured = self
            .retrying(|| self.send_keyed(&capture, &strategy))
            .await
            .map_err(|e| map_error("capture a payment", Some(id), e))?;
        views::payment(&captured)
    }

    async fn cancel(
        &self,
        payment: &PaymentRef,
        key: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        let id = payment.0.as_str();
        let strategy = keyed(key)?;
        let intent = self.retrieve(id).await?;
        match intent.status {
            PaymentIntentStatus::Canceled => return views::payment(&intent),
            PaymentIntentStatus::Succeeded => {
                return Err(Error::Conflict(format!("payment {id} was captured")));
            }
            _ => {}
        }
        let cancel = CancelPaymentIntent::new(id);
        let cancelled = self
            .retrying(|| self.send_keyed(&cancel, &strategy))
            .await
            .map_err(|e| map_error("cancel a payment", Some(id), e))?;
        views::payment(&cancelled)
    }

    async fn refund(
        &self,
        payment: &PaymentRef,
        amount: Money,
        key: &IdempotencyKey,
    ) -> Result<ProviderRefund, Error> {
        let id = payment.0.as_str();
        let minor = views::minor_units(amount)?;
        let strategy = keyed(key)?;
        let refund = CreateRefund::new().payment_intent(id).amount(minor);
        let made = self
            .retrying(|| self.send_keyed(&refund, &strategy))
            .await
            .map_err(|e| map_error("refund a payment", Some(id), e))?;
        let currency = views::currency(&made.currency)?;
        Ok(ProviderRefund {
            reference: made.id.as_str().to_owned(),
            amount: Money::from_minor_units(made.amount, currency),
        })
    }

    async fn payment(&self, payment: &PaymentRef) -> Result<ProviderPayment, Error> {
        views::payment(&self.retrieve(&payment.0).await?)
    }

    fn verify_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PaymentNotice>, Error> {
        crate::webhook::verify(payload, signature, self.webhook_secret.expose_secret(), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(3), Duration::from_millis(400));
        assert_eq!(backoff(30), Duration::from_millis(2_000));
    }
}
