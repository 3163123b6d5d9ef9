//! Tax per line and per rate.

use crate::error::Error;
use crate::money::{Currency, Money};
use crate::pricing::priced::{AppliedTax, TaxLine};
use crate::pricing::{PricingContext, PricingRules, TaxCategory, TaxMode, TaxRate};

use super::{Units, add_all, checked, power_of_ten, ratio_of};

/// A taxed amount: `gross = net + tax`.
pub(super) struct Taxed {
    pub(super) net: Units,
    pub(super) gross: Units,
    pub(super) applied: Option<AppliedTax>,
}

impl Taxed {
    pub(super) fn untaxed(amount: Units) -> Self {
        Taxed {
            net: amount,
            gross: amount,
            applied: None,
        }
    }
}

/// Per-rate tax totals, built line by line.
pub(super) struct TaxSummary<'r> {
    pub(super) rules: &'r PricingRules,
    pub(super) context: &'r PricingContext,
    pub(super) currency: Currency,
    /// The last category looked up and its rate: carts are mostly one category.
    pub(super) last: Option<(&'r TaxCategory, Option<&'r TaxRate>)>,
    pub(super) lines: Vec<RateTotal<'r>>,
}

pub(super) struct RateTotal<'r> {
    pub(super) rate: &'r TaxRate,
    pub(super) taxable_units: Units,
    pub(super) tax_units: Units,
}

impl<'r> TaxSummary<'r> {
    pub(super) fn new(
        rules: &'r PricingRules,
        context: &'r PricingContext,
        currency: Currency,
    ) -> Self {
        TaxSummary {
            rules,
            context,
            currency,
            last: None,
            lines: Vec::new(),
        }
    }

    pub(super) fn rate_for(&mut self, category: &'r TaxCategory) -> Option<&'r TaxRate> {
        match self.last {
            Some((last, rate)) if last == category => rate,
            _ => {
                let rate = self.rules.taxes.rate_for(&self.context.ship_to, category);
                self.last = Some((category, rate));
                rate
            }
        }
    }

    /// Taxes one discounted amount (net in an exclusive store, gross in an inclusive one),
    /// rounding the tax once.
    pub(super) fn add(&mut self, amount: Units, category: &'r TaxCategory) -> Result<Taxed, Error> {
        let Some(rate) = self.rate_for(category) else {
            return Ok(Taxed::untaxed(amount));
        };
        let rounding = self.rules.settings.rounding;
        let (m, s) = (rate.rate.mantissa(), rate.rate.scale());
        let (net, tax, gross) = match self.rules.settings.tax_mode {
            TaxMode::Exclusive => {
                // amount × r = amount × m / 10^s
                let tax = ratio_of(amount, m, power_of_ten(s), rounding)?;
                (amount, tax, checked(amount.checked_add(tax))?)
            }
            TaxMode::Inclusive => {
                // amount × r / (1 + r) = amount × m / (10^s + m)
                let denominator = power_of_ten(s).and_then(|p| p.checked_add(m));
                let tax = ratio_of(amount, m, denominator, rounding)?;
                (amount - tax, tax, amount)
            }
        };
        match self.lines.iter_mut().find(|t| std::ptr::eq(t.rate, rate)) {
            Some(total) => {
                total.taxable_units = checked(total.taxable_units.checked_add(net))?;
                total.tax_units = checked(total.tax_units.checked_add(tax))?;
            }
            None => self.lines.push(RateTotal {
                rate,
                taxable_units: net,
                tax_units: tax,
            }),
        }
        Ok(Taxed {
            net,
            gross,
            applied: Some(AppliedTax {
                rate: rate.rate,
                amount: Money::from_minor_units(tax, self.currency),
            }),
        })
    }

    /// All tax so far.
    pub(super) fn total(&self) -> Result<Units, Error> {
        add_all(self.lines.iter().map(|t| t.tax_units))
    }

    pub(super) fn into_lines(self) -> Vec<TaxLine> {
        let currency = self.currency;
        self.lines
            .into_iter()
            .map(|t| TaxLine {
                name: t.rate.name.clone(),
                rate: t.rate.rate,
                taxable: Money::from_minor_units(t.taxable_units, currency),
                tax: Money::from_minor_units(t.tax_units, currency),
            })
            .collect()
    }
}
