//! Splitting an amount across weighted parts so the parts sum exactly to it.

use rust_decimal::Decimal;

use super::Money;
use crate::error::Error;

/// Splits `total` across `weights` in proportion to them, by the largest-remainder method.
///
/// Every part is a whole number of the currency's minor units, the parts sum exactly to
/// `total`, and each part is the exact proportional share rounded down or up by at most
/// one minor unit. Leftover units go to the largest remainders first; ties go to the
/// earlier weight, so the result is deterministic. A non-negative total is never split
/// into a negative part; a negative total is split as its absolute value, then negated.
///
/// When the weights are themselves amounts in minor units and `|total|` does not exceed
/// their sum, no part exceeds its weight: this is what keeps an allocated discount from
/// taking a line below zero.
///
/// Weights that are all zero have nothing to be proportional to: the total is split into
/// equal shares (the leftover units to the earliest parts).
///
/// # Errors
/// [`Error::InvalidInput`] when `total` is finer than minor units, when there are no
/// weights, or when a weight is negative; [`Error::Overflow`] for amounts beyond `i128`
/// arithmetic.
pub fn allocate(total: Money, weights: &[Decimal]) -> Result<Vec<Money>, Error> {
    let invalid = |field: &'static str, reason: &str| Error::InvalidInput {
        field,
        reason: reason.to_owned(),
    };
    if weights.is_empty() {
        return Err(invalid("weights", "nothing to allocate across"));
    }
    if weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
        return Err(invalid("weights", "a weight is negative"));
    }
    let currency = total.currency();
    let total_units = i128::from(total.to_minor_units().map_err(|_| {
        invalid(
            "amount",
            "the amount to allocate must be in whole minor units",
        )
    })?);

    let mut integral = integral_weights(weights)?;
    if integral.iter().all(|w| *w == 0) {
        // Nothing to be proportional to (every line free, say): equal shares.
        integral.iter_mut().for_each(|w| *w = 1);
    }
    let magnitude = total_units.unsigned_abs();
    let narrow: Option<Vec<u64>> = integral.iter().map(|w| u64::try_from(*w).ok()).collect();
    let parts: Vec<i128> = match (narrow, u64::try_from(magnitude)) {
        (Some(weights), Ok(magnitude)) => Allocator::default()
            .split(magnitude, &weights)?
            .iter()
            .map(|p| i128::from(*p))
            .collect(),
        _ => split_wide(magnitude, &integral)?,
    };
    let sign = if total_units < 0 { -1 } else { 1 };
    parts
        .into_iter()
        .map(|units| {
            let units = i64::try_from(units * sign).map_err(|_| Error::Overflow)?;
            Ok(Money::from_minor_units(units, currency))
        })
        .collect()
}

/// Reusable scratch space for largest-remainder splits in whole units: the pricing engine
/// splits one order discount after another over the same lines without allocating.
#[derive(Debug, Default)]
pub(crate) struct Allocator {
    parts: Vec<u64>,
    remainders: Vec<(u64, u32)>,
}

impl Allocator {
    /// Splits `total` across `weights` (not all zero) by largest remainder; ties go to the
    /// earlier weight. The result is valid until the next call.
    pub(crate) fn split(&mut self, total: u64, weights: &[u64]) -> Result<&[u64], Error> {
        let sum = weights
            .iter()
            .try_fold(0_u64, |acc, w| acc.checked_add(*w))
            .ok_or(Error::Overflow)?;
        if sum == 0 && !weights.is_empty() {
            // Nothing to be proportional to: equal shares.
            let even = vec![1; weights.len()];
            return self.split(total, &even);
        }
        if sum == 0 {
            return Err(Error::invalid("weights", "nothing to allocate across"));
        }
        if u32::try_from(weights.len()).is_err() {
            return Err(Error::invalid("weights", "too many parts"));
        }
        self.parts.clear();
        self.remainders.clear();
        let max_weight = weights.iter().copied().max().unwrap_or(0);
        if total.checked_mul(max_weight).is_none() {
            // Beyond 64 bits (amounts no shop has): the exact 128-bit path.
            let wide: Vec<i128> = weights.iter().map(|w| i128::from(*w)).collect();
            for part in split_wide(u128::from(total), &wide)? {
                self.parts
                    .push(u64::try_from(part).map_err(|_| Error::Overflow)?);
            }
            return Ok(&self.parts);
        }
        // One hardware division per part.
        let mut allocated = 0_u64;
        for (index, &weight) in (0_u32..).zip(weights) {
            let numerator = total * weight;
            let part = numerator / sum;
            allocated += part;
            self.parts.push(part);
            self.remainders.push((numerator % sum, index));
        }
        let leftover = usize::try_from(total - allocated).map_err(|_| Error::Overflow)?;
        distribute_leftover(&mut self.remainders, leftover, |index| {
            self.parts[index] += 1
        });
        Ok(&self.parts)
    }
}

/// Gives one extra unit to each of the `leftover` largest remainders (ties: earlier
/// index first). Only those places matter, so this partitions rather than sorts.
fn distribute_leftover<R: Copy + Ord, I: Copy + Ord + TryInto<usize>>(
    remainders: &mut [(R, I)],
    leftover: usize,
    mut bump: impl FnMut(usize),
) {
    if leftover == 0 {
        return;
    }
    let by_priority = |a: &(R, I), b: &(R, I)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if leftover < remainders.len() {
        remainders.select_nth_unstable_by(leftover - 1, by_priority);
    }
    for &(_, index) in remainders.iter().take(leftover) {
        if let Ok(index) = index.try_into() {
            bump(index);
        }
    }
}

/// The exact 128-bit split, for amounts or weights beyond 64 bits.
fn split_wide(magnitude: u128, weights: &[i128]) -> Result<Vec<i128>, Error> {
    let magnitude = i128::try_from(magnitude).map_err(|_| Error::Overflow)?;
    let sum = weights
        .iter()
        .try_fold(0_i128, |acc, w| acc.checked_add(*w))
        .ok_or(Error::Overflow)?;
    if sum <= 0 {
        return Err(Error::invalid("weights", "weights sum to zero"));
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let numerator = magnitude.checked_mul(*weight).ok_or(Error::Overflow)?;
        parts.push(numerator / sum);
        remainders.push((numerator % sum, index));
    }
    let allocated: i128 = parts.iter().sum();
    let leftover = usize::try_from(magnitude - allocated).map_err(|_| Error::Overflow)?;
    distribute_leftover(&mut remainders, leftover, |index| parts[index] += 1);
    Ok(parts)
}

/// Scales every weight to the same number of decimals and returns the integers.
fn integral_weights(weights: &[Decimal]) -> Result<Vec<i128>, Error> {
    let normalized: Vec<Decimal> = weights.iter().map(|w| w.normalize()).collect();
    let scale = normalized.iter().map(Decimal::scale).max().unwrap_or(0);
    normalized
        .iter()
        .map(|w| {
            let shift = 10_i128
                .checked_pow(scale - w.scale())
                .ok_or(Error::Overflow)?;
            w.mantissa().checked_mul(shift).ok_or(Error::Overflow)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::money::Currency;

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::USD)
    }

    #[test]
    fn ten_percent_of_ten_dollars_over_three_lines() {
        let parts = allocate(usd(dec!(1.00)), &[dec!(3.33), dec!(3.33), dec!(3.34)]);
        let amounts: Vec<Decimal> = parts
            .unwrap_or_default()
            .iter()
            .map(Money::amount)
            .collect();
        assert_eq!(amounts, vec![dec!(0.33), dec!(0.33), dec!(0.34)]);
    }

    #[test]
    fn one_cent_over_three_equal_weights_goes_to_the_first() {
        let parts = allocate(usd(dec!(0.01)), &[dec!(1), dec!(1), dec!(1)]);
        let amounts: Vec<Decimal> = parts
            .unwrap_or_default()
            .iter()
            .map(Money::amount)
            .collect();
        assert_eq!(amounts, vec![dec!(0.01), dec!(0), dec!(0)]);
    }

    #[test]
    fn negative_totals_split_like_their_absolute_value() {
        let parts = allocate(usd(dec!(-1.00)), &[dec!(1), dec!(2)]);
        let amounts: Vec<Decimal> = parts
            .unwrap_or_default()
            .iter()
            .map(Money::amount)
            .collect();
        assert_eq!(amounts, vec![dec!(-0.33), dec!(-0.67)]);
    }

    #[test]
    fn amounts_beyond_64_bit_products_take_the_exact_wide_path() {
        // 9.2e18 units × a weight of 1e9 overflows 64 bits; the 128-bit path still splits
        // exactly. Both remainders are equal, so the spare unit goes to the earlier part.
        let total = Money::from_minor_units(i64::MAX - 1, Currency::JPY);
        let parts = allocate(total, &[dec!(1000000000), dec!(3000000000)]).unwrap_or_default();
        let units: Vec<i64> = parts
            .iter()
            .map(|p| p.to_minor_units().unwrap_or(0))
            .collect();
        assert_eq!(
            units.iter().map(|u| i128::from(*u)).sum::<i128>(),
            i128::from(i64::MAX - 1)
        );
        assert_eq!(
            units,
            [2_305_843_009_213_693_952, 6_917_529_027_641_081_854]
        );
    }

    #[test]
    fn weights_that_are_all_zero_split_evenly() {
        assert_eq!(
            allocate(usd(dec!(1.00)), &[dec!(0), dec!(0), dec!(0)]).unwrap(),
            vec![usd(dec!(0.34)), usd(dec!(0.33)), usd(dec!(0.33))]
        );
        let mut allocator = Allocator::default();
        assert_eq!(allocator.split(5, &[0, 0]).unwrap(), &[3, 2]);
    }

    #[test]
    fn bad_weights_are_typed_errors() {
        assert!(matches!(
            allocate(usd(dec!(1)), &[]),
            Err(Error::InvalidInput {
                field: "weights",
                ..
            })
        ));
        assert!(matches!(
            allocate(usd(dec!(1)), &[dec!(1), dec!(-1)]),
            Err(Error::InvalidInput {
                field: "weights",
                ..
            })
        ));
        assert!(matches!(
            allocate(usd(dec!(0.001)), &[dec!(1)]),
            Err(Error::InvalidInput {
                field: "amount",
                ..
            })
        ));
    }
}
