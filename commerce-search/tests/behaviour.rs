//! `TantivySearch` behaviour: text matching, ranking, filters, facets, sorts, pages,
//! writes and autosuggest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use commerce_core::ports::SearchIndex;
use commerce_core::search::{
    Facets, MAX_PAGE_SIZE, PriceBucket, PriceRange, SearchDocument, SearchQuery, SearchResults,
    SortOrder, Suggest,
};
use commerce_core::{CategoryId, Currency, ErrorKind, ProductId};
use commerce_search::TantivySearch;
use common::{DocExt, OTHER_SHOP, dec, doc};

async fn index_with(docs: Vec<SearchDocument>) -> TantivySearch {
    let index = TantivySearch::in_memory().expect("an index");
    index.upsert(docs).await.expect("indexed");
    index
}

fn query(text: &str) -> SearchQuery {
    SearchQuery::new(text, Currency::EUR).with_facets()
}

fn facets_of(results: &SearchResults) -> &Facets {
    results.facets.as_ref().expect("facets were asked for")
}

async fn names(index: &TantivySearch, query: &SearchQuery) -> Vec<String> {
    let results = index.search(query).await.expect("results");
    results.hits.into_iter().map(|h| h.name).collect()
}

const HOME: CategoryId = CategoryId::from_u128(100);
const KITCHEN: CategoryId = CategoryId::from_u128(101);
const LIGHTING: CategoryId = CategoryId::from_u128(102);

fn catalog() -> Vec<SearchDocument> {
    vec![
        doc(1, "Blue enamel mug", "12.00")
            .brand("Acme")
            .in_categories(&[(KITCHEN, "Kitchen"), (HOME, "Home")])
            .sku("MUG-BLU-01")
            .rated("4.5", 10)
            .sold(50)
            .created(3),
        doc(2, "Mug, blue stripes", "8.00")
            .brand("acme")
            .in_categories(&[(KITCHEN, "Kitchen"), (HOME, "Home")])
            .rated("3.0", 2)
            .sold(5)
            .created(5),
        doc(3, "Desk lamp", "45.00")
            .brand("Lumen")
            .in_categories(&[(LIGHTING, "Lighting"), (HOME, "Home")])
            .description("A lamp with a blue shade")
            .rated("4.0", 7)
            .sold(20)
            .created(1)
            .out_of_stock(),
        doc(4, "Keyboard", "120.00")
            .brand("Typewell")
            .rated("2.5", 3)
            .sold(80)
            .created(9)
            .shop(OTHER_SHOP),
        doc(5, "Lamb wool scarf", "600.00")
            .brand("Woolly")
            .created(2)
            .unpriced_in(Currency::EUR)
            .price(Currency::USD, "650.00"),
    ]
}

#[tokio::test]
async fn typos_within_the_budget_still_find_the_product() {
    let index = index_with(catalog()).await;
    assert_eq!(names(&index, &query("enamle")).await, ["Blue enamel mug"]);
    assert_eq!(names(&index, &query("keybaord")).await, ["Keyboard"]);
    assert_eq!(names(&index, &query("kyeboadr")).await, ["Keyboard"]); // two edits at 8
    assert!(names(&index, &query("kyebaodr")).await.is_empty()); // three
    assert!(
        names(&index, &query("mig")).await.is_empty(),
        "no typos under 4 chars"
    );
}

#[tokio::test]
async fn every_order_ends_on_the_product_id() {
    // Written in reverse id order, over several commits (segments).
    let index = TantivySearch::in_memory().unwrap();
    for n in (1..=6).rev() {
        index.upsert(vec![doc(n, "Same mug", "5")]).await.unwrap();
    }
    for sort in [
        SortOrder::Relevance,
        SortOrder::PriceAscending,
        SortOrder::Newest,
    ] {
        let mut q = query("mug");
        q.sort = sort;
        q.per_page = 4;
        let mut got = Vec::new();
        for page in 1..=2 {
            q.page = page;
            got.extend(
                index
                    .search(&q)
                    .await
                    .unwrap()
                    .hits
                    .iter()
                    .map(|h| h.product),
            );
        }
        assert_eq!(
            got,
            (1..=6).map(ProductId::from_u128).collect::<Vec<_>>(),
            "{sort:?}"
        );
    }
}

#[tokio::test]
async fn every_word_must_match_somewhere() {
    let index = index_with(catalog()).await;
    let mut found = names(&index, &query("blue mug")).await;
    found.sort();
    assert_eq!(found, ["Blue enamel mug", "Mug, blue stripes"]);
    assert_eq!(
        names(&index, &query("acme enamel")).await,
        ["Blue enamel mug"]
    );
    assert_eq!(names(&index, &query("lighting")).await, ["Desk lamp"]);
    assert_eq!(
        names(&index, &query("mug-blu-01")).await,
        ["Blue enamel mug"]
    );
    assert!(names(&index, &query("blue keyboard")).await.is_empty());
}

#[tokio::test]
async fn phrases_match_words_in_order_and_exactly() {
    let index = index_with(catalog()).await;
    assert_eq!(
        names(&index, &query("\"blue enamel\"")).await,
        ["Blue enamel mug"]
    );
    assert!(names(&index, &query("\"enamel blue\"")).await.is_empty());
    assert!(
        names(&index, &query("\"enamle\"")).await.is_empty(),
        "no typos in phrases"
    );
    assert_eq!(
        names(&index, &query("\"stripes")).await,
        ["Mug, blue stripes"]
    );
}

#[tokio::test]
async fn name_outranks_description_and_exact_outranks_typo() {
    let index = index_with(catalog()).await;
    // "blue" is in names 1 and 2, and in 3's description only.
    let found = names(&index, &query("blue")).await;
    assert_eq!(found.last().map(String::as_str), Some("Desk lamp"));
    // "lamp" is exact in the lamp, one edit from "lamb".
    assert_eq!(
        names(&index, &query("lamp")).await,
        ["Desk lamp", "Lamb wool scarf"]
    );
}

#[tokio::test]
async fn a_word_scores_its_best_field_not_the_sum_of_fields() {
    let lamps = CategoryId::from_u128(7);
    let index = index_with(vec![
        doc(1, "Reading lamp", "10"),
        doc(2, "Shade", "10")
            .brand("Lamp & Co")
            .in_categories(&[(lamps, "Lamp parts")])
            .sku("LAMP-9")
            .description("lamp lamp lamp lamp")
            .rated("5.0", 100)
            .sold(1_000),
    ])
    .await;
    assert_eq!(
        names(&index, &query("lamp")).await,
        ["Reading lamp", "Shade"]
    );
}

#[tokio::test]
async fn equal_relevance_goes_to_the_better_rated_then_the_better_selling() {
    let index = index_with(vec![
        doc(1, "Teapot", "10").rated("3.0", 5).sold(900),
        doc(2, "Teapot", "10").rated("4.0", 5).sold(1),
        doc(3, "Teapot", "10").rated("4.0", 5).sold(7),
    ])
    .await;
    let results = index.search(&query("teapot")).await.unwrap();
    let order: Vec<ProductId> = results.hits.iter().map(|h| h.product).collect();
    assert_eq!(
        order,
        [3, 2, 1].map(ProductId::from_u128),
        "rating first, then sales"
    );
    // Empty text: everything, same tie-break.
    let all = index.search(&query("")).await.unwrap();
    assert_eq!(all.hits[0].product, ProductId::from_u128(3));
}

#[tokio::test]
async fn filters_exclude_what_they_should() {
    let index = index_with(catalog()).await;
    let mut q = query("");
    q.filters.category = Some(HOME);
    let mut found = names(&index, &q).await;
    found.sort();
    assert_eq!(found, ["Blue enamel mug", "Desk lamp", "Mug, blue stripes"]);

    let mut q = query("");
    q.filters.brands = vec!["ACME".into(), "lumen".into()];
    assert_eq!(
        index.search(&q).await.unwrap().total,
        3,
        "brands are case-insensitive"
    );

    let mut q = query("");
    q.filters.price = Some(PriceRange {
        min: Some(dec("8.00")),
        max: Some(dec("45")),
    });
    let mut found = names(&index, &q).await;
    found.sort();
    assert_eq!(
        found,
        ["Blue enamel mug", "Desk lamp", "Mug, blue stripes"],
        "both ends inclusive"
    );

    let mut q = query("");
    q.filters.price = Some(PriceRange::default());
    assert_eq!(
        index.search(&q).await.unwrap().total,
        4,
        "unpriced in EUR is excluded"
    );

    let mut q = query("");
    q.filters.min_rating = Some(dec("4"));
    assert_eq!(index.search(&q).await.unwrap().total, 2);

    let mut q = query("");
    q.filters.in_stock_only = true;
    assert!(!names(&index, &q).await.contains(&"Desk lamp".to_owned()));

    let mut q = query("");
    q.filters.shop = Some(OTHER_SHOP);
    assert_eq!(names(&index, &q).await, ["Keyboard"]);

    let mut q = query("");
    q.filters.price = Some(PriceRange {
        min: Some(dec("50")),
        max: Some(dec("10")),
    });
    assert_eq!(index.search(&q).await.unwrap().total, 0, "an empty range");
}

#[tokio::test]
async fn facets_count_under_the_other_filters() {
    let index = index_with(catalog()).await;
    let all = index.search(&query("")).await.unwrap();
    assert_eq!(all.total, 5);
    let home = facets_of(&all)
        .categories
        .iter()
        .find(|c| c.category == HOME)
        .unwrap();
    assert_eq!((home.name.as_str(), home.count), ("Home", 3));
    assert_eq!(facets_of(&all).categories[0].category, HOME, "most first");
    let brands: Vec<(&str, u64)> = facets_of(&all)
        .brands
        .iter()
        .map(|b| (b.value.as_str(), b.count))
        .collect();
    assert_eq!(
        brands,
        [
            ("Acme", 1),
            ("Lumen", 1),
            ("Typewell", 1),
            ("Woolly", 1),
            ("acme", 1)
        ]
    );
    let prices: Vec<u64> = facets_of(&all).prices.iter().map(|p| p.count).collect();
    assert_eq!(
        prices,
        [1, 1, 1, 0, 1, 0, 0],
        "12, 8 | 45 | 120; the scarf is not in EUR"
    );
    assert_eq!(facets_of(&all).prices[0].bucket, PriceBucket::all()[0]);
    let ratings: Vec<(u8, u64)> = facets_of(&all)
        .ratings
        .iter()
        .map(|r| (r.at_least, r.count))
        .collect();
    assert_eq!(ratings, [(4, 2), (3, 3), (2, 4), (1, 4)]);

    // Choosing a brand keeps the other brands' counts, and narrows the other facets.
    let mut q = query("");
    q.filters.brands = vec!["lumen".into()];
    let lumen = index.search(&q).await.unwrap();
    assert_eq!(lumen.total, 1);
    assert_eq!(facets_of(&lumen).brands.len(), 5);
    assert_eq!(
        facets_of(&lumen).categories.len(),
        2,
        "only the lamp's categories"
    );
    assert_eq!(
        facets_of(&lumen)
            .prices
            .iter()
            .map(|p| p.count)
            .sum::<u64>(),
        1
    );

    // A price range narrows categories but not the price buckets.
    let mut q = query("");
    q.filters.price = Some(PriceRange {
        min: None,
        max: Some(dec("20")),
    });
    q.filters.category = Some(LIGHTING);
    let cheap = index.search(&q).await.unwrap();
    assert_eq!(cheap.total, 0);
    let prices: Vec<u64> = facets_of(&cheap).prices.iter().map(|p| p.count).collect();
    assert_eq!(
        prices,
        [0, 0, 1, 0, 0, 0, 0],
        "the lamp, in Lighting, at 45"
    );
    let kitchen = facets_of(&cheap)
        .categories
        .iter()
        .find(|c| c.category == KITCHEN)
        .unwrap();
    assert_eq!(kitchen.count, 2, "the mugs are under 20");
}

#[tokio::test]
async fn sorts_order_by_their_key() {
    let index = index_with(catalog()).await;
    let sorted = |sort| {
        let mut q = query("");
        q.sort = sort;
        q
    };
    let ids = |results: commerce_core::search::SearchResults| -> Vec<u128> {
        results
            .hits
            .iter()
            .map(|h| h.product.as_uuid().as_u128())
            .collect()
    };
    let by = |sort| {
        let index = index.clone();
        async move { ids(index.search(&sorted(sort)).await.unwrap()) }
    };
    assert_eq!(
        by(SortOrder::PriceAscending).await,
        [2, 1, 3, 4, 5],
        "unpriced last"
    );
    assert_eq!(
        by(SortOrder::PriceDescending).await,
        [4, 3, 1, 2, 5],
        "unpriced last"
    );
    assert_eq!(by(SortOrder::Newest).await, [4, 2, 1, 5, 3]);
    assert_eq!(by(SortOrder::Rating).await, [1, 3, 2, 4, 5]);
    assert_eq!(by(SortOrder::BestSelling).await, [4, 1, 3, 2, 5]);

    let mut usd = sorted(SortOrder::PriceAscending);
    usd.currency = Currency::USD;
    let results = index.search(&usd).await.unwrap();
    assert_eq!(results.hits[0].product, ProductId::from_u128(5));
    assert_eq!(
        results.hits[0].price.map(|m| m.amount()),
        Some(dec("650.00"))
    );
    assert_eq!(results.hits[1].price, None);
}

#[tokio::test]
async fn pages_are_bounded_and_total_counts_every_match() {
    let docs = (0..250)
        .map(|n| doc(n, &format!("Widget {n}"), "1"))
        .collect();
    let index = index_with(docs).await;
    let mut q = query("widget");
    q.per_page = 1_000;
    let first = index.search(&q).await.unwrap();
    assert_eq!(first.total, 250);
    assert_eq!(first.per_page, MAX_PAGE_SIZE);
    assert_eq!(first.hits.len(), 100);
    q.page = 3;
    let last = index.search(&q).await.unwrap();
    assert_eq!(last.hits.len(), 50);
    assert_eq!(last.page, 3);
    q.page = u32::MAX;
    let past = index.search(&q).await.unwrap();
    assert!(past.hits.is_empty());
    assert_eq!(past.total, 250);
    // Pages do not overlap.
    q.page = 1;
    q.per_page = 100;
    let mut seen = std::collections::HashSet::new();
    for page in 1..=3 {
        q.page = page;
        for hit in index.search(&q).await.unwrap().hits {
            assert!(seen.insert(hit.product));
        }
    }
    assert_eq!(seen.len(), 250);
}

#[tokio::test]
async fn writes_replace_remove_and_rebuild() {
    let index = index_with(catalog()).await;
    let renamed = doc(3, "Floor lamp", "99.00").rated("4.0", 7);
    index.upsert(vec![renamed.clone()]).await.unwrap();
    assert_eq!(
        index.document(renamed.product).await.unwrap(),
        Some(renamed)
    );
    assert!(names(&index, &query("desk")).await.is_empty());
    assert_eq!(names(&index, &query("floor")).await, ["Floor lamp"]);
    assert_eq!(index.search(&query("")).await.unwrap().total, 5);

    index
        .remove(&[ProductId::from_u128(3), ProductId::from_u128(999)])
        .await
        .unwrap();
    assert!(
        names(&index, &query("lamp"))
            .await
            .iter()
            .all(|n| n != "Floor lamp")
    );
    assert_eq!(index.document(ProductId::from_u128(3)).await.unwrap(), None);

    // The same product twice in one batch: the last one stays.
    index
        .upsert(vec![doc(7, "First", "1"), doc(7, "Second", "1")])
        .await
        .unwrap();
    assert_eq!(names(&index, &query("second")).await, ["Second"]);
    assert!(names(&index, &query("first")).await.is_empty());

    index
        .replace_all(vec![doc(8, "Only one", "1")])
        .await
        .unwrap();
    let all = index.search(&query("")).await.unwrap();
    assert_eq!(all.total, 1);
    assert_eq!(all.hits[0].name, "Only one");
    index.replace_all(Vec::new()).await.unwrap();
    assert_eq!(index.search(&query("")).await.unwrap().total, 0);
}

#[tokio::test]
async fn stored_documents_come_back_exactly() {
    let original = catalog()
        .remove(0)
        .description("Ünïcödé ✓ \u{0} \"quoted\"");
    let index = index_with(vec![original.clone()]).await;
    assert_eq!(
        index.document(original.product).await.unwrap(),
        Some(original)
    );
    assert_eq!(
        index.document(ProductId::from_u128(42)).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn suggest_completes_the_last_word() {
    let phones = CategoryId::from_u128(200);
    let index = index_with(vec![
        doc(1, "iPhone 15 case", "20").sold(10),
        doc(2, "Apple iPhone 15", "900")
            .brand("Apple")
            .sold(99)
            .in_categories(&[(phones, "iPhones & phones")]),
        doc(3, "Ipad stand", "30").brand("iPlay Toys").sold(50),
        doc(4, "Phone charger", "15").sold(500),
    ])
    .await;
    let s = index.suggest(&Suggest::new("iph", 10)).await.unwrap();
    let products: Vec<&str> = s.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        products,
        ["Apple iPhone 15", "iPhone 15 case"],
        "best selling first"
    );
    assert_eq!(s.categories.len(), 1);
    assert_eq!(
        (s.categories[0].name.as_str(), s.categories[0].count),
        ("iPhones & phones", 1)
    );
    assert!(s.brands.is_empty());

    let s = index.suggest(&Suggest::new("IP", 1)).await.unwrap();
    assert_eq!(s.products.len(), 1, "limit");
    assert_eq!(s.products[0].name, "Apple iPhone 15");
    assert_eq!(s.brands, ["iPlay Toys"]);

    let s = index.suggest(&Suggest::new("apple iph", 10)).await.unwrap();
    assert_eq!(s.products.len(), 1, "earlier words must match as words");
    let s = index.suggest(&Suggest::new("appl iph", 10)).await.unwrap();
    assert!(s.products.is_empty());
    let s = index.suggest(&Suggest::new("  ", 10)).await.unwrap();
    assert_eq!(s, Default::default());

    // Removed products' categories and brands are no longer suggested.
    index
        .remove(&[ProductId::from_u128(2), ProductId::from_u128(3)])
        .await
        .unwrap();
    let s = index.suggest(&Suggest::new("ip", 10)).await.unwrap();
    assert!(s.categories.is_empty());
    assert!(s.brands.is_empty());
    assert_eq!(s.products.len(), 1);
}

#[tokio::test]
async fn suggested_products_tie_on_sales_by_product_id() {
    let index = TantivySearch::in_memory().unwrap();
    for doc in [
        doc(3, "Alpha phone", "1").sold(5),
        doc(1, "Zeta phone", "1").sold(5),
        doc(2, "Alpha phone", "1").sold(5),
        doc(4, "Beta phone", "1").sold(9),
    ] {
        index.upsert(vec![doc]).await.unwrap();
    }
    let order = |limit| {
        let index = index.clone();
        async move {
            let s = index.suggest(&Suggest::new("pho", limit)).await.unwrap();
            s.products
                .iter()
                .map(|p| p.product.as_uuid().as_u128())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(order(10).await, [4, 1, 2, 3]);
    assert_eq!(order(2).await, [4, 1]);
}

#[tokio::test]
async fn a_directory_index_persists_and_has_one_writer() {
    let dir = std::env::temp_dir().join(format!("commerce-search-{}", uuid_like()));
    {
        let index = TantivySearch::open(&dir).unwrap();
        index.upsert(catalog()).await.unwrap();
        let second = TantivySearch::open(&dir).unwrap_err();
        assert_eq!(second.kind(), ErrorKind::Unavailable);
    }
    let reopened = TantivySearch::open(&dir).unwrap();
    assert_eq!(reopened.path(), Some(dir.as_path()));
    assert_eq!(
        names(&reopened, &query("enamle")).await,
        ["Blue enamel mug"]
    );
    drop(reopened);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::time::SystemTime::now())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[test]
fn works_without_a_runtime() {
    let index = TantivySearch::in_memory().unwrap();
    let results = futures_lite_block_on(index.search(&query("x")));
    assert_eq!(results.unwrap().total, 0);
}

/// Polls a future that never waits (no runtime needed).
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_readers_see_whole_batches() {
    let index = TantivySearch::in_memory().unwrap();
    let mut tasks = Vec::new();
    for writer in 0..8u128 {
        let writing = index.clone();
        tasks.push(tokio::spawn(async move {
            for batch in 0..5u128 {
                let docs = (0..10u128)
                    .map(|n| doc(1_000 * writer + 10 * batch + n, "Gadget", "1"))
                    .collect();
                writing.upsert(docs).await.unwrap();
            }
        }));
        let reading = index.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                let total = reading.search(&query("gadget")).await.unwrap().total;
                assert_eq!(total % 10, 0, "a batch is visible whole or not at all");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(index.search(&query("gadget")).await.unwrap().total, 400);
}
