//! Use cases: carts.
//!
//! Access: a customer reaches only the carts whose [`Cart::customer`] is them, an admin
//! every cart, and a seller none of a customer's carts. A **guest cart** (no customer)
//! belongs to whoever holds its id: that is how a shopper who has not signed in keeps a
//! cart, so the id works as a bearer secret — it is a random (v4) UUID, and hosts should
//! keep it where they would keep a session token (an `HttpOnly` cookie, say). On sign-in,
//! [`Commerce::merge_guest_cart`] or [`Commerce::claim_cart`] turns it into the
//! customer's. A denied call is `Forbidden` and changes nothing.

use crate::cart::{Cart, CartContext, CartPurpose, CartStatus, MergeReport, Quantity};
use crate::catalog::Catalog;
use crate::error::{Entity, Error, ErrorKind};
use crate::events::{DomainEvent, EventRecord};
use crate::identity::Principal;
use crate::ids::{CartId, CustomerId, ShippingMethodId, VariantId};
use crate::money::Currency;
use crate::order::OrderStatus;
use crate::pricing::{
    CountryCode, PricedCart, PricingContext, PricingRules, Region, Shopper, price_cart,
};

use super::Commerce;

impl Commerce {
    /// Creates an empty cart: a guest cart for a guest, the customer's own for a customer.
    /// A customer has one active `Shopping` cart (any that is not checked out): a second
    /// is `Conflict`. Sellers and admins do not shop (`Forbidden`). Appends
    /// `cart.created`.
    pub async fn create_cart(
        &self,
        actor: Principal,
        currency: Currency,
        purpose: CartPurpose,
    ) -> Result<Cart, Error> {
        let customer = match actor {
            Principal::Guest => None,
            Principal::Customer(me) => Some(me),
            Principal::Seller(_) | Principal::Admin(_) => {
                return Err(Error::forbidden("create a cart"));
            }
        };
        if let Some(me) = customer {
            self.ensure_one_shopping_cart(me, purpose).await?;
        }
        let now = self.now();
        let cart = Cart::new(CartId::random(), customer, purpose, currency, now);
        let created = DomainEvent::CartCreated {
            cart: cart.id(),
            customer,
        };
        self.stores
            .carts
            .save_cart(&cart, vec![EventRecord::new(now, created)])
            .await
    }

    /// A cart `actor` may reach.
    pub async fn cart(&self, actor: Principal, id: CartId) -> Result<Cart, Error> {
        self.reachable_cart(actor, id, "read cart").await
    }

    /// The signed-in customer's carts, oldest first.
    pub async fn my_carts(&self, actor: Principal) -> Result<Vec<Cart>, Error> {
        let Principal::Customer(me) = actor else {
            return Err(Error::forbidden("list carts"));
        };
        self.stores.carts.carts_of(me).await
    }

    /// Adds `quantity` units of `variant` at today's price (see [`Cart::add_item`] for
    /// the rules and errors).
    pub async fn add_item(
        &self,
        actor: Principal,
        cart: CartId,
        variant: VariantId,
        quantity: u32,
    ) -> Result<Cart, Error> {
        let quantity = Quantity::new(i64::from(quantity))?;
        self.change_cart(actor, cart, "change cart", &[variant], |cart, ctx| {
            cart.add_item(ctx, variant, quantity).map(|_| ())
        })
        .await
    }

    /// Sets the units of a line (see [`Cart::update_quantity`]).
    pub async fn update_quantity(
        &self,
        actor: Principal,
        cart: CartId,
        variant: VariantId,
        quantity: u32,
    ) -> Result<Cart, Error> {
        let quantity = Quantity::new(i64::from(quantity))?;
        self.change_cart(actor, cart, "change cart", &[variant], |cart, ctx| {
            cart.update_quantity(ctx, variant, quantity).map(|_| ())
        })
        .await
    }

    /// Removes a line (see [`Cart::remove_item`]).
    pub async fn remove_item(
        &self,
        actor: Principal,
        cart: CartId,
        variant: VariantId,
    ) -> Result<Cart, Error> {
        self.change_cart(actor, cart, "change cart", &[], |cart, ctx| {
            cart.remove_item(variant, ctx.now).map(|_| ())
        })
        .await
    }

    /// Applies a coupon code (see [`Cart::apply_coupon`]): it must belong to a promotion
    /// the cart's shopper may use now, given their order history and its usage so far.
    pub async fn apply_coupon(
        &self,
        actor: Principal,
        cart: CartId,
        code: &str,
    ) -> Result<Cart, Error> {
        let mut cart = self.reachable_cart(actor, cart, "change cart").await?;
        // Coupons read promotions, not prices.
        let rules = self.stores.pricing.rules_for(&[]).await?;
        // Coupon eligibility reads the shopper, the time and the usage, never the
        // destination: ISO 3166's code for an unknown country stands in for it.
        let anywhere = Region {
            country: CountryCode::UNKNOWN,
            state: None,
        };
        let context = self.pricing_context(&cart, anywhere, None).await?;
        cart.apply_coupon(code, &rules.promotions, &context)?;
        self.stores.carts.save_cart(&cart, Vec::new()).await
    }

    /// Takes a coupon code off the cart (see [`Cart::remove_coupon`]).
    pub async fn remove_coupon(
        &self,
        actor: Principal,
        cart: CartId,
        code: &str,
    ) -> Result<Cart, Error> {
        self.change_cart(actor, cart, "change cart", &[], |cart, ctx| {
            cart.remove_coupon(code, ctx.now)
        })
        .await
    }

    /// Folds a guest cart into the signed-in customer's cart `into` (see
    /// [`Cart::merge_guest`]) and removes the guest cart, in one atomic step: a second
    /// merge of the same guest cart is `NotFound`, never a double count.
    ///
    /// # Errors
    /// `Forbidden` unless `actor` is the customer owning `into` (or an admin) and may
    /// reach `guest`; `InvalidInput` (field `guest`) when `guest` is not a guest cart or
    /// is `into` itself; the errors of [`Cart::merge_guest`].
    pub async fn merge_guest_cart(
        &self,
        actor: Principal,
        guest: CartId,
        into: CartId,
    ) -> Result<(Cart, MergeReport), Error> {
        let target = self.reachable_cart(actor, into, "merge carts").await?;
        let owned = match actor {
            Principal::Admin(_) => target.customer().is_some(),
            Principal::Customer(me) => target.customer() == Some(me),
            Principal::Guest | Principal::Seller(_) => false,
        };
        if !owned {
            return Err(Error::forbidden(
                "merge into a cart that is not a customer's own",
            ));
        }
        let guest = self.reachable_cart(actor, guest, "merge carts").await?;
        if guest.customer().is_some() || guest.id() == target.id() {
            return Err(Error::invalid("guest", "only a guest cart can be merged"));
        }
        let mut merged = target;
        let report = merged.merge_guest(&guest, self.config.cart_limits, self.now())?;
        let merged = self
            .stores
            .carts
            .merge_carts(&merged, guest.id(), Vec::new())
            .await?;
        Ok((merged, report))
    }

    /// Makes a guest cart the signed-in customer's own (for a customer who had no cart
    /// to merge it into). Claiming one's own cart changes nothing.
    ///
    /// # Errors
    /// `Forbidden` for anyone but a customer, or for another customer's cart; `Conflict`
    /// when it is a shopping cart and the customer already has an active one (merge it
    /// instead).
    pub async fn claim_cart(&self, actor: Principal, cart: CartId) -> Result<Cart, Error> {
        let Principal::Customer(me) = actor else {
            return Err(Error::forbidden("claim a cart"));
        };
        let mut cart = self.reachable_cart(actor, cart, "claim a cart").await?;
        if cart.customer() == Some(me) {
            return Ok(cart);
        }
        self.ensure_one_shopping_cart(me, cart.purpose()).await?;
        cart.assign_to(me);
        self.stores.carts.save_cart(&cart, Vec::new()).await
    }

    /// Prices a cart for delivery to `ship_to` by `shipping_method` (if chosen yet): the
    /// store's current prices, promotions, tax and shipping, for the cart's shopper now.
    /// Changes nothing.
    pub async fn price_cart(
        &self,
        actor: Principal,
        cart: CartId,
        ship_to: Region,
        shipping_method: Option<ShippingMethodId>,
    ) -> Result<PricedCart, Error> {
        let cart = self.reachable_cart(actor, cart, "read cart").await?;
        let (catalog, rules) = self.pricing_inputs(&cart, &[]).await?;
        let context = self
            .pricing_context(&cart, ship_to, shipping_method)
            .await?;
        price_cart(&cart, &catalog, &rules, &context)
    }

    /// The stored cart `id`, if `actor` may reach it: `NotFound` when absent,
    /// `Forbidden` when it is someone else's.
    async fn reachable_cart(
        &self,
        actor: Principal,
        id: CartId,
        action: &'static str,
    ) -> Result<Cart, Error> {
        let cart = self
            .stores
            .carts
            .cart(id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Cart, id))?;
        match (actor, cart.customer()) {
            (Principal::Admin(_), _) | (_, None) => Ok(cart),
            (Principal::Customer(me), Some(owner)) if me == owner => Ok(cart),
            _ => Err(Error::forbidden(action)),
        }
    }

    /// The part of the catalog and of the pricing rules pricing `cart` reads: every shop
    /// and category, the products of the cart's lines and of the `extra` variants a
    /// change brings in, and every rule with only those variants' prices. Variants no
    /// longer in the catalog are simply absent, so looking them up is `NotFound` just as
    /// against the whole catalog.
    pub(super) async fn pricing_inputs(
        &self,
        cart: &Cart,
        extra: &[VariantId],
    ) -> Result<(Catalog, PricingRules), Error> {
        let variants: Vec<VariantId> = cart
            .lines()
            .iter()
            .map(|line| line.variant)
            .chain(extra.iter().copied())
            .collect();
        let catalog = self.stores.catalog.catalog_for(&[], &variants).await?;
        let rules = self.stores.pricing.rules_for(&variants).await?;
        Ok((catalog, rules))
    }

    /// Loads a cart `actor` may reach, applies `change` against the current catalog
    /// (the part holding the cart's lines and the `variants` the change adds or sets),
    /// prices and limits, and stores the result. Nothing is stored if `change` fails.
    async fn change_cart<F>(
        &self,
        actor: Principal,
        id: CartId,
        action: &'static str,
        variants: &[VariantId],
        mut change: F,
    ) -> Result<Cart, Error>
    where
        F: FnMut(&mut Cart, &CartContext<'_>) -> Result<(), Error> + Send,
    {
        let mut attempt = 0;
        loop {
            let mut cart = self.reachable_cart(actor, id, action).await?;
            let (catalog, rules) = self.pricing_inputs(&cart, variants).await?;
            let ctx = CartContext {
                catalog: &catalog,
                prices: &rules.price_book,
                limits: self.config.cart_limits,
                group: None,
                now: self.now(),
            };
            change(&mut cart, &ctx)?;
            // Another request changed the cart since it was read: redo the change on the
            // fresh copy rather than overwrite theirs.
            match self.stores.carts.save_cart(&cart, Vec::new()).await {
                Err(e)
                    if e.kind() == ErrorKind::Conflict
                        && attempt < self.config.max_retries
                        && self
                            .stores
                            .carts
                            .cart(id)
                            .await?
                            .is_some_and(|c| c.status() != CartStatus::CheckedOut) =>
                {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// `Conflict` when a cart for `purpose` would be the customer's second active
    /// (not checked out) shopping cart.
    async fn ensure_one_shopping_cart(
        &self,
        customer: CustomerId,
        purpose: CartPurpose,
    ) -> Result<(), Error> {
        if purpose != CartPurpose::Shopping {
            return Ok(());
        }
        let carts = self.stores.carts.carts_of(customer).await?;
        match carts
            .iter()
            .find(|c| c.purpose() == CartPurpose::Shopping && c.status() != CartStatus::CheckedOut)
        {
            Some(active) => Err(Error::Conflict(format!(
                "customer {customer} already has shopping cart {}",
                active.id()
            ))),
            None => Ok(()),
        }
    }

    /// Who is buying a cart, when, where to, and how often they used promotions: what
    /// pricing and coupon checks read besides the cart.
    pub(super) async fn pricing_context(
        &self,
        cart: &Cart,
        ship_to: Region,
        shipping_method: Option<ShippingMethodId>,
    ) -> Result<PricingContext, Error> {
        let customer = cart.customer();
        let previous_orders = match customer {
            Some(customer) => self
                .stores
                .orders
                .orders_of_customer(customer)
                .await?
                .iter()
                .filter(|o| o.status != OrderStatus::Cancelled)
                .count(),
            None => 0,
        };
        Ok(PricingContext {
            now: self.now(),
            shopper: Shopper {
                customer,
                group: None,
                previous_orders: u32::try_from(previous_orders).unwrap_or(u32::MAX),
            },
            ship_to,
            shipping_method,
            usage: self.stores.orders.promotion_usage(customer).await?,
        })
    }
}
