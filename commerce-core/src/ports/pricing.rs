//! The pricing-rules storage port.

use async_trait::async_trait;

use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{PriceListId, VariantId};
use crate::pricing::{PriceRecord, PricingRules, VariantPrice};

/// One variant's price in one list to store, compare-and-swap on its version.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceChange {
    /// The list (it exists: the use case checked).
    pub list: PriceListId,
    /// The variant.
    pub variant: VariantId,
    /// The new price (checked against the list's rules).
    pub price: VariantPrice,
    /// The version the change was computed from: `0` when the variant has no price in
    /// the list yet.
    pub expected_version: u64,
    /// Events to append in the same atomic step.
    pub events: Vec<EventRecord>,
}

/// Stores the store's pricing rules: settings, price lists, promotions, tax and shipping.
#[async_trait]
pub trait PricingStore: Send + Sync {
    /// The current rules (the defaults if none were saved).
    async fn rules(&self) -> Result<PricingRules, Error>;

    /// The current rules with only the prices of `variants` in their price lists (every
    /// list, promotion, tax rate and shipping method is there; unknown variants are
    /// skipped): what pricing a cart needs, without loading every price.
    async fn rules_for(&self, variants: &[VariantId]) -> Result<PricingRules, Error>;

    /// Replaces the rules as a whole. Every price starts again at version 1.
    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error>;

    /// One variant's price in one list with its version, if it has one.
    async fn price(
        &self,
        list: PriceListId,
        variant: VariantId,
    ) -> Result<Option<PriceRecord>, Error>;

    /// Stores one price and its events in one atomic step, touching no other price:
    /// only if the stored version is still `expected_version` (no price counts as `0`),
    /// and then with the version one higher. A stale version is `Conflict` and changes
    /// nothing. Returns what was stored.
    async fn put_price(&self, change: PriceChange) -> Result<PriceRecord, Error>;
}
