//! In-memory catalog. (Skeleton: filled in by the catalog work.)

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{MemoryOutbox, lock};
use crate::catalog::{Catalog, Category, Product, Shop, Slug};
use crate::error::Error;
use crate::events::EventRecord;
use crate::ids::{ProductId, SellerId, ShopId};
use crate::ports::CatalogStore;

/// Shops, categories and products, held as one [`Catalog`].
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
        lock(&self.catalog)?.add_shop(shop)?;
        self.outbox.push(events)
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
        lock(&self.catalog)?.categories_mut().insert(category)
    }

    async fn save_product(&self, product: Product, events: Vec<EventRecord>) -> Result<(), Error> {
        let mut catalog = lock(&self.catalog)?;
        catalog.upsert_product(product)?;
        self.outbox.push(events)
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>, Error> {
        Ok(lock(&self.catalog)?.product(id).cloned())
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>, Error> {
        Ok(lock(&self.catalog)?.by_slug(slug).cloned())
    }

    async fn delete_product(&self, id: ProductId, _events: Vec<EventRecord>) -> Result<(), Error> {
        Err(Error::Unavailable(format!("deleting {id}: not built yet")))
    }

    async fn catalog(&self) -> Result<Catalog, Error> {
        Ok(lock(&self.catalog)?.clone())
    }
}
