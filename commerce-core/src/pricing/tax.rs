//! Tax: rates by region and tax category, in tax-exclusive or tax-inclusive stores.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::CountryCode;
use crate::error::Error;

/// Whether catalog prices include tax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    /// Prices are net; tax is added on top (US style).
    #[default]
    Exclusive,
    /// Prices are gross; the tax inside them is shown (EU VAT style).
    Inclusive,
}

/// A product's tax class, such as `standard`, `reduced` or `zero`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaxCategory(String);

impl TaxCategory {
    /// A category name: 1–40 characters of lower-case letters, digits, `-` and `_`.
    pub fn parse(name: &str) -> Result<Self, Error> {
        let ok = !name.is_empty()
            && name.len() <= 40
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(TaxCategory(name.to_owned()))
        } else {
            Err(Error::invalid(
                "tax_category",
                "1 to 40 characters of a-z, 0-9, '-' and '_'",
            ))
        }
    }

    /// The `standard` category most goods fall in.
    pub fn standard() -> Self {
        TaxCategory("standard".to_owned())
    }

    /// The category name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TaxCategory {
    fn default() -> Self {
        TaxCategory::standard()
    }
}

/// Where goods are delivered: a country and optionally a state or province.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Region {
    /// The country.
    pub country: CountryCode,
    /// A state or province code such as `CA`, if the rates depend on it.
    pub state: Option<String>,
}

impl Region {
    /// A whole country.
    pub fn country(code: &str) -> Result<Self, Error> {
        Ok(Region {
            country: CountryCode::parse(code)?,
            state: None,
        })
    }

    /// A state of a country.
    pub fn state(country: &str, state: &str) -> Result<Self, Error> {
        Ok(Region {
            country: CountryCode::parse(country)?,
            state: Some(state.trim().to_ascii_uppercase()),
        })
    }
}

/// One tax rate: `rate` is a fraction (`0.20` for 20 %).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    /// Shown on receipts ("VAT 20%", "CA sales tax").
    pub name: String,
    /// The country it applies in.
    pub country: CountryCode,
    /// The state it applies in; `None` for the whole country.
    pub state: Option<String>,
    /// The tax category it applies to.
    pub category: TaxCategory,
    /// The rate as a fraction between 0 and 1.
    pub rate: Decimal,
}

/// A store's tax rates. Deserializing applies the checks of [`TaxTable::add`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<TaxRate>", into = "Vec<TaxRate>")]
pub struct TaxTable {
    rates: Vec<TaxRate>,
}

impl TryFrom<Vec<TaxRate>> for TaxTable {
    type Error = Error;
    fn try_from(rates: Vec<TaxRate>) -> Result<Self, Error> {
        let mut table = TaxTable::new();
        for rate in rates {
            table.add(rate)?;
        }
        Ok(table)
    }
}

impl From<TaxTable> for Vec<TaxRate> {
    fn from(table: TaxTable) -> Self {
        table.rates
    }
}

impl TaxTable {
    /// An empty table: no tax anywhere.
    pub fn new() -> Self {
        TaxTable::default()
    }

    /// Adds a rate (a fraction from 0 to 1). A second rate for the same country, state and
    /// category is a conflict.
    pub fn add(&mut self, rate: TaxRate) -> Result<(), Error> {
        if rate.rate.is_sign_negative() || rate.rate > Decimal::ONE {
            return Err(Error::invalid(
                "rate",
                "a tax rate is a fraction from 0 to 1",
            ));
        }
        let rate = TaxRate {
            state: rate.state.map(|s| s.trim().to_ascii_uppercase()),
            ..rate
        };
        if self.rates.iter().any(|r| {
            r.country == rate.country && r.state == rate.state && r.category == rate.category
        }) {
            return Err(Error::Conflict(format!(
                "a {} rate for {}{} exists",
                rate.category.as_str(),
                rate.country,
                rate.state
                    .as_deref()
                    .map(|s| format!("-{s}"))
                    .unwrap_or_default()
            )));
        }
        self.rates.push(rate);
        Ok(())
    }

    /// The rate for `category` in `region`: a state rate beats the country rate; no rate
    /// means no tax.
    pub fn rate_for(&self, region: &Region, category: &TaxCategory) -> Option<&TaxRate> {
        let mut country_rate = None;
        for rate in &self.rates {
            if rate.country != region.country || &rate.category != category {
                continue;
            }
            match &rate.state {
                Some(state) if Some(state) == region.state.as_ref() => return Some(rate),
                Some(_) => {}
                None => country_rate = Some(rate),
            }
        }
        country_rate
    }
}
