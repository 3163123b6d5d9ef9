//! Shipping methods and their rates: flat, by weight, free over a threshold.

use serde::{Deserialize, Serialize};

use super::{CountryCode, Region, TaxCategory};
use crate::catalog::Weight;
use crate::error::Error;
use crate::ids::ShippingMethodId;
use crate::money::{Currency, Money};

/// One band of a weight-based rate: parcels up to `up_to` (inclusive) cost `price`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightTier {
    /// The heaviest parcel in the band.
    pub up_to: Weight,
    /// The band's price.
    pub price: Money,
}

/// How a method's price is worked out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShippingRate {
    /// One price whatever the parcel.
    Flat {
        /// The price.
        price: Money,
    },
    /// The first band, in ascending weight order, the parcel fits in. A parcel heavier
    /// than the last band cannot go by this method.
    ByWeight {
        /// The bands.
        tiers: Vec<WeightTier>,
    },
}

/// A way to ship an order, where it ships to, and what it costs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// The method's id.
    pub id: ShippingMethodId,
    /// Display name ("Standard", "Express").
    pub name: String,
    /// Countries it ships to; empty means everywhere.
    pub countries: Vec<CountryCode>,
    /// The price rule.
    pub rate: ShippingRate,
    /// Shipping is free when the discounted merchandise subtotal reaches this.
    pub free_over: Option<Money>,
    /// Tax category of the shipping charge itself; `None` means untaxed.
    pub tax_category: Option<TaxCategory>,
}

impl ShippingMethod {
    /// A method with a flat price, shipping everywhere.
    pub fn flat(id: ShippingMethodId, name: &str, price: Money) -> Self {
        ShippingMethod {
            id,
            name: name.to_owned(),
            countries: Vec::new(),
            rate: ShippingRate::Flat { price },
            free_over: None,
            tax_category: None,
        }
    }

    /// A method priced by weight bands, shipping everywhere. Bands are sorted by weight.
    pub fn by_weight(id: ShippingMethodId, name: &str, mut tiers: Vec<WeightTier>) -> Self {
        tiers.sort_by_key(|t| t.up_to);
        ShippingMethod {
            id,
            name: name.to_owned(),
            countries: Vec::new(),
            rate: ShippingRate::ByWeight { tiers },
            free_over: None,
            tax_category: None,
        }
    }

    /// Makes shipping free from `threshold` on (builder style).
    pub fn free_over(mut self, threshold: Money) -> Self {
        self.free_over = Some(threshold);
        self
    }

    /// Restricts the method to `countries` (builder style).
    pub fn only_to(mut self, countries: Vec<CountryCode>) -> Self {
        self.countries = countries;
        self
    }

    /// Taxes the shipping charge under `category` (builder style).
    pub fn taxed_as(mut self, category: TaxCategory) -> Self {
        self.tax_category = Some(category);
        self
    }

    /// True when the method ships to `region`.
    pub fn ships_to(&self, region: &Region) -> bool {
        self.countries.is_empty() || self.countries.contains(&region.country)
    }

    /// The price before any threshold or promotion, for a parcel of `weight`, in
    /// `currency`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when the method is priced in another currency;
    /// [`Error::InvalidInput`] (`shipping_method`) when the parcel is too heavy or the
    /// price is negative or finer than minor units.
    pub fn base_price(&self, weight: Weight, currency: Currency) -> Result<Money, Error> {
        let price = match &self.rate {
            ShippingRate::Flat { price } => *price,
            ShippingRate::ByWeight { tiers } => tiers
                .iter()
                .filter(|t| weight <= t.up_to)
                .min_by_key(|t| t.up_to)
                .map(|t| t.price)
                .ok_or_else(|| {
                    Error::invalid(
                        "shipping_method",
                        format!(
                            "{} does not take parcels of {} g",
                            self.name,
                            weight.as_grams()
                        ),
                    )
                })?,
        };
        Money::zero(currency).ensure_same_currency(price.currency())?;
        if price.is_negative() || !price.is_in_minor_units() {
            return Err(Error::invalid(
                "shipping_method",
                format!("{} has a negative or sub-minor-unit price", self.name),
            ));
        }
        Ok(price)
    }
}
