//! The catalog port on SQL (work in progress).

use super::SqlStore;
use crate::backend::Backend;
use async_trait::async_trait;
use commerce_core::Error;
use commerce_core::catalog::{Catalog, Category, Product, Shop, Slug};
use commerce_core::events::EventRecord;
use commerce_core::ports::CatalogStore;
use commerce_core::{ProductId, SellerId, ShopId, VariantId};

#[async_trait]
impl<DB: Backend> CatalogStore for SqlStore<DB> {
    async fn create_shop(&self, shop: Shop, events: Vec<EventRecord>) -> Result<(), Error> {
        todo!()
    }

    async fn shop(&self, id: ShopId) -> Result<Option<Shop>, Error> {
        todo!()
    }

    async fn shop_of_seller(&self, seller: SellerId) -> Result<Option<Shop>, Error> {
        todo!()
    }

    async fn save_category(&self, category: Category) -> Result<(), Error> {
        todo!()
    }

    async fn save_product(&self, product: Product, events: Vec<EventRecord>) -> Result<(), Error> {
        todo!()
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>, Error> {
        todo!()
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>, Error> {
        todo!()
    }

    async fn delete_product(&self, id: ProductId, events: Vec<EventRecord>) -> Result<(), Error> {
        todo!()
    }

    async fn catalog(&self) -> Result<Catalog, Error> {
        todo!()
    }

    async fn catalog_for(
        &self,
        products: &[ProductId],
        variants: &[VariantId],
    ) -> Result<Catalog, Error> {
        todo!()
    }
}
