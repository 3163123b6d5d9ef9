//! The outbox: events appended in the transaction of the change that caused them, and a
//! relay that several processes can run at once without publishing an event twice.
//!
//! A relay claims a batch in one short transaction — `UPDATE ... WHERE seq IN (SELECT ...
//! FOR UPDATE SKIP LOCKED)` on Postgres, so concurrent claimers skip each other's rows
//! instead of waiting — then publishes outside any transaction (a slow broker never holds
//! database locks), then marks what was published and releases the rest. A relay whose
//! future is dropped releases its claims at once (a task spawned from `Drop`); a relay
//! whose process died leaves claims that lapse after [`CLAIM_LEASE`]. Delivery is
//! therefore at least once, and exactly once while no relay dies mid-batch.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use commerce_core::Error;
use commerce_core::EventId;
use commerce_core::events::{EventRecord, OutboxEntry};
use commerce_core::ports::{Outbox, Published, Publisher};
use uuid::Uuid;

use super::SqlStore;
use super::stock::placeholders;
use crate::backend::{Backend, Sql};
use crate::error::{DbError, done, retry};

/// How long a claim stays valid: a relay that died mid-batch delays its events this long.
pub(crate) const CLAIM_LEASE: Duration = Duration::from_secs(60);

/// Ids per `IN (...)` list, well under both databases' parameter limits.
const CHUNK: usize = 500;

/// Releases a relay's remaining claims when dropped (its future was cancelled or it
/// returned): unpublished events become claimable again at once.
struct Claim<DB: Backend> {
    pool: sqlx::Pool<DB>,
    relay: Uuid,
    /// Whether `Drop` still has to release the claims.
    armed: bool,
}

impl<DB: Backend> Claim<DB> {
    fn release_sql(&self) -> Sql {
        Sql::new("UPDATE outbox SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = $1")
            .bind(self.relay)
    }
}

impl<DB: Backend> Drop for Claim<DB> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (pool, release) = (self.pool.clone(), self.release_sql());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                // Best effort: if this fails the lease lapses instead.
                if let Ok(mut conn) = pool.acquire().await {
                    let _ = DB::execute(&mut conn, release).await;
                }
            });
        }
    }
}

fn entry<DB: Backend>(row: &DB::Row) -> Result<OutboxEntry, DbError> {
    let sequence = DB::int(row, "seq")?;
    Ok(OutboxEntry {
        sequence: u64::try_from(sequence).map_err(|_| crate::backend::corrupt("negative seq"))?,
        record: DB::doc::<EventRecord>(row, "doc")?,
    })
}

impl<DB: Backend> SqlStore<DB> {
    /// Claims up to `limit` unclaimed (or lapsed) unpublished events for `relay`.
    async fn claim_once(&self, relay: Uuid, limit: i64) -> Result<Vec<OutboxEntry>, DbError> {
        let now = Utc::now();
        let lapsed =
            now - chrono::Duration::from_std(CLAIM_LEASE).unwrap_or(chrono::Duration::seconds(60));
        let mut tx = DB::begin_write(&self.pool).await?;
        let claim = Sql::new(format!(
            "UPDATE outbox SET claimed_by = $1, claimed_at = $2 WHERE seq IN (\
               SELECT seq FROM outbox WHERE published_at IS NULL \
               AND (claimed_by IS NULL OR claimed_at <= $3) ORDER BY seq LIMIT $4{}) \
             RETURNING seq, doc",
            DB::SKIP_LOCKED
        ))
        .bind(relay)
        .bind(now)
        .bind(lapsed)
        .bind(limit);
        let rows = DB::fetch_all(&mut tx, claim).await?;
        tx.commit().await?;
        let mut entries = rows
            .iter()
            .map(entry::<DB>)
            .collect::<Result<Vec<_>, _>>()?;
        entries.sort_by_key(|e| e.sequence);
        Ok(entries)
    }

    /// Marks `ids` published (those still unpublished).
    async fn mark_once(&self, ids: &[EventId]) -> Result<(), DbError> {
        let now = Utc::now();
        let mut tx = DB::begin_write(&self.pool).await?;
        for chunk in ids.chunks(CHUNK) {
            let mut mark = Sql::new(format!(
                "UPDATE outbox SET published_at = $1, claimed_by = NULL, claimed_at = NULL \
                 WHERE published_at IS NULL AND event_id IN ({})",
                placeholders(2, chunk.len())
            ))
            .bind(now);
            for id in chunk {
                mark = mark.bind(id.as_uuid());
            }
            DB::execute(&mut tx, mark).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl<DB: Backend> Outbox for SqlStore<DB> {
    async fn append(&self, events: Vec<EventRecord>) -> Result<(), Error> {
        retry(|| async {
            let mut tx = DB::begin_write(&self.pool).await?;
            append_in::<DB>(&mut tx, &events).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn unpublished(&self, limit: usize) -> Result<Vec<OutboxEntry>, Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .read_all(
                Sql::new(
                    "SELECT seq, doc FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1",
                )
                .bind(limit),
            )
            .await?;
        done(rows.iter().map(entry::<DB>).collect())
    }

    async fn mark_published(&self, ids: &[EventId]) -> Result<(), Error> {
        retry(|| self.mark_once(ids)).await
    }

    async fn relay(&self, limit: usize, publisher: &dyn Publisher) -> Result<Published, Error> {
        let relay = Uuid::new_v4();
        let mut claim = Claim::<DB> {
            pool: self.pool.clone(),
            relay,
            armed: true,
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let claimed = retry(|| self.claim_once(relay, limit)).await?;
        let mut published = Published::default();
        for entry in &claimed {
            match publisher.publish(entry).await {
                Ok(()) => published.published.push(entry.record.id),
                Err(error) => {
                    published.failed = Some(error);
                    break;
                }
            }
        }
        retry(|| self.mark_once(&published.published)).await?;
        // Release what was not published now, so the next relay can take it at once.
        self.execute(claim.release_sql()).await?;
        claim.armed = false;
        Ok(published)
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
