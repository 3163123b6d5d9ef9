//! Lifecycle: an order's whole life on the in-memory engine — a seller opens a shop and
//! stocks a product, a customer registers, fills a cart, checks out and pays through the
//! in-memory payment provider, the seller ships, the carrier delivers — then the order's
//! history and the events the engine published.
//!
//! ```text
//! cargo run --example lifecycle
//! DATABASE_URL=sqlite://target/lifecycle.db cargo run --example lifecycle   # or postgres://...
//! ```
//!
//! With `DATABASE_URL` set, the same story runs on that database (through
//! `commerce-sqlx`, created and migrated if needed) instead of the in-memory stores.

use std::sync::Arc;

use chrono::Duration;

use commerce::cart::CartPurpose;
use commerce::catalog::{NewProduct, ProductStatus, Sku, Variant, Weight};
use commerce::identity::{NewAddress, Principal, Role};
use commerce::memory::{EventRecorder, Memory};
use commerce::payment::IdempotencyKey;
use commerce::ports::Subscriber;
use commerce::pricing::{CountryCode, PriceList, PricingRules, TaxCategory, VariantPrice};
use commerce::shipping::TrackingStatus;
use commerce::{
    AdminId, CheckoutRequest, Currency, Error, LocationId, Money, PriceListId, ProductId, VariantId,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // A complete engine in one line: in-memory stores, a manual clock and a payment
    // provider that approves unless told otherwise. With DATABASE_URL, the stores are
    // that database's instead.
    let mut memory = Memory::new();
    if let Some(config) = commerce_sqlx::DatabaseConfig::from_env()? {
        println!("stores: {}", config.redacted_url());
        memory.stores = commerce_sqlx::open(&config).await?;
    }
    let shop = memory.commerce();
    let admin = Principal::Admin(AdminId::random());

    // An admin creates a seller; the seller signs in and opens a shop.
    shop.register(
        "mia@example.com",
        "correct horse battery",
        "Mia",
        Role::Seller,
        admin,
    )
    .await?;
    let (_token, seller) = shop
        .login("mia@example.com", "correct horse battery")
        .await?;
    let mugs = shop.open_shop(seller, "Mia's Mugs").await?;

    // One product with one variant, priced in EUR, five in stock.
    let sku = Sku::parse("MUG-BLUE")?;
    let variant = VariantId::random();
    let product = shop
        .save_product(
            seller,
            NewProduct {
                id: ProductId::random(),
                shop: mugs.id,
                name: "Blue Enamel Mug".into(),
                slug: None,
                description: "Holds 350 ml of anything.".into(),
                status: ProductStatus::Active,
                category: None,
                brand: Some("Mia".into()),
                attributes: Default::default(),
                tax_category: TaxCategory::standard(),
                media: Vec::new(),
                variants: vec![Variant::new(variant, sku.clone(), Weight::grams(400))],
                created_at: memory_now(&memory),
            },
        )
        .await?;
    let mut rules = PricingRules::default();
    let retail = PriceListId::random();
    rules
        .price_book
        .add_list(PriceList::new(retail, "Retail", Currency::EUR, None))?;
    if let Some(list) = rules.price_book.list_mut(retail) {
        list.set_price(
            variant,
            VariantPrice::new(Money::parse("12.50", Currency::EUR)?),
        )?;
    }
    memory.stores.pricing.save_rules(rules).await?;
    let warehouse = LocationId::random();
    shop.adjust_stock(seller, &sku, warehouse, 5).await?;

    // A customer registers, signs in, and puts two mugs in a cart.
    shop.register(
        "ada@example.com",
        "analytical engine",
        "Ada",
        Role::Customer,
        Principal::Guest,
    )
    .await?;
    let (_token, ada) = shop.login("ada@example.com", "analytical engine").await?;
    let cart = shop
        .create_cart(ada, Currency::EUR, CartPurpose::Shopping)
        .await?;
    let cart = shop.add_item(ada, cart.id(), variant, 2).await?;
    println!("cart: {} items, {}", cart.total_items(), cart.subtotal()?);

    // Checkout reserves the stock and opens a payment; paying captures it.
    let checkout = shop
        .checkout(
            ada,
            CheckoutRequest {
                cart: cart.id(),
                ship_to: NewAddress {
                    name: "Ada Lovelace".into(),
                    line1: "12 St James's Square".into(),
                    line2: None,
                    city: "London".into(),
                    postal_code: "SW1Y 4JH".into(),
                    region: None,
                    country: CountryCode::parse("GB")?,
                    phone: None,
                },
                shipping_method: None,
                expected_total: None,
                idempotency_key: IdempotencyKey::parse("ada-checkout-1")?,
            },
        )
        .await?;
    let order = checkout.order;
    println!("order {} placed: {}", order.number, order.totals.total);
    memory.clock.advance(Duration::minutes(2));
    println!("available after checkout: {}", shop.available(&sku).await?);
    let paid = shop.pay(ada, order.id, "pm_card_visa").await?.order;
    println!("order {} is {}", paid.number, paid.status);

    // The next morning the seller ships their part; two days later it is delivered.
    memory.clock.advance(Duration::hours(18));
    let fulfilment = paid.fulfilments[0].id;
    let shipped = shop
        .ship(seller, order.id, fulfilment, "DHL", "JD014600003SE")
        .await?;
    let parcel = shipped.fulfilments[0].shipments[0].id;
    memory.clock.advance(Duration::days(2));
    let delivered = shop
        .track_shipment(
            seller,
            order.id,
            parcel,
            TrackingStatus::Delivered,
            "Left with neighbour",
        )
        .await?;

    println!("\nhistory of {} ({}):", delivered.number, product.name());
    for entry in &delivered.history {
        let from = entry.from.map_or("—".to_owned(), |s| s.to_string());
        println!(
            "  {}  {from:>15} → {:<15} {:<17} {}",
            entry.at.format("%Y-%m-%d %H:%M"),
            entry.to.to_string(),
            entry.actor.to_string(),
            entry.reason
        );
    }

    // Everything that happened, as the outbox publishes it to in-process subscribers.
    let recorder = Arc::new(EventRecorder::new());
    let subscribers: Vec<Arc<dyn Subscriber>> = vec![recorder.clone()];
    shop.publish_events(&subscribers, 1000).await?;
    let names: Vec<&str> = recorder.events()?.iter().map(|e| e.name()).collect();
    println!("\nevents: {}", names.join(", "));
    println!("on hand after delivery: {}", shop.available(&sku).await?);
    Ok(())
}

fn memory_now(memory: &Memory) -> chrono::DateTime<chrono::Utc> {
    use commerce::ports::Clock;
    memory.clock.now()
}
