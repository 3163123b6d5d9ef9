//! # commerce-core
//!
//! The pure domain of commerce-rs: money, catalog, pricing (price lists, promotions, tax,
//! shipping) and carts. No I/O, no SQL, no HTTP and no async runtime: every function here
//! is a plain computation over the values it is given, with time and ids passed in.
//!
//! Start with [`pricing::price_cart`], which turns a [`cart::Cart`] into a
//! [`pricing::PricedCart`] with every adjustment itemised.

pub mod cart;
pub mod catalog;
mod error;
mod ids;
pub mod money;
pub mod pricing;

pub use error::{Entity, Error, ErrorKind};
pub use ids::{
    CartId, CategoryId, CustomerId, PriceListId, ProductId, PromotionId, SellerId,
    ShippingMethodId, ShopId, VariantId,
};
pub use money::{Currency, Money, RoundingMode};
