//! Money: ISO 4217 currencies, exact amounts, rounding and allocation.
//!
//! Amounts are `rust_decimal::Decimal`, never floats. Minor units (`i64`) appear only at
//! the edges, converted exactly or refused.

mod allocation;
mod amount;
mod currency;
mod rounding;

pub(crate) use allocation::Allocator;
pub use allocation::allocate;
pub use amount::Money;
pub use currency::Currency;
pub use rounding::RoundingMode;
