//! Conformance cases: the cart port, and the pricing-rules port carts are priced with.

use chrono::Duration;
use commerce_core::cart::{Cart, CartPurpose, Quantity};
use commerce_core::events::{DomainEvent, EventRecord};
use commerce_core::ports::Stores;
use commerce_core::pricing::{Benefit, CouponCode, Promotion, ShippingMethod};
use commerce_core::{CartId, Currency, CustomerId, Entity, Error, ErrorKind};

use crate::fixtures::{Item, Store, now};

/// A fixture store with two products.
fn store() -> (Store, Item, Item) {
    let mut store = Store::new(Currency::USD);
    let mug = store.product("Mug", "12.50");
    let lamp = store.product("Lamp", "40.00");
    (store, mug, lamp)
}

/// A cart of `customer` (a guest's when `None`), created `hours` after the fixtures'
/// now, holding `lines`.
fn cart(
    store: &Store,
    n: u128,
    customer: Option<CustomerId>,
    hours: i64,
    lines: &[(Item, u32)],
) -> Cart {
    let mut cart = Cart::new(
        CartId::from_u128(n),
        customer,
        CartPurpose::Shopping,
        store.currency,
        now() + Duration::hours(hours),
    );
    for &(item, quantity) in lines {
        let quantity = Quantity::new(i64::from(quantity)).expect("quantity");
        cart.add_item(&store.cart_context(), item.variant, quantity)
            .expect("add to cart");
    }
    cart
}

async fn stored(stores: &Stores, id: CartId) -> Option<Cart> {
    stores.carts.cart(id).await.expect("read cart")
}

/// A saved cart reads back equal, lines, coupons and all; an unknown id is `None`.
pub async fn carts_read_back_as_saved(stores: Stores) {
    let (mut store, mug, lamp) = store();
    let promotion = store.promotion_id();
    store.promote(
        Promotion::new(
            promotion,
            "Ten off",
            Benefit::PercentOffOrder {
                percent: crate::fixtures::dec("10"),
            },
        )
        .map(|p| p.with_coupon(CouponCode::parse("TEN").expect("code"))),
    );
    let mut cart = cart(
        &store,
        1,
        Some(CustomerId::from_u128(1)),
        0,
        &[(mug, 2), (lamp, 1)],
    );
    cart.apply_coupon("ten", &store.rules.promotions, &store.context())
        .expect("coupon");
    let saved = stores
        .carts
        .save_cart(&cart, Vec::new())
        .await
        .expect("save");
    assert_eq!(saved, cart.clone().with_version(1), "stored at version 1");
    assert_eq!(stored(&stores, cart.id()).await, Some(saved.clone()));
    let guest = self::cart(&store, 2, None, 0, &[(mug, 1)]);
    let guest = stores
        .carts
        .save_cart(&guest, Vec::new())
        .await
        .expect("save");
    assert_eq!(stored(&stores, guest.id()).await, Some(guest));
    assert_eq!(stored(&stores, CartId::from_u128(404)).await, None);
    // Saving the version read replaces and moves the version on.
    let mut changed = saved.clone();
    changed
        .remove_item(lamp.variant, now() + Duration::minutes(5))
        .expect("remove");
    let resaved = stores
        .carts
        .save_cart(&changed, Vec::new())
        .await
        .expect("save");
    assert_eq!(resaved.version(), 2);
    assert_eq!(stored(&stores, cart.id()).await, Some(resaved.clone()));
    // A change computed from the old version is refused and loses nothing.
    let error = stores
        .carts
        .save_cart(&saved, Vec::new())
        .await
        .expect_err("stale version");
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(stored(&stores, cart.id()).await, Some(resaved));
}

/// `carts_of` lists exactly one customer's carts, oldest first, whatever the order
/// they were saved in.
pub async fn carts_of_lists_a_customers_carts_oldest_first(stores: Stores) {
    let (store, mug, _) = store();
    let (alice, bob) = (CustomerId::from_u128(1), CustomerId::from_u128(2));
    let carts = [
        cart(&store, 10, Some(alice), 2, &[(mug, 1)]),
        cart(&store, 11, Some(bob), 1, &[]),
        cart(&store, 12, Some(alice), -3, &[]),
        cart(&store, 13, None, 0, &[(mug, 1)]),
        cart(&store, 14, Some(alice), 0, &[]),
    ];
    for c in &carts {
        stores.carts.save_cart(c, Vec::new()).await.expect("save");
    }
    let ids = |carts: Vec<Cart>| carts.iter().map(Cart::id).collect::<Vec<_>>();
    assert_eq!(
        ids(stores.carts.carts_of(alice).await.expect("list")),
        [
            CartId::from_u128(12),
            CartId::from_u128(14),
            CartId::from_u128(10)
        ]
    );
    assert_eq!(
        stores.carts.carts_of(bob).await.expect("list"),
        [carts[1].clone().with_version(1)]
    );
    assert!(
        stores
            .carts
            .carts_of(CustomerId::from_u128(3))
            .await
            .expect("list")
            .is_empty()
    );
}

/// A checked-out cart never changes again: saving over it is `Conflict`, the stored
/// cart stays as it was and no event is appended.
pub async fn a_checked_out_cart_cannot_be_overwritten(stores: Stores) {
    let (store, mug, lamp) = store();
    let mut cart = cart(&store, 1, Some(CustomerId::from_u128(1)), 0, &[(mug, 1)]);
    cart.mark_checked_out(now()).expect("check out");
    let cart = stores
        .carts
        .save_cart(&cart, Vec::new())
        .await
        .expect("save");
    let mut reopened = self::cart(&store, 1, Some(CustomerId::from_u128(1)), 0, &[(mug, 1)]);
    reopened
        .add_item(
            &store.cart_context(),
            lamp.variant,
            Quantity::new(1).expect("quantity"),
        )
        .expect("add");
    let abandoned = EventRecord::new(now(), DomainEvent::CartAbandoned { cart: cart.id() });
    for attempt in [reopened.clone(), reopened.with_version(cart.version())] {
        let error = stores
            .carts
            .save_cart(&attempt, vec![abandoned.clone()])
            .await
            .expect_err("overwriting a checked-out cart");
        assert_eq!(error.kind(), ErrorKind::Conflict);
    }
    assert_eq!(stored(&stores, cart.id()).await, Some(cart));
    assert!(
        stores
            .outbox
            .unpublished(100)
            .await
            .expect("outbox")
            .is_empty()
    );
}

/// Deleting removes the cart; deleting a missing one is `NotFound`.
pub async fn deleting_a_missing_cart_is_not_found(stores: Stores) {
    let (store, mug, _) = store();
    let cart = cart(&store, 1, None, 0, &[(mug, 1)]);
    stores
        .carts
        .save_cart(&cart, Vec::new())
        .await
        .expect("save");
    stores.carts.delete_cart(cart.id()).await.expect("delete");
    assert_eq!(stored(&stores, cart.id()).await, None);
    let error = stores
        .carts
        .delete_cart(cart.id())
        .await
        .expect_err("deleting twice");
    assert!(
        matches!(
            error,
            Error::NotFound {
                entity: Entity::Cart,
                ..
            }
        ),
        "{error:?}"
    );
}

/// Saving appends the events with the cart.
pub async fn cart_events_are_appended_with_the_save(stores: Stores) {
    let (store, _, _) = store();
    let cart = cart(&store, 1, Some(CustomerId::from_u128(1)), 0, &[]);
    let event = EventRecord::new(
        now(),
        DomainEvent::CartCreated {
            cart: cart.id(),
            customer: cart.customer(),
        },
    );
    stores
        .carts
        .save_cart(&cart, vec![event.clone()])
        .await
        .expect("save");
    assert_eq!(super::outbox_records(&stores).await, [event]);
}

/// Merging stores the target and removes the guest cart in one step; a missing guest
/// cart is `NotFound` and writes nothing.
pub async fn merging_replaces_the_target_and_removes_the_guest_cart(stores: Stores) {
    let (store, mug, lamp) = store();
    let customer = CustomerId::from_u128(1);
    let guest = cart(&store, 1, None, 0, &[(mug, 2), (lamp, 1)]);
    let mine = cart(&store, 2, Some(customer), 0, &[(mug, 1)]);
    stores
        .carts
        .save_cart(&guest, Vec::new())
        .await
        .expect("save");
    let mine = stores
        .carts
        .save_cart(&mine, Vec::new())
        .await
        .expect("save");
    let mut merged = mine.clone();
    merged
        .merge_guest(&guest, store.limits, now())
        .expect("merge in memory");
    let merged = stores
        .carts
        .merge_carts(&merged, guest.id(), Vec::new())
        .await
        .expect("merge");
    assert_eq!(merged.version(), mine.version() + 1);
    assert_eq!(stored(&stores, guest.id()).await, None);
    assert_eq!(stored(&stores, mine.id()).await, Some(merged.clone()));

    let mut again = merged.clone();
    again
        .merge_guest(&guest, store.limits, now())
        .expect("merge in memory");
    let error = stores
        .carts
        .merge_carts(&again, guest.id(), Vec::new())
        .await
        .expect_err("the guest cart is gone");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(
        stored(&stores, mine.id()).await,
        Some(merged),
        "the guest's lines are counted once"
    );
    let fresh = cart(&store, 3, Some(customer), 0, &[]);
    stores
        .carts
        .merge_carts(&fresh, guest.id(), Vec::new())
        .await
        .expect_err("the guest cart is gone");
    assert_eq!(
        stored(&stores, fresh.id()).await,
        None,
        "nothing was written"
    );
}

/// Merging into or from a checked-out cart, or a cart into itself, is `Conflict` and
/// changes nothing.
pub async fn merging_checked_out_carts_conflicts(stores: Stores) {
    let (store, mug, _) = store();
    let customer = CustomerId::from_u128(1);
    let guest = cart(&store, 1, None, 0, &[(mug, 1)]);
    let mut done = cart(&store, 2, Some(customer), 0, &[(mug, 1)]);
    done.mark_checked_out(now()).expect("check out");
    let open = cart(&store, 3, Some(customer), 0, &[]);
    for c in [&guest, &done, &open] {
        stores.carts.save_cart(c, Vec::new()).await.expect("save");
    }
    let attempts = [
        (done.clone(), guest.id()),
        (open.clone(), done.id()),
        (guest.clone(), guest.id()),
    ];
    for (into, merged) in attempts {
        let error = stores
            .carts
            .merge_carts(&into, merged, Vec::new())
            .await
            .expect_err("refused merge");
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error:?}");
    }
    for c in [guest, done, open] {
        assert_eq!(stored(&stores, c.id()).await, Some(c.with_version(1)));
    }
}

/// Of many concurrent saves computed from one version, exactly one is stored.
pub async fn concurrent_saves_from_one_version_let_exactly_one_win(stores: Stores) {
    let (store, mug, _) = store();
    let base = cart(&store, 1, Some(CustomerId::from_u128(1)), 0, &[]);
    let base = stores
        .carts
        .save_cart(&base, Vec::new())
        .await
        .expect("save");
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(16));
    let mut tasks = Vec::new();
    for n in 1..=16u32 {
        let (stores, barrier) = (stores.clone(), barrier.clone());
        let mut mine = base.clone();
        let quantity = Quantity::new(i64::from(n)).expect("quantity");
        mine.add_item(&store.cart_context(), mug.variant, quantity)
            .expect("add");
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            stores.carts.save_cart(&mine, Vec::new()).await
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(saved) => winners.push(saved),
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins");
    assert_eq!(stored(&stores, base.id()).await, winners.pop());
}

/// Of many concurrent merges of one guest cart, exactly one succeeds.
pub async fn a_guest_cart_merges_once_under_concurrency(stores: Stores) {
    let (store, mug, _) = store();
    let guest = cart(&store, 1, None, 0, &[(mug, 3)]);
    stores
        .carts
        .save_cart(&guest, Vec::new())
        .await
        .expect("save");
    let mut tasks = Vec::new();
    for n in 0..8u128 {
        let target = cart(&store, 100 + n, Some(CustomerId::from_u128(n + 1)), 0, &[]);
        let target = stores
            .carts
            .save_cart(&target, Vec::new())
            .await
            .expect("save");
        let mut merged = target.clone();
        merged
            .merge_guest(&guest, store.limits, now())
            .expect("merge in memory");
        let stores = stores.clone();
        let guest = guest.id();
        tasks.push(tokio::spawn(async move {
            stores.carts.merge_carts(&merged, guest, Vec::new()).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound, "{e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(stored(&stores, guest.id()).await, None);
    let mut with_lines = 0;
    for n in 0..8u128 {
        let target = stored(&stores, CartId::from_u128(100 + n))
            .await
            .expect("target stays");
        with_lines += usize::from(target.total_items() == 3);
    }
    assert_eq!(
        with_lines, 1,
        "exactly one target received the guest's lines"
    );
}

/// Fresh stores have the default (empty) pricing rules; saved rules read back equal.
pub async fn pricing_rules_read_back_as_saved(stores: Stores) {
    let empty = stores.pricing.rules().await.expect("rules");
    assert!(empty.promotions.is_empty());
    assert!(empty.shipping_methods.is_empty());
    assert_eq!(empty.price_book, Default::default());

    let (mut store, mug, _) = store();
    store.tax("US", "Sales tax", "0.08");
    let post = store.shipping_id();
    store.shipping(ShippingMethod::flat(post, "Post", store.money("4.95")));
    let promotion = store.promotion_id();
    store.promote(Promotion::new(
        promotion,
        "Five off",
        Benefit::AmountOffOrder {
            amount: store.money("5.00"),
        },
    ));
    let rules = store.clone().tax_inclusive().rules;
    stores
        .pricing
        .save_rules(rules.clone())
        .await
        .expect("save rules");
    let back = stores.pricing.rules().await.expect("rules");
    assert_eq!(back.settings, rules.settings);
    assert_eq!(back.price_book, rules.price_book);
    assert_eq!(back.promotions, rules.promotions);
    assert_eq!(back.taxes, rules.taxes);
    assert_eq!(back.shipping_methods, rules.shipping_methods);
    assert!(
        back.price_book
            .unit_price(mug.variant, Currency::USD, None, 1, now())
            .is_ok()
    );
}

/// The carts cases, as tests.
#[macro_export]
macro_rules! carts_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            carts,
            $fresh,
            [
                carts_read_back_as_saved,
                carts_of_lists_a_customers_carts_oldest_first,
                a_checked_out_cart_cannot_be_overwritten,
                deleting_a_missing_cart_is_not_found,
                cart_events_are_appended_with_the_save,
                merging_replaces_the_target_and_removes_the_guest_cart,
                merging_checked_out_carts_conflicts,
                a_guest_cart_merges_once_under_concurrency,
                concurrent_saves_from_one_version_let_exactly_one_win,
                pricing_rules_read_back_as_saved,
            ]
        );
    };
}
