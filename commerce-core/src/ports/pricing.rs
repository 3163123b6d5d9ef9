//! The pricing-rules storage port.

use async_trait::async_trait;

use crate::error::Error;
use crate::pricing::PricingRules;

/// Stores the store's pricing rules: settings, price lists, promotions, tax and shipping.
#[async_trait]
pub trait PricingStore: Send + Sync {
    /// The current rules (the defaults if none were saved).
    async fn rules(&self) -> Result<PricingRules, Error>;

    /// Replaces the rules as a whole.
    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error>;
}
