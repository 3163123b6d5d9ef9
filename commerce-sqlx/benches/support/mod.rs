//! What the engine-driven benches share: a one-seller catalog loaded through the engine
//! by several writers at once, and one whole order (a new cart, one unit, checkout).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use commerce_core::cart::CartPurpose;
use commerce_core::catalog::{NewProduct, ProductStatus, Sku, Variant, Weight};
use commerce_core::identity::{NewAddress, Principal, Role};
use commerce_core::payment::IdempotencyKey;
use commerce_core::ports::Stores;
use commerce_core::pricing::{CountryCode, PriceList, PricingRules, TaxCategory, VariantPrice};
use commerce_core::{
    AdminId, CheckoutRequest, Commerce, Currency, CustomerId, LocationId, Money, PriceListId,
    ProductId, VariantId,
};

/// Writers loading the catalog at once.
const LOADERS: usize = 8;

/// A seller's shop of one-variant products, priced in one EUR list for everyone and
/// stocked with a million units each.
pub struct Catalog {
    /// The seller who owns the shop.
    pub seller: Principal,
    /// The retail list every product is priced in.
    pub list: PriceListId,
    /// The products and their one variant each.
    pub products: Vec<(ProductId, VariantId)>,
}

/// Loads `size` products priced 9.99 EUR into `stores` through `engine`, `LOADERS`
/// writers at once.
pub async fn load_catalog(engine: &Commerce, stores: &Stores, size: usize) -> Catalog {
    let admin = Principal::Admin(AdminId::random());
    engine
        .register(
            "bench-seller@example.com",
            "a long enough password",
            "Seller",
            Role::Seller,
            admin,
        )
        .await
        .unwrap();
    let (_, seller) = engine
        .login("bench-seller@example.com", "a long enough password")
        .await
        .unwrap();
    let shop = engine.open_shop(seller, "Bench Shop").await.unwrap();
    let products: Vec<(ProductId, VariantId)> = (0..size)
        .map(|_| (ProductId::random(), VariantId::random()))
        .collect();
    let list = PriceListId::random();
    let mut rules = PricingRules::default();
    rules
        .price_book
        .add_list(PriceList::new(list, "Retail", Currency::EUR, None))
        .unwrap();
    let retail = rules.price_book.list_mut(list).unwrap();
    let price = Money::parse("9.99", Currency::EUR).unwrap();
    for (_, variant) in &products {
        retail
            .set_price(*variant, VariantPrice::new(price))
            .unwrap();
    }
    stores.pricing.save_rules(rules).await.unwrap();
    let chunks: Vec<Vec<(usize, (ProductId, VariantId))>> = products
        .iter()
        .copied()
        .enumerate()
        .collect::<Vec<_>>()
        .chunks(size.div_ceil(LOADERS).max(1))
        .map(<[_]>::to_vec)
        .collect();
    let mut loaders = Vec::new();
    for chunk in chunks {
        let (engine, shop, inventory) = (engine.clone(), shop.id, stores.inventory.clone());
        loaders.push(tokio::spawn(async move {
            for (n, (product, variant)) in chunk {
                let sku = Sku::parse(&format!("BENCH-{n:07}")).unwrap();
                engine
                    .save_product(
                        seller,
                        NewProduct {
                            id: product,
                            shop,
                            name: format!("Bench product {n}"),
                            slug: None,
                            description: "A product for the benchmark.".into(),
                            status: ProductStatus::Active,
                            category: None,
                            brand: None,
                            attributes: Default::default(),
                            tax_category: TaxCategory::standard(),
                            media: Vec::new(),
                            variants: vec![Variant::new(variant, sku.clone(), Weight::grams(100))],
                            created_at: chrono::Utc::now(),
                        },
                    )
                    .await
                    .unwrap();
                inventory
                    .adjust_stock(
                        &sku,
                        LocationId::from_u128(1),
                        1_000_000,
                        chrono::Utc::now(),
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for loader in loaders {
        loader.await.unwrap();
    }
    Catalog {
        seller,
        list,
        products,
    }
}

fn ship_to() -> NewAddress {
    NewAddress {
        name: "Bench Shopper".into(),
        line1: "1 Load Street".into(),
        line2: None,
        city: "Berlin".into(),
        postal_code: "10115".into(),
        region: None,
        country: CountryCode::parse("DE").unwrap(),
        phone: None,
    }
}

/// One order by a new shopper: a cart, one unit of `variant`, checkout.
pub async fn order(engine: &Commerce, variant: VariantId) -> Result<(), commerce_core::Error> {
    let shopper = Principal::Customer(CustomerId::random());
    let cart = engine
        .create_cart(shopper, Currency::EUR, CartPurpose::Shopping)
        .await?;
    engine.add_item(shopper, cart.id(), variant, 1).await?;
    let key = IdempotencyKey::parse(&format!("bench-{}", uuid::Uuid::new_v4())).unwrap();
    engine
        .checkout(
            shopper,
            CheckoutRequest {
                cart: cart.id(),
                ship_to: ship_to(),
                shipping_method: None,
                expected_total: None,
                idempotency_key: key,
            },
        )
        .await?;
    Ok(())
}
