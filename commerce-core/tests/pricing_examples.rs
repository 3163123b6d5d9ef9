//! Worked examples, computed by hand: each test's comments show the arithmetic.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Duration;
use commerce_core::catalog::Weight;
use commerce_core::pricing::{
    AdjustmentReason, Benefit, Condition, CouponRejection, NotApplied, PriceKind, PricedCart,
    Promotion, PromotionResult, Region, ShippingMethod, Target, VariantPrice, WeightTier,
};
use commerce_core::{Currency, CustomerId, Error, PromotionId, RoundingMode};
use commerce_testkit::fixtures::{Item, Store, dec, now};
use rust_decimal::Decimal;

fn line_discounts(priced: &PricedCart) -> Vec<Decimal> {
    priced.lines.iter().map(|l| l.discount.amount()).collect()
}

fn applied(store: &Store, discount: &str) -> PromotionResult {
    PromotionResult::Applied {
        discount: store.money(discount),
    }
}

fn not_applied(reason: NotApplied) -> PromotionResult {
    PromotionResult::NotApplied { reason }
}

fn result_of(priced: &PricedCart, promotion: PromotionId) -> PromotionResult {
    priced
        .promotions
        .iter()
        .find(|o| o.promotion == promotion)
        .map(|o| o.result.clone())
        .expect("promotion was considered")
}

#[test]
fn ten_percent_off_an_order_of_3_33_3_33_3_34_allocates_exactly() {
    let mut store = Store::new(Currency::USD);
    let a = store.product("A", "3.33");
    let b = store.product("B", "3.33");
    let c = store.product("C", "3.34");
    let id = store.promotion_id();
    store.promote(Promotion::new(
        id,
        "10% off",
        Benefit::PercentOffOrder { percent: dec("10") },
    ));
    let cart = store.cart_with(&[(a, 1), (b, 1), (c, 1)]);

    let priced = store.price(&cart, &store.context()).unwrap();

    // 10% of 10.00 = 1.00. Exact shares 0.333, 0.333, 0.334: floors 0.33 + 0.33 + 0.33 =
    // 0.99, the last cent goes to the largest remainder (0.334) → 0.33 / 0.33 / 0.34.
    // Rounding each line on its own would give 0.99 in total.
    assert_eq!(
        line_discounts(&priced),
        [dec("0.33"), dec("0.33"), dec("0.34")]
    );
    assert_eq!(priced.totals.discount.amount(), dec("1.00"));
    assert_eq!(priced.totals.total.amount(), dec("9.00"));
    assert_eq!(result_of(&priced, id), applied(&store, "1.00"));
    for line in &priced.lines {
        assert_eq!(
            line.adjustments[0].reason,
            AdjustmentReason::ShareOfPercentOffOrder { percent: dec("10") }
        );
    }
}

#[test]
fn yen_has_no_minor_units_so_discount_and_tax_round_to_whole_yen() {
    let mut store = Store::new(Currency::JPY);
    store.ship_to = Region::country("JP").unwrap();
    store.tax("JP", "Consumption tax 10%", "0.10");
    let a = store.product("Tea", "999");
    let b = store.product("Teapot", "1501");
    let id = store.promotion_id();
    store.promote(Promotion::new(
        id,
        "10% off",
        Benefit::PercentOffOrder { percent: dec("10") },
    ));
    let cart = store.cart_with(&[(a, 1), (b, 1)]);

    let priced = store.price(&cart, &store.context()).unwrap();

    // 10% of 2500 = 250, shares 99.9 and 150.1 → floors 99 + 150, the spare yen to the
    // larger remainder (.9) → 100 / 150. Tax 10%: 899 → 89.9 → 90; 1351 → 135.1 → 135.
    assert_eq!(line_discounts(&priced), [dec("100"), dec("150")]);
    let taxes: Vec<Decimal> = priced
        .lines
        .iter()
        .map(|l| l.tax.as_ref().unwrap().amount.amount())
        .collect();
    assert_eq!(taxes, [dec("90"), dec("135")]);
    assert_eq!(priced.totals.tax.amount(), dec("225"));
    assert_eq!(priced.totals.total.amount(), dec("2475"));
    assert_eq!(priced.totals.total.to_minor_units(), Ok(2475));
}

#[test]
fn kuwaiti_dinar_rounds_to_three_decimals_half_away_from_zero_by_default() {
    let mut store = Store::new(Currency::KWD);
    store.ship_to = Region::country("KW").unwrap();
    store.tax("KW", "VAT 5%", "0.05");
    let small = store.product("Sticker", "0.050");
    let big = store.product("Lamp", "1.235");
    let cart = store.cart_with(&[(small, 1), (big, 3)]);

    let priced = store.price(&cart, &store.context()).unwrap();

    // 5% of 0.050 = 0.0025, a tie → 0.003; 5% of 3.705 = 0.18525 → 0.185.
    let taxes: Vec<Decimal> = priced
        .lines
        .iter()
        .map(|l| l.tax.as_ref().unwrap().amount.amount())
        .collect();
    assert_eq!(taxes, [dec("0.003"), dec("0.185")]);
    assert_eq!(priced.totals.total.amount(), dec("3.943"));
    assert_eq!(priced.totals.total.to_minor_units(), Ok(3943));

    // A store that rounds half-even takes the tie down to 0.002.
    store.rules.settings.rounding = RoundingMode::HalfEven;
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(
        priced.lines[0].tax.as_ref().unwrap().amount.amount(),
        dec("0.002")
    );
    assert_eq!(priced.totals.total.amount(), dec("3.942"));
}

fn buy_two_get_one(store: &mut Store, percent: &str) -> PromotionId {
    let tees = store.category("Tees", None);
    let id = store.promotion_id();
    store.promote(Promotion::new(
        id,
        "Buy 2 get 1",
        Benefit::BuyXGetY {
            target: Target::categories([tees]),
            buy: 2,
            get: 1,
            percent: dec(percent),
        },
    ));
    id
}

#[test]
fn buy_two_get_one_free_gives_the_cheapest_units_free() {
    let mut store = Store::new(Currency::USD);
    let id = buy_two_get_one(&mut store, "100");
    let tees = store.catalog.categories().iter().next().unwrap().id;
    let prices = ["10.00", "8.00", "6.00", "5.00", "3.00", "2.00"];
    let items: Vec<_> = prices
        .iter()
        .map(|p| store.product_with(&format!("Tee {p}"), p, Some(tees), 200))
        .collect();

    // Five units: one group of three → one free unit, the cheapest (3.00).
    let cart = store.cart_with(&items[..5].iter().map(|&i| (i, 1)).collect::<Vec<_>>());
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(
        line_discounts(&priced),
        [dec("0"), dec("0"), dec("0"), dec("0"), dec("3.00")]
    );
    assert_eq!(result_of(&priced, id), applied(&store, "3.00"));

    // Six units: two groups → the two cheapest (2.00 and 3.00) are free.
    let cart = store.cart_with(&items.iter().map(|&i| (i, 1)).collect::<Vec<_>>());
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(priced.totals.discount.amount(), dec("5.00"));
    assert_eq!(priced.lines[4].discount.amount(), dec("3.00"));
    assert_eq!(priced.lines[5].discount.amount(), dec("2.00"));
}

#[test]
fn buy_two_get_one_counts_units_within_a_line() {
    let mut store = Store::new(Currency::USD);
    buy_two_get_one(&mut store, "100");
    let tees = store.catalog.categories().iter().next().unwrap().id;
    let dear = store.product_with("Dear tee", "12.00", Some(tees), 200);
    let cheap = store.product_with("Cheap tee", "7.00", Some(tees), 200);
    let mug = store.product("Mug", "1.00");

    // 4 × 12.00 + 2 × 7.00 = six targeted units → two free, both 7.00 units; the mug is
    // not targeted even though it is cheapest.
    let cart = store.cart_with(&[(dear, 4), (cheap, 2), (mug, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(line_discounts(&priced), [dec("0"), dec("14.00"), dec("0")]);
    assert!(matches!(
        priced.lines[1].adjustments[0].reason,
        AdjustmentReason::BuyXGetY {
            discounted_units: 2,
            ..
        }
    ));
}

#[test]
fn buy_two_get_one_half_price_rounds_the_discount_per_line() {
    let mut store = Store::new(Currency::USD);
    buy_two_get_one(&mut store, "50");
    let tees = store.catalog.categories().iter().next().unwrap().id;
    let tee = store.product_with("Tee", "9.99", Some(tees), 200);
    let cart = store.cart_with(&[(tee, 3)]);
    // One unit at half price: 4.995 → 5.00 (half away from zero).
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(priced.lines[0].discount.amount(), dec("5.00"));
    assert_eq!(priced.totals.total.amount(), dec("24.97"));
}

#[test]
fn a_coupon_at_its_usage_limit_is_refused_and_the_cart_is_unchanged() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "20.00");
    let id = store.promotion_id();
    let code = commerce_core::pricing::CouponCode::parse("SPRING").unwrap();
    store.promote(
        Promotion::new(
            id,
            "Spring",
            Benefit::PercentOffOrder { percent: dec("25") },
        )
        .map(|p| p.with_coupon(code).limit_uses(100)),
    );
    let mut cart = store.cart_with(&[(mug, 1)]);
    let mut context = store.context();

    context.usage.total.insert(id, 100);
    let before = cart.clone();
    let refused = cart.apply_coupon("spring", &store.rules.promotions, &context);
    assert_eq!(
        refused,
        Err(Error::Coupon {
            code: "SPRING".into(),
            rejection: CouponRejection::UsageLimitReached
        })
    );
    assert_eq!(cart, before);

    // One use left: accepted (case-insensitively) and applied.
    context.usage.total.insert(id, 99);
    cart.apply_coupon("  Spring ", &store.rules.promotions, &context)
        .unwrap();
    let priced = store.price(&cart, &context).unwrap();
    assert_eq!(priced.totals.discount.amount(), dec("5.00"));

    // Exhausted between applying and checking out: reported, not charged.
    context.usage.total.insert(id, 100);
    let priced = store.price(&cart, &context).unwrap();
    assert_eq!(priced.totals.discount.amount(), dec("0"));
    assert_eq!(
        result_of(&priced, id),
        not_applied(NotApplied::Rejected {
            rejection: CouponRejection::UsageLimitReached
        })
    );
}

#[test]
fn per_customer_limits_need_a_signed_in_customer() {
    let mut store = Store::new(Currency::USD);
    let id = store.promotion_id();
    let code = commerce_core::pricing::CouponCode::parse("WELCOME").unwrap();
    store.promote(
        Promotion::new(id, "Welcome", Benefit::FreeShipping)
            .map(|p| p.with_coupon(code).limit_per_customer(1)),
    );
    let mut cart = store.cart();
    let mut context = store.context();
    let guest = cart.apply_coupon("welcome", &store.rules.promotions, &context);
    assert!(matches!(
        guest,
        Err(Error::Coupon {
            rejection: CouponRejection::SignInRequired,
            ..
        })
    ));

    context.shopper.customer = Some(CustomerId::from_u128(7));
    context.usage.by_shopper.insert(id, 1);
    let used = cart.apply_coupon("welcome", &store.rules.promotions, &context);
    assert!(matches!(
        used,
        Err(Error::Coupon {
            rejection: CouponRejection::CustomerLimitReached,
            ..
        })
    ));

    context.usage.by_shopper.clear();
    assert_eq!(
        cart.apply_coupon("welcome", &store.rules.promotions, &context),
        Ok(())
    );
    let again = cart.apply_coupon("WELCOME", &store.rules.promotions, &context);
    assert!(matches!(
        again,
        Err(Error::Coupon {
            rejection: CouponRejection::AlreadyApplied,
            ..
        })
    ));
}

/// A 100.00 cart with an exclusive 20% off the order and two combinable promotions.
fn stacking_store(exclusive_priority: i32) -> (Store, Item, [PromotionId; 3]) {
    let mut store = Store::new(Currency::USD);
    let chair = store.product("Chair", "100.00");
    let (exclusive, five_off, ten_percent) = (
        store.promotion_id(),
        store.promotion_id(),
        store.promotion_id(),
    );
    store.promote(
        Promotion::new(
            exclusive,
            "20% off, alone",
            Benefit::PercentOffOrder { percent: dec("20") },
        )
        .map(|p| p.exclusive().priority(exclusive_priority)),
    );
    let five = store.money("5.00");
    store.promote(
        Promotion::new(
            five_off,
            "5.00 off",
            Benefit::AmountOffOrder { amount: five },
        )
        .map(|p| p.priority(5)),
    );
    store.promote(
        Promotion::new(
            ten_percent,
            "10% off chairs",
            Benefit::PercentOffItems {
                target: Target::products([chair.product]),
                percent: dec("10"),
            },
        )
        .map(|p| p.priority(1)),
    );
    (store, chair, [exclusive, five_off, ten_percent])
}

#[test]
fn an_exclusive_promotion_first_in_priority_applies_alone() {
    let (mut store, chair, [exclusive, five_off, ten_percent]) = stacking_store(10);
    let cart = store.cart_with(&[(chair, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(priced.totals.discount.amount(), dec("20.00"));
    assert_eq!(result_of(&priced, exclusive), applied(&store, "20.00"));
    for other in [five_off, ten_percent] {
        assert_eq!(
            result_of(&priced, other),
            not_applied(NotApplied::NotCombinable { with: exclusive })
        );
    }
}

#[test]
fn combinable_promotions_first_in_priority_shut_out_a_later_exclusive_one() {
    let (mut store, chair, [exclusive, five_off, ten_percent]) = stacking_store(0);
    let cart = store.cart_with(&[(chair, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    // Item discounts first: 10% of 100.00 = 10.00; then 5.00 off the order → 15.00.
    assert_eq!(priced.totals.discount.amount(), dec("15.00"));
    assert_eq!(result_of(&priced, ten_percent), applied(&store, "10.00"));
    assert_eq!(result_of(&priced, five_off), applied(&store, "5.00"));
    assert_eq!(
        result_of(&priced, exclusive),
        not_applied(NotApplied::NotCombinable { with: five_off })
    );
}

#[test]
fn an_exclusive_promotion_with_nothing_to_discount_blocks_nothing() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "10.00");
    let lamp = store.product("Lamp", "30.00");
    let lamps_only = store.promotion_id();
    store.promote(
        Promotion::new(
            lamps_only,
            "Half-price lamps",
            Benefit::PercentOffItems {
                target: Target::products([lamp.product]),
                percent: dec("50"),
            },
        )
        .map(|p| p.exclusive().priority(9)),
    );
    let order = store.promotion_id();
    store.promote(Promotion::new(
        order,
        "10% off",
        Benefit::PercentOffOrder { percent: dec("10") },
    ));
    let cart = store.cart_with(&[(mug, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(
        result_of(&priced, lamps_only),
        not_applied(NotApplied::NoMatchingItems)
    );
    assert_eq!(priced.totals.discount.amount(), dec("1.00"));
}

#[test]
fn tax_inclusive_prices_show_the_vat_inside_them() {
    let mut store = Store::new(Currency::EUR).tax_inclusive();
    store.ship_to = Region::country("DE").unwrap();
    store.tax("DE", "MwSt 19%", "0.19");
    let book = store.product("Book", "19.99");
    let cart = store.cart_with(&[(book, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    // 19.99 × 0.19 / 1.19 = 3.1916… → 3.19; net 16.80.
    let line = &priced.lines[0];
    assert_eq!(line.gross.amount(), dec("19.99"));
    assert_eq!(line.tax.as_ref().unwrap().amount.amount(), dec("3.19"));
    assert_eq!(line.net.amount(), dec("16.80"));
    assert_eq!(priced.totals.total.amount(), dec("19.99"));
    assert_eq!(priced.tax_lines[0].tax.amount(), dec("3.19"));
}

#[test]
fn tax_is_computed_on_the_discounted_line() {
    let mut store = Store::new(Currency::USD);
    store.tax("US", "Sales tax", "0.08");
    let desk = store.product("Desk", "250.00");
    let id = store.promotion_id();
    store.promote(Promotion::new(
        id,
        "15% off",
        Benefit::PercentOffOrder { percent: dec("15") },
    ));
    let cart = store.cart_with(&[(desk, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    // 250.00 − 37.50 = 212.50; 8% → 17.00; total 229.50.
    assert_eq!(priced.totals.tax.amount(), dec("17.00"));
    assert_eq!(priced.totals.total.amount(), dec("229.50"));
}

#[test]
fn a_state_rate_beats_the_country_rate() {
    use commerce_core::pricing::{CountryCode, TaxCategory, TaxRate};
    let mut store = Store::new(Currency::USD);
    store.tax("US", "No federal sales tax", "0");
    store
        .rules
        .taxes
        .add(TaxRate {
            name: "CA sales tax".into(),
            country: CountryCode::parse("us").unwrap(),
            state: Some("ca".into()),
            category: TaxCategory::standard(),
            rate: dec("0.0725"),
        })
        .unwrap();
    let tv = store.product("TV", "400.00");
    let cart = store.cart_with(&[(tv, 1)]);
    let mut context = store.context();
    context.ship_to = Region::state("US", "CA").unwrap();
    assert_eq!(
        store.price(&cart, &context).unwrap().totals.tax.amount(),
        dec("29.00")
    );
    context.ship_to = Region::state("US", "OR").unwrap();
    assert_eq!(
        store.price(&cart, &context).unwrap().totals.tax.amount(),
        dec("0.00")
    );
}

#[test]
fn shipping_is_flat_weight_tiered_or_free_over_a_threshold() {
    let mut store = Store::new(Currency::USD);
    let light = store.product_with("Card", "24.99", None, 100);
    let heavy = store.product_with("Kettlebell", "25.01", None, 8_000);
    let flat = store.shipping_id();
    let flat_price = store.money("5.00");
    let threshold = store.money("50.00");
    store.shipping(ShippingMethod::flat(flat, "Standard", flat_price).free_over(threshold));
    let tiered = store.shipping_id();
    let tiers = vec![
        WeightTier {
            up_to: Weight::grams(1_000),
            price: store.money("3.00"),
        },
        WeightTier {
            up_to: Weight::grams(10_000),
            price: store.money("12.00"),
        },
    ];
    store.shipping(ShippingMethod::by_weight(tiered, "By weight", tiers));
    let mut context = store.context();

    context.shipping_method = Some(flat);
    let below = store
        .price(&store.clone().cart_with(&[(light, 1)]), &context)
        .unwrap();
    assert_eq!(below.totals.shipping.amount(), dec("5.00"));
    let reached = store
        .price(
            &store.clone().cart_with(&[(light, 1), (heavy, 1)]),
            &context,
        )
        .unwrap();
    assert!(reached.shipping.as_ref().unwrap().free_over_threshold);
    assert_eq!(reached.totals.shipping.amount(), dec("0"));
    assert_eq!(reached.totals.total.amount(), dec("50.00"));

    context.shipping_method = Some(tiered);
    let light_parcel = store
        .price(&store.clone().cart_with(&[(light, 3)]), &context)
        .unwrap();
    assert_eq!(light_parcel.totals.shipping.amount(), dec("3.00"));
    let heavy_parcel = store
        .price(&store.clone().cart_with(&[(heavy, 1)]), &context)
        .unwrap();
    assert_eq!(heavy_parcel.totals.shipping.amount(), dec("12.00"));
    let too_heavy = store.price(&store.clone().cart_with(&[(heavy, 2)]), &context);
    assert!(matches!(
        too_heavy,
        Err(Error::InvalidInput {
            field: "shipping_method",
            ..
        })
    ));
}

#[test]
fn a_free_shipping_promotion_zeroes_the_chosen_method() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.00");
    let ship = store.shipping_id();
    let price = store.money("6.50");
    store.shipping(ShippingMethod::flat(ship, "Standard", price));
    let id = store.promotion_id();
    store.promote(Promotion::new(id, "Free shipping", Benefit::FreeShipping));
    let cart = store.cart_with(&[(mug, 1)]);

    let mut context = store.context();
    let priced = store.price(&cart, &context).unwrap();
    assert_eq!(
        result_of(&priced, id),
        not_applied(NotApplied::NoShippingChosen)
    );

    context.shipping_method = Some(ship);
    let priced = store.price(&cart, &context).unwrap();
    assert_eq!(priced.totals.shipping_discount.amount(), dec("6.50"));
    assert_eq!(priced.totals.shipping.amount(), dec("0"));
    assert_eq!(priced.totals.total.amount(), dec("12.00"));
}

#[test]
fn quantity_tiers_and_sale_windows_pick_the_lowest_price() {
    let mut store = Store::new(Currency::USD);
    let pen = store.product("Pen", "10.00");
    let (base, tier, sale) = (
        store.money("10.00"),
        store.money("8.00"),
        store.money("9.00"),
    );
    store.set_price(
        pen,
        VariantPrice::new(base).with_tier(5, tier).with_sale(
            sale,
            Some(now() - Duration::days(1)),
            Some(now() + Duration::days(1)),
        ),
    );
    let one = store
        .price(&store.clone().cart_with(&[(pen, 1)]), &store.context())
        .unwrap();
    assert_eq!(one.lines[0].unit_price.amount.amount(), dec("9.00"));
    assert_eq!(one.lines[0].unit_price.kind, PriceKind::Sale);
    let five = store
        .price(&store.clone().cart_with(&[(pen, 5)]), &store.context())
        .unwrap();
    assert_eq!(
        five.lines[0].unit_price.kind,
        PriceKind::Tier { min_quantity: 5 }
    );
    assert_eq!(five.totals.items.amount(), dec("40.00"));

    let mut after_sale = store.context();
    after_sale.now = now() + Duration::days(1);
    let cart = store.clone().cart_with(&[(pen, 1)]);
    let later = store.price(&cart, &after_sale).unwrap();
    assert_eq!(later.lines[0].unit_price.kind, PriceKind::Base);
}

#[test]
fn a_customer_group_price_list_applies_only_to_that_group() {
    use commerce_core::PriceListId;
    use commerce_core::pricing::{CustomerGroup, PriceList};
    let mut store = Store::new(Currency::USD);
    let bolt = store.product("Bolt", "1.00");
    let wholesale = CustomerGroup::parse("Wholesale").unwrap();
    let mut list = PriceList::new(
        PriceListId::from_u128(2),
        "Trade",
        Currency::USD,
        Some(wholesale.clone()),
    );
    list.set_price(bolt.variant, VariantPrice::new(store.money("0.70")))
        .unwrap();
    store.rules.price_book.add_list(list).unwrap();
    let cart = store.cart_with(&[(bolt, 10)]);

    let mut context = store.context();
    assert_eq!(
        store.price(&cart, &context).unwrap().totals.items.amount(),
        dec("10.00")
    );
    context.shopper.group = Some(wholesale);
    assert_eq!(
        store.price(&cart, &context).unwrap().totals.items.amount(),
        dec("7.00")
    );
}

#[test]
fn unmet_conditions_are_reported_with_the_figures() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "38.00");
    let id = store.promotion_id();
    let fifty = store.money("50.00");
    store.promote(
        Promotion::new(
            id,
            "5% over 50",
            Benefit::PercentOffOrder { percent: dec("5") },
        )
        .map(|p| p.when(Condition::MinSubtotal { amount: fifty })),
    );
    let two_units = store.promotion_id();
    store.promote(
        Promotion::new(
            two_units,
            "5% on 2+",
            Benefit::PercentOffOrder { percent: dec("5") },
        )
        .map(|p| p.when(Condition::MinQuantity { quantity: 2 })),
    );
    let cart = store.cart_with(&[(mug, 1)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(
        result_of(&priced, id),
        not_applied(NotApplied::MinSubtotal {
            required: fifty,
            current: store.money("38.00")
        })
    );
    assert_eq!(
        result_of(&priced, two_units),
        not_applied(NotApplied::MinQuantity {
            required: 2,
            current: 1
        })
    );
    assert_eq!(priced.totals.discount.amount(), dec("0"));
}

#[test]
fn first_order_and_date_window_promotions_follow_the_shopper_and_the_clock() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "10.00");
    let first = store.promotion_id();
    store.promote(
        Promotion::new(
            first,
            "First order",
            Benefit::PercentOffOrder { percent: dec("10") },
        )
        .map(|p| p.when(Condition::FirstOrder)),
    );
    let weekend = store.promotion_id();
    store.promote(
        Promotion::new(
            weekend,
            "Weekend",
            Benefit::PercentOffOrder { percent: dec("50") },
        )
        .map(|p| {
            p.when(Condition::DateWindow {
                starts_at: Some(now() + Duration::days(5)),
                ends_at: None,
            })
        }),
    );
    let cart = store.cart_with(&[(mug, 1)]);
    let mut context = store.context();
    context.shopper.customer = Some(CustomerId::from_u128(3));

    let newcomer = store.price(&cart, &context).unwrap();
    assert_eq!(newcomer.totals.discount.amount(), dec("1.00"));
    // Automatic promotions outside their window or audience are simply not considered.
    assert!(newcomer.promotions.iter().all(|o| o.promotion != weekend));

    context.shopper.previous_orders = 1;
    assert_eq!(
        store
            .price(&cart, &context)
            .unwrap()
            .totals
            .discount
            .amount(),
        dec("0")
    );

    context.now = now() + Duration::days(5);
    assert_eq!(
        store
            .price(&cart, &context)
            .unwrap()
            .totals
            .discount
            .amount(),
        dec("5.00")
    );
}

#[test]
fn a_fixed_order_discount_never_exceeds_the_order() {
    let mut store = Store::new(Currency::USD);
    let pin = store.product("Pin", "2.00");
    let id = store.promotion_id();
    let big = store.money("25.00");
    store.promote(Promotion::new(
        id,
        "25 off",
        Benefit::AmountOffOrder { amount: big },
    ));
    let cart = store.cart_with(&[(pin, 3)]);
    let priced = store.price(&cart, &store.context()).unwrap();
    assert_eq!(priced.totals.discount.amount(), dec("6.00"));
    assert_eq!(priced.totals.total.amount(), dec("0.00"));
}
