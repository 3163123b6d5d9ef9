//! The demo catalog, loaded on first start: three shops with their sellers, a category
//! tree, a few hundred products (clothing in sizes, kitchenware in colours), prices in
//! USD, stock in two locations (some of it low, some sold out), US sales tax, two
//! shipping methods, automatic promotions and coupons, a few reviews (with a seller's
//! reply) and, with the in-memory payment provider, two paid orders that make a
//! "frequently bought together" pair. Deterministic: the same products, prices, stock
//! and reviews every time.

use std::collections::BTreeMap;

use commerce::cart::CartPurpose;
use commerce::catalog::{NewProduct, ProductStatus, Sku, Variant, Weight};
use commerce::identity::{NewAddress, Principal, Role};
use commerce::inventory::StockPolicy;
use commerce::payment::IdempotencyKey;
use commerce::pricing::{
    Benefit, Condition, CountryCode, CouponCode, PriceList, PricingRules, Promotion,
    ShippingMethod, Target, TaxCategory, TaxRate, VariantPrice,
};
use commerce::{
    AdminId, CheckoutRequest, Commerce, Currency, Error, LocationId, Money, PriceListId, ProductId,
    PromotionId, ReviewInput, ShippingMethodId, VariantId,
};
use rust_decimal::Decimal;

/// A demo account's e-mail and password, printed at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    /// What the account is ("admin", "seller of ...", "customer").
    pub who: String,
    /// Its e-mail.
    pub email: &'static str,
    /// Its password.
    pub password: &'static str,
}

/// The admin's login.
pub const ADMIN: (&str, &str) = ("admin@shop.test", "demo-admin-password");
/// The demo customer's login.
pub const CUSTOMER: (&str, &str) = ("ada@shop.test", "demo-customer-password");
/// The password every demo seller has.
pub const SELLER_PASSWORD: &str = "demo-seller-password";
/// The coupon taking 10% off an order.
pub const COUPON_PERCENT: &str = "WELCOME10";
/// The coupon taking 5.00 off an order of 30.00 or more.
pub const COUPON_AMOUNT: &str = "SAVE5";
/// The main warehouse.
pub const WAREHOUSE: LocationId = LocationId::from_u128(0xD3_0001);
/// The shop floor's back room.
pub const BACKROOM: LocationId = LocationId::from_u128(0xD3_0002);
/// Standard shipping.
pub const STANDARD_SHIPPING: ShippingMethodId = ShippingMethodId::from_u128(0xD5_0001);
/// Express shipping.
pub const EXPRESS_SHIPPING: ShippingMethodId = ShippingMethodId::from_u128(0xD5_0002);
/// A SKU whose availability falls to this or below is "low stock" (on the seller's
/// dashboard, and a `stock.low` notification to the seller).
pub const LOW_STOCK_THRESHOLD: u32 = 3;
/// The password of the demo reviewers ([`REVIEWERS`]).
pub const REVIEWER_PASSWORD: &str = "demo-reviewer-password";
/// The demo customers who wrote the demo reviews (and placed the demo orders).
pub const REVIEWERS: [(&str, &str); 3] = [
    ("grace@shop.test", "Grace Hopper"),
    ("alan@shop.test", "Alan Turing"),
    ("edsger@shop.test", "Edsger Dijkstra"),
];
/// The two Pixel Forge products the demo orders buy together.
pub const BOUGHT_TOGETHER: [ProductId; 2] = [demo_product(206), demo_product(207)];

/// The id of the `serial`-th demo product (from 1: Northwind's are 1–102, Kettle & Co's
/// 103–204, Pixel Forge's 205–306).
pub const fn demo_product(serial: u128) -> ProductId {
    ProductId::from_u128(0xDB_0000_0000 + serial)
}

/// The demo reviews: (reviewer index, product serial, stars, title, text).
const REVIEWS: [(usize, u128, i64, &str, &str); 9] = [
    (
        0,
        206,
        5,
        "Great sound",
        "Clear highs and a bass that does not boom. Worth it.",
    ),
    (
        1,
        206,
        4,
        "Good, a little tight",
        "Lovely sound; the headband pinches after an hour.",
    ),
    (2, 206, 4, "", "Solid for the price."),
    (
        0,
        207,
        4,
        "Does the job",
        "Charges quickly and the cable is long enough.",
    ),
    (1, 207, 3, "", "Fine, nothing special."),
    (
        0,
        137,
        5,
        "My morning teapot",
        "Pours without dripping and keeps the tea hot.",
    ),
    (
        2,
        137,
        2,
        "Lid rattles",
        "The lid rattles when you pour from a full pot.",
    ),
    (
        1,
        1,
        5,
        "Warm and light",
        "Wore it on a windy ridge and stayed warm.",
    ),
    (2, 103, 4, "", "Heavy, heats evenly."),
];

struct ShopPlan {
    name: &'static str,
    seller: &'static str,
    department: &'static str,
    aisles: [&'static str; 3],
    brands: [&'static str; 3],
    nouns: [&'static str; 6],
    options: (&'static str, &'static [&'static str]),
    grams: u32,
    price_range: (u64, u64),
}

const SHOPS: [ShopPlan; 3] = [
    ShopPlan {
        name: "Northwind Outfitters",
        seller: "nora@northwind.test",
        department: "Clothing",
        aisles: ["Jackets", "Shirts", "Knitwear"],
        brands: ["Northwind", "Fjellrev", "Tidewater"],
        nouns: ["Jacket", "Parka", "Shirt", "Sweater", "Hoodie", "Vest"],
        options: ("size", &["S", "M", "L"]),
        grams: 600,
        price_range: (1_900, 18_900),
    },
    ShopPlan {
        name: "Kettle & Co",
        seller: "ken@kettle.test",
        department: "Kitchen",
        aisles: ["Cookware", "Tea and Coffee", "Tableware"],
        brands: ["Kettle", "Hearthstone", "Copperleaf"],
        nouns: ["Teapot", "Kettle", "Skillet", "Mug", "Bowl", "Grinder"],
        options: ("colour", &["Red", "Blue"]),
        grams: 900,
        price_range: (600, 9_900),
    },
    ShopPlan {
        name: "Pixel Forge",
        seller: "pia@pixelforge.test",
        department: "Electronics",
        aisles: ["Audio", "Keyboards", "Cables"],
        brands: ["Pixel", "Voltaire", "Ohmic"],
        nouns: [
            "Headphones",
            "Speaker",
            "Keyboard",
            "Cable",
            "Charger",
            "Mouse",
        ],
        options: ("edition", &[]),
        grams: 300,
        price_range: (900, 24_900),
    },
];

const ADJECTIVES: [&str; 17] = [
    "Alpine", "Coastal", "Classic", "Compact", "Everyday", "Heritage", "Midnight", "Nordic",
    "Rustic", "Summit", "Urban", "Velvet", "Wild", "Amber", "Cedar", "Harbor", "Linen",
];

/// SplitMix64: a fixed pseudo-random sequence, so the demo is the same everywhere.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

/// The demo logins (also when the catalog was loaded by an earlier start).
pub fn logins() -> Vec<Login> {
    let mut logins = vec![Login {
        who: "admin".into(),
        email: ADMIN.0,
        password: ADMIN.1,
    }];
    logins.extend(SHOPS.iter().map(|plan| Login {
        who: format!("seller of {}", plan.name),
        email: plan.seller,
        password: SELLER_PASSWORD,
    }));
    logins.push(Login {
        who: "customer".into(),
        email: CUSTOMER.0,
        password: CUSTOMER.1,
    });
    logins
}

/// Whether the demo catalog is there already (the admin account exists).
pub async fn is_loaded(commerce: &Commerce) -> Result<bool, Error> {
    match commerce.login(ADMIN.0, ADMIN.1).await {
        Ok(_) => Ok(true),
        Err(Error::Unauthenticated(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Loads the demo catalog into an empty store and returns how many products it made.
/// The search index is not updated: rebuild it afterwards.
pub async fn load(commerce: &Commerce, currency: Currency) -> Result<usize, Error> {
    let bootstrap = Principal::Admin(AdminId::from_u128(0xAD_0000));
    commerce
        .register(ADMIN.0, ADMIN.1, "Shop Admin", Role::Admin, bootstrap)
        .await?;
    let (_, admin) = commerce.login(ADMIN.0, ADMIN.1).await?;
    commerce
        .register(
            CUSTOMER.0,
            CUSTOMER.1,
            "Ada Lovelace",
            Role::Customer,
            admin,
        )
        .await?;

    let mut rng = Sequence(0x5EED);
    let list = PriceListId::from_u128(0xD1_0001);
    let mut prices = PriceList::new(list, "Retail", currency, None);
    let mut tea_category = None;
    let mut products = 0usize;
    let mut serial: u128 = 0;
    for (shop_index, plan) in SHOPS.iter().enumerate() {
        let seller = commerce
            .register(plan.seller, SELLER_PASSWORD, plan.name, Role::Seller, admin)
            .await?;
        let Principal::Seller(seller_id) = Principal::of_account(seller.id, Role::Seller) else {
            return Err(Error::invalid("role", "a seller account is not a seller"));
        };
        let shop = commerce.open_shop_for(admin, seller_id, plan.name).await?;
        let department = commerce.add_category(admin, None, plan.department).await?;
        for (aisle_index, aisle) in plan.aisles.iter().enumerate() {
            let category = commerce
                .add_category(admin, Some(department.id), aisle)
                .await?;
            if *aisle == "Tea and Coffee" {
                tea_category = Some(category.id);
            }
            for n in 0..34u64 {
                serial += 1;
                let adjective = ADJECTIVES[(n as usize * 7 + aisle_index * 3) % ADJECTIVES.len()];
                let noun = plan.nouns[(n as usize + aisle_index * 2) % plan.nouns.len()];
                let brand = plan.brands[(n as usize + aisle_index) % plan.brands.len()];
                let name = format!("{brand} {adjective} {noun} {}", n / 6 + 1);
                let (low, high) = plan.price_range;
                let cents = (low + rng.below(high - low)) / 100 * 100 + 99;
                let price = Money::new(Decimal::new(cents as i64, 2), currency);
                let base_sku = format!(
                    "{}-{}{:03}",
                    &plan.department[..3].to_uppercase(),
                    aisle_index,
                    n
                );
                let option_values: Vec<Option<&str>> = if plan.options.1.is_empty() || n % 3 == 2 {
                    vec![None]
                } else {
                    plan.options.1.iter().map(|v| Some(*v)).collect()
                };
                let mut variants = Vec::new();
                for (v, value) in option_values.iter().enumerate() {
                    let id = VariantId::from_u128(0xDA_0000_0000 + serial * 16 + v as u128);
                    let sku = match value {
                        Some(value) => Sku::parse(&format!("{base_sku}-{}", value.to_uppercase()))?,
                        None => Sku::parse(&base_sku)?,
                    };
                    let mut variant = Variant::new(id, sku, Weight::grams(plan.grams));
                    if let Some(value) = value {
                        variant = variant.with_option(plan.options.0, value);
                    }
                    prices.set_price(id, VariantPrice::new(price))?;
                    variants.push(variant);
                }
                let mut attributes = BTreeMap::new();
                attributes.insert(
                    "material".to_owned(),
                    ["cotton", "steel", "wool", "ceramic", "aluminium"][(n % 5) as usize]
                        .to_owned(),
                );
                let product = commerce
                    .save_product(
                        admin,
                        NewProduct {
                            id: ProductId::from_u128(0xDB_0000_0000 + serial),
                            shop: shop.id,
                            name: name.clone(),
                            slug: None,
                            description: format!(
                                "The {name} by {brand}: a {} favourite from {}, made to last.",
                                aisle.to_lowercase(),
                                plan.name
                            ),
                            status: ProductStatus::Active,
                            category: Some(category.id),
                            brand: Some(brand.to_owned()),
                            attributes,
                            tax_category: TaxCategory::standard(),
                            media: Vec::new(),
                            variants: variants.clone(),
                            created_at: chrono::DateTime::UNIX_EPOCH
                                + chrono::Duration::days(
                                    20_000 + (shop_index * 200) as i64 + serial as i64,
                                ),
                        },
                    )
                    .await?;
                products += 1;
                for variant in product.variants() {
                    commerce
                        .set_stock_policy(
                            admin,
                            StockPolicy {
                                sku: variant.sku.clone(),
                                backorder: false,
                                low_stock_threshold: Some(LOW_STOCK_THRESHOLD),
                            },
                        )
                        .await?;
                    // Every 11th product is sold out; every 7th is low on stock.
                    let (warehouse, backroom) = match serial % 11 {
                        0 => (0, 0),
                        _ if serial.is_multiple_of(7) => (2, 1),
                        _ => (5 + rng.below(40) as i64, rng.below(10) as i64),
                    };
                    if warehouse > 0 {
                        commerce
                            .adjust_stock(admin, &variant.sku, WAREHOUSE, warehouse)
                            .await?;
                    }
                    if backroom > 0 {
                        commerce
                            .adjust_stock(admin, &variant.sku, BACKROOM, backroom)
                            .await?;
                    }
                }
            }
        }
    }

    let mut rules = PricingRules::default();
    rules.price_book.add_list(prices)?;
    rules.taxes.add(TaxRate {
        name: "US sales tax".into(),
        country: CountryCode::parse("US")?,
        state: None,
        category: TaxCategory::standard(),
        rate: Decimal::new(725, 4),
    })?;
    rules.shipping_methods = vec![
        ShippingMethod::flat(
            STANDARD_SHIPPING,
            "Standard (3-5 days)",
            Money::parse("4.99", currency)?,
        )
        .free_over(Money::parse("75.00", currency)?),
        ShippingMethod::flat(
            EXPRESS_SHIPPING,
            "Express (next day)",
            Money::parse("14.99", currency)?,
        ),
    ];
    rules.promotions = vec![
        Promotion::new(
            PromotionId::from_u128(0xDC_0001),
            "Welcome: 10% off your order",
            Benefit::PercentOffOrder {
                percent: Decimal::new(10, 0),
            },
        )?
        .with_coupon(CouponCode::parse(COUPON_PERCENT)?)
        .limit_per_customer(1),
        Promotion::new(
            PromotionId::from_u128(0xDC_0002),
            "5.00 off orders over 30.00",
            Benefit::AmountOffOrder {
                amount: Money::parse("5.00", currency)?,
            },
        )?
        .with_coupon(CouponCode::parse(COUPON_AMOUNT)?)
        .when(Condition::MinSubtotal {
            amount: Money::parse("30.00", currency)?,
        }),
    ];
    if let Some(tea) = tea_category {
        rules.promotions.push(
            Promotion::new(
                PromotionId::from_u128(0xDC_0003),
                "Tea and coffee: buy 2, get the third half price",
                Benefit::BuyXGetY {
                    target: Target::categories([tea]),
                    buy: 2,
                    get: 1,
                    percent: Decimal::new(50, 0),
                },
            )?
            .priority(10),
        );
    }
    commerce.stores().pricing.save_rules(rules).await?;
    load_reviews(commerce, admin).await?;
    Ok(products)
}

/// Signs up the [`REVIEWERS`], writes the demo [`REVIEWS`] and has Pixel Forge's seller
/// answer the first one.
async fn load_reviews(commerce: &Commerce, admin: Principal) -> Result<(), Error> {
    let mut reviewers = Vec::new();
    for (email, name) in REVIEWERS {
        commerce
            .register(email, REVIEWER_PASSWORD, name, Role::Customer, admin)
            .await?;
        reviewers.push(commerce.login(email, REVIEWER_PASSWORD).await?.1);
    }
    let mut first = None;
    for (who, serial, stars, title, text) in REVIEWS {
        let reviewer = reviewers
            .get(who)
            .copied()
            .ok_or_else(|| Error::invalid("reviewer", "no such demo reviewer"))?;
        let input = ReviewInput {
            rating: stars,
            title: (!title.is_empty()).then(|| title.to_owned()),
            text: Some(text.to_owned()),
        };
        let review = commerce
            .write_review(reviewer, demo_product(serial), &input)
            .await?;
        first.get_or_insert(review.id);
    }
    if let Some(review) = first {
        let (_, pia) = commerce.login(SHOPS[2].seller, SELLER_PASSWORD).await?;
        commerce
            .reply_to_review(
                pia,
                review,
                "Thank you! Try the replacement ear cushions if they pinch.",
            )
            .await?;
    }
    Ok(())
}

/// Two demo reviewers each buy both [`BOUGHT_TOGETHER`] products and pay, so the product
/// pages have a "frequently bought together" pair. Needs a payment provider that
/// approves `pm_card_visa` (the in-memory one): the shop calls it only then.
pub async fn load_orders(commerce: &Commerce, currency: Currency) -> Result<(), Error> {
    for (n, (email, name)) in REVIEWERS.iter().take(2).enumerate() {
        let (_, buyer) = commerce.login(email, REVIEWER_PASSWORD).await?;
        let cart = commerce
            .create_cart(buyer, currency, CartPurpose::Shopping)
            .await?;
        for product in BOUGHT_TOGETHER {
            let variant = commerce
                .product(buyer, product)
                .await?
                .variants()
                .first()
                .map(|v| v.id)
                .ok_or_else(|| Error::invalid("variant", "a demo product has no variant"))?;
            commerce.add_item(buyer, cart.id(), variant, 1).await?;
        }
        let checkout = commerce
            .checkout(
                buyer,
                CheckoutRequest {
                    cart: cart.id(),
                    ship_to: NewAddress {
                        name: (*name).to_owned(),
                        line1: format!("{} Analytical Row", n + 1),
                        line2: None,
                        city: "Springfield".into(),
                        postal_code: "12345".into(),
                        region: None,
                        country: CountryCode::parse("US")?,
                        phone: None,
                    },
                    shipping_method: Some(STANDARD_SHIPPING),
                    expected_total: None,
                    idempotency_key: IdempotencyKey::parse(&format!("demo-order-{n}"))?,
                },
            )
            .await?;
        commerce
            .pay(buyer, checkout.order.id, "pm_card_visa")
            .await?;
    }
    Ok(())
}
