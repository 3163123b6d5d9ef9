//! Promotions: what they give, when they apply, how they stack, and coupon codes.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{CustomerGroup, PricingContext};
use crate::error::Error;
use crate::ids::{CategoryId, ProductId, PromotionId};
use crate::money::Money;
use crate::text::{self, MAX_LINE_CHARS};

/// A coupon code, compared case-insensitively: `summer10` and `SUMMER10` are one code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CouponCode(String);

impl CouponCode {
    /// Trims and upper-cases; 1–64 characters of letters, digits, `-` and `_`.
    pub fn parse(code: &str) -> Result<Self, Error> {
        let code = code.trim();
        if code.is_empty()
            || code.len() > 64
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::invalid(
                "coupon",
                "1 to 64 letters, digits, '-' or '_'",
            ));
        }
        Ok(CouponCode(code.to_ascii_uppercase()))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CouponCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        CouponCode::parse(&s)
    }
}

impl From<CouponCode> for String {
    fn from(code: CouponCode) -> String {
        code.0
    }
}

impl fmt::Display for CouponCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which products an item-level benefit reaches: listed products, and products in the
/// listed categories or any of their sub-categories.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Products by id.
    pub products: BTreeSet<ProductId>,
    /// Categories, sub-categories included.
    pub categories: BTreeSet<CategoryId>,
}

impl Target {
    /// Exactly these products.
    pub fn products(ids: impl IntoIterator<Item = ProductId>) -> Self {
        Target {
            products: ids.into_iter().collect(),
            categories: BTreeSet::new(),
        }
    }

    /// Everything in these categories and below.
    pub fn categories(ids: impl IntoIterator<Item = CategoryId>) -> Self {
        Target {
            products: BTreeSet::new(),
            categories: ids.into_iter().collect(),
        }
    }
}

/// What a promotion gives. Percentages are in percent (`10` = 10 %).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Benefit {
    /// A percentage off the whole order, allocated over the lines.
    PercentOffOrder {
        /// Percent off, 0–100.
        percent: Decimal,
    },
    /// A fixed amount off the whole order (never more than the order), allocated over the
    /// lines.
    AmountOffOrder {
        /// The amount.
        amount: Money,
    },
    /// A percentage off the targeted lines.
    PercentOffItems {
        /// The lines it reaches.
        target: Target,
        /// Percent off, 0–100.
        percent: Decimal,
    },
    /// A fixed amount off each targeted unit (never more than the unit costs).
    AmountOffItems {
        /// The lines it reaches.
        target: Target,
        /// Off each unit.
        amount_per_unit: Money,
    },
    /// For every `buy + get` targeted units, the `get` cheapest are `percent` off
    /// (100 = free).
    BuyXGetY {
        /// The units that count and can be discounted.
        target: Target,
        /// Units to buy.
        buy: u32,
        /// Units discounted per group.
        get: u32,
        /// Percent off the discounted units, 0–100.
        percent: Decimal,
    },
    /// The chosen shipping method costs nothing.
    FreeShipping,
}

impl Benefit {
    /// The products and categories an item benefit reaches; `None` for order and
    /// shipping benefits.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Benefit::PercentOffItems { target, .. }
            | Benefit::AmountOffItems { target, .. }
            | Benefit::BuyXGetY { target, .. } => Some(target),
            Benefit::PercentOffOrder { .. }
            | Benefit::AmountOffOrder { .. }
            | Benefit::FreeShipping => None,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let percent_ok = |p: &Decimal| *p > Decimal::ZERO && *p <= Decimal::ONE_HUNDRED;
        let amount_ok = |m: &Money| m.is_positive() && m.is_in_minor_units();
        let ok = match self {
            Benefit::PercentOffOrder { percent } | Benefit::PercentOffItems { percent, .. } => {
                percent_ok(percent)
            }
            Benefit::AmountOffOrder { amount } => amount_ok(amount),
            Benefit::AmountOffItems {
                amount_per_unit, ..
            } => amount_ok(amount_per_unit),
            Benefit::BuyXGetY {
                buy, get, percent, ..
            } => *buy > 0 && *get > 0 && percent_ok(percent),
            Benefit::FreeShipping => true,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "benefit",
                "percentages are above 0 and at most 100; amounts positive in minor units; buy and get at least 1",
            ))
        }
    }
}

/// A condition that must hold for a promotion to apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// The merchandise subtotal before discounts reaches this.
    MinSubtotal {
        /// The threshold.
        amount: Money,
    },
    /// The cart holds at least this many units.
    MinQuantity {
        /// The threshold.
        quantity: u32,
    },
    /// The shopper belongs to one of these groups.
    CustomerGroups {
        /// The groups.
        groups: BTreeSet<CustomerGroup>,
    },
    /// Only within these dates: from `starts_at` inclusive to `ends_at` exclusive.
    DateWindow {
        /// First instant, if bounded.
        starts_at: Option<DateTime<Utc>>,
        /// First instant after, if bounded.
        ends_at: Option<DateTime<Utc>>,
    },
    /// Only on a signed-in customer's first order.
    FirstOrder,
}

/// Whether a promotion may combine with others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stacking {
    /// Combines with every other combinable promotion.
    #[default]
    Combinable,
    /// Applies alone: only if it is the first promotion that applies, and then nothing
    /// else does.
    Exclusive,
}

/// A promotion: automatic when it has no coupon code, otherwise applied by its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// The promotion's id.
    pub id: PromotionId,
    /// Shown to shoppers ("10% off everything").
    pub name: Arc<str>,
    /// The code that applies it; `None` for an automatic promotion.
    pub coupon: Option<CouponCode>,
    /// What it gives.
    pub benefit: Benefit,
    /// What must hold (all of them).
    pub conditions: Vec<Condition>,
    /// Exclusive or combinable.
    pub stacking: Stacking,
    /// Higher goes first; ties go to the lower id.
    pub priority: i32,
    /// Redemptions allowed in total.
    pub usage_limit: Option<u32>,
    /// Redemptions allowed per customer.
    pub per_customer_limit: Option<u32>,
}

impl Promotion {
    /// A combinable automatic promotion of priority 0 with no conditions; refine it with
    /// the builder methods. `name` is one line of at most [`MAX_LINE_CHARS`] characters
    /// (see [`crate::text`]).
    pub fn new(id: PromotionId, name: &str, benefit: Benefit) -> Result<Self, Error> {
        benefit.validate()?;
        Ok(Promotion {
            id,
            name: text::line("name", name, MAX_LINE_CHARS)?.into(),
            coupon: None,
            benefit,
            conditions: Vec::new(),
            stacking: Stacking::Combinable,
            priority: 0,
            usage_limit: None,
            per_customer_limit: None,
        })
    }

    /// Applies only with `code` (builder style).
    pub fn with_coupon(mut self, code: CouponCode) -> Self {
        self.coupon = Some(code);
        self
    }

    /// Adds a condition (builder style).
    pub fn when(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Makes it exclusive (builder style).
    pub fn exclusive(mut self) -> Self {
        self.stacking = Stacking::Exclusive;
        self
    }

    /// Sets the priority (builder style).
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// Limits total redemptions (builder style).
    pub fn limit_uses(mut self, limit: u32) -> Self {
        self.usage_limit = Some(limit);
        self
    }

    /// Limits redemptions per customer (builder style).
    pub fn limit_per_customer(mut self, limit: u32) -> Self {
        self.per_customer_limit = Some(limit);
        self
    }

    /// Checks what does not depend on the cart's contents: dates, the shopper's group and
    /// order history, and usage limits.
    pub fn check_shopper(&self, context: &PricingContext) -> Result<(), CouponRejection> {
        let shopper = &context.shopper;
        for condition in &self.conditions {
            match condition {
                Condition::DateWindow { starts_at, .. }
                    if starts_at.is_some_and(|s| context.now < s) =>
                {
                    return Err(CouponRejection::NotYetValid);
                }
                Condition::DateWindow { ends_at, .. }
                    if ends_at.is_some_and(|e| context.now >= e) =>
                {
                    return Err(CouponRejection::Expired);
                }
                Condition::CustomerGroups { groups }
                    if !shopper.group.as_ref().is_some_and(|g| groups.contains(g)) =>
                {
                    return Err(CouponRejection::CustomerGroupNotEligible);
                }
                Condition::FirstOrder if shopper.customer.is_none() => {
                    return Err(CouponRejection::SignInRequired);
                }
                Condition::FirstOrder if shopper.previous_orders > 0 => {
                    return Err(CouponRejection::FirstOrderOnly);
                }
                _ => {}
            }
        }
        if self
            .usage_limit
            .is_some_and(|limit| context.usage.total_uses(self.id) >= limit)
        {
            return Err(CouponRejection::UsageLimitReached);
        }
        if let Some(limit) = self.per_customer_limit {
            if shopper.customer.is_none() {
                return Err(CouponRejection::SignInRequired);
            }
            if context.usage.shopper_uses(self.id) >= limit {
                return Err(CouponRejection::CustomerLimitReached);
            }
        }
        Ok(())
    }
}

/// Why a coupon code (or a promotion) cannot be used by this shopper now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CouponRejection {
    /// No promotion has this code.
    Unknown,
    /// Its start date is still ahead.
    NotYetValid,
    /// Its end date has passed.
    Expired,
    /// It has been redeemed as often as allowed.
    UsageLimitReached,
    /// This customer has redeemed it as often as allowed.
    CustomerLimitReached,
    /// The shopper's customer group is not eligible.
    CustomerGroupNotEligible,
    /// Only valid on a first order.
    FirstOrderOnly,
    /// Only for signed-in customers.
    SignInRequired,
    /// Already applied to this cart.
    AlreadyApplied,
}

impl fmt::Display for CouponRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CouponRejection::Unknown => "does not exist",
            CouponRejection::NotYetValid => "is not valid yet",
            CouponRejection::Expired => "has expired",
            CouponRejection::UsageLimitReached => "has reached its usage limit",
            CouponRejection::CustomerLimitReached => {
                "has been used as often as allowed per customer"
            }
            CouponRejection::CustomerGroupNotEligible => "is not available to your customer group",
            CouponRejection::FirstOrderOnly => "is only valid on a first order",
            CouponRejection::SignInRequired => "requires signing in",
            CouponRejection::AlreadyApplied => "is already applied",
        })
    }
}

/// Finds the promotion for `code` and checks it for this shopper, as a cart does before
/// accepting a coupon.
///
/// # Errors
/// [`Error::Coupon`] naming the code and the [`CouponRejection`].
pub fn find_coupon<'a>(
    promotions: &'a [Promotion],
    code: &CouponCode,
    context: &PricingContext,
) -> Result<&'a Promotion, Error> {
    let reject = |rejection| Error::Coupon {
        code: code.to_string(),
        rejection,
    };
    let promotion = promotions
        .iter()
        .find(|p| p.coupon.as_ref() == Some(code))
        .ok_or_else(|| reject(CouponRejection::Unknown))?;
    promotion.check_shopper(context).map_err(reject)?;
    Ok(promotion)
}
