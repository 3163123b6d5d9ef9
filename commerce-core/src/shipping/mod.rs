//! Shipping and tracking: parcels per fulfilment with a carrier and tracking number, and
//! the tracking updates that move an order to shipped and delivered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ids::ShipmentId;

/// Where a parcel is, as carriers report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    /// Handed to the carrier, label created.
    LabelCreated,
    /// Moving through the network.
    InTransit,
    /// On the van.
    OutForDelivery,
    /// Arrived.
    Delivered,
    /// Something went wrong (damaged, address problem); a later update may resolve it.
    Exception,
}

impl TrackingStatus {
    /// Whether the parcel has arrived.
    pub fn is_delivered(self) -> bool {
        self == TrackingStatus::Delivered
    }
}

/// One tracking update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEvent {
    /// When the carrier saw it.
    pub at: DateTime<Utc>,
    /// The status reported.
    pub status: TrackingStatus,
    /// Free text from the carrier ("Arrived at sort facility"), possibly empty: one line
    /// of at most [`TrackingEvent::MAX_DETAIL_CHARS`] characters.
    pub detail: String,
}

impl TrackingEvent {
    /// The most characters a tracking detail may have.
    pub const MAX_DETAIL_CHARS: usize = 500;
}

/// A parcel sent for a fulfilment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// Its id.
    pub id: ShipmentId,
    /// The carrier's name ("DHL").
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// Latest status.
    pub status: TrackingStatus,
    /// Every update received, oldest first.
    pub events: Vec<TrackingEvent>,
}

/// A carrier and tracking number, checked: each one line of 1 to
/// [`Consignment::MAX_CHARS`] characters (the rule of [`crate::text`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consignment {
    carrier: String,
    tracking_number: String,
}

impl Consignment {
    /// The most characters a carrier name or a tracking number may have.
    pub const MAX_CHARS: usize = 60;

    /// Parses a carrier name and tracking number.
    pub fn parse(carrier: &str, tracking_number: &str) -> Result<Self, Error> {
        Ok(Consignment {
            carrier: crate::text::line("carrier", carrier, Self::MAX_CHARS)?,
            tracking_number: crate::text::line(
                "tracking_number",
                tracking_number,
                Self::MAX_CHARS,
            )?,
        })
    }

    /// The carrier.
    pub fn carrier(&self) -> &str {
        &self.carrier
    }

    /// The tracking number.
    pub fn tracking_number(&self) -> &str {
        &self.tracking_number
    }
}
