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
/// # Errors
/// [`Error::InvalidInput`] when `total` is finer than minor units, when there are no
/// weights, when a weight is negative, or when a non-zero total meets weights that sum to
/// zero; [`Error::Overflow`] for amounts beyond `i128` arithmetic.
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

    let integral = integral_weights(weights)?;
    if integral.iter().all(|w| *w == 0) {
        if total_units == 0 {
            return Ok(vec![Money::from_minor_units(0, currency); weights.len()]);
        }
        return Err(invalid("weights", "weights sum to zero"));
    }
    allocate_units(total_units, &integral)?
        .into_iter()
        .map(|units| {
            let units = i64::try_from(units).map_err(|_| Error::Overflow)?;
            Ok(Money::from_minor_units(units, currency))
        })
        .collect()
}

/// Largest-remainder split of `total` whole units across non-negative integer `weights`
/// that do not all equal zero. The engine calls this directly with minor units.
pub(crate) fn allocate_units(total: i128, weights: &[i128]) -> Result<Vec<i128>, Error> {
    let weight_sum = weights
        .iter()
        .try_fold(0_i128, |acc, w| acc.checked_add(*w))
        .ok_or(Error::Overflow)?;
    if weight_sum <= 0 || weights.iter().any(|w| *w < 0) {
        return Err(Error::invalid(
            "weights",
            "weights must be non-negative and not all zero",
        ));
    }
    let magnitude = total.abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    // 64-bit division is several times faster than 128-bit; use it when nothing can
    // overflow (every realistic cart), and the exact 128-bit path otherwise.
    let fits_u64 = |v: i128| u64::try_from(v).is_ok();
    let narrow = fits_u64(weight_sum)
        && weights
            .iter()
            .all(|w| u64::try_from(*w).is_ok_and(|w| w.checked_mul(magnitude as u64).is_some()))
        && fits_u64(magnitude);
    if narrow {
        let (sum, total) = (weight_sum as u64, magnitude as u64);
        for (index, weight) in weights.iter().enumerate() {
            let numerator = total * (*weight as u64);
            parts.push(i128::from(numerator / sum));
            remainders.push((i128::from(numerator % sum), index));
        }
    } else {
        for (index, weight) in weights.iter().enumerate() {
            let numerator = magnitude.checked_mul(*weight).ok_or(Error::Overflow)?;
            parts.push(numerator / weight_sum);
            remainders.push((numerator % weight_sum, index));
        }
    }
    let allocated: i128 = parts.iter().sum();
    let leftover = usize::try_from(magnitude - allocated).map_err(|_| Error::Overflow)?;
    if leftover > 0 {
        // Largest remainder first; on a tie, the earlier part. Only the first `leftover`
        // places matter, so partition rather than sort.
        let by_priority = |a: &(i128, usize), b: &(i128, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if leftover < remainders.len() {
            remainders.select_nth_unstable_by(leftover - 1, by_priority);
        }
        for &(_, index) in remainders.iter().take(leftover) {
            parts[index] += 1;
        }
    }
    if total < 0 {
        for part in &mut parts {
            *part = -*part;
        }
    }
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
            allocate(usd(dec!(1)), &[dec!(0), dec!(0)]),
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
