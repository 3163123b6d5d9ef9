//! A percentage promotion over many lines is rounded once: for random carts of up to 200
//! lines and any percentage, what the promotion takes is exactly the percentage of the
//! eligible subtotal, rounded once in the store's mode — not the sum of per-line
//! roundings, which drifts by up to half a cent per line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::cart::CartLimits;
use commerce_core::pricing::{Benefit, Promotion, PromotionResult, Target};
use commerce_core::{Currency, Money, RoundingMode};
use commerce_testkit::fixtures::{Item, Store};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Clone, Debug)]
struct Case {
    currency: Currency,
    half_even: bool,
    /// Percent in hundredths (1 = 0.01 %, 10_000 = 100 %).
    percent_hundredths: i64,
    /// Whole order, or only the lines of the first category.
    whole_order: bool,
    /// (price in minor units, quantity, in the promoted category)
    lines: Vec<(i64, u32, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![Currency::USD, Currency::JPY, Currency::KWD]),
        any::<bool>(),
        prop_oneof![1_i64..=10_000, Just(333), Just(1250), Just(5)],
        any::<bool>(),
        prop::collection::vec((0_i64..=99_999, 1_u32..=9, any::<bool>()), 1..=200),
    )
        .prop_map(
            |(currency, half_even, percent_hundredths, whole_order, lines)| Case {
                currency,
                half_even,
                percent_hundredths,
                whole_order,
                lines,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_percentage_promotion_takes_its_percentage_of_the_eligible_subtotal_rounded_once(c in case()) {
        let mut store = Store::new(c.currency);
        let mode = if c.half_even {
            store.rules.settings.rounding = RoundingMode::HalfEven;
            RoundingStrategy::MidpointNearestEven
        } else {
            RoundingStrategy::MidpointAwayFromZero
        };
        store.limits = CartLimits { max_line_quantity: 99, max_lines: 200 };
        let promoted = store.category("Promoted", None);
        let other = store.category("Other", None);
        let minor = |m: i64| Money::from_minor_units(m, c.currency);
        let items: Vec<(Item, u32)> = c
            .lines
            .iter()
            .enumerate()
            .map(|(i, &(price, quantity, in_promoted))| {
                let category = if in_promoted { promoted } else { other };
                let price = minor(price).amount().to_string();
                (store.product_with(&format!("P{i}"), &price, Some(category), 1_000), quantity)
            })
            .collect();
        let percent = Decimal::new(c.percent_hundredths, 2);
        let benefit = if c.whole_order {
            Benefit::PercentOffOrder { percent }
        } else {
            Benefit::PercentOffItems { target: Target::categories([promoted]), percent }
        };
        let id = store.promotion_id();
        store.promote(Promotion::new(id, "Percent", benefit));
        let cart = store.cart_with(&items);
        let priced = store.price(&cart, &store.context()).unwrap();

        let eligible: Decimal = c
            .lines
            .iter()
            .filter(|(_, _, in_promoted)| c.whole_order || *in_promoted)
            .map(|&(price, quantity, _)| minor(price).amount() * Decimal::from(quantity))
            .sum();
        let expected = (eligible * percent / Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(c.currency.minor_units(), mode);
        let taken = priced
            .promotions
            .iter()
            .find(|p| p.promotion == id)
            .map(|p| match &p.result {
                PromotionResult::Applied { discount } => discount.amount(),
                PromotionResult::NotApplied { .. } => Decimal::ZERO,
            })
            .unwrap();
        prop_assert_eq!(taken, expected, "eligible {} at {}%", eligible, percent);
        // The per-line shares sum to it, and none takes a line below zero.
        let shares: Decimal = priced
            .lines
            .iter()
            .flat_map(|l| l.adjustments.iter())
            .filter(|a| a.promotion == id)
            .map(|a| a.amount.amount())
            .sum();
        prop_assert_eq!(shares, expected);
        for line in &priced.lines {
            prop_assert!(line.discount.amount() <= line.amount.amount());
        }
    }
}
