//! The `commerce-testkit` search conformance cases on `TantivySearch`, in RAM and in a
//! directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod in_memory {
    use std::sync::Arc;

    use commerce_core::ports::SearchIndex;
    use commerce_search::TantivySearch;

    async fn fresh() -> Arc<dyn SearchIndex> {
        Arc::new(TantivySearch::in_memory().expect("an index in RAM"))
    }

    commerce_testkit::search_conformance!(fresh);
}
