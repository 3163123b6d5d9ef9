//! # commerce-testkit
//!
//! Test support for commerce-rs, written once against the core's types:
//!
//! - [`fixtures`]: a small [`fixtures::Store`] builder that sets up a catalog, a price
//!   book, promotions, tax and shipping in a few readable lines;
//! - [`generate`]: deterministic generators of realistic carts and promotion sets, for
//!   benchmarks and load tests.
//!
//! - [`orders`]: a two-shop store, orders built as checkout builds them, and seeding
//!   any adapter's stores with a fixture store;
//! - [`hostile`]: property-test strategies for what an attacker sends (signature
//!   headers);
//! - [`conformance`]: every storage port's contract as tests, run by every adapter with
//!   [`conformance_suite!`]; the search index port's contract with
//!   [`search_conformance!`].
//!
//! Fixture builders and conformance cases panic on failure: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod conformance;
pub mod fixtures;
pub mod generate;
pub mod hostile;
pub mod notify;
pub mod orders;
pub mod products;
