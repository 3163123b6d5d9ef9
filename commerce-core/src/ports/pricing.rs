//! The pricing-rules storage port.

use async_trait::async_trait;

use crate::error::Error;
use crate::ids::VariantId;
use crate::pricing::PricingRules;

/// Stores the store's pricing rules: settings, price lists, promotions, tax and shipping.
#[async_trait]
pub trait PricingStore: Send + Sync {
    /// The current rules (the defaults if none were saved).
    async fn rules(&self) -> Result<PricingRules, Error>;

    /// The current rules with only the prices of `variants` in their price lists (every
    /// list, promotion, tax rate and shipping method is there; unknown variants are
    /// skipped): what pricing a cart needs, without loading every price.
    async fn rules_for(&self, variants: &[VariantId]) -> Result<PricingRules, Error>;

    /// Replaces the rules as a whole.
    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error>;
}
