//! Facet counts and totals under any mix of filters agree with the in-memory index (the
//! reference implementation of the port) on a generated catalog: whichever filters are
//! checked in the query and whichever in the collector, each facet counts the products
//! that pass every filter but its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use commerce_core::memory::MemorySearch;
use commerce_core::ports::SearchIndex;
use commerce_core::search::{PriceRange, SearchFilters, SearchQuery, SortOrder};
use commerce_core::{Currency, ShopId};
use commerce_search::TantivySearch;
use commerce_testkit::products;
use proptest::prelude::*;
use rust_decimal::Decimal;

const SEED: u64 = 11;
const SIZE: u64 = 400;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// Both indexes over the same catalog; a tenth of it deleted again, so segments carry
/// deleted documents.
fn indexes() -> &'static (TantivySearch, MemorySearch, Vec<ShopId>) {
    static INDEXES: OnceLock<(TantivySearch, MemorySearch, Vec<ShopId>)> = OnceLock::new();
    INDEXES.get_or_init(|| {
        runtime().block_on(async {
            let docs: Vec<_> = products::products(SEED, SIZE).collect();
            let tantivy = TantivySearch::in_memory().unwrap();
            let memory = MemorySearch::new();
            for chunk in docs.chunks(100) {
                tantivy.upsert(chunk.to_vec()).await.unwrap();
                memory.upsert(chunk.to_vec()).await.unwrap();
            }
            let gone: Vec<_> = docs.iter().step_by(10).map(|d| d.product).collect();
            tantivy.remove(&gone).await.unwrap();
            memory.remove(&gone).await.unwrap();
            let mut shops: Vec<ShopId> = docs.iter().map(|d| d.shop).collect();
            shops.sort();
            shops.dedup();
            (tantivy, memory, shops)
        })
    })
}

fn dollars(n: u32) -> Decimal {
    Decimal::from(n)
}

fn filters() -> impl Strategy<Value = SearchFilters> {
    (
        proptest::option::of((0usize..6, 0usize..4, any::<bool>())),
        proptest::collection::vec(0usize..40, 0..3),
        proptest::option::of((
            proptest::option::of(0u32..300),
            proptest::option::of(0u32..600),
        )),
        proptest::option::of(0u32..=50),
        any::<bool>(),
        proptest::option::of(0usize..8),
    )
        .prop_map(|(category, brands, price, rating, in_stock_only, shop)| {
            let shops = &indexes().2;
            SearchFilters {
                category: category.map(|(department, aisle, whole)| {
                    products::category_of(department, aisle)[usize::from(whole)].0
                }),
                brands: brands.into_iter().map(products::brand).collect(),
                price: price.map(|(min, max)| PriceRange {
                    min: min.map(dollars),
                    max: max.map(dollars),
                }),
                min_rating: rating.map(|tenths| Decimal::new(i64::from(tenths), 1)),
                in_stock_only,
                shop: shop.and_then(|n| shops.get(n % shops.len().max(1)).copied()),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn facets_and_totals_match_the_in_memory_index(
        filters in filters(),
        text in prop_oneof![Just(""), Just("lamp"), Just("wireless"), Just("kettle")],
    ) {
        let (tantivy, memory, _) = indexes();
        let mut query = SearchQuery::new(text, Currency::USD);
        query.filters = filters;
        query.facets = true;
        query.sort = SortOrder::PriceAscending;
        let (ours, reference) = runtime().block_on(async {
            (tantivy.search(&query).await.unwrap(), memory.search(&query).await.unwrap())
        });
        prop_assert_eq!(ours.total, reference.total);
        prop_assert_eq!(&ours.facets, &reference.facets);
        let ids = |page: &commerce_core::search::SearchResults| {
            page.hits.iter().map(|h| h.product).collect::<Vec<_>>()
        };
        prop_assert_eq!(ids(&ours), ids(&reference));
    }
}
