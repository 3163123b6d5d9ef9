//! Rounding modes for turning exact amounts into minor units.

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};

/// How an exact amount is rounded to a currency's minor units.
///
/// The engine rounds only at the points SPEC defines (per line after discounts and tax,
/// and an order-level discount total before it is allocated); the mode is a store setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoundingMode {
    /// 2.345 → 2.35, -2.345 → -2.35 (commercial rounding; the default).
    #[default]
    HalfAwayFromZero,
    /// 2.345 → 2.34, 2.355 → 2.36 (banker's rounding).
    HalfEven,
    /// 2.345 → 2.34: ties go towards zero.
    HalfTowardZero,
    /// Always towards zero: 2.349 → 2.34.
    TowardZero,
    /// Always away from zero: 2.341 → 2.35.
    AwayFromZero,
}

impl RoundingMode {
    /// `numerator / denominator` rounded to an integer in this mode, computed exactly in
    /// integers. `None` when `denominator` is not positive.
    pub fn divide(self, numerator: i128, denominator: i128) -> Option<i128> {
        if denominator <= 0 {
            return None;
        }
        let quotient = numerator / denominator;
        let remainder = numerator % denominator;
        if remainder == 0 {
            return Some(quotient);
        }
        let away = if numerator < 0 { -1 } else { 1 };
        // Compare the remainder with half the denominator without overflowing.
        let half = remainder
            .unsigned_abs()
            .cmp(&(denominator.unsigned_abs() - remainder.unsigned_abs()));
        let round_away = match self {
            RoundingMode::HalfAwayFromZero => half.is_ge(),
            RoundingMode::HalfTowardZero => half.is_gt(),
            RoundingMode::HalfEven => half.is_gt() || (half.is_eq() && quotient % 2 != 0),
            RoundingMode::TowardZero => false,
            RoundingMode::AwayFromZero => true,
        };
        Some(if round_away {
            quotient + away
        } else {
            quotient
        })
    }

    pub(crate) fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfTowardZero => RoundingStrategy::MidpointTowardZero,
            RoundingMode::TowardZero => RoundingStrategy::ToZero,
            RoundingMode::AwayFromZero => RoundingStrategy::AwayFromZero,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RoundingMode::*;

    #[test]
    fn ties_follow_the_mode() {
        let cases = [
            (HalfAwayFromZero, [3, -3, 2, -2]),
            (HalfEven, [2, -2, 2, -2]),
            (HalfTowardZero, [2, -2, 1, -1]),
            (TowardZero, [2, -2, 1, -1]),
            (AwayFromZero, [3, -3, 2, -2]),
        ];
        for (
            mode,
            [
                five_halves,
                minus_five_halves,
                three_halves,
                minus_three_halves,
            ],
        ) in cases
        {
            assert_eq!(mode.divide(5, 2), Some(five_halves), "{mode:?} 5/2");
            assert_eq!(mode.divide(-5, 2), Some(minus_five_halves), "{mode:?} -5/2");
            assert_eq!(mode.divide(3, 2), Some(three_halves), "{mode:?} 3/2");
            assert_eq!(
                mode.divide(-3, 2),
                Some(minus_three_halves),
                "{mode:?} -3/2"
            );
        }
        assert_eq!(HalfEven.divide(7, 0), None);
        assert_eq!(HalfAwayFromZero.divide(9, 4), Some(2));
    }
}
