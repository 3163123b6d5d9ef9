//! Property tests for money: allocation sums exactly and never goes below zero; minor
//! units convert exactly; serialization round-trips.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::money::allocate;
use commerce_core::{Currency, Money};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

proptest! {
    #[test]
    fn allocations_sum_exactly_and_are_never_negative(
        currency in currency(),
        total in 0_i64..=1_000_000_000,
        weights in prop::collection::vec(0_i64..=10_000_000, 1..30),
    ) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let total = Money::from_minor_units(total, currency);
        let weights: Vec<Decimal> = weights.iter().map(|w| Money::from_minor_units(*w, currency).amount()).collect();
        let parts = allocate(total, &weights).unwrap();

        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(Money::sum(currency, parts.iter().copied()).unwrap(), total);
        let weight_sum: Decimal = weights.iter().sum();
        let unit = Money::from_minor_units(1, currency).amount();
        for (part, weight) in parts.iter().zip(&weights) {
            prop_assert!(!part.is_negative());
            prop_assert!(part.is_in_minor_units());
            // Within one minor unit of the exact proportional share.
            let exact = total.amount() * *weight / weight_sum;
            prop_assert!((part.amount() - exact).abs() < unit);
            // An allocated discount never takes a line below zero.
            if total.amount() <= weight_sum {
                prop_assert!(part.amount() <= *weight);
            }
        }
    }

    #[test]
    fn negative_totals_allocate_to_non_positive_parts(
        total in -1_000_000_i64..=0,
        weights in prop::collection::vec(1_i64..=10_000, 1..10),
    ) {
        let total = Money::from_minor_units(total, Currency::USD);
        let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
        let parts = allocate(total, &weights).unwrap();
        prop_assert_eq!(Money::sum(Currency::USD, parts.iter().copied()).unwrap(), total);
        prop_assert!(parts.iter().all(|p| !p.is_positive()));
    }

    #[test]
    fn minor_units_round_trip_exactly(currency in currency(), minor in any::<i64>()) {
        let money = Money::from_minor_units(minor, currency);
        prop_assert_eq!(money.to_minor_units(), Ok(minor));
    }

    #[test]
    fn money_round_trips_through_json_as_a_string(currency in currency(), minor in any::<i64>()) {
        let money = Money::from_minor_units(minor, currency);
        let json = serde_json::to_value(money).unwrap();
        prop_assert!(json["amount"].is_string());
        prop_assert_eq!(serde_json::from_value::<Money>(json).unwrap(), money);
    }

    #[test]
    fn rounding_lands_in_minor_units_within_half_a_unit(
        currency in currency(),
        mantissa in -1_000_000_000_000_i64..1_000_000_000_000,
        scale in 0_u32..10,
    ) {
        let exact = Money::new(Decimal::new(mantissa, scale), currency);
        let rounded = exact.round(commerce_core::RoundingMode::HalfAwayFromZero);
        prop_assert!(rounded.is_in_minor_units());
        let half_unit = Money::from_minor_units(1, currency).amount() / Decimal::TWO;
        prop_assert!((rounded.amount() - exact.amount()).abs() <= half_unit);
    }
}

fn rounding_mode() -> impl Strategy<Value = commerce_core::RoundingMode> {
    use commerce_core::RoundingMode::*;
    prop::sample::select(vec![
        HalfAwayFromZero,
        HalfEven,
        HalfTowardZero,
        TowardZero,
        AwayFromZero,
    ])
}

proptest! {
    #[test]
    fn integer_division_rounds_exactly_like_decimal_rounding(
        mode in rounding_mode(),
        numerator in -1_000_000_000_000_i64..1_000_000_000_000,
        denominator in 1_i64..1_000_000,
    ) {
        let integer = mode.divide(i128::from(numerator), i128::from(denominator)).unwrap();
        // The same quotient through rust_decimal: exact here (at most 28 digits), then
        // rounded to an integer with the matching strategy via Money in a 0-decimal currency.
        let exact = Decimal::from(numerator) / Decimal::from(denominator);
        let via_decimal = Money::new(exact, Currency::JPY).round(mode).amount();
        prop_assert_eq!(Decimal::from(integer), via_decimal);
    }
}
