//! Cart rules, bad input, and the seed documents' JSON shapes.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Duration;
use commerce_core::cart::{
    AddItemRequest, Cart, CartItemResponse, CartLimits, CartPurpose, CartStatus, LineChange,
    Quantity, RemoveItemRequest, RemoveItemResponse, UpdateItemRequest,
};
use commerce_core::catalog::ProductStatus;
use commerce_core::pricing::{
    Benefit, Condition, CouponCode, CouponRejection, Promotion, VariantPrice,
};
use commerce_core::{CartId, Currency, Error, ErrorKind, VariantId};
use commerce_testkit::fixtures::{Store, dec, now};

fn qty(n: i64) -> Quantity {
    Quantity::new(n).unwrap()
}

#[test]
fn adding_the_same_variant_twice_adds_to_its_line() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let mut cart = store.cart_with(&[(mug, 2)]);
    let line = cart
        .add_item(&store.cart_context(), mug.variant, qty(1))
        .unwrap();
    assert_eq!(line.quantity, 3);
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.total_items(), 3);
    assert_eq!(cart.subtotal().unwrap().amount(), dec("75.00"));
}

#[test]
fn zero_and_negative_quantities_cannot_be_expressed() {
    for n in [0, -1, i64::MIN] {
        assert!(matches!(
            Quantity::new(n),
            Err(Error::InvalidInput {
                field: "quantity",
                ..
            })
        ));
    }
    assert!(Quantity::new(i64::from(u32::MAX) + 1).is_err());
}

/// Runs `change` on a clone of `cart`, asserts it fails with an error matching `expected`,
/// and that the cart is exactly as it was.
fn refused(cart: &Cart, change: impl FnOnce(&mut Cart) -> Result<(), Error>) -> Error {
    let mut attempt = cart.clone();
    let error = change(&mut attempt).expect_err("the change should be refused");
    assert_eq!(
        &attempt, cart,
        "a refused change must leave the cart as it was"
    );
    error
}

#[test]
fn more_than_the_line_maximum_is_refused_and_changes_nothing() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let cart = store.cart_with(&[(mug, 98)]);
    let ctx = store.cart_context();
    let error = refused(&cart, |c| c.add_item(&ctx, mug.variant, qty(2)).map(|_| ()));
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "quantity" });
    let error = refused(&cart, |c| {
        c.update_quantity(&ctx, mug.variant, qty(100)).map(|_| ())
    });
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "quantity" });
}

#[test]
fn a_full_cart_refuses_a_new_line() {
    let mut store = Store::new(Currency::USD);
    store.limits = CartLimits {
        max_line_quantity: 99,
        max_lines: 2,
    };
    let a = store.product("A", "1.00");
    let b = store.product("B", "1.00");
    let c = store.product("C", "1.00");
    let cart = store.cart_with(&[(a, 1), (b, 1)]);
    let ctx = store.cart_context();
    let error = refused(&cart, |cart| {
        cart.add_item(&ctx, c.variant, qty(1)).map(|_| ())
    });
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "cart" });
}

#[test]
fn inactive_products_cannot_be_added() {
    let mut store = Store::new(Currency::USD);
    let draft = store.product("Draft", "5.00");
    let archived = store.product("Old", "5.00");
    store.set_status(draft, ProductStatus::Draft);
    store.set_status(archived, ProductStatus::Archived);
    let cart = store.cart();
    let ctx = store.cart_context();
    for item in [draft, archived] {
        let error = refused(&cart, |c| {
            c.add_item(&ctx, item.variant, qty(1)).map(|_| ())
        });
        assert!(
            matches!(error, Error::ProductNotActive { product, .. } if product == item.product)
        );
    }
    let error = refused(&cart, |c| {
        c.add_item(&ctx, VariantId::from_u128(404), qty(1))
            .map(|_| ())
    });
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[test]
fn a_cart_has_one_currency() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let usd_cart = store.cart_with(&[(mug, 1)]);
    let eur_cart = Cart::new(
        CartId::from_u128(77),
        None,
        CartPurpose::Shopping,
        Currency::EUR,
        now(),
    );
    let ctx = store.cart_context();

    // The mug has no EUR price: adding it to a EUR cart is refused.
    let error = refused(&eur_cart, |c| {
        c.add_item(&ctx, mug.variant, qty(1)).map(|_| ())
    });
    assert_eq!(
        error,
        Error::NoPrice {
            variant: mug.variant,
            currency: Currency::EUR
        }
    );

    // Merging carts of two currencies is refused, and neither cart changes.
    let mut guest = eur_cart.clone();
    let mut euro_store = Store::new(Currency::EUR);
    let book = euro_store.product("Buch", "12.00");
    guest
        .add_item(&euro_store.cart_context(), book.variant, qty(1))
        .unwrap();
    let guest_before = guest.clone();
    let error = refused(&usd_cart, |c| {
        c.merge_guest(&guest, store.limits, now()).map(|_| ())
    });
    assert_eq!(
        error,
        Error::CurrencyMismatch {
            expected: Currency::USD,
            found: Currency::EUR
        }
    );
    assert_eq!(guest, guest_before);
}

#[test]
fn unknown_currency_codes_are_typed_errors() {
    let error = "ZZZ".parse::<Currency>().unwrap_err();
    assert_eq!(error, Error::UnknownCurrency { code: "ZZZ".into() });
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "currency" });
}

#[test]
fn an_expired_coupon_is_refused_and_changes_nothing() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let id = store.promotion_id();
    store.promote(
        Promotion::new(
            id,
            "Winter",
            Benefit::PercentOffOrder { percent: dec("10") },
        )
        .map(|p| {
            p.with_coupon(CouponCode::parse("WINTER").unwrap())
                .when(Condition::DateWindow {
                    starts_at: None,
                    ends_at: Some(now() - Duration::hours(1)),
                })
        }),
    );
    let cart = store.cart_with(&[(mug, 1)]);
    let context = store.context();
    let error = refused(&cart, |c| {
        c.apply_coupon("winter", &store.rules.promotions, &context)
    });
    assert_eq!(
        error,
        Error::Coupon {
            code: "WINTER".into(),
            rejection: CouponRejection::Expired
        }
    );
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "coupon" });

    let error = refused(&cart, |c| {
        c.apply_coupon("NOPE", &store.rules.promotions, &context)
    });
    assert_eq!(
        error,
        Error::Coupon {
            code: "NOPE".into(),
            rejection: CouponRejection::Unknown
        }
    );
    let error = refused(&cart, |c| {
        c.apply_coupon("<script>", &store.rules.promotions, &context)
    });
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "coupon" });
}

#[test]
fn missing_lines_and_checked_out_carts_are_typed_errors() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let lamp = store.product("Lamp", "40.00");
    let mut cart = store.cart_with(&[(mug, 1)]);
    let ctx = store.cart_context();
    let error = refused(&cart, |c| {
        c.update_quantity(&ctx, lamp.variant, qty(2)).map(|_| ())
    });
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let error = refused(&cart, |c| c.remove_item(lamp.variant, now()).map(|_| ()));
    assert_eq!(error.kind(), ErrorKind::NotFound);

    cart.mark_checked_out(now()).unwrap();
    let error = refused(&cart, |c| c.add_item(&ctx, mug.variant, qty(1)).map(|_| ()));
    assert_eq!(error.kind(), ErrorKind::Conflict);
    let error = refused(&cart, |c| c.remove_item(mug.variant, now()).map(|_| ()));
    assert_eq!(error.kind(), ErrorKind::Conflict);
}

#[test]
fn a_guest_cart_merges_into_the_customers_cart() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let lamp = store.product("Lamp", "40.00");
    let mut customer_cart = store.cart_with(&[(mug, 60)]);
    let guest = store.cart_with(&[(mug, 50), (lamp, 1)]);
    let report = customer_cart
        .merge_guest(&guest, store.limits, now())
        .unwrap();
    assert_eq!(customer_cart.line(mug.variant).unwrap().quantity, 99);
    assert_eq!(customer_cart.line(lamp.variant).unwrap().quantity, 1);
    assert_eq!(report.capped, [mug.variant]);
}

#[test]
fn a_line_can_be_saved_for_later() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let mut cart = store.cart_with(&[(mug, 2)]);
    let mut later = Cart::new(
        CartId::from_u128(9),
        None,
        CartPurpose::SavedForLater,
        Currency::USD,
        now(),
    );
    cart.move_line(&mut later, mug.variant, store.limits, now())
        .unwrap();
    assert!(cart.lines().is_empty());
    assert_eq!(later.line(mug.variant).unwrap().quantity, 2);
    assert_eq!(later.purpose(), CartPurpose::SavedForLater);
}

#[test]
fn idle_carts_are_marked_abandoned_and_reopen_on_change() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let mut cart = store.cart_with(&[(mug, 1)]);
    let mut empty = store.cart();
    let idle_after = Duration::hours(24);

    assert!(!cart.mark_abandoned_if_idle(now() + Duration::hours(23), idle_after));
    assert_eq!(cart.status(), CartStatus::Open);
    assert!(cart.mark_abandoned_if_idle(now() + Duration::hours(24), idle_after));
    assert_eq!(cart.status(), CartStatus::Abandoned);
    assert!(!empty.mark_abandoned_if_idle(now() + Duration::days(30), idle_after));

    let mut ctx = store.cart_context();
    ctx.now = now() + Duration::days(2);
    cart.add_item(&ctx, mug.variant, qty(1)).unwrap();
    assert_eq!(cart.status(), CartStatus::Open);
    assert_eq!(cart.updated_at(), ctx.now);
}

#[test]
fn repricing_at_checkout_reports_what_changed() {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "25.00");
    let lamp = store.product("Lamp", "40.00");
    let mut cart = store.cart_with(&[(mug, 2), (lamp, 1)]);
    assert!(cart.reprice(&store.cart_context()).is_unchanged());

    let new_price = store.money("27.50");
    store.set_price(mug, VariantPrice::new(new_price));
    store.set_status(lamp, ProductStatus::Archived);
    let report = cart.reprice(&store.cart_context());
    assert_eq!(report.changes.len(), 2);
    assert_eq!(
        report.changes[0],
        LineChange::PriceChanged {
            variant: mug.variant,
            name: "Mug".into(),
            from: store.money("25.00"),
            to: new_price,
        }
    );
    assert!(matches!(
        &report.changes[1],
        LineChange::Unavailable { variant, reason: Error::ProductNotActive { .. }, .. } if *variant == lamp.variant
    ));

    cart.accept_reprice(&report, now()).unwrap();
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.subtotal().unwrap().amount(), dec("55.00"));
    assert!(cart.reprice(&store.cart_context()).is_unchanged());
}

#[test]
fn cart_responses_have_exactly_the_seed_documents_fields() {
    let mut store = Store::new(Currency::USD);
    let item = store.product("Product Name", "25.00");
    let other = store.product("Other", "0.00");
    let cart = store.cart_with(&[(item, 2), (other, 1)]);

    let response =
        serde_json::to_value(CartItemResponse::of(&cart, item.variant).unwrap()).unwrap();
    let expected = serde_json::json!({
        "cartId": cart.id().to_string(),
        "totalItems": 3,
        "totalPrice": "50.00",
        "item": {
            "productId": item.product.to_string(),
            "name": "Product Name",
            "price": "25.00",
            "quantity": 2,
            "subtotal": "50.00"
        }
    });
    assert_eq!(response, expected);

    let removed = serde_json::to_value(RemoveItemResponse::of(&cart).unwrap()).unwrap();
    let keys: Vec<&str> = removed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["cartId", "message", "totalItems", "totalPrice"]);
    assert_eq!(removed["message"], "Item removed successfully.");
}

#[test]
fn cart_requests_parse_from_the_seed_documents_shapes() {
    let mut store = Store::new(Currency::USD);
    let item = store.product("Product Name", "25.00");
    let cart_id = CartId::from_u128(456);
    let add = AddItemRequest::from_json(&format!(
        r#"{{"userId": "{}", "productId": "{}", "quantity": 2}}"#,
        CartId::from_u128(123),
        item.product
    ))
    .unwrap();
    assert_eq!(add.resolve(&store.catalog).unwrap(), (item.variant, qty(2)));
    let update = UpdateItemRequest::from_json(&format!(
        r#"{{"cartId": "{cart_id}", "productId": "{}", "quantity": 3}}"#,
        item.product
    ))
    .unwrap();
    assert_eq!(
        update.resolve(&store.catalog).unwrap(),
        (cart_id, item.variant, qty(3))
    );
    let remove = RemoveItemRequest::from_json(&format!(
        r#"{{"cartId": "{cart_id}", "productId": "{}"}}"#,
        item.product
    ))
    .unwrap();
    assert_eq!(
        remove.resolve(&store.catalog).unwrap(),
        (cart_id, item.variant)
    );
}

#[test]
fn malformed_requests_name_the_field_at_fault() {
    let mut store = Store::new(Currency::USD);
    let item = store.product("Mug", "25.00");
    let p = item.product;
    let field_of = |body: &str| match AddItemRequest::from_json(body)
        .and_then(|r| r.resolve(&store.catalog))
    {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected invalid input for {body}, got {other:?}"),
    };
    assert_eq!(field_of(r#"{"productId": "#), "body");
    assert_eq!(field_of(r#"[1, 2]"#), "body");
    assert_eq!(
        field_of(&format!(
            r#"{{"productId": "{p}", "quantity": 1}} trailing"#
        )),
        "body"
    );
    assert_eq!(
        field_of(&format!(r#"{{"productId": "{p}", "quantity": "two"}}"#)),
        "quantity"
    );
    assert_eq!(
        field_of(&format!(r#"{{"productId": "{p}", "quantity": 1.5}}"#)),
        "quantity"
    );
    assert_eq!(field_of(&format!(r#"{{"productId": "{p}"}}"#)), "quantity");
    assert_eq!(
        field_of(&format!(r#"{{"productId": "{p}", "quantity": 0}}"#)),
        "quantity"
    );
    assert_eq!(
        field_of(&format!(r#"{{"productId": "{p}", "quantity": -3}}"#)),
        "quantity"
    );
    assert_eq!(field_of(r#"{"quantity": 1}"#), "productId");
    assert_eq!(
        field_of(r#"{"productId": "ABC123", "quantity": 1}"#),
        "productId"
    );
    assert_eq!(
        field_of(&format!(
            r#"{{"productId": "{p}", "quantity": 1, "price": "0.01"}}"#
        )),
        "body"
    );
}

#[test]
fn an_empty_cart_prices_to_zero_without_shipping() {
    let mut store = Store::new(Currency::USD);
    store.tax("US", "Sales tax", "0.08");
    let ship = store.shipping_id();
    let price = store.money("5.00");
    store.shipping(commerce_core::pricing::ShippingMethod::flat(
        ship, "Standard", price,
    ));
    let id = store.promotion_id();
    store.promote(Promotion::new(
        id,
        "10% off",
        Benefit::PercentOffOrder { percent: dec("10") },
    ));
    let cart = store.cart();
    let mut context = store.context();
    context.shipping_method = Some(ship);
    let priced = store.price(&cart, &context).unwrap();
    assert!(priced.lines.is_empty() && priced.shipping.is_none());
    assert!(priced.totals.total.is_zero());
    assert!(matches!(
        priced.promotions[0].result,
        commerce_core::pricing::PromotionResult::NotApplied {
            reason: commerce_core::pricing::NotApplied::NothingToDiscount
        }
    ));
}

#[test]
fn slugs_and_skus_belong_to_one_product() {
    use commerce_core::catalog::Slug;
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "5.00");
    let product = store.catalog.product(mug.product).unwrap().clone();
    let slug: Slug = product.slug().clone();
    assert_eq!(
        store.catalog.by_slug(&slug).map(|p| p.id()),
        Some(mug.product)
    );
    // Re-saving the same product keeps its slug and SKUs.
    assert_eq!(store.catalog.upsert_product(product), Ok(()));
    // Another product with the same SKU is a conflict, and the catalog is unchanged.
    let copy = commerce_core::catalog::Product::new(commerce_core::catalog::NewProduct {
        id: commerce_core::ProductId::from_u128(999_999),
        shop: store.shop,
        name: "Mug copy".into(),
        slug: None,
        description: String::new(),
        status: ProductStatus::Active,
        category: None,
        brand: None,
        attributes: Default::default(),
        tax_category: commerce_core::pricing::TaxCategory::standard(),
        media: Vec::new(),
        variants: store
            .catalog
            .product(mug.product)
            .unwrap()
            .variants()
            .to_vec(),
        created_at: now(),
    })
    .unwrap();
    assert_eq!(
        store
            .catalog
            .upsert_product(copy.clone())
            .map_err(|e| e.kind()),
        Err(ErrorKind::Conflict)
    );
    assert!(
        store
            .catalog
            .product(commerce_core::ProductId::from_u128(999_999))
            .is_none()
    );
    // So is another product under the same slug, even with its own SKU.
    let own_variant = commerce_core::catalog::Variant::new(
        VariantId::from_u128(999_999),
        commerce_core::catalog::Sku::parse("OTHER-1").unwrap(),
        commerce_core::catalog::Weight::grams(1),
    );
    let same_slug = commerce_core::catalog::Product::new(commerce_core::catalog::NewProduct {
        slug: Some(slug),
        variants: vec![own_variant],
        ..copy.into()
    })
    .unwrap();
    let error = store.catalog.upsert_product(same_slug).unwrap_err();
    assert!(
        matches!(&error, Error::Conflict(message) if message.contains("slug")),
        "{error}"
    );
}

#[test]
fn changing_a_quantity_refreshes_the_snapshot_price_for_its_tier() {
    let mut store = Store::new(Currency::USD);
    let pen = store.product("Pen", "2.00");
    let (base, tier) = (store.money("2.00"), store.money("1.50"));
    store.set_price(pen, VariantPrice::new(base).with_tier(10, tier));
    let mut cart = store.cart_with(&[(pen, 2)]);
    assert_eq!(cart.line(pen.variant).unwrap().unit_price, base);

    let ctx = store.cart_context();
    let line = cart.update_quantity(&ctx, pen.variant, qty(12)).unwrap();
    assert_eq!((line.quantity, line.unit_price), (12, tier));
    let response = serde_json::to_value(CartItemResponse::of(&cart, pen.variant).unwrap()).unwrap();
    assert_eq!(response["item"]["subtotal"], "18.00");
}

#[test]
fn coupons_can_be_removed_and_guest_carts_assigned() {
    let mut store = Store::new(Currency::USD);
    let id = store.promotion_id();
    store.promote(
        Promotion::new(id, "Ten", Benefit::PercentOffOrder { percent: dec("10") })
            .map(|p| p.with_coupon(CouponCode::parse("TEN").unwrap())),
    );
    let mut cart = store.cart();
    let context = store.context();
    cart.apply_coupon("ten", &store.rules.promotions, &context)
        .unwrap();
    assert_eq!(cart.coupons().len(), 1);
    cart.remove_coupon("Ten", now()).unwrap();
    assert!(cart.coupons().is_empty());
    // Removing a code that is not there changes nothing.
    let before = cart.clone();
    cart.remove_coupon("TEN", now()).unwrap();
    assert_eq!(cart, before);

    assert_eq!(cart.customer(), None);
    let customer = commerce_core::CustomerId::from_u128(5);
    cart.assign_to(customer);
    assert_eq!(cart.customer(), Some(customer));
}
