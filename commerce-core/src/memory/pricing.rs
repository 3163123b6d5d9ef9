//! In-memory pricing rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{MemoryOutbox, lock};
use crate::error::{Entity, Error};
use crate::ids::{PriceListId, VariantId};
use crate::ports::{PriceChange, PricingStore};
use crate::pricing::{PriceRecord, PricingRules};

#[derive(Debug, Default)]
struct State {
    rules: PricingRules,
    /// The version of each stored price; a price without an entry is at version 1.
    versions: HashMap<(PriceListId, VariantId), u64>,
}

/// The store's pricing rules, held whole, with a version per price.
#[derive(Debug)]
pub struct MemoryPricing {
    state: Mutex<State>,
    outbox: Arc<MemoryOutbox>,
}

impl MemoryPricing {
    /// Default (empty) rules; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryPricing {
            state: Mutex::new(State::default()),
            outbox,
        }
    }
}

#[async_trait]
impl PricingStore for MemoryPricing {
    async fn rules(&self) -> Result<PricingRules, Error> {
        Ok(lock(&self.state)?.rules.clone())
    }

    async fn rules_for(&self, variants: &[VariantId]) -> Result<PricingRules, Error> {
        Ok(lock(&self.state)?.rules.for_variants(variants))
    }

    async fn save_rules(&self, rules: PricingRules) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        state.rules = rules;
        state.versions.clear();
        Ok(())
    }

    async fn price(
        &self,
        list: PriceListId,
        variant: VariantId,
    ) -> Result<Option<PriceRecord>, Error> {
        let state = lock(&self.state)?;
        Ok(record(&state, list, variant))
    }

    async fn put_price(&self, change: PriceChange) -> Result<PriceRecord, Error> {
        let mut state = lock(&self.state)?;
        let current = record(&state, change.list, change.variant).map_or(0, |r| r.version);
        if current != change.expected_version {
            return Err(Error::Conflict(format!(
                "the price of variant {} in list {} is at version {current}, not {}",
                change.variant, change.list, change.expected_version
            )));
        }
        let list = state
            .rules
            .price_book
            .list_mut(change.list)
            .ok_or_else(|| Error::not_found(Entity::PriceList, change.list))?;
        list.set_price(change.variant, change.price.clone())?;
        let version = current + 1;
        state
            .versions
            .insert((change.list, change.variant), version);
        self.outbox.push(change.events)?;
        Ok(PriceRecord {
            list: change.list,
            variant: change.variant,
            price: change.price,
            version,
        })
    }
}

/// The stored price of `variant` in `list`, with its version.
fn record(state: &State, list: PriceListId, variant: VariantId) -> Option<PriceRecord> {
    let price = state
        .rules
        .price_book
        .lists()
        .iter()
        .find(|l| l.id == list)?
        .price(variant)?;
    Some(PriceRecord {
        list,
        variant,
        price: price.clone(),
        version: state.versions.get(&(list, variant)).copied().unwrap_or(1),
    })
}
