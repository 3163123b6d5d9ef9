//! Shopper input is never a syntax: any string gives results or an empty page, never a
//! panic or an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::OnceLock;

use commerce_core::Currency;
use commerce_core::ports::SearchIndex;
use commerce_core::search::{SearchQuery, SortOrder, Suggest};
use commerce_search::TantivySearch;
use common::{DocExt, doc};
use proptest::prelude::*;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("a runtime")
    })
}

fn index() -> &'static TantivySearch {
    static INDEX: OnceLock<TantivySearch> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = TantivySearch::in_memory().expect("an index");
        let docs = vec![
            doc(1, "Blue enamel mug", "12")
                .brand("Acme")
                .description("title:x AND (y OR z)"),
            doc(2, "Émoji 🙂 lamp", "30").sku("LAMP-01"),
            doc(3, "\"Quoted\" keyboard*", "99").rated("4.5", 3),
        ];
        runtime().block_on(index.upsert(docs)).expect("indexed");
        index
    })
}

/// Strings a shopper (or an attacker) might type.
fn shopper_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,64}",
        "[\"*?~^:()\\[\\]{}+\\-!&|\\\\/ a-z0-9]{0,40}",
        Just("title:mug AND NOT (blue OR \"red".to_owned()),
        Just("\u{0}\u{1}\u{7f}\u{202e}\u{feff}".to_owned()),
        Just("🙂🙃 mug 😀".to_owned()),
        Just("a".repeat(10_000)),
        Just("mug ".repeat(2_500)),
        Just("\"".repeat(1_001)),
        Just("mug~2 lamp^10 key* ?eyboard /re.ex/".to_owned()),
    ]
}

fn sort() -> impl Strategy<Value = SortOrder> {
    prop_oneof![
        Just(SortOrder::Relevance),
        Just(SortOrder::PriceAscending),
        Just(SortOrder::PriceDescending),
        Just(SortOrder::Newest),
        Just(SortOrder::Rating),
        Just(SortOrder::BestSelling),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn search_never_fails(
        text in shopper_text(),
        brand in shopper_text(),
        sort in sort(),
        page in any::<u32>(),
        per_page in any::<u32>(),
    ) {
        let mut query = SearchQuery::new(text, Currency::EUR).with_facets();
        query.sort = sort;
        query.page = page;
        query.per_page = per_page;
        query.filters.brands = vec![brand];
        let results = runtime().block_on(index().search(&query));
        let results = results.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(results.hits.len() <= query.page_size() as usize);
        prop_assert!(results.hits.len() as u64 <= results.total);
    }

    #[test]
    fn suggest_never_fails(prefix in shopper_text(), limit in any::<u32>()) {
        let suggestions = runtime().block_on(index().suggest(&Suggest::new(prefix, limit)));
        let suggestions = suggestions.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(suggestions.products.len() <= 20);
    }
}

#[test]
fn long_and_hostile_inputs_are_plain_text() {
    let rt = runtime();
    let find = |text: &str| {
        rt.block_on(index().search(&SearchQuery::new(text, Currency::EUR)))
            .expect("results")
            .total
    };
    assert_eq!(
        find("title:x"),
        1,
        "`title:x` is two words, found in a description"
    );
    assert_eq!(find("\"quoted"), 1);
    assert_eq!(find("keyboard*"), 1);
    assert_eq!(find("🙂"), 3, "no words: everything");
    assert_eq!(find(&"x".repeat(10_000)), 0);
    assert_eq!(find(&"mug ".repeat(2_500)), 1);
}

#[test]
fn hostile_documents_index_and_answer() {
    let rt = runtime();
    let index = TantivySearch::in_memory().expect("an index");
    let huge = "Ω".repeat(100_000);
    let category = commerce_core::CategoryId::from_u128(9);
    let docs = vec![
        doc(1, &huge, "1")
            .brand(&huge)
            .in_categories(&[(category, huge.as_str())])
            .sku(&huge),
        doc(2, "\u{0}\u{1f}\u{202e} 🙂", "-5")
            .brand("")
            .description(&"word ".repeat(20_000)),
        doc(3, "Plain mug", "79228162514264337593543950335")
            .rated("-3", 0)
            .sold(u64::MAX),
    ];
    rt.block_on(index.upsert(docs.clone())).expect("indexed");
    for doc in &docs {
        let stored = rt.block_on(index.document(doc.product)).expect("read");
        assert_eq!(stored.as_ref(), Some(doc));
    }
    let mut query = SearchQuery::new("", Currency::EUR);
    for sort in [
        SortOrder::Relevance,
        SortOrder::PriceAscending,
        SortOrder::BestSelling,
    ] {
        query.sort = sort;
        let results = rt.block_on(index.search(&query)).expect("results");
        assert_eq!(results.total, 3);
    }
    let results = rt
        .block_on(index.search(&SearchQuery::new("word", Currency::EUR)))
        .unwrap();
    assert_eq!(results.total, 1);
    let results = rt
        .block_on(index.search(&SearchQuery::new(&huge, Currency::EUR)))
        .unwrap();
    assert_eq!(
        results.total, 1,
        "a word cut to 40 characters, on both sides"
    );
    let suggestions = rt.block_on(index.suggest(&Suggest::new("ω", 5))).unwrap();
    assert_eq!(suggestions.products.len(), 1);
    assert_eq!(suggestions.categories.len(), 1);
}
