//! Property tests for pricing over random stores, carts and promotion sets: discounts
//! never exceed what they apply to, gross = net + tax everywhere, the totals add up, and
//! the same input always gives the same output. Also: merging carts keeps quantities.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use commerce_core::cart::CartLimits;
use commerce_core::pricing::{
    Benefit, Condition, PricedCart, PromotionResult, ShippingMethod, Target, TaxMode,
};
use commerce_core::{CategoryId, Currency, Money, RoundingMode};
use commerce_testkit::fixtures::{Item, Store, now};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
struct PromoSpec {
    kind: u8,
    percent: u32,
    amount_minor: i64,
    priority: i32,
    exclusive: bool,
    category: usize,
    buy: u32,
    get: u32,
    min_subtotal_minor: Option<i64>,
}

#[derive(Clone, Debug)]
struct Scenario {
    currency: Currency,
    inclusive: bool,
    half_even: bool,
    tax_basis_points: i64,
    lines: Vec<(i64, u32, usize)>,
    promotions: Vec<PromoSpec>,
    shipping: Option<(i64, Option<i64>)>,
}

fn promo_spec() -> impl Strategy<Value = PromoSpec> {
    (
        (0_u8..6, 1_u32..=100, 1_i64..=50_000, -3_i32..=3),
        (any::<bool>(), 0_usize..3, 1_u32..=3, 1_u32..=3),
        prop::option::of(0_i64..=200_000),
    )
        .prop_map(
            |((kind, percent, amount_minor, priority), (exclusive, category, buy, get), min)| {
                PromoSpec {
                    kind,
                    percent,
                    amount_minor,
                    priority,
                    exclusive,
                    category,
                    buy,
                    get,
                    min_subtotal_minor: min,
                }
            },
        )
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::sample::select(vec![
            Currency::USD,
            Currency::EUR,
            Currency::JPY,
            Currency::KWD,
        ]),
        any::<bool>(),
        any::<bool>(),
        0_i64..=2_700,
        prop::collection::vec((0_i64..=250_000, 1_u32..=20, 0_usize..3), 0..10),
        prop::collection::vec(promo_spec(), 0..8),
        prop::option::of((0_i64..=3_000, prop::option::of(0_i64..=300_000))),
    )
        .prop_map(
            |(currency, inclusive, half_even, tax_basis_points, lines, promotions, shipping)| {
                Scenario {
                    currency,
                    inclusive,
                    half_even,
                    tax_basis_points,
                    lines,
                    promotions,
                    shipping,
                }
            },
        )
}

/// Builds the store and prices the cart.
fn build(
    s: &Scenario,
) -> (
    Store,
    commerce_core::cart::Cart,
    commerce_core::pricing::PricingContext,
) {
    let mut store = Store::new(s.currency);
    if s.inclusive {
        store = store.tax_inclusive();
    }
    if s.half_even {
        store.rules.settings.rounding = RoundingMode::HalfEven;
    }
    store.tax(
        "US",
        "Tax",
        &Decimal::new(s.tax_basis_points, 4).to_string(),
    );
    let root = store.category("Root", None);
    let child = store.category("Child", Some(root));
    let other = store.category("Other", None);
    let categories: [CategoryId; 3] = [root, child, other];
    let minor = |m: i64| Money::from_minor_units(m, s.currency);
    let items: Vec<(Item, u32)> = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, &(price, quantity, category))| {
            let price = minor(price).amount().to_string();
            let item =
                store.product_with(&format!("P{i}"), &price, Some(categories[category]), 300);
            (item, quantity)
        })
        .collect();
    for spec in &s.promotions {
        let id = store.promotion_id();
        let percent = Decimal::from(spec.percent);
        let target = Target::categories([categories[spec.category]]);
        let benefit = match spec.kind {
            0 => Benefit::PercentOffOrder { percent },
            1 => Benefit::AmountOffOrder {
                amount: minor(spec.amount_minor),
            },
            2 => Benefit::PercentOffItems { target, percent },
            3 => Benefit::AmountOffItems {
                target,
                amount_per_unit: minor(spec.amount_minor),
            },
            4 => Benefit::BuyXGetY {
                target,
                buy: spec.buy,
                get: spec.get,
                percent,
            },
            _ => Benefit::FreeShipping,
        };
        let mut promotion = commerce_core::pricing::Promotion::new(id, "P", benefit)
            .unwrap()
            .priority(spec.priority);
        if spec.exclusive {
            promotion = promotion.exclusive();
        }
        if let Some(min) = spec.min_subtotal_minor {
            promotion = promotion.when(Condition::MinSubtotal { amount: minor(min) });
        }
        store.promote(Ok(promotion));
    }
    store.limits = CartLimits {
        max_line_quantity: 99,
        max_lines: 50,
    };
    let cart = store.cart_with(&items);
    let mut context = store.context();
    if let Some((price, free_over)) = s.shipping {
        let id = store.shipping_id();
        let mut method = ShippingMethod::flat(id, "Ship", minor(price))
            .taxed_as(commerce_core::pricing::TaxCategory::standard());
        if let Some(threshold) = free_over {
            method = method.free_over(minor(threshold));
        }
        store.shipping(method);
        context.shipping_method = Some(id);
    }
    (store, cart, context)
}

fn sum(currency: Currency, amounts: impl IntoIterator<Item = Money>) -> Money {
    Money::sum(currency, amounts).unwrap()
}

fn check_invariants(priced: &PricedCart, mode: TaxMode) -> Result<(), TestCaseError> {
    let c = priced.currency;
    let zero = Money::zero(c);
    for line in &priced.lines {
        prop_assert!(!line.discount.is_negative());
        prop_assert!(
            line.discount.amount() <= line.amount.amount(),
            "discount exceeds line"
        );
        prop_assert_eq!(
            sum(c, line.adjustments.iter().map(|a| a.amount)),
            line.discount
        );
        prop_assert!(line.adjustments.iter().all(|a| a.amount.is_positive()));
        let tax = line.tax.as_ref().map_or(zero, |t| t.amount);
        prop_assert_eq!(
            line.net.checked_add(tax).unwrap(),
            line.gross,
            "gross = net + tax"
        );
        prop_assert!(!line.net.is_negative() && !tax.is_negative());
        let after_discount = line.amount.checked_sub(line.discount).unwrap();
        match mode {
            TaxMode::Exclusive => prop_assert_eq!(line.net, after_discount),
            TaxMode::Inclusive => prop_assert_eq!(line.gross, after_discount),
        }
        for m in [line.amount, line.discount, line.net, line.gross, tax] {
            prop_assert!(m.is_in_minor_units());
        }
    }
    let shipping_gross = priced.shipping.as_ref().map_or(zero, |s| s.gross);
    if let Some(s) = &priced.shipping {
        let tax = s.tax.as_ref().map_or(zero, |t| t.amount);
        prop_assert_eq!(s.net.checked_add(tax).unwrap(), s.gross);
        let discount = sum(c, s.adjustments.iter().map(|a| a.amount));
        prop_assert!(
            discount.amount() <= s.price.amount(),
            "shipping discount exceeds shipping"
        );
    }
    let t = &priced.totals;
    // gross = net + tax in total too, lines and shipping together.
    let nets = priced
        .lines
        .iter()
        .map(|l| l.net)
        .chain(priced.shipping.iter().map(|s| s.net));
    prop_assert_eq!(
        sum(c, nets).checked_add(t.tax).unwrap(),
        t.total,
        "total gross = net + tax"
    );
    prop_assert_eq!(t.items, sum(c, priced.lines.iter().map(|l| l.amount)));
    prop_assert_eq!(t.discount, sum(c, priced.lines.iter().map(|l| l.discount)));
    prop_assert!(t.discount.amount() <= t.items.amount());
    prop_assert_eq!(
        t.total,
        sum(
            c,
            priced.lines.iter().map(|l| l.gross).chain([shipping_gross])
        )
    );
    prop_assert_eq!(t.tax, sum(c, priced.tax_lines.iter().map(|l| l.tax)));
    let line_and_shipping_tax = priced
        .lines
        .iter()
        .filter_map(|l| l.tax.as_ref())
        .chain(priced.shipping.iter().filter_map(|s| s.tax.as_ref()))
        .map(|t| t.amount);
    prop_assert_eq!(t.tax, sum(c, line_and_shipping_tax));
    let before_tax = t
        .items
        .checked_sub(t.discount)
        .unwrap()
        .checked_add(t.shipping)
        .unwrap();
    match mode {
        TaxMode::Exclusive => prop_assert_eq!(t.total, before_tax.checked_add(t.tax).unwrap()),
        TaxMode::Inclusive => prop_assert_eq!(t.total, before_tax),
    }
    let applied = priced.promotions.iter().filter_map(|o| match &o.result {
        PromotionResult::Applied { discount } => Some(*discount),
        PromotionResult::NotApplied { .. } => None,
    });
    prop_assert_eq!(
        sum(c, applied),
        t.discount.checked_add(t.shipping_discount).unwrap()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn priced_carts_keep_every_invariant(s in scenario()) {
        let (store, cart, context) = build(&s);
        let priced = store.price(&cart, &context).unwrap();
        check_invariants(&priced, store.rules.settings.tax_mode)?;
    }

    #[test]
    fn pricing_is_deterministic_and_independent_of_rule_order(s in scenario()) {
        let (mut store, cart, context) = build(&s);
        let first = store.price(&cart, &context).unwrap();
        let again = store.price(&cart, &context).unwrap();
        prop_assert_eq!(&first, &again);
        store.rules.promotions.reverse();
        let reordered = store.price(&cart, &context).unwrap();
        prop_assert_eq!(&first, &reordered);
    }

    #[test]
    fn merging_carts_preserves_quantities_up_to_the_line_maximum(
        mine in prop::collection::btree_map(0_usize..6, 1_u32..=99, 0..6),
        guest in prop::collection::btree_map(0_usize..6, 1_u32..=99, 0..6),
    ) {
        let mut store = Store::new(Currency::USD);
        let items: Vec<Item> = (0..6).map(|i| store.product(&format!("P{i}"), "1.00")).collect();
        let lines = |m: &BTreeMap<usize, u32>| m.iter().map(|(&i, &q)| (items[i], q)).collect::<Vec<_>>();
        let mut customer_cart = store.cart_with(&lines(&mine));
        let guest_cart = store.cart_with(&lines(&guest));
        customer_cart.merge_guest(&guest_cart, store.limits, now()).unwrap();

        for (i, item) in items.iter().enumerate() {
            let expected = (mine.get(&i).copied().unwrap_or(0) + guest.get(&i).copied().unwrap_or(0)).min(99);
            let merged = customer_cart.line(item.variant).map_or(0, |l| l.quantity);
            prop_assert_eq!(merged, expected);
        }
    }
}
