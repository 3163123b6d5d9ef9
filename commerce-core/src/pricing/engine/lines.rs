//! Cart lines while they are being priced, in minor units.

use crate::cart::Cart;
use crate::catalog::{Catalog, Product, Variant};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::pricing::priced::{Adjustment, AdjustmentReason, PricedLine};
use crate::pricing::{PricingContext, PricingRules, Promotion, UnitPrice};

use super::tax_summary::Taxed;
use super::{Units, checked};

/// A cart line while it is being priced, in minor units.
pub(super) struct WorkLine<'a> {
    pub(super) product: &'a Product,
    pub(super) variant: &'a Variant,
    pub(super) quantity: u32,
    pub(super) unit_price: UnitPrice,
    pub(super) unit: Units,
    pub(super) amount: Units,
    /// What is left after the discounts applied so far.
    pub(super) remaining: Units,
    pub(super) adjustments: Vec<Adjustment>,
}

impl WorkLine<'_> {
    /// The finished line, once taxed.
    pub(super) fn priced(self, taxed: Taxed, currency: Currency) -> PricedLine {
        PricedLine {
            product: self.product.id(),
            variant: self.variant.id,
            sku: self.variant.sku.clone(),
            name: self.product.shared_name(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            amount: Money::from_minor_units(self.amount, currency),
            discount: Money::from_minor_units(self.amount - self.remaining, currency),
            adjustments: self.adjustments,
            net: Money::from_minor_units(taxed.net, currency),
            tax: taxed.applied,
            gross: Money::from_minor_units(taxed.gross, currency),
        }
    }

    /// Takes up to `amount` off what is left of the line and records why; returns what
    /// was actually taken.
    pub(super) fn discount(
        &mut self,
        choice: &Promotion,
        amount: Units,
        reason: AdjustmentReason,
        currency: Currency,
    ) -> Units {
        let amount = amount.min(self.remaining);
        if amount > 0 {
            self.remaining -= amount;
            self.adjustments.push(Adjustment {
                promotion: choice.id,
                amount: Money::from_minor_units(amount, currency),
                reason,
            });
            amount
        } else {
            0
        }
    }
}

pub(super) fn resolve_lines<'a>(
    cart: &Cart,
    catalog: &'a Catalog,
    rules: &PricingRules,
    context: &PricingContext,
) -> Result<Vec<WorkLine<'a>>, Error> {
    let mut lines = Vec::with_capacity(cart.lines().len());
    for line in cart.lines() {
        let (product, variant) = catalog.purchasable(line.variant)?;
        let unit_price = rules.price_book.unit_price(
            variant.id,
            cart.currency(),
            context.shopper.group.as_ref(),
            line.quantity,
            context.now,
        )?;
        let unit = unit_price.amount.to_minor_units()?;
        let amount = checked(unit.checked_mul(Units::from(line.quantity)))?;
        lines.push(WorkLine {
            product,
            variant,
            quantity: line.quantity,
            unit_price,
            unit,
            amount,
            remaining: amount,
            adjustments: Vec::new(),
        });
    }
    Ok(lines)
}
