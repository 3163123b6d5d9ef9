//! Retry timing for notifications that failed for a reason that may pass.

use chrono::Duration;

/// Exponential backoff with a cap and a limit on attempts: after the `n`th failed
/// attempt (counting from 1) the next one waits `first × 2^(n-1)`, at most `max_delay`;
/// after `max_attempts` failed attempts the notification is given up as failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failed attempt.
    pub first: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// Attempts before giving up (at least 1).
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 30 s, doubling, at most 1 hour, giving up after 10 attempts (about 5 hours).
    fn default() -> Self {
        Backoff {
            first: Duration::seconds(30),
            max_delay: Duration::hours(1),
            max_attempts: 10,
        }
    }
}

impl Backoff {
    /// How long to wait after `attempts` failed attempts (`attempts >= 1`).
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        let factor = 1i32 << doublings;
        self.first
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// Whether a notification that failed `attempts` times should be tried again.
    pub fn retries_after(&self, attempts: u32) -> bool {
        attempts < self.max_attempts.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let backoff = Backoff {
            first: Duration::seconds(10),
            max_delay: Duration::seconds(60),
            max_attempts: 5,
        };
        let delays: Vec<i64> = (1..=5).map(|n| backoff.delay(n).num_seconds()).collect();
        assert_eq!(delays, [10, 20, 40, 60, 60]);
        assert_eq!(backoff.delay(u32::MAX), Duration::seconds(60));
        assert!(backoff.retries_after(4));
        assert!(!backoff.retries_after(5));
    }
}
