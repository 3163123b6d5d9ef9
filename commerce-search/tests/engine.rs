//! The engine with a tantivy index: the search indexer keeps it current from catalog and
//! stock events, and an admin rebuilds it from the stores in one call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use commerce_core::catalog::{NewProduct, ProductStatus, Sku, Variant, Weight};
use commerce_core::identity::Principal;
use commerce_core::memory::Memory;
use commerce_core::ports::SearchIndex;
use commerce_core::pricing::{PriceList, PricingRules, TaxCategory, VariantPrice};
use commerce_core::search::{SearchQuery, Suggest};
use commerce_core::{
    AdminId, Currency, LocationId, Money, PriceListId, ProductId, SellerId, VariantId,
};
use commerce_search::TantivySearch;

const ADMIN: Principal = Principal::Admin(AdminId::from_u128(1));
const SELLER: Principal = Principal::Seller(SellerId::from_u128(10));
const WAREHOUSE: LocationId = LocationId::from_u128(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_keeps_a_tantivy_index_current_and_rebuilds_it() {
    let memory = Memory::new();
    let index = Arc::new(TantivySearch::in_memory().unwrap());
    let commerce = memory.commerce().with_search(index.clone());
    let indexer = commerce.search_indexer();

    let shop = commerce.open_shop(SELLER, "Camp Supply").await.unwrap();
    let outdoor = commerce.add_category(ADMIN, None, "Outdoor").await.unwrap();
    let lamps = commerce
        .add_category(ADMIN, Some(outdoor.id), "Lamps")
        .await
        .unwrap();
    let mut rules = PricingRules::default();
    let mut list = PriceList::new(PriceListId::from_u128(1), "Retail", Currency::USD, None);
    list.set_price(
        VariantId::from_u128(1),
        VariantPrice::new(Money::from_minor_units(2_500, Currency::USD)),
    )
    .unwrap();
    rules.price_book.add_list(list).unwrap();
    memory.stores.pricing.save_rules(rules).await.unwrap();

    let lantern = NewProduct {
        id: ProductId::from_u128(1),
        shop: shop.id,
        name: "Storm Lantern".into(),
        slug: None,
        description: "Bright enough to read by.".into(),
        status: ProductStatus::Active,
        category: Some(lamps.id),
        brand: Some("Glow".into()),
        attributes: BTreeMap::new(),
        tax_category: TaxCategory::standard(),
        media: Vec::new(),
        variants: vec![Variant::new(
            VariantId::from_u128(1),
            Sku::parse("LAMP-1").unwrap(),
            Weight::grams(300),
        )],
        created_at: chrono::DateTime::UNIX_EPOCH,
    };
    commerce.save_product(SELLER, lantern).await.unwrap();
    commerce
        .publish_events(std::slice::from_ref(&indexer), 1_000)
        .await
        .unwrap();

    let mut query = SearchQuery::new("lantren", Currency::USD);
    let results = commerce.search(&query).await.unwrap();
    assert_eq!(results.total, 1, "found with a typo");
    assert_eq!(
        results.hits[0].price,
        Some(Money::from_minor_units(2_500, Currency::USD))
    );
    query.filters.category = Some(outdoor.id);
    query.filters.in_stock_only = true;
    assert_eq!(
        commerce.search(&query).await.unwrap().total,
        0,
        "no stock yet"
    );

    commerce
        .adjust_stock(SELLER, &Sku::parse("LAMP-1").unwrap(), WAREHOUSE, 3)
        .await
        .unwrap();
    commerce
        .publish_events(std::slice::from_ref(&indexer), 1_000)
        .await
        .unwrap();
    assert_eq!(
        commerce.search(&query).await.unwrap().total,
        1,
        "in stock now"
    );
    let suggested = commerce.suggest(&Suggest::new("lam", 5)).await.unwrap();
    assert_eq!(suggested.categories.len(), 1);
    assert_eq!(suggested.categories[0].name, "Lamps");

    // A stray document is dropped by a rebuild from the stores.
    let mut stray = index
        .document(ProductId::from_u128(1))
        .await
        .unwrap()
        .unwrap();
    stray.product = ProductId::from_u128(99);
    index.upsert(vec![stray]).await.unwrap();
    assert_eq!(commerce.rebuild_search_index(ADMIN).await.unwrap(), 1);
    assert_eq!(
        index.document(ProductId::from_u128(99)).await.unwrap(),
        None
    );
    assert_eq!(commerce.search(&query).await.unwrap().total, 1);
}
