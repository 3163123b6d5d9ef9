//! Human-friendly order numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// An order number a customer can read out on the phone: `CR-` and at least six digits
/// (`CR-001042`), from a storage sequence, so unique by construction.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderNumber(String);

impl OrderNumber {
    /// The number for the `n`th order.
    pub fn from_sequence(n: u64) -> Self {
        OrderNumber(format!("CR-{n:06}"))
    }

    /// Parses a number as typed (case-insensitive, surrounding spaces ignored).
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let upper = raw.trim().to_ascii_uppercase();
        let digits = upper.strip_prefix("CR-").unwrap_or("");
        if digits.len() < 6 || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("order_number", "expected CR- and digits"));
        }
        Ok(OrderNumber(upper))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
