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
