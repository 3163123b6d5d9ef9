//! Fixtures for checkout and order tests: a two-shop store, orders built the way
//! checkout builds them, and seeding any set of [`Stores`] with a fixture store.

use chrono::{DateTime, Duration, Utc};
use commerce_core::catalog::{Shop, Sku};
use commerce_core::identity::NewAddress;
use commerce_core::order::{Order, OrderNumber, Placement};
use commerce_core::payment::{CaptureMode, IdempotencyKey};
use commerce_core::ports::{PlaceOrder, Stores};
use commerce_core::pricing::CountryCode;
use commerce_core::{Currency, CustomerId, LocationId, OrderId, SellerId, ShopId};

use crate::fixtures::{Item, Store};

/// The second shop's seller in [`two_shops`].
pub const SECOND_SELLER: SellerId = SellerId::from_u128(2);
/// The second shop in [`two_shops`].
pub const SECOND_SHOP: ShopId = ShopId::from_u128(2);
/// The one warehouse stock is put in.
pub const WAREHOUSE: LocationId = LocationId::from_u128(1);

/// A USD store with two shops: a mug (10.00) sold by the first shop (seller 1) and a
/// T-shirt (25.00) sold by the second (seller 2).
pub fn two_shops() -> (Store, Item, Item) {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "10.00");
    store
        .catalog
        .add_shop(Shop::new(SECOND_SHOP, SECOND_SELLER, "Second Shop").expect("second shop"))
        .expect("add second shop");
    let first = store.shop;
    store.shop = SECOND_SHOP;
    let tee = store.product("T-shirt", "25.00");
    store.shop = first;
    (store, mug, tee)
}

/// The SKU of a fixture item.
pub fn sku(store: &Store, item: Item) -> Sku {
    store
        .catalog
        .variant(item.variant)
        .expect("fixture variant")
        .1
        .sku
        .clone()
}

/// A US shipping address.
pub fn address() -> NewAddress {
    NewAddress {
        name: "Ada Lovelace".into(),
        line1: "1 Analytical Way".into(),
        line2: None,
        city: "Springfield".into(),
        postal_code: "12345".into(),
        region: None,
        country: CountryCode::parse("US").expect("US"),
        phone: None,
    }
}

/// What checkout would hand `OrderStore::place_order` for `customer` buying `lines`,
/// with order number `number`, at `now`, holding stock for 15 minutes.
pub fn place(
    store: &mut Store,
    customer: CustomerId,
    lines: &[(Item, u32)],
    key: &str,
    number: u64,
    now: DateTime<Utc>,
) -> PlaceOrder {
    let mut cart = store.cart_with(lines);
    cart.assign_to(customer);
    let priced = store.price(&cart, &store.context()).expect("priced cart");
    let number = OrderNumber::from_sequence(number);
    let new = Order::place(Placement {
        id: OrderId::random(),
        number: &number,
        customer,
        cart: &cart,
        priced: &priced,
        catalog: &store.catalog,
        ship_to: &address(),
        capture: CaptureMode::Automatic,
        reservation_ttl: Duration::minutes(15),
        now,
    })
    .expect("order placed");
    let mut checked_out = cart;
    checked_out.mark_checked_out(now).expect("open cart");
    PlaceOrder {
        idempotency_key: IdempotencyKey::parse(key).expect("key"),
        order: new.order,
        reservation: new.reservation,
        cart: checked_out,
        events: new.events,
        promotion_limits: Vec::new(),
    }
}

/// Saves a fixture store's shops, categories (parents first: fixture ids grow) and
/// products through the catalog port.
pub async fn save_catalog(store: &Store, stores: &Stores) {
    for shop in store.catalog.shops() {
        stores
            .catalog
            .create_shop(shop.clone(), Vec::new())
            .await
            .expect("save shop");
    }
    for category in store.catalog.categories().iter() {
        stores
            .catalog
            .save_category(category.clone())
            .await
            .expect("save category");
    }
    for product in store.catalog.products() {
        stores
            .catalog
            .save_product(product.clone(), Vec::new())
            .await
            .expect("save product");
    }
}

/// Saves a fixture store's catalog (see [`save_catalog`]) and pricing rules through the
/// ports, and puts `units` of every SKU in [`WAREHOUSE`].
pub async fn install(store: &Store, stores: &Stores, units: i64, now: DateTime<Utc>) {
    save_catalog(store, stores).await;
    for product in store.catalog.products() {
        for variant in product.variants() {
            stores
                .inventory
                .adjust_stock(&variant.sku, WAREHOUSE, units, now)
                .await
                .expect("stock");
        }
    }
    stores
        .pricing
        .save_rules(store.rules.clone())
        .await
        .expect("save rules");
}
