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
pub mod events;
pub mod identity;
mod ids;
pub mod inventory;
pub mod memory;
pub mod money;
pub mod notify;
pub mod order;
pub mod payment;
pub mod ports;
pub mod pricing;
pub mod recommend;
pub mod report;
pub mod review;
pub mod search;
mod service;
pub mod shipping;
pub mod text;

pub use error::{Entity, Error, ErrorKind};
pub use ids::{
    AccountId, AddressId, AdminId, CartId, CategoryId, CustomerId, EventId, FulfilmentId,
    LocationId, OrderId, PriceListId, ProductId, PromotionId, RefundId, ReservationId, ReviewId,
    SellerId, ShipmentId, ShippingMethodId, ShopId, VariantId,
};
pub use money::{Currency, Money, RoundingMode};
pub use service::{
    Checkout, CheckoutRequest, Commerce, Config, Delivery, LowStockReport, MAX_TOP_PRODUCTS,
    NotificationSettings, PaymentAttempt, ReportRequest, ReviewInput, ShopOrder,
};
