//! Conformance cases: reviews — one per customer per product, compare-and-swap changes,
//! aggregates (count, histogram, average to one decimal) kept in the same step as every
//! change and its events, verified purchases, the seller's one reply, listing.

use std::sync::Arc;

use chrono::Duration;
use commerce_core::events::EventRecord;
use commerce_core::identity::{Actor, Principal};
use commerce_core::inventory::StockEffect;
use commerce_core::memory::{ManualClock, MemoryPayments};
use commerce_core::order::{Effects, Order, OrderStatus};
use commerce_core::ports::Stores;
use commerce_core::review::{NewReview, Rating, RatingSummary, Review, ReviewPage, ReviewText};
use commerce_core::{
    Commerce, Config, CustomerId, ErrorKind, ProductId, ReviewId, ReviewInput, SellerId,
};
use rust_decimal::Decimal;
use tokio::sync::Barrier;

use crate::conformance::outbox_records;
use crate::fixtures::{Item, Store, now};
use crate::orders::{SECOND_SELLER, install, place, two_shops};

/// The review cases, as tests.
#[macro_export]
macro_rules! reviews_conformance {
    ($fresh:path) => {
        $crate::__conformance_cases!(
            reviews,
            $fresh,
            [
                creating_stores_review_aggregates_and_event_together,
                a_second_review_by_the_same_customer_is_a_conflict_and_changes_nothing,
                concurrent_reviews_by_one_customer_store_exactly_one,
                concurrent_reviews_by_many_customers_all_count,
                ratings_of_0_and_6_are_invalid_input_and_change_nothing,
                aggregates_follow_edit_delete_hide_and_restore,
                a_stale_review_update_is_a_conflict_and_changes_nothing,
                a_review_cannot_move_to_another_product_or_author,
                deleting_unknown_or_stale_reviews_changes_nothing,
                listing_shows_visible_reviews_newest_first_in_bounded_pages,
                verified_purchase_needs_a_delivered_order_with_the_product,
                the_seller_replies_once,
                concurrent_replies_from_one_version_let_exactly_one_win,
                rating_summaries_list_products_with_visible_reviews,
            ]
        );
    };
}

/// A customer of the review cases.
pub fn customer(n: u128) -> CustomerId {
    CustomerId::from_u128(8000 + n)
}

/// A fresh review of `item` (sold by `store`'s first shop unless `item` is the second
/// shop's) by `customer(n)` with `stars`, written `n` minutes after [`now`].
pub fn review_of(item: Item, shop_of: &Store, n: u128, stars: i64) -> (Review, Vec<EventRecord>) {
    let shop = shop_of
        .catalog
        .product(item.product)
        .expect("fixture product")
        .shop();
    Review::create(NewReview {
        id: ReviewId::from_u128(9000 + n),
        product: item.product,
        shop,
        customer: customer(n),
        rating: Rating::new(stars).expect("fixture rating"),
        text: ReviewText::parse(Some(&format!("Review {n}")), None).expect("text"),
        verified_purchase: false,
        now: now() + Duration::minutes(i64::try_from(n).unwrap_or(0)),
    })
}

/// An engine over `stores` with a manual clock at [`now`].
pub fn engine(stores: &Stores) -> Commerce {
    let clock = Arc::new(ManualClock::default());
    clock.set(now());
    let payments = Arc::new(MemoryPayments::new("whsec_reviews", clock.clone()));
    Commerce::new(stores.clone(), payments, clock, Config::default())
}

fn summary(stars: &[i64]) -> RatingSummary {
    RatingSummary::of(stars.iter().map(|&s| Rating::new(s).unwrap()))
}

async fn create(stores: &Stores, store: &Store, item: Item, n: u128, stars: i64) -> Review {
    let (review, events) = review_of(item, store, n, stars);
    stores
        .reviews
        .create_review(review.clone(), events)
        .await
        .expect("review stored");
    review
}

/// Stores `change` applied to the stored copy of `id`.
async fn change(stores: &Stores, id: ReviewId, change: impl FnOnce(&mut Review) -> EventRecord) {
    let before = stores.reviews.review(id).await.unwrap().expect("stored");
    let mut after = before.clone();
    let event = change(&mut after);
    stores
        .reviews
        .update_review(after.into_update(&before, vec![event]))
        .await
        .expect("updated");
}

async fn setup(stores: &Stores) -> (Store, Item, Item) {
    let (store, mug, tee) = two_shops();
    install(&store, stores, 100, now()).await;
    (store, mug, tee)
}

/// Moves a placed order through `path`, one stored update.
pub async fn advance(stores: &Stores, order: &Order, path: &[OrderStatus]) -> Order {
    let mut after = order.clone();
    let mut stock = StockEffect::None;
    for &to in path {
        after
            .transition(to, Actor::System, "conformance", now())
            .expect("legal transition");
        match to {
            OrderStatus::Paid => stock = StockEffect::Commit,
            OrderStatus::Cancelled => stock = StockEffect::Release,
            _ => {}
        }
    }
    let effects = Effects {
        stock,
        ..Effects::default()
    };
    stores
        .orders
        .update_order(after.into_update(order, effects))
        .await
        .expect("order advanced")
}

/// The path from pending payment to delivered.
pub const TO_DELIVERED: [OrderStatus; 3] = [
    OrderStatus::Paid,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
];

/// A review and its product's aggregates and `review.created` event are stored together.
pub async fn creating_stores_review_aggregates_and_event_together(stores: Stores) {
    let (store, mug, tee) = setup(&stores).await;
    let first = create(&stores, &store, mug, 1, 4).await;
    create(&stores, &store, mug, 2, 4).await;
    let (third, events) = review_of(mug, &store, 3, 5);
    let after = stores
        .reviews
        .create_review(third.clone(), events)
        .await
        .unwrap();
    assert_eq!(after, summary(&[4, 4, 5]));
    let stored = stores.reviews.rating_summary(mug.product).await.unwrap();
    assert_eq!(stored.histogram, [0, 0, 0, 2, 1]);
    assert_eq!(stored.count(), 3);
    assert_eq!(stored.average(), Decimal::new(43, 1), "4, 4, 5 average 4.3");
    assert_eq!(
        stores.reviews.rating_summary(tee.product).await.unwrap(),
        RatingSummary::default()
    );
    assert_eq!(stores.reviews.review(first.id).await.unwrap(), Some(first));
    assert_eq!(
        stores
            .reviews
            .review_by_author(mug.product, customer(3))
            .await
            .unwrap(),
        Some(third.clone())
    );
    let created: Vec<_> = outbox_records(&stores)
        .await
        .into_iter()
        .filter(|r| r.event.name() == "review.created")
        .collect();
    assert_eq!(created.len(), 3);
    assert!(matches!(
        created[2].event,
        commerce_core::events::DomainEvent::ReviewCreated { review, rating, .. }
            if review == third.id && rating.stars() == 5
    ));
}

/// A second review by one customer of one product is a `Conflict`, even under a new id;
/// the aggregates, the first review and the outbox stay as they were.
pub async fn a_second_review_by_the_same_customer_is_a_conflict_and_changes_nothing(
    stores: Stores,
) {
    let (store, mug, tee) = setup(&stores).await;
    let first = create(&stores, &store, mug, 1, 4).await;
    let before = outbox_records(&stores).await.len();
    let (mut again, events) = review_of(mug, &store, 1, 1);
    again.id = ReviewId::from_u128(77);
    let error = stores
        .reviews
        .create_review(again, events)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    // The same id again (for another customer) is refused too.
    let (mut same_id, events) = review_of(mug, &store, 2, 1);
    same_id.id = first.id;
    let error = stores
        .reviews
        .create_review(same_id, events)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(
        stores.reviews.rating_summary(mug.product).await.unwrap(),
        summary(&[4])
    );
    assert_eq!(
        stores
            .reviews
            .review_by_author(mug.product, customer(1))
            .await
            .unwrap(),
        Some(first)
    );
    assert!(
        stores
            .reviews
            .review_by_author(mug.product, customer(2))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(outbox_records(&stores).await.len(), before);
    // The same customer may review another product.
    let (mut other, events) = review_of(tee, &store, 1, 2);
    other.id = ReviewId::from_u128(78);
    stores.reviews.create_review(other, events).await.unwrap();
    assert_eq!(
        stores.reviews.rating_summary(tee.product).await.unwrap(),
        summary(&[2])
    );
}

/// Sixteen concurrent first reviews by one customer of one product: exactly one stored.
pub async fn concurrent_reviews_by_one_customer_store_exactly_one(stores: Stores) {
    let (store, mug, _) = setup(&stores).await;
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for k in 0..16u128 {
        let (mut review, events) = review_of(mug, &store, 1, 5);
        review.id = ReviewId::from_u128(50_000 + k);
        let (stores, barrier) = (stores.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            stores.reviews.create_review(review, events).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(
        stores.reviews.rating_summary(mug.product).await.unwrap(),
        summary(&[5])
    );
}

/// Sixteen customers reviewing one product at once: every review counts once.
pub async fn concurrent_reviews_by_many_customers_all_count(stores: Stores) {
    let (store, mug, _) = setup(&stores).await;
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for n in 1..=16u128 {
        let stars = i64::try_from(n % 5).unwrap() + 1;
        let (review, events) = review_of(mug, &store, n, stars);
        let (stores, barrier) = (stores.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            stores.reviews.create_review(review, events).await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("every review stored");
    }
    let stars: Vec<i64> = (1..=16).map(|n| n % 5 + 1).collect();
    let stored = stores.reviews.rating_summary(mug.product).await.unwrap();
    assert_eq!(stored, summary(&stars));
    assert_eq!(stored.histogram, [3, 4, 3, 3, 3]);
    assert_eq!(
        stored.average(),
        Decimal::new(29, 1),
        "47 / 16 = 2.94 → 2.9"
    );
}

/// Through the engine: a rating of 0 or 6 is `InvalidInput` on `rating`, stores no review
/// and leaves the aggregates and the outbox as they were.
pub async fn ratings_of_0_and_6_are_invalid_input_and_change_nothing(stores: Stores) {
    let (_, mug, _) = setup(&stores).await;
    let shop = engine(&stores);
    let ada = Principal::Customer(customer(1));
    shop.write_review(
        Principal::Customer(customer(2)),
        mug.product,
        &ReviewInput::stars(3),
    )
    .await
    .unwrap();
    let before = outbox_records(&stores).await.len();
    for stars in [0, 6, -1, 50] {
        let error = shop
            .write_review(ada, mug.product, &ReviewInput::stars(stars))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "rating" });
    }
    assert_eq!(
        stores.reviews.rating_summary(mug.product).await.unwrap(),
        summary(&[3])
    );
    assert!(
        stores
            .reviews
            .review_by_author(mug.product, customer(1))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(outbox_records(&stores).await.len(), before);
    // A refused edit changes nothing either.
    let mine = shop
        .write_review(ada, mug.product, &ReviewInput::stars(5))
        .await
        .unwrap();
    let error = shop
        .edit_review(ada, mine.id, &ReviewInput::stars(0))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "rating" });
    assert_eq!(
        stores.reviews.rating_summary(mug.product).await.unwrap(),
        summary(&[3, 5])
    );
    assert_eq!(stores.reviews.review(mine.id).await.unwrap(), Some(mine));
}

/// Edit, delete, hide and restore each update the aggregates in the same step; hidden
/// reviews do not count.
pub async fn aggregates_follow_edit_delete_hide_and_restore(stores: Stores) {
    let (store, mug, _) = setup(&stores).await;
    let a = create(&stores, &store, mug, 1, 4).await;
    let b = create(&stores, &store, mug, 2, 4).await;
    let c = create(&stores, &store, mug, 3, 5).await;
    let current = || async { stores.reviews.rating_summary(mug.product).await.unwrap() };
    assert_eq!(current().await.average(), Decimal::new(43, 1));

    change(&stores, a.id, |r| {
        r.edit(Rating::new(1).unwrap(), ReviewText::default(), now())
    })
    .await;
    assert_eq!(current().await, summary(&[1, 4, 5]));
    assert_eq!(current().await.average(), Decimal::new(33, 1));

    change(&stores, c.id, |r| r.hide(now()).unwrap()).await;
    assert_eq!(current().await, summary(&[1, 4]));
    assert_eq!(current().await.average(), Decimal::new(25, 1));

    change(&stores, c.id, |r| r.restore(now()).unwrap()).await;
    assert_eq!(current().await, summary(&[1, 4, 5]));

    let stored_b = stores.reviews.review(b.id).await.unwrap().unwrap();
    stores
        .reviews
        .delete_review(b.id, stored_b.version, vec![stored_b.deleted_event(now())])
        .await
        .unwrap();
    assert_eq!(current().await, summary(&[1, 5]));
    assert_eq!(current().await.average(), Decimal::new(30, 1));
    assert!(stores.reviews.review(b.id).await.unwrap().is_none());

    // Hiding everything leaves an empty summary; the author may write again after a
    // delete.
    change(&stores, a.id, |r| r.hide(now()).unwrap()).await;
    change(&stores, c.id, |r| r.hide(now()).unwrap()).await;
    assert_eq!(current().await, RatingSummary::default());
    assert_eq!(current().await.average(), Decimal::ZERO);
    create(&stores, &store, mug, 2, 2).await;
    assert_eq!(current().await, summary(&[2]));
    let records = outbox_records(&stores).await;
    let count = |name: &str| records.iter().filter(|r| r.event.name() == name).count();
    assert_eq!(
        (
            count("review.created"),
            count("review.updated"),
            count("review.deleted")
        ),
        (4, 5, 1)
    );
}

/// An update computed from an old version is a `Conflict` and changes nothing.
pub async fn a_stale_review_update_is_a_conflict_and_changes_nothing(stores: Stores) {
    let (store, mug, _) = setup(&stores).await;
    let review = create(&stores, &store, mug, 1, 4).await;
    change(&stores, review.id, |r| {
        r.edit(Rating::new(5).unwrap(), ReviewText::default(), now())
    })
    .await;
    let before = outbox_records(&stores).await.len();
    let mut stale = review.clone();
    let event = stale.edit(Rating::new(1).unwrap(), ReviewText::default(), now());
    let error = stores
        .reviews
        .update_review(stale.into_update(&review, vec![event]))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    let stored = stores.reviews.review(review.id).await.unwrap().unwrap();
    assert_eq!((stored.rating.stars(), stored.version), (5, 2));
    assert_eq!(
        stores.reviews.rating_summary(mug.product).await.unwrap(),
        summary(&[5])
    );
    assert_eq!(outbox_records(&stores).await.len(), before);
    // An unknown review is not found.
    let (ghost, _) = review_of(mug, &store, 9, 3);
    let error = stores
        .reviews
        .update_review(ghost.clone().into_update(&ghost, Vec::new()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

/// An update may not change a review's product or author.
pub async fn a_review_cannot_move_to_another_product_or_author(stores: Stores) {
    let (store, mug, tee) = setup(&stores).await;
    let review = create(&stores, &store, mug, 1, 4).await;
    let mut moved = review.clone();
    moved.product = tee.product;
    let error = stores
        .reviews
        .update_review(moved.into_update(&review, Vec::new()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    let mut stolen = review.clone();
    stolen.customer = customer(5);
    let error = stores
        .reviews
        .update_review(stolen.into_update(&review, Vec::new()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(
        stores.reviews.review(review.id).await.unwrap(),
        Some(review)
    );
    assert_eq!(
        stores.reviews.rating_summary(tee.product).await.unwrap(),
        RatingSummary::default()
    );
}

/// Deleting an unknown review is `NotFound`, a stale one `Conflict`; neither changes
/// anything.
pub async fn deleting_unknown_or_stale_reviews_changes_nothing(stores: Stores) {
    let (store, mug, _) = setup(&stores).await;
    let review = create(&stores, &store, mug, 1, 4).await;
    let before = outbox_records(&stores).await.len();
    let error = stores
        .reviews
        .delete_review(ReviewId::from_u128(1), 1, vec![review.deleted_event(now())])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let error = stores
        .reviews
        .delete_review(review.id, 7, vec![review.deleted_event(now())])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(
        stores.reviews.review(review.id).await.unwrap(),
        Some(review)
    );
    assert_eq!(
        stores.reviews.rating_summary(mug.product).await.unwrap(),
        summary(&[4])
    );
    assert_eq!(outbox_records(&stores).await.len(), before);
}

/// A product's visible reviews come newest first, a bounded page at a time; hidden ones
/// and other products' are left out.
pub async fn listing_shows_visible_reviews_newest_first_in_bounded_pages(stores: Stores) {
    let (store, mug, tee) = setup(&stores).await;
    for n in 1..=7 {
        create(&stores, &store, mug, n, 3).await;
    }
    create(&stores, &store, tee, 8, 3).await;
    change(&stores, ReviewId::from_u128(9000 + 6), |r| {
        r.hide(now()).unwrap()
    })
    .await;
    let ids = |reviews: Vec<Review>| -> Vec<u128> {
        reviews
            .iter()
            .map(|r| r.id.as_uuid().as_u128() - 9000)
            .collect()
    };
    let page = |page, per_page| {
        let stores = stores.clone();
        async move {
            stores
                .reviews
                .product_reviews(mug.product, ReviewPage::new(page, per_page))
                .await
                .unwrap()
        }
    };
    assert_eq!(ids(page(1, 4).await), [7, 5, 4, 3]);
    assert_eq!(ids(page(2, 4).await), [2, 1]);
    assert!(page(3, 4).await.is_empty());
    assert_eq!(ids(page(0, 0).await), [7], "page 0 is 1, size 0 is 1");
    assert_eq!(page(1, 10_000).await.len(), 6, "size clamped, all fit");
    // Equal times are ordered by id, descending.
    let (mut twin, events) = review_of(tee, &store, 9, 4);
    twin.created_at = now() + Duration::minutes(8);
    stores.reviews.create_review(twin, events).await.unwrap();
    let listed = stores
        .reviews
        .product_reviews(tee.product, ReviewPage::default())
        .await
        .unwrap();
    assert_eq!(ids(listed), [9, 8]);
}

/// `has_received` is true only once one of the customer's orders holding the product is
/// delivered (or completed).
pub async fn verified_purchase_needs_a_delivered_order_with_the_product(stores: Stores) {
    let (mut store, mug, tee) = setup(&stores).await;
    let ada = customer(1);
    let placed = stores
        .orders
        .place_order(place(&mut store, ada, &[(mug, 1)], "rv-1", 1, now()))
        .await
        .unwrap()
        .order;
    let received = || async { stores.reviews.has_received(ada, mug.product).await.unwrap() };
    assert!(!received().await, "pending payment");
    let paid = advance(&stores, &placed, &[OrderStatus::Paid]).await;
    assert!(!received().await, "paid, not delivered");
    let shipped = advance(&stores, &paid, &[OrderStatus::Shipped]).await;
    assert!(!received().await, "shipped, not delivered");
    advance(&stores, &shipped, &[OrderStatus::Delivered]).await;
    assert!(received().await, "delivered");
    assert!(!stores.reviews.has_received(ada, tee.product).await.unwrap());
    assert!(
        !stores
            .reviews
            .has_received(customer(2), mug.product)
            .await
            .unwrap()
    );
    // A cancelled order never verifies.
    let bob = customer(2);
    let cancelled = stores
        .orders
        .place_order(place(&mut store, bob, &[(tee, 1)], "rv-2", 2, now()))
        .await
        .unwrap()
        .order;
    advance(&stores, &cancelled, &[OrderStatus::Cancelled]).await;
    assert!(!stores.reviews.has_received(bob, tee.product).await.unwrap());
    // Through the engine, the review records it.
    let shop = engine(&stores);
    let verified = shop
        .write_review(
            Principal::Customer(ada),
            mug.product,
            &ReviewInput::stars(5),
        )
        .await
        .unwrap();
    assert!(verified.verified_purchase);
    let unverified = shop
        .write_review(
            Principal::Customer(bob),
            tee.product,
            &ReviewInput::stars(2),
        )
        .await
        .unwrap();
    assert!(!unverified.verified_purchase);
    let stored = stores.reviews.review(verified.id).await.unwrap().unwrap();
    assert!(stored.verified_purchase);
    // Once Bob's next order of the T-shirt is delivered, editing his review verifies it.
    let second = stores
        .orders
        .place_order(place(&mut store, bob, &[(tee, 1)], "rv-3", 3, now()))
        .await
        .unwrap()
        .order;
    advance(&stores, &second, &TO_DELIVERED).await;
    let edited = shop
        .edit_review(
            Principal::Customer(bob),
            unverified.id,
            &ReviewInput::stars(4),
        )
        .await
        .unwrap();
    assert!(edited.verified_purchase);
    assert!(
        stores
            .reviews
            .review(unverified.id)
            .await
            .unwrap()
            .unwrap()
            .verified_purchase
    );
}

/// Through the engine: the product's seller replies once; a second reply is a `Conflict`
/// and leaves the first; replies change no aggregate.
pub async fn the_seller_replies_once(stores: Stores) {
    let (_, _, tee) = setup(&stores).await;
    let shop = engine(&stores);
    let review = shop
        .write_review(
            Principal::Customer(customer(1)),
            tee.product,
            &ReviewInput::stars(2),
        )
        .await
        .unwrap();
    let seller = Principal::Seller(SECOND_SELLER);
    let replied = shop
        .reply_to_review(seller, review.id, "  Sorry to hear that!  ")
        .await
        .unwrap();
    let reply = replied.reply.clone().expect("reply stored");
    assert_eq!(reply.text, "Sorry to hear that!");
    assert_eq!(reply.seller, SECOND_SELLER);
    let error = shop
        .reply_to_review(seller, review.id, "Second thoughts")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    let stored = stores.reviews.review(review.id).await.unwrap().unwrap();
    assert_eq!(stored.reply, Some(reply));
    assert_eq!(
        stores.reviews.rating_summary(tee.product).await.unwrap(),
        summary(&[2])
    );
}

/// Two replies computed from one version: the store lets exactly one win.
pub async fn concurrent_replies_from_one_version_let_exactly_one_win(stores: Stores) {
    let (store, mug, _) = setup(&stores).await;
    let review = create(&stores, &store, mug, 1, 3).await;
    let barrier = Arc::new(Barrier::new(8));
    let mut tasks = Vec::new();
    for k in 0..8 {
        let mut after = review.clone();
        let event = after
            .reply(SellerId::from_u128(1), &format!("reply {k}"), now())
            .unwrap();
        let update = after.into_update(&review, vec![event]);
        let (stores, barrier) = (stores.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            stores.reviews.update_review(update).await
        }));
    }
    let mut won = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(stored) => won.push(stored),
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
        }
    }
    assert_eq!(won.len(), 1);
    let stored = stores.reviews.review(review.id).await.unwrap().unwrap();
    assert_eq!(stored, won[0]);
    assert_eq!(stored.version, 2);
}

/// `rating_summaries` lists every product with a visible review, by product id.
pub async fn rating_summaries_list_products_with_visible_reviews(stores: Stores) {
    let (store, mug, tee) = setup(&stores).await;
    assert!(stores.reviews.rating_summaries().await.unwrap().is_empty());
    create(&stores, &store, tee, 1, 5).await;
    create(&stores, &store, mug, 2, 1).await;
    create(&stores, &store, mug, 3, 2).await;
    let hidden = create(&stores, &store, tee, 4, 1).await;
    change(&stores, hidden.id, |r| r.hide(now()).unwrap()).await;
    let mut expected = vec![
        (mug.product, summary(&[1, 2])),
        (tee.product, summary(&[5])),
    ];
    expected.sort_by_key(|(p, _)| *p);
    assert_eq!(stores.reviews.rating_summaries().await.unwrap(), expected);
    let only: ProductId = tee.product;
    change(&stores, ReviewId::from_u128(9001), |r| {
        r.hide(now()).unwrap()
    })
    .await;
    let listed = stores.reviews.rating_summaries().await.unwrap();
    assert!(listed.iter().all(|(p, _)| *p != only), "{listed:?}");
}
