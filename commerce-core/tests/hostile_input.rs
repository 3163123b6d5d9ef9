//! No panics across the public API: pricing and cart operations over hostile,
//! hand-built configuration (public fields skip the checked constructors) return a
//! result or a typed error, never a panic.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::cart::{Quantity, RemoveItemRequest, UpdateItemRequest};
use commerce_core::pricing::{
    Benefit, Condition, CountryCode, Promotion, PromotionUsage, ShippingMethod, Stacking, Target,
    TaxCategory, TaxRate,
};
use commerce_core::{Currency, Money, PromotionId};
use commerce_testkit::fixtures::Store;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (-200_i64..=200).prop_map(Decimal::from),
        (any::<i64>(), 0_u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// Mostly everyday amounts, sometimes extreme ones.
fn minor_units() -> impl Strategy<Value = i64> {
    prop_oneof![4 => -1_000_i64..=100_000, 1 => any::<i64>()]
}

fn small_or_any_u32() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0_u32..=5, 1 => any::<u32>()]
}

#[derive(Clone, Debug)]
struct Hostile {
    prices: Vec<(i64, u32)>,
    benefits: Vec<(u8, Decimal, i64, u32, u32, bool, i32)>,
    tax: (i64, u32),
    shipping: Option<(i64, bool)>,
}

fn hostile() -> impl Strategy<Value = Hostile> {
    let price = minor_units().prop_map(|m| i64::try_from(m.unsigned_abs()).unwrap_or(i64::MAX));
    let benefit = (
        0_u8..6,
        any_decimal(),
        minor_units(),
        small_or_any_u32(),
        small_or_any_u32(),
        any::<bool>(),
        any::<i32>(),
    );
    (
        prop::collection::vec((price, 1_u32..=99), 1..6),
        prop::collection::vec(benefit, 0..6),
        (0_i64..=1_000_000, 0_u32..=6),
        prop::option::of((minor_units(), any::<bool>())),
    )
        .prop_map(|(prices, benefits, tax, shipping)| Hostile {
            prices,
            benefits,
            tax,
            shipping,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn pricing_hostile_configuration_never_panics(h in hostile()) {
        let mut store = Store::new(Currency::USD);
        let items: Vec<_> = h
            .prices
            .iter()
            .enumerate()
            .map(|(i, &(minor, quantity))| {
                let price = Money::from_minor_units(minor, Currency::USD).amount().to_string();
                (store.product(&format!("P{i}"), &price), quantity)
            })
            .collect();
        let everything = Target::products(items.iter().map(|(item, _)| item.product));
        for (n, &(kind, percent, amount, buy, get, exclusive, priority)) in h.benefits.iter().enumerate() {
            let money = Money::from_minor_units(amount, Currency::USD);
            let benefit = match kind {
                0 => Benefit::PercentOffOrder { percent },
                1 => Benefit::AmountOffOrder { amount: money },
                2 => Benefit::PercentOffItems { target: everything.clone(), percent },
                3 => Benefit::AmountOffItems { target: everything.clone(), amount_per_unit: money },
                4 => Benefit::BuyXGetY { target: everything.clone(), buy, get, percent },
                _ => Benefit::FreeShipping,
            };
            // Built field by field: none of `Promotion::new`'s checks apply.
            store.rules.promotions.push(Promotion {
                id: PromotionId::from_u128(n as u128 + 1),
                name: "".into(),
                coupon: None,
                benefit,
                conditions: vec![Condition::MinSubtotal { amount: money }, Condition::MinQuantity { quantity: buy }],
                stacking: if exclusive { Stacking::Exclusive } else { Stacking::Combinable },
                priority,
                usage_limit: Some(get),
                per_customer_limit: None,
            });
        }
        let rate = Decimal::new(h.tax.0, h.tax.1).min(Decimal::ONE);
        store.rules.taxes.add(TaxRate {
            name: "Tax".into(),
            country: CountryCode::parse("US").unwrap(),
            state: None,
            category: TaxCategory::standard(),
            rate,
        }).unwrap();
        let mut context = store.context();
        context.usage = PromotionUsage::default();
        if let Some((minor, with_threshold)) = h.shipping {
            let id = store.shipping_id();
            let price = Money::from_minor_units(minor, Currency::USD);
            let mut method = ShippingMethod::flat(id, "Ship", price).taxed_as(TaxCategory::standard());
            if with_threshold {
                method = method.free_over(price);
            }
            store.shipping(method);
            context.shipping_method = Some(id);
        }
        let mut cart = store.cart();
        for (item, quantity) in &items {
            // Adding may fail (bounds); it must not panic.
            let _ = cart.add_item(&store.cart_context(), item.variant, Quantity::new(i64::from(*quantity)).unwrap());
        }
        // Ok or a typed error; a panic fails the test.
        if let Ok(priced) = store.price(&cart, &context) {
            for line in &priced.lines {
                prop_assert!(line.discount.amount() <= line.amount.amount());
                prop_assert!(!line.discount.is_negative());
            }
            prop_assert!(!priced.totals.total.is_negative());
            prop_assert!(!priced.totals.shipping.is_negative());
        }
    }

    #[test]
    fn any_request_body_parses_or_is_refused_with_a_field(body in ".{0,200}") {
        let store = Store::new(Currency::USD);
        for result in [
            UpdateItemRequest::from_json(&body).and_then(|r| r.resolve(&store.catalog).map(|_| ())),
            RemoveItemRequest::from_json(&body).and_then(|r| r.resolve(&store.catalog).map(|_| ())),
        ] {
            if let Err(error) = result {
                let typed = matches!(
                    error.kind(),
                    commerce_core::ErrorKind::InvalidInput { .. } | commerce_core::ErrorKind::NotFound
                );
                prop_assert!(typed, "{error:?}");
            }
        }
    }
}
