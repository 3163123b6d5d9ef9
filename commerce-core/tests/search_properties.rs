//! Shopper text is never a syntax: arbitrary strings fed to the in-memory index's search
//! and suggest return results (never a panic, never an error), and the results keep
//! their invariants.

// Test helpers outside #[test] functions may unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use commerce_core::Currency;
use commerce_core::memory::MemorySearch;
use commerce_core::ports::SearchIndex;
use commerce_core::search::{MAX_PAGE_SIZE, MAX_SUGGESTIONS, SearchQuery, SortOrder, Suggest};
use commerce_testkit::conformance::search::fixture;
use proptest::prelude::*;
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
}

fn loaded(runtime: &Runtime) -> MemorySearch {
    let index = MemorySearch::new();
    runtime
        .block_on(index.upsert(fixture()))
        .expect("index the fixture");
    index
}

/// Any string, weighted towards the characters query languages care about and words
/// the fixture holds.
fn shopper_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<String>(),
        2 => prop::sample::select(vec![
            "\"", "(", ")", ":", "*", "?", "~", "^", "AND", "OR", "NOT", "-", "+", "\\", "[",
            "TO", "]", "{", "}", "/", "iphone", "galaxy", "enamel mug", "iph", "📱", "\u{0}",
            "\u{202e}", " ", "İ", "ß",
        ])
        .prop_map(str::to_owned),
        1 => "\\PC{0,40}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn sort() -> impl Strategy<Value = SortOrder> {
    prop::sample::select(vec![
        SortOrder::Relevance,
        SortOrder::PriceAscending,
        SortOrder::PriceDescending,
        SortOrder::Newest,
        SortOrder::Rating,
        SortOrder::BestSelling,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_searches_without_error(
        text in shopper_text(),
        sort in sort(),
        page in prop_oneof![0_u32..4, any::<u32>()],
        per_page in prop_oneof![0_u32..30, any::<u32>()],
        brand in shopper_text(),
    ) {
        let runtime = runtime();
        let index = loaded(&runtime);
        let mut query = SearchQuery::new(text, Currency::EUR).with_facets();
        query.sort = sort;
        query.page = page;
        query.per_page = per_page;
        let results = runtime.block_on(index.search(&query));
        let results = results.map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(results.hits.len() <= MAX_PAGE_SIZE as usize);
        prop_assert!(u64::try_from(results.hits.len()).unwrap() <= results.total);
        prop_assert!(results.total <= 30);
        prop_assert_eq!(results.page, page.max(1));
        prop_assert_eq!(results.per_page, per_page.clamp(1, MAX_PAGE_SIZE));
        prop_assert_eq!(results.facets.as_ref().map(|f| f.ratings.len()), Some(4));

        query.filters.brands = vec![brand];
        let filtered = runtime.block_on(index.search(&query));
        let filtered = filtered.map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(filtered.total <= results.total);
    }

    #[test]
    fn any_prefix_suggests_without_error(prefix in shopper_text(), limit in any::<u32>()) {
        let runtime = runtime();
        let index = loaded(&runtime);
        let suggestions = runtime.block_on(index.suggest(&Suggest::new(prefix, limit)));
        let suggestions = suggestions.map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let most = limit.clamp(1, MAX_SUGGESTIONS) as usize;
        prop_assert!(suggestions.products.len() <= most);
        prop_assert!(suggestions.categories.len() <= most);
        prop_assert!(suggestions.brands.len() <= most);
    }
}
