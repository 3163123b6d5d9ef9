//! How database failures become the core's error kinds. No `sqlx::Error` leaves this
//! crate: a unique, foreign-key or check violation is a `Conflict`; a lost race the
//! database detected (serialization failure, deadlock, SQLite busy) is retried a bounded
//! number of times and then `Unavailable`; a lost connection or an exhausted pool is
//! `Unavailable` (retryable by the caller).
//!
//! No database text leaves either: a caller gets plain words (a known unique constraint
//! names its field, as in `email already registered`; an unknown one says `already
//! exists`) and at most a SQLSTATE or SQLite result code, never the driver's message,
//! a constraint, table or column name.

use std::future::Future;
use std::time::Duration;

use commerce_core::Error;

/// How often a transaction that lost a race is run again before giving up.
pub(crate) const MAX_ATTEMPTS: u32 = 8;

/// A failed database step: worth running the whole transaction again, or final.
#[derive(Debug)]
pub(crate) enum DbError {
    /// The database aborted the transaction because of a concurrent one; running it
    /// again may succeed.
    Retry(Error),
    /// Final: returned to the caller as it is.
    Fail(Error),
}

impl From<Error> for DbError {
    fn from(error: Error) -> Self {
        DbError::Fail(error)
    }
}

/// The unique constraints a caller can run into, by the name each database gives them
/// (SQLite's `table.column` in its message, Postgres's constraint name), and what to tell
/// the caller instead.
const KNOWN_UNIQUE: [(&str, &str, &str); 5] = [
    (
        "accounts.email",
        "accounts_email_key",
        "email already registered",
    ),
    (
        "shops.seller_id",
        "shops_seller_id_key",
        "the seller already has a shop",
    ),
    ("shops.slug", "shops_slug_key", "slug already taken"),
    ("products.slug", "products_slug_key", "slug already taken"),
    (
        "product_variants.sku",
        "product_variants_sku_key",
        "sku already taken",
    ),
];

/// What to tell a caller about a unique violation, from the constraint's name (Postgres)
/// or the driver's message (SQLite: `UNIQUE constraint failed: accounts.email`).
fn unique_violation(db: &dyn sqlx::error::DatabaseError) -> &'static str {
    let constraint = db.constraint().unwrap_or_default();
    let message = db.message();
    KNOWN_UNIQUE
        .iter()
        .find(|(column, name, _)| {
            constraint == *name
                || message.strip_prefix("UNIQUE constraint failed: ") == Some(column)
        })
        .map_or("already exists", |(_, _, plain)| plain)
}

/// Postgres codes for a transaction aborted by a concurrent one.
const PG_LOST_RACE: [&str; 2] = ["40001", "40P01"];
/// SQLite result codes (primary and extended) for a locked or busy database.
const SQLITE_BUSY: [&str; 6] = ["5", "6", "261", "262", "517", "518"];

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match &error {
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                if PG_LOST_RACE.contains(&code.as_ref()) || SQLITE_BUSY.contains(&code.as_ref()) {
                    return DbError::Retry(Error::Unavailable(format!(
                        "the database kept aborting the change because of concurrent ones \
                         (code {code})"
                    )));
                }
                match db.kind() {
                    ErrorKind::UniqueViolation => {
                        DbError::Fail(Error::Conflict(unique_violation(db.as_ref()).into()))
                    }
                    ErrorKind::ForeignKeyViolation => DbError::Fail(Error::Conflict(
                        "refers to something that does not exist, or is referred to".into(),
                    )),
                    ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                        DbError::Fail(Error::Conflict("would break a stored rule".into()))
                    }
                    _ => DbError::Fail(Error::Unavailable(format!("database error {code}"))),
                }
            }
            sqlx::Error::PoolTimedOut => DbError::Fail(Error::Unavailable(
                "no database connection free within the acquire timeout".into(),
            )),
            sqlx::Error::PoolClosed => {
                DbError::Fail(Error::Unavailable("the database pool is closed".into()))
            }
            sqlx::Error::Io(_) => {
                DbError::Fail(Error::Unavailable("database connection lost".into()))
            }
            _ => DbError::Fail(Error::Unavailable("the database failed".into())),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for DbError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        // Only at start-up, to the operator: the detail is worth more than discretion.
        DbError::Fail(Error::Unavailable(format!("migrations failed: {error}")))
    }
}

/// Runs `attempt` until it succeeds, fails for good, or has lost [`MAX_ATTEMPTS`] races
/// (then `Unavailable`). Each run must be a whole transaction, so re-running it is safe.
pub(crate) async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DbError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(DbError::Fail(error)) => return Err(error),
            Err(DbError::Retry(error)) if tries >= MAX_ATTEMPTS => return Err(error),
            Err(DbError::Retry(_)) => {
                // Back off a little, more each time, so the racers spread out.
                tokio::time::sleep(Duration::from_millis(u64::from(tries) * 2)).await;
            }
        }
    }
}

/// The result of a step that cannot lose a race, as the core's error.
pub(crate) fn done<T>(result: Result<T, DbError>) -> Result<T, Error> {
    result.map_err(|e| match e {
        DbError::Retry(error) | DbError::Fail(error) => error,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use commerce_core::ErrorKind;

    use super::*;

    #[tokio::test]
    async fn a_lost_race_is_retried_a_bounded_number_of_times_then_unavailable() {
        let runs = AtomicU32::new(0);
        let result: Result<(), Error> = retry(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(DbError::Retry(Error::Unavailable("lost".into())))
        })
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), MAX_ATTEMPTS);
        assert_eq!(result.map_err(|e| e.kind()), Err(ErrorKind::Unavailable));
    }

    #[tokio::test]
    async fn a_race_lost_once_then_won_succeeds_and_a_final_error_is_not_retried() {
        let runs = AtomicU32::new(0);
        let won = retry(|| async {
            if runs.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(DbError::Retry(Error::Unavailable("lost".into())))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(won.ok(), Some(7));

        let runs = AtomicU32::new(0);
        let failed: Result<(), Error> = retry(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(DbError::Fail(Error::Conflict("taken".into())))
        })
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(failed.map_err(|e| e.kind()), Err(ErrorKind::Conflict));
    }

    #[test]
    fn pool_and_io_failures_are_unavailable_not_leaked() {
        let DbError::Fail(error) = DbError::from(sqlx::Error::PoolTimedOut) else {
            panic!("a timed-out pool is final for this attempt");
        };
        assert_eq!(error.kind(), ErrorKind::Unavailable);
    }
}
