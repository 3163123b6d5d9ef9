//! The core's error type: every fallible public function returns [`Error`].

use std::fmt;

use crate::catalog::{ProductStatus, Sku};
use crate::ids::{ProductId, VariantId};
use crate::money::{Currency, Money};
use crate::order::OrderStatus;
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
    /// The request conflicts with existing data (a duplicate SKU, a second shop, an
    /// e-mail already registered) or lost a race with a concurrent change.
    #[error("conflict: {0}")]
    Conflict(String),
    /// No valid session: the token is unknown, expired or revoked, or the credentials are
    /// wrong. Deliberately does not say which.
    #[error("not signed in: {0}")]
    Unauthenticated(&'static str),
    /// The acting principal may not do this.
    #[error("forbidden: {action}")]
    Forbidden {
        /// What was attempted, e.g. `"read order"`.
        action: &'static str,
    },
    /// Not enough stock to reserve.
    #[error("insufficient stock for {sku}: requested {requested}, available {available}")]
    InsufficientStock {
        /// The SKU that ran short.
        sku: Sku,
        /// Units asked for.
        requested: u32,
        /// Units that could be reserved.
        available: i64,
    },
    /// An order cannot move from one state to another.
    #[error("an order cannot go from {from} to {to}")]
    InvalidTransition {
        /// The state it is in.
        from: OrderStatus,
        /// The state that was asked for.
        to: OrderStatus,
    },
    /// The payment method was declined; retrying the same method will not help.
    #[error("payment declined ({code})")]
    PaymentDeclined {
        /// The provider's decline code, e.g. `"insufficient_funds"`.
        code: String,
    },
    /// The payment provider failed; `retryable` says whether trying again may succeed.
    #[error("payment provider failure: {message}")]
    Provider {
        /// Whether the same request may succeed later (timeouts, 429, 5xx).
        retryable: bool,
        /// What went wrong, without the provider's raw response.
        message: String,
    },
    /// A dependency (the database, a lock) is temporarily unavailable; try again.
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
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
    /// The request conflicts with the current state (or lost a race: reload and retry).
    Conflict,
    /// No valid session or wrong credentials.
    Unauthenticated,
    /// The principal may not do this.
    Forbidden,
    /// Not enough stock.
    InsufficientStock,
    /// An order state change the machine does not allow.
    InvalidTransition,
    /// The payment was declined.
    PaymentDeclined,
    /// The payment provider failed in a way retrying will not fix.
    ProviderFailure,
    /// Temporarily unavailable; the same request may succeed later.
    Unavailable,
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
            Error::Unauthenticated(_) => ErrorKind::Unauthenticated,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            Error::InsufficientStock { .. } => ErrorKind::InsufficientStock,
            Error::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            Error::PaymentDeclined { .. } => ErrorKind::PaymentDeclined,
            Error::Provider {
                retryable: true, ..
            }
            | Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Provider { .. } => ErrorKind::ProviderFailure,
        }
    }

    /// An invalid-input error for `field` (adapters use it for values they refuse).
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// Whether the same request may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind(), ErrorKind::Unavailable | ErrorKind::Conflict)
    }

    /// A denial of `action` to the acting principal.
    pub fn forbidden(action: &'static str) -> Self {
        Error::Forbidden { action }
    }

    /// A not-found error for the `entity` with `id`.
    pub fn not_found(entity: Entity, id: impl fmt::Display) -> Self {
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
    /// A price list.
    PriceList,
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
    /// An account.
    Account,
    /// An address.
    Address,
    /// A stock level for a SKU at a location.
    Stock,
    /// A stock reservation.
    Reservation,
    /// An order.
    Order,
    /// A fulfilment of an order.
    Fulfilment,
    /// A shipment.
    Shipment,
    /// A payment.
    Payment,
    /// A notification.
    Notification,
    /// A product review.
    Review,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Product => "product",
            Entity::Variant => "variant",
            Entity::PriceList => "price list",
            Entity::Category => "category",
            Entity::Shop => "shop",
            Entity::Cart => "cart",
            Entity::CartLine => "cart line",
            Entity::Promotion => "promotion",
            Entity::ShippingMethod => "shipping method",
            Entity::TaxRate => "tax rate",
            Entity::Account => "account",
            Entity::Address => "address",
            Entity::Stock => "stock level",
            Entity::Reservation => "reservation",
            Entity::Order => "order",
            Entity::Fulfilment => "fulfilment",
            Entity::Shipment => "shipment",
            Entity::Payment => "payment",
            Entity::Notification => "notification",
            Entity::Review => "review",
        })
    }
}
