//! Use case: checkout — a cart becomes an order, atomically and at most once per key.

use crate::cart::{CartContext, RepriceReport};
use crate::error::{Entity, Error};
use crate::identity::{AddressFields, NewAddress, Principal};
use crate::ids::{CartId, OrderId, ShippingMethodId};
use crate::money::Money;
use crate::order::{Order, OrderNumber, OrderStatus, Placement};
use crate::payment::{IdempotencyKey, ProviderPayment};
use crate::ports::{PlaceOrder, PromotionLimit};
use crate::pricing::{Region, price_cart};

use super::Commerce;

/// What a customer submits to check out.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    /// The cart to buy.
    pub cart: CartId,
    /// Where it goes (decides tax and shipping).
    pub ship_to: NewAddress,
    /// The chosen shipping method.
    pub shipping_method: Option<ShippingMethodId>,
    /// The total the customer was shown; if the price now differs, checkout stops with
    /// `Conflict` instead of charging a different amount.
    pub expected_total: Option<Money>,
    /// The client's key: retrying with it returns the first order.
    pub idempotency_key: IdempotencyKey,
}

/// The result of a checkout.
#[derive(Clone, Debug)]
pub struct Checkout {
    /// The order, pending payment (or further along, on a retry).
    pub order: Order,
    /// The provider payment to confirm (with its client secret).
    pub payment: Option<ProviderPayment>,
    /// `false` when the key had been used and this is the first checkout's order.
    pub created: bool,
    /// What changed since the shopper put the lines in the cart.
    pub repriced: RepriceReport,
}

impl Commerce {
    /// Checks out a cart: prices it now, then stores the order, its stock reservation,
    /// the checked-out cart and the events in one atomic step (nothing if any line is out
    /// of stock), then opens the provider payment. Only the cart's customer may. The
    /// address is checked as [`NewAddress::checked`] does, a refusal naming
    /// `ship_to.<field>`, and stored trimmed.
    pub async fn checkout(
        &self,
        actor: Principal,
        request: CheckoutRequest,
    ) -> Result<Checkout, Error> {
        let Principal::Customer(customer) = actor else {
            return Err(Error::Unauthenticated("sign in as a customer to check out"));
        };
        if let Some(order) = self
            .stores
            .orders
            .order_by_idempotency_key(&request.idempotency_key)
            .await?
        {
            return self.replayed(actor, order, &request).await;
        }
        let ship_to = request
            .ship_to
            .clone()
            .checked_as(&AddressFields::SHIP_TO)?;
        let cart = self
            .stores
            .carts
            .cart(request.cart)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Cart, request.cart))?;
        match cart.customer() {
            Some(owner) => actor.require_customer(owner, "check out cart")?,
            None => return Err(Error::forbidden("check out a guest cart (sign in first)")),
        }
        let now = self.now();
        let (catalog, rules) = self.pricing_inputs(&cart, &[]).await?;
        let region = Region {
            country: ship_to.country,
            state: ship_to.region.clone(),
        };
        let context = self
            .pricing_context(&cart, region, request.shipping_method)
            .await?;
        let repriced = cart.reprice(&CartContext {
            catalog: &catalog,
            prices: &rules.price_book,
            limits: self.config.cart_limits,
            group: None,
            now,
        });
        let priced = price_cart(&cart, &catalog, &rules, &context)?;
        if let Some(expected) = request.expected_total
            && expected != priced.totals.total
        {
            return Err(Error::Conflict(format!(
                "the total is now {}, not {expected}",
                priced.totals.total
            )));
        }
        let number = OrderNumber::from_sequence(self.stores.orders.next_order_number().await?);
        let mut checked_out = cart.clone();
        checked_out.mark_checked_out(now)?;
        let new = Order::place(Placement {
            id: OrderId::random(),
            number: &number,
            customer,
            cart: &cart,
            priced: &priced,
            catalog: &catalog,
            ship_to: &ship_to,
            capture: self.config.capture,
            reservation_ttl: self.config.reservation_ttl,
            now,
        })?;
        let promotion_limits = rules
            .promotions
            .iter()
            .filter(|p| new.order.promotions.contains(&p.id))
            .filter(|p| p.usage_limit.is_some() || p.per_customer_limit.is_some())
            .map(|p| PromotionLimit {
                promotion: p.id,
                total: p.usage_limit,
                per_customer: p.per_customer_limit,
            })
            .collect();
        let placed = self
            .stores
            .orders
            .place_order(PlaceOrder {
                idempotency_key: request.idempotency_key.clone(),
                order: new.order,
                reservation: new.reservation,
                cart: checked_out,
                events: new.events,
                promotion_limits,
            })
            .await?;
        let payment = self.open_payment(placed.order.clone()).await?;
        Ok(Checkout {
            order: self.load_order(placed.order.id).await?,
            payment: Some(payment),
            created: placed.created,
            repriced,
        })
    }

    /// A checkout retried with a key already used: the first order, if it is the same
    /// customer's and the same cart's.
    async fn replayed(
        &self,
        actor: Principal,
        order: Order,
        request: &CheckoutRequest,
    ) -> Result<Checkout, Error> {
        actor.require_customer(order.customer, "read order")?;
        if order.cart != request.cart {
            return Err(Error::Conflict(format!(
                "idempotency key {} was used for another cart",
                request.idempotency_key
            )));
        }
        let payment = match order.status {
            OrderStatus::PendingPayment => Some(self.open_payment(order.clone()).await?),
            _ => None,
        };
        Ok(Checkout {
            order: self.load_order(order.id).await?,
            payment,
            created: false,
            repriced: RepriceReport::default(),
        })
    }
}
