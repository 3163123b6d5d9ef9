//! Use cases: reading orders, and changing them safely under concurrency.

use crate::error::{Entity, Error, ErrorKind};
use crate::identity::{Actor, Principal};
use crate::ids::{OrderId, RefundId};
use crate::money::Money;
use crate::order::{Effects, Fulfilment, Order, OrderLine, OrderNumber, OrderStatus, Refund};
use crate::payment::IdempotencyKey;
use crate::text::MAX_LINE_CHARS;

use super::Commerce;

/// One shop's view of an order: its own lines and fulfilment, nothing of other shops'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopOrder {
    /// The order.
    pub order: OrderId,
    /// Its number.
    pub number: OrderNumber,
    /// Its status.
    pub status: OrderStatus,
    /// The shop's lines.
    pub lines: Vec<OrderLine>,
    /// The shop's fulfilment.
    pub fulfilment: Fulfilment,
}

/// Follow-up work at the payment provider that a stored change calls for.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Settlement {
    pub(super) refund_due: Option<Money>,
    pub(super) void_due: bool,
}

impl Commerce {
    /// An order, for its customer or an admin. Another customer gets `Forbidden`; sellers
    /// use [`Commerce::shop_orders`].
    pub async fn order(&self, actor: Principal, id: OrderId) -> Result<Order, Error> {
        let order = self.load_order(id).await?;
        actor.require_customer(order.customer, "read order")?;
        Ok(order)
    }

    /// An order by its number, with the same access rule as [`Commerce::order`].
    pub async fn order_by_number(&self, actor: Principal, number: &str) -> Result<Order, Error> {
        let number = OrderNumber::parse(number)?;
        let order = self
            .stores
            .orders
            .order_by_number(&number)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Order, &number))?;
        actor.require_customer(order.customer, "read order")?;
        Ok(order)
    }

    /// The signed-in customer's orders, newest first.
    pub async fn my_orders(&self, actor: Principal) -> Result<Vec<Order>, Error> {
        let Principal::Customer(customer) = actor else {
            return Err(Error::forbidden("list orders"));
        };
        self.stores.orders.orders_of_customer(customer).await
    }

    /// The seller's part of every order with lines from their shop, newest first.
    pub async fn shop_orders(&self, actor: Principal) -> Result<Vec<ShopOrder>, Error> {
        let Principal::Seller(seller) = actor else {
            return Err(Error::forbidden("list shop orders"));
        };
        let Some(shop) = self.stores.catalog.shop_of_seller(seller).await? else {
            return Ok(Vec::new());
        };
        let orders = self.stores.orders.orders_of_shop(shop.id).await?;
        Ok(orders
            .into_iter()
            .filter_map(|order| {
                let fulfilment = order
                    .fulfilments
                    .iter()
                    .find(|f| f.shop == shop.id)?
                    .clone();
                Some(ShopOrder {
                    order: order.id,
                    number: order.number.clone(),
                    status: order.status,
                    lines: fulfilment
                        .lines
                        .iter()
                        .filter_map(|&i| order.lines.get(i).cloned())
                        .collect(),
                    fulfilment,
                })
            })
            .collect())
    }

    /// Cancels an order: its customer or an admin may, before it ships. Unpaid, the
    /// stock is released and the open payment voided; paid, the stock is restocked and
    /// everything captured is refunded. The `reason` may be
    /// empty, otherwise one line of at most [`MAX_LINE_CHARS`] characters ([`crate::text`]).
    pub async fn cancel_order(
        &self,
        actor: Principal,
        id: OrderId,
        reason: &str,
    ) -> Result<Order, Error> {
        let reason = &checked_reason(reason)?;
        let order = self.load_order(id).await?;
        actor.require_customer(order.customer, "cancel order")?;
        let now = self.now();
        let (order, settlement) = self
            .change_order(id, |order| {
                order.cancel(actor.into(), reason, now).map(Some)
            })
            .await?;
        self.settle(order, settlement, Actor::from(actor)).await
    }

    /// Refunds part or all of what was captured (admins only). More than was captured
    /// and not yet refunded is `InvalidInput` on `amount` and nothing is refunded. A retry
    /// with the same key refunds once. The `reason` may be
    /// empty, otherwise one line of at most [`MAX_LINE_CHARS`] characters ([`crate::text`]).
    pub async fn refund(
        &self,
        actor: Principal,
        id: OrderId,
        amount: Money,
        reason: &str,
        key: &IdempotencyKey,
    ) -> Result<Order, Error> {
        actor.require_admin("refund order")?;
        let reason = &checked_reason(reason)?;
        let order = self.load_order(id).await?;
        let key = key.derive("refund");
        let refund_id = RefundId::from_uuid(key.stable_uuid());
        if order.payment.refunds.iter().any(|r| r.id == refund_id) {
            return Ok(order); // a retry of a refund already made
        }
        // Check with the domain's own rule before any money moves.
        let mut trial = order.clone();
        trial.record_refund(
            Refund {
                id: refund_id,
                amount,
                reason: reason.to_owned(),
                provider_reference: None,
                at: self.now(),
            },
            actor.into(),
            self.now(),
        )?;
        self.refund_now(order, amount, reason, &key, actor.into())
            .await
    }

    /// Moves an order on without side effects of its own (admins only): to processing or
    /// completed, or marks it returned (which restocks). The `reason` may be empty,
    /// otherwise one line of at most [`MAX_LINE_CHARS`] characters ([`crate::text`]).
    pub async fn set_order_status(
        &self,
        actor: Principal,
        id: OrderId,
        to: OrderStatus,
        reason: &str,
    ) -> Result<Order, Error> {
        actor.require_admin("change order status")?;
        let reason = &checked_reason(reason)?;
        let now = self.now();
        let (order, _) = self
            .change_order(id, |order| {
                order.advance(to, actor.into(), reason, now).map(Some)
            })
            .await?;
        Ok(order)
    }

    /// Cancels every unpaid order whose reservation lapsed, releasing its stock and
    /// voiding its open payment. Run it periodically; returns the orders cancelled.
    pub async fn expire_unpaid_orders(&self) -> Result<Vec<Order>, Error> {
        self.expire_unpaid_orders_at(self.now()).await
    }

    pub(super) async fn expire_unpaid_orders_at(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Order>, Error> {
        let mut cancelled = Vec::new();
        for order in self.stores.orders.unpaid_expired(now).await? {
            let result = self
                .change_order(order.id, |order| {
                    if order.status != OrderStatus::PendingPayment {
                        return Ok(None); // paid meanwhile
                    }
                    order
                        .cancel(Actor::System, "payment not received in time", now)
                        .map(Some)
                })
                .await;
            match result {
                Ok((order, settlement)) if order.status == OrderStatus::Cancelled => {
                    cancelled.push(self.settle(order, settlement, Actor::System).await?);
                }
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(cancelled)
    }

    pub(super) async fn load_order(&self, id: OrderId) -> Result<Order, Error> {
        self.stores
            .orders
            .order(id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Order, id))
    }

    /// Applies a pure change to the latest copy of an order and stores it with a
    /// compare-and-swap on its version, recomputing from a fresh copy when another writer
    /// got there first. `Ok(None)` from `change` means "nothing to do".
    pub(super) async fn change_order<F>(
        &self,
        id: OrderId,
        mut change: F,
    ) -> Result<(Order, Settlement), Error>
    where
        F: FnMut(&mut Order) -> Result<Option<Effects>, Error> + Send,
    {
        let mut attempt = 0;
        loop {
            let order = self.load_order(id).await?;
            let mut next = order.clone();
            let Some(effects) = change(&mut next)? else {
                return Ok((order, Settlement::default()));
            };
            let settlement = Settlement {
                refund_due: effects.refund_due,
                void_due: effects.void_due,
            };
            match self
                .stores
                .orders
                .update_order(next.into_update(&order, effects))
                .await
            {
                Ok(stored) => return Ok((stored, settlement)),
                Err(e) if e.kind() == ErrorKind::Conflict && attempt < self.config.max_retries => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Does the provider-side work a stored change called for: voids an open payment,
    /// refunds money held for a cancelled order.
    pub(super) async fn settle(
        &self,
        order: Order,
        settlement: Settlement,
        actor: Actor,
    ) -> Result<Order, Error> {
        let Some(reference) = order.payment.reference.clone() else {
            return Ok(order);
        };
        if settlement.void_due {
            let key = self.order_key(&order, "void")?;
            match self.payments.cancel(&reference, &key).await {
                // Captured meanwhile: its success notice will flag the refund.
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        match settlement.refund_due {
            Some(amount) => {
                let key = self.order_key(&order, "cancel-refund")?;
                self.refund_now(order, amount, "order cancelled", &key, actor)
                    .await
            }
            None => Ok(order),
        }
    }

    /// Refunds at the provider, then records the refund on the order (once, however often
    /// this runs with the same key).
    async fn refund_now(
        &self,
        order: Order,
        amount: Money,
        reason: &str,
        key: &IdempotencyKey,
        actor: Actor,
    ) -> Result<Order, Error> {
        let Some(reference) = order.payment.reference.clone() else {
            return Err(Error::invalid("order", "nothing was paid"));
        };
        let refund = self.payments.refund(&reference, amount, key).await?;
        let now = self.now();
        let (order, _) = self
            .change_order(order.id, |order| {
                let before = order.payment.refunds.len();
                let effects = order.record_refund(
                    Refund {
                        id: RefundId::from_uuid(key.stable_uuid()),
                        amount: refund.amount,
                        reason: reason.to_owned(),
                        provider_reference: Some(refund.reference.clone()),
                        at: now,
                    },
                    actor.clone(),
                    now,
                )?;
                Ok((order.payment.refunds.len() > before).then_some(effects))
            })
            .await?;
        Ok(order)
    }

    /// An idempotency key for one provider step of one order.
    pub(super) fn order_key(&self, order: &Order, step: &str) -> Result<IdempotencyKey, Error> {
        IdempotencyKey::parse(&format!("order-{}-{step}", order.id))
    }
}

/// A cancellation, refund or status-change reason: possibly empty, otherwise one line of
/// at most [`MAX_LINE_CHARS`] characters by the rule of [`crate::text`]
/// ([`Error::InvalidInput`] on `reason`).
fn checked_reason(raw: &str) -> Result<String, Error> {
    Ok(crate::text::optional_line("reason", Some(raw), MAX_LINE_CHARS)?.unwrap_or_default())
}
