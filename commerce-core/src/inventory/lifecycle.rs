//! A reservation's life: which [`StockEffect`] applies in which state, and what it does
//! to the stock levels holding the reservation's units.

use chrono::{DateTime, Utc};

use super::{Reservation, ReservationState, StockEffect};

impl StockEffect {
    /// The state a reservation in `state` moves to under this effect, or `None` when
    /// the effect does not apply there (it is then a no-op): commit and release apply
    /// to a held reservation, restock to a committed one.
    pub fn transition(self, state: ReservationState) -> Option<ReservationState> {
        match (self, state) {
            (StockEffect::Commit, ReservationState::Held) => Some(ReservationState::Committed),
            (StockEffect::Release, ReservationState::Held) => Some(ReservationState::Released),
            (StockEffect::Restock, ReservationState::Committed) => {
                Some(ReservationState::Restocked)
            }
            _ => None,
        }
    }

    /// What applying the effect does to a level holding `quantity` of the reservation's
    /// units: the changes to `(on_hand, reserved)`. Commit takes the units off both,
    /// release off `reserved`, restock puts them back on hand.
    pub fn level_deltas(self, quantity: u32) -> (i64, i64) {
        let q = i64::from(quantity);
        match self {
            StockEffect::None => (0, 0),
            StockEffect::Commit => (-q, -q),
            StockEffect::Release => (0, -q),
            StockEffect::Restock => (q, 0),
        }
    }
}

impl Reservation {
    /// Whether the hold has lapsed at `now`: still held and its expiry at or before `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.state == ReservationState::Held && self.expires_at <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReservationState::{Committed, Held, Released, Restocked};

    const STATES: [ReservationState; 4] = [Held, Committed, Released, Restocked];

    #[test]
    fn each_effect_applies_in_exactly_one_state() {
        let applies = |effect: StockEffect| -> Vec<(ReservationState, ReservationState)> {
            STATES
                .iter()
                .filter_map(|&s| effect.transition(s).map(|to| (s, to)))
                .collect()
        };
        assert_eq!(applies(StockEffect::None), []);
        assert_eq!(applies(StockEffect::Commit), [(Held, Committed)]);
        assert_eq!(applies(StockEffect::Release), [(Held, Released)]);
        assert_eq!(applies(StockEffect::Restock), [(Committed, Restocked)]);
    }

    #[test]
    fn commit_then_restock_leaves_on_hand_as_it_was_before_the_sale() {
        let (commit_on_hand, commit_reserved) = StockEffect::Commit.level_deltas(3);
        let (restock_on_hand, restock_reserved) = StockEffect::Restock.level_deltas(3);
        assert_eq!(commit_on_hand + restock_on_hand, 0);
        // The 3 units held on reservation are gone from `reserved` after the commit.
        assert_eq!(commit_reserved + restock_reserved, -3);
        assert_eq!(StockEffect::Release.level_deltas(3), (0, -3));
    }
}
