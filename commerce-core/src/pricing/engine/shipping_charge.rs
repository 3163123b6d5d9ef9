//! The shipping quote for the parcel, then its threshold, promotions and tax.

use crate::catalog::Weight;
use crate::error::{Entity, Error};
use crate::money::{Currency, Money};
use crate::pricing::priced::{Adjustment, AdjustmentReason, PricedShipping};
use crate::pricing::{Benefit, PricingContext, PricingRules, ShippingMethod};

use super::Units;
use super::lines::WorkLine;
use super::selection::Choice;
use super::tax_summary::{TaxSummary, Taxed};

/// The chosen method and its price for this parcel, before thresholds and promotions.
pub(super) struct ShippingQuote<'a> {
    pub(super) method: &'a ShippingMethod,
    pub(super) price: Units,
}

pub(super) fn quote_shipping<'a>(
    lines: &[WorkLine<'_>],
    rules: &'a PricingRules,
    context: &PricingContext,
    currency: Currency,
) -> Result<Option<ShippingQuote<'a>>, Error> {
    let Some(id) = context.shipping_method else {
        return Ok(None);
    };
    if lines.is_empty() {
        return Ok(None);
    }
    let method = rules
        .shipping_method(id)
        .ok_or_else(|| Error::not_found(Entity::ShippingMethod, id))?;
    if !method.ships_to(&context.ship_to) {
        return Err(Error::invalid(
            "shipping_method",
            format!(
                "{} does not ship to {}",
                method.name, context.ship_to.country
            ),
        ));
    }
    let grams = lines.iter().fold(0_u64, |acc, l| {
        acc.saturating_add(u64::from(l.variant.weight.as_grams()) * u64::from(l.quantity))
    });
    let weight = Weight::grams(u32::try_from(grams).unwrap_or(u32::MAX));
    let price = method.base_price(weight, currency)?.to_minor_units()?;
    Ok(Some(ShippingQuote { method, price }))
}

/// The shipping charge after the method's threshold and free-shipping promotions, in
/// minor units until it is taxed.
pub(super) struct ShippingCharge<'r> {
    pub(super) method: &'r ShippingMethod,
    pub(super) price: Units,
    pub(super) free_over_threshold: bool,
    pub(super) adjustments: Vec<Adjustment>,
    pub(super) charge: Units,
}

impl<'r> ShippingCharge<'r> {
    /// Applies the threshold (on the discounted merchandise) and free-shipping promotions,
    /// adding what they take to `taken`.
    pub(super) fn new(
        quote: ShippingQuote<'r>,
        chosen: &[Choice<'_>],
        taken: &mut [Units],
        merchandise: Units,
        currency: Currency,
    ) -> Result<Self, Error> {
        let free_over_threshold = match quote.method.free_over {
            Some(threshold) if threshold.currency() == currency => {
                merchandise >= threshold.to_minor_units()?
            }
            _ => false,
        };
        let mut charge = if free_over_threshold { 0 } else { quote.price };
        let mut adjustments = Vec::new();
        for (slot, choice) in chosen.iter().enumerate() {
            if choice.promotion.benefit == Benefit::FreeShipping && charge > 0 {
                adjustments.push(Adjustment {
                    promotion: choice.promotion.id,
                    amount: Money::from_minor_units(charge, currency),
                    reason: AdjustmentReason::FreeShipping,
                });
                taken[slot] += charge;
                charge = 0;
            }
        }
        Ok(ShippingCharge {
            method: quote.method,
            price: quote.price,
            free_over_threshold,
            adjustments,
            charge,
        })
    }

    /// Taxes the charge (when the method has a tax category) and returns the priced
    /// shipping, its taxed amounts, and the promotion discount on it.
    pub(super) fn taxed(
        self,
        taxes: &mut TaxSummary<'r>,
        currency: Currency,
    ) -> Result<(PricedShipping, Taxed, Units), Error> {
        let taxed = match &self.method.tax_category {
            Some(category) => taxes.add(self.charge, category)?,
            None => Taxed::untaxed(self.charge),
        };
        let discount = self.price - self.charge;
        let discount = if self.free_over_threshold {
            0
        } else {
            discount
        };
        let priced = PricedShipping {
            method: self.method.id,
            name: self.method.name.clone(),
            price: Money::from_minor_units(self.price, currency),
            free_over_threshold: self.free_over_threshold,
            adjustments: self.adjustments,
            net: Money::from_minor_units(taxed.net, currency),
            tax: taxed.applied,
            gross: Money::from_minor_units(taxed.gross, currency),
        };
        Ok((priced, taxed, discount))
    }
}
