//! In-memory orders.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{MemoryCarts, MemoryInventory, MemoryOutbox, lock};
use crate::cart::writable;
use crate::error::{Entity, Error};
use crate::ids::{CartId, CustomerId, OrderId, ShopId};
use crate::order::{Order, OrderNumber, OrderStatus};
use crate::payment::{IdempotencyKey, PaymentRef};
use crate::ports::{OrderStore, OrderUpdate, PlaceOrder, Placed};
use crate::pricing::PromotionUsage;

/// Orders, with idempotency keys, placed atomically with their reservations.
#[derive(Debug)]
pub struct MemoryOrders {
    state: Mutex<State>,
    carts: Arc<MemoryCarts>,
    inventory: Arc<MemoryInventory>,
    outbox: Arc<MemoryOutbox>,
}

#[derive(Debug, Default)]
struct State {
    orders: HashMap<OrderId, Order>,
    keys: HashMap<IdempotencyKey, (OrderId, CartId)>,
    last_number: u64,
}

impl MemoryOrders {
    /// No orders; placing one also writes to `carts`, `inventory` and `outbox`.
    pub fn new(
        carts: Arc<MemoryCarts>,
        inventory: Arc<MemoryInventory>,
        outbox: Arc<MemoryOutbox>,
    ) -> Self {
        MemoryOrders {
            state: Mutex::new(State::default()),
            carts,
            inventory,
            outbox,
        }
    }

    /// Runs `read` over every order, under the lock.
    pub(crate) fn with_orders<R>(
        &self,
        read: impl FnOnce(&HashMap<OrderId, Order>) -> R,
    ) -> Result<R, Error> {
        Ok(read(&lock(&self.state)?.orders))
    }

    pub(crate) fn select(&self, keep: impl Fn(&Order) -> bool) -> Result<Vec<Order>, Error> {
        let state = lock(&self.state)?;
        let mut found: Vec<Order> = state.orders.values().filter(|o| keep(o)).cloned().collect();
        found.sort_by(|a, b| {
            (b.created_at, b.number.as_str()).cmp(&(a.created_at, a.number.as_str()))
        });
        Ok(found)
    }
}

#[async_trait]
impl OrderStore for MemoryOrders {
    async fn next_order_number(&self) -> Result<u64, Error> {
        let mut state = lock(&self.state)?;
        state.last_number += 1;
        Ok(state.last_number)
    }

    async fn place_order(&self, place: PlaceOrder) -> Result<Placed, Error> {
        let mut state = lock(&self.state)?;
        let cart_id = place.cart.id();
        if let Some(&(order, cart)) = state.keys.get(&place.idempotency_key) {
            if cart != cart_id {
                return Err(Error::Conflict(format!(
                    "idempotency key {} was used for another cart",
                    place.idempotency_key
                )));
            }
            let order = state
                .orders
                .get(&order)
                .cloned()
                .ok_or_else(|| Error::not_found(Entity::Order, order))?;
            return Ok(Placed {
                order,
                created: false,
            });
        }
        let order = place.order;
        if state.orders.contains_key(&order.id)
            || state.orders.values().any(|o| o.number == order.number)
        {
            return Err(Error::Conflict(format!("order {} exists", order.number)));
        }
        let usage = usage_of(&state.orders, Some(order.customer));
        if let Some(limit) = place.promotion_limits.iter().find(|l| !l.allows(&usage)) {
            return Err(Error::Conflict(format!(
                "promotion {} has reached its usage limit; price the cart again",
                limit.promotion
            )));
        }
        let mut carts = self.carts.locked()?;
        let cart = writable(carts.get(&cart_id), &place.cart)?;
        // The last fallible step: everything before it only read.
        self.inventory
            .reserve_now(place.reservation, order.created_at)?;
        carts.insert(cart_id, cart);
        state
            .keys
            .insert(place.idempotency_key, (order.id, cart_id));
        state.orders.insert(order.id, order.clone());
        self.outbox.push(place.events)?;
        Ok(Placed {
            order,
            created: true,
        })
    }

    async fn order(&self, id: OrderId) -> Result<Option<Order>, Error> {
        Ok(lock(&self.state)?.orders.get(&id).cloned())
    }

    async fn order_by_number(&self, number: &OrderNumber) -> Result<Option<Order>, Error> {
        Ok(self.select(|o| &o.number == number)?.pop())
    }

    async fn order_by_payment(&self, payment: &PaymentRef) -> Result<Option<Order>, Error> {
        Ok(self
            .select(|o| o.payment.reference.as_ref() == Some(payment))?
            .pop())
    }

    async fn order_by_idempotency_key(&self, key: &IdempotencyKey) -> Result<Option<Order>, Error> {
        let state = lock(&self.state)?;
        Ok(state
            .keys
            .get(key)
            .and_then(|(order, _)| state.orders.get(order))
            .cloned())
    }

    async fn orders_of_customer(&self, customer: CustomerId) -> Result<Vec<Order>, Error> {
        self.select(|o| o.customer == customer)
    }

    async fn orders_of_shop(&self, shop: ShopId) -> Result<Vec<Order>, Error> {
        self.select(|o| o.lines.iter().any(|l| l.shop == shop))
    }

    async fn update_order(&self, update: OrderUpdate) -> Result<Order, Error> {
        let mut state = lock(&self.state)?;
        let id = update.order.id;
        let stored = state
            .orders
            .get(&id)
            .ok_or_else(|| Error::not_found(Entity::Order, id))?;
        if stored.version != update.expected_version {
            return Err(Error::Conflict(format!(
                "order {} changed (version {}, expected {})",
                stored.number, stored.version, update.expected_version
            )));
        }
        let at = update.order.changed_at();
        self.inventory
            .apply_effect(update.order.reservation_id(), update.stock, at)?;
        state.orders.insert(id, update.order.clone());
        self.outbox.push(update.events)?;
        Ok(update.order)
    }

    async fn unpaid_expired(&self, now: DateTime<Utc>) -> Result<Vec<Order>, Error> {
        self.select(|o| o.status == OrderStatus::PendingPayment && o.reservation_expires_at <= now)
    }

    async fn promotion_usage(&self, customer: Option<CustomerId>) -> Result<PromotionUsage, Error> {
        Ok(usage_of(&lock(&self.state)?.orders, customer))
    }
}

/// Uses of each promotion by orders that were not cancelled: by everyone, and by
/// `customer`.
fn usage_of(orders: &HashMap<OrderId, Order>, customer: Option<CustomerId>) -> PromotionUsage {
    let mut usage = PromotionUsage::default();
    for order in orders
        .values()
        .filter(|o| o.status != OrderStatus::Cancelled)
    {
        for &promotion in &order.promotions {
            *usage.total.entry(promotion).or_default() += 1;
            if Some(order.customer) == customer {
                *usage.by_shopper.entry(promotion).or_default() += 1;
            }
        }
    }
    usage
}
