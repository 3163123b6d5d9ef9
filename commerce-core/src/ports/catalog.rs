//! The catalog storage port.

use async_trait::async_trait;

use crate::catalog::{Catalog, Category, Product, Shop, Sku, Slug};
use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{ProductId, SellerId, ShopId, VariantId};

/// Stores shops, categories and products.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Inserts a shop. `Conflict` if the seller already owns a shop or the id or slug is
    /// taken; nothing is written then.
    async fn create_shop(&self, shop: Shop, events: Vec<EventRecord>) -> Result<(), Error>;

    /// A shop by id.
    async fn shop(&self, id: ShopId) -> Result<Option<Shop>, Error>;

    /// The shop a seller owns.
    async fn shop_of_seller(&self, seller: SellerId) -> Result<Option<Shop>, Error>;

    /// Inserts or replaces a category. `NotFound` if its parent does not exist;
    /// `Conflict` if it would move an existing category (categories never move).
    async fn save_category(&self, category: Category) -> Result<(), Error>;

    /// Inserts or replaces a product. `NotFound` if its shop or category does not exist;
    /// `Conflict` if its slug or one of its SKUs belongs to another product.
    async fn save_product(&self, product: Product, events: Vec<EventRecord>) -> Result<(), Error>;

    /// A product by id.
    async fn product(&self, id: ProductId) -> Result<Option<Product>, Error>;

    /// A product by slug.
    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>, Error>;

    /// The product with a variant whose SKU is `sku` (SKUs are unique across products).
    async fn product_by_sku(&self, sku: &Sku) -> Result<Option<Product>, Error>;

    /// Removes a product. `NotFound` if absent.
    async fn delete_product(&self, id: ProductId, events: Vec<EventRecord>) -> Result<(), Error>;

    /// A consistent snapshot of everything (for search rebuilds and catalog listings;
    /// carts and checkout use [`CatalogStore::catalog_for`]).
    async fn catalog(&self) -> Result<Catalog, Error>;

    /// A consistent catalog holding every shop, the whole category tree and only the
    /// products named in `products` or owning one of `variants` (unknown ids are
    /// skipped): what pricing a cart needs, without loading every product.
    async fn catalog_for(
        &self,
        products: &[ProductId],
        variants: &[VariantId],
    ) -> Result<Catalog, Error>;
}
