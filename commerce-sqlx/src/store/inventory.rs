//! The inventory port: policies, levels and reservations. Every change to levels goes
//! through [`StockChange`] (row-locked read-modify-write, see the `stock` module), in
//! the same transaction as the reservation it belongs to and its events.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::catalog::Sku;
use commerce_core::inventory::{
    Reservation, ReservationRequest, ReservationState, StockEffect, StockLevel, StockPolicy,
    check_request, total_available,
};
use commerce_core::ports::InventoryStore;
use commerce_core::{CustomerId, Entity, Error, LocationId, ReservationId};

use super::stock::{StockChange, levels_of};
use super::{SqlStore, fetch_doc};
use crate::backend::{Backend, Sql};
use crate::error::{DbError, retry};

/// How a reservation state is stored.
fn state_text(state: ReservationState) -> &'static str {
    match state {
        ReservationState::Held => "held",
        ReservationState::Committed => "committed",
        ReservationState::Released => "released",
        ReservationState::Restocked => "restocked",
    }
}

/// A reservation, locked until the transaction ends when `lock` says so.
async fn load_reservation<DB: Backend>(
    conn: &mut DB::Connection,
    id: ReservationId,
    lock: &str,
) -> Result<Option<Reservation>, DbError> {
    let select =
        Sql::new(format!("SELECT doc FROM reservations WHERE id = $1{lock}")).bind(id.as_uuid());
    fetch_doc::<DB, _>(conn, select).await
}

/// Stores a reservation's new state.
async fn store_state<DB: Backend>(
    conn: &mut DB::Connection,
    reservation: &Reservation,
) -> Result<(), DbError> {
    let update = Sql::new("UPDATE reservations SET state = $2, doc = $3 WHERE id = $1")
        .bind(reservation.id.as_uuid())
        .bind(state_text(reservation.state))
        .doc(reservation)?;
    DB::execute(conn, update).await?;
    Ok(())
}

/// Holds `request` in the caller's transaction: every line or none. A request whose id
/// exists returns that reservation unchanged.
pub(crate) async fn reserve_in<DB: Backend>(
    conn: &mut DB::Connection,
    request: &ReservationRequest,
    at: DateTime<Utc>,
) -> Result<Reservation, DbError> {
    let skus: BTreeSet<Sku> = check_request(request)?.into_iter().collect();
    let mut change = StockChange::lock::<DB>(conn, skus).await?;
    // Checked under the locks: a concurrent reserve with the same id (the same SKUs) has
    // committed or not by now.
    if let Some(existing) = load_reservation::<DB>(conn, request.id, "").await? {
        return Ok(existing);
    }
    let units = change.hold(request)?;
    let reservation = Reservation {
        id: request.id,
        units,
        expires_at: request.expires_at,
        state: ReservationState::Held,
    };
    let insert =
        Sql::new("INSERT INTO reservations (id, state, expires_at, doc) VALUES ($1, $2, $3, $4)")
            .bind(reservation.id.as_uuid())
            .bind(state_text(reservation.state))
            .bind(reservation.expires_at)
            .doc(&reservation)?;
    DB::execute(conn, insert).await?;
    change.save::<DB>(conn, at).await?;
    Ok(reservation)
}

/// Applies `effect` to `reservations` (already locked) where it applies in their state,
/// in the caller's transaction; the others are left as they are. Returns them all, after.
async fn apply_in<DB: Backend>(
    conn: &mut DB::Connection,
    reservations: Vec<Reservation>,
    effect: StockEffect,
    at: DateTime<Utc>,
) -> Result<Vec<Reservation>, DbError> {
    let moving: Vec<usize> = (0..reservations.len())
        .filter(|&i| effect.transition(reservations[i].state).is_some())
        .collect();
    if moving.is_empty() {
        return Ok(reservations);
    }
    let skus: BTreeSet<Sku> = moving
        .iter()
        .flat_map(|&i| reservations[i].units.iter().map(|u| u.sku.clone()))
        .collect();
    let mut change = StockChange::lock::<DB>(conn, skus).await?;
    let mut after = reservations;
    for &i in &moving {
        let reservation = &mut after[i];
        change.apply(&reservation.units, effect)?;
        if let Some(next) = effect.transition(reservation.state) {
            reservation.state = next;
        }
        store_state::<DB>(conn, reservation).await?;
    }
    change.save::<DB>(conn, at).await?;
    Ok(after)
}

/// Applies an order's stock effect to its reservation in the caller's transaction: a
/// no-op when it does not apply in the reservation's state; `NotFound` when the
/// reservation is absent and the effect is not `None`.
pub(crate) async fn apply_effect_in<DB: Backend>(
    conn: &mut DB::Connection,
    id: ReservationId,
    effect: StockEffect,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    if effect == StockEffect::None {
        return Ok(());
    }
    let reservation = load_reservation::<DB>(conn, id, DB::FOR_UPDATE)
        .await?
        .ok_or_else(|| Error::not_found(Entity::Reservation, id))?;
    apply_in::<DB>(conn, vec![reservation], effect, at).await?;
    Ok(())
}

impl<DB: Backend> SqlStore<DB> {
    async fn set_policy_once(&self, policy: &StockPolicy) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let upsert = Sql::new(
            "INSERT INTO stock_policies (sku, doc, low_stock_threshold) VALUES ($1, $2, $3) \
             ON CONFLICT (sku) DO UPDATE SET doc = excluded.doc, \
             low_stock_threshold = excluded.low_stock_threshold",
        )
        .bind(policy.sku.as_str())
        .doc(policy)?
        .bind(policy.low_stock_threshold.map(i64::from));
        DB::execute(&mut tx, upsert).await?;
        let levels = Sql::new("UPDATE stock_levels SET allows_backorder = $2 WHERE sku = $1")
            .bind(policy.sku.as_str())
            .bind(policy.backorder);
        DB::execute(&mut tx, levels).await.map_err(|e| match e {
            DbError::Fail(Error::Conflict(_)) => DbError::Fail(Error::Conflict(format!(
                "{} has more reserved than on hand; backorders cannot be turned off until that \
                 is resolved",
                policy.sku
            ))),
            other => other,
        })?;
        tx.commit().await?;
        Ok(())
    }

    async fn adjust_stock_once(
        &self,
        sku: &Sku,
        location: LocationId,
        delta: i64,
        at: DateTime<Utc>,
    ) -> Result<StockLevel, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        // Create the level at zero first, so it exists to be locked: two concurrent first
        // deliveries to a location then add up instead of overwriting each other.
        let skus = BTreeSet::from([sku.clone()]);
        let backorder = super::stock::policies::<DB>(&mut tx, &skus)
            .await?
            .get(sku)
            .is_some_and(|p| p.backorder);
        let create = Sql::new(
            "INSERT INTO stock_levels (sku, location_id, on_hand, reserved, allows_backorder) \
             VALUES ($1, $2, 0, 0, $3) ON CONFLICT (sku, location_id) DO NOTHING",
        )
        .bind(sku.as_str())
        .bind(location.as_uuid())
        .bind(backorder);
        DB::execute(&mut tx, create).await?;
        let mut change = StockChange::lock::<DB>(&mut tx, skus).await?;
        let level = change.level(sku, location)?;
        level.adjust(delta)?;
        let level = level.clone();
        change.save::<DB>(&mut tx, at).await?;
        tx.commit().await?;
        Ok(level)
    }

    async fn reserve_once(
        &self,
        request: &ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let reservation = reserve_in::<DB>(&mut tx, request, at).await?;
        tx.commit().await?;
        Ok(reservation)
    }

    /// Applies `effect` to one reservation; one in a `conflicting` state is refused with
    /// `Conflict` naming the `action`.
    async fn transition_once(
        &self,
        id: ReservationId,
        effect: StockEffect,
        conflicting: &[ReservationState],
        action: &str,
        at: DateTime<Utc>,
    ) -> Result<Reservation, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let reservation = load_reservation::<DB>(&mut tx, id, DB::FOR_UPDATE)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Reservation, id))?;
        if conflicting.contains(&reservation.state) {
            return Err(Error::Conflict(format!(
                "reservation {id} is {}, it cannot be {action}",
                state_text(reservation.state)
            ))
            .into());
        }
        let mut after = apply_in::<DB>(&mut tx, vec![reservation], effect, at).await?;
        tx.commit().await?;
        after
            .pop()
            .ok_or_else(|| Error::not_found(Entity::Reservation, id).into())
    }

    async fn expire_once(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let select = Sql::new(format!(
            "SELECT doc FROM reservations WHERE state = 'held' AND expires_at <= $1 \
             ORDER BY expires_at, id{}",
            DB::FOR_UPDATE
        ))
        .bind(now);
        let rows = DB::fetch_all(&mut tx, select).await?;
        let expired = rows
            .iter()
            .map(|row| DB::doc::<Reservation>(row, "doc"))
            .collect::<Result<Vec<_>, _>>()?;
        let released = apply_in::<DB>(&mut tx, expired, StockEffect::Release, now).await?;
        tx.commit().await?;
        Ok(released)
    }
}

#[async_trait]
impl<DB: Backend> InventoryStore for SqlStore<DB> {
    async fn set_policy(&self, policy: StockPolicy) -> Result<(), Error> {
        retry(|| self.set_policy_once(&policy)).await
    }

    async fn policy(&self, sku: &Sku) -> Result<StockPolicy, Error> {
        let select = Sql::new("SELECT doc FROM stock_policies WHERE sku = $1").bind(sku.as_str());
        Ok(self
            .read_doc(select)
            .await?
            .unwrap_or_else(|| StockPolicy::strict(sku.clone())))
    }

    async fn adjust_stock(
        &self,
        sku: &Sku,
        location: LocationId,
        delta: i64,
        at: DateTime<Utc>,
    ) -> Result<StockLevel, Error> {
        retry(|| self.adjust_stock_once(sku, location, delta, at)).await
    }

    async fn levels(&self, sku: &Sku) -> Result<Vec<StockLevel>, Error> {
        let mut conn = crate::error::done(self.pool.acquire().await.map_err(DbError::from))?;
        let skus = BTreeSet::from([sku.clone()]);
        let levels = crate::error::done(levels_of::<DB>(&mut conn, &skus, "").await)?;
        Ok(levels
            .into_values()
            .flat_map(|levels| levels.into_values())
            .collect())
    }

    async fn available(&self, sku: &Sku) -> Result<i64, Error> {
        Ok(total_available(&self.levels(sku).await?))
    }

    async fn reserve(
        &self,
        request: ReservationRequest,
        at: DateTime<Utc>,
    ) -> Result<Reservation, Error> {
        retry(|| self.reserve_once(&request, at)).await
    }

    async fn reservation(&self, id: ReservationId) -> Result<Option<Reservation>, Error> {
        let select = Sql::new("SELECT doc FROM reservations WHERE id = $1").bind(id.as_uuid());
        self.read_doc(select).await
    }

    async fn commit(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        let conflicting = [ReservationState::Released, ReservationState::Restocked];
        retry(|| self.transition_once(id, StockEffect::Commit, &conflicting, "committed", at)).await
    }

    async fn release(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        retry(|| self.transition_once(id, StockEffect::Release, &[], "released", at)).await
    }

    async fn restock(&self, id: ReservationId, at: DateTime<Utc>) -> Result<Reservation, Error> {
        retry(|| self.transition_once(id, StockEffect::Restock, &[], "restocked", at)).await
    }

    async fn expire_reservations(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>, Error> {
        retry(|| self.expire_once(now)).await
    }

    async fn subscribe_back_in_stock(&self, sku: &Sku, customer: CustomerId) -> Result<(), Error> {
        let insert = Sql::new(
            "INSERT INTO back_in_stock_subscriptions (sku, customer_id) VALUES ($1, $2) \
             ON CONFLICT (sku, customer_id) DO NOTHING",
        )
        .bind(sku.as_str())
        .bind(customer.as_uuid());
        self.execute(insert).await.map(|_| ())
    }
}
