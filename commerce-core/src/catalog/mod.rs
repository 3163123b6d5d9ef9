//! The catalog: shops, a category tree, products with variants, and a [`Catalog`] that
//! holds them consistently.

mod category;
pub(crate) mod names;
mod product;
mod shop;
mod snapshot;

pub use category::{Category, CategoryTree};
pub use names::{Sku, Slug};
pub use product::{Media, NewProduct, Product, ProductStatus, Variant, Weight};
pub use shop::Shop;
pub use snapshot::Catalog;
