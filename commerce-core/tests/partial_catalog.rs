//! Carts and checkout load only the products they price (`CatalogStore::catalog_for`),
//! never the whole catalog, and still answer exactly as against the whole catalog.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use commerce_core::cart::CartPurpose;
use commerce_core::catalog::{Catalog, Category, Product, Shop, Sku, Slug};
use commerce_core::events::EventRecord;
use commerce_core::identity::Principal;
use commerce_core::memory::Memory;
use commerce_core::payment::IdempotencyKey;
use commerce_core::ports::CatalogStore;
use commerce_core::pricing::Region;
use commerce_core::{
    CartId, CheckoutRequest, Commerce, Currency, CustomerId, Entity, Error, ErrorKind, ProductId,
    SellerId, ShopId, VariantId,
};
use commerce_testkit::fixtures::{Item, Store, now};
use commerce_testkit::orders::{address, install, two_shops};

const ALICE: Principal = Principal::Customer(CustomerId::from_u128(1));

/// A catalog store that refuses the whole snapshot and records what each partial load
/// asked for and returned.
struct PartialOnly {
    inner: Arc<dyn CatalogStore>,
    /// Per `catalog_for` call: the variants asked for and the products returned.
    loads: Mutex<Vec<(Vec<VariantId>, Vec<ProductId>)>>,
}

#[async_trait]
impl CatalogStore for PartialOnly {
    async fn create_shop(&self, shop: Shop, events: Vec<EventRecord>) -> Result<(), Error> {
        self.inner.create_shop(shop, events).await
    }
    async fn shop(&self, id: ShopId) -> Result<Option<Shop>, Error> {
        self.inner.shop(id).await
    }
    async fn shop_of_seller(&self, seller: SellerId) -> Result<Option<Shop>, Error> {
        self.inner.shop_of_seller(seller).await
    }
    async fn save_category(&self, category: Category) -> Result<(), Error> {
        self.inner.save_category(category).await
    }
    async fn save_product(&self, product: Product, events: Vec<EventRecord>) -> Result<(), Error> {
        self.inner.save_product(product, events).await
    }
    async fn product(&self, id: ProductId) -> Result<Option<Product>, Error> {
        self.inner.product(id).await
    }
    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>, Error> {
        self.inner.product_by_slug(slug).await
    }
    async fn product_by_sku(&self, sku: &Sku) -> Result<Option<Product>, Error> {
        self.inner.product_by_sku(sku).await
    }
    async fn delete_product(&self, id: ProductId, events: Vec<EventRecord>) -> Result<(), Error> {
        self.inner.delete_product(id, events).await
    }
    async fn catalog(&self) -> Result<Catalog, Error> {
        Err(Error::Unavailable("the whole catalog was asked for".into()))
    }
    async fn catalog_for(
        &self,
        products: &[ProductId],
        variants: &[VariantId],
    ) -> Result<Catalog, Error> {
        assert!(products.is_empty(), "carts ask by variant");
        let catalog = self.inner.catalog_for(products, variants).await?;
        let returned = catalog.products().map(Product::id).collect();
        self.loads
            .lock()
            .unwrap()
            .push((variants.to_vec(), returned));
        Ok(catalog)
    }
}

/// Two shops selling a mug and a tee, plus a lamp no cart holds, behind [`PartialOnly`].
struct World {
    engine: Commerce,
    catalog: Arc<PartialOnly>,
    mug: Item,
    tee: Item,
    lamp: Item,
}

impl World {
    async fn new() -> World {
        let (mut store, mug, tee): (Store, Item, Item) = two_shops();
        let lamp = store.product("Lamp", "40.00");
        let mut memory = Memory::new();
        memory.clock.set(now());
        install(&store, &memory.stores, 10, now()).await;
        let catalog = Arc::new(PartialOnly {
            inner: memory.stores.catalog.clone(),
            loads: Mutex::new(Vec::new()),
        });
        memory.stores.catalog = catalog.clone();
        World {
            engine: memory.commerce(),
            catalog,
            mug,
            tee,
            lamp,
        }
    }

    async fn cart_with(&self, lines: &[(Item, u32)]) -> CartId {
        let cart = self
            .engine
            .create_cart(ALICE, Currency::USD, CartPurpose::Shopping)
            .await
            .unwrap();
        for &(item, n) in lines {
            self.engine
                .add_item(ALICE, cart.id(), item.variant, n)
                .await
                .unwrap();
        }
        cart.id()
    }

    fn loads(&self) -> Vec<(Vec<VariantId>, Vec<ProductId>)> {
        self.catalog.loads.lock().unwrap().clone()
    }

    async fn checkout(&self, cart: CartId) -> Result<commerce_core::Checkout, Error> {
        let request = CheckoutRequest {
            cart,
            ship_to: address(),
            shipping_method: None,
            expected_total: None,
            idempotency_key: IdempotencyKey::parse(&format!("key-{cart}")).unwrap(),
        };
        self.engine.checkout(ALICE, request).await
    }
}

fn us() -> Region {
    Region::country("US").unwrap()
}

#[tokio::test]
async fn cart_changes_pricing_and_checkout_load_only_the_carts_products() {
    let w = World::new().await;
    let cart = w.cart_with(&[(w.mug, 1), (w.tee, 2)]).await;
    w.engine
        .update_quantity(ALICE, cart, w.mug.variant, 3)
        .await
        .unwrap();
    let priced = w.engine.price_cart(ALICE, cart, us(), None).await.unwrap();
    assert_eq!(priced.lines.len(), 2);
    let checkout = w.checkout(cart).await.unwrap();
    assert_eq!(checkout.order.lines.len(), 2);
    assert!(checkout.repriced.is_unchanged());

    let loads = w.loads();
    // Two adds, one update, one pricing, one checkout.
    assert_eq!(loads.len(), 5);
    let (first_variants, first_products) = &loads[0];
    assert_eq!(
        first_variants,
        &[w.mug.variant],
        "an empty cart plus the added mug"
    );
    assert_eq!(first_products, &[w.mug.product]);
    let (second_variants, _) = &loads[1];
    assert_eq!(second_variants, &[w.mug.variant, w.tee.variant]);
    for (_, products) in &loads[1..] {
        assert_eq!(products, &[w.mug.product, w.tee.product]);
    }
    assert!(
        loads
            .iter()
            .all(|(_, products)| !products.contains(&w.lamp.product)),
        "the lamp is in no cart and is never loaded"
    );
}

#[tokio::test]
async fn unknown_and_deleted_products_fail_as_against_the_whole_catalog() {
    let w = World::new().await;
    let cart = w.cart_with(&[(w.mug, 1), (w.tee, 1)]).await;
    let before = w.engine.cart(ALICE, cart).await.unwrap();

    let unknown = VariantId::from_u128(404_404);
    let error = w
        .engine
        .add_item(ALICE, cart, unknown, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::NotFound {
                entity: Entity::Variant,
                ..
            }
        ),
        "{error:?}"
    );

    w.catalog
        .delete_product(w.tee.product, Vec::new())
        .await
        .unwrap();
    let error = w
        .engine
        .update_quantity(ALICE, cart, w.tee.variant, 2)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let error = w
        .engine
        .price_cart(ALICE, cart, us(), None)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let error = w.checkout(cart).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert!(w.engine.my_orders(ALICE).await.unwrap().is_empty());
    assert_eq!(w.engine.cart(ALICE, cart).await.unwrap(), before);

    // Taking the gone line out makes the cart buyable again.
    w.engine
        .remove_item(ALICE, cart, w.tee.variant)
        .await
        .unwrap();
    let checkout = w.checkout(cart).await.unwrap();
    assert_eq!(checkout.order.lines.len(), 1);
    assert_eq!(checkout.order.lines[0].variant, w.mug.variant);
}
