//! `Catalog`: a consistent, in-memory view of shops, categories and products.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::{CategoryTree, Product, Shop, Sku, Slug, Variant};
use crate::error::{Entity, Error};
use crate::ids::{CategoryId, ProductId, ShopId, VariantId};

/// Shops, the category tree and products, with the cross-checks between them: a product's
/// shop and category exist, SKUs and slugs are unique, one shop per seller.
///
/// Pricing and carts read a `Catalog`; storage adapters load one (or the part a cart
/// needs) and hand it in.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "CatalogData", into = "CatalogData")]
pub struct Catalog {
    shops: BTreeMap<ShopId, Shop>,
    categories: CategoryTree,
    products: BTreeMap<ProductId, Product>,
    by_variant: FxHashMap<VariantId, ProductId>,
    by_sku: FxHashMap<Sku, VariantId>,
    by_slug: FxHashMap<Slug, ProductId>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Catalog::default()
    }

    /// Adds a shop. A second shop for the same seller, or a taken slug, is a conflict.
    pub fn add_shop(&mut self, shop: Shop) -> Result<(), Error> {
        if let Some(existing) = self
            .shops
            .values()
            .find(|s| s.seller == shop.seller || s.slug == shop.slug || s.id == shop.id)
        {
            return Err(Error::Conflict(if existing.seller == shop.seller {
                format!("seller {} already owns shop {}", shop.seller, existing.id)
            } else {
                format!("shop id or slug {} is taken", shop.slug)
            }));
        }
        self.shops.insert(shop.id, shop);
        Ok(())
    }

    /// The category tree, to add categories to.
    pub fn categories_mut(&mut self) -> &mut CategoryTree {
        &mut self.categories
    }

    /// Adds or replaces a product. Its shop and category must exist; its slug and SKUs
    /// must not belong to another product.
    pub fn upsert_product(&mut self, product: Product) -> Result<(), Error> {
        if !self.shops.contains_key(&product.shop()) {
            return Err(Error::not_found(Entity::Shop, product.shop()));
        }
        if let Some(category) = product.category() {
            if self.categories.get(category).is_none() {
                return Err(Error::not_found(Entity::Category, category));
            }
        }
        let id = product.id();
        if self
            .by_slug
            .get(product.slug())
            .is_some_and(|&owner| owner != id)
        {
            return Err(Error::Conflict(format!("slug {} is taken", product.slug())));
        }
        for variant in product.variants() {
            let owner = self.by_variant.get(&variant.id).or_else(|| {
                self.by_sku
                    .get(&variant.sku)
                    .and_then(|v| self.by_variant.get(v))
            });
            if owner.is_some_and(|&p| p != id) {
                return Err(Error::Conflict(format!(
                    "SKU {} belongs to another product",
                    variant.sku
                )));
            }
        }
        if let Some(previous) = self.products.remove(&id) {
            self.by_slug.remove(previous.slug());
            for variant in previous.variants() {
                self.by_variant.remove(&variant.id);
                self.by_sku.remove(&variant.sku);
            }
        }
        self.by_slug.insert(product.slug().clone(), id);
        for variant in product.variants() {
            self.by_variant.insert(variant.id, id);
            self.by_sku.insert(variant.sku.clone(), variant.id);
        }
        self.products.insert(id, product);
        Ok(())
    }

    /// A shop.
    pub fn shop(&self, id: ShopId) -> Option<&Shop> {
        self.shops.get(&id)
    }

    /// All shops, by id.
    pub fn shops(&self) -> impl Iterator<Item = &Shop> {
        self.shops.values()
    }

    /// The category tree.
    pub fn categories(&self) -> &CategoryTree {
        &self.categories
    }

    /// A product.
    pub fn product(&self, id: ProductId) -> Option<&Product> {
        self.products.get(&id)
    }

    /// All products, by id.
    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }

    /// The product and variant for a variant id.
    pub fn variant(&self, id: VariantId) -> Option<(&Product, &Variant)> {
        let product = self.products.get(self.by_variant.get(&id)?)?;
        Some((product, product.variant(id)?))
    }

    /// A product by its slug.
    pub fn by_slug(&self, slug: &Slug) -> Option<&Product> {
        self.products.get(self.by_slug.get(slug)?)
    }

    /// The product and variant for a variant id, if it can be bought now.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the variant is not in the catalog;
    /// [`Error::ProductNotActive`] when its product is draft or archived.
    pub fn purchasable(&self, id: VariantId) -> Result<(&Product, &Variant), Error> {
        let (product, variant) = self
            .variant(id)
            .ok_or_else(|| Error::not_found(Entity::Variant, id))?;
        if !product.is_active() {
            return Err(Error::ProductNotActive {
                product: product.id(),
                status: product.status(),
            });
        }
        Ok((product, variant))
    }

    /// The product and variant for a SKU.
    pub fn by_sku(&self, sku: &Sku) -> Option<(&Product, &Variant)> {
        self.variant(*self.by_sku.get(sku)?)
    }

    /// True when the product's category is `category` or one of its sub-categories.
    pub fn product_in_category(&self, product: &Product, category: CategoryId) -> bool {
        product
            .category()
            .is_some_and(|c| self.categories.is_within(c, category))
    }
}

/// The serialized form of a [`Catalog`]: its indexes are rebuilt on load.
#[derive(Serialize, Deserialize)]
struct CatalogData {
    shops: Vec<Shop>,
    categories: CategoryTree,
    products: Vec<Product>,
}

impl From<Catalog> for CatalogData {
    fn from(catalog: Catalog) -> Self {
        CatalogData {
            shops: catalog.shops.into_values().collect(),
            categories: catalog.categories,
            products: catalog.products.into_values().collect(),
        }
    }
}

impl TryFrom<CatalogData> for Catalog {
    type Error = Error;

    /// Re-applies every check of [`Catalog::add_shop`] and [`Catalog::upsert_product`].
    fn try_from(data: CatalogData) -> Result<Self, Error> {
        let mut catalog = Catalog {
            categories: data.categories,
            ..Catalog::default()
        };
        for shop in data.shops {
            catalog.add_shop(shop)?;
        }
        for product in data.products {
            catalog.upsert_product(product)?;
        }
        Ok(catalog)
    }
}
