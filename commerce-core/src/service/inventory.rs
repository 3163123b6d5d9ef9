//! Use cases: inventory. Stock is managed by an admin or by the seller whose shop sells
//! the SKU; availability is public; customers subscribe to back-in-stock news; the
//! system expires lapsed reservations.

use super::Commerce;
use crate::catalog::Sku;
use crate::error::{Entity, Error};
use crate::identity::Principal;
use crate::ids::LocationId;
use crate::inventory::{Reservation, StockLevel, StockPolicy, check_adjustment};

impl Commerce {
    /// Adds `delta` units on hand of `sku` at `location` (negative to write off).
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless `actor` is an admin or the seller whose shop sells the
    /// SKU ([`Error::NotFound`] for a seller when no shop sells it);
    /// [`Error::InvalidInput`] on `delta` beyond ±[`StockLevel::MAX_ADJUSTMENT`];
    /// [`Error::InsufficientStock`] when a write-off would take on hand below zero or
    /// below what is reserved. Nothing changes on error.
    pub async fn adjust_stock(
        &self,
        actor: Principal,
        sku: &Sku,
        location: LocationId,
        delta: i64,
    ) -> Result<StockLevel, Error> {
        self.require_stock_access(&actor, sku, "adjust stock")
            .await?;
        check_adjustment(delta)?;
        self.stores
            .inventory
            .adjust_stock(sku, location, delta, self.now())
            .await
    }

    /// Sets a SKU's backorder and low-stock policy.
    ///
    /// # Errors
    /// As for [`Commerce::adjust_stock`]'s access rules.
    pub async fn set_stock_policy(
        &self,
        actor: Principal,
        policy: StockPolicy,
    ) -> Result<(), Error> {
        self.require_stock_access(&actor, &policy.sku, "set stock policy")
            .await?;
        self.stores.inventory.set_policy(policy).await
    }

    /// A SKU's stock at every location, by location id.
    ///
    /// # Errors
    /// As for [`Commerce::adjust_stock`]'s access rules.
    pub async fn stock_levels(
        &self,
        actor: Principal,
        sku: &Sku,
    ) -> Result<Vec<StockLevel>, Error> {
        self.require_stock_access(&actor, sku, "read stock levels")
            .await?;
        self.stores.inventory.levels(sku).await
    }

    /// Units of a SKU available across all locations: public, so a storefront can say
    /// "in stock" to anyone. Zero for a SKU never stocked; negative only for a SKU on
    /// backorder.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn available(&self, sku: &Sku) -> Result<i64, Error> {
        self.stores.inventory.available(sku).await
    }

    /// Asks for a `stock.back_in_stock` notice when `sku` can be bought again. Subscribing
    /// twice is the same as once.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a guest; [`Error::Forbidden`] for a seller or an
    /// admin (only customers subscribe); [`Error::NotFound`] when no product has the SKU.
    pub async fn subscribe_back_in_stock(&self, actor: Principal, sku: &Sku) -> Result<(), Error> {
        let customer = match actor {
            Principal::Customer(customer) => customer,
            Principal::Guest => return Err(Error::Unauthenticated("sign in to subscribe")),
            Principal::Seller(_) | Principal::Admin(_) => {
                return Err(Error::forbidden("subscribe to back-in-stock notices"));
            }
        };
        if self.stores.catalog.product_by_sku(sku).await?.is_none() {
            return Err(Error::not_found(Entity::Variant, sku));
        }
        self.stores
            .inventory
            .subscribe_back_in_stock(sku, customer)
            .await
    }

    /// Releases every held reservation whose expiry has passed (a job the host runs
    /// periodically, as the system), cancelling the unpaid orders they belonged to, and
    /// returns the reservations released.
    ///
    /// # Errors
    /// Only storage failures.
    pub async fn expire_reservations(&self) -> Result<Vec<Reservation>, Error> {
        // Orders first, through the order path, so that an order and its reservation
        // lapse together (a payment racing the sweep either wins or finds the order
        // cancelled); then the holds that belong to no order.
        let now = self.now();
        self.expire_unpaid_orders_at(now).await?;
        self.stores.inventory.expire_reservations(now).await
    }

    /// Allowed for an admin, or for the seller whose shop sells `sku`.
    async fn require_stock_access(
        &self,
        actor: &Principal,
        sku: &Sku,
        action: &'static str,
    ) -> Result<(), Error> {
        let seller = match actor {
            Principal::Admin(_) => return Ok(()),
            Principal::Seller(seller) => *seller,
            Principal::Guest | Principal::Customer(_) => return Err(Error::forbidden(action)),
        };
        let product = self
            .stores
            .catalog
            .product_by_sku(sku)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Variant, sku))?;
        let shop = self.stores.catalog.shop(product.shop()).await?;
        let owner = shop.map(|shop| shop.seller);
        if owner == Some(seller) {
            Ok(())
        } else {
            Err(Error::forbidden(action))
        }
    }
}
