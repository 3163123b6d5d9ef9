//! How the adapter reaches Stripe.

use std::time::Duration;

use secrecy::SecretString;

/// Stripe's production API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com/";

/// Settings for [`StripePayments`](crate::StripePayments).
#[derive(Clone, Debug)]
pub struct StripeConfig {
    pub(crate) api_base: String,
    pub(crate) secret_key: SecretString,
    pub(crate) webhook_secret: SecretString,
    pub(crate) timeout: Duration,
    pub(crate) attempts: u32,
}

impl StripeConfig {
    /// Production Stripe with the API secret key (`sk_...`) and the webhook endpoint's
    /// signing secret (`whsec_...`); 20 s per request, 3 attempts.
    pub fn new(secret_key: SecretString, webhook_secret: SecretString) -> Self {
        StripeConfig {
            api_base: DEFAULT_API_BASE.to_owned(),
            secret_key,
            webhook_secret,
            timeout: Duration::from_secs(20),
            attempts: 3,
        }
    }

    /// Another API base URL (a test server); a trailing `/` is added if missing.
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.api_base = url;
        self
    }

    /// How long one HTTP attempt may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many times a request is tried in all when it fails in a retryable way
    /// (at least 1); every try sends the same idempotency key.
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }
}
