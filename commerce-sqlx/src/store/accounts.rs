//! The accounts port on SQL: accounts, sessions, password-reset tokens and address books.
//!
//! The flags that change without their document being rewritten — `sessions.revoked`,
//! `reset_tokens.used`, `addresses.is_default` — are columns, and the column is the truth
//! for that field when a document is read back.
//!
//! Writes that read first lock what they read (`FOR UPDATE` on Postgres; on SQLite the
//! write transaction already excludes every other writer): a reset locks its token row,
//! so of two concurrent resets with one token exactly one sees it unused; an address
//! save locks its owner's account row, so two saves of one owner's default cannot both
//! keep theirs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::events::EventRecord;
use commerce_core::identity::{
    Account, Address, Email, PasswordHash, Profile, ResetToken, Session, TokenHash,
};
use commerce_core::ports::AccountStore;
use commerce_core::{AccountId, AddressId, CustomerId, Entity, Error};

use super::outbox::append_in;
use super::{SqlStore, fetch_doc};
use crate::backend::{Backend, Sql};
use crate::error::{DbError, done, retry};

#[async_trait]
impl<DB: Backend> AccountStore for SqlStore<DB> {
    async fn create_account(
        &self,
        account: Account,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        retry(|| self.create_account_once(&account, &events)).await
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM accounts WHERE id = $1").bind(id.as_uuid()))
            .await
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, Error> {
        self.read_doc(Sql::new("SELECT doc FROM accounts WHERE email = $1").bind(email.as_str()))
            .await
    }

    async fn update_account(&self, account: Account) -> Result<(), Error> {
        retry(|| self.update_account_once(&account)).await
    }

    async fn update_profile(&self, id: AccountId, profile: Profile) -> Result<Account, Error> {
        retry(|| self.update_profile_once(id, &profile)).await
    }

    async fn create_session(&self, session: Session) -> Result<(), Error> {
        retry(|| self.create_session_once(&session)).await
    }

    async fn session(&self, token: &TokenHash) -> Result<Option<Session>, Error> {
        let row = self
            .read_one(
                Sql::new("SELECT revoked, doc FROM sessions WHERE token_hash = $1")
                    .bind(token.as_str()),
            )
            .await?;
        done(
            row.map(|row| {
                let mut session: Session = DB::doc(&row, "doc")?;
                session.revoked = DB::boolean(&row, "revoked")?;
                Ok(session)
            })
            .transpose(),
        )
    }

    async fn revoke_session(&self, token: &TokenHash) -> Result<(), Error> {
        retry(|| self.revoke_session_once(token)).await
    }

    async fn create_reset_token(
        &self,
        token: ResetToken,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        retry(|| self.create_reset_token_once(&token, &events)).await
    }

    async fn reset_password(
        &self,
        token: &TokenHash,
        password: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<AccountId, Error> {
        retry(|| self.reset_password_once(token, &password, now)).await
    }

    async fn save_address(&self, address: Address) -> Result<(), Error> {
        retry(|| self.save_address_once(&address)).await
    }

    async fn address(&self, id: AddressId) -> Result<Option<Address>, Error> {
        let row = self
            .read_one(
                Sql::new("SELECT is_default, doc FROM addresses WHERE id = $1").bind(id.as_uuid()),
            )
            .await?;
        done(row.map(|row| address_from::<DB>(&row)).transpose())
    }

    async fn addresses_of(&self, owner: CustomerId) -> Result<Vec<Address>, Error> {
        let rows = self
            .read_all(
                Sql::new("SELECT is_default, doc FROM addresses WHERE owner_id = $1 ORDER BY seq")
                    .bind(owner.as_uuid()),
            )
            .await?;
        done(rows.iter().map(address_from::<DB>).collect())
    }

    async fn delete_address(&self, id: AddressId) -> Result<(), Error> {
        retry(|| self.delete_address_once(id)).await
    }
}

/// An address row (`is_default`, `doc`), its column flag overriding the document's.
fn address_from<DB: Backend>(row: &DB::Row) -> Result<Address, DbError> {
    let mut address: Address = DB::doc(row, "doc")?;
    address.is_default = DB::boolean(row, "is_default")?;
    Ok(address)
}

/// Refused reset: unknown, used or expired token, all alike to the caller.
fn refused_reset() -> DbError {
    DbError::Fail(Error::Unauthenticated("invalid or expired reset token"))
}

impl<DB: Backend> SqlStore<DB> {
    /// Inserts an account and appends its events; a taken id or e-mail is a unique
    /// violation, so `Conflict`, and nothing is written.
    async fn create_account_once(
        &self,
        account: &Account,
        events: &[EventRecord],
    ) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let insert = Sql::new("INSERT INTO accounts (id, email, doc) VALUES ($1, $2, $3)")
            .bind(account.id.as_uuid())
            .bind(account.email.as_str())
            .doc(account)?;
        DB::execute(&mut tx, insert).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces an account: `NotFound` if absent, `Conflict` if its e-mail is another's.
    async fn update_account_once(&self, account: &Account) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let taken = Sql::new("SELECT id FROM accounts WHERE email = $1 AND id <> $2")
            .bind(account.email.as_str())
            .bind(account.id.as_uuid());
        if DB::fetch_optional(&mut tx, taken).await?.is_some() {
            return Err(Error::Conflict("email already registered".into()).into());
        }
        let update = Sql::new("UPDATE accounts SET email = $2, doc = $3 WHERE id = $1")
            .bind(account.id.as_uuid())
            .bind(account.email.as_str())
            .doc(account)?;
        if DB::execute(&mut tx, update).await? == 0 {
            return Err(Error::not_found(Entity::Account, account.id).into());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the profile of the locked, freshly read account, so a concurrent
    /// password reset is kept.
    async fn update_profile_once(
        &self,
        id: AccountId,
        profile: &Profile,
    ) -> Result<Account, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let mut account = lock_account::<DB>(&mut tx, id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Account, id))?;
        account.profile = profile.clone();
        write_account::<DB>(&mut tx, &account).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Inserts a session of an existing account; a taken token hash is `Conflict`.
    async fn create_session_once(&self, session: &Session) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        require_account::<DB>(&mut tx, session.account).await?;
        let insert = Sql::new(
            "INSERT INTO sessions (token_hash, account_id, revoked, doc) VALUES ($1, $2, $3, $4)",
        )
        .bind(session.token_hash.as_str())
        .bind(session.account.as_uuid())
        .bind(session.revoked)
        .doc(session)?;
        DB::execute(&mut tx, insert).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks one session revoked, if it exists.
    async fn revoke_session_once(&self, token: &TokenHash) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let revoke = Sql::new("UPDATE sessions SET revoked = $2 WHERE token_hash = $1")
            .bind(token.as_str())
            .bind(true);
        DB::execute(&mut tx, revoke).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts a reset token of an existing account and appends its events.
    async fn create_reset_token_once(
        &self,
        token: &ResetToken,
        events: &[EventRecord],
    ) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        require_account::<DB>(&mut tx, token.account).await?;
        let insert = Sql::new(
            "INSERT INTO reset_tokens (token_hash, account_id, expires_at, used, doc) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token.token_hash.as_str())
        .bind(token.account.as_uuid())
        .bind(token.expires_at)
        .bind(token.used)
        .doc(token)?;
        DB::execute(&mut tx, insert).await?;
        append_in::<DB>(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a reset token: locks its row, so a concurrent reset waits and then sees it
    /// used; sets the password and revokes the account's sessions.
    async fn reset_password_once(
        &self,
        token: &TokenHash,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<AccountId, DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let select = Sql::new(format!(
            "SELECT used, doc FROM reset_tokens WHERE token_hash = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(token.as_str());
        let row = DB::fetch_optional(&mut tx, select)
            .await?
            .ok_or_else(refused_reset)?;
        // The document keeps the exact expiry; the column is for queries.
        let stored: ResetToken = DB::doc(&row, "doc")?;
        if DB::boolean(&row, "used")? || stored.expires_at <= now {
            return Err(refused_reset());
        }
        let mut account = lock_account::<DB>(&mut tx, stored.account)
            .await?
            .ok_or_else(refused_reset)?;
        account.password = password.clone();
        write_account::<DB>(&mut tx, &account).await?;
        let used = Sql::new("UPDATE reset_tokens SET used = $2 WHERE token_hash = $1")
            .bind(token.as_str())
            .bind(true);
        DB::execute(&mut tx, used).await?;
        let revoke = Sql::new("UPDATE sessions SET revoked = $2 WHERE account_id = $1")
            .bind(account.id.as_uuid())
            .bind(true);
        DB::execute(&mut tx, revoke).await?;
        tx.commit().await?;
        Ok(account.id)
    }

    /// Inserts or replaces an address under its owner's locked account row: clears the
    /// owner's other defaults when it is the default; a replaced address keeps its `seq`
    /// (its place in the book).
    async fn save_address_once(&self, address: &Address) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let owner = AccountId::from_uuid(address.owner.as_uuid());
        if lock_account::<DB>(&mut tx, owner).await?.is_none() {
            return Err(Error::not_found(Entity::Account, owner).into());
        }
        let other_owner = || {
            DbError::Fail(Error::Conflict(format!(
                "address {} belongs to another customer",
                address.id
            )))
        };
        let stored = Sql::new(format!(
            "SELECT owner_id FROM addresses WHERE id = $1{}",
            DB::FOR_UPDATE
        ))
        .bind(address.id.as_uuid());
        if let Some(row) = DB::fetch_optional(&mut tx, stored).await? {
            if DB::uuid(&row, "owner_id")? != address.owner.as_uuid() {
                return Err(other_owner());
            }
        }
        if address.is_default {
            let clear = Sql::new(
                "UPDATE addresses SET is_default = $3 WHERE owner_id = $1 AND id <> $2 \
                 AND is_default = $4",
            )
            .bind(address.owner.as_uuid())
            .bind(address.id.as_uuid())
            .bind(false)
            .bind(true);
            DB::execute(&mut tx, clear).await?;
        }
        // The WHERE keeps an address from changing owner even if the id was inserted
        // by another owner after the check above.
        let upsert = Sql::new(
            "INSERT INTO addresses (id, owner_id, is_default, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET is_default = excluded.is_default, doc = excluded.doc \
             WHERE addresses.owner_id = excluded.owner_id",
        )
        .bind(address.id.as_uuid())
        .bind(address.owner.as_uuid())
        .bind(address.is_default)
        .doc(address)?;
        if DB::execute(&mut tx, upsert).await? == 0 {
            return Err(other_owner());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes an address; `NotFound` if absent.
    async fn delete_address_once(&self, id: AddressId) -> Result<(), DbError> {
        let mut tx = DB::begin_write(&self.pool).await?;
        let delete = Sql::new("DELETE FROM addresses WHERE id = $1").bind(id.as_uuid());
        if DB::execute(&mut tx, delete).await? == 0 {
            return Err(Error::not_found(Entity::Address, id).into());
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The account `id`, its row locked until the transaction ends.
async fn lock_account<DB: Backend>(
    conn: &mut DB::Connection,
    id: AccountId,
) -> Result<Option<Account>, DbError> {
    let select = Sql::new(format!(
        "SELECT doc FROM accounts WHERE id = $1{}",
        DB::FOR_UPDATE
    ))
    .bind(id.as_uuid());
    fetch_doc::<DB, _>(conn, select).await
}

/// Rewrites a stored account's document (its e-mail unchanged).
async fn write_account<DB: Backend>(
    conn: &mut DB::Connection,
    account: &Account,
) -> Result<(), DbError> {
    let update = Sql::new("UPDATE accounts SET doc = $2 WHERE id = $1")
        .bind(account.id.as_uuid())
        .doc(account)?;
    DB::execute(conn, update).await?;
    Ok(())
}

/// `NotFound` unless the account `id` exists.
async fn require_account<DB: Backend>(
    conn: &mut DB::Connection,
    id: AccountId,
) -> Result<(), DbError> {
    let select = Sql::new("SELECT id FROM accounts WHERE id = $1").bind(id.as_uuid());
    match DB::fetch_optional(conn, select).await? {
        Some(_) => Ok(()),
        None => Err(Error::not_found(Entity::Account, id).into()),
    }
}
