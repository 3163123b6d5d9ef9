//! Reviews through the engine on the in-memory adapters: who may write, edit, delete,
//! moderate and reply; the search index's rating following the aggregates; similar
//! products answered from a search index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use commerce_core::catalog::ProductStatus;
use commerce_core::identity::Principal;
use commerce_core::memory::{Memory, MemorySearch};
use commerce_core::ports::Subscriber;
use commerce_core::review::{MAX_TITLE_CHARS, RatingSummary, Review, ReviewPage};
use commerce_core::search::{SearchQuery, SearchRating, SortOrder};
use commerce_core::{
    AdminId, Commerce, Currency, CustomerId, ErrorKind, ProductId, ReviewInput, SellerId,
};
use commerce_testkit::conformance::recommendations::{kitchen, sell_out};
use commerce_testkit::fixtures::{Item, now};
use commerce_testkit::orders::{SECOND_SELLER, install, two_shops};
use rust_decimal::Decimal;

const ADMIN: Principal = Principal::Admin(AdminId::from_u128(1));
const FIRST_SELLER: Principal = Principal::Seller(SellerId::from_u128(1));
const OTHER_SELLER: Principal = Principal::Seller(SECOND_SELLER);
const ALICE: Principal = Principal::Customer(CustomerId::from_u128(20));
const BOB: Principal = Principal::Customer(CustomerId::from_u128(21));

struct World {
    memory: Memory,
    engine: Commerce,
    index: Arc<MemorySearch>,
    mug: Item,
    tee: Item,
}

/// The two-shop fixture (mug: first shop, seller 1; T-shirt: second shop, seller 2) in
/// memory, with an in-memory search index.
async fn world() -> World {
    let memory = Memory::new();
    memory.clock.set(now());
    let (store, mug, tee) = two_shops();
    install(&store, &memory.stores, 10, now()).await;
    let index = Arc::new(MemorySearch::new());
    let engine = memory.commerce().with_search(index.clone());
    World {
        memory,
        engine,
        index,
        mug,
        tee,
    }
}

impl World {
    async fn summary(&self, item: Item) -> RatingSummary {
        self.engine.rating_summary(item.product).await.unwrap()
    }

    async fn stored(&self, review: &Review) -> Review {
        self.memory
            .stores
            .reviews
            .review(review.id)
            .await
            .unwrap()
            .unwrap()
    }

    async fn publish(&self, indexer: &Arc<dyn Subscriber>) {
        self.engine
            .publish_events(std::slice::from_ref(indexer), 1_000)
            .await
            .unwrap();
    }
}

fn forbidden<T: std::fmt::Debug>(result: Result<T, commerce_core::Error>) {
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Forbidden);
}

#[tokio::test]
async fn only_signed_in_customers_write_reviews() {
    let w = world().await;
    let five = ReviewInput::stars(5);
    for actor in [Principal::Guest, FIRST_SELLER, ADMIN] {
        forbidden(w.engine.write_review(actor, w.mug.product, &five).await);
    }
    assert_eq!(w.summary(w.mug).await, RatingSummary::default());
    let error = w
        .engine
        .write_review(ALICE, ProductId::from_u128(404), &five)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    // A draft is invisible to shoppers: not found.
    let mut draft = w
        .memory
        .stores
        .catalog
        .product(w.tee.product)
        .await
        .unwrap()
        .unwrap();
    draft.set_status(ProductStatus::Draft);
    w.memory
        .stores
        .catalog
        .save_product(draft, Vec::new())
        .await
        .unwrap();
    let error = w
        .engine
        .write_review(ALICE, w.tee.product, &five)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let long = ReviewInput {
        rating: 5,
        title: Some("t".repeat(MAX_TITLE_CHARS + 1)),
        text: None,
    };
    let error = w
        .engine
        .write_review(ALICE, w.mug.product, &long)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "title" });
    let review = w
        .engine
        .write_review(ALICE, w.mug.product, &five)
        .await
        .unwrap();
    assert!(!review.verified_purchase, "no delivered order");
    let again = w
        .engine
        .write_review(ALICE, w.mug.product, &ReviewInput::stars(1))
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
    assert_eq!(w.summary(w.mug).await.histogram, [0, 0, 0, 0, 1]);
}

#[tokio::test]
async fn a_customer_cannot_edit_or_delete_another_customers_review() {
    let w = world().await;
    let review = w
        .engine
        .write_review(ALICE, w.mug.product, &ReviewInput::stars(4))
        .await
        .unwrap();
    let one = ReviewInput::stars(1);
    for actor in [BOB, ADMIN, FIRST_SELLER, Principal::Guest] {
        forbidden(w.engine.edit_review(actor, review.id, &one).await);
        forbidden(w.engine.delete_review(actor, review.id).await);
    }
    assert_eq!(w.stored(&review).await, review);
    assert_eq!(w.summary(w.mug).await.histogram, [0, 0, 0, 1, 0]);

    let edited = w
        .engine
        .edit_review(
            ALICE,
            review.id,
            &ReviewInput {
                rating: 2,
                title: Some("Chipped".into()),
                text: Some("Arrived chipped.".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.rating.stars(), 2);
    assert_eq!(edited.text.title(), Some("Chipped"));
    assert_eq!(edited.version, 2);
    assert_eq!(w.summary(w.mug).await.histogram, [0, 1, 0, 0, 0]);
    w.engine.delete_review(ALICE, review.id).await.unwrap();
    assert_eq!(w.summary(w.mug).await, RatingSummary::default());
    let error = w.engine.delete_review(ALICE, review.id).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn only_admins_moderate_reviews() {
    let w = world().await;
    let review = w
        .engine
        .write_review(ALICE, w.mug.product, &ReviewInput::stars(5))
        .await
        .unwrap();
    w.engine
        .write_review(BOB, w.mug.product, &ReviewInput::stars(2))
        .await
        .unwrap();
    for actor in [ALICE, BOB, FIRST_SELLER, OTHER_SELLER, Principal::Guest] {
        forbidden(w.engine.hide_review(actor, review.id).await);
    }
    assert_eq!(w.stored(&review).await, review);
    assert_eq!(w.summary(w.mug).await.average(), Decimal::new(35, 1));

    let hidden = w.engine.hide_review(ADMIN, review.id).await.unwrap();
    assert!(!hidden.is_visible());
    assert_eq!(w.summary(w.mug).await.average(), Decimal::new(20, 1));
    let listed = w
        .engine
        .product_reviews(w.mug.product, ReviewPage::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "hidden reviews are not listed");
    let twice = w.engine.hide_review(ADMIN, review.id).await.unwrap_err();
    assert_eq!(twice.kind(), ErrorKind::Conflict);
    for actor in [ALICE, FIRST_SELLER] {
        forbidden(w.engine.restore_review(actor, review.id).await);
    }
    w.engine.restore_review(ADMIN, review.id).await.unwrap();
    assert_eq!(w.summary(w.mug).await.average(), Decimal::new(35, 1));
}

#[tokio::test]
async fn a_seller_cannot_reply_on_another_shops_product() {
    let w = world().await;
    let review = w
        .engine
        .write_review(ALICE, w.mug.product, &ReviewInput::stars(3))
        .await
        .unwrap();
    for actor in [OTHER_SELLER, ADMIN, ALICE, Principal::Guest] {
        forbidden(w.engine.reply_to_review(actor, review.id, "Thanks!").await);
    }
    assert_eq!(w.stored(&review).await.reply, None);
    let error = w
        .engine
        .reply_to_review(FIRST_SELLER, review.id, "   ")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput { field: "reply" });
    let replied = w
        .engine
        .reply_to_review(FIRST_SELLER, review.id, "Thanks!")
        .await
        .unwrap();
    assert_eq!(replied.reply.unwrap().text, "Thanks!");
    // The other shop's seller replies on their own product.
    let tee_review = w
        .engine
        .write_review(ALICE, w.tee.product, &ReviewInput::stars(4))
        .await
        .unwrap();
    forbidden(
        w.engine
            .reply_to_review(FIRST_SELLER, tee_review.id, "Not mine")
            .await,
    );
    w.engine
        .reply_to_review(OTHER_SELLER, tee_review.id, "Glad you like it")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_search_rating_follows_the_aggregates() {
    let w = world().await;
    assert_eq!(w.engine.rebuild_search_index(ADMIN).await.unwrap(), 2);
    let indexer = w.engine.search_indexer();
    w.publish(&indexer).await;
    let rating = |w: &World| {
        let index = w.index.clone();
        let product = w.mug.product;
        async move {
            use commerce_core::ports::SearchIndex;
            index.document(product).await.unwrap().unwrap().rating
        }
    };
    let a = w
        .engine
        .write_review(ALICE, w.mug.product, &ReviewInput::stars(4))
        .await
        .unwrap();
    let carol = Principal::Customer(CustomerId::from_u128(22));
    w.engine
        .write_review(BOB, w.mug.product, &ReviewInput::stars(4))
        .await
        .unwrap();
    let c = w
        .engine
        .write_review(carol, w.mug.product, &ReviewInput::stars(5))
        .await
        .unwrap();
    w.publish(&indexer).await;
    let expected = |tenths: i64, count: u32| SearchRating {
        average: Decimal::new(tenths, 1),
        count,
    };
    assert_eq!(rating(&w).await, expected(43, 3));

    // Rating filters and sorts see it.
    let mut query = SearchQuery::new("", Currency::USD);
    query.filters.min_rating = Some(Decimal::new(4, 0));
    query.sort = SortOrder::Rating;
    let found: Vec<ProductId> = w
        .engine
        .search(&query)
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.product)
        .collect();
    assert_eq!(found, [w.mug.product]);

    w.engine.hide_review(ADMIN, c.id).await.unwrap();
    w.publish(&indexer).await;
    assert_eq!(rating(&w).await, expected(40, 2));
    w.engine
        .edit_review(ALICE, a.id, &ReviewInput::stars(1))
        .await
        .unwrap();
    w.publish(&indexer).await;
    assert_eq!(rating(&w).await, expected(25, 2));
    w.engine.restore_review(ADMIN, c.id).await.unwrap();
    w.engine.delete_review(ALICE, a.id).await.unwrap();
    w.publish(&indexer).await;
    assert_eq!(rating(&w).await, expected(45, 2));

    // A rebuild reads the aggregates too.
    let fresh = Arc::new(MemorySearch::new());
    let rebuilt = w.memory.commerce().with_search(fresh.clone());
    rebuilt.rebuild_search_index(ADMIN).await.unwrap();
    use commerce_core::ports::SearchIndex;
    let doc = fresh.document(w.mug.product).await.unwrap().unwrap();
    assert_eq!(doc.rating, expected(45, 2));
    let unrated = fresh.document(w.tee.product).await.unwrap().unwrap();
    assert_eq!(unrated.rating, SearchRating::default());
}

#[tokio::test]
async fn similar_products_come_from_the_search_index_when_there_is_one() {
    let memory = Memory::new();
    let (store, items) = kitchen(&memory.stores).await;
    let index = Arc::new(MemorySearch::new());
    let engine = memory.commerce().with_search(index.clone());
    engine.rebuild_search_index(ADMIN).await.unwrap();
    let order = |similar: Vec<commerce_core::recommend::Similar>| -> Vec<ProductId> {
        similar.iter().map(|s| s.product).collect()
    };
    let from_index = order(engine.similar_products(items[0].product, 10).await.unwrap());
    let from_catalog = order(
        memory
            .commerce()
            .similar_products(items[0].product, 10)
            .await
            .unwrap(),
    );
    assert_eq!(
        from_index,
        [
            items[2].product,
            items[1].product,
            items[5].product,
            items[3].product
        ]
    );
    assert_eq!(from_index, from_catalog);
    // The index still says "in stock"; the engine checks the stores before answering.
    use commerce_core::ports::SearchIndex;
    sell_out(&memory.stores, &store, items[2]).await;
    let after = order(engine.similar_products(items[0].product, 10).await.unwrap());
    assert_eq!(
        after,
        [items[1].product, items[5].product, items[3].product]
    );
    // "More like this" finds candidates the category and brand pages miss: a stale
    // document that lost its category in the index is still found by its words, and
    // the catalog (which has the category) keeps it similar.
    let mut stale = index.document(items[1].product).await.unwrap().unwrap();
    stale.categories.clear();
    stale.category_names.clear();
    index.upsert(vec![stale]).await.unwrap();
    let mut by_category = SearchQuery::new("", Currency::USD);
    by_category.filters.category = store.catalog.product(items[0].product).unwrap().category();
    let listed: Vec<ProductId> = engine
        .search(&by_category)
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.product)
        .collect();
    assert!(!listed.contains(&items[1].product));
    let after = order(engine.similar_products(items[0].product, 10).await.unwrap());
    assert_eq!(
        after,
        [items[1].product, items[5].product, items[3].product]
    );
    // Removing a product from the index removes it from the candidates.
    index.remove(&[items[5].product]).await.unwrap();
    let after = order(engine.similar_products(items[0].product, 10).await.unwrap());
    assert_eq!(after, [items[1].product, items[3].product]);
}
