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

mod on_disk {
    use std::sync::Arc;

    use async_trait::async_trait;
    use commerce_core::search::{SearchDocument, SearchQuery, SearchResults, Suggest, Suggestions};
    use commerce_core::{Error, ProductId, ports::SearchIndex};
    use commerce_search::TantivySearch;
    use tempfile::TempDir;

    /// An index in a temporary directory, removed after the index is dropped.
    struct OnDisk {
        index: TantivySearch,
        _dir: TempDir,
    }

    #[async_trait]
    impl SearchIndex for OnDisk {
        async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), Error> {
            self.index.upsert(documents).await
        }
        async fn remove(&self, products: &[ProductId]) -> Result<(), Error> {
            self.index.remove(products).await
        }
        async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), Error> {
            self.index.replace_all(documents).await
        }
        async fn document(&self, product: ProductId) -> Result<Option<SearchDocument>, Error> {
            self.index.document(product).await
        }
        async fn search(&self, query: &SearchQuery) -> Result<SearchResults, Error> {
            self.index.search(query).await
        }
        async fn suggest(&self, request: &Suggest) -> Result<Suggestions, Error> {
            self.index.suggest(request).await
        }
    }

    async fn fresh() -> Arc<dyn SearchIndex> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let index = TantivySearch::open(dir.path().join("index")).expect("an index on disk");
        Arc::new(OnDisk { index, _dir: dir })
    }

    commerce_testkit::search_conformance!(fresh);
}
