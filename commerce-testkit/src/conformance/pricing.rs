//! Conformance cases: the pricing-rules store — defaults, round trip, whole replacement.

use chrono::Duration;
use commerce_core::catalog::Weight;
use commerce_core::ports::Stores;
use commerce_core::pricing::{
    Benefit, Condition, CountryCode, CouponCode, CustomerGroup, PriceList, PricingRules, Promotion,
    ShippingMethod, StoreSettings, Target, TaxCategory, TaxMode, TaxRate, VariantPrice, WeightTier,
};
use commerce_core::{
    Currency, PriceListId, ProductId, PromotionId, RoundingMode, ShippingMethodId, VariantId,
};

use crate::fixtures::{dec, money, now};

/// The pricing cases, as tests.
#[macro_export]
macro_rules! pricing_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            pricing,
            $fresh,
            [
                rules_default_when_nothing_was_saved,
                saved_rules_read_back_equal,
                saving_again_replaces_the_rules_whole,
                rules_for_hold_every_rule_and_only_the_wanted_prices,
            ]
        );
    };
}

/// Rules using every part a store configures: non-default settings, a retail and a
/// group price list (tiers, a dated sale), a coupon promotion with conditions and limits,
/// an automatic item promotion, country and state tax rates on two categories, and a
/// flat and a weight-banded shipping method.
fn rich_rules() -> PricingRules {
    let usd = Currency::USD;
    let mut rules = PricingRules {
        settings: StoreSettings {
            tax_mode: TaxMode::Inclusive,
            rounding: RoundingMode::HalfEven,
        },
        ..PricingRules::default()
    };

    let mut retail = PriceList::new(PriceListId::from_u128(1), "Retail", usd, None);
    retail
        .set_price(
            VariantId::from_u128(11),
            VariantPrice::new(money("19.99", usd))
                .with_tier(10, money("17.50", usd))
                .with_sale(
                    money("14.99", usd),
                    Some(now()),
                    Some(now() + Duration::days(7)),
                ),
        )
        .expect("retail price");
    retail
        .set_price(
            VariantId::from_u128(12),
            VariantPrice::new(money("5.00", usd)),
        )
        .expect("retail price");
    let mut wholesale = PriceList::new(
        PriceListId::from_u128(2),
        "Wholesale",
        usd,
        Some(CustomerGroup::parse("wholesale").expect("group")),
    );
    wholesale
        .set_price(
            VariantId::from_u128(11),
            VariantPrice::new(money("12.00", usd)),
        )
        .expect("wholesale price");
    rules.price_book.add_list(retail).expect("retail list");
    rules
        .price_book
        .add_list(wholesale)
        .expect("wholesale list");

    rules.promotions.push(
        Promotion::new(
            PromotionId::from_u128(21),
            "Spring: 10% off",
            Benefit::PercentOffOrder { percent: dec("10") },
        )
        .expect("promotion")
        .with_coupon(CouponCode::parse("SPRING10").expect("code"))
        .when(Condition::MinSubtotal {
            amount: money("50.00", usd),
        })
        .when(Condition::DateWindow {
            starts_at: Some(now()),
            ends_at: None,
        })
        .exclusive()
        .priority(5)
        .limit_uses(100)
        .limit_per_customer(1),
    );
    rules.promotions.push(
        Promotion::new(
            PromotionId::from_u128(22),
            "Mugs: buy 2 get 1 free",
            Benefit::BuyXGetY {
                target: Target::products([ProductId::from_u128(11)]),
                buy: 2,
                get: 1,
                percent: dec("100"),
            },
        )
        .expect("promotion"),
    );

    let standard = TaxCategory::standard();
    let books = TaxCategory::parse("books").expect("category");
    for (country, state, category, rate) in [
        ("US", None, &standard, "0.05"),
        ("US", Some("CA"), &standard, "0.0725"),
        ("DE", None, &standard, "0.19"),
        ("DE", None, &books, "0.07"),
    ] {
        rules
            .taxes
            .add(TaxRate {
                name: format!("{country} {}", category.as_str()),
                country: CountryCode::parse(country).expect("country"),
                state: state.map(str::to_owned),
                category: category.clone(),
                rate: dec(rate),
            })
            .expect("tax rate");
    }

    rules.shipping_methods.push(
        ShippingMethod::flat(
            ShippingMethodId::from_u128(31),
            "Standard",
            money("4.95", usd),
        )
        .free_over(money("75.00", usd))
        .only_to(vec![CountryCode::parse("US").expect("country")]),
    );
    rules.shipping_methods.push(
        ShippingMethod::by_weight(
            ShippingMethodId::from_u128(32),
            "Parcel",
            vec![
                WeightTier {
                    up_to: Weight::grams(1000),
                    price: money("6.00", usd),
                },
                WeightTier {
                    up_to: Weight::grams(5000),
                    price: money("12.00", usd),
                },
            ],
        )
        .taxed_as(standard),
    );
    rules
}

/// Different, smaller rules: one list, one promotion, no tax, one method.
fn other_rules() -> PricingRules {
    let eur = Currency::EUR;
    let mut rules = PricingRules::default();
    let mut list = PriceList::new(PriceListId::from_u128(3), "Euro retail", eur, None);
    list.set_price(
        VariantId::from_u128(12),
        VariantPrice::new(money("4.50", eur)),
    )
    .expect("price");
    rules.price_book.add_list(list).expect("list");
    rules.promotions.push(
        Promotion::new(
            PromotionId::from_u128(23),
            "Free shipping",
            Benefit::FreeShipping,
        )
        .expect("promotion")
        .when(Condition::FirstOrder),
    );
    rules.shipping_methods.push(ShippingMethod::flat(
        ShippingMethodId::from_u128(33),
        "Post",
        money("3.90", eur),
    ));
    rules
}

/// A store that never saved rules reads the defaults: no lists, promotions, tax or
/// shipping, tax-exclusive with the default rounding.
pub async fn rules_default_when_nothing_was_saved(stores: Stores) {
    assert_eq!(
        stores.pricing.rules().await.unwrap(),
        PricingRules::default()
    );
}

/// Saved rules read back equal, every part of them.
pub async fn saved_rules_read_back_equal(stores: Stores) {
    let rules = rich_rules();
    stores.pricing.save_rules(rules.clone()).await.unwrap();
    let read = stores.pricing.rules().await.unwrap();
    assert_eq!(read.settings, rules.settings);
    assert_eq!(read.price_book, rules.price_book);
    assert_eq!(read.promotions, rules.promotions);
    assert_eq!(read.taxes, rules.taxes);
    assert_eq!(read.shipping_methods, rules.shipping_methods);
    assert_eq!(read, rules);
}

/// Saving replaces the rules as a whole: nothing of the earlier rules survives, not even
/// the parts the new rules leave empty; saving the defaults clears everything.
pub async fn saving_again_replaces_the_rules_whole(stores: Stores) {
    stores.pricing.save_rules(rich_rules()).await.unwrap();
    let other = other_rules();
    stores.pricing.save_rules(other.clone()).await.unwrap();
    let read = stores.pricing.rules().await.unwrap();
    assert_eq!(read, other);
    assert!(
        read.taxes
            .rate_for(
                &commerce_core::pricing::Region::country("US").unwrap(),
                &TaxCategory::standard()
            )
            .is_none()
    );
    assert_eq!(read.price_book.lists().len(), 1);

    stores
        .pricing
        .save_rules(PricingRules::default())
        .await
        .unwrap();
    assert_eq!(
        stores.pricing.rules().await.unwrap(),
        PricingRules::default()
    );
}

/// `rules_for` returns every list, promotion, tax rate and shipping method, with only the
/// asked variants' prices (unknown ones skipped), as saved now.
pub async fn rules_for_hold_every_rule_and_only_the_wanted_prices(stores: Stores) {
    let rules = rich_rules();
    stores.pricing.save_rules(rules.clone()).await.unwrap();
    let (priced, unpriced, unknown) = (
        VariantId::from_u128(12),
        VariantId::from_u128(11),
        VariantId::from_u128(999_999),
    );
    let some = stores.pricing.rules_for(&[priced, unknown]).await.unwrap();
    assert_eq!(some, rules.for_variants(&[priced]));
    assert_eq!(some.promotions, rules.promotions);
    assert_eq!(some.shipping_methods, rules.shipping_methods);
    assert_eq!(
        some.price_book.lists().len(),
        rules.price_book.lists().len()
    );
    for (read, saved) in some.price_book.lists().iter().zip(rules.price_book.lists()) {
        assert_eq!(read.without_prices(), saved.without_prices());
        assert_eq!(read.price(priced), saved.price(priced));
        assert_eq!(read.price(unpriced), None);
        assert_eq!(
            read.prices().count(),
            usize::from(saved.price(priced).is_some())
        );
    }
    let none = stores.pricing.rules_for(&[]).await.unwrap();
    assert!(
        none.price_book
            .lists()
            .iter()
            .all(|l| l.prices().count() == 0)
    );
    assert_eq!(none.promotions, rules.promotions);

    stores.pricing.save_rules(other_rules()).await.unwrap();
    assert_eq!(
        stores.pricing.rules_for(&[priced, unpriced]).await.unwrap(),
        other_rules().for_variants(&[priced, unpriced])
    );
}
