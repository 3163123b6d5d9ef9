//! Who may change products and carts, through the engine's use cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use commerce_core::cart::{Cart, CartPurpose};
use commerce_core::catalog::{NewProduct, Product, ProductStatus, Shop, Sku, Variant, Weight};
use commerce_core::identity::Principal;
use commerce_core::memory::Memory;
use commerce_core::pricing::{PriceList, PricingRules, Region, TaxCategory, VariantPrice};
use commerce_core::{
    AdminId, CartId, Commerce, Currency, CustomerId, Error, ErrorKind, Money, PriceListId,
    ProductId, SellerId, VariantId,
};
use rust_decimal_macros::dec;

const ADMIN: Principal = Principal::Admin(AdminId::from_u128(1));
const ANN: Principal = Principal::Seller(SellerId::from_u128(10));
const BEN: Principal = Principal::Seller(SellerId::from_u128(11));
const ALICE: Principal = Principal::Customer(CustomerId::from_u128(20));
const BOB: Principal = Principal::Customer(CustomerId::from_u128(21));
const GUEST: Principal = Principal::Guest;

/// An engine over fresh in-memory stores.
fn engine() -> (Memory, Commerce) {
    let memory = Memory::new();
    let commerce = memory.commerce();
    (memory, commerce)
}

/// A one-variant product of `shop`, numbered `n`, in the given status.
fn new_product(shop: &Shop, n: u128, status: ProductStatus) -> NewProduct {
    NewProduct {
        id: ProductId::from_u128(n),
        shop: shop.id,
        name: format!("Product {n}"),
        slug: None,
        description: String::new(),
        status,
        category: None,
        brand: None,
        attributes: BTreeMap::new(),
        tax_category: TaxCategory::standard(),
        media: Vec::new(),
        variants: vec![Variant::new(
            VariantId::from_u128(n),
            Sku::parse(&format!("SKU-{n}")).unwrap(),
            Weight::grams(250),
        )],
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

/// The event names in the outbox, in order.
async fn events(memory: &Memory) -> Vec<&'static str> {
    memory
        .stores
        .outbox
        .unpublished(100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.record.event.name())
        .collect()
}

fn assert_forbidden<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Forbidden, "{e:?}"),
        Ok(value) => panic!("expected Forbidden, got {value:?}"),
    }
}

/// Ann's shop with one active product, and Ben's empty shop.
async fn two_shops(commerce: &Commerce) -> (Shop, Shop, Product) {
    let ann = commerce.open_shop(ANN, "Ann's Pottery").await.unwrap();
    let ben = commerce.open_shop(BEN, "Ben's Lamps").await.unwrap();
    let product = commerce
        .save_product(ANN, new_product(&ann, 1, ProductStatus::Active))
        .await
        .unwrap();
    (ann, ben, product)
}

#[tokio::test]
async fn a_seller_cannot_change_another_shops_product() {
    let (memory, commerce) = engine();
    let (ann, ben, product) = two_shops(&commerce).await;
    let before = events(&memory).await;

    let mut renamed = NewProduct::from(product.clone());
    renamed.name = "Taken over".into();
    assert_forbidden(commerce.save_product(BEN, renamed.clone()).await);
    // Nor by moving it into their own shop.
    let mut moved = renamed.clone();
    moved.shop = ben.id;
    assert_forbidden(commerce.save_product(BEN, moved).await);
    assert_forbidden(
        commerce
            .set_product_status(BEN, product.id(), ProductStatus::Archived)
            .await,
    );
    assert_forbidden(commerce.delete_product(BEN, product.id()).await);
    // Nor add a product to a shop that is not theirs.
    assert_forbidden(
        commerce
            .save_product(BEN, new_product(&ann, 2, ProductStatus::Active))
            .await,
    );
    for shopper in [ALICE, GUEST] {
        assert_forbidden(commerce.save_product(shopper, renamed.clone()).await);
        assert_forbidden(commerce.delete_product(shopper, product.id()).await);
    }

    assert_eq!(
        commerce.product(ADMIN, product.id()).await.unwrap(),
        product
    );
    assert_eq!(
        commerce
            .product(ADMIN, ProductId::from_u128(2))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        events(&memory).await,
        before,
        "no events for refused changes"
    );
}

#[tokio::test]
async fn a_seller_changes_their_own_product_and_each_change_is_an_event() {
    let (memory, commerce) = engine();
    let (_, _, product) = two_shops(&commerce).await;
    let mut renamed = NewProduct::from(product.clone());
    renamed.name = "Blue Mug".into();
    let saved = commerce.save_product(ANN, renamed).await.unwrap();
    assert_eq!(saved.name(), "Blue Mug");
    assert_eq!(
        saved.created_at(),
        product.created_at(),
        "creation time kept"
    );
    let archived = commerce
        .set_product_status(ANN, product.id(), ProductStatus::Archived)
        .await
        .unwrap();
    assert_eq!(archived.status(), ProductStatus::Archived);
    assert_eq!(
        commerce.product(GUEST, product.id()).await.unwrap(),
        archived
    );
    commerce.delete_product(ANN, product.id()).await.unwrap();
    assert_eq!(
        commerce
            .product(ANN, product.id())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        events(&memory).await,
        [
            "shop.created",
            "shop.created",
            "product.created",
            "product.updated",
            "product.updated",
            "product.deleted",
        ]
    );
}

#[tokio::test]
async fn an_admin_may_change_any_product_but_only_an_admin_adds_categories() {
    let (_, commerce) = engine();
    let (_, _, product) = two_shops(&commerce).await;
    let draft = commerce
        .set_product_status(ADMIN, product.id(), ProductStatus::Draft)
        .await
        .unwrap();
    assert_eq!(draft.status(), ProductStatus::Draft);

    for who in [ANN, ALICE, GUEST] {
        assert_forbidden(commerce.add_category(who, None, "Kitchen").await);
    }
    let home = commerce.add_category(ADMIN, None, "Home").await.unwrap();
    let kitchen = commerce
        .add_category(ADMIN, Some(home.id), "Kitchen")
        .await
        .unwrap();
    let mut filed = NewProduct::from(draft);
    filed.category = Some(kitchen.id);
    commerce.save_product(ANN, filed).await.unwrap();
    let catalog = commerce.catalog(ADMIN).await.unwrap();
    assert_eq!(catalog.categories().iter().count(), 2);
    let stored = catalog.product(product.id()).unwrap();
    assert!(catalog.product_in_category(stored, home.id));
}

#[tokio::test]
async fn a_seller_opens_one_shop_and_shoppers_open_none() {
    let (memory, commerce) = engine();
    let shop = commerce.open_shop(ANN, "Ann's Pottery").await.unwrap();
    let error = commerce.open_shop(ANN, "Ann's Other").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_forbidden(commerce.open_shop(ALICE, "Alice's").await);
    assert_forbidden(
        commerce
            .open_shop_for(BEN, SellerId::from_u128(10), "For Ann")
            .await,
    );
    let for_ben = commerce
        .open_shop_for(ADMIN, SellerId::from_u128(11), "Ben's Lamps")
        .await
        .unwrap();
    assert_eq!(for_ben.seller, SellerId::from_u128(11));
    assert_eq!(commerce.shop(shop.id).await.unwrap(), shop);
    assert_eq!(
        events(&memory).await,
        ["shop.created", "shop.created"],
        "one event per shop opened"
    );
}

#[tokio::test]
async fn drafts_are_visible_only_to_their_seller_and_admins() {
    let (_, commerce) = engine();
    let ann = commerce.open_shop(ANN, "Ann's Pottery").await.unwrap();
    commerce.open_shop(BEN, "Ben's Lamps").await.unwrap();
    let draft = commerce
        .save_product(ANN, new_product(&ann, 1, ProductStatus::Draft))
        .await
        .unwrap();
    for who in [ANN, ADMIN] {
        assert_eq!(commerce.product(who, draft.id()).await.unwrap(), draft);
        let slug = draft.slug().as_str();
        assert_eq!(commerce.product_by_slug(who, slug).await.unwrap(), draft);
        assert_eq!(commerce.catalog(who).await.unwrap().products().count(), 1);
    }
    for who in [BEN, ALICE, GUEST] {
        let error = commerce.product(who, draft.id()).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound);
        let error = commerce
            .product_by_slug(who, draft.slug().as_str())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert_eq!(commerce.catalog(who).await.unwrap().products().count(), 0);
    }
}

/// Ann's shop with a mug (12.50) and a lamp (40.00), both active and priced in USD.
async fn shop_with_prices(memory: &Memory, commerce: &Commerce) -> (VariantId, VariantId) {
    let shop = commerce.open_shop(ANN, "Ann's Pottery").await.unwrap();
    let mut list = PriceList::new(PriceListId::from_u128(1), "Retail", Currency::USD, None);
    let mut variants = Vec::new();
    for (n, price) in [(1, dec!(12.50)), (2, dec!(40.00))] {
        let product = commerce
            .save_product(ANN, new_product(&shop, n, ProductStatus::Active))
            .await
            .unwrap();
        let variant = product.variants()[0].id;
        let price = VariantPrice::new(Money::new(price, Currency::USD));
        list.set_price(variant, price).unwrap();
        variants.push(variant);
    }
    let mut rules = PricingRules::default();
    rules.price_book.add_list(list).unwrap();
    memory.stores.pricing.save_rules(rules).await.unwrap();
    (variants[0], variants[1])
}

#[tokio::test]
async fn a_customer_cannot_read_or_change_another_customers_cart() {
    let (memory, commerce) = engine();
    let (mug, lamp) = shop_with_prices(&memory, &commerce).await;
    let cart = commerce
        .create_cart(ALICE, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    let cart = commerce.add_item(ALICE, cart.id(), mug, 2).await.unwrap();
    let bobs = commerce
        .create_cart(BOB, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();

    let us = Region::country("US").unwrap();
    for intruder in [BOB, ANN, GUEST] {
        assert_forbidden(commerce.cart(intruder, cart.id()).await);
        assert_forbidden(commerce.add_item(intruder, cart.id(), lamp, 1).await);
        assert_forbidden(commerce.update_quantity(intruder, cart.id(), mug, 9).await);
        assert_forbidden(commerce.remove_item(intruder, cart.id(), mug).await);
        assert_forbidden(commerce.apply_coupon(intruder, cart.id(), "TEN").await);
        assert_forbidden(commerce.remove_coupon(intruder, cart.id(), "TEN").await);
        assert_forbidden(
            commerce
                .price_cart(intruder, cart.id(), us.clone(), None)
                .await,
        );
        assert_forbidden(commerce.claim_cart(intruder, cart.id()).await);
    }
    // Bob cannot pull Alice's cart into his own either.
    assert_forbidden(commerce.merge_guest_cart(BOB, cart.id(), bobs.id()).await);
    assert_forbidden(commerce.merge_guest_cart(ALICE, cart.id(), bobs.id()).await);

    assert_eq!(commerce.cart(ALICE, cart.id()).await.unwrap(), cart);
    assert_eq!(commerce.cart(ADMIN, cart.id()).await.unwrap(), cart);
    assert_eq!(commerce.cart(BOB, bobs.id()).await.unwrap(), bobs);
    assert_eq!(
        commerce
            .cart(ALICE, CartId::from_u128(404))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn the_owner_changes_and_prices_their_cart() {
    let (memory, commerce) = engine();
    let (mug, lamp) = shop_with_prices(&memory, &commerce).await;
    let cart = commerce
        .create_cart(ALICE, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    assert_eq!(cart.customer(), Some(CustomerId::from_u128(20)));
    commerce.add_item(ALICE, cart.id(), mug, 1).await.unwrap();
    commerce.add_item(ALICE, cart.id(), lamp, 1).await.unwrap();
    commerce
        .update_quantity(ALICE, cart.id(), mug, 3)
        .await
        .unwrap();
    let cart = commerce.remove_item(ALICE, cart.id(), lamp).await.unwrap();
    assert_eq!(cart.total_items(), 3);
    assert_eq!(commerce.cart(ALICE, cart.id()).await.unwrap(), cart);
    let error = commerce
        .add_item(ALICE, cart.id(), mug, 0)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "quantity" });
    let error = commerce
        .add_item(ALICE, cart.id(), mug, 100)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "quantity" });
    assert_eq!(commerce.cart(ALICE, cart.id()).await.unwrap(), cart);

    let priced = commerce
        .price_cart(ALICE, cart.id(), Region::country("US").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(priced.totals.total.amount(), dec!(37.50));
    assert_eq!(events(&memory).await.last(), Some(&"cart.created"));
}

#[tokio::test]
async fn a_customer_keeps_one_shopping_cart_and_others_for_later() {
    let (_, commerce) = engine();
    let first = commerce
        .create_cart(ALICE, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    let error = commerce
        .create_cart(ALICE, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    let wishlist = commerce
        .create_cart(ALICE, Currency::USD, CartPurpose::Wishlist)
        .await
        .unwrap();
    let mine: Vec<CartId> = commerce
        .my_carts(ALICE)
        .await
        .unwrap()
        .iter()
        .map(Cart::id)
        .collect();
    assert_eq!(mine.len(), 2);
    assert!(mine.contains(&first.id()) && mine.contains(&wishlist.id()));
    for who in [ANN, ADMIN] {
        assert_forbidden(
            commerce
                .create_cart(who, Currency::USD, CartPurpose::Shopping)
                .await,
        );
    }
}

#[tokio::test]
async fn a_guest_cart_merges_into_the_customers_cart_on_login() {
    let (memory, commerce) = engine();
    let (mug, lamp) = shop_with_prices(&memory, &commerce).await;
    let guest = commerce
        .create_cart(GUEST, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    assert_eq!(guest.customer(), None);
    // Whoever holds a guest cart's id reaches it: that is how a guest keeps a cart.
    commerce.add_item(GUEST, guest.id(), mug, 2).await.unwrap();
    commerce.add_item(GUEST, guest.id(), lamp, 1).await.unwrap();

    let mine = commerce
        .create_cart(ALICE, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    commerce.add_item(ALICE, mine.id(), mug, 1).await.unwrap();

    // A guest cannot merge into a customer's cart, even holding both ids.
    assert_forbidden(
        commerce
            .merge_guest_cart(GUEST, guest.id(), mine.id())
            .await,
    );

    let (merged, report) = commerce
        .merge_guest_cart(ALICE, guest.id(), mine.id())
        .await
        .unwrap();
    assert!(report.capped.is_empty() && report.dropped.is_empty());
    assert_eq!(merged.customer(), Some(CustomerId::from_u128(20)));
    assert_eq!(merged.line(mug).unwrap().quantity, 3);
    assert_eq!(merged.line(lamp).unwrap().quantity, 1);
    assert_eq!(commerce.cart(ALICE, mine.id()).await.unwrap(), merged);
    assert_eq!(
        commerce.cart(ALICE, guest.id()).await.unwrap_err().kind(),
        ErrorKind::NotFound,
        "the guest cart is used up"
    );
    let again = commerce
        .merge_guest_cart(ALICE, guest.id(), mine.id())
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotFound);
    assert_eq!(commerce.cart(ALICE, mine.id()).await.unwrap(), merged);
}

#[tokio::test]
async fn a_customer_without_a_cart_claims_the_guest_cart() {
    let (memory, commerce) = engine();
    let (mug, _) = shop_with_prices(&memory, &commerce).await;
    let guest = commerce
        .create_cart(GUEST, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    commerce.add_item(GUEST, guest.id(), mug, 1).await.unwrap();
    let claimed = commerce.claim_cart(ALICE, guest.id()).await.unwrap();
    assert_eq!(claimed.customer(), Some(CustomerId::from_u128(20)));
    assert_eq!(
        claimed.lines(),
        commerce.cart(ALICE, guest.id()).await.unwrap().lines()
    );
    // Now it is Alice's: no longer reachable by id alone.
    assert_forbidden(commerce.cart(GUEST, guest.id()).await);
    assert_forbidden(commerce.cart(BOB, guest.id()).await);
    // A second shopping cart cannot be claimed next to it.
    let other = commerce
        .create_cart(GUEST, Currency::USD, CartPurpose::Shopping)
        .await
        .unwrap();
    let error = commerce.claim_cart(ALICE, other.id()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(commerce.cart(GUEST, other.id()).await.unwrap(), other);
}
