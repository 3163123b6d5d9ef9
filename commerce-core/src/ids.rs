//! Newtype identifiers: an `OrderId` is never a bare `Uuid`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Error;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident => $field:literal;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID chosen by the caller (ID generation is an input, not a side effect).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// A deterministic id from a number: handy for fixtures and tests.
            pub const fn from_u128(n: u128) -> Self {
                Self(Uuid::from_u128(n))
            }

            /// A fresh random (v4) id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| Error::invalid($field, "not a valid id"))
            }
        }
    )+};
}

ids! {
    /// Identifies a product.
    ProductId => "product";
    /// Identifies one variant (SKU) of a product.
    VariantId => "variant";
    /// Identifies a category.
    CategoryId => "category";
    /// Identifies a shop.
    ShopId => "shop";
    /// Identifies a seller (the user who owns a shop).
    SellerId => "seller";
    /// Identifies a customer.
    CustomerId => "customer";
    /// Identifies a cart.
    CartId => "cart";
    /// Identifies a promotion.
    PromotionId => "promotion";
    /// Identifies a price list.
    PriceListId => "price_list";
    /// Identifies a shipping method.
    ShippingMethodId => "shipping_method";
    /// Identifies an account (a customer, seller or admin login).
    AccountId => "account";
    /// Identifies an administrator.
    AdminId => "admin";
    /// Identifies a postal address in a customer's address book.
    AddressId => "address";
    /// Identifies a stock location (a warehouse or store).
    LocationId => "location";
    /// Identifies a stock reservation (an order's reservation shares the order's UUID).
    ReservationId => "reservation";
    /// Identifies an order.
    OrderId => "order";
    /// Identifies one shop's part of an order.
    FulfilmentId => "fulfilment";
    /// Identifies a parcel sent for a fulfilment.
    ShipmentId => "shipment";
    /// Identifies a refund.
    RefundId => "refund";
    /// Identifies a domain event.
    EventId => "event";
    /// Identifies a product review.
    ReviewId => "review";
}
