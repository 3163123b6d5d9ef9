//! What pricing needs to know besides the cart: the store's settings, its rules, and who
//! is buying, where, and when.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{PriceBook, Promotion, Region, ShippingMethod, TaxMode, TaxTable};
use crate::error::Error;
use crate::ids::{CustomerId, PromotionId, ShippingMethodId, VariantId};
use crate::money::RoundingMode;

/// A named group of customers ("wholesale", "vip") that price lists and promotions
/// can target. Compared case-insensitively (stored lower case).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerGroup(String);

impl CustomerGroup {
    /// The most characters a group name may have.
    pub const MAX_CHARS: usize = 40;

    /// A group name: one line of 1 to [`CustomerGroup::MAX_CHARS`] characters (the rule
    /// of [`crate::text`]), stored lower case.
    pub fn parse(name: &str) -> Result<Self, Error> {
        let name = crate::text::line("customer_group", name, Self::MAX_CHARS)?;
        Ok(CustomerGroup(name.to_lowercase()))
    }

    /// The group name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Store-wide pricing settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    /// Whether catalog prices include tax.
    pub tax_mode: TaxMode,
    /// How amounts are rounded to minor units at the defined points.
    pub rounding: RoundingMode,
}

/// Everything a store configures that pricing reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingRules {
    /// Tax mode and rounding.
    pub settings: StoreSettings,
    /// Price lists.
    pub price_book: PriceBook,
    /// Automatic and coupon promotions.
    pub promotions: Vec<Promotion>,
    /// Tax rates.
    pub taxes: TaxTable,
    /// Shipping methods.
    pub shipping_methods: Vec<ShippingMethod>,
}

impl PricingRules {
    /// The same rules with only the prices of `variants` in the price book: what pricing
    /// a cart of those variants reads.
    pub fn for_variants(&self, variants: &[VariantId]) -> PricingRules {
        PricingRules {
            settings: self.settings,
            price_book: self.price_book.subset(variants),
            promotions: self.promotions.clone(),
            taxes: self.taxes.clone(),
            shipping_methods: self.shipping_methods.clone(),
        }
    }

    /// A shipping method by id.
    pub fn shipping_method(&self, id: ShippingMethodId) -> Option<&ShippingMethod> {
        self.shipping_methods.iter().find(|m| m.id == id)
    }
}

/// Who is buying, as far as prices and promotions care.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shopper {
    /// The signed-in customer; `None` for a guest.
    pub customer: Option<CustomerId>,
    /// The customer's group, for group price lists and promotions.
    pub group: Option<CustomerGroup>,
    /// How many orders the customer has placed before (for "first order" promotions).
    pub previous_orders: u32,
}

/// How often promotions have been used so far: in total, and by this shopper.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionUsage {
    /// Redemptions by everyone.
    pub total: BTreeMap<PromotionId, u32>,
    /// Redemptions by the shopper being priced for.
    pub by_shopper: BTreeMap<PromotionId, u32>,
}

impl PromotionUsage {
    /// Total redemptions of `promotion`.
    pub fn total_uses(&self, promotion: PromotionId) -> u32 {
        self.total.get(&promotion).copied().unwrap_or(0)
    }

    /// Redemptions of `promotion` by this shopper.
    pub fn shopper_uses(&self, promotion: PromotionId) -> u32 {
        self.by_shopper.get(&promotion).copied().unwrap_or(0)
    }
}

/// The moment, place and person a cart is priced for. Time is an input: the same context
/// gives the same price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingContext {
    /// When the price is computed (sale windows and promotion dates are checked against it).
    pub now: DateTime<Utc>,
    /// Who is buying.
    pub shopper: Shopper,
    /// Where the goods go (decides tax and which shipping methods apply).
    pub ship_to: Region,
    /// The chosen shipping method, if one has been picked yet.
    pub shipping_method: Option<ShippingMethodId>,
    /// Promotion redemptions so far.
    pub usage: PromotionUsage,
}

impl PricingContext {
    /// A guest shopping at `now` for delivery to `ship_to`, with no shipping chosen yet.
    pub fn guest(now: DateTime<Utc>, ship_to: Region) -> Self {
        PricingContext {
            now,
            shopper: Shopper::default(),
            ship_to,
            shipping_method: None,
            usage: PromotionUsage::default(),
        }
    }
}
