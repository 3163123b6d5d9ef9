//! `price_cart`: the pure function from cart, catalog and rules to a priced cart.
//!
//! The steps, in order:
//! 1. each line gets its current unit price from the price book (`amount = unit × qty`);
//! 2. promotions are considered by priority (higher first, then id): coupon promotions
//!    only when their code is on the cart; each must pass the shopper checks (dates,
//!    group, first order, usage limits) and the cart checks (minimum subtotal and
//!    quantity, something to discount); an exclusive one applies only if nothing applied
//!    before it, and stops the rest;
//! 3. the chosen promotions apply in phases: item discounts, then order discounts,
//!    then shipping; a percentage over several lines (off chosen items, or off the
//!    order) is one total over their sum, rounded once and allocated over them by
//!    largest remainder; each discount takes at most what is left of the line;
//! 4. tax is computed per line on the discounted amount and rounded per line.
//!
//! Rounding to minor units happens only at: each percentage promotion's total (items or
//! order), each buy-X-get-Y line's discount, each amount-off-order total, each line's
//! (and shipping's) tax.
//!
//! Unit prices are whole minor units (price lists refuse anything finer), so the engine
//! works in integer minor units throughout: a percentage or a tax rate is an exact
//! rational (`units × m / 10^s`, or `units × m / (10^s + m)` for tax inside a price),
//! divided and rounded once in the store's mode. Exact, and fast enough to price a
//! 200-line cart against 50 promotions on every page view.

mod discounts;
mod lines;
mod selection;
mod shipping_charge;
mod tax_summary;

use super::priced::{PricedCart, PromotionOutcome, PromotionResult, RejectedCoupon, Totals};
use super::{CouponRejection, PricingContext, PricingRules, TaxMode};
use crate::cart::Cart;
use crate::catalog::Catalog;
use crate::error::Error;
use crate::money::{Currency, Money, RoundingMode};

use discounts::{Splitter, apply_item_benefit, reserve_adjustments};
use lines::{WorkLine, resolve_lines};
use selection::{CartFacts, Choice, choose_promotions};
use shipping_charge::{ShippingCharge, ShippingQuote, quote_shipping};
use tax_summary::TaxSummary;

/// An exact amount in the cart currency's minor units.
type Units = i64;

/// Prices `cart` against `catalog` and `rules` for `context`. Same input, same output.
///
/// # Errors
/// [`Error::NotFound`] for a line whose variant left the catalog or an unknown shipping
/// method; [`Error::ProductNotActive`]; [`Error::NoPrice`] when a line has no price in the
/// cart's currency; [`Error::InvalidInput`] (`shipping_method`) when the chosen method
/// does not ship there or takes no parcel this heavy; [`Error::CurrencyMismatch`] when a
/// shipping method is priced in another currency; [`Error::Overflow`] for amounts beyond
/// `i64` minor units. Coupon problems are not errors here: they are reported in
/// [`PricedCart::promotions`] and [`PricedCart::rejected_coupons`].
pub fn price_cart(
    cart: &Cart,
    catalog: &Catalog,
    rules: &PricingRules,
    context: &PricingContext,
) -> Result<PricedCart, Error> {
    let currency = cart.currency();
    let rounding = rules.settings.rounding;
    let mut lines = resolve_lines(cart, catalog, rules, context)?;
    let items = add_all(lines.iter().map(|l| l.amount))?;
    let units = lines
        .iter()
        .fold(0_u32, |acc, l| acc.saturating_add(l.quantity));
    let shipping_quote = quote_shipping(&lines, rules, context, currency)?;

    let facts = CartFacts {
        currency,
        items,
        units,
        has_shipping: shipping_quote.is_some(),
    };
    let (mut outcomes, chosen) = choose_promotions(cart, catalog, rules, context, &lines, &facts)?;
    let (shipping, merchandise) = apply_promotions(
        &chosen,
        &mut lines,
        shipping_quote,
        &mut outcomes,
        currency,
        rounding,
    )?;

    let mut taxes = TaxSummary::new(rules, context, currency);
    let mut priced_lines = Vec::with_capacity(lines.len());
    let mut lines_gross: Units = 0;
    for line in lines {
        let taxed = taxes.add(line.remaining, line.product.tax_category())?;
        lines_gross = checked(lines_gross.checked_add(taxed.gross))?;
        priced_lines.push(line.priced(taxed, currency));
    }
    let shipping = shipping
        .map(|charge| charge.taxed(&mut taxes, currency))
        .transpose()?;

    let (shipping_charged, shipping_gross, shipping_discount) = match &shipping {
        Some((_, taxed, discount)) => match rules.settings.tax_mode {
            TaxMode::Exclusive => (taxed.net, taxed.gross, *discount),
            TaxMode::Inclusive => (taxed.gross, taxed.gross, *discount),
        },
        None => (0, 0, 0),
    };
    let totals = Totals {
        items: Money::from_minor_units(items, currency),
        discount: Money::from_minor_units(items - merchandise, currency),
        shipping: Money::from_minor_units(shipping_charged, currency),
        shipping_discount: Money::from_minor_units(shipping_discount, currency),
        tax: Money::from_minor_units(taxes.total()?, currency),
        total: Money::from_minor_units(checked(lines_gross.checked_add(shipping_gross))?, currency),
    };
    Ok(PricedCart {
        currency,
        lines: priced_lines,
        shipping: shipping.map(|(priced, _, _)| priced),
        tax_lines: taxes.into_lines(),
        promotions: outcomes,
        rejected_coupons: unknown_coupons(cart, rules),
        totals,
    })
}

/// Applies the chosen promotions in their phases — item discounts, order discounts,
/// shipping — and fills in each applied outcome's total. Returns the shipping charge and
/// the merchandise total after discounts.
fn apply_promotions<'r>(
    chosen: &[Choice<'_>],
    lines: &mut [WorkLine<'_>],
    shipping: Option<ShippingQuote<'r>>,
    outcomes: &mut [PromotionOutcome],
    currency: Currency,
    rounding: RoundingMode,
) -> Result<(Option<ShippingCharge<'r>>, Units), Error> {
    reserve_adjustments(lines, chosen);
    let mut taken: Vec<Units> = vec![0; chosen.len()];
    let mut splitter = Splitter::default();
    for (slot, choice) in chosen.iter().enumerate() {
        taken[slot] += apply_item_benefit(choice, lines, currency, rounding, &mut splitter)?;
    }
    for (slot, choice) in chosen.iter().enumerate() {
        taken[slot] += splitter.apply_order_benefit(choice.promotion, lines, currency, rounding)?;
    }
    let merchandise = add_all(lines.iter().map(|l| l.remaining))?;
    let shipping = shipping
        .map(|quote| ShippingCharge::new(quote, chosen, &mut taken, merchandise, currency))
        .transpose()?;
    // `chosen` holds the applied promotions in the order their outcomes were recorded.
    let mut totals = taken.iter();
    for outcome in outcomes {
        if let PromotionResult::Applied { discount } = &mut outcome.result {
            if let Some(&total) = totals.next() {
                *discount = Money::from_minor_units(total, currency);
            }
        }
    }
    Ok((shipping, merchandise))
}

/// Codes on the cart that no promotion has.
fn unknown_coupons(cart: &Cart, rules: &PricingRules) -> Vec<RejectedCoupon> {
    cart.coupons()
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
        .collect()
}

fn checked(value: Option<Units>) -> Result<Units, Error> {
    value.ok_or(Error::Overflow)
}

fn add_all(amounts: impl IntoIterator<Item = Units>) -> Result<Units, Error> {
    amounts
        .into_iter()
        .try_fold(0, |acc: Units, a| acc.checked_add(a))
        .ok_or(Error::Overflow)
}

/// `units × numerator / denominator`, divided and rounded exactly in integers.
fn ratio_of(
    units: Units,
    numerator: i128,
    denominator: Option<i128>,
    rounding: RoundingMode,
) -> Result<Units, Error> {
    i128::from(units)
        .checked_mul(numerator)
        .zip(denominator)
        .and_then(|(n, d)| rounding.divide(n, d))
        .and_then(|q| Units::try_from(q).ok())
        .ok_or(Error::Overflow)
}

fn power_of_ten(exponent: u32) -> Option<i128> {
    10_i128.checked_pow(exponent)
}
