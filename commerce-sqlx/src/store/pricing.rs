//! The pricing port on SQL (work in progress).

use super::SqlStore;
use crate::backend::Backend;
use async_trait::async_trait;
use commerce_core::Error;
use commerce_core::ports::PricingStore;
use commerce_core::pricing::PricingRules;

#[async_trait]
impl<DB: Backend> PricingStore for SqlStore<DB> {
    async fn rules(&self) -> Result<PricingRules, Error> {
        todo!()
    }

    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error> {
        todo!()
    }
}
