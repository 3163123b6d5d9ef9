//! Price lists: a price per variant per currency, for everyone or for a customer group,
//! with quantity tiers and time-boxed sale prices.

use rustc_hash::FxHashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerGroup;
use crate::error::Error;
use crate::ids::{PriceListId, VariantId};
use crate::money::{Currency, Money};

/// A lower unit price from a minimum quantity on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantityTier {
    /// The tier applies when the line has at least this many units.
    pub min_quantity: u32,
    /// Unit price within the tier.
    pub unit_price: Money,
}

/// A sale price valid from `starts_at` (inclusive) to `ends_at` (exclusive); an open end
/// means "no limit on that side".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalePrice {
    /// Unit price during the sale.
    pub unit_price: Money,
    /// First instant of the sale.
    pub starts_at: Option<DateTime<Utc>>,
    /// First instant after the sale.
    pub ends_at: Option<DateTime<Utc>>,
}

impl SalePrice {
    /// True when the sale runs at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.starts_at.is_none_or(|s| s <= now) && self.ends_at.is_none_or(|e| now < e)
    }
}

/// How one variant is priced in one list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantPrice {
    /// The regular unit price.
    pub base: Money,
    /// Volume prices.
    pub tiers: Vec<QuantityTier>,
    /// A temporary sale price.
    pub sale: Option<SalePrice>,
}

impl VariantPrice {
    /// A plain price with no tiers and no sale.
    pub fn new(base: Money) -> Self {
        VariantPrice {
            base,
            tiers: Vec::new(),
            sale: None,
        }
    }

    /// Adds a quantity tier (builder style).
    pub fn with_tier(mut self, min_quantity: u32, unit_price: Money) -> Self {
        self.tiers.push(QuantityTier {
            min_quantity,
            unit_price,
        });
        self
    }

    /// Sets a sale price (builder style).
    pub fn with_sale(
        mut self,
        unit_price: Money,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
    ) -> Self {
        self.sale = Some(SalePrice {
            unit_price,
            starts_at,
            ends_at,
        });
        self
    }

    fn amounts(&self) -> impl Iterator<Item = Money> + '_ {
        std::iter::once(self.base)
            .chain(self.tiers.iter().map(|t| t.unit_price))
            .chain(self.sale.iter().map(|s| s.unit_price))
    }

    /// The lowest price that applies to `quantity` units at `now`, and where it came from.
    fn best(&self, quantity: u32, now: DateTime<Utc>) -> (Money, PriceKind) {
        let mut best = (self.base, PriceKind::Base);
        let tiers = self
            .tiers
            .iter()
            .filter(|t| t.min_quantity <= quantity)
            .map(|t| {
                (
                    t.unit_price,
                    PriceKind::Tier {
                        min_quantity: t.min_quantity,
                    },
                )
            });
        let sale = self
            .sale
            .iter()
            .filter(|s| s.is_active(now))
            .map(|s| (s.unit_price, PriceKind::Sale));
        for candidate in tiers.chain(sale) {
            if candidate.0.amount() < best.0.amount() {
                best = candidate;
            }
        }
        best
    }
}

/// Prices for one currency, for everyone (`customer_group: None`) or one group.
/// Deserializing applies the checks of [`PriceList::set_price`] to every entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct PriceList {
    /// The list's id.
    pub id: PriceListId,
    /// A name for people ("Retail EUR", "Wholesale").
    pub name: String,
    /// Every price in the list is in this currency.
    pub currency: Currency,
    /// Who the list is for; `None` means everyone.
    pub customer_group: Option<CustomerGroup>,
    prices: FxHashMap<VariantId, VariantPrice>,
}

impl PriceList {
    /// An empty list.
    pub fn new(
        id: PriceListId,
        name: &str,
        currency: Currency,
        customer_group: Option<CustomerGroup>,
    ) -> Self {
        PriceList {
            id,
            name: name.to_owned(),
            currency,
            customer_group,
            prices: FxHashMap::default(),
        }
    }

    /// Sets a variant's price. Every amount must be in the list's currency, in whole minor
    /// units and not negative; tiers need a minimum quantity of at least 2.
    pub fn set_price(&mut self, variant: VariantId, price: VariantPrice) -> Result<(), Error> {
        self.check(&price)?;
        self.prices.insert(variant, price);
        Ok(())
    }

    /// Whether `price` may go in this list (the rules of [`PriceList::set_price`]),
    /// without putting it there.
    pub fn check(&self, price: &VariantPrice) -> Result<(), Error> {
        for amount in price.amounts() {
            if amount.currency() != self.currency {
                return Err(Error::CurrencyMismatch {
                    expected: self.currency,
                    found: amount.currency(),
                });
            }
            if !amount.is_in_minor_units() || amount.is_negative() {
                return Err(Error::invalid(
                    "price",
                    format!("{amount} is negative or finer than minor units"),
                ));
            }
        }
        if price.tiers.iter().any(|t| t.min_quantity < 2) {
            return Err(Error::invalid("tier", "a tier starts at 2 units or more"));
        }
        Ok(())
    }

    /// A variant's price entry.
    pub fn price(&self, variant: VariantId) -> Option<&VariantPrice> {
        self.prices.get(&variant)
    }

    /// Every price in the list, in no particular order.
    pub fn prices(&self) -> impl Iterator<Item = (VariantId, &VariantPrice)> {
        self.prices.iter().map(|(variant, price)| (*variant, price))
    }

    /// The same list with no prices (what storage keeps apart from its prices).
    pub fn without_prices(&self) -> PriceList {
        PriceList::new(
            self.id,
            &self.name,
            self.currency,
            self.customer_group.clone(),
        )
    }

    /// The same list with only the prices of `variants`.
    pub fn subset(&self, variants: &[VariantId]) -> PriceList {
        let mut list = self.without_prices();
        for variant in variants {
            if let Some(price) = self.prices.get(variant) {
                list.prices.insert(*variant, price.clone());
            }
        }
        list
    }
}

impl Serialize for PriceList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PriceList::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for PriceList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let list = PriceList::deserialize(deserializer)?;
        for price in list.prices.values() {
            list.check(price).map_err(serde::de::Error::custom)?;
        }
        Ok(list)
    }
}

/// Where a resolved unit price came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriceKind {
    /// The regular price.
    Base,
    /// A quantity tier.
    Tier {
        /// The tier's minimum quantity.
        min_quantity: u32,
    },
    /// A sale price.
    Sale,
}

/// A unit price chosen for a line, with its origin so a storefront can show "sale" or
/// "volume price".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPrice {
    /// The price of one unit.
    pub amount: Money,
    /// The list it came from.
    pub list: PriceListId,
    /// Regular, tier or sale.
    pub kind: PriceKind,
}

/// All price lists of a store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBook {
    lists: Vec<PriceList>,
}

impl PriceBook {
    /// An empty book.
    pub fn new() -> Self {
        PriceBook::default()
    }

    /// Adds a list. A list id used twice is a conflict.
    pub fn add_list(&mut self, list: PriceList) -> Result<(), Error> {
        if self.lists.iter().any(|l| l.id == list.id) {
            return Err(Error::Conflict(format!("price list {} exists", list.id)));
        }
        self.lists.push(list);
        Ok(())
    }

    /// The lists, in the order they were added.
    pub fn lists(&self) -> &[PriceList] {
        &self.lists
    }

    /// A list by id, to change prices in.
    pub fn list_mut(&mut self, id: PriceListId) -> Option<&mut PriceList> {
        self.lists.iter_mut().find(|l| l.id == id)
    }

    /// The same lists with only the prices of `variants`: all pricing a cart of those
    /// variants reads, without copying every price.
    pub fn subset(&self, variants: &[VariantId]) -> PriceBook {
        PriceBook {
            lists: self.lists.iter().map(|l| l.subset(variants)).collect(),
        }
    }

    /// The unit price of `variant` for `quantity` units in `currency` at `now`.
    ///
    /// Every list in the currency that is for everyone or for the shopper's `group` is a
    /// candidate; within a list the lowest of the regular price, the applicable tier and
    /// an active sale counts, and across lists the lowest wins (ties go to the list added
    /// first). No candidate is [`Error::NoPrice`].
    pub fn unit_price(
        &self,
        variant: VariantId,
        currency: Currency,
        group: Option<&CustomerGroup>,
        quantity: u32,
        now: DateTime<Utc>,
    ) -> Result<UnitPrice, Error> {
        let mut best: Option<UnitPrice> = None;
        for list in &self.lists {
            if list.currency != currency
                || list
                    .customer_group
                    .as_ref()
                    .is_some_and(|g| Some(g) != group)
            {
                continue;
            }
            let Some(price) = list.price(variant) else {
                continue;
            };
            let (amount, kind) = price.best(quantity, now);
            if best.is_none_or(|b| amount.amount() < b.amount.amount()) {
                best = Some(UnitPrice {
                    amount,
                    list: list.id,
                    kind,
                });
            }
        }
        best.ok_or(Error::NoPrice { variant, currency })
    }
}

/// A variant's price in one list as storage keeps it: one row, with a version that every
/// change bumps (a change computed from an older version is refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRecord {
    /// The list.
    pub list: PriceListId,
    /// The variant.
    pub variant: VariantId,
    /// The price.
    pub price: VariantPrice,
    /// 1 when first set, one more on each change.
    pub version: u64,
}
