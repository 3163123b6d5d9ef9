//! The outbox: events appended in the transaction of the change that caused them, and a
//! relay that claims unpublished events with `FOR UPDATE SKIP LOCKED` (Postgres), so
//! several processes can drain one outbox without publishing an event twice.

use async_trait::async_trait;
use commerce_core::Error;
use commerce_core::events::{EventRecord, OutboxEntry};
use commerce_core::EventId;
use commerce_core::ports::{Outbox, Published, Publisher};
use crate::backend::{Backend, Sql};
use crate::error::DbError;
use super::SqlStore;

#[async_trait]
impl<DB: Backend> Outbox for SqlStore<DB> {
    async fn relay(&self, limit: usize, publisher: &dyn Publisher) -> Result<Published, Error> {
        todo!()
    }

    async fn append(&self, events: Vec<EventRecord>) -> Result<(), Error> {
        todo!()
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<OutboxEntry>, Error> {
        todo!()
    }

    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Error> {
        todo!()
    }

}

/// Appends `events` inside the caller's transaction: they commit with its change or not
/// at all. An event whose id is already stored is skipped.
pub(crate) async fn append_in<DB: Backend>(
    conn: &mut DB::Connection,
    events: &[EventRecord],
) -> Result<(), DbError> {
    for record in events {
        let insert = Sql::new(
            "INSERT INTO outbox (event_id, name, occurred_at, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(record.id.as_uuid())
        .bind(record.event.name())
        .bind(record.occurred_at)
        .doc(record)?;
        DB::execute(conn, insert).await?;
    }
    Ok(())
}
