//! The order state machine: one enum, one transition function.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Where an order is in its life.
///
/// ```text
/// pending_payment ─► paid ─► processing ─► partially_shipped ─► shipped ─► delivered ─► completed
///        │             │          │                                          │  │          │
///        ▼             ▼          ▼                                          ▼  ▼          ▼
///    cancelled     cancelled  cancelled                      returned / partially_refunded / refunded
/// ```
///
/// `paid` and `processing` may also go straight to `partially_shipped` or `shipped`;
/// every state from `paid` on but `cancelled` and `refunded` goes to `partially_refunded`
/// or `refunded` when money goes back (`returned` and `partially_refunded` may go on to
/// more refunds). A partially refunded order that had not shipped everything still ships
/// the rest: its fulfilments move on, the order stays `partially_refunded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed; stock reserved; waiting for the money.
    PendingPayment,
    /// Paid in full; stock committed.
    Paid,
    /// Being picked and packed.
    Processing,
    /// Some shops' parcels are on their way.
    PartiallyShipped,
    /// Every parcel is on its way.
    Shipped,
    /// Every parcel arrived.
    Delivered,
    /// Closed; past the return window.
    Completed,
    /// Cancelled before shipping; anything paid was refunded.
    Cancelled,
    /// Sent back by the customer.
    Returned,
    /// Part of the captured amount was refunded.
    PartiallyRefunded,
    /// Everything captured was refunded.
    Refunded,
}

impl OrderStatus {
    /// Every state, in the order of the happy path first.
    pub const ALL: [OrderStatus; 11] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Processing,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Returned,
        OrderStatus::PartiallyRefunded,
        OrderStatus::Refunded,
    ];

    /// Whether the machine allows `self → to`.
    pub fn allows(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (PendingPayment, Paid | Cancelled)
                | (Paid, Processing | PartiallyShipped | Shipped | Cancelled)
                | (Processing, PartiallyShipped | Shipped | Cancelled)
                | (PartiallyShipped, Shipped)
                | (Shipped, Delivered)
                | (
                    Paid | Processing | PartiallyShipped | Shipped,
                    PartiallyRefunded | Refunded
                )
                | (
                    Delivered,
                    Completed | Returned | PartiallyRefunded | Refunded
                )
                | (Completed, Returned | PartiallyRefunded | Refunded)
                | (Returned, PartiallyRefunded | Refunded)
                | (PartiallyRefunded, PartiallyRefunded | Refunded)
        )
    }

    /// The transition function: `to` if the machine allows it, else an
    /// [`Error::InvalidTransition`] naming both states.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, Error> {
        if self.allows(to) {
            Ok(to)
        } else {
            Err(Error::InvalidTransition { from: self, to })
        }
    }

    /// Whether no transition leaves this state.
    pub fn is_terminal(self) -> bool {
        OrderStatus::ALL.iter().all(|&to| !self.allows(to))
    }

    /// Whether money has been taken (and not fully given back).
    pub fn is_paid(self) -> bool {
        !matches!(
            self,
            OrderStatus::PendingPayment | OrderStatus::Cancelled | OrderStatus::Refunded
        )
    }

    /// SPEC's snake_case name, e.g. `"pending_payment"`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Processing => "processing",
            OrderStatus::PartiallyShipped => "partially_shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Returned => "returned",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::Refunded => "refunded",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
