//! Races and limits of the SQL stores that the shared conformance suite does not reach,
//! on Postgres and on SQLite: each case runs on a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::Utc;
use commerce_core::catalog::{NewProduct, Product, Sku};
use commerce_core::identity::{Account, Address, Email, NewAddress, PasswordHash, Profile, Role};
use commerce_core::ports::Stores;
use commerce_core::pricing::CountryCode;
use commerce_core::{AccountId, AddressId, Currency, CustomerId, ErrorKind, ProductId, VariantId};
use commerce_testkit::fixtures::Store;
use tokio::sync::Barrier;

/// An account for customer `n`, stored.
async fn customer(stores: &Stores, n: u128) -> CustomerId {
    let account = Account {
        id: AccountId::from_u128(n),
        email: Email::parse(&format!("customer{n}@example.com")).expect("e-mail"),
        role: Role::Customer,
        password: PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        profile: Profile::default(),
        created_at: Utc::now(),
    };
    stores
        .accounts
        .create_account(account, Vec::new())
        .await
        .expect("create account");
    CustomerId::from_u128(n)
}

fn address(n: u128, owner: CustomerId, is_default: bool) -> Address {
    Address {
        id: AddressId::from_u128(n),
        owner,
        address: NewAddress {
            name: "Ada Lovelace".into(),
            line1: format!("{n} Analytical Street"),
            line2: None,
            city: "London".into(),
            postal_code: "N1 9GU".into(),
            region: None,
            country: CountryCode::parse("GB").expect("country"),
            phone: None,
        },
        is_default,
    }
}

/// Many addresses of one owner saved as the default at once: exactly one stays the
/// default, and every address is stored once.
pub async fn concurrent_default_addresses_leave_exactly_one_default(stores: Stores) {
    let owner = customer(&stores, 1).await;
    let barrier = Arc::new(Barrier::new(12));
    let tasks: Vec<_> = (0..12u128)
        .map(|n| {
            let (stores, barrier) = (stores.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                stores
                    .accounts
                    .save_address(address(10 + n, owner, true))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("save address");
    }
    let book = stores.accounts.addresses_of(owner).await.expect("read");
    assert_eq!(book.len(), 12);
    let defaults = book.iter().filter(|a| a.is_default).count();
    assert_eq!(defaults, 1, "{book:?}");
}

/// Different products claiming one SKU at once: exactly one is stored, the others are
/// `Conflict`, and the SKU resolves to the winner.
pub async fn concurrent_products_claiming_one_sku_store_exactly_one(stores: Stores) {
    let mut store = Store::new(Currency::USD);
    // The shop (and categories) only: the racers save the products.
    commerce_testkit::orders::save_catalog(&store, &stores).await;
    let shared = Sku::parse("SHARED-1").expect("sku");
    let products: Vec<Product> = (0..8)
        .map(|i| {
            let item = store.product(&format!("Racer {i}"), "1.00");
            let mut new = NewProduct::from(
                store
                    .catalog
                    .product(item.product)
                    .cloned()
                    .expect("product"),
            );
            new.variants[0].sku = shared.clone();
            Product::new(new).expect("product")
        })
        .collect();
    let barrier = Arc::new(Barrier::new(products.len()));
    let tasks: Vec<_> = products
        .into_iter()
        .map(|product| {
            let (stores, barrier) = (stores.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let id = product.id();
                (id, stores.catalog.save_product(product, Vec::new()).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            (id, Ok(())) => winners.push(id),
            (_, Err(e)) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let catalog = stores.catalog.catalog().await.expect("snapshot");
    assert_eq!(catalog.products().count(), 1);
    let (owner, _) = catalog.by_sku(&shared).expect("the SKU is stored");
    assert_eq!(owner.id(), winners[0]);
}

/// `catalog_for` with more ids than one statement binds still finds exactly the wanted
/// products.
pub async fn catalog_for_takes_more_ids_than_one_query_binds(stores: Stores) {
    let mut store = Store::new(Currency::USD);
    let items: Vec<_> = (0..3)
        .map(|i| store.product(&format!("Item {i}"), "1.00"))
        .collect();
    commerce_testkit::orders::save_catalog(&store, &stores).await;
    let mut products: Vec<ProductId> = (0..1_200u128)
        .map(|n| ProductId::from_u128(900_000 + n))
        .collect();
    products.push(items[0].product);
    products.insert(0, items[1].product);
    let mut variants: Vec<VariantId> = (0..1_200u128)
        .map(|n| VariantId::from_u128(800_000 + n))
        .collect();
    variants.insert(700, items[2].variant);
    variants.push(items[0].variant);
    let catalog = stores
        .catalog
        .catalog_for(&products, &variants)
        .await
        .expect("partial catalog");
    let ids: Vec<ProductId> = catalog.products().map(Product::id).collect();
    let mut wanted: Vec<ProductId> = items.iter().map(|i| i.product).collect();
    wanted.sort();
    assert_eq!(ids, wanted);
    assert!(catalog.variant(items[2].variant).is_some());
}

/// One `#[tokio::test]` per case, on the stores `$fresh().await` makes.
macro_rules! cases {
    ($fresh:path, [$($case:ident),* $(,)?]) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                super::$case($fresh().await).await;
            }
        )*
    };
}

mod postgres {
    cases!(
        commerce_sqlx::testing::postgres,
        [
            concurrent_default_addresses_leave_exactly_one_default,
            concurrent_products_claiming_one_sku_store_exactly_one,
            catalog_for_takes_more_ids_than_one_query_binds,
        ]
    );
}

mod sqlite {
    cases!(
        commerce_sqlx::testing::sqlite,
        [
            concurrent_default_addresses_leave_exactly_one_default,
            concurrent_products_claiming_one_sku_store_exactly_one,
            catalog_for_takes_more_ids_than_one_query_binds,
        ]
    );
}
