//! Conformance cases: the catalog port.

use commerce_core::catalog::{
    Catalog, Category, NewProduct, Product, Shop, Sku, Slug, Variant, Weight,
};
use commerce_core::events::{DomainEvent, EventRecord};
use commerce_core::ports::Stores;
use commerce_core::{
    CategoryId, Currency, Entity, Error, ErrorKind, ProductId, SellerId, ShopId, VariantId,
};

use crate::fixtures::{Store, now};

/// A fixture store with `n` one-variant products (`Product 1`, `Product 2`, ...).
fn store_with(n: usize) -> (Store, Vec<Product>) {
    let mut store = Store::new(Currency::USD);
    let products = (1..=n)
        .map(|i| {
            let item = store.product(&format!("Product {i}"), "10.00");
            store
                .catalog
                .product(item.product)
                .cloned()
                .expect("fixture product")
        })
        .collect();
    (store, products)
}

/// The fixture store's shop, created through the port.
async fn create_fixture_shop(stores: &Stores, store: &Store) -> Shop {
    let shop = store
        .catalog
        .shop(store.shop)
        .cloned()
        .expect("fixture shop");
    stores
        .catalog
        .create_shop(shop.clone(), Vec::new())
        .await
        .expect("create the fixture shop");
    shop
}

/// Stores the fixture store's shop, categories and products through the port.
async fn save_fixture(stores: &Stores, store: &Store) {
    crate::orders::save_catalog(store, stores).await;
}

/// The ids of a catalog's products, in id order.
fn product_ids(catalog: &Catalog) -> Vec<ProductId> {
    catalog.products().map(Product::id).collect()
}

/// `catalog_for(products, variants)`, which must succeed.
async fn catalog_for(stores: &Stores, products: &[ProductId], variants: &[VariantId]) -> Catalog {
    stores
        .catalog
        .catalog_for(products, variants)
        .await
        .expect("partial catalog")
}

/// `product` with its fields edited by `edit` and checked again.
fn edited(product: &Product, edit: impl FnOnce(&mut NewProduct)) -> Product {
    let mut new = NewProduct::from(product.clone());
    edit(&mut new);
    Product::new(new).expect("edited product")
}

fn category(n: u128, parent: Option<u128>, name: &str) -> Category {
    Category::new(
        CategoryId::from_u128(n),
        parent.map(CategoryId::from_u128),
        name,
    )
    .expect("category")
}

fn created(product: &Product) -> Vec<EventRecord> {
    vec![EventRecord::new(
        now(),
        DomainEvent::ProductCreated {
            product: product.id(),
            shop: product.shop(),
        },
    )]
}

/// The names of the unpublished events, in order.
async fn event_names(stores: &Stores) -> Vec<&'static str> {
    stores
        .outbox
        .unpublished(100)
        .await
        .expect("read the outbox")
        .iter()
        .map(|e| e.record.event.name())
        .collect()
}

/// A seller owns one shop: a second is `Conflict`, and neither it nor its event is
/// stored.
pub async fn a_seller_owns_one_shop(stores: Stores) {
    let seller = SellerId::from_u128(7);
    let first = Shop::new(ShopId::from_u128(1), seller, "First").expect("shop");
    let event = |shop: &Shop| {
        vec![EventRecord::new(
            now(),
            DomainEvent::ShopCreated {
                shop: shop.id,
                seller,
            },
        )]
    };
    stores
        .catalog
        .create_shop(first.clone(), event(&first))
        .await
        .expect("the first shop");
    let second = Shop::new(ShopId::from_u128(2), seller, "Second").expect("shop");
    let error = stores
        .catalog
        .create_shop(second.clone(), event(&second))
        .await
        .expect_err("a second shop for the same seller");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    super::assert_no_database_text(&error);
    assert_eq!(stores.catalog.shop(second.id).await.expect("read"), None);
    assert_eq!(
        stores.catalog.shop_of_seller(seller).await.expect("read"),
        Some(first.clone())
    );
    assert_eq!(
        stores.catalog.shop(first.id).await.expect("read"),
        Some(first)
    );
    assert_eq!(event_names(&stores).await, ["shop.created"]);
}

/// Shop ids and slugs are unique across sellers.
pub async fn shop_ids_and_slugs_are_unique(stores: Stores) {
    let first =
        Shop::new(ShopId::from_u128(1), SellerId::from_u128(1), "Corner Shop").expect("shop");
    stores
        .catalog
        .create_shop(first.clone(), Vec::new())
        .await
        .expect("the first shop");
    let same_slug =
        Shop::new(ShopId::from_u128(2), SellerId::from_u128(2), "Corner shop").expect("shop");
    let same_id = Shop::new(ShopId::from_u128(1), SellerId::from_u128(3), "Other").expect("shop");
    for shop in [same_slug, same_id] {
        let error = stores
            .catalog
            .create_shop(shop.clone(), Vec::new())
            .await
            .expect_err("a taken slug or id");
        assert_eq!(error.kind(), ErrorKind::Conflict);
        super::assert_no_database_text(&error);
        assert_eq!(
            stores
                .catalog
                .shop_of_seller(shop.seller)
                .await
                .expect("read"),
            None
        );
    }
    assert_eq!(
        stores.catalog.shop(first.id).await.expect("read"),
        Some(first)
    );
}

/// A saved product reads back equal by id and by slug; unknown ones are `None`.
pub async fn products_read_back_by_id_and_slug(stores: Stores) {
    let (store, products) = store_with(2);
    create_fixture_shop(&stores, &store).await;
    for product in &products {
        stores
            .catalog
            .save_product(product.clone(), created(product))
            .await
            .expect("save product");
    }
    for product in &products {
        assert_eq!(
            stores.catalog.product(product.id()).await.expect("read"),
            Some(product.clone())
        );
        assert_eq!(
            stores
                .catalog
                .product_by_slug(product.slug())
                .await
                .expect("read"),
            Some(product.clone())
        );
    }
    assert_eq!(
        stores
            .catalog
            .product(ProductId::from_u128(999_999))
            .await
            .expect("read"),
        None
    );
    let unknown = Slug::parse("no-such-product").expect("slug");
    assert_eq!(
        stores
            .catalog
            .product_by_slug(&unknown)
            .await
            .expect("read"),
        None
    );
}

/// A SKU (compared case-insensitively) or slug of one product cannot be used by another:
/// `Conflict`, and neither the product nor its event is stored.
pub async fn skus_and_slugs_belong_to_one_product(stores: Stores) {
    let (store, products) = store_with(2);
    create_fixture_shop(&stores, &store).await;
    let (first, second) = (&products[0], &products[1]);
    stores
        .catalog
        .save_product(first.clone(), created(first))
        .await
        .expect("save the first product");
    let lower_case_sku = first.variants()[0].sku.as_str().to_ascii_lowercase();
    let same_sku = edited(second, |p| {
        p.variants[0].sku = Sku::parse(&lower_case_sku).expect("sku");
    });
    let same_slug = edited(second, |p| p.slug = Some(first.slug().clone()));
    for clash in [same_sku, same_slug] {
        let error = stores
            .catalog
            .save_product(clash.clone(), created(&clash))
            .await
            .expect_err("a SKU or slug of another product");
        assert_eq!(error.kind(), ErrorKind::Conflict);
        super::assert_no_database_text(&error);
        assert_eq!(
            stores.catalog.product(second.id()).await.expect("read"),
            None
        );
    }
    assert_eq!(
        stores.catalog.product(first.id()).await.expect("read"),
        Some(first.clone())
    );
    assert_eq!(event_names(&stores).await, ["product.created"]);
}

/// A product whose shop or category does not exist is `NotFound` and not stored.
pub async fn a_product_needs_its_shop_and_category(stores: Stores) {
    let (store, products) = store_with(1);
    let product = &products[0];
    let error = stores
        .catalog
        .save_product(product.clone(), created(product))
        .await
        .expect_err("no shop yet");
    assert!(
        matches!(
            error,
            Error::NotFound {
                entity: Entity::Shop,
                ..
            }
        ),
        "{error:?}"
    );
    create_fixture_shop(&stores, &store).await;
    let uncategorised = edited(product, |p| p.category = Some(CategoryId::from_u128(404)));
    let error = stores
        .catalog
        .save_product(uncategorised, Vec::new())
        .await
        .expect_err("no such category");
    assert!(
        matches!(
            error,
            Error::NotFound {
                entity: Entity::Category,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        stores.catalog.product(product.id()).await.expect("read"),
        None
    );
    assert!(event_names(&stores).await.is_empty());
}

/// Replacing a product stores the new version and frees its old slug and SKU for
/// other products.
pub async fn replacing_a_product_frees_its_old_slug_and_sku(stores: Stores) {
    let (store, products) = store_with(2);
    create_fixture_shop(&stores, &store).await;
    let (first, second) = (&products[0], &products[1]);
    stores
        .catalog
        .save_product(first.clone(), Vec::new())
        .await
        .expect("save");
    let renamed = edited(first, |p| {
        p.slug = Some(Slug::parse("renamed").expect("slug"));
        p.variants[0].sku = Sku::parse("RENAMED-1").expect("sku");
    });
    stores
        .catalog
        .save_product(renamed.clone(), Vec::new())
        .await
        .expect("replace");
    assert_eq!(
        stores.catalog.product(first.id()).await.expect("read"),
        Some(renamed.clone())
    );
    assert_eq!(
        stores
            .catalog
            .product_by_slug(first.slug())
            .await
            .expect("read"),
        None
    );
    let takes_old_names = edited(second, |p| {
        p.slug = Some(first.slug().clone());
        p.variants[0].sku = first.variants()[0].sku.clone();
    });
    stores
        .catalog
        .save_product(takes_old_names.clone(), Vec::new())
        .await
        .expect("the old slug and SKU are free");
    let catalog = stores.catalog.catalog().await.expect("snapshot");
    let (owner, _) = catalog
        .by_sku(&first.variants()[0].sku)
        .expect("the old SKU is indexed");
    assert_eq!(owner.id(), second.id());
    assert_eq!(catalog.products().count(), 2);
}

/// A deleted product is gone by id, slug, SKU and from the snapshot; deleting it again
/// is `NotFound` and appends nothing.
pub async fn deleted_products_are_gone(stores: Stores) {
    let (store, products) = store_with(2);
    create_fixture_shop(&stores, &store).await;
    for product in &products {
        stores
            .catalog
            .save_product(product.clone(), Vec::new())
            .await
            .expect("save");
    }
    let gone = &products[0];
    let deleted = || {
        vec![EventRecord::new(
            now(),
            DomainEvent::ProductDeleted {
                product: gone.id(),
                shop: gone.shop(),
            },
        )]
    };
    stores
        .catalog
        .delete_product(gone.id(), deleted())
        .await
        .expect("delete");
    assert_eq!(stores.catalog.product(gone.id()).await.expect("read"), None);
    assert_eq!(
        stores
            .catalog
            .product_by_slug(gone.slug())
            .await
            .expect("read"),
        None
    );
    let catalog = stores.catalog.catalog().await.expect("snapshot");
    assert!(catalog.product(gone.id()).is_none());
    assert!(catalog.by_sku(&gone.variants()[0].sku).is_none());
    assert_eq!(
        catalog.product(products[1].id()),
        Some(&products[1]),
        "the other product stays"
    );
    let error = stores
        .catalog
        .delete_product(gone.id(), deleted())
        .await
        .expect_err("deleting twice");
    assert!(
        matches!(
            error,
            Error::NotFound {
                entity: Entity::Product,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(event_names(&stores).await, ["product.deleted"]);
}

/// Categories need an existing parent and never move; saving one again with the same
/// parent renames it.
pub async fn categories_need_their_parent_and_never_move(stores: Stores) {
    let save = |c: Category| {
        let stores = stores.clone();
        async move { stores.catalog.save_category(c).await }
    };
    save(category(1, None, "Home")).await.expect("root");
    save(category(2, Some(1), "Kitchen")).await.expect("child");
    let error = save(category(3, Some(99), "Orphan"))
        .await
        .expect_err("unknown parent");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let error = save(category(2, None, "Kitchen"))
        .await
        .expect_err("moving a category");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    save(category(2, Some(1), "Cooking")).await.expect("rename");
    let catalog = stores.catalog.catalog().await.expect("snapshot");
    let tree = catalog.categories();
    assert_eq!(tree.iter().count(), 2);
    let kitchen = tree.get(CategoryId::from_u128(2)).expect("stored");
    assert_eq!(kitchen.name, "Cooking");
    assert_eq!(kitchen.parent, Some(CategoryId::from_u128(1)));
    assert!(tree.is_within(CategoryId::from_u128(2), CategoryId::from_u128(1)));
}

/// The snapshot holds every stored shop, category and product, with its lookups
/// (variant, SKU, slug, category) agreeing with the port's.
pub async fn the_snapshot_holds_everything_stored(stores: Stores) {
    let mut store = Store::new(Currency::USD);
    let home = store.category("Home", None);
    let kitchen = store.category("Kitchen", Some(home));
    let mug = store.product_with("Mug", "12.50", Some(kitchen), 300);
    let lamp = store.product_with("Lamp", "40.00", Some(home), 2_000);
    create_fixture_shop(&stores, &store).await;
    for c in [home, kitchen] {
        let c = store
            .catalog
            .categories()
            .get(c)
            .cloned()
            .expect("category");
        stores
            .catalog
            .save_category(c)
            .await
            .expect("save category");
    }
    for item in [mug, lamp] {
        let p = store
            .catalog
            .product(item.product)
            .cloned()
            .expect("product");
        stores
            .catalog
            .save_product(p, Vec::new())
            .await
            .expect("save");
    }
    let catalog = stores.catalog.catalog().await.expect("snapshot");
    assert_eq!(catalog.shops().count(), 1);
    assert_eq!(catalog.shop(store.shop), store.catalog.shop(store.shop));
    assert_eq!(catalog.categories(), store.catalog.categories());
    assert_eq!(catalog.products().count(), 2);
    for item in [mug, lamp] {
        let stored = stores
            .catalog
            .product(item.product)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(catalog.product(item.product), Some(&stored));
        let (by_variant, variant) = catalog.variant(item.variant).expect("variant lookup");
        assert_eq!(by_variant.id(), item.product);
        let (by_sku, _) = catalog.by_sku(&variant.sku).expect("SKU lookup");
        assert_eq!(by_sku.id(), item.product);
        assert_eq!(
            catalog.by_slug(stored.slug()).map(Product::id),
            Some(item.product)
        );
    }
    let mug = catalog.product(mug.product).expect("mug");
    assert!(catalog.product_in_category(mug, home));
}

/// Saves append their events in order, with the change; refused ones append none.
pub async fn events_are_appended_with_the_change(stores: Stores) {
    let (store, products) = store_with(1);
    let shop = store
        .catalog
        .shop(store.shop)
        .cloned()
        .expect("fixture shop");
    let shop_created = EventRecord::new(
        now(),
        DomainEvent::ShopCreated {
            shop: shop.id,
            seller: shop.seller,
        },
    );
    stores
        .catalog
        .create_shop(shop.clone(), vec![shop_created.clone()])
        .await
        .expect("shop");
    let product = &products[0];
    let product_created = created(product);
    stores
        .catalog
        .save_product(product.clone(), product_created.clone())
        .await
        .expect("create");
    let updated = EventRecord::new(
        now(),
        DomainEvent::ProductUpdated {
            product: product.id(),
            shop: product.shop(),
        },
    );
    stores
        .catalog
        .save_product(product.clone(), vec![updated.clone()])
        .await
        .expect("update");
    let refused = edited(product, |p| p.shop = ShopId::from_u128(404));
    stores
        .catalog
        .save_product(
            refused,
            vec![EventRecord::new(now(), updated.event.clone())],
        )
        .await
        .expect_err("unknown shop");
    let entries = stores.outbox.unpublished(100).await.expect("outbox");
    let records: Vec<&EventRecord> = entries.iter().map(|e| &e.record).collect();
    assert_eq!(
        records,
        [&shop_created, &product_created[0], &updated],
        "the events of the three stored changes, in order, and nothing else"
    );
    assert!(
        entries.windows(2).all(|w| w[0].sequence < w[1].sequence),
        "sequences increase"
    );
}

/// `catalog_for` holds every shop and the whole category tree, and exactly the products
/// named by id or owning one of the named variants, with working lookups.
pub async fn catalog_for_holds_every_shop_and_category_and_only_the_wanted_products(
    stores: Stores,
) {
    let mut store = Store::new(Currency::USD);
    let home = store.category("Home", None);
    let kitchen = store.category("Kitchen", Some(home));
    let mug = store.product_with("Mug", "12.50", Some(kitchen), 300);
    let lamp = store.product_with("Lamp", "40.00", Some(home), 2_000);
    let rug = store.product("Rug", "90.00");
    save_fixture(&stores, &store).await;
    let other = Shop::new(ShopId::from_u128(900), SellerId::from_u128(900), "Other").expect("shop");
    stores
        .catalog
        .create_shop(other.clone(), Vec::new())
        .await
        .expect("a second shop");

    let catalog = catalog_for(&stores, &[mug.product], &[lamp.variant]).await;
    assert_eq!(catalog.shops().count(), 2);
    assert_eq!(catalog.shop(other.id), Some(&other));
    assert_eq!(catalog.shop(store.shop), store.catalog.shop(store.shop));
    assert_eq!(catalog.categories(), store.catalog.categories());
    assert_eq!(product_ids(&catalog), [mug.product, lamp.product]);
    assert!(catalog.product(rug.product).is_none(), "not asked for");
    assert!(catalog.variant(rug.variant).is_none());
    for item in [mug, lamp] {
        let stored = store.catalog.product(item.product).expect("fixture");
        assert_eq!(catalog.product(item.product), Some(stored));
        let (owner, variant) = catalog.variant(item.variant).expect("variant lookup");
        assert_eq!(owner.id(), item.product);
        let (by_sku, _) = catalog.by_sku(&variant.sku).expect("SKU lookup");
        assert_eq!(by_sku.id(), item.product);
        assert_eq!(catalog.by_slug(stored.slug()), Some(stored));
    }
    let mug = catalog.product(mug.product).expect("mug");
    assert!(catalog.product_in_category(mug, home));

    // Asking for the same product by id and by variant, twice, holds it once.
    let same = catalog_for(&stores, &[rug.product, rug.product], &[rug.variant]).await;
    assert_eq!(product_ids(&same), [rug.product]);
    // Asking for nothing still gives the shops and categories.
    let none = catalog_for(&stores, &[], &[]).await;
    assert_eq!(none.products().count(), 0);
    assert_eq!(none.shops().count(), 2);
    assert_eq!(none.categories(), store.catalog.categories());
}

/// Unknown product and variant ids are skipped, not an error.
pub async fn catalog_for_skips_unknown_ids(stores: Stores) {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.50");
    store.product("Lamp", "40.00");
    save_fixture(&stores, &store).await;
    let unknown_product = ProductId::from_u128(999_999);
    let unknown_variant = VariantId::from_u128(999_998);
    let catalog = catalog_for(&stores, &[unknown_product], &[unknown_variant]).await;
    assert_eq!(catalog.products().count(), 0);
    assert_eq!(catalog.shops().count(), 1);
    let catalog = catalog_for(
        &stores,
        &[unknown_product, mug.product],
        &[unknown_variant, mug.variant],
    )
    .await;
    assert_eq!(product_ids(&catalog), [mug.product]);
    assert!(catalog.variant(unknown_variant).is_none());
}

/// `catalog_for` reads the products as stored now: an update is seen (a variant added to
/// a product finds it, a variant taken off no longer does) and a deleted product is gone.
pub async fn catalog_for_reflects_updates_and_deletes(stores: Stores) {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.50");
    let lamp = store.product("Lamp", "40.00");
    save_fixture(&stores, &store).await;
    let original = store.catalog.product(mug.product).expect("fixture").clone();
    let new_variant = VariantId::from_u128(5_000);
    // The update renames the mug and swaps its only variant for a new one.
    let updated = edited(&original, |p| {
        p.name = "Large mug".to_owned();
        p.variants = vec![Variant::new(
            new_variant,
            Sku::parse("MUG-LARGE").expect("sku"),
            Weight::grams(450),
        )];
    });
    stores
        .catalog
        .save_product(updated.clone(), Vec::new())
        .await
        .expect("update the mug");

    let by_new_variant = catalog_for(&stores, &[], &[new_variant]).await;
    assert_eq!(by_new_variant.product(mug.product), Some(&updated));
    let by_id = catalog_for(&stores, &[mug.product], &[]).await;
    assert_eq!(by_id.product(mug.product), Some(&updated));
    assert!(
        by_id.variant(mug.variant).is_none(),
        "the old variant is gone"
    );
    let by_old_variant = catalog_for(&stores, &[], &[mug.variant]).await;
    assert_eq!(
        by_old_variant.products().count(),
        0,
        "no product owns the old variant any more"
    );

    stores
        .catalog
        .delete_product(mug.product, Vec::new())
        .await
        .expect("delete the mug");
    let after = catalog_for(&stores, &[mug.product, lamp.product], &[new_variant]).await;
    assert_eq!(product_ids(&after), [lamp.product]);
    assert!(after.variant(new_variant).is_none());
    assert!(after.by_slug(updated.slug()).is_none());
}

/// A product is found by the SKU of any of its variants, as stored now: a SKU taken off
/// finds nothing, and neither does a deleted product's.
pub async fn products_read_back_by_sku(stores: Stores) {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.50");
    let lamp = store.product("Lamp", "40.00");
    save_fixture(&stores, &store).await;
    let sku_of = |item: crate::fixtures::Item| {
        store
            .catalog
            .variant(item.variant)
            .expect("fixture variant")
            .1
            .sku
            .clone()
    };
    let (mug_sku, lamp_sku) = (sku_of(mug), sku_of(lamp));
    let found = stores.catalog.product_by_sku(&mug_sku).await.expect("read");
    assert_eq!(found.map(|p| p.id()), Some(mug.product));
    let unknown = Sku::parse("NO-SUCH-SKU").expect("sku");
    assert_eq!(
        stores.catalog.product_by_sku(&unknown).await.expect("read"),
        None
    );

    let original = store.catalog.product(mug.product).expect("fixture").clone();
    let large = Sku::parse("MUG-LARGE").expect("sku");
    let updated = edited(&original, |p| {
        p.variants = vec![Variant::new(
            VariantId::from_u128(5_001),
            large.clone(),
            Weight::grams(450),
        )];
    });
    stores
        .catalog
        .save_product(updated.clone(), Vec::new())
        .await
        .expect("update the mug");
    assert_eq!(
        stores.catalog.product_by_sku(&large).await.expect("read"),
        Some(updated)
    );
    assert_eq!(
        stores.catalog.product_by_sku(&mug_sku).await.expect("read"),
        None
    );

    stores
        .catalog
        .delete_product(lamp.product, Vec::new())
        .await
        .expect("delete the lamp");
    assert_eq!(
        stores
            .catalog
            .product_by_sku(&lamp_sku)
            .await
            .expect("read"),
        None
    );
}

/// The catalog cases, as tests.
#[macro_export]
macro_rules! catalog_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            catalog,
            $fresh,
            [
                a_seller_owns_one_shop,
                shop_ids_and_slugs_are_unique,
                products_read_back_by_id_and_slug,
                skus_and_slugs_belong_to_one_product,
                a_product_needs_its_shop_and_category,
                replacing_a_product_frees_its_old_slug_and_sku,
                deleted_products_are_gone,
                categories_need_their_parent_and_never_move,
                the_snapshot_holds_everything_stored,
                events_are_appended_with_the_change,
                catalog_for_holds_every_shop_and_category_and_only_the_wanted_products,
                catalog_for_skips_unknown_ids,
                catalog_for_reflects_updates_and_deletes,
                products_read_back_by_sku,
            ]
        );
    };
}
