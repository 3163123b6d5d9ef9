//! Quickstart: build a small catalog in memory, price a cart with a coupon, a
//! buy-2-get-1 offer, California sales tax and weight-based shipping, and print the
//! itemised receipt a shopper would see.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use chrono::{TimeZone, Utc};
use commerce::cart::{Cart, CartContext, CartLimits, CartPurpose, Quantity};
use commerce::catalog::{
    Catalog, Category, NewProduct, Product, ProductStatus, Shop, Sku, Variant, Weight,
};
use commerce::pricing::{
    Benefit, Condition, CountryCode, CouponCode, PriceList, PricedCart, PricingContext,
    PricingRules, Promotion, PromotionResult, Region, ShippingMethod, Target, TaxCategory, TaxRate,
    VariantPrice, WeightTier, price_cart,
};
use commerce::{
    CartId, CategoryId, Currency, Error, Money, PriceListId, ProductId, PromotionId, SellerId,
    ShippingMethodId, ShopId, VariantId,
};
use rust_decimal::Decimal;

fn main() -> Result<(), Error> {
    let now = Utc
        .with_ymd_and_hms(2026, 4, 2, 10, 0, 0)
        .single()
        .ok_or_else(|| Error::InvalidInput {
            field: "now",
            reason: "no such time".into(),
        })?;
    let usd = |amount: &str| Money::parse(amount, Currency::USD);

    // The catalog: one shop, two categories, three products.
    let mut catalog = Catalog::new();
    let shop = ShopId::from_u128(1);
    catalog.add_shop(Shop::new(
        shop,
        SellerId::from_u128(1),
        "Northwind Outfitters",
    )?)?;
    let apparel = CategoryId::from_u128(10);
    let socks_category = CategoryId::from_u128(11);
    let home = CategoryId::from_u128(20);
    catalog
        .categories_mut()
        .insert(Category::new(apparel, None, "Apparel")?)?;
    catalog
        .categories_mut()
        .insert(Category::new(socks_category, Some(apparel), "Socks")?)?;
    catalog
        .categories_mut()
        .insert(Category::new(home, None, "Home")?)?;

    let tee_m = VariantId::from_u128(101);
    let tee = product(
        ProductId::from_u128(100),
        shop,
        "Classic Tee",
        apparel,
        vec![
            Variant::new(
                VariantId::from_u128(102),
                Sku::parse("TEE-S")?,
                Weight::grams(180),
            )
            .with_option("size", "S"),
            Variant::new(tee_m, Sku::parse("TEE-M")?, Weight::grams(200)).with_option("size", "M"),
        ],
        now,
    )?;
    let mug = VariantId::from_u128(201);
    let mug_product = product(
        ProductId::from_u128(200),
        shop,
        "Enamel Mug",
        home,
        vec![Variant::new(
            mug,
            Sku::parse("MUG-BLUE")?,
            Weight::grams(350),
        )],
        now,
    )?;
    let sock = VariantId::from_u128(301);
    let sock_product = product(
        ProductId::from_u128(300),
        shop,
        "Wool Socks",
        socks_category,
        vec![Variant::new(
            sock,
            Sku::parse("SOCK-WOOL")?,
            Weight::grams(90),
        )],
        now,
    )?;
    for p in [tee, mug_product, sock_product] {
        catalog.upsert_product(p)?;
    }

    // Prices: the tee is on sale this week, mugs are cheaper from three.
    let mut rules = PricingRules::default();
    let mut retail = PriceList::new(PriceListId::from_u128(1), "Retail", Currency::USD, None);
    retail.set_price(
        tee_m,
        VariantPrice::new(usd("20.00")?).with_sale(
            usd("18.00")?,
            Some(now - chrono::Duration::days(2)),
            Some(now + chrono::Duration::days(5)),
        ),
    )?;
    retail.set_price(VariantId::from_u128(102), VariantPrice::new(usd("20.00")?))?;
    retail.set_price(
        mug,
        VariantPrice::new(usd("12.50")?).with_tier(3, usd("11.00")?),
    )?;
    retail.set_price(sock, VariantPrice::new(usd("9.00")?))?;
    rules.price_book.add_list(retail)?;

    // Promotions: an automatic buy-2-get-1 on socks, and a coupon for 15% off over 50.
    rules.promotions.push(Promotion::new(
        PromotionId::from_u128(1),
        "Socks: buy 2, get 1 free",
        Benefit::BuyXGetY {
            target: Target::categories([socks_category]),
            buy: 2,
            get: 1,
            percent: Decimal::ONE_HUNDRED,
        },
    )?);
    rules.promotions.push(
        Promotion::new(
            PromotionId::from_u128(2),
            "Spring sale",
            Benefit::PercentOffOrder {
                percent: Decimal::from(15),
            },
        )?
        .with_coupon(CouponCode::parse("SPRING15")?)
        .when(Condition::MinSubtotal {
            amount: usd("50.00")?,
        })
        .limit_uses(1_000),
    );
    rules.promotions.push(
        Promotion::new(
            PromotionId::from_u128(3),
            "Free shipping for VIPs",
            Benefit::FreeShipping,
        )?
        .when(Condition::CustomerGroups {
            groups: [commerce::pricing::CustomerGroup::parse("vip")?].into(),
        }),
    );

    // California sales tax, and ground shipping by weight, free over 150.
    rules.taxes.add(TaxRate {
        name: "CA sales tax 7.25%".into(),
        country: CountryCode::parse("US")?,
        state: Some("CA".into()),
        category: TaxCategory::standard(),
        rate: Decimal::new(725, 4),
    })?;
    let ground = ShippingMethodId::from_u128(1);
    rules.shipping_methods.push(
        ShippingMethod::by_weight(
            ground,
            "Ground",
            vec![
                commerce::pricing::WeightTier {
                    up_to: Weight::grams(1_000),
                    price: usd("5.95")?,
                },
                WeightTier {
                    up_to: Weight::grams(5_000),
                    price: usd("9.95")?,
                },
            ],
        )
        .free_over(usd("150.00")?)
        .taxed_as(TaxCategory::standard()),
    );

    // A shopper fills a cart and types the coupon in lower case.
    let mut cart = Cart::new(
        CartId::from_u128(1),
        None,
        CartPurpose::Shopping,
        Currency::USD,
        now,
    );
    let shelf = CartContext {
        catalog: &catalog,
        prices: &rules.price_book,
        limits: CartLimits::default(),
        group: None,
        now,
    };
    cart.add_item(&shelf, tee_m, Quantity::new(2)?)?;
    cart.add_item(&shelf, mug, Quantity::new(3)?)?;
    cart.add_item(&shelf, sock, Quantity::new(3)?)?;
    let mut context = PricingContext::guest(now, Region::state("US", "CA")?);
    context.shipping_method = Some(ground);
    cart.apply_coupon("spring15", &rules.promotions, &context)?;

    let priced = price_cart(&cart, &catalog, &rules, &context)?;
    print_receipt(&priced, &rules);
    Ok(())
}

fn product(
    id: ProductId,
    shop: ShopId,
    name: &str,
    category: CategoryId,
    variants: Vec<Variant>,
    now: chrono::DateTime<Utc>,
) -> Result<Product, Error> {
    Product::new(NewProduct {
        id,
        shop,
        name: name.into(),
        slug: None,
        description: String::new(),
        status: ProductStatus::Active,
        category: Some(category),
        brand: Some("Northwind".into()),
        attributes: Default::default(),
        tax_category: TaxCategory::standard(),
        media: Vec::new(),
        variants,
        created_at: now,
    })
}

fn print_receipt(priced: &PricedCart, rules: &PricingRules) {
    let name_of = |id: PromotionId| {
        rules
            .promotions
            .iter()
            .find(|p| p.id == id)
            .map_or("?", |p| &*p.name)
    };
    println!("{:<36}{:>5}{:>12}{:>12}", "item", "qty", "unit", "amount");
    for line in &priced.lines {
        let unit = line.unit_price.amount.to_string();
        println!(
            "{:<36}{:>5}{:>12}{:>12}",
            format!("{} ({})", line.name, line.sku),
            line.quantity,
            unit,
            line.amount.to_string()
        );
        for adjustment in &line.adjustments {
            println!(
                "    − {:<52}{:>12}",
                format!("{}: {}", name_of(adjustment.promotion), adjustment.reason),
                adjustment.amount.to_string()
            );
        }
    }
    let t = &priced.totals;
    println!("{:<53}{:>12}", "items", t.items.to_string());
    println!("{:<53}{:>12}", "discounts", format!("−{}", t.discount));
    if let Some(shipping) = &priced.shipping {
        let note = if shipping.free_over_threshold {
            " (free over threshold)"
        } else {
            ""
        };
        println!(
            "{:<53}{:>12}",
            format!("shipping: {}{note}", shipping.name),
            t.shipping.to_string()
        );
    }
    for tax in &priced.tax_lines {
        println!(
            "{:<53}{:>12}",
            format!("{} on {}", tax.name, tax.taxable),
            tax.tax.to_string()
        );
    }
    println!("{:<53}{:>12}", "TOTAL", t.total.to_string());
    for outcome in &priced.promotions {
        if let PromotionResult::NotApplied { reason } = &outcome.result {
            println!("not applied: {} — {reason}", outcome.name);
        }
    }
}
