//! In-memory pricing rules.

use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::error::Error;
use crate::ids::VariantId;
use crate::ports::PricingStore;
use crate::pricing::PricingRules;

/// The store's pricing rules, held whole.
#[derive(Debug, Default)]
pub struct MemoryPricing {
    rules: Mutex<PricingRules>,
}

impl MemoryPricing {
    /// Default (empty) rules.
    pub fn new() -> Self {
        MemoryPricing::default()
    }
}

#[async_trait]
impl PricingStore for MemoryPricing {
    async fn rules(&self) -> Result<PricingRules, Error> {
        Ok(lock(&self.rules)?.clone())
    }

    async fn rules_for(&self, variants: &[VariantId]) -> Result<PricingRules, Error> {
        Ok(lock(&self.rules)?.for_variants(variants))
    }

    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error> {
        *lock(&self.rules)? = rules;
        Ok(())
    }
}
