//! In-memory inventory: levels, policies, reservations and subscriptions under one lock.
//!
//! Every change works on a scratch copy of the levels of the SKUs it touches; only when
//! the whole change succeeded are the copies written back, the events derived (by
//! [`crate::inventory::stock_events`]) and pushed to the outbox, all while the lock is
//! held. So a refused change changes nothing, and no reader ever sees half of one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{MemoryOutbox, lock};
use crate::catalog::Sku;
use crate::error::{Entity, Error};
use crate::events::EventRecord;
use crate::ids::{CustomerId, LocationId, ReservationId};
use crate::inventory::{
    Reservation, ReservationRequest, ReservationState, StockEffect, StockLevel, StockPolicy,
    check_request, plan_reservation, stock_events, total_available,
};
use crate::ports::InventoryStore;

/// Stock levels, policies and reservations.
#[derive(Debug)]
pub struct MemoryInventory {
    state: Mutex<State>,
    outbox: Arc<MemoryOutbox>,
}

type Levels = BTreeMap<LocationId, StockLevel>;

#[derive(Debug, Default)]
struct State {
    levels: HashMap<Sku, Levels>,
    policies: HashMap<Sku, StockPolicy>,
    reservations: HashMap<ReservationId, Reservation>,
    subscribers: HashMap<Sku, Vec<CustomerId>>,
}

/// Scratch copies of the levels of the SKUs a change touches.
#[derive(Debug, Default)]
struct Scratch(BTreeMap<Sku, Levels>);

impl Scratch {
    fn levels(&self, sku: &Sku) -> Vec<StockLevel> {
        self.0
            .get(sku)
            .map(|levels| levels.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The level at `location`, created at zero if the SKU has none there.
    fn level_or_new(&mut self, sku: &Sku, location: LocationId) -> &mut StockLevel {
        self.0
            .entry(sku.clone())
            .or_default()
            .entry(location)
            .or_insert_with(|| StockLevel {
                sku: sku.clone(),
                location,
                on_hand: 0,
                reserved: 0,
            })
    }

    /// The level at `location`, which a reservation's units say must exist.
    fn level(&mut self, sku: &Sku, location: LocationId) -> Result<&mut StockLevel, Error> {
        self.0
            .get_mut(sku)
            .and_then(|levels| levels.get_mut(&location))
            .ok_or_else(|| Error::not_found(Entity::Stock, format!("{sku} at {location}")))
    }
}

fn add(value: i64, delta: i64) -> Result<i64, Error> {
    value
        .checked_add(delta)
        .ok_or_else(|| Error::invalid("quantity", "stock count out of range"))
}

impl State {
    fn levels_of(&self, sku: &Sku) -> Vec<StockLevel> {
        self.levels
            .get(sku)
            .map(|levels| levels.values().cloned().collect())
            .unwrap_or_default()
    }

    fn policy_of(&self, sku: &Sku) -> StockPolicy {
        self.policies
            .get(sku)
            .cloned()
            .unwrap_or_else(|| StockPolicy::strict(sku.clone()))
    }

    /// Runs `f` on scratch copies of `skus`' levels; if it succeeds, writes them back and
    /// returns its result with the events of the change.
    fn change<T>(
        &mut self,
        skus: BTreeSet<Sku>,
        at: DateTime<Utc>,
        f: impl FnOnce(&State, &mut Scratch) -> Result<T, Error>,
    ) -> Result<(T, Vec<EventRecord>), Error> {
        let before = Scratch(
            skus.into_iter()
                .map(|sku| {
                    let levels = self.levels.get(&sku).cloned().unwrap_or_default();
                    (sku, levels)
                })
                .collect(),
        );
        let mut after = Scratch(before.0.clone());
        let out = f(self, &mut after)?;

        let mut events = Vec::new();
        for (sku, levels) in after.0 {
            let policy = self.policy_of(&sku);
            let before = before.levels(&sku);
            let now: Vec<StockLevel> = levels.values().cloned().collect();
            let mut subscribers = self.subscribers.remove(&sku).unwrap_or_default();
            events.extend(stock_events(&policy, &before, &now, &mut subscribers, at));
            if !subscribers.is_empty() {
                self.subscribers.insert(sku.clone(), subscribers);
            }
            if !levels.is_empty() {
                self.levels.insert(sku, levels);
            }
        }
        Ok((out, events))
    }

    fn reserve(
        &mut self,
        request: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<(Reservation, Vec<EventRecord>), Error> {
        let skus = check_request(&request)?;
        if let Some(existing) = self.reservations.get(&request.id) {
            return Ok((existing.clone(), Vec::new()));
        }
        let (units, events) = self.change(skus.into_iter().collect(), at, |state, scratch| {
            let mut units = Vec::new();
            for line in &request.lines {
                let policy = state.policy_of(&line.sku);
                let plan = plan_reservation(&scratch.levels(&line.sku), &policy, line.quantity)?;
                for held in &plan {
                    let level = scratch.level(&held.sku, held.location)?;
                    level.reserved = add(level.reserved, i64::from(held.quantity))?;
                }
                units.extend(plan);
            }
            Ok(units)
        })?;
        let reservation = Reservation {
            id: request.id,
            units,
            expires_at: request.expires_at,
            state: ReservationState::Held,
        };
        self.reservations
            .insert(reservation.id, reservation.clone());
        Ok((reservation, events))
    }

    /// Applies `effect` to each reservation in `ids` it applies to (see
    /// [`StockEffect::transition`]), all or none; the others are left as they are.
    /// Returns every reservation named, after the change.
    fn apply(
        &mut self,
        ids: &[ReservationId],
        effect: StockEffect,
        at: DateTime<Utc>,
    ) -> Result<(Vec<Reservation>, Vec<EventRecord>), Error> {
        let mut moving = Vec::new();
        for id in ids {
            let reservation = self
                .reservations
                .get(id)
                .ok_or_else(|| Error::not_found(Entity::Reservation, id))?;
            if let Some(next) = effect.transition(reservation.state) {
                moving.push((reservation.clone(), next));
            }
        }
        let skus = moving
            .iter()
            .flat_map(|(r, _)| r.units.iter().map(|u| u.sku.clone()))
            .collect();
        let ((), events) = self.change(skus, at, |_, scratch| {
            for (reservation, _) in &moving {
                for units in &reservation.units {
                    let level = scratch.level(&units.sku, units.location)?;
                    let (on_hand, reserved) = effect.level_deltas(units.quantity);
                    level.on_hand = add(level.on_hand, on_hand)?;
                    level.reserved = add(level.reserved, reserved)?;
                }
            }
            Ok(())
        })?;
        for (reservation, next) in moving {
            if let Some(stored) = self.reservations.get_mut(&reservation.id) {
                stored.state = next;
            }
        }
        let after = ids
            .iter()
            .filter_map(|id| self.reservations.get(id).cloned())
            .collect();
        Ok((after, events))
    }

    fn adjust(
        &mut self,
        sku: &Sku,
        location: LocationId,
        delta: i64,
        at: DateTime<Utc>,
    ) -> Result<(StockLevel, Vec<EventRecord>), Error> {
        self.change(BTreeSet::from([sku.clone()]), at, |_, scratch| {
            let level = scratch.level_or_new(sku, location);
            level.adjust(delta)?;
            Ok(level.clone())
        })
    }
}

impl MemoryInventory {
    /// `(sku, available over every location, threshold)` for each SKU with a low-stock
    /// threshold and at least one level whose available units are at or below it.
    pub(crate) fn low_stock_levels(&self) -> Result<Vec<(Sku, i64, u32)>, Error> {
        let state = lock(&self.state)?;
        Ok(state
            .policies
            .iter()
            .filter_map(|(sku, policy)| {
                let threshold = policy.low_stock_threshold?;
                let levels = state.levels.get(sku).filter(|l| !l.is_empty())?;
                let available: i64 = levels.values().map(StockLevel::available).sum();
                (available <= i64::from(threshold)).then(|| (sku.clone(), available, threshold))
            })
            .collect())
    }

    /// No stock; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryInventory {
            state: Mutex::new(State::default()),
            outbox,
        }
    }

    /// Reserves as `InventoryStore::reserve` does, for a caller that holds its own lock
    /// (placing an order). Takes the inventory lock, then pushes the events to the
    /// outbox.
    pub(crate) fn reserve_now(
        &self,
        request: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error> {
        let mut state = lock(&self.state)?;
        let (reservation, events) = state.reserve(request, at)?;
        self.outbox.push(events)?;
        Ok(reservation)
    }

    /// Applies an order's stock effect to its reservation, for a caller holding its own
    /// lock (updating an order). A no-op when the effect does not apply in the
    /// reservation's state (see [`StockEffect`]); `NotFound` when the reservation does
    /// not exist and the effect is not `None`.
    pub(crate) fn apply_effect(
        &self,
        id: ReservationId,
        effect: StockEffect,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        if effect == StockEffect::None {
            return Ok(());
        }
        let mut state = lock(&self.state)?;
        let (_, events) = state.apply(&[id], effect, at)?;
        self.outbox.push(events)
    }

    /// Applies `effect` to one reservation and returns it; a reservation in one of the
    /// `conflicting` states is refused with `Conflict` (naming the `action`) instead of
    /// being left as it is.
    fn transition(
        &self,
        id: ReservationId,
        effect: StockEffect,
        conflicting: &[ReservationState],
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error> {
        let mut state = lock(&self.state)?;
        let current = state
            .reservations
            .get(&id)
            .ok_or_else(|| Error::not_found(Entity::Reservation, id))?
            .state;
        if conflicting.contains(&current) {
            return Err(Error::Conflict(format!(
                "reservation {id} is {}, it cannot be {action}",
                format!("{current:?}").to_lowercase()
            )));
        }
        let (mut reservations, events) = state.apply(&[id], effect, at)?;
        self.outbox.push(events)?;
        reservations
            .pop()
            .ok_or_else(|| Error::not_found(Entity::Reservation, id))
    }
}

#[async_trait]
impl InventoryStore for MemoryInventory {
    async fn set_policy(&self, policy: StockPolicy) -> Result<(), Error> {
        lock(&self.state)?
            .policies
            .insert(policy.sku.clone(), policy);
        Ok(())
    }

    async fn policy(&self, sku: &Sku) -> Result<StockPolicy, Error> {
        Ok(lock(&self.state)?.policy_of(sku))
    }

    async fn adjust_stock(
        &self,
        sku: &Sku,
        location: LocationId,
        delta: i64,
        at: DateTime<Utc>,
    ) -> Result<StockLevel, Error> {
        let mut state = lock(&self.state)?;
        let (level, events) = state.adjust(sku, location, delta, at)?;
        self.outbox.push(events)?;
        Ok(level)
    }

    async fn levels(&self, sku: &Sku) -> Result<Vec<StockLevel>, Error> {
        Ok(lock(&self.state)?.levels_of(sku))
    }

    async fn available(&self, sku: &Sku) -> Result<i64, Error> {
        Ok(total_available(&lock(&self.state)?.levels_of(sku)))
    }

    async fn reserve(
        &self,
        request: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error> {
        self.reserve_now(request, at)
    }

    async fn reservation(&self, id: ReservationId) -> Result<Option<Reservation>, Error> {
        Ok(lock(&self.state)?.reservations.get(&id).cloned())
    }

    async fn commit(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        self.transition(
            id,
            StockEffect::Commit,
            &[ReservationState::Released, ReservationState::Restocked],
            "committed",
            at,
        )
    }

    async fn release(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        self.transition(id, StockEffect::Release, &[], "released", at)
    }

    async fn restock(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        self.transition(id, StockEffect::Restock, &[], "restocked", at)
    }

    async fn expire_reservations(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>, Error> {
        let mut state = lock(&self.state)?;
        let mut expired: Vec<&Reservation> = state
            .reservations
            .values()
            .filter(|r| r.is_expired(now))
            .collect();
        expired.sort_by_key(|r| (r.expires_at, r.id));
        let ids: Vec<ReservationId> = expired.into_iter().map(|r| r.id).collect();
        let (released, events) = state.apply(&ids, StockEffect::Release, now)?;
        self.outbox.push(events)?;
        Ok(released)
    }

    async fn subscribe_back_in_stock(&self, sku: &Sku, customer: CustomerId) -> Result<(), Error> {
        let mut state = lock(&self.state)?;
        let subscribers = state.subscribers.entry(sku.clone()).or_default();
        if !subscribers.contains(&customer) {
            subscribers.push(customer);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::inventory::ReservationLine;
    use crate::ports::Outbox;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn mug() -> Sku {
        Sku::parse("MUG-1").unwrap()
    }

    async fn stocked(units: i64) -> (MemoryInventory, Arc<MemoryOutbox>) {
        let outbox = Arc::new(MemoryOutbox::new());
        let inventory = MemoryInventory::new(outbox.clone());
        inventory
            .adjust_stock(&mug(), LocationId::from_u128(1), units, now())
            .await
            .unwrap();
        (inventory, outbox)
    }

    fn hold(id: u128, quantity: u32) -> ReservationRequest {
        ReservationRequest {
            id: ReservationId::from_u128(id),
            lines: vec![ReservationLine {
                sku: mug(),
                quantity,
            }],
            expires_at: now(),
        }
    }

    async fn on_hand_and_reserved(inventory: &MemoryInventory) -> (i64, i64) {
        let levels = inventory.levels(&mug()).await.unwrap();
        (levels[0].on_hand, levels[0].reserved)
    }

    #[tokio::test]
    async fn reserve_now_holds_stock_and_writes_its_events() {
        let (inventory, outbox) = stocked(3).await;
        let policy = StockPolicy {
            low_stock_threshold: Some(1),
            ..StockPolicy::strict(mug())
        };
        inventory.set_policy(policy).await.unwrap();
        inventory.reserve_now(hold(1, 2), now()).unwrap();
        assert_eq!(on_hand_and_reserved(&inventory).await, (3, 2));
        let names: Vec<&str> = outbox
            .unpublished(10)
            .await
            .unwrap()
            .iter()
            .map(|e| e.record.event.name())
            .collect();
        assert_eq!(
            names,
            ["stock.increased", "stock.back_in_stock", "stock.low"]
        );
    }

    #[tokio::test]
    async fn apply_effect_follows_the_reservation_life_and_ignores_mismatches() {
        let (inventory, _) = stocked(10).await;
        let id = ReservationId::from_u128(1);
        inventory.reserve_now(hold(1, 4), now()).unwrap();

        inventory
            .apply_effect(id, StockEffect::Restock, now())
            .unwrap();
        assert_eq!(on_hand_and_reserved(&inventory).await, (10, 4));

        inventory
            .apply_effect(id, StockEffect::Commit, now())
            .unwrap();
        assert_eq!(on_hand_and_reserved(&inventory).await, (6, 0));
        inventory
            .apply_effect(id, StockEffect::Commit, now())
            .unwrap();
        inventory
            .apply_effect(id, StockEffect::Release, now())
            .unwrap();
        assert_eq!(on_hand_and_reserved(&inventory).await, (6, 0));

        inventory
            .apply_effect(id, StockEffect::Restock, now())
            .unwrap();
        assert_eq!(on_hand_and_reserved(&inventory).await, (10, 0));
        let state = inventory.reservation(id).await.unwrap().unwrap().state;
        assert_eq!(state, ReservationState::Restocked);
    }

    #[tokio::test]
    async fn apply_effect_on_an_absent_reservation_is_not_found_unless_it_does_nothing() {
        let (inventory, _) = stocked(1).await;
        let absent = ReservationId::from_u128(9);
        assert!(
            inventory
                .apply_effect(absent, StockEffect::None, now())
                .is_ok()
        );
        for effect in [
            StockEffect::Commit,
            StockEffect::Release,
            StockEffect::Restock,
        ] {
            assert!(matches!(
                inventory.apply_effect(absent, effect, now()),
                Err(Error::NotFound {
                    entity: Entity::Reservation,
                    ..
                })
            ));
        }
    }
}
