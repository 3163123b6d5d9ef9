//! `Catalog`: a consistent, in-memory view of shops, categories and products.

use std::collections::{BTreeMap, BTreeSet};

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

    /// Adds a shop. A second shop for the same seller, or a taken id or slug, is a
    /// conflict.
    pub fn add_shop(&mut self, shop: Shop) -> Result<(), Error> {
        self.check_shop(&shop)?;
        self.shops.insert(shop.id, shop);
        Ok(())
    }

    /// What [`Catalog::add_shop`] would refuse, without changing anything.
    pub fn check_shop(&self, shop: &Shop) -> Result<(), Error> {
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
        Ok(())
    }

    /// The category tree, to add categories to.
    pub fn categories_mut(&mut self) -> &mut CategoryTree {
        &mut self.categories
    }

    /// Adds or replaces a product. Its shop and category must exist; its slug, SKUs and
    /// variant ids must not belong to another product.
    pub fn upsert_product(&mut self, product: Product) -> Result<(), Error> {
        self.check_product(&product)?;
        if let Some(previous) = self.products.remove(&product.id()) {
            self.unindex(&previous);
        }
        self.insert_indexed(product);
        Ok(())
    }

    /// The part of this catalog that pricing a cart needs: every shop, the whole
    /// category tree and only the products named in `products` or owning one of
    /// `variants`, with their lookups. Unknown ids are skipped; only the chosen products
    /// are cloned.
    pub fn subset(&self, products: &[ProductId], variants: &[VariantId]) -> Catalog {
        let owners = variants.iter().filter_map(|v| self.by_variant.get(v));
        let wanted: BTreeSet<ProductId> = products.iter().chain(owners).copied().collect();
        let mut part = Catalog {
            shops: self.shops.clone(),
            categories: self.categories.clone(),
            ..Catalog::default()
        };
        for id in wanted {
            if let Some(product) = self.products.get(&id) {
                // Taken from a consistent catalog: its shop and category exist and its
                // slug and SKUs are its own, so no check is needed.
                part.insert_indexed(product.clone());
            }
        }
        part
    }

    /// Stores a product and indexes its slug, variants and SKUs. The caller has checked
    /// it and unindexed any previous version.
    fn insert_indexed(&mut self, product: Product) {
        let id = product.id();
        self.by_slug.insert(product.slug().clone(), id);
        for variant in product.variants() {
            self.by_variant.insert(variant.id, id);
            self.by_sku.insert(variant.sku.clone(), variant.id);
        }
        self.products.insert(id, product);
    }

    /// What [`Catalog::upsert_product`] would refuse, without changing anything:
    /// [`Error::NotFound`] for a missing shop or category, [`Error::Conflict`] for a slug,
    /// SKU or variant id of another product.
    pub fn check_product(&self, product: &Product) -> Result<(), Error> {
        if !self.shops.contains_key(&product.shop()) {
            return Err(Error::not_found(Entity::Shop, product.shop()));
        }
        if let Some(category) = product.category() {
            if self.categories.get(category).is_none() {
                return Err(Error::not_found(Entity::Category, category));
            }
        }
        let id = product.id();
        let taken = |owner: Option<&ProductId>| owner.is_some_and(|&p| p != id);
        if taken(self.by_slug.get(product.slug())) {
            return Err(Error::Conflict(format!("slug {} is taken", product.slug())));
        }
        for variant in product.variants() {
            let sku_owner = self
                .by_sku
                .get(&variant.sku)
                .and_then(|v| self.by_variant.get(v));
            if taken(sku_owner) {
                return Err(Error::Conflict(format!(
                    "SKU {} belongs to another product",
                    variant.sku
                )));
            }
            if taken(self.by_variant.get(&variant.id)) {
                return Err(Error::Conflict(format!(
                    "variant {} belongs to another product",
                    variant.id
                )));
            }
        }
        Ok(())
    }

    /// Removes a product and frees its slug and SKUs.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such product; nothing changes then.
    pub fn remove_product(&mut self, id: ProductId) -> Result<Product, Error> {
        let product = self
            .products
            .remove(&id)
            .ok_or_else(|| Error::not_found(Entity::Product, id))?;
        self.unindex(&product);
        Ok(product)
    }

    /// Drops a product's entries from the slug, variant and SKU indexes.
    fn unindex(&mut self, product: &Product) {
        self.by_slug.remove(product.slug());
        for variant in product.variants() {
            self.by_variant.remove(&variant.id);
            self.by_sku.remove(&variant.sku);
        }
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

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::catalog::{NewProduct, ProductStatus, Weight};
    use crate::ids::SellerId;
    use crate::pricing::TaxCategory;

    fn shop() -> Shop {
        match Shop::new(ShopId::from_u128(1), SellerId::from_u128(1), "Shop") {
            Ok(shop) => shop,
            Err(e) => panic!("{e}"),
        }
    }

    /// A one-variant product; `n` picks its id, variant id and name.
    fn product(n: u128, sku: &str) -> Product {
        let variant = Variant::new(
            VariantId::from_u128(n),
            Sku::parse(sku).unwrap_or_else(|e| panic!("{e}")),
            Weight::grams(100),
        );
        let new = NewProduct {
            id: ProductId::from_u128(n),
            shop: ShopId::from_u128(1),
            name: format!("Product {n}"),
            slug: None,
            description: String::new(),
            status: ProductStatus::Active,
            category: None,
            brand: None,
            attributes: BTreeMap::new(),
            tax_category: TaxCategory::standard(),
            media: Vec::new(),
            variants: vec![variant],
            created_at: Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
        };
        Product::new(new).unwrap_or_else(|e| panic!("{e}"))
    }

    fn catalog_with(products: &[Product]) -> Catalog {
        let mut catalog = Catalog::new();
        assert_eq!(catalog.add_shop(shop()), Ok(()));
        for p in products {
            assert_eq!(catalog.upsert_product(p.clone()), Ok(()));
        }
        catalog
    }

    #[test]
    fn removing_a_product_frees_its_slug_and_skus() {
        let first = product(1, "A-1");
        let mut catalog = catalog_with(std::slice::from_ref(&first));
        assert_eq!(catalog.remove_product(first.id()), Ok(first.clone()));
        assert!(catalog.product(first.id()).is_none());
        assert!(catalog.by_slug(first.slug()).is_none());
        assert!(catalog.variant(VariantId::from_u128(1)).is_none());
        assert!(catalog.by_sku(&first.variants()[0].sku).is_none());
        // Another product may now take the same slug and SKU.
        let mut reuse = NewProduct::from(product(2, "A-1"));
        reuse.slug = Some(first.slug().clone());
        let reuse = Product::new(reuse).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(catalog.upsert_product(reuse), Ok(()));
    }

    #[test]
    fn removing_an_absent_product_is_not_found_and_changes_nothing() {
        let mut catalog = catalog_with(&[product(1, "A-1")]);
        let error = catalog.remove_product(ProductId::from_u128(9));
        assert!(matches!(
            error,
            Err(Error::NotFound {
                entity: Entity::Product,
                ..
            })
        ));
        assert_eq!(catalog.products().count(), 1);
        assert!(
            catalog
                .by_sku(&Sku::parse("A-1").unwrap_or_else(|e| panic!("{e}")))
                .is_some()
        );
    }

    #[test]
    fn an_edit_cannot_take_another_products_sku() {
        let (first, second) = (product(1, "A-1"), product(2, "B-2"));
        let mut catalog = catalog_with(&[first.clone(), second.clone()]);
        // The first product keeps its variant id but renames its SKU to the second's.
        let mut edit = NewProduct::from(first.clone());
        edit.variants[0].sku = second.variants()[0].sku.clone();
        let edit = Product::new(edit).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            catalog.upsert_product(edit),
            Err(Error::Conflict(_))
        ));
        assert_eq!(catalog.product(first.id()), Some(&first));
        let (owner, _) = catalog
            .by_sku(&second.variants()[0].sku)
            .unwrap_or_else(|| panic!("SKU B-2 is indexed"));
        assert_eq!(owner.id(), second.id());
    }

    #[test]
    fn a_subset_holds_every_shop_and_only_the_wanted_products() {
        let products = [product(1, "A-1"), product(2, "B-2"), product(3, "C-3")];
        let catalog = catalog_with(&products);
        let part = catalog.subset(
            &[products[0].id(), ProductId::from_u128(99)],
            &[VariantId::from_u128(3), VariantId::from_u128(98)],
        );
        assert_eq!(part.shops().count(), 1);
        let ids: Vec<ProductId> = part.products().map(Product::id).collect();
        assert_eq!(ids, [products[0].id(), products[2].id()]);
        assert!(part.product(products[1].id()).is_none());
        assert!(part.variant(VariantId::from_u128(2)).is_none());
        assert!(part.by_sku(&products[1].variants()[0].sku).is_none());
        let (owner, _) = part
            .by_sku(&products[2].variants()[0].sku)
            .unwrap_or_else(|| panic!("C-3 is indexed"));
        assert_eq!(owner.id(), products[2].id());
        assert_eq!(part.by_slug(products[0].slug()), Some(&products[0]));
    }

    #[test]
    fn an_edit_cannot_take_another_products_variant_id() {
        let (first, second) = (product(1, "A-1"), product(2, "B-2"));
        let mut catalog = catalog_with(&[first.clone(), second]);
        let mut edit = NewProduct::from(product(3, "C-3"));
        edit.variants[0].id = first.variants()[0].id;
        let edit = Product::new(edit).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            catalog.upsert_product(edit),
            Err(Error::Conflict(_))
        ));
        assert_eq!(catalog.products().count(), 2);
    }
}
