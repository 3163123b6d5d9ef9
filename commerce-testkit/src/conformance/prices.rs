//! Conformance cases: one variant's price in one list, set through the engine over the
//! adapter's stores — one row per change with a compare-and-swap on its version, access
//! checked, its `price.updated` event in the same step, and no change lost to a
//! concurrent writer.

use std::sync::Arc;

use commerce_core::catalog::Product;
use commerce_core::identity::Principal;
use commerce_core::ports::Stores;
use commerce_core::pricing::VariantPrice;
use commerce_core::{
    AdminId, Currency, CustomerId, ErrorKind, NotificationSettings, PriceListId, SellerId,
};
use tokio::sync::Barrier;

use super::outbox_records;
use crate::fixtures::{Item, money};
use crate::notify::NotifyShop;

/// The price cases, as tests.
#[macro_export]
macro_rules! prices_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            prices,
            $fresh,
            [
                a_price_change_is_stored_alone_with_its_event_and_version,
                sixteen_writers_pricing_their_own_new_products_at_once_lose_nothing,
                a_stale_version_is_a_conflict_and_changes_nothing,
                of_writers_racing_from_one_version_exactly_one_wins,
                only_the_products_seller_or_an_admin_may_set_its_price,
                a_price_the_list_cannot_hold_is_refused_and_changes_nothing,
            ]
        );
    };
}

const ADMIN: Principal = Principal::Admin(AdminId::from_u128(9));
const FIRST_SELLER: Principal = Principal::Seller(SellerId::from_u128(1));
const SECOND_SELLER: Principal = Principal::Seller(SellerId::from_u128(2));

fn usd(amount: &str) -> VariantPrice {
    VariantPrice::new(money(amount, Currency::USD))
}

async fn shop(stores: Stores) -> NotifyShop {
    NotifyShop::new(stores, NotificationSettings::default()).await
}

/// The stored price of `item` in the retail list, with its version.
async fn stored(shop: &NotifyShop, item: Item) -> Option<(VariantPrice, u64)> {
    shop.engine
        .variant_price(shop.store.retail, item.variant)
        .await
        .expect("read the price")
        .map(|r| (r.price, r.version))
}

/// Setting the mug's price stores it at version 1, then 2, with one `price.updated` event
/// each; the T-shirt's price is untouched, and pricing a cart sees the new price.
pub async fn a_price_change_is_stored_alone_with_its_event_and_version(stores: Stores) {
    let shop = shop(stores.clone()).await;
    let (mug, tee) = (shop.mug, shop.tee);
    let tee_before = stored(&shop, tee).await;
    assert_eq!(
        stored(&shop, mug).await,
        Some((usd("10.00"), 1)),
        "installed prices start at version 1"
    );
    let before = outbox_records(&stores).await.len();
    let record = shop
        .engine
        .set_variant_price(
            FIRST_SELLER,
            mug.product,
            mug.variant,
            shop.store.retail,
            usd("12.50"),
            1,
        )
        .await
        .expect("set");
    assert_eq!(record.version, 2);
    assert_eq!(stored(&shop, mug).await, Some((usd("12.50"), 2)));
    assert_eq!(
        stored(&shop, tee).await,
        tee_before,
        "no other price changes"
    );
    let events = outbox_records(&stores).await;
    let names: Vec<_> = events[before..].iter().map(|r| r.event.name()).collect();
    assert_eq!(names, vec!["price.updated"]);
    let rules = stores
        .pricing
        .rules_for(&[mug.variant])
        .await
        .expect("rules for the mug");
    let list = rules
        .price_book
        .lists()
        .iter()
        .find(|l| l.id == shop.store.retail)
        .expect("the retail list");
    assert_eq!(list.price(mug.variant), Some(&usd("12.50")));
}

/// Sixteen writers at once, each creating its own product and then pricing it twice,
/// lose none of the thirty-two changes.
pub async fn sixteen_writers_pricing_their_own_new_products_at_once_lose_nothing(stores: Stores) {
    let mut shop = shop(stores.clone()).await;
    let items: Vec<(Item, Product)> = (0..16)
        .map(|i| {
            let item = shop.store.product(&format!("Writer {i}"), "1.00");
            let product = shop
                .store
                .catalog
                .product(item.product)
                .expect("fixture product")
                .clone();
            (item, product)
        })
        .collect();
    let shop = Arc::new(shop);
    let barrier = Arc::new(Barrier::new(items.len()));
    let tasks: Vec<_> = items
        .into_iter()
        .enumerate()
        .map(|(i, (item, product))| {
            let shop = shop.clone();
            let stores = stores.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                stores
                    .catalog
                    .save_product(product, Vec::new())
                    .await
                    .expect("create the product");
                let list = shop.store.retail;
                let first = format!("{}.00", 10 + i);
                let last = format!("{}.50", 10 + i);
                let engine = &shop.engine;
                engine
                    .set_variant_price(ADMIN, item.product, item.variant, list, usd(&first), 0)
                    .await
                    .expect("first price");
                engine
                    .set_variant_price(ADMIN, item.product, item.variant, list, usd(&last), 1)
                    .await
                    .expect("second price");
                (item, last)
            })
        })
        .collect();
    for task in tasks {
        let (item, last) = task.await.expect("writer");
        assert_eq!(stored(&shop, item).await, Some((usd(&last), 2)), "{last}");
    }
    assert_eq!(
        stored(&shop, shop.mug).await,
        Some((usd("10.00"), 1)),
        "untouched"
    );
}

/// A change computed from an older version is a `Conflict` and stores nothing; so is a
/// "new" price for a variant that already has one.
pub async fn a_stale_version_is_a_conflict_and_changes_nothing(stores: Stores) {
    let shop = shop(stores.clone()).await;
    let mug = shop.mug;
    let list = shop.store.retail;
    shop.engine
        .set_variant_price(ADMIN, mug.product, mug.variant, list, usd("11.00"), 1)
        .await
        .expect("first writer");
    let before = outbox_records(&stores).await.len();
    for stale in [1, 0, 7] {
        let err = shop
            .engine
            .set_variant_price(ADMIN, mug.product, mug.variant, list, usd("99.00"), stale)
            .await
            .expect_err("stale");
        assert_eq!(err.kind(), ErrorKind::Conflict, "version {stale}");
    }
    assert_eq!(stored(&shop, mug).await, Some((usd("11.00"), 2)));
    assert_eq!(outbox_records(&stores).await.len(), before, "no event");
}

/// Another shop's seller and customers are `Forbidden` and change nothing.
pub async fn only_the_products_seller_or_an_admin_may_set_its_price(stores: Stores) {
    let shop = shop(stores.clone()).await;
    let mug = shop.mug;
    let list = shop.store.retail;
    for intruder in [
        SECOND_SELLER,
        Principal::Customer(CustomerId::from_u128(5)),
        Principal::Guest,
    ] {
        let err = shop
            .engine
            .set_variant_price(intruder, mug.product, mug.variant, list, usd("0.01"), 1)
            .await
            .expect_err("forbidden");
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{intruder:?}");
    }
    assert_eq!(stored(&shop, mug).await, Some((usd("10.00"), 1)));
    // The T-shirt's own seller may.
    let tee = shop.tee;
    shop.engine
        .set_variant_price(
            SECOND_SELLER,
            tee.product,
            tee.variant,
            list,
            usd("20.00"),
            1,
        )
        .await
        .expect("the seller prices their own product");
}

/// Another currency than the list's, an amount finer than minor units, an unknown list,
/// variant or product: refused, naming what is wrong, and nothing changes.
pub async fn a_price_the_list_cannot_hold_is_refused_and_changes_nothing(stores: Stores) {
    let shop = shop(stores.clone()).await;
    let (mug, tee) = (shop.mug, shop.tee);
    let list = shop.store.retail;
    let before = outbox_records(&stores).await.len();
    let set = |product, variant, list, price| {
        shop.engine
            .set_variant_price(ADMIN, product, variant, list, price, 1)
    };
    let euros = VariantPrice::new(money("9.00", Currency::EUR));
    let err = set(mug.product, mug.variant, list, euros)
        .await
        .expect_err("EUR");
    assert_eq!(err.kind(), ErrorKind::InvalidInput { field: "currency" });
    let fine = VariantPrice::new(commerce_core::Money::new(
        crate::fixtures::dec("9.001"),
        Currency::USD,
    ));
    let err = set(mug.product, mug.variant, list, fine)
        .await
        .expect_err("fine");
    assert_eq!(err.kind(), ErrorKind::InvalidInput { field: "price" });
    let unknown_list = PriceListId::from_u128(999);
    let err = set(mug.product, mug.variant, unknown_list, usd("9.00"))
        .await
        .expect_err("no such list");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = set(mug.product, tee.variant, list, usd("9.00"))
        .await
        .expect_err("the T-shirt's variant is not the mug's");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(stored(&shop, mug).await, Some((usd("10.00"), 1)));
    assert_eq!(outbox_records(&stores).await.len(), before);
}

/// Eight writers changing one price from the same version at once: exactly one wins,
/// the rest get `Conflict`, and the stored price is the winner's.
pub async fn of_writers_racing_from_one_version_exactly_one_wins(stores: Stores) {
    let shop = Arc::new(shop(stores).await);
    let barrier = Arc::new(Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let shop = shop.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let mug = shop.mug;
                let price = usd(&format!("{}.00", 20 + i));
                barrier.wait().await;
                let result = shop
                    .engine
                    .set_variant_price(
                        ADMIN,
                        mug.product,
                        mug.variant,
                        shop.store.retail,
                        price.clone(),
                        1,
                    )
                    .await;
                (price, result)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (price, result) = task.await.expect("writer");
        match result {
            Ok(record) => winners.push((price, record.version)),
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let (price, version) = winners.remove(0);
    assert_eq!(stored(&shop, shop.mug).await, Some((price, version)));
}
