//! Rules and carts read back from storage (serde) keep the invariants their constructors
//! check, and hand-built configuration the engine cannot make sense of gives nothing
//! rather than a panic.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::cart::Cart;
use commerce_core::catalog::{Catalog, Weight};
use commerce_core::pricing::{
    Benefit, NotApplied, PriceList, Promotion, PromotionResult, ShippingMethod, ShippingRate,
    Target, TaxTable, WeightTier,
};
use commerce_core::{Currency, PromotionId};
use commerce_testkit::fixtures::{Store, dec};

#[test]
fn price_lists_round_trip_and_refuse_foreign_currency_amounts() {
    let mut store = Store::new(Currency::USD);
    store.product("Mug", "12.50");
    let list = &store.rules.price_book.lists()[0];
    let json = serde_json::to_string(list).unwrap();
    assert_eq!(&serde_json::from_str::<PriceList>(&json).unwrap(), list);

    let foreign = json.replace("\"USD\"}", "\"JPY\"}");
    assert_ne!(foreign, json);
    let error = serde_json::from_str::<PriceList>(&foreign)
        .unwrap_err()
        .to_string();
    assert!(error.contains("currency mismatch"), "{error}");
    let sub_cent = json.replace("\"12.50\"", "\"12.505\"");
    let error = serde_json::from_str::<PriceList>(&sub_cent)
        .unwrap_err()
        .to_string();
    assert!(error.contains("finer than minor units"), "{error}");
}

#[test]
fn tax_tables_refuse_rates_outside_zero_to_one() {
    let mut store = Store::new(Currency::USD);
    store.tax("US", "Sales tax", "0.08");
    let json = serde_json::to_string(&store.rules.taxes).unwrap();
    assert_eq!(
        serde_json::from_str::<TaxTable>(&json).unwrap(),
        store.rules.taxes
    );
    for bad in ["\"1.5\"", "\"-0.08\""] {
        let error = serde_json::from_str::<TaxTable>(&json.replace("\"0.08\"", bad)).unwrap_err();
        assert!(
            error.to_string().contains("fraction from 0 to 1"),
            "{error}"
        );
    }
}

#[test]
fn stored_carts_round_trip_and_refuse_broken_lines() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.50");
    let cart = store.cart_with(&[(mug, 2)]);
    let json = serde_json::to_string(&cart).unwrap();
    assert_eq!(serde_json::from_str::<Cart>(&json).unwrap(), cart);

    assert!(
        serde_json::from_str::<Cart>(&json.replace("\"quantity\":2", "\"quantity\":0")).is_err()
    );
    let doubled = json.replace("\"lines\":[{", "\"lines\":[LINE,{");
    let line_start = json.find("\"lines\":[").unwrap() + "\"lines\":[".len();
    let line_end = json[line_start..].find("}],").unwrap() + line_start + 1;
    let doubled = doubled.replace("LINE", &json[line_start..line_end]);
    let error = serde_json::from_str::<Cart>(&doubled)
        .unwrap_err()
        .to_string();
    assert!(error.contains("appears twice"), "{error}");
}

#[test]
fn catalogs_round_trip_through_serde() {
    let mut store = Store::new(Currency::USD);
    let shelf = store.category("Shelf", None);
    store.product_with("Mug", "12.50", Some(shelf), 300);
    let json = serde_json::to_string(&store.catalog).unwrap();
    let back: Catalog = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

#[test]
fn a_hand_built_buy_x_get_y_with_an_empty_group_gives_nothing() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.50");
    let valid = Promotion::new(
        PromotionId::from_u128(1),
        "B1G1",
        Benefit::BuyXGetY {
            target: Target::products([mug.product]),
            buy: 1,
            get: 1,
            percent: dec("100"),
        },
    )
    .unwrap();
    store.rules.promotions.push(Promotion {
        benefit: Benefit::BuyXGetY {
            target: Target::products([mug.product]),
            buy: 0,
            get: 0,
            percent: dec("100"),
        },
        ..valid
    });
    let cart = store.cart_with(&[(mug, 4)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(priced.totals.discount.amount(), dec("0"));
    assert_eq!(
        priced.promotions[0].result,
        PromotionResult::NotApplied {
            reason: NotApplied::NothingToDiscount
        }
    );
}

#[test]
fn weight_bands_built_out_of_order_still_pick_the_smallest_band_that_fits() {
    let store = Store::new(Currency::USD);
    let method = ShippingMethod {
        rate: ShippingRate::ByWeight {
            tiers: vec![
                WeightTier {
                    up_to: Weight::grams(10_000),
                    price: store.money("12.00"),
                },
                WeightTier {
                    up_to: Weight::grams(1_000),
                    price: store.money("3.00"),
                },
            ],
        },
        ..ShippingMethod::flat(
            commerce_core::ShippingMethodId::from_u128(1),
            "Post",
            store.money("1.00"),
        )
    };
    let price = method
        .base_price(Weight::grams(500), Currency::USD)
        .unwrap();
    assert_eq!(price.amount(), dec("3.00"));
}
