//! Inventory use cases enforce who may touch stock: an admin, or the seller whose shop
//! sells the SKU. Everyone may read availability; only customers subscribe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::catalog::{NewProduct, Product, ProductStatus, Shop, Sku, Variant, Weight};
use commerce_core::identity::Principal;
use commerce_core::inventory::{StockLevel, StockPolicy};
use commerce_core::memory::Memory;
use commerce_core::ports::Clock;
use commerce_core::pricing::TaxCategory;
use commerce_core::{
    AdminId, Commerce, CustomerId, Error, LocationId, ProductId, SellerId, ShopId, VariantId,
};
use commerce_testkit::fixtures::now;

const ANN: SellerId = SellerId::from_u128(1);
const BOB: SellerId = SellerId::from_u128(2);
const ADMIN: Principal = Principal::Admin(AdminId::from_u128(9));
const CUSTOMER: Principal = Principal::Customer(CustomerId::from_u128(5));
const WAREHOUSE: LocationId = LocationId::from_u128(1);

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

/// Ann's shop sells `ANN-MUG`, Bob's sells `BOB-CAP`; each has 5 units at the warehouse.
async fn two_shops() -> (Memory, Commerce) {
    let memory = Memory::new();
    let catalog = &memory.stores.catalog;
    for (n, seller, name, sku_text) in [(1, ANN, "Ann's", "ANN-MUG"), (2, BOB, "Bob's", "BOB-CAP")]
    {
        let shop = ShopId::from_u128(n);
        catalog
            .create_shop(Shop::new(shop, seller, name).unwrap(), vec![])
            .await
            .unwrap();
        let product = Product::new(NewProduct {
            id: ProductId::from_u128(n),
            shop,
            name: format!("{name} thing"),
            slug: None,
            description: String::new(),
            status: ProductStatus::Active,
            category: None,
            brand: None,
            attributes: Default::default(),
            tax_category: TaxCategory::standard(),
            media: Vec::new(),
            variants: vec![Variant::new(
                VariantId::from_u128(n),
                sku(sku_text),
                Weight::grams(100),
            )],
            created_at: now(),
        })
        .unwrap();
        catalog.save_product(product, vec![]).await.unwrap();
        memory
            .stores
            .inventory
            .adjust_stock(&sku(sku_text), WAREHOUSE, 5, now())
            .await
            .unwrap();
    }
    let commerce = memory.commerce();
    (memory, commerce)
}

fn five_on_hand(sku: &Sku) -> Vec<StockLevel> {
    vec![StockLevel {
        sku: sku.clone(),
        location: WAREHOUSE,
        on_hand: 5,
        reserved: 0,
    }]
}

async fn levels(memory: &Memory, sku: &Sku) -> Vec<StockLevel> {
    memory.stores.inventory.levels(sku).await.unwrap()
}

fn is_forbidden<T: std::fmt::Debug>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(Error::Forbidden { .. }))
}

#[tokio::test]
async fn a_seller_adjusts_their_own_stock() {
    let (memory, commerce) = two_shops().await;
    let mug = sku("ANN-MUG");
    let level = commerce
        .adjust_stock(Principal::Seller(ANN), &mug, WAREHOUSE, 3)
        .await
        .unwrap();
    assert_eq!(level.on_hand, 8);
    assert_eq!(levels(&memory, &mug).await[0].on_hand, 8);
    let read = commerce
        .stock_levels(Principal::Seller(ANN), &mug)
        .await
        .unwrap();
    assert_eq!(read, levels(&memory, &mug).await);
}

#[tokio::test]
async fn a_seller_cannot_touch_another_shops_stock() {
    let (memory, commerce) = two_shops().await;
    let cap = sku("BOB-CAP");
    let ann = Principal::Seller(ANN);

    let adjusted = commerce.adjust_stock(ann, &cap, WAREHOUSE, -5).await;
    assert!(is_forbidden(&adjusted), "{adjusted:?}");
    let policy = StockPolicy {
        backorder: true,
        ..StockPolicy::strict(cap.clone())
    };
    let set = commerce.set_stock_policy(ann, policy).await;
    assert!(is_forbidden(&set), "{set:?}");
    let read = commerce.stock_levels(ann, &cap).await;
    assert!(is_forbidden(&read), "{read:?}");

    assert_eq!(levels(&memory, &cap).await, five_on_hand(&cap));
    assert_eq!(
        memory.stores.inventory.policy(&cap).await.unwrap(),
        StockPolicy::strict(cap.clone())
    );
}

#[tokio::test]
async fn customers_and_guests_cannot_manage_stock() {
    let (memory, commerce) = two_shops().await;
    let mug = sku("ANN-MUG");
    for actor in [CUSTOMER, Principal::Guest] {
        let adjusted = commerce.adjust_stock(actor, &mug, WAREHOUSE, 10).await;
        assert!(is_forbidden(&adjusted), "{actor:?}: {adjusted:?}");
        let read = commerce.stock_levels(actor, &mug).await;
        assert!(is_forbidden(&read), "{actor:?}: {read:?}");
    }
    assert_eq!(levels(&memory, &mug).await, five_on_hand(&mug));
}

#[tokio::test]
async fn an_admin_manages_any_shops_stock() {
    let (memory, commerce) = two_shops().await;
    let cap = sku("BOB-CAP");
    commerce
        .adjust_stock(ADMIN, &cap, WAREHOUSE, -2)
        .await
        .unwrap();
    let policy = StockPolicy {
        low_stock_threshold: Some(2),
        ..StockPolicy::strict(cap.clone())
    };
    commerce
        .set_stock_policy(ADMIN, policy.clone())
        .await
        .unwrap();
    assert_eq!(levels(&memory, &cap).await[0].on_hand, 3);
    assert_eq!(memory.stores.inventory.policy(&cap).await.unwrap(), policy);
}

#[tokio::test]
async fn a_seller_asking_about_an_unknown_sku_gets_not_found() {
    let (memory, commerce) = two_shops().await;
    let ghost = sku("GHOST-1");
    let result = commerce
        .adjust_stock(Principal::Seller(ANN), &ghost, WAREHOUSE, 1)
        .await;
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    assert!(levels(&memory, &ghost).await.is_empty());
}

#[tokio::test]
async fn anyone_reads_availability() {
    let (_memory, commerce) = two_shops().await;
    assert_eq!(commerce.available(&sku("ANN-MUG")).await.unwrap(), 5);
    assert_eq!(commerce.available(&sku("GHOST-1")).await.unwrap(), 0);
}

#[tokio::test]
async fn only_signed_in_customers_subscribe_to_back_in_stock() {
    let (memory, commerce) = two_shops().await;
    let mug = sku("ANN-MUG");
    let guest = commerce
        .subscribe_back_in_stock(Principal::Guest, &mug)
        .await;
    assert!(matches!(guest, Err(Error::Unauthenticated(_))), "{guest:?}");
    let seller = commerce
        .subscribe_back_in_stock(Principal::Seller(ANN), &mug)
        .await;
    assert!(is_forbidden(&seller), "{seller:?}");
    let unknown = commerce
        .subscribe_back_in_stock(CUSTOMER, &sku("GHOST-1"))
        .await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );

    commerce
        .subscribe_back_in_stock(CUSTOMER, &mug)
        .await
        .unwrap();
    // Sell out, then restock: the customer is told.
    commerce
        .adjust_stock(ADMIN, &mug, WAREHOUSE, -5)
        .await
        .unwrap();
    commerce
        .adjust_stock(ADMIN, &mug, WAREHOUSE, 1)
        .await
        .unwrap();
    let told: Vec<_> = memory
        .stores
        .outbox
        .unpublished(1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|entry| match entry.record.event {
            commerce_core::events::DomainEvent::BackInStock { subscribers, .. } => {
                Some(subscribers)
            }
            _ => None,
        })
        .collect();
    let Principal::Customer(customer) = CUSTOMER else {
        unreachable!()
    };
    assert!(told.contains(&vec![customer]), "{told:?}");
}

#[tokio::test]
async fn expiring_reservations_uses_the_engine_clock() {
    let (memory, commerce) = two_shops().await;
    let mug = sku("ANN-MUG");
    let clock_now = memory.clock.now();
    let request = commerce_core::inventory::ReservationRequest {
        id: commerce_core::ReservationId::from_u128(1),
        lines: vec![commerce_core::inventory::ReservationLine {
            sku: mug.clone(),
            quantity: 2,
        }],
        expires_at: clock_now + chrono::Duration::minutes(15),
    };
    memory
        .stores
        .inventory
        .reserve(request, clock_now)
        .await
        .unwrap();
    assert!(commerce.expire_reservations().await.unwrap().is_empty());
    assert_eq!(commerce.available(&mug).await.unwrap(), 3);

    memory.clock.advance(chrono::Duration::minutes(15));
    let expired = commerce.expire_reservations().await.unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(commerce.available(&mug).await.unwrap(), 5);
}
