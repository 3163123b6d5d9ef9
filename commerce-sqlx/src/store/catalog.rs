//! The catalog port on SQL: shops, categories and products as documents, with the
//! columns their uniqueness rules need, and one `product_variants` row per variant so
//! SKUs and variant ids are unique across products.
//!
//! A save checks what the port names explicitly (missing shop, category or parent:
//! `NotFound`; a slug, SKU or variant id of another product, a moved category: `Conflict`)
//! and the unique constraints back the checks against concurrent saves. Snapshots
//! ([`CatalogStore::catalog`], [`CatalogStore::catalog_for`]) read every table in one
//! read-only snapshot transaction and rebuild a [`Catalog`], categories in insertion
//! order so each parent comes before its children.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use commerce_core::catalog::{Catalog, Category, Product, Shop, Sku, Slug};
use commerce_core::events::EventRecord;
use commerce_core::ports::CatalogStore;
use commerce_core::{Entity, Error, ProductId, SellerId, ShopId, VariantId};
use uuid::Uuid;

use super::SqlStore;
use super::outbox::append_in;
use crate::backend::{Backend, Sql, corrupt};
use crate::error::{DbError, retry};

/// At most this many ids go in one `IN (...)` list, well under both databases' limits on
/// bound parameters.
const IDS_PER_QUERY: usize = 500;

#[async_trait]
impl<DB: Backend> CatalogStore for SqlStore<DB> {
    async fn create_shop(&self, shop: Shop, events: Vec<EventRecord>) -> Result<(), Error> {
        retry(|| self.create_shop_once(&shop, &events)).await
    }

    async fn shop(&self, id: ShopId) -> Result<Option<Shop>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM shops WHERE id = $1").bind(id.as_uuid()))
            .await
    }

    async fn shop_of_seller(&self, seller: SellerId) -> Result<Option<Shop>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM shops WHERE seller_id = $1").bind(seller.as_uuid()))
            .await
    }

    async fn save_category(&self, category: Category) -> Result<(), Error> {
        retry(|| self.save_category_once(&category)).await
    }

    async fn save_product(&self, product: Product, events: Vec<EventRecord>) -> Result<(), Error> {
        retry(|| self.save_product_once(&product, &events)).await
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM products WHERE id = $1").bind(id.as_uuid()))
            .await
    }

    async fn product_by_slug(&self, slug: &Slug) -> Result<Option<Product>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM products WHERE slug = $1").bind(slug.as_str()))
            .await
    }

    async fn product_by_sku(&self, sku: &Sku) -> Result<Option<Product>, Error> {
        self.read_doc(
            Sql::new(
                "SELECT p.doc FROM product_variants v JOIN products p ON p.id = v.product_id \
                 WHERE v.sku = $1",
            )
            .bind(sku.as_str()),
        )
        .await
    }

    async fn delete_product(&self, id: ProductId, events: Vec<EventRecord>) -> Result<(), Error> {
        retry(|| self.delete_product_once(id, &events)).await
    }

    async fn catalog(&self) -> Result<Catalog, Error> {
        retry(|| self.catalog_once()).await
    }

    async fn catalog_for(
        &self,
        products: &[ProductId],
        variants: &[VariantId],
    ) -> Result<Catalog, Error> {
        retry(|| self.catalog_for_once(products, variants)).await
    }
}

impl<DB: Backend> SqlStore<DB> {
    /// Inserts a shop and appends its events; `Conflict` if the seller already owns a
    /// shop or the id or slug is taken.
    async fn create_shop_once(&self, shop: &Shop, events: &[EventRecord]) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let clash = Sql::new(
            "SELECT id, seller_id FROM shops WHERE seller_id = $1 OR slug = $2 OR id = $3",
        )
        .bind(shop.seller.as_uuid())
        .bind(shop.slug.as_str())
        .bind(shop.id.as_uuid());
        if let Some(row) = DB::fetch_optional(&mut tx, clash).await? {
            let message = if DB::uuid(&row, "seller_id")? == shop.seller.as_uuid() {
                format!(
                    "seller {} already owns shop {}",
                    shop.seller,
                    ShopId::from_uuid(DB::uuid(&row, "id")?)
                )
            } else {
                format!("shop id or slug {} is taken", shop.slug)
            };
            return Err(Error::Conflict(message).into());
        }
        let insert =
            Sql::new("INSERT INTO shops (id, seller_id, slug, doc) VALUES ($1, $2, $3, $4)")
                .bind(shop.id.as_uuid())
                .bind(shop.seller.as_uuid())
                .bind(shop.slug.as_str())
                .doc(shop)?;
        DB::execute(&mut tx, insert).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts a category under an existing parent, or renames one in place (its `seq`,
    /// and so its place before its children, kept); moving one is `Conflict`.
    async fn save_category_once(&self, category: &Category) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let stored = Sql::new(format!(
            "SELECT parent_id FROM categories WHERE id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(category.id.as_uuid());
        let parent = category.parent.map(|p| p.as_uuid());
        let write = match DB::fetch_optional(&mut tx, stored).await? {
            Some(row) if DB::opt_uuid(&row, "parent_id")? != parent => {
                return Err(Error::Conflict(format!(
                    "category {} cannot move to another parent",
                    category.id
                ))
                .into());
            }
            Some(_) => Sql::new("UPDATE categories SET doc = $2 WHERE id = $1")
                .bind(category.id.as_uuid())
                .doc(category)?,
            None => {
                if let Some(parent) = category.parent {
                    let exists =
                        Sql::new("SELECT id FROM categories WHERE id = $1").bind(parent.as_uuid());
                    if DB::fetch_optional(&mut tx, exists).await?.is_none() {
                        return Err(Error::not_found(Entity::Category, parent).into());
                    }
                }
                Sql::new("INSERT INTO categories (id, parent_id, doc) VALUES ($1, $2, $3)")
                    .bind(category.id.as_uuid())
                    .bind(parent)
                    .doc(category)?
            }
        };
        DB::execute(&mut tx, write).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts or replaces a product (keeping its `seq`) and replaces its
    /// `product_variants` rows, after the port's checks; appends its events.
    async fn save_product_once(
        &self,
        product: &Product,
        events: &[EventRecord],
    ) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let id = product.id().as_uuid();
        // Lock the stored product, if any, so concurrent saves of it take turns.
        let lock = Sql::new(format!(
            "SELECT id FROM products WHERE id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(id);
        DB::fetch_optional(&mut tx, lock).await?;
        check_product::<DB>(&mut tx, product).await?;

        let upsert = Sql::new(
            "INSERT INTO products (id, shop_id, category_id, slug, doc) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id, \
             category_id = excluded.category_id, slug = excluded.slug, doc = excluded.doc",
        )
        .bind(id)
        .bind(product.shop().as_uuid())
        .bind(product.category().map(|c| c.as_uuid()))
        .bind(product.slug().as_str())
        .doc(product)?;
        DB::execute(&mut tx, upsert).await?;
        let clear = Sql::new("DELETE FROM product_variants WHERE product_id = $1").bind(id);
        DB::execute(&mut tx, clear).await?;
        for variant in product.variants() {
            let insert = Sql::new(
                "INSERT INTO product_variants (variant_id, product_id, sku) VALUES ($1, $2, $3)",
            )
            .bind(variant.id.as_uuid())
            .bind(id)
            .bind(variant.sku.as_str());
            DB::execute(&mut tx, insert).await?;
        }
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a product (its variant rows cascade) and appends its events; `NotFound`
    /// if absent.
    async fn delete_product_once(
        &self,
        id: ProductId,
        events: &[EventRecord],
    ) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let delete = Sql::new("DELETE FROM products WHERE id = $1").bind(id.as_uuid());
        if DB::execute(&mut tx, delete).await? == 0 {
            return Err(Error::not_found(Entity::Product, id).into());
        }
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every shop, category and product, read in one snapshot.
    async fn catalog_once(&self) -> Result<Catalog, DbError> {
        let mut tx = DB::begin_snapshot(&self.pool).await?;
        let mut catalog = shops_and_categories::<DB>(&mut tx).await?;
        let rows =
            DB::fetch_all(&mut tx, Sql::new("SELECT doc FROM products ORDER BY seq")).await?;
        for row in rows {
            add_product(&mut catalog, DB::doc(&row, "doc")?)?;
        }
        tx.commit().await?;
        Ok(catalog)
    }

    /// Every shop and category and only the wanted products (by id, or owning one of
    /// the variants), read in one snapshot.
    async fn catalog_for_once(
        &self,
        products: &[ProductId],
        variants: &[VariantId],
    ) -> Result<Catalog, DbError> {
        let mut tx = DB::begin_snapshot(&self.pool).await?;
        let mut catalog = shops_and_categories::<DB>(&mut tx).await?;
        let by_id: BTreeSet<Uuid> = products.iter().map(ProductId::as_uuid).collect();
        let by_variant: BTreeSet<Uuid> = variants.iter().map(VariantId::as_uuid).collect();
        let mut found: BTreeMap<Uuid, Product> = BTreeMap::new();
        let queries = [
            ("SELECT id, doc FROM products WHERE id IN", by_id),
            (
                "SELECT p.id AS id, p.doc AS doc FROM product_variants v \
                 JOIN products p ON p.id = v.product_id WHERE v.variant_id IN",
                by_variant,
            ),
        ];
        for (select, ids) in queries {
            let ids: Vec<Uuid> = ids.into_iter().collect();
            for chunk in ids.chunks(IDS_PER_QUERY) {
                let placeholders: Vec<String> =
                    (1..=chunk.len()).map(|n| format!("${n}")).collect();
                let sql = chunk.iter().fold(
                    Sql::new(format!("{select} ({})", placeholders.join(", "))),
                    |sql, id| sql.bind(*id),
                );
                for row in DB::fetch_all(&mut tx, sql).await? {
                    if let Entry::Vacant(slot) = found.entry(DB::uuid(&row, "id")?) {
                        slot.insert(DB::doc(&row, "doc")?);
                    }
                }
            }
        }
        tx.commit().await?;
        for product in found.into_values() {
            add_product(&mut catalog, product)?;
        }
        Ok(catalog)
    }
}

/// The port's checks on a product, as the in-memory catalog makes them: `NotFound` for a
/// missing shop or category, `Conflict` for a slug, SKU or variant id of another product.
async fn check_product<DB: Backend>(
    conn: &mut DB::Connection,
    product: &Product,
) -> Result<(), DbError> {
    let shop = Sql::new("SELECT id FROM shops WHERE id = $1").bind(product.shop().as_uuid());
    if DB::fetch_optional(conn, shop).await?.is_none() {
        return Err(Error::not_found(Entity::Shop, product.shop()).into());
    }
    if let Some(category) = product.category() {
        let exists = Sql::new("SELECT id FROM categories WHERE id = $1").bind(category.as_uuid());
        if DB::fetch_optional(conn, exists).await?.is_none() {
            return Err(Error::not_found(Entity::Category, category).into());
        }
    }
    let id = product.id().as_uuid();
    let slug = Sql::new("SELECT id FROM products WHERE slug = $1 AND id <> $2")
        .bind(product.slug().as_str())
        .bind(id);
    if DB::fetch_optional(conn, slug).await?.is_some() {
        return Err(Error::Conflict(format!("slug {} is taken", product.slug())).into());
    }
    for variant in product.variants() {
        let sku =
            Sql::new("SELECT variant_id FROM product_variants WHERE sku = $1 AND product_id <> $2")
                .bind(variant.sku.as_str())
                .bind(id);
        if DB::fetch_optional(conn, sku).await?.is_some() {
            return Err(
                Error::Conflict(format!("SKU {} belongs to another product", variant.sku)).into(),
            );
        }
        let owner = Sql::new(
            "SELECT variant_id FROM product_variants WHERE variant_id = $1 AND product_id <> $2",
        )
        .bind(variant.id.as_uuid())
        .bind(id);
        if DB::fetch_optional(conn, owner).await?.is_some() {
            return Err(Error::Conflict(format!(
                "variant {} belongs to another product",
                variant.id
            ))
            .into());
        }
    }
    Ok(())
}

/// A catalog of every shop and the whole category tree, read on `conn` (categories in
/// insertion order: a parent is always stored before its children, and never moves).
async fn shops_and_categories<DB: Backend>(conn: &mut DB::Connection) -> Result<Catalog, DbError> {
    let mut catalog = Catalog::new();
    for row in DB::fetch_all(conn, Sql::new("SELECT doc FROM shops ORDER BY seq")).await? {
        let shop: Shop = DB::doc(&row, "doc")?;
        catalog
            .add_shop(shop)
            .map_err(|e| corrupt(format_args!("stored shops disagree: {e}")))?;
    }
    for row in DB::fetch_all(conn, Sql::new("SELECT doc FROM categories ORDER BY seq")).await? {
        let category: Category = DB::doc(&row, "doc")?;
        catalog
            .categories_mut()
            .insert(category)
            .map_err(|e| corrupt(format_args!("stored categories disagree: {e}")))?;
    }
    Ok(catalog)
}

/// Adds a stored product to a catalog holding every shop and category.
fn add_product(catalog: &mut Catalog, product: Product) -> Result<(), DbError> {
    catalog
        .upsert_product(product)
        .map_err(|e| corrupt(format_args!("stored products disagree: {e}")))
}
