//! Orders: the state machine, the order record with its line snapshots, fulfilments per
//! shop, payment summary and history, and the pure functions that compute each change.

mod changes;
mod number;
mod place;
mod record;
mod status;

pub use changes::Effects;
pub use place::{NewOrder, Placement};

pub use number::OrderNumber;
pub use record::{
    Fulfilment, FulfilmentStatus, HistoryEntry, Order, OrderLine, OrderPayment, Refund, Shortfall,
};
pub use status::OrderStatus;
