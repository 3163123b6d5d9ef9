//! Shops: each seller owns exactly one.

use serde::{Deserialize, Serialize};

use super::Slug;
use crate::error::Error;
use crate::ids::{SellerId, ShopId};
use crate::text::{self, MAX_LABEL_CHARS};

/// A seller's shop. [`super::Catalog::add_shop`] keeps it to one shop per seller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shop {
    /// The shop's id.
    pub id: ShopId,
    /// The seller who owns it.
    pub seller: SellerId,
    /// Display name.
    pub name: String,
    /// URL slug.
    pub slug: Slug,
}

impl Shop {
    /// A shop named `name` (one line of at most [`MAX_LABEL_CHARS`] characters, see
    /// [`crate::text`]), with a slug derived from it.
    pub fn new(id: ShopId, seller: SellerId, name: &str) -> Result<Self, Error> {
        let name = text::line("name", name, MAX_LABEL_CHARS)?;
        let slug = Slug::from_name(&name)?;
        Ok(Shop {
            id,
            seller,
            name,
            slug,
        })
    }
}
