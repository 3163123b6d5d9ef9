//! Conformance cases: recommendations — co-occurrence in paid orders with a minimum
//! support, counted by the store; and, through the engine on the same stores, that
//! inactive, out-of-stock products and the product itself are never recommended.

use commerce_core::catalog::{NewProduct, Product, ProductStatus};
use commerce_core::order::OrderStatus;
use commerce_core::ports::Stores;
use commerce_core::recommend::BoughtTogether;
use commerce_core::{CategoryId, CustomerId, ProductId};

use crate::conformance::reviews::{TO_DELIVERED, advance, engine};
use crate::fixtures::{Item, Store, now};
use crate::orders::{WAREHOUSE, install, place, sku, two_shops};

/// The recommendation cases, as tests.
#[macro_export]
macro_rules! recommendations_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            recommendations,
            $fresh,
            [
                bought_together_counts_distinct_paid_orders_above_the_minimum_support,
                bought_together_pages_by_support_then_id,
                inactive_out_of_stock_and_self_are_never_recommended_together,
                similar_products_share_category_or_brand_ranked_by_name_words,
                inactive_out_of_stock_and_self_are_never_similar,
            ]
        );
    };
}

/// The products of the co-occurrence fixture.
pub struct Basket {
    /// The fixture store.
    pub store: Store,
    /// A (the mug, first shop).
    pub a: Item,
    /// B (the T-shirt, second shop).
    pub b: Item,
    /// C.
    pub c: Item,
    /// D.
    pub d: Item,
    /// E.
    pub e: Item,
}

/// Orders over A–E (100 units each in stock), by several customers:
///
/// | order | lines | status |
/// | --- | --- | --- |
/// | 1 | A, B, C | paid |
/// | 2 | A ×2, B | delivered |
/// | 3 | A, C | pending payment (not counted) |
/// | 4 | A, D | paid |
/// | 5 | A, D, E | processing |
/// | 6 | A, E | cancelled (not counted) |
/// | 7 | B, C | paid |
/// | 8 | A, E | paid |
///
/// So with A: B 2, D 2, C 1, E 2; with C: B 2, A 1.
pub async fn basket(stores: &Stores) -> Basket {
    let (mut store, a, b) = two_shops();
    let c = store.product("Cup", "4.00");
    let d = store.product("Dish", "6.00");
    let e = store.product("Egg cup", "3.00");
    install(&store, stores, 100, now()).await;
    let orders: [FixtureOrder<'_>; 8] = [
        (&[(a, 1), (b, 1), (c, 1)], &[OrderStatus::Paid]),
        (&[(a, 2), (b, 1)], &TO_DELIVERED),
        (&[(a, 1), (c, 1)], &[]),
        (&[(a, 1), (d, 1)], &[OrderStatus::Paid]),
        (
            &[(a, 1), (d, 1), (e, 1)],
            &[OrderStatus::Paid, OrderStatus::Processing],
        ),
        (&[(a, 1), (e, 1)], &[OrderStatus::Cancelled]),
        (&[(b, 1), (c, 1)], &[OrderStatus::Paid]),
        (&[(a, 1), (e, 1)], &[OrderStatus::Paid]),
    ];
    for (n, (lines, path)) in orders.into_iter().enumerate() {
        let n = n as u64 + 1;
        let customer = CustomerId::from_u128(6000 + u128::from(n % 3));
        let placed = stores
            .orders
            .place_order(place(
                &mut store,
                customer,
                lines,
                &format!("bt-{n}"),
                n,
                now(),
            ))
            .await
            .expect("order placed")
            .order;
        if !path.is_empty() {
            advance(stores, &placed, path).await;
        }
    }
    Basket {
        store,
        a,
        b,
        c,
        d,
        e,
    }
}

/// An order of the fixture: its lines and the path its status takes after placing.
type FixtureOrder<'a> = (&'a [(Item, u32)], &'a [OrderStatus]);

fn together(rows: &[(Item, u32)]) -> Vec<BoughtTogether> {
    rows.iter()
        .map(|&(item, orders)| BoughtTogether {
            product: item.product,
            orders,
        })
        .collect()
}

fn by_id(mut rows: Vec<(Item, u32)>) -> Vec<(Item, u32)> {
    rows.sort_by(|x, y| (y.1, x.0.product).cmp(&(x.1, y.0.product)));
    rows
}

/// Only paid orders (paid or later, not pending or cancelled) count, each once however
/// many units; pairs below the minimum support are left out; the product itself never
/// appears.
pub async fn bought_together_counts_distinct_paid_orders_above_the_minimum_support(stores: Stores) {
    let Basket { a, b, c, d, e, .. } = basket(&stores).await;
    let recs = &stores.recommendations;
    assert_eq!(
        recs.bought_together(a.product, 2, 0, 10).await.unwrap(),
        together(&by_id(vec![(b, 2), (d, 2), (e, 2)]))
    );
    assert_eq!(
        recs.bought_together(a.product, 1, 0, 10).await.unwrap(),
        together(&[by_id(vec![(b, 2), (d, 2), (e, 2)]), vec![(c, 1)]].concat())
    );
    assert_eq!(
        recs.bought_together(a.product, 0, 0, 10)
            .await
            .unwrap()
            .len(),
        4,
        "0 is read as 1"
    );
    assert_eq!(
        recs.bought_together(c.product, 1, 0, 10).await.unwrap(),
        together(&[(b, 2), (a, 1)])
    );
    assert!(
        recs.bought_together(c.product, 3, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        recs.bought_together(ProductId::from_u128(1), 1, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Results are ordered by support then id, and `offset` / `limit` page through them.
pub async fn bought_together_pages_by_support_then_id(stores: Stores) {
    let Basket { a, b, c, d, e, .. } = basket(&stores).await;
    let all = together(&[by_id(vec![(b, 2), (d, 2), (e, 2)]), vec![(c, 1)]].concat());
    let recs = &stores.recommendations;
    assert_eq!(
        recs.bought_together(a.product, 1, 0, 2).await.unwrap(),
        all[..2]
    );
    assert_eq!(
        recs.bought_together(a.product, 1, 2, 2).await.unwrap(),
        all[2..]
    );
    assert!(
        recs.bought_together(a.product, 1, 4, 2)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Saves `item`'s product with `status`.
pub async fn set_status(stores: &Stores, item: Item, status: ProductStatus) {
    let mut product = stores
        .catalog
        .product(item.product)
        .await
        .unwrap()
        .expect("product");
    product.set_status(status);
    stores
        .catalog
        .save_product(product, Vec::new())
        .await
        .expect("saved");
}

/// Writes off every available unit of `item`.
pub async fn sell_out(stores: &Stores, store: &Store, item: Item) {
    let sku = sku(store, item);
    let available = stores.inventory.available(&sku).await.unwrap();
    stores
        .inventory
        .adjust_stock(&sku, WAREHOUSE, -available, now())
        .await
        .expect("written off");
}

/// Through the engine: an archived product and a sold-out one drop out of "bought
/// together"; the rest keep their order.
pub async fn inactive_out_of_stock_and_self_are_never_recommended_together(stores: Stores) {
    let Basket {
        store,
        a,
        b,
        c,
        d,
        e,
    } = basket(&stores).await;
    let shop = engine(&stores);
    let ids = |rows: Vec<BoughtTogether>| -> Vec<ProductId> {
        rows.into_iter().map(|r| r.product).collect()
    };
    let before = ids(shop.bought_together(a.product, 1, 10).await.unwrap());
    assert_eq!(before.len(), 4);
    set_status(&stores, d, ProductStatus::Archived).await;
    sell_out(&stores, &store, b).await;
    let after = ids(shop.bought_together(a.product, 1, 10).await.unwrap());
    let expected: Vec<ProductId> = before
        .iter()
        .copied()
        .filter(|p| *p != d.product && *p != b.product)
        .collect();
    assert_eq!(after, expected);
    assert_eq!(after.last(), Some(&c.product));
    assert!(after.contains(&e.product));
    assert!(!after.contains(&a.product));
    assert_eq!(
        ids(shop.bought_together(a.product, 2, 1).await.unwrap()),
        [e.product],
        "the limit counts recommendable products only"
    );
}

/// A store of kitchenware for the similarity cases, installed in `stores` (5 units of
/// each): categories Mugs and Plates, and in order "Blue Ceramic Mug" (Acme, Mugs — the
/// target), "Red Ceramic Mug" (Mugs), "Blue Ceramic Mug Large" (Acme, Mugs), "Stoneware
/// Plate" (Acme, Plates), "Ceramic Plate" (Plates), "Travel Mug" (Other, Mugs).
pub async fn kitchen(stores: &Stores) -> (Store, Vec<Item>) {
    let mut store = Store::new(commerce_core::Currency::USD);
    let mugs = store.category("Mugs", None);
    let plates = store.category("Plates", None);
    let items = vec![
        branded(&mut store, "Blue Ceramic Mug", Some("Acme"), Some(mugs)),
        branded(&mut store, "Red Ceramic Mug", None, Some(mugs)),
        branded(
            &mut store,
            "Blue Ceramic Mug Large",
            Some("Acme"),
            Some(mugs),
        ),
        branded(&mut store, "Stoneware Plate", Some("Acme"), Some(plates)),
        branded(&mut store, "Ceramic Plate", None, Some(plates)),
        branded(&mut store, "Travel Mug", Some("Other"), Some(mugs)),
    ];
    install(&store, stores, 5, now()).await;
    (store, items)
}

fn branded(
    store: &mut Store,
    name: &str,
    brand: Option<&str>,
    category: Option<CategoryId>,
) -> Item {
    let item = store.product_with(name, "9.00", category, 300);
    let product = store
        .catalog
        .product(item.product)
        .expect("product")
        .clone();
    let mut new = NewProduct::from(product);
    new.brand = brand.map(str::to_owned);
    let product = Product::new(new).expect("branded product");
    store.catalog.upsert_product(product).expect("upsert");
    item
}

/// Through the engine: same category or brand, ranked by shared name words, then
/// matching both, then id; products in neither are left out.
pub async fn similar_products_share_category_or_brand_ranked_by_name_words(stores: Stores) {
    let (_, items) = kitchen(&stores).await;
    let shop = engine(&stores);
    let similar = shop.similar_products(items[0].product, 10).await.unwrap();
    let order: Vec<ProductId> = similar.iter().map(|s| s.product).collect();
    // Large: 3 words, both; Red: 2 words (ceramic, mug); Travel: 1 (mug);
    // Stoneware Plate: 0, brand only. Ceramic Plate is neither category nor brand.
    assert_eq!(
        order,
        [
            items[2].product,
            items[1].product,
            items[5].product,
            items[3].product
        ]
    );
    assert_eq!(similar[0].shared_words, 3);
    assert!(similar[0].same_brand && similar[0].same_category);
    assert_eq!(
        shop.similar_products(items[0].product, 2)
            .await
            .unwrap()
            .len(),
        2
    );
}

/// Through the engine: archived and sold-out products are never similar, nor the product
/// itself.
pub async fn inactive_out_of_stock_and_self_are_never_similar(stores: Stores) {
    let (store, items) = kitchen(&stores).await;
    set_status(&stores, items[2], ProductStatus::Archived).await;
    sell_out(&stores, &store, items[1]).await;
    let shop = engine(&stores);
    let order: Vec<ProductId> = shop
        .similar_products(items[0].product, 10)
        .await
        .unwrap()
        .iter()
        .map(|s| s.product)
        .collect();
    assert_eq!(order, [items[5].product, items[3].product]);
}
