//! Search through the engine: the index follows catalog, stock and order events through
//! the indexer subscriber, and an admin can rebuild it from the stores in one call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use commerce_core::catalog::{Category, NewProduct, ProductStatus, Shop, Sku, Variant, Weight};
use commerce_core::identity::Principal;
use commerce_core::inventory::StockPolicy;
use commerce_core::memory::{Memory, MemorySearch};
use commerce_core::payment::IdempotencyKey;
use commerce_core::ports::{SearchIndex, Subscriber};
use commerce_core::pricing::{PriceList, PricingRules, TaxCategory, VariantPrice};
use commerce_core::search::{SearchQuery, SortOrder, Suggest};
use commerce_core::{
    AdminId, CartId, CheckoutRequest, Commerce, Currency, CustomerId, ErrorKind, LocationId, Money,
    PriceListId, ProductId, SellerId, VariantId,
};
use commerce_testkit::conformance::search::Doc;
use commerce_testkit::fixtures::{Item, Store, now};
use commerce_testkit::orders::{address, install, sku, two_shops};

const ADMIN: Principal = Principal::Admin(AdminId::from_u128(1));
const SELLER: Principal = Principal::Seller(SellerId::from_u128(10));
const ALICE: Principal = Principal::Customer(CustomerId::from_u128(20));
const WAREHOUSE: LocationId = LocationId::from_u128(1);

/// An engine with an in-memory index, and a handle on that index.
fn engine() -> (Memory, Commerce, Arc<MemorySearch>) {
    let memory = Memory::new();
    let index = Arc::new(MemorySearch::new());
    let commerce = memory.commerce().with_search(index.clone());
    (memory, commerce, index)
}

/// Delivers every pending event to the search indexer.
async fn publish(commerce: &Commerce, indexer: &Arc<dyn Subscriber>) {
    commerce
        .publish_events(std::slice::from_ref(indexer), 1_000)
        .await
        .unwrap();
}

/// The products found for `text` (in USD), optionally in stock only.
async fn found(commerce: &Commerce, text: &str, in_stock_only: bool) -> Vec<ProductId> {
    let mut query = SearchQuery::new(text, Currency::USD);
    query.filters.in_stock_only = in_stock_only;
    let results = commerce.search(&query).await.unwrap();
    results.hits.iter().map(|h| h.product).collect()
}

struct Shelf {
    shop: Shop,
    lamps: Category,
    outdoor: Category,
}

/// A seller's shop, a category tree Outdoor › Lamps, and a USD price list for everyone.
async fn shelf(memory: &Memory, commerce: &Commerce) -> Shelf {
    let shop = commerce.open_shop(SELLER, "Camp Supply").await.unwrap();
    let outdoor = commerce.add_category(ADMIN, None, "Outdoor").await.unwrap();
    let lamps = commerce
        .add_category(ADMIN, Some(outdoor.id), "Lamps")
        .await
        .unwrap();
    let mut rules = PricingRules::default();
    let list = PriceList::new(PriceListId::from_u128(1), "Retail", Currency::USD, None);
    rules.price_book.add_list(list).unwrap();
    memory.stores.pricing.save_rules(rules).await.unwrap();
    Shelf {
        shop,
        lamps,
        outdoor,
    }
}

/// Prices variant `n` at `cents` in the retail list.
async fn price(memory: &Memory, n: u128, cents: i64) {
    let mut rules = memory.stores.pricing.rules().await.unwrap();
    let list = rules
        .price_book
        .list_mut(PriceListId::from_u128(1))
        .unwrap();
    let amount = Money::from_minor_units(cents, Currency::USD);
    list.set_price(VariantId::from_u128(n), VariantPrice::new(amount))
        .unwrap();
    memory.stores.pricing.save_rules(rules).await.unwrap();
}

fn sku_of(n: u128) -> Sku {
    Sku::parse(&format!("LAMP-{n}")).unwrap()
}

/// A one-variant lamp numbered `n`.
fn lamp(shelf: &Shelf, n: u128, name: &str, status: ProductStatus) -> NewProduct {
    NewProduct {
        id: ProductId::from_u128(n),
        shop: shelf.shop.id,
        name: name.to_owned(),
        slug: None,
        description: "Bright enough to read by.".into(),
        status,
        category: Some(shelf.lamps.id),
        brand: Some("Glow".into()),
        attributes: BTreeMap::new(),
        tax_category: TaxCategory::standard(),
        media: Vec::new(),
        variants: vec![Variant::new(
            VariantId::from_u128(n),
            sku_of(n),
            Weight::grams(300),
        )],
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

#[tokio::test]
async fn without_an_index_search_is_unavailable() {
    let memory = Memory::new();
    let commerce = memory.commerce();
    assert!(commerce.search_index().is_none());
    let query = SearchQuery::new("lamp", Currency::USD);
    let kind = |e: commerce_core::Error| e.kind();
    assert_eq!(
        commerce.search(&query).await.map_err(kind).err(),
        Some(ErrorKind::Unavailable)
    );
    assert_eq!(
        commerce
            .suggest(&Suggest::new("la", 5))
            .await
            .map_err(kind)
            .err(),
        Some(ErrorKind::Unavailable)
    );
    assert_eq!(
        commerce
            .rebuild_search_index(ADMIN)
            .await
            .map_err(kind)
            .err(),
        Some(ErrorKind::Unavailable)
    );
    // The indexer refuses events, which stay in the outbox for later.
    commerce.open_shop(SELLER, "Camp Supply").await.unwrap();
    let indexer = commerce.search_indexer();
    let refused = commerce.publish_events(&[indexer], 10).await;
    assert_eq!(refused.map_err(kind).err(), Some(ErrorKind::Unavailable));
    assert_eq!(memory.stores.outbox.unpublished(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_indexer_follows_products_and_stock() {
    let (memory, commerce, index) = engine();
    let shelf = shelf(&memory, &commerce).await;
    price(&memory, 1, 2_500).await;
    let indexer = commerce.search_indexer();

    let lantern = commerce
        .save_product(
            SELLER,
            lamp(&shelf, 1, "Storm Lantern", ProductStatus::Active),
        )
        .await
        .unwrap();
    commerce
        .save_product(
            SELLER,
            lamp(&shelf, 2, "Hidden Lantern", ProductStatus::Draft),
        )
        .await
        .unwrap();
    publish(&commerce, &indexer).await;

    // Guests search; drafts are not indexed; no stock yet.
    assert_eq!(found(&commerce, "lantern", false).await, [lantern.id()]);
    assert!(found(&commerce, "lantern", true).await.is_empty());
    let doc = index.document(lantern.id()).await.unwrap().unwrap();
    assert_eq!(doc.categories, [shelf.lamps.id, shelf.outdoor.id]);
    assert_eq!(doc.category_names, ["Lamps", "Outdoor"]);
    assert_eq!(
        doc.prices.get(&Currency::USD),
        Some(&Money::from_minor_units(2_500, Currency::USD))
    );
    assert!(!doc.in_stock);

    // Stock arrives: the in-stock filter follows.
    commerce
        .adjust_stock(SELLER, &sku_of(1), WAREHOUSE, 3)
        .await
        .unwrap();
    publish(&commerce, &indexer).await;
    assert_eq!(found(&commerce, "lantern", true).await, [lantern.id()]);

    // A rename replaces the document; publishing the draft indexes it.
    commerce
        .save_product(SELLER, lamp(&shelf, 1, "Storm Lamp", ProductStatus::Active))
        .await
        .unwrap();
    commerce
        .set_product_status(SELLER, ProductId::from_u128(2), ProductStatus::Active)
        .await
        .unwrap();
    publish(&commerce, &indexer).await;
    assert_eq!(
        found(&commerce, "lantern", false).await,
        [ProductId::from_u128(2)]
    );
    assert_eq!(found(&commerce, "storm lamp", true).await, [lantern.id()]);
    let mut query = SearchQuery::new("", Currency::USD);
    query.filters.category = Some(shelf.outdoor.id);
    assert_eq!(commerce.search(&query).await.unwrap().total, 2);
    let suggested = commerce.suggest(&Suggest::new("sto", 5)).await.unwrap();
    assert_eq!(suggested.products.len(), 1);
    assert_eq!(suggested.products[0].name, "Storm Lamp");

    // Sold out again: out of the in-stock results, still found otherwise.
    commerce
        .adjust_stock(SELLER, &sku_of(1), WAREHOUSE, -3)
        .await
        .unwrap();
    publish(&commerce, &indexer).await;
    assert!(found(&commerce, "storm", true).await.is_empty());
    assert_eq!(found(&commerce, "storm", false).await, [lantern.id()]);

    // Archiving and deleting take products out.
    commerce
        .set_product_status(SELLER, ProductId::from_u128(2), ProductStatus::Archived)
        .await
        .unwrap();
    commerce.delete_product(SELLER, lantern.id()).await.unwrap();
    publish(&commerce, &indexer).await;
    assert!(found(&commerce, "", false).await.is_empty());
    assert_eq!(index.document(lantern.id()).await.unwrap(), None);
    assert!(index.is_empty().unwrap());
}

#[tokio::test]
async fn an_admin_rebuilds_the_index_from_the_stores() {
    let (memory, commerce, index) = engine();
    let shelf = shelf(&memory, &commerce).await;
    for (n, name, status) in [
        (1, "Storm Lantern", ProductStatus::Active),
        (2, "Reading Lamp", ProductStatus::Active),
        (3, "Prototype Lamp", ProductStatus::Draft),
        (4, "Old Lamp", ProductStatus::Archived),
    ] {
        commerce
            .save_product(SELLER, lamp(&shelf, n, name, status))
            .await
            .unwrap();
        price(&memory, n, 1_000 + i64::try_from(n).unwrap()).await;
    }
    commerce
        .adjust_stock(SELLER, &sku_of(1), WAREHOUSE, 2)
        .await
        .unwrap();
    let mut backorder = StockPolicy::strict(sku_of(2));
    backorder.backorder = true;
    commerce.set_stock_policy(SELLER, backorder).await.unwrap();
    // A stale document of a product that no longer exists.
    let ghost = Doc::new(99, "Ghost Lamp").build();
    index.upsert(vec![ghost]).await.unwrap();

    assert_eq!(
        commerce
            .rebuild_search_index(SELLER)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(commerce.rebuild_search_index(ADMIN).await.unwrap(), 2);
    assert_eq!(index.len().unwrap(), 2);
    assert_eq!(
        index.document(ProductId::from_u128(99)).await.unwrap(),
        None
    );
    let mut in_stock: Vec<ProductId> = found(&commerce, "", true).await;
    in_stock.sort();
    assert_eq!(
        in_stock,
        [ProductId::from_u128(1), ProductId::from_u128(2)],
        "stock on hand, or backorders allowed"
    );
    let doc = index
        .document(ProductId::from_u128(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        doc.price_in(Currency::USD),
        Some(rust_decimal::Decimal::new(1002, 2))
    );

    // A rebuild drops what is no longer active.
    commerce
        .set_product_status(SELLER, ProductId::from_u128(1), ProductStatus::Archived)
        .await
        .unwrap();
    assert_eq!(commerce.rebuild_search_index(ADMIN).await.unwrap(), 1);
    assert_eq!(found(&commerce, "", false).await, [ProductId::from_u128(2)]);
}

/// A customer's cart of `lines` from the fixture store, saved.
async fn cart(memory: &Memory, store: &Store, lines: &[(Item, u32)]) -> CartId {
    let Principal::Customer(customer) = ALICE else {
        unreachable!()
    };
    let cart = store.customer_cart(customer, lines, now());
    memory
        .stores
        .carts
        .save_cart(&cart, Vec::new())
        .await
        .unwrap();
    cart.id()
}

async fn order(
    memory: &Memory,
    commerce: &Commerce,
    store: &Store,
    lines: &[(Item, u32)],
    pay: bool,
) {
    let cart = cart(memory, store, lines).await;
    let request = CheckoutRequest {
        cart,
        ship_to: address(),
        shipping_method: None,
        expected_total: None,
        idempotency_key: IdempotencyKey::parse(&format!("key-{cart}")).unwrap(),
    };
    let order = commerce.checkout(ALICE, request).await.unwrap().order;
    if pay {
        commerce.pay(ALICE, order.id, "pm_card_visa").await.unwrap();
    }
}

#[tokio::test]
async fn paid_orders_count_as_sales_once() {
    let (store, mug, tee) = two_shops();
    let memory = Memory::new();
    memory.clock.set(now());
    install(&store, &memory.stores, 10, now()).await;
    let index = Arc::new(MemorySearch::new());
    let commerce = memory.commerce().with_search(index.clone());
    let indexer = commerce.search_indexer();
    // Installing put stock in: the stock events index both products.
    publish(&commerce, &indexer).await;
    assert_eq!(index.len().unwrap(), 2);

    order(&memory, &commerce, &store, &[(mug, 2), (tee, 1)], true).await;
    order(&memory, &commerce, &store, &[(tee, 3)], true).await;
    order(&memory, &commerce, &store, &[(mug, 5)], false).await;
    // Every event twice: delivery is at least once.
    for entry in memory.stores.outbox.unpublished(1_000).await.unwrap() {
        indexer.handle(&entry).await.unwrap();
        indexer.handle(&entry).await.unwrap();
    }
    let sales = |doc: Option<commerce_core::search::SearchDocument>| doc.unwrap().sales;
    assert_eq!(sales(index.document(mug.product).await.unwrap()), 2);
    assert_eq!(sales(index.document(tee.product).await.unwrap()), 4);
    let mut query = SearchQuery::new("", Currency::USD);
    query.sort = SortOrder::BestSelling;
    let best: Vec<ProductId> = commerce
        .search(&query)
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.product)
        .collect();
    assert_eq!(best, [tee.product, mug.product]);

    // A rebuild recomputes the same sales from the orders (the unpaid one not counted)
    // and the stock that checkout held.
    index.replace_all(Vec::new()).await.unwrap();
    assert_eq!(commerce.rebuild_search_index(ADMIN).await.unwrap(), 2);
    assert_eq!(sales(index.document(mug.product).await.unwrap()), 2);
    assert_eq!(sales(index.document(tee.product).await.unwrap()), 4);
    assert_eq!(commerce.available(&sku(&store, tee)).await.unwrap(), 6);
    let doc = index.document(tee.product).await.unwrap().unwrap();
    assert!(doc.in_stock);
}
