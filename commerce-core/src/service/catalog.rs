//! Use cases: shops, categories and products.
//!
//! Access: a seller changes only their own shop's products, an admin everything, and
//! customers and guests nothing. Draft products are visible only to their shop's seller
//! and admins; to everyone else they do not exist (`NotFound`, never `Forbidden`, so
//! their existence does not leak).

use crate::catalog::{Catalog, Category, NewProduct, Product, ProductStatus, Shop, Slug};
use crate::error::{Entity, Error};
use crate::events::{DomainEvent, EventRecord};
use crate::identity::Principal;
use crate::ids::{CategoryId, ProductId, SellerId, ShopId};

use super::Commerce;

impl Commerce {
    /// Opens the acting seller's shop. A seller owns one shop: a second is `Conflict` and
    /// changes nothing. Appends `shop.created`.
    pub async fn open_shop(&self, actor: Principal, name: &str) -> Result<Shop, Error> {
        let Principal::Seller(seller) = actor else {
            return Err(Error::forbidden("open a shop"));
        };
        self.open_shop_for(actor, seller, name).await
    }

    /// Opens a shop for `seller`, as that seller or as an admin; otherwise like
    /// [`Commerce::open_shop`].
    pub async fn open_shop_for(
        &self,
        actor: Principal,
        seller: SellerId,
        name: &str,
    ) -> Result<Shop, Error> {
        actor.require_seller(seller, "open a shop")?;
        let shop = Shop::new(ShopId::random(), seller, name)?;
        let created = DomainEvent::ShopCreated {
            shop: shop.id,
            seller,
        };
        self.stores
            .catalog
            .create_shop(shop.clone(), vec![EventRecord::new(self.now(), created)])
            .await?;
        Ok(shop)
    }

    /// A shop, for anyone.
    pub async fn shop(&self, id: ShopId) -> Result<Shop, Error> {
        self.stores
            .catalog
            .shop(id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Shop, id))
    }

    /// Adds a category under `parent` (or at the top). Admins only; an unknown parent
    /// is `NotFound`.
    pub async fn add_category(
        &self,
        actor: Principal,
        parent: Option<CategoryId>,
        name: &str,
    ) -> Result<Category, Error> {
        actor.require_admin("add a category")?;
        let category = Category::new(CategoryId::random(), parent, name)?;
        self.stores.catalog.save_category(category.clone()).await?;
        Ok(category)
    }

    /// Creates or replaces the product `new.id`, as an admin or as the seller who owns
    /// `new.shop` (and, when replacing, the shop the product is in now). Appends
    /// `product.created` or `product.updated` in the same step.
    ///
    /// `created_at` is the engine's: now for a new product, kept for an existing one.
    ///
    /// # Errors
    /// `Forbidden` for anyone else; `InvalidInput` for a malformed product; `NotFound`
    /// for an unknown shop or category; `Conflict` for a slug or SKU of another product.
    /// Nothing changes on error.
    pub async fn save_product(
        &self,
        actor: Principal,
        mut new: NewProduct,
    ) -> Result<Product, Error> {
        self.require_shop_access(actor, new.shop, "change product")
            .await?;
        let existing = self.stores.catalog.product(new.id).await?;
        if let Some(existing) = &existing {
            self.require_shop_access(actor, existing.shop(), "change product")
                .await?;
        }
        let now = self.now();
        new.created_at = existing.as_ref().map_or(now, Product::created_at);
        let product = Product::new(new)?;
        let (product_id, shop) = (product.id(), product.shop());
        let event = match existing {
            None => DomainEvent::ProductCreated {
                product: product_id,
                shop,
            },
            Some(_) => DomainEvent::ProductUpdated {
                product: product_id,
                shop,
            },
        };
        self.stores
            .catalog
            .save_product(product.clone(), vec![EventRecord::new(now, event)])
            .await?;
        Ok(product)
    }

    /// Publishes, archives or un-publishes a product, with the access rule of
    /// [`Commerce::save_product`]. Appends `product.updated` when the status changes.
    pub async fn set_product_status(
        &self,
        actor: Principal,
        id: ProductId,
        status: ProductStatus,
    ) -> Result<Product, Error> {
        let mut product = self.stored_product(id).await?;
        self.require_shop_access(actor, product.shop(), "change product")
            .await?;
        if product.status() == status {
            return Ok(product);
        }
        product.set_status(status);
        let updated = DomainEvent::ProductUpdated {
            product: id,
            shop: product.shop(),
        };
        self.stores
            .catalog
            .save_product(product.clone(), vec![EventRecord::new(self.now(), updated)])
            .await?;
        Ok(product)
    }

    /// Removes a product, with the access rule of [`Commerce::save_product`]. Appends
    /// `product.deleted`. Carts still holding it report it unavailable when repriced.
    pub async fn delete_product(&self, actor: Principal, id: ProductId) -> Result<(), Error> {
        let product = self.stored_product(id).await?;
        self.require_shop_access(actor, product.shop(), "delete product")
            .await?;
        let deleted = DomainEvent::ProductDeleted {
            product: id,
            shop: product.shop(),
        };
        self.stores
            .catalog
            .delete_product(id, vec![EventRecord::new(self.now(), deleted)])
            .await
    }

    /// A product, if `actor` may see it (drafts only to their seller and admins).
    pub async fn product(&self, actor: Principal, id: ProductId) -> Result<Product, Error> {
        let product = self.stored_product(id).await?;
        self.visible(actor, product).await
    }

    /// A product by its slug, with the visibility rule of [`Commerce::product`].
    pub async fn product_by_slug(&self, actor: Principal, slug: &str) -> Result<Product, Error> {
        let slug = Slug::parse(slug)?;
        let product = self
            .stores
            .catalog
            .product_by_slug(&slug)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Product, &slug))?;
        self.visible(actor, product).await
    }

    /// A consistent snapshot of the catalog as `actor` may see it: everything for an
    /// admin; without other shops' drafts for a seller; without any drafts for customers
    /// and guests.
    pub async fn catalog(&self, actor: Principal) -> Result<Catalog, Error> {
        let mut catalog = self.stores.catalog.catalog().await?;
        let own_shop = match actor {
            Principal::Admin(_) => return Ok(catalog),
            Principal::Seller(seller) => catalog.shops().find(|s| s.seller == seller).map(|s| s.id),
            Principal::Customer(_) | Principal::Guest => None,
        };
        let hidden: Vec<ProductId> = catalog
            .products()
            .filter(|p| p.status() == ProductStatus::Draft && Some(p.shop()) != own_shop)
            .map(Product::id)
            .collect();
        for id in hidden {
            catalog.remove_product(id)?;
        }
        Ok(catalog)
    }

    async fn stored_product(&self, id: ProductId) -> Result<Product, Error> {
        self.stores
            .catalog
            .product(id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Product, id))
    }

    /// `product` if `actor` may see it; a draft is `NotFound` to anyone but its seller
    /// and admins.
    async fn visible(&self, actor: Principal, product: Product) -> Result<Product, Error> {
        let sees_drafts = match actor {
            Principal::Admin(_) => true,
            Principal::Seller(seller) => self
                .stores
                .catalog
                .shop(product.shop())
                .await?
                .is_some_and(|shop| shop.seller == seller),
            Principal::Customer(_) | Principal::Guest => false,
        };
        if product.status() == ProductStatus::Draft && !sees_drafts {
            return Err(Error::not_found(Entity::Product, product.id()));
        }
        Ok(product)
    }
}
