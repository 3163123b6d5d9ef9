//! The core's error type: every fallible public function returns [`Error`].

use std::fmt;

use crate::catalog::ProductStatus;
use crate::ids::{ProductId, VariantId};
use crate::money::{Currency, Money};
use crate::pricing::CouponRejection;

/// Everything that can go wrong in the core, with the data a caller needs to explain it.
///
/// Match on the variant for detail, or on [`Error::kind`] for the broad class (for
/// instance to choose an HTTP status or decide whether retrying can help).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller is unacceptable; `field` names it.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The offending field, e.g. `"quantity"`.
        field: &'static str,
        /// Why it was refused, in words a user can read.
        reason: String,
    },
    /// A currency code that is not ISO 4217 or not supported.
    #[error("unknown currency code {code:?}")]
    UnknownCurrency {
        /// The code as given (at most 16 characters of it).
        code: String,
    },
    /// Two amounts or a cart and a price in different currencies met.
    #[error("currency mismatch: expected {expected}, found {found}")]
    CurrencyMismatch {
        /// The currency already in use.
        expected: Currency,
        /// The currency that was offered.
        found: Currency,
    },
    /// An amount has more decimals than its currency's minor units allow.
    #[error("{amount} is finer than the currency's minor units")]
    NotInMinorUnits {
        /// The amount that could not be converted exactly.
        amount: Money,
    },
    /// An amount beyond what the arithmetic can hold.
    #[error("amount out of range")]
    Overflow,
    /// Something the caller referred to does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of thing was looked for.
        entity: Entity,
        /// Its identifier, as text.
        id: String,
    },
    /// The product exists but is not for sale.
    #[error("product {product} is {status}, not active")]
    ProductNotActive {
        /// The product.
        product: ProductId,
        /// Its current status.
        status: ProductStatus,
    },
    /// No price list has a price for the variant in the currency.
    #[error("variant {variant} has no price in {currency}")]
    NoPrice {
        /// The variant.
        variant: VariantId,
        /// The currency asked for.
        currency: Currency,
    },
    /// A coupon code cannot be used.
    #[error("coupon {code:?} {rejection}")]
    Coupon {
        /// The code as the shopper typed it.
        code: String,
        /// Why it is refused.
        rejection: CouponRejection,
    },
    /// The request conflicts with existing data (a duplicate SKU, a second shop).
    #[error("conflict: {0}")]
    Conflict(String),
}

/// The broad class of an [`Error`]: what a caller usually branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input; retrying the same request will fail the same way.
    InvalidInput {
        /// The field at fault.
        field: &'static str,
    },
    /// The thing referred to does not exist.
    NotFound,
    /// The request conflicts with the current state.
    Conflict,
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { field, .. } => ErrorKind::InvalidInput { field },
            Error::UnknownCurrency { .. } | Error::CurrencyMismatch { .. } => {
                ErrorKind::InvalidInput { field: "currency" }
            }
            Error::NotInMinorUnits { .. } | Error::Overflow => {
                ErrorKind::InvalidInput { field: "amount" }
            }
            Error::ProductNotActive { .. } => ErrorKind::InvalidInput { field: "product" },
            Error::Coupon { .. } => ErrorKind::InvalidInput { field: "coupon" },
            Error::NotFound { .. } | Error::NoPrice { .. } => ErrorKind::NotFound,
            Error::Conflict(_) => ErrorKind::Conflict,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(entity: Entity, id: impl fmt::Display) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

/// The kinds of thing a [`Error::NotFound`] can be about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Entity {
    /// A product.
    Product,
    /// A product variant.
    Variant,
    /// A category.
    Category,
    /// A shop.
    Shop,
    /// A cart.
    Cart,
    /// A line of a cart.
    CartLine,
    /// A promotion.
    Promotion,
    /// A shipping method.
    ShippingMethod,
    /// A tax rate for a region and tax category.
    TaxRate,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Product => "product",
            Entity::Variant => "variant",
            Entity::Category => "category",
            Entity::Shop => "shop",
            Entity::Cart => "cart",
            Entity::CartLine => "cart line",
            Entity::Promotion => "promotion",
            Entity::ShippingMethod => "shipping method",
            Entity::TaxRate => "tax rate",
        })
    }
}
