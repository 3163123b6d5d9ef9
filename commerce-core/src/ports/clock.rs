//! The clock port: time is an input.

use chrono::{DateTime, Utc};

/// Tells the time. The engine never reads the system clock directly, so tests can move
/// time forward instead of sleeping.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
