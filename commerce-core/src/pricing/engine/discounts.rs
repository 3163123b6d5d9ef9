//! Item discounts (percentages, amounts, buy-X-get-Y) and order discounts. A percentage
//! over several lines — off chosen items or off the whole order — is one total computed
//! over their sum, rounded once and split over them by largest remainder, so it is
//! exactly the percentage of what it applies to however many lines there are.

use rust_decimal::Decimal;

use crate::error::Error;
use crate::money::{Allocator, Currency, RoundingMode};
use crate::pricing::priced::AdjustmentReason;
use crate::pricing::{Benefit, Promotion};

use super::lines::WorkLine;
use super::selection::Choice;
use super::{Units, add_all, checked, power_of_ten, ratio_of};

/// Gives each line room for every adjustment it can receive, so that applying promotions
/// allocates once per line instead of growing each list step by step.
pub(super) fn reserve_adjustments(lines: &mut [WorkLine<'_>], chosen: &[Choice<'_>]) {
    let order_level = chosen
        .iter()
        .filter(|c| {
            matches!(
                c.promotion.benefit,
                Benefit::PercentOffOrder { .. } | Benefit::AmountOffOrder { .. }
            )
        })
        .count();
    let mut per_line = vec![order_level; lines.len()];
    for choice in chosen {
        for &i in &choice.targeted {
            per_line[i] += 1;
        }
    }
    for (line, room) in lines.iter_mut().zip(per_line) {
        line.adjustments.reserve_exact(room);
    }
}

/// `percent` of `units`, rounded: `units × m / (100 × 10^s)` for a percentage with
/// mantissa `m` and scale `s`.
fn percent_of(units: Units, percent: Decimal, rounding: RoundingMode) -> Result<Units, Error> {
    let percent = percent.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
    let denominator = power_of_ten(percent.scale()).and_then(|p| p.checked_mul(100));
    ratio_of(units, percent.mantissa(), denominator, rounding)
}

/// Applies an item benefit to its targeted lines; returns the total taken.
pub(super) fn apply_item_benefit(
    choice: &Choice<'_>,
    lines: &mut [WorkLine<'_>],
    currency: Currency,
    rounding: RoundingMode,
    splitter: &mut Splitter,
) -> Result<Units, Error> {
    let promotion = choice.promotion;
    let mut taken = 0;
    match &promotion.benefit {
        Benefit::PercentOffItems { percent, .. } => {
            let base = add_all(choice.targeted.iter().map(|&i| lines[i].remaining))?;
            let total = percent_of(base, *percent, rounding)?;
            let reason = AdjustmentReason::PercentOffItems { percent: *percent };
            let targets = choice.targeted.iter().copied();
            taken += splitter.share_out(total, targets, lines, promotion, &reason, currency)?;
        }
        Benefit::AmountOffItems {
            amount_per_unit, ..
        } => {
            let per_unit = amount_per_unit.to_minor_units()?;
            for &i in &choice.targeted {
                let line = &mut lines[i];
                let off = per_unit.saturating_mul(Units::from(line.quantity));
                let reason = AdjustmentReason::AmountOffItems {
                    per_unit: *amount_per_unit,
                };
                taken += line.discount(promotion, off, reason, currency);
            }
        }
        Benefit::BuyXGetY {
            buy, get, percent, ..
        } => {
            let units = choice
                .targeted
                .iter()
                .fold(0_u32, |acc, &i| acc.saturating_add(lines[i].quantity));
            let groups = units.checked_div(buy.saturating_add(*get)).unwrap_or(0);
            let mut discounted_left = groups.saturating_mul(*get);
            // The cheapest units are the discounted ones; ties go to the earlier line.
            let mut cheapest_first = choice.targeted.clone();
            cheapest_first.sort_by_key(|&i| (lines[i].unit, i));
            for i in cheapest_first {
                if discounted_left == 0 {
                    break;
                }
                let line = &mut lines[i];
                let discounted_units = discounted_left.min(line.quantity);
                discounted_left -= discounted_units;
                let full = checked(line.unit.checked_mul(Units::from(discounted_units)))?;
                let off = percent_of(full, *percent, rounding)?;
                let reason = AdjustmentReason::BuyXGetY {
                    buy: *buy,
                    get: *get,
                    discounted_units,
                    percent: *percent,
                };
                taken += line.discount(promotion, off, reason, currency);
            }
        }
        Benefit::PercentOffOrder { .. }
        | Benefit::AmountOffOrder { .. }
        | Benefit::FreeShipping => {}
    }
    Ok(taken)
}

/// Splits one rounded total over lines by largest remainder, in proportion to what is
/// left of each: order benefits over every line, percentages off items over their
/// targets. Keeps its buffers from one promotion to the next.
#[derive(Default)]
pub(super) struct Splitter {
    allocator: Allocator,
    weights: Vec<u64>,
}

impl Splitter {
    /// Applies `promotion` if it is an order benefit; returns the total taken.
    pub(super) fn apply_order_benefit(
        &mut self,
        promotion: &Promotion,
        lines: &mut [WorkLine<'_>],
        currency: Currency,
        rounding: RoundingMode,
    ) -> Result<Units, Error> {
        let base = add_all(lines.iter().map(|l| l.remaining))?;
        let (total, reason) = match &promotion.benefit {
            Benefit::PercentOffOrder { percent } => (
                percent_of(base, *percent, rounding)?,
                AdjustmentReason::ShareOfPercentOffOrder { percent: *percent },
            ),
            Benefit::AmountOffOrder { amount } => (
                amount.to_minor_units()?.min(base),
                AdjustmentReason::ShareOfAmountOffOrder { amount: *amount },
            ),
            _ => return Ok(0),
        };
        self.share_out(total, 0..lines.len(), lines, promotion, &reason, currency)
    }

    /// Takes `total` (at most what the `targets` have left) off the `targets`, each its
    /// largest-remainder share of it; returns what was taken.
    fn share_out(
        &mut self,
        total: Units,
        targets: impl Iterator<Item = usize> + Clone,
        lines: &mut [WorkLine<'_>],
        promotion: &Promotion,
        reason: &AdjustmentReason,
        currency: Currency,
    ) -> Result<Units, Error> {
        let Ok(total @ 1..) = u64::try_from(total) else {
            return Ok(0);
        };
        self.weights.clear();
        for i in targets.clone() {
            self.weights
                .push(u64::try_from(lines[i].remaining).map_err(|_| Error::Overflow)?);
        }
        let shares = self.allocator.split(total, &self.weights)?;
        let mut taken = 0;
        for (i, &share) in targets.zip(shares) {
            let share = Units::try_from(share).map_err(|_| Error::Overflow)?;
            taken += lines[i].discount(promotion, share, reason.clone(), currency);
        }
        Ok(taken)
    }
}
