//! Stock levels changed inside a transaction: lock, change a scratch copy with the core's
//! rules, write back, derive the events.
//!
//! **Why a row-locked read-modify-write and not one conditional `UPDATE`.** A single
//! `UPDATE stock_levels SET reserved = reserved + $n WHERE ... AND on_hand - reserved >= $n`
//! is atomic for one row, but a reservation spans several SKUs and, per SKU, several
//! locations taken in ascending location order with backorders going to the first one;
//! that plan is the core's ([`plan_reservation`]) and needs every level of the SKU at once.
//! So the levels of the SKUs a change touches are read `FOR UPDATE` in (SKU, location)
//! order — every transaction locks in the same order, so they cannot deadlock — the plan
//! is computed on that locked copy, and the changed rows are written back before commit.
//! No other writer can change those rows in between, so the plan is still true when it
//! is written: no oversell on Postgres by construction. On SQLite, `BEGIN IMMEDIATE`
//! gives the same exclusion for the whole database. The `stock_never_oversold` check
//! constraint refuses any write that would break the invariant anyway.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use commerce_core::catalog::Sku;
use commerce_core::inventory::{
    ReservationRequest, ReservedUnits, StockEffect, StockLevel, StockPolicy, back_in_stock,
    plan_reservation, stock_events, total_available,
};
use commerce_core::{CustomerId, Entity, Error, LocationId};

use super::outbox::append_in;
use crate::backend::{Backend, Sql, corrupt};
use crate::error::DbError;

type Levels = BTreeMap<LocationId, StockLevel>;

/// The locked levels of some SKUs, before and after a change, with their policies.
#[derive(Debug)]
pub(crate) struct StockChange {
    before: BTreeMap<Sku, Levels>,
    after: BTreeMap<Sku, Levels>,
    policies: HashMap<Sku, StockPolicy>,
}

/// `$from, $from+1, ...`: `n` placeholders for an `IN (...)` list.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A SKU as stored.
pub(crate) fn sku_of(text: &str) -> Result<Sku, DbError> {
    Sku::parse(text).map_err(|e| corrupt(format_args!("stored SKU {text:?}: {e}")))
}

/// The policies of `skus` that were set (the others are strict).
pub(crate) async fn policies<DB: Backend>(
    conn: &mut DB::Connection,
    skus: &BTreeSet<Sku>,
) -> Result<HashMap<Sku, StockPolicy>, DbError> {
    if skus.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = Sql::new(format!(
        "SELECT doc FROM stock_policies WHERE sku IN ({})",
        placeholders(1, skus.len())
    ));
    for sku in skus {
        select = select.bind(sku.as_str());
    }
    let rows = DB::fetch_all(conn, select).await?;
    rows.iter()
        .map(|row| DB::doc::<StockPolicy>(row, "doc").map(|p| (p.sku.clone(), p)))
        .collect()
}

/// Every level of `skus`, unlocked, by SKU then location.
pub(crate) async fn levels_of<DB: Backend>(
    conn: &mut DB::Connection,
    skus: &BTreeSet<Sku>,
    lock: &str,
) -> Result<BTreeMap<Sku, Levels>, DbError> {
    let mut found: BTreeMap<Sku, Levels> =
        skus.iter().map(|s| (s.clone(), Levels::new())).collect();
    if skus.is_empty() {
        return Ok(found);
    }
    let mut select = Sql::new(format!(
        "SELECT sku, location_id, on_hand, reserved FROM stock_levels WHERE sku IN ({}) \
         ORDER BY sku, location_id{lock}",
        placeholders(1, skus.len())
    ));
    for sku in skus {
        select = select.bind(sku.as_str());
    }
    for row in DB::fetch_all(conn, select).await? {
        let level = StockLevel {
            sku: sku_of(&DB::text(&row, "sku")?)?,
            location: LocationId::from_uuid(DB::uuid(&row, "location_id")?),
            on_hand: DB::int(&row, "on_hand")?,
            reserved: DB::int(&row, "reserved")?,
        };
        found
            .entry(level.sku.clone())
            .or_default()
            .insert(level.location, level);
    }
    Ok(found)
}

fn add(value: i64, delta: i64) -> Result<i64, Error> {
    value
        .checked_add(delta)
        .ok_or_else(|| Error::invalid("quantity", "stock count out of range"))
}

impl StockChange {
    /// Locks the levels of `skus` until the transaction ends and loads their policies.
    pub(crate) async fn lock<DB: Backend>(
        conn: &mut DB::Connection,
        skus: BTreeSet<Sku>,
    ) -> Result<Self, DbError> {
        let before = levels_of::<DB>(conn, &skus, DB::FOR_UPDATE).await?;
        let policies = policies::<DB>(conn, &skus).await?;
        Ok(StockChange {
            after: before.clone(),
            before,
            policies,
        })
    }

    /// A SKU's policy (strict unless one was set).
    pub(crate) fn policy(&self, sku: &Sku) -> StockPolicy {
        self.policies
            .get(sku)
            .cloned()
            .unwrap_or_else(|| StockPolicy::strict(sku.clone()))
    }

    /// A SKU's levels as changed so far.
    pub(crate) fn levels(&self, sku: &Sku) -> Vec<StockLevel> {
        self.after
            .get(sku)
            .map(|levels| levels.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The level at `location`, which must exist (a reservation's units say it does).
    pub(crate) fn level(
        &mut self,
        sku: &Sku,
        location: LocationId,
    ) -> Result<&mut StockLevel, Error> {
        self.after
            .get_mut(sku)
            .and_then(|levels| levels.get_mut(&location))
            .ok_or_else(|| Error::not_found(Entity::Stock, format!("{sku} at {location}")))
    }

    /// Plans and holds every line of `request` on the locked levels, all or nothing.
    pub(crate) fn hold(
        &mut self,
        request: &ReservationRequest,
    ) -> Result<Vec<ReservedUnits>, Error> {
        let mut units = Vec::new();
        for line in &request.lines {
            let policy = self.policy(&line.sku);
            let plan = plan_reservation(&self.levels(&line.sku), &policy, line.quantity)?;
            for held in &plan {
                let level = self.level(&held.sku, held.location)?;
                level.reserved = add(level.reserved, i64::from(held.quantity))?;
            }
            units.extend(plan);
        }
        Ok(units)
    }

    /// Applies `effect`'s level deltas for `units`.
    pub(crate) fn apply(
        &mut self,
        units: &[ReservedUnits],
        effect: StockEffect,
    ) -> Result<(), Error> {
        for held in units {
            let level = self.level(&held.sku, held.location)?;
            let (on_hand, reserved) = effect.level_deltas(held.quantity);
            level.on_hand = add(level.on_hand, on_hand)?;
            level.reserved = add(level.reserved, reserved)?;
        }
        Ok(())
    }

    /// Writes the changed levels back, derives the `stock.*` events (telling and then
    /// forgetting back-in-stock subscribers) and appends them, all in the caller's
    /// transaction.
    pub(crate) async fn save<DB: Backend>(
        self,
        conn: &mut DB::Connection,
        at: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let mut events = Vec::new();
        for (sku, levels) in &self.after {
            let before_levels = self.before.get(sku).cloned().unwrap_or_default();
            if *levels == before_levels {
                continue;
            }
            let policy = self.policy(sku);
            for level in levels.values() {
                if before_levels.get(&level.location) == Some(level) {
                    continue;
                }
                let upsert = Sql::new(
                    "INSERT INTO stock_levels (sku, location_id, on_hand, reserved, allows_backorder) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sku, location_id) \
                     DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved",
                )
                .bind(sku.as_str())
                .bind(level.location.as_uuid())
                .bind(level.on_hand)
                .bind(level.reserved)
                .bind(policy.backorder);
                DB::execute(conn, upsert).await?;
            }
            let before: Vec<StockLevel> = before_levels.into_values().collect();
            let now: Vec<StockLevel> = levels.values().cloned().collect();
            // Subscribers are only told (and forgotten) when the SKU comes back.
            let comes_back = back_in_stock(total_available(&before), total_available(&now));
            let waiting = if comes_back {
                subscribers::<DB>(conn, sku).await?
            } else {
                Vec::new()
            };
            let mut remaining = waiting.clone();
            events.extend(stock_events(&policy, &before, &now, &mut remaining, at));
            if remaining.len() != waiting.len() {
                forget_told::<DB>(conn, sku, &waiting, &remaining).await?;
            }
        }
        append_in::<DB>(conn, &events).await
    }
}

/// Who asked to hear when `sku` is back in stock, in the order they asked.
async fn subscribers<DB: Backend>(
    conn: &mut DB::Connection,
    sku: &Sku,
) -> Result<Vec<CustomerId>, DbError> {
    let select =
        Sql::new("SELECT customer_id FROM back_in_stock_subscriptions WHERE sku = $1 ORDER BY seq")
            .bind(sku.as_str());
    let rows = DB::fetch_all(conn, select).await?;
    rows.iter()
        .map(|row| DB::uuid(row, "customer_id").map(CustomerId::from_uuid))
        .collect()
}

/// Removes the subscriptions of those who were just told.
async fn forget_told<DB: Backend>(
    conn: &mut DB::Connection,
    sku: &Sku,
    waiting: &[CustomerId],
    remaining: &[CustomerId],
) -> Result<(), DbError> {
    for told in waiting.iter().filter(|c| !remaining.contains(c)) {
        let delete =
            Sql::new("DELETE FROM back_in_stock_subscriptions WHERE sku = $1 AND customer_id = $2")
                .bind(sku.as_str())
                .bind(told.as_uuid());
        DB::execute(conn, delete).await?;
    }
    Ok(())
}
