//! Use cases: shipping parcels and tracking them.

use crate::error::{Entity, Error};
use crate::identity::Principal;
use crate::ids::{FulfilmentId, OrderId, ShipmentId};
use crate::order::Order;
use crate::shipping::{Consignment, TrackingEvent, TrackingStatus};

use super::Commerce;

impl Commerce {
    /// Ships one shop's part of a paid order with a carrier and tracking number: the
    /// shop's seller or an admin. Returns the order (shipped, or partially shipped while
    /// other shops' parts are pending).
    pub async fn ship(
        &self,
        actor: Principal,
        order: OrderId,
        fulfilment: FulfilmentId,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Order, Error> {
        let consignment = Consignment::parse(carrier, tracking_number)?;
        let current = self.load_order(order).await?;
        let shop = current
            .fulfilments
            .iter()
            .find(|f| f.id == fulfilment)
            .map(|f| f.shop)
            .ok_or_else(|| Error::not_found(Entity::Fulfilment, fulfilment))?;
        self.require_shop_access(actor, shop, "ship order").await?;
        let shipment = ShipmentId::random();
        let now = self.now();
        let (order, _) = self
            .change_order(order, |o| {
                o.ship(fulfilment, shipment, &consignment, actor.into(), now)
                    .map(Some)
            })
            .await?;
        Ok(order)
    }

    /// Records a carrier's tracking update for a parcel (the shop's seller or an admin,
    /// relaying the carrier). When every parcel has arrived the order is delivered.
    pub async fn track_shipment(
        &self,
        actor: Principal,
        order: OrderId,
        shipment: ShipmentId,
        status: TrackingStatus,
        detail: &str,
    ) -> Result<Order, Error> {
        let detail =
            crate::text::optional_line("detail", Some(detail), TrackingEvent::MAX_DETAIL_CHARS)?
                .unwrap_or_default();
        let current = self.load_order(order).await?;
        let shop = current
            .fulfilments
            .iter()
            .find(|f| f.shipments.iter().any(|s| s.id == shipment))
            .map(|f| f.shop)
            .ok_or_else(|| Error::not_found(Entity::Shipment, shipment))?;
        self.require_shop_access(actor, shop, "update tracking")
            .await?;
        let now = self.now();
        let update = TrackingEvent {
            at: now,
            status,
            detail,
        };
        let (order, _) = self
            .change_order(order, |o| o.track(shipment, update.clone(), now).map(Some))
            .await?;
        Ok(order)
    }
}
