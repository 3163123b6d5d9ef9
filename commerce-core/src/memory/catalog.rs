//! In-memory catalog.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{MemoryOutbox, lock};
use crate::catalog::{Catalog, Category, Product, Shop, Sku, Slug};
use crate::error::{Entity, Error};
use crate::events::EventRecord;
use crate::ids::{ProductId, SellerId, ShopId, VariantId};
use crate::ports::CatalogStore;

/// Shops, categories and products, held as one [`Catalog`] whose own checks (one shop per
/// seller, unique slugs and SKUs, existing shops and categories) are the port's.
///
/// Each change is checked first, then its events are appended (the last step that can
/// fail), then it is applied, all under the catalog's lock: a refused change writes
/// neither the change nor its events.
#[derive(Debug)]
pub struct MemoryCatalog {
    catalog: Mutex<Catalog>,
    outbox: Arc<MemoryOutbox>,
}

impl MemoryCatalog {
    /// An empty catalog; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryCatalog {
            catalog: Mutex::new(Catalog::new()),
            outbox,
        }
    }
}

#[async_trait]
impl CatalogStore for MemoryCatalog {
    async fn create_shop(&self, shop: Shop, events: Vec<EventRecord>) -> Result<(), Error> {
        let mut catalog = lock(&self.catalog)?;
        catalog.check_shop(&shop)?;
        self.outbox.push(events)?;
        catalog.add_shop(shop)
    }

    async fn shop(&self, id: ShopId) -> Result<Option<Shop>, Error> {
        Ok(lock(&self.catalog)?.shop(id).cloned())
    }

    async fn shop_of_seller(&self, seller: SellerId) -> Result<Option<Shop>, Error> {
        Ok(lock(&self.catalog)?
            .shops()
            .find(|s| s.seller == seller)
            .cloned())
    }

    async fn save_category(&self, category: Category) -> Result<(), Error> {
        lock(&self.catalog)?.categories_mut().upsert(category)
    }

    async fn save_product(&self, product: Product, events: Vec<EventRecord>) -> Result<(), Error> {
        let mut catalog = lock(&self.catalog)?;
        catalog.check_product(&product)?;
        self.outbox.push(events)?;
        catalog.upsert_product(product)
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>, Error> {
        Ok(lock(&self.catalog)?.product(id).cloned())
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>, Error> {
        Ok(lock(&self.catalog)?.by_slug(slug).cloned())
    }

    async fn product_by_sku(&self, sku: &Sku) -> Result<Option<Product>, Error> {
        Ok(lock(&self.catalog)?.by_sku(sku).map(|(p, _)| p.clone()))
    }

    async fn delete_product(&self, id: ProductId, events: Vec<EventRecord>) -> Result<(), Error> {
        let mut catalog = lock(&self.catalog)?;
        if catalog.product(id).is_none() {
            return Err(Error::not_found(Entity::Product, id));
        }
        self.outbox.push(events)?;
        catalog.remove_product(id).map(|_| ())
    }

    async fn catalog(&self) -> Result<Catalog, Error> {
        Ok(lock(&self.catalog)?.clone())
    }

    async fn catalog_for(
        &self,
        products: &[ProductId],
        variants: &[VariantId],
    ) -> Result<Catalog, Error> {
        Ok(lock(&self.catalog)?.subset(products, variants))
    }
}
