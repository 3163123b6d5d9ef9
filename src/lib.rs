//! # commerce
//!
//! An embeddable commerce engine for Rust: catalog, carts, pricing, promotions, tax and
//! shipping today; checkout, orders, inventory, payments and the storage, search, Stripe
//! and SMTP adapters as they land. This crate is the facade: it re-exports the pure
//! domain core ([`commerce_core`]) and, behind cargo features, each adapter, so a host
//! application compiles only the adapters it picks.
//!
//! ```
//! use commerce::{Currency, Money};
//!
//! let price = Money::parse("19.99", Currency::USD)?;
//! assert_eq!(price.to_minor_units()?, 1999);
//! # Ok::<(), commerce::Error>(())
//! ```
//!
//! Features: `postgres` and `sqlite` add `commerce::sql` (the `commerce-sqlx` adapters: every
//! storage port on a database); `search` adds `commerce::search_index` (the `commerce-search`
//! adapter: the search port on tantivy, next to the core's `commerce::search` types);
//! `stripe` adds `commerce::stripe` (the `commerce-stripe` adapter: the payment port on
//! Stripe; needs Rust 1.89); `smtp` adds `commerce::smtp` (the `commerce-smtp` adapter: the e-mail channel of the
//! notification port, on lettre).
//!
//! `cargo run --example quickstart` prices a cart with a coupon, tax and shipping and
//! prints the itemised result a shopper would see.

pub use commerce_core::*;

/// Postgres and SQLite storage for every port (the `commerce-sqlx` crate).
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub use commerce_sqlx as sql;

/// Product search on tantivy (the `commerce-search` crate): `search_index::TantivySearch`
/// implements [`ports::SearchIndex`]; the query and result types are in [`search`].
#[cfg(feature = "search")]
pub use commerce_search as search_index;

/// Stripe payments (the `commerce-stripe` crate): `stripe::StripePayments` implements
/// [`ports::PaymentProvider`] with PaymentIntents, refunds and signed webhooks.
#[cfg(feature = "stripe")]
pub use commerce_stripe as stripe;

/// E-mail notifications over SMTP (the `commerce-smtp` crate): `smtp::SmtpNotifier`
/// implements [`ports::Notifier`] for the e-mail channel, configured from an SMTP URL with
/// `smtp::SmtpConfig`.
#[cfg(feature = "smtp")]
pub use commerce_smtp as smtp;
