//! Which promotions apply: shopper and cart checks, stacking, and the index that finds
//! a promotion's target lines.

use rustc_hash::FxHashMap;

use crate::cart::Cart;
use crate::catalog::Catalog;
use crate::error::Error;
use crate::ids::{CategoryId, ProductId};
use crate::money::{Currency, Money};
use crate::pricing::priced::{NotApplied, PromotionOutcome, PromotionResult};
use crate::pricing::{
    Benefit, Condition, PricingContext, PricingRules, Promotion, Stacking, Target,
};

use super::Units;
use super::lines::WorkLine;

/// For every product and category some candidate promotion targets, the cart lines it
/// reaches (a category reaches the lines filed under it or below), so that finding a
/// promotion's targets costs its own targets, not a scan of the cart per promotion.
#[derive(Default)]
pub(super) struct LineIndex {
    pub(super) by_product: FxHashMap<ProductId, Vec<usize>>,
    pub(super) by_category: FxHashMap<CategoryId, Vec<usize>>,
}

impl LineIndex {
    pub(super) fn new(
        lines: &[WorkLine<'_>],
        catalog: &Catalog,
        candidates: &[&Promotion],
    ) -> Self {
        let mut index = LineIndex::default();
        for promotion in candidates {
            if let Some(target) = promotion.benefit.target() {
                for product in &target.products {
                    index.by_product.entry(*product).or_default();
                }
                for category in &target.categories {
                    index.by_category.entry(*category).or_default();
                }
            }
        }
        if index.by_product.is_empty() && index.by_category.is_empty() {
            return index;
        }
        for (i, line) in lines.iter().enumerate() {
            if let Some(reached) = index.by_product.get_mut(&line.product.id()) {
                reached.push(i);
            }
            let lineage = line
                .product
                .category()
                .map_or(&[][..], |c| catalog.categories().lineage(c));
            for category in lineage {
                if let Some(reached) = index.by_category.get_mut(category) {
                    reached.push(i);
                }
            }
        }
        index
    }

    /// The targeted lines, in cart order, each once.
    pub(super) fn targeted(&self, target: &Target) -> Vec<usize> {
        let products = target
            .products
            .iter()
            .filter_map(|p| self.by_product.get(p));
        let categories = target
            .categories
            .iter()
            .filter_map(|c| self.by_category.get(c));
        let mut lines: Vec<usize> = products.chain(categories).flatten().copied().collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}

/// What the cart checks of a promotion look at.
pub(super) struct CartFacts {
    pub(super) currency: Currency,
    pub(super) items: Units,
    pub(super) units: u32,
    pub(super) has_shipping: bool,
}

/// A promotion that will apply, with the lines its benefit targets (for item benefits).
pub(super) struct Choice<'r> {
    pub(super) promotion: &'r Promotion,
    pub(super) targeted: Vec<usize>,
}

/// Walks the promotions by priority and decides which apply, recording an outcome for
/// each one considered. Applied outcomes get their totals later.
pub(super) fn choose_promotions<'r>(
    cart: &Cart,
    catalog: &Catalog,
    rules: &'r PricingRules,
    context: &PricingContext,
    lines: &[WorkLine<'_>],
    facts: &CartFacts,
) -> Result<(Vec<PromotionOutcome>, Vec<Choice<'r>>), Error> {
    let mut candidates: Vec<&Promotion> = rules
        .promotions
        .iter()
        .filter(|p| p.coupon.as_ref().is_none_or(|c| cart.coupons().contains(c)))
        .collect();
    candidates.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(&b.id)));

    let index = LineIndex::new(lines, catalog, &candidates);
    let mut outcomes = Vec::new();
    let mut chosen: Vec<Choice<'r>> = Vec::new();
    for promotion in candidates {
        let verdict = match promotion.check_shopper(context) {
            Err(_) if promotion.coupon.is_none() => continue,
            Err(rejection) => Err(NotApplied::Rejected { rejection }),
            Ok(()) => check_cart(promotion, lines, &index, facts)?,
        };
        let verdict = verdict.and_then(|targeted| match chosen.first() {
            Some(first)
                if first.promotion.stacking == Stacking::Exclusive
                    || promotion.stacking == Stacking::Exclusive =>
            {
                Err(NotApplied::NotCombinable {
                    with: first.promotion.id,
                })
            }
            _ => Ok(targeted),
        });
        let result = match verdict {
            Ok(targeted) => {
                chosen.push(Choice {
                    promotion,
                    targeted,
                });
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
    Ok((outcomes, chosen))
}

/// The conditions that depend on the cart, and whether the benefit has anything to act
/// on. On success, the targeted lines of an item benefit.
pub(super) fn check_cart(
    promotion: &Promotion,
    lines: &[WorkLine<'_>],
    index: &LineIndex,
    facts: &CartFacts,
) -> Result<Result<Vec<usize>, NotApplied>, Error> {
    let in_currency = |m: &Money| -> Result<Result<Units, NotApplied>, Error> {
        if m.currency() == facts.currency {
            Ok(Ok(m.to_minor_units()?))
        } else {
            Ok(Err(NotApplied::CurrencyMismatch))
        }
    };
    for condition in &promotion.conditions {
        match condition {
            Condition::MinSubtotal { amount } => match in_currency(amount)? {
                Err(reason) => return Ok(Err(reason)),
                Ok(required) if facts.items < required => {
                    return Ok(Err(NotApplied::MinSubtotal {
                        required: *amount,
                        current: Money::from_minor_units(facts.items, facts.currency),
                    }));
                }
                Ok(_) => {}
            },
            Condition::MinQuantity { quantity } if facts.units < *quantity => {
                return Ok(Err(NotApplied::MinQuantity {
                    required: *quantity,
                    current: facts.units,
                }));
            }
            _ => {}
        }
    }
    let targeted = |target: &Target| -> (Vec<usize>, u32) {
        let indices = index.targeted(target);
        let units = indices
            .iter()
            .fold(0_u32, |acc, &i| acc.saturating_add(lines[i].quantity));
        (indices, units)
    };
    let verdict = match &promotion.benefit {
        Benefit::PercentOffOrder { .. } | Benefit::AmountOffOrder { .. } if facts.items == 0 => {
            Err(NotApplied::NothingToDiscount)
        }
        Benefit::AmountOffOrder { amount } => in_currency(amount)?.map(|_| Vec::new()),
        Benefit::PercentOffOrder { .. } => Ok(Vec::new()),
        Benefit::AmountOffItems {
            amount_per_unit, ..
        } if in_currency(amount_per_unit)?.is_err() => Err(NotApplied::CurrencyMismatch),
        Benefit::PercentOffItems { target, .. } | Benefit::AmountOffItems { target, .. } => {
            let (indices, _) = targeted(target);
            if indices.is_empty() {
                Err(NotApplied::NoMatchingItems)
            } else {
                Ok(indices)
            }
        }
        // A hand-built promotion can skip `Promotion::new`'s checks: nothing to give.
        Benefit::BuyXGetY { buy, get, .. } if *buy == 0 || *get == 0 => {
            Err(NotApplied::NothingToDiscount)
        }
        Benefit::BuyXGetY {
            target, buy, get, ..
        } => {
            let required = buy.saturating_add(*get);
            let (indices, current) = targeted(target);
            if current < required {
                Err(NotApplied::NotEnoughItems { required, current })
            } else {
                Ok(indices)
            }
        }
        Benefit::FreeShipping if !facts.has_shipping => Err(NotApplied::NoShippingChosen),
        Benefit::FreeShipping => Ok(Vec::new()),
    };
    Ok(verdict)
}
