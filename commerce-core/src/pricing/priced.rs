//! The result of pricing a cart: every line, every adjustment and why, tax and totals.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{CouponCode, CouponRejection, UnitPrice};
use crate::catalog::Sku;
use crate::ids::{ProductId, PromotionId, ShippingMethodId, VariantId};
use crate::money::{Currency, Money};

/// A discount on one line (or on shipping), saying which promotion gave it and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// The promotion that gave it.
    pub promotion: PromotionId,
    /// How much it takes off, in minor units; always positive.
    pub amount: Money,
    /// The rule that produced it.
    pub reason: AdjustmentReason,
}

/// Why an adjustment was made, in terms a storefront can turn into a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdjustmentReason {
    /// A percentage off this line.
    PercentOffItems {
        /// The percentage.
        percent: Decimal,
    },
    /// A fixed amount off each unit of this line.
    AmountOffItems {
        /// Off each unit.
        per_unit: Money,
    },
    /// Some of this line's units were the discounted ones of a buy-X-get-Y.
    BuyXGetY {
        /// Units to buy.
        buy: u32,
        /// Units discounted per group.
        get: u32,
        /// How many of this line's units were discounted.
        discounted_units: u32,
        /// Percent off those units.
        percent: Decimal,
    },
    /// This line's share of a percentage off the order.
    ShareOfPercentOffOrder {
        /// The order-level percentage.
        percent: Decimal,
    },
    /// This line's share of a fixed amount off the order.
    ShareOfAmountOffOrder {
        /// The whole order-level amount.
        amount: Money,
    },
    /// Shipping made free.
    FreeShipping,
}

/// The tax on a line or on shipping; [`PricedCart::tax_lines`] names the rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedTax {
    /// The rate as a fraction.
    pub rate: Decimal,
    /// The tax amount.
    pub amount: Money,
}

/// One priced line. In a tax-exclusive store `net = amount - discount` and
/// `gross = net + tax`; in a tax-inclusive store `gross = amount - discount` and
/// `net = gross - tax`. Either way `gross = net + tax` exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// The product.
    pub product: ProductId,
    /// The variant.
    pub variant: VariantId,
    /// The variant's SKU.
    pub sku: Sku,
    /// The product's name.
    pub name: Arc<str>,
    /// Units.
    pub quantity: u32,
    /// The current unit price and where it came from.
    pub unit_price: UnitPrice,
    /// `unit_price × quantity`, before discounts.
    pub amount: Money,
    /// Every discount on the line, in the order applied.
    pub adjustments: Vec<Adjustment>,
    /// The sum of the adjustments.
    pub discount: Money,
    /// The line without tax, after discounts.
    pub net: Money,
    /// The tax, if any rate applies.
    pub tax: Option<AppliedTax>,
    /// The line with tax, after discounts.
    pub gross: Money,
}

/// The priced shipping charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedShipping {
    /// The method.
    pub method: ShippingMethodId,
    /// Its name.
    pub name: String,
    /// Its price for this parcel, before thresholds and promotions.
    pub price: Money,
    /// True when the cart reached the method's free-shipping threshold.
    pub free_over_threshold: bool,
    /// Promotion discounts on shipping.
    pub adjustments: Vec<Adjustment>,
    /// The charge without tax.
    pub net: Money,
    /// Tax on shipping, if it is taxed.
    pub tax: Option<AppliedTax>,
    /// The charge with tax.
    pub gross: Money,
}

/// Tax summed by rate, as a receipt shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    /// The rate's name.
    pub name: String,
    /// The rate as a fraction.
    pub rate: Decimal,
    /// The net amount taxed at this rate.
    pub taxable: Money,
    /// The tax at this rate (the sum of the per-line, already rounded, taxes).
    pub tax: Money,
}

/// What happened to a promotion that was considered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionOutcome {
    /// The promotion.
    pub promotion: PromotionId,
    /// Its name.
    pub name: Arc<str>,
    /// Its coupon code, if it has one.
    pub coupon: Option<CouponCode>,
    /// Applied, or why not.
    pub result: PromotionResult,
}

/// Applied with a total, or not applied with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PromotionResult {
    /// It applied.
    Applied {
        /// Everything it took off, lines and shipping together.
        discount: Money,
    },
    /// It did not apply.
    NotApplied {
        /// Why.
        reason: NotApplied,
    },
}

/// Why a promotion did not apply, with the figures a shopper needs ("spend 12.00 more").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotApplied {
    /// The coupon cannot be used by this shopper now.
    Rejected {
        /// Why.
        rejection: CouponRejection,
    },
    /// The subtotal is below the minimum.
    MinSubtotal {
        /// The minimum.
        required: Money,
        /// The cart's subtotal.
        current: Money,
    },
    /// Too few units in the cart.
    MinQuantity {
        /// The minimum.
        required: u32,
        /// Units in the cart.
        current: u32,
    },
    /// No line is targeted.
    NoMatchingItems,
    /// Too few targeted units for one buy-X-get-Y group.
    NotEnoughItems {
        /// Units needed.
        required: u32,
        /// Targeted units in the cart.
        current: u32,
    },
    /// A free-shipping promotion, but no shipping method chosen.
    NoShippingChosen,
    /// Nothing left to discount.
    NothingToDiscount,
    /// The promotion's amounts are in another currency than the cart.
    CurrencyMismatch,
    /// An exclusive promotion and another one cannot both apply; `with` is the one that
    /// did.
    NotCombinable {
        /// The promotion that applied instead.
        with: PromotionId,
    },
}

/// A coupon code on the cart that matched nothing usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedCoupon {
    /// The code.
    pub code: CouponCode,
    /// Why.
    pub rejection: CouponRejection,
}

/// The cart's totals. `total = Σ line gross + shipping gross`; in a tax-exclusive store
/// that is `items - discount + shipping + tax`, in a tax-inclusive one
/// `items - discount + shipping` (the tax is inside).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// The lines before discounts.
    pub items: Money,
    /// Discounts on the lines.
    pub discount: Money,
    /// Shipping after its discounts (net in an exclusive store, gross in an inclusive one).
    pub shipping: Money,
    /// Discounts on shipping.
    pub shipping_discount: Money,
    /// All tax.
    pub tax: Money,
    /// What the shopper pays.
    pub total: Money,
}

/// A priced cart: the output of [`super::price_cart`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedCart {
    /// The cart's currency.
    pub currency: Currency,
    /// The lines, in cart order.
    pub lines: Vec<PricedLine>,
    /// Shipping, when a method is chosen and the cart is not empty.
    pub shipping: Option<PricedShipping>,
    /// Tax by rate.
    pub tax_lines: Vec<TaxLine>,
    /// Each promotion considered: applied or why not. Automatic promotions outside their
    /// dates, groups or limits are left out.
    pub promotions: Vec<PromotionOutcome>,
    /// Codes on the cart that no usable promotion has.
    pub rejected_coupons: Vec<RejectedCoupon>,
    /// The totals.
    pub totals: Totals,
}

impl fmt::Display for AdjustmentReason {
    /// A short phrase for a receipt: `10% off`, `buy 2 get 1: 1 unit 100% off`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdjustmentReason::PercentOffItems { percent } => write!(f, "{percent}% off"),
            AdjustmentReason::AmountOffItems { per_unit } => write!(f, "{per_unit} off each"),
            AdjustmentReason::BuyXGetY {
                buy,
                get,
                discounted_units,
                percent,
            } => {
                let units = if *discounted_units == 1 {
                    "unit"
                } else {
                    "units"
                };
                write!(
                    f,
                    "buy {buy} get {get}: {discounted_units} {units} {percent}% off"
                )
            }
            AdjustmentReason::ShareOfPercentOffOrder { percent } => {
                write!(f, "share of {percent}% off the order")
            }
            AdjustmentReason::ShareOfAmountOffOrder { amount } => {
                write!(f, "share of {amount} off the order")
            }
            AdjustmentReason::FreeShipping => f.write_str("free shipping"),
        }
    }
}

impl fmt::Display for NotApplied {
    /// Why a promotion did not apply, as a shopper would read it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotApplied::Rejected { rejection } => write!(f, "the code {rejection}"),
            NotApplied::MinSubtotal { required, current } => match required.checked_sub(*current) {
                Ok(missing) => write!(f, "spend {missing} more (minimum {required})"),
                Err(_) => write!(f, "needs a subtotal of {required}"),
            },
            NotApplied::MinQuantity { required, current } => {
                write!(f, "needs {required} items, the cart has {current}")
            }
            NotApplied::NoMatchingItems => f.write_str("no item in the cart qualifies"),
            NotApplied::NotEnoughItems { required, current } => {
                write!(
                    f,
                    "needs {required} qualifying items, the cart has {current}"
                )
            }
            NotApplied::NoShippingChosen => f.write_str("choose a shipping method first"),
            NotApplied::NothingToDiscount => f.write_str("nothing left to discount"),
            NotApplied::CurrencyMismatch => f.write_str("not offered in this currency"),
            NotApplied::NotCombinable { .. } => {
                f.write_str("cannot be combined with a promotion already applied")
            }
        }
    }
}
