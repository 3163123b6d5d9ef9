//! A scriptable in-memory payment provider. (Skeleton.)

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::money::Money;
use crate::payment::{
    IdempotencyKey, PaymentNotice, PaymentRef, PaymentRequest, ProviderPayment, ProviderRefund,
};
use crate::ports::PaymentProvider;

fn todo() -> Error {
    Error::Unavailable("payments: not built yet".into())
}

/// What the provider does with the next confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Script {
    /// Approve (and capture, under automatic capture).
    Approve,
    /// Decline with this code.
    Decline(String),
    /// Fail with a non-retryable provider error.
    Fail,
    /// Time out (a retryable provider error); nothing happens at the provider.
    TimeOut,
    /// Ask for customer action (3-D Secure).
    RequireAction,
}

/// A payment provider in memory: approves unless scripted otherwise.
#[derive(Debug, Default)]
pub struct MemoryPayments {}

impl MemoryPayments {
    /// A provider that approves everything.
    pub fn new() -> Self {
        MemoryPayments::default()
    }
}

#[async_trait]
impl PaymentProvider for MemoryPayments {
    async fn create_payment(&self, _r: PaymentRequest) -> Result<ProviderPayment, Error> {
        Err(todo())
    }
    async fn confirm(
        &self,
        _p: &PaymentRef,
        _m: &str,
        _k: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        Err(todo())
    }
    async fn capture(
        &self,
        _p: &PaymentRef,
        _a: Option<Money>,
        _k: &IdempotencyKey,
    ) -> Result<ProviderPayment, Error> {
        Err(todo())
    }
    async fn cancel(&self, _p: &PaymentRef, _k: &IdempotencyKey) -> Result<ProviderPayment, Error> {
        Err(todo())
    }
    async fn refund(
        &self,
        _p: &PaymentRef,
        _a: Money,
        _k: &IdempotencyKey,
    ) -> Result<ProviderRefund, Error> {
        Err(todo())
    }
    async fn payment(&self, _p: &PaymentRef) -> Result<ProviderPayment, Error> {
        Err(todo())
    }
    fn verify_webhook(
        &self,
        _payload: &[u8],
        _sig: &str,
        _now: DateTime<Utc>,
    ) -> Result<Option<PaymentNotice>, Error> {
        Err(todo())
    }
}
