//! `price_cart`: the pure function from cart, catalog and rules to a priced cart.
//!
//! The steps, in order:
//! 1. each line gets its current unit price from the price book (`amount = unit × qty`);
//! 2. promotions are considered by priority (higher first, then id): coupon promotions
//!    only when their code is on the cart; each must pass the shopper checks (dates,
//!    group, first order, usage limits) and the cart checks (minimum subtotal and
//!    quantity, something to discount); an exclusive one applies only if nothing applied
//!    before it, and stops the rest;
//! 3. the chosen promotions apply in phases: item discounts, then order discounts
//!    (rounded once, allocated over the lines by largest remainder), then shipping;
//!    each discount takes at most what is left of the line;
//! 4. tax is computed per line on the discounted amount and rounded per line.
//!
//! Rounding to minor units happens only at: each line's item discount, each order
//! discount's total, each line's (and shipping's) tax.

use rust_decimal::Decimal;

use super::priced::{
    Adjustment, AdjustmentReason, AppliedTax, NotApplied, PricedCart, PricedLine, PricedShipping,
    PromotionOutcome, PromotionResult, RejectedCoupon, TaxLine, Totals,
};
use super::{
    Benefit, Condition, CouponRejection, PricingContext, PricingRules, Promotion, Stacking,
    TaxCategory, TaxMode, UnitPrice,
};
use crate::cart::Cart;
use crate::catalog::{Catalog, Product, Variant, Weight};
use crate::error::{Entity, Error};
use crate::ids::{CategoryId, PromotionId};
use crate::money::{Currency, Money, RoundingMode, allocate};

/// Prices `cart` against `catalog` and `rules` for `context`. Same input, same output.
///
/// # Errors
/// [`Error::NotFound`] for a line whose variant left the catalog or an unknown shipping
/// method; [`Error::ProductNotActive`]; [`Error::NoPrice`] when a line has no price in the
/// cart's currency; [`Error::InvalidInput`] (`shipping_method`) when the chosen method
/// does not ship there or takes no parcel this heavy; [`Error::CurrencyMismatch`] when a
/// shipping method is priced in another currency. Coupon problems are not errors here:
/// they are reported in [`PricedCart::promotions`] and [`PricedCart::rejected_coupons`].
pub fn price_cart(
    cart: &Cart,
    catalog: &Catalog,
    rules: &PricingRules,
    context: &PricingContext,
) -> Result<PricedCart, Error> {
    let currency = cart.currency();
    let rounding = rules.settings.rounding;
    let mut lines = resolve_lines(cart, catalog, rules, context)?;
    let items = Money::sum(currency, lines.iter().map(|l| l.amount))?;
    let units: u32 = lines
        .iter()
        .map(|l| l.quantity)
        .fold(0, u32::saturating_add);
    let shipping_base = quote_shipping(&lines, rules, context, currency)?;

    let facts = CartFacts {
        currency,
        items,
        units,
        has_shipping: shipping_base.is_some(),
    };
    let (mut outcomes, chosen) = choose_promotions(cart, rules, context, &lines, &facts);

    let mut discounts = Discounts::default();
    for promotion in &chosen {
        discounts.apply_item_benefit(promotion, &mut lines, rounding)?;
    }
    for promotion in &chosen {
        discounts.apply_order_benefit(promotion, &mut lines, rounding)?;
    }
    let merchandise_after_discounts = Money::sum(currency, lines.iter().map(|l| l.remaining))?;
    let shipping = match shipping_base {
        Some(quote) => {
            Some(discounts.apply_shipping(quote, &chosen, merchandise_after_discounts)?)
        }
        None => None,
    };

    for outcome in &mut outcomes {
        if let PromotionResult::Applied { discount } = &mut outcome.result {
            *discount = discounts.total_for(outcome.promotion, currency)?;
        }
    }

    let mut taxes = TaxSummary::default();
    let tax_mode = rules.settings.tax_mode;
    let priced_lines = lines
        .into_iter()
        .map(|line| {
            let category = line.product.tax_category();
            let (net, tax, gross) =
                taxes.add(line.remaining, category, rules, context, rounding)?;
            let discount = line.amount.checked_sub(line.remaining)?;
            Ok(PricedLine {
                product: line.product.id(),
                variant: line.variant.id,
                sku: line.variant.sku.clone(),
                name: line.product.name().to_owned(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                amount: line.amount,
                adjustments: line.adjustments,
                discount,
                net: if tax_mode == TaxMode::Exclusive {
                    line.remaining
                } else {
                    net
                },
                tax,
                gross,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let shipping = match shipping {
        Some(s) => Some(s.taxed(&mut taxes, rules, context, rounding)?),
        None => None,
    };

    let zero = Money::zero(currency);
    let totals = Totals {
        items,
        discount: Money::sum(currency, priced_lines.iter().map(|l| l.discount))?,
        shipping: shipping.as_ref().map_or(Ok(zero), |s| match tax_mode {
            TaxMode::Exclusive => Ok(s.net),
            TaxMode::Inclusive => Ok(s.gross),
        })?,
        shipping_discount: Money::sum(
            currency,
            shipping
                .iter()
                .flat_map(|s| s.adjustments.iter().map(|a| a.amount)),
        )?,
        tax: Money::sum(currency, taxes.lines.iter().map(|t| t.tax))?,
        total: Money::sum(
            currency,
            priced_lines
                .iter()
                .map(|l| l.gross)
                .chain(shipping.iter().map(|s| s.gross)),
        )?,
    };
    let rejected_coupons = cart
        .coupons()
        .iter()
        .filter(|code| {
            !rules
                .promotions
                .iter()
                .any(|p| p.coupon.as_ref() == Some(*code))
        })
        .map(|code| RejectedCoupon {
            code: code.clone(),
            rejection: CouponRejection::Unknown,
        })
        .collect();
    Ok(PricedCart {
        currency,
        lines: priced_lines,
        shipping,
        tax_lines: taxes.lines,
        promotions: outcomes,
        rejected_coupons,
        totals,
    })
}

/// A cart line while it is being priced.
struct WorkLine<'a> {
    product: &'a Product,
    variant: &'a Variant,
    quantity: u32,
    unit_price: UnitPrice,
    amount: Money,
    /// What is left after the discounts applied so far.
    remaining: Money,
    /// The product's category and its ancestors, for category targets.
    category_path: Vec<CategoryId>,
    adjustments: Vec<Adjustment>,
}

impl WorkLine<'_> {
    fn targeted_by(&self, target: &super::Target) -> bool {
        target.matches(self.product.id(), &self.category_path)
    }

    fn discount(
        &mut self,
        promotion: PromotionId,
        amount: Money,
        reason: AdjustmentReason,
    ) -> Result<Money, Error> {
        let amount = amount.min(self.remaining)?;
        if amount.is_positive() {
            self.remaining = self.remaining.checked_sub(amount)?;
            self.adjustments.push(Adjustment {
                promotion,
                amount,
                reason,
            });
        }
        Ok(amount)
    }
}

fn resolve_lines<'a>(
    cart: &Cart,
    catalog: &'a Catalog,
    rules: &PricingRules,
    context: &PricingContext,
) -> Result<Vec<WorkLine<'a>>, Error> {
    cart.lines()
        .iter()
        .map(|line| {
            let (product, variant) = catalog
                .variant(line.variant)
                .ok_or_else(|| Error::not_found(Entity::Variant, line.variant))?;
            if !product.is_active() {
                return Err(Error::ProductNotActive {
                    product: product.id(),
                    status: product.status(),
                });
            }
            let unit_price = rules.price_book.unit_price(
                variant.id,
                cart.currency(),
                context.shopper.group.as_ref(),
                line.quantity,
                context.now,
            )?;
            let amount = unit_price.amount.times(line.quantity)?;
            let category_path = product
                .category()
                .map(|c| catalog.categories().ancestors(c).map(|c| c.id).collect())
                .unwrap_or_default();
            Ok(WorkLine {
                product,
                variant,
                quantity: line.quantity,
                unit_price,
                amount,
                remaining: amount,
                category_path,
                adjustments: Vec::new(),
            })
        })
        .collect()
}

/// The chosen method and its price for this parcel, before thresholds and promotions.
struct ShippingQuote<'a> {
    method: &'a super::ShippingMethod,
    price: Money,
}

fn quote_shipping<'a>(
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
    let price = method.base_price(weight, currency)?;
    Ok(Some(ShippingQuote { method, price }))
}

/// What the cart checks of a promotion look at.
struct CartFacts {
    currency: Currency,
    items: Money,
    units: u32,
    has_shipping: bool,
}

/// Walks the promotions by priority and decides which apply, recording an outcome for
/// each one considered. Applied outcomes get their totals later.
fn choose_promotions<'r>(
    cart: &Cart,
    rules: &'r PricingRules,
    context: &PricingContext,
    lines: &[WorkLine<'_>],
    facts: &CartFacts,
) -> (Vec<PromotionOutcome>, Vec<&'r Promotion>) {
    let mut candidates: Vec<&Promotion> = rules
        .promotions
        .iter()
        .filter(|p| p.coupon.as_ref().is_none_or(|c| cart.coupons().contains(c)))
        .collect();
    candidates.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(&b.id)));

    let mut outcomes = Vec::new();
    let mut chosen: Vec<&Promotion> = Vec::new();
    for promotion in candidates {
        let verdict = match promotion.check_shopper(context) {
            Err(_) if promotion.coupon.is_none() => continue,
            Err(rejection) => Err(NotApplied::Rejected { rejection }),
            Ok(()) => check_cart(promotion, lines, facts),
        };
        let verdict = verdict.and_then(|()| match chosen.first() {
            Some(first) if first.stacking == Stacking::Exclusive => {
                Err(NotApplied::NotCombinable { with: first.id })
            }
            Some(first) if promotion.stacking == Stacking::Exclusive => {
                Err(NotApplied::NotCombinable { with: first.id })
            }
            _ => Ok(()),
        });
        let result = match verdict {
            Ok(()) => {
                chosen.push(promotion);
                PromotionResult::Applied {
                    discount: Money::zero(facts.currency),
                }
            }
            Err(reason) => PromotionResult::NotApplied { reason },
        };
        outcomes.push(PromotionOutcome {
            promotion: promotion.id,
            name: promotion.name.clone(),
            coupon: promotion.coupon.clone(),
            result,
        });
    }
    (outcomes, chosen)
}

/// The conditions that depend on the cart, and whether the benefit has anything to act on.
fn check_cart(
    promotion: &Promotion,
    lines: &[WorkLine<'_>],
    facts: &CartFacts,
) -> Result<(), NotApplied> {
    for condition in &promotion.conditions {
        match condition {
            Condition::MinSubtotal { amount } => {
                if amount.currency() != facts.currency {
                    return Err(NotApplied::CurrencyMismatch);
                }
                if facts.items.amount() < amount.amount() {
                    return Err(NotApplied::MinSubtotal {
                        required: *amount,
                        current: facts.items,
                    });
                }
            }
            Condition::MinQuantity { quantity } if facts.units < *quantity => {
                return Err(NotApplied::MinQuantity {
                    required: *quantity,
                    current: facts.units,
                });
            }
            _ => {}
        }
    }
    let same_currency = |m: &Money| {
        if m.currency() == facts.currency {
            Ok(())
        } else {
            Err(NotApplied::CurrencyMismatch)
        }
    };
    let targeted_units = |target| {
        lines
            .iter()
            .filter(|l| l.targeted_by(target))
            .fold(0_u32, |acc, l| acc.saturating_add(l.quantity))
    };
    match &promotion.benefit {
        Benefit::PercentOffOrder { .. } | Benefit::AmountOffOrder { .. }
            if facts.items.is_zero() =>
        {
            Err(NotApplied::NothingToDiscount)
        }
        Benefit::AmountOffOrder { amount } => same_currency(amount),
        Benefit::PercentOffOrder { .. } => Ok(()),
        Benefit::PercentOffItems { target, .. } | Benefit::AmountOffItems { target, .. }
            if targeted_units(target) == 0 =>
        {
            Err(NotApplied::NoMatchingItems)
        }
        Benefit::AmountOffItems {
            amount_per_unit, ..
        } => same_currency(amount_per_unit),
        Benefit::PercentOffItems { .. } => Ok(()),
        Benefit::BuyXGetY {
            target, buy, get, ..
        } => {
            let required = buy.saturating_add(*get);
            let current = targeted_units(target);
            if current < required {
                Err(NotApplied::NotEnoughItems { required, current })
            } else {
                Ok(())
            }
        }
        Benefit::FreeShipping if !facts.has_shipping => Err(NotApplied::NoShippingChosen),
        Benefit::FreeShipping => Ok(()),
    }
}

/// `percent` of `amount`, rounded.
fn percent_of(amount: Money, percent: Decimal, rounding: RoundingMode) -> Result<Money, Error> {
    let fraction = percent
        .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
        .checked_div(Decimal::ONE_HUNDRED)
        .ok_or(Error::Overflow)?;
    Ok(amount.checked_mul(fraction)?.round(rounding))
}

/// Running totals of what each promotion took off.
#[derive(Default)]
struct Discounts {
    by_promotion: Vec<(PromotionId, Money)>,
}

impl Discounts {
    fn record(&mut self, promotion: PromotionId, amount: Money) -> Result<(), Error> {
        match self.by_promotion.iter_mut().find(|(p, _)| *p == promotion) {
            Some((_, total)) => *total = total.checked_add(amount)?,
            None => self.by_promotion.push((promotion, amount)),
        }
        Ok(())
    }

    fn total_for(&self, promotion: PromotionId, currency: Currency) -> Result<Money, Error> {
        Money::sum(
            currency,
            self.by_promotion
                .iter()
                .filter(|(p, _)| *p == promotion)
                .map(|(_, m)| *m),
        )
    }

    fn apply_item_benefit(
        &mut self,
        promotion: &Promotion,
        lines: &mut [WorkLine<'_>],
        rounding: RoundingMode,
    ) -> Result<(), Error> {
        let id = promotion.id;
        match &promotion.benefit {
            Benefit::PercentOffItems { target, percent } => {
                for line in lines.iter_mut().filter(|l| l.targeted_by(target)) {
                    let off = percent_of(line.remaining, *percent, rounding)?;
                    let reason = AdjustmentReason::PercentOffItems { percent: *percent };
                    let taken = line.discount(id, off, reason)?;
                    self.record(id, taken)?;
                }
            }
            Benefit::AmountOffItems {
                target,
                amount_per_unit,
            } => {
                for line in lines.iter_mut().filter(|l| l.targeted_by(target)) {
                    let off = amount_per_unit.times(line.quantity)?;
                    let reason = AdjustmentReason::AmountOffItems {
                        per_unit: *amount_per_unit,
                    };
                    let taken = line.discount(id, off, reason)?;
                    self.record(id, taken)?;
                }
            }
            Benefit::BuyXGetY {
                target,
                buy,
                get,
                percent,
            } => {
                let mut targeted: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].targeted_by(target))
                    .collect();
                let units = targeted
                    .iter()
                    .fold(0_u32, |acc, &i| acc.saturating_add(lines[i].quantity));
                let group = buy.saturating_add(*get);
                let mut discounted_left = (units / group).saturating_mul(*get);
                // The cheapest units are the discounted ones; ties go to the earlier line.
                targeted.sort_by(|&a, &b| {
                    lines[a]
                        .unit_price
                        .amount
                        .amount()
                        .cmp(&lines[b].unit_price.amount.amount())
                        .then(a.cmp(&b))
                });
                for i in targeted {
                    if discounted_left == 0 {
                        break;
                    }
                    let line = &mut lines[i];
                    let discounted_units = discounted_left.min(line.quantity);
                    discounted_left -= discounted_units;
                    let full = line.unit_price.amount.times(discounted_units)?;
                    let off = percent_of(full, *percent, rounding)?;
                    let reason = AdjustmentReason::BuyXGetY {
                        buy: *buy,
                        get: *get,
                        discounted_units,
                        percent: *percent,
                    };
                    let taken = line.discount(id, off, reason)?;
                    self.record(id, taken)?;
                }
            }
            Benefit::PercentOffOrder { .. }
            | Benefit::AmountOffOrder { .. }
            | Benefit::FreeShipping => {}
        }
        Ok(())
    }

    fn apply_order_benefit(
        &mut self,
        promotion: &Promotion,
        lines: &mut [WorkLine<'_>],
        rounding: RoundingMode,
    ) -> Result<(), Error> {
        let Some(first) = lines.first() else {
            return Ok(());
        };
        let currency = first.amount.currency();
        let base = Money::sum(currency, lines.iter().map(|l| l.remaining))?;
        let (total, reason) = match &promotion.benefit {
            Benefit::PercentOffOrder { percent } => (
                percent_of(base, *percent, rounding)?,
                AdjustmentReason::ShareOfPercentOffOrder { percent: *percent },
            ),
            Benefit::AmountOffOrder { amount } => (
                amount.min(base)?,
                AdjustmentReason::ShareOfAmountOffOrder { amount: *amount },
            ),
            _ => return Ok(()),
        };
        if !total.is_positive() {
            return Ok(());
        }
        let weights: Vec<Decimal> = lines.iter().map(|l| l.remaining.amount()).collect();
        let shares = allocate(total, &weights)?;
        for (line, share) in lines.iter_mut().zip(shares) {
            let taken = line.discount(promotion.id, share, reason.clone())?;
            self.record(promotion.id, taken)?;
        }
        Ok(())
    }

    fn apply_shipping(
        &mut self,
        quote: ShippingQuote<'_>,
        chosen: &[&Promotion],
        merchandise: Money,
    ) -> Result<PricedShipping, Error> {
        let method = quote.method;
        let free_over_threshold = method.free_over.is_some_and(|threshold| {
            threshold.currency() == merchandise.currency()
                && merchandise.amount() >= threshold.amount()
        });
        let mut remaining = if free_over_threshold {
            Money::zero(quote.price.currency())
        } else {
            quote.price
        };
        let mut adjustments = Vec::new();
        for promotion in chosen {
            if promotion.benefit == Benefit::FreeShipping && remaining.is_positive() {
                adjustments.push(Adjustment {
                    promotion: promotion.id,
                    amount: remaining,
                    reason: AdjustmentReason::FreeShipping,
                });
                self.record(promotion.id, remaining)?;
                remaining = Money::zero(remaining.currency());
            }
        }
        Ok(PricedShipping {
            method: method.id,
            name: method.name.clone(),
            price: quote.price,
            free_over_threshold,
            adjustments,
            net: remaining,
            tax: None,
            gross: remaining,
        })
    }
}

impl PricedShipping {
    fn taxed(
        mut self,
        taxes: &mut TaxSummary,
        rules: &PricingRules,
        context: &PricingContext,
        rounding: RoundingMode,
    ) -> Result<Self, Error> {
        let category = rules
            .shipping_method(self.method)
            .and_then(|m| m.tax_category.as_ref());
        if let Some(category) = category {
            let (net, tax, gross) = taxes.add(self.net, category, rules, context, rounding)?;
            self.net = net;
            self.tax = tax;
            self.gross = gross;
        }
        Ok(self)
    }
}

/// Per-rate tax totals, built line by line.
#[derive(Default)]
struct TaxSummary {
    lines: Vec<TaxLine>,
}

impl TaxSummary {
    /// Taxes one discounted amount (net in an exclusive store, gross in an inclusive one)
    /// and returns `(net, tax, gross)` with `gross = net + tax`.
    fn add(
        &mut self,
        amount: Money,
        category: &TaxCategory,
        rules: &PricingRules,
        context: &PricingContext,
        rounding: RoundingMode,
    ) -> Result<(Money, Option<AppliedTax>, Money), Error> {
        let Some(rate) = rules.taxes.rate_for(&context.ship_to, category) else {
            return Ok((amount, None, amount));
        };
        let (net, tax, gross) = match rules.settings.tax_mode {
            TaxMode::Exclusive => {
                let tax = amount.checked_mul(rate.rate)?.round(rounding);
                (amount, tax, amount.checked_add(tax)?)
            }
            TaxMode::Inclusive => {
                let fraction = rate
                    .rate
                    .checked_div(Decimal::ONE + rate.rate)
                    .ok_or(Error::Overflow)?;
                let tax = amount.checked_mul(fraction)?.round(rounding);
                (amount.checked_sub(tax)?, tax, amount)
            }
        };
        match self
            .lines
            .iter_mut()
            .find(|t| t.name == rate.name && t.rate == rate.rate)
        {
            Some(line) => {
                line.taxable = line.taxable.checked_add(net)?;
                line.tax = line.tax.checked_add(tax)?;
            }
            None => self.lines.push(TaxLine {
                name: rate.name.clone(),
                rate: rate.rate,
                taxable: net,
                tax,
            }),
        }
        let applied = AppliedTax {
            name: rate.name.clone(),
            rate: rate.rate,
            amount: tax,
        };
        Ok((net, Some(applied), gross))
    }
}
