//! Building an order from a priced cart.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::{
    Fulfilment, FulfilmentStatus, HistoryEntry, Order, OrderLine, OrderNumber, OrderPayment,
    OrderStatus,
};
use crate::cart::Cart;
use crate::catalog::Catalog;
use crate::error::{Entity, Error};
use crate::events::{DomainEvent, EventRecord};
use crate::identity::{Actor, NewAddress};
use crate::ids::{CustomerId, FulfilmentId, OrderId, ReservationId, ShopId};
use crate::inventory::{ReservationLine, ReservationRequest};
use crate::money::Money;
use crate::payment::CaptureMode;
use crate::pricing::{PricedCart, PromotionResult};

/// What checkout decided, ready to be stored atomically.
#[derive(Clone, Debug)]
pub struct NewOrder {
    /// The order, pending payment.
    pub order: Order,
    /// The stock to hold for it.
    pub reservation: ReservationRequest,
    /// `order.created` and `cart.checked_out`.
    pub events: Vec<EventRecord>,
}

/// The inputs of [`Order::place`].
#[derive(Clone, Copy, Debug)]
pub struct Placement<'a> {
    /// The new order's id.
    pub id: OrderId,
    /// Its number.
    pub number: &'a OrderNumber,
    /// The buyer.
    pub customer: CustomerId,
    /// The cart, still open.
    pub cart: &'a Cart,
    /// The cart priced now.
    pub priced: &'a PricedCart,
    /// The catalog it was priced against (for each line's shop).
    pub catalog: &'a Catalog,
    /// Where it goes.
    pub ship_to: &'a NewAddress,
    /// Capture mode for the payment.
    pub capture: CaptureMode,
    /// How long stock is held unpaid.
    pub reservation_ttl: Duration,
    /// Now.
    pub now: DateTime<Utc>,
}

impl Order {
    /// Turns a priced cart into an order pending payment, one fulfilment per shop, with
    /// its reservation request and events. Pure: nothing is stored.
    pub fn place(p: Placement<'_>) -> Result<NewOrder, Error> {
        if p.priced.lines.is_empty() {
            return Err(Error::invalid("cart", "the cart is empty"));
        }
        let currency = p.priced.currency;
        let mut lines = Vec::with_capacity(p.priced.lines.len());
        for priced in &p.priced.lines {
            let (product, _) = p
                .catalog
                .variant(priced.variant)
                .ok_or_else(|| Error::not_found(Entity::Variant, priced.variant))?;
            let tax = priced
                .tax
                .as_ref()
                .map_or(Money::zero(currency), |t| t.amount);
            lines.push(OrderLine {
                product: priced.product,
                variant: priced.variant,
                sku: priced.sku.clone(),
                name: priced.name.to_string(),
                shop: product.shop(),
                quantity: priced.quantity,
                unit_price: priced.unit_price.amount,
                discount: priced.discount,
                tax,
                total: priced.gross,
            });
        }
        let shops: BTreeSet<ShopId> = lines.iter().map(|l| l.shop).collect();
        let fulfilments = shops
            .into_iter()
            .enumerate()
            .map(|(n, shop)| Fulfilment {
                id: FulfilmentId::from_uuid(derived(p.id, n)),
                shop,
                lines: (0..lines.len())
                    .filter(|&i| lines[i].shop == shop)
                    .collect(),
                status: FulfilmentStatus::Pending,
                shipments: Vec::new(),
            })
            .collect();
        let promotions = p
            .priced
            .promotions
            .iter()
            .filter(|o| matches!(o.result, PromotionResult::Applied { .. }))
            .map(|o| o.promotion)
            .collect();
        let expires_at = p.now + p.reservation_ttl;
        let mut wanted: Vec<ReservationLine> = Vec::new();
        for line in &lines {
            match wanted.iter_mut().find(|w| w.sku == line.sku) {
                Some(w) => w.quantity = w.quantity.saturating_add(line.quantity),
                None => wanted.push(ReservationLine {
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                }),
            }
        }
        let order = Order {
            id: p.id,
            number: p.number.clone(),
            customer: p.customer,
            cart: p.cart.id(),
            cart_purpose: p.cart.purpose(),
            currency,
            status: OrderStatus::PendingPayment,
            lines,
            fulfilments,
            totals: p.priced.totals,
            promotions,
            ship_to: p.ship_to.clone(),
            payment: OrderPayment {
                capture: p.capture,
                reference: None,
                authorized: Money::zero(currency),
                captured: Money::zero(currency),
                refunded: Money::zero(currency),
                refunds: Vec::new(),
                last_failure: None,
                applied_notices: BTreeSet::new(),
                shortfall: None,
            },
            history: vec![HistoryEntry {
                at: p.now,
                actor: Actor::Principal(crate::identity::Principal::Customer(p.customer)),
                from: None,
                to: OrderStatus::PendingPayment,
                reason: "placed".into(),
            }],
            reservation_expires_at: expires_at,
            created_at: p.now,
            version: 1,
        };
        let events = vec![
            EventRecord::new(
                p.now,
                DomainEvent::OrderCreated {
                    order: order.id,
                    number: order.number.to_string(),
                    customer: order.customer,
                    total: order.totals.total,
                },
            ),
            EventRecord::new(
                p.now,
                DomainEvent::CartCheckedOut {
                    cart: order.cart,
                    order: order.id,
                },
            ),
        ];
        Ok(NewOrder {
            reservation: ReservationRequest {
                id: order.reservation_id(),
                lines: wanted,
                expires_at,
            },
            order,
            events,
        })
    }

    /// When the order last changed: its last transition, or its placing. Storage applies
    /// an update's stock effect at this instant.
    pub fn changed_at(&self) -> DateTime<Utc> {
        self.history.last().map_or(self.created_at, |h| h.at)
    }

    /// The id of the order's stock reservation (the order's UUID).
    pub fn reservation_id(&self) -> ReservationId {
        ReservationId::from_uuid(self.id.as_uuid())
    }
}

/// A stable UUID derived from the order's for its `n`th part.
fn derived(order: OrderId, n: usize) -> uuid::Uuid {
    let base = order.as_uuid().as_u128();
    uuid::Uuid::from_u128(base ^ ((n as u128 + 1) << 64))
}
