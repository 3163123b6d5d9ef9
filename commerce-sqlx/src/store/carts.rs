//! The carts port on SQL: each cart is one row, its document next to the columns the
//! lookups need (`customer_id`, `created_at`) and a copy of its `version` and status.
//!
//! Every save applies the core's one rule, [`writable`], to the stored cart read under a
//! row lock (`FOR UPDATE` on Postgres; on SQLite the write transaction excludes every
//! other writer), so of concurrent saves computed from one version exactly one wins. A
//! new cart is a plain `INSERT`: a concurrent insert of the same id is a unique violation,
//! so `Conflict`, never an overwrite.

use async_trait::async_trait;
use commerce_core::cart::{Cart, CartStatus, writable};
use commerce_core::events::EventRecord;
use commerce_core::ports::CartStore;
use commerce_core::{CartId, CustomerId, Entity, Error};

use super::outbox::append_in;
use super::{SqlStore, fetch_doc};
use crate::backend::{Backend, Sql};
use crate::error::{DbError, retry};

#[async_trait]
impl<DB: Backend> CartStore for SqlStore<DB> {
    async fn save_cart(&self, cart: &Cart, events: Vec<EventRecord>) -> Result<Cart, Error> {
        retry(|| self.save_cart_once(cart, &events)).await
    }

    async fn cart(&self, id: CartId) -> Result<Option<Cart>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM carts WHERE id = $1").bind(id.as_uuid()))
            .await
    }

    async fn carts_of(&self, customer: CustomerId) -> Result<Vec<Cart>, Error> {
        self.read_docs(
            Sql::new("SELECT doc FROM carts WHERE customer_id = $1 ORDER BY created_at, id")
                .bind(customer.as_uuid()),
        )
        .await
    }

    async fn delete_cart(&self, id: CartId) -> Result<(), Error> {
        retry(|| self.delete_cart_once(id)).await
    }

    async fn merge_carts(
        &self,
        into: &Cart,
        merged: CartId,
        events: Vec<EventRecord>,
    ) -> Result<Cart, Error> {
        retry(|| self.merge_carts_once(into, merged, &events)).await
    }
}

impl<DB: Backend> SqlStore<DB> {
    /// Checks `cart` against the locked stored one and writes it at the next version,
    /// with its events.
    async fn save_cart_once(&self, cart: &Cart, events: &[EventRecord]) -> Result<Cart, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let stored = lock_cart::<DB>(&mut tx, cart.id()).await?;
        let saved = writable(stored.as_ref(), cart)?;
        write_cart::<DB>(&mut tx, &saved, stored.is_some()).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Removes a cart; `NotFound` if absent.
    async fn delete_cart_once(&self, id: CartId) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let delete = Sql::new("DELETE FROM carts WHERE id = $1").bind(id.as_uuid());
        if DB::execute(&mut tx, delete).await? == 0 {
            return Err(Error::not_found(Entity::Cart, id).into());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Locks both carts (in id order, so two merges cannot deadlock), checks them as the
    /// in-memory store does, then writes `into`, deletes `merged` and appends the events.
    async fn merge_carts_once(
        &self,
        into: &Cart,
        merged: CartId,
        events: &[EventRecord],
    ) -> Result<Cart, DbError> {
        if merged == into.id() {
            return Err(Error::Conflict(format!("cart {merged} cannot merge into itself")).into());
        }
        let mut tx = DB::begin_write(&self.pool).await?;
        let select = Sql::new(format!(
            "SELECT id, doc FROM carts WHERE id IN ($1, $2) ORDER BY id{}",
            DB::FOR_UPDATE
        ))
        .bind(into.id().as_uuid())
        .bind(merged.as_uuid());
        let (mut stored_into, mut stored_merged) = (None, None);
        for row in DB::fetch_all(&mut tx, select).await? {
            let cart: Cart = DB::doc(&row, "doc")?;
            if DB::uuid(&row, "id")? == merged.as_uuid() {
                stored_merged = Some(cart);
            } else {
                stored_into = Some(cart);
            }
        }
        let guest = stored_merged.ok_or_else(|| Error::not_found(Entity::Cart, merged))?;
        if guest.status() == CartStatus::CheckedOut {
            return Err(Error::Conflict(format!("cart {merged} is checked out")).into());
        }
        let saved = writable(stored_into.as_ref(), into)?;
        let delete = Sql::new("DELETE FROM carts WHERE id = $1").bind(merged.as_uuid());
        DB::execute(&mut tx, delete).await?;
        write_cart::<DB>(&mut tx, &saved, stored_into.is_some()).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// The stored cart `id`, its row locked until the transaction ends.
async fn lock_cart<DB: Backend>(
    conn: &mut DB::Connection,
    id: CartId,
) -> Result<Option<Cart>, DbError> {
    let select = Sql::new(format!(
        "SELECT doc FROM carts WHERE id = $1{}",
        DB::FOR_UPDATE
    ))
    .bind(id.as_uuid());
    fetch_doc::<DB, _>(conn, select).await
}

/// Writes `cart` as [`writable`] returned it: over the locked row when one is stored,
/// else as a new row (a concurrent insert of the same id then fails as `Conflict`).
async fn write_cart<DB: Backend>(
    conn: &mut DB::Connection,
    cart: &Cart,
    replace: bool,
) -> Result<(), DbError> {
    let version = i64::try_from(cart.version())
        .map_err(|_| Error::invalid("version", "a cart version must fit in 63 bits"))?;
    let text = if replace {
        "UPDATE carts SET customer_id = $2, checked_out = $3, version = $4, created_at = $5, \
         doc = $6, purpose = $7 WHERE id = $1"
    } else {
        "INSERT INTO carts (id, customer_id, checked_out, version, created_at, doc, purpose) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    };
    let write = Sql::new(text)
        .bind(cart.id().as_uuid())
        .bind(cart.customer().map(|c| c.as_uuid()))
        .bind(cart.status() == CartStatus::CheckedOut)
        .bind(version)
        .bind(cart.created_at())
        .doc(cart)?
        .bind(super::reports::cart_purpose(cart.purpose()));
    DB::execute(conn, write).await?;
    Ok(())
}
