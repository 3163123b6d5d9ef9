//! Quantities and the bounds a store sets on carts.

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A number of units: at least one. Zero and negative quantities cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    /// Accepts 1 ..= `u32::MAX`; the store's per-line maximum is checked by the cart.
    pub fn new(n: i64) -> Result<Self, Error> {
        if n < 1 {
            return Err(Error::invalid("quantity", "must be at least 1"));
        }
        u32::try_from(n)
            .map(Quantity)
            .map_err(|_| Error::invalid("quantity", "is too large"))
    }

    /// The number of units.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = Error;
    fn try_from(n: i64) -> Result<Self, Error> {
        Quantity::new(n)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

/// Bounds a store puts on carts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLimits {
    /// The most units of one variant in a cart.
    pub max_line_quantity: u32,
    /// The most distinct lines in a cart.
    pub max_lines: usize,
}

impl Default for CartLimits {
    /// 99 units a line, 250 lines.
    fn default() -> Self {
        CartLimits {
            max_line_quantity: 99,
            max_lines: 250,
        }
    }
}
