//! The notification queue and history. A delivery run claims due notifications in one
//! short transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on Postgres, so concurrent
//! workers skip each other's rows) by moving their next attempt to the end of the claim
//! lease, then sends outside any transaction and records each outcome.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::notify::{Notification, NotificationKey};
use commerce_core::ports::NotificationStore;
use commerce_core::{AccountId, Entity, Error};

use super::SqlStore;
use crate::backend::{Backend, Sql};
use crate::error::{DbError, retry};

/// `select` for the notification with `key`, then `suffix`.
fn by_key(select: &str, key: &NotificationKey, suffix: &str) -> Sql {
    Sql::new(format!(
        "{select} WHERE event_id = $1 AND recipient = $2 AND channel = $3{suffix}"
    ))
    .bind(key.event.as_uuid())
    .bind(key.recipient.as_uuid())
    .bind(key.channel.as_str())
}

impl<DB: Backend> SqlStore<DB> {
    async fn enqueue_notifications_once(
        &self,
        notifications: &[Notification],
    ) -> Result<usize, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let mut added = 0u64;
        for n in notifications {
            let insert = Sql::new(
                "INSERT INTO notifications \
                 (event_id, recipient, channel, status, next_attempt_at, doc) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (event_id, recipient, channel) DO NOTHING",
            )
            .bind(n.key.event.as_uuid())
            .bind(n.key.recipient.as_uuid())
            .bind(n.key.channel.as_str())
            .bind(n.status.as_str())
            .bind(n.next_attempt_at)
            .doc(n)?;
            added += DB::execute(&mut tx, insert).await?;
        }
        tx.commit().await?;
        Ok(usize::try_from(added).unwrap_or(usize::MAX))
    }

    async fn claim_notifications_once(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Notification>, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let select = Sql::new(format!(
            "SELECT seq, doc FROM notifications WHERE status = 'queued' \
             AND next_attempt_at <= $1 ORDER BY seq LIMIT $2{}",
            DB::SKIP_LOCKED
        ))
        .bind(now)
        .bind(limit);
        let rows = DB::fetch_all(&mut tx, select).await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let seq = DB::int(row, "seq")?;
            let mut notification: Notification = DB::doc(row, "doc")?;
            notification.next_attempt_at = until;
            let update =
                Sql::new("UPDATE notifications SET next_attempt_at = $1, doc = $2 WHERE seq = $3")
                    .bind(until)
                    .doc(&notification)?
                    .bind(seq);
            DB::execute(&mut tx, update).await?;
            claimed.push(notification);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn record_notification_once(&self, outcome: &Notification) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let select = by_key(
            "SELECT seq, doc FROM notifications",
            &outcome.key,
            DB::FOR_UPDATE,
        );
        let Some(row) = DB::fetch_optional(&mut tx, select).await? else {
            return Err(DbError::Fail(Error::not_found(
                Entity::Notification,
                outcome.key.event,
            )));
        };
        let seq = DB::int(&row, "seq")?;
        let mut stored: Notification = DB::doc(&row, "doc")?;
        stored.status = outcome.status;
        stored.attempts = outcome.attempts;
        stored.last_error.clone_from(&outcome.last_error);
        stored.next_attempt_at = outcome.next_attempt_at;
        stored.sent_at = outcome.sent_at;
        let update = Sql::new(
            "UPDATE notifications SET status = $1, next_attempt_at = $2, doc = $3 WHERE seq = $4",
        )
        .bind(stored.status.as_str())
        .bind(stored.next_attempt_at)
        .doc(&stored)?
        .bind(seq);
        DB::execute(&mut tx, update).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl<DB: Backend> NotificationStore for SqlStore<DB> {
    async fn enqueue(&self, notifications: Vec<Notification>) -> Result<usize, Error> {
        retry(|| self.enqueue_notifications_once(&notifications)).await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Notification>, Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        retry(|| self.claim_notifications_once(now, until, limit)).await
    }

    async fn record(&self, notification: &Notification) -> Result<(), Error> {
        retry(|| self.record_notification_once(notification)).await
    }

    async fn notification(&self, key: &NotificationKey) -> Result<Option<Notification>, Error> {
        self.read_doc(by_key("SELECT doc FROM notifications", key, ""))
            .await
    }

    async fn history(&self, recipient: AccountId) -> Result<Vec<Notification>, Error> {
        self.read_docs(
            Sql::new("SELECT doc FROM notifications WHERE recipient = $1 ORDER BY seq")
                .bind(recipient.as_uuid()),
        )
        .await
    }
}
