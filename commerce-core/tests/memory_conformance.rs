//! The conformance kit against the in-memory adapters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

async fn fresh() -> commerce_core::ports::Stores {
    commerce_core::memory::stores()
}

commerce_testkit::conformance_suite!(fresh);
