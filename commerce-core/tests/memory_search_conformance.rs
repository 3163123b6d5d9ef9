//! The search conformance kit against the in-memory index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use commerce_core::memory::MemorySearch;
use commerce_core::ports::SearchIndex;

async fn fresh() -> Arc<dyn SearchIndex> {
    Arc::new(MemorySearch::new())
}

commerce_testkit::search_conformance!(fresh);
