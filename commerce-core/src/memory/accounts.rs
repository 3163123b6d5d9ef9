//! In-memory accounts. (Skeleton: filled in by the identity work.)

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::MemoryOutbox;
use crate::error::Error;
use crate::events::EventRecord;
use crate::identity::{Account, Address, Email, PasswordHash, ResetToken, Session, TokenHash};
use crate::ids::{AccountId, AddressId, CustomerId};
use crate::ports::AccountStore;

fn todo() -> Error {
    Error::Unavailable("accounts: not built yet".into())
}

/// Accounts, sessions, reset tokens and addresses.
#[derive(Debug)]
pub struct MemoryAccounts {
    outbox: Arc<MemoryOutbox>,
}

impl MemoryAccounts {
    /// No accounts; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryAccounts { outbox }
    }
}

#[async_trait]
impl AccountStore for MemoryAccounts {
    async fn create_account(&self, _a: Account, events: Vec<EventRecord>) -> Result<(), Error> {
        let _ = (&self.outbox, events);
        Err(todo())
    }
    async fn account(&self, _id: AccountId) -> Result<Option<Account>, Error> {
        Err(todo())
    }
    async fn account_by_email(&self, _email: &Email) -> Result<Option<Account>, Error> {
        Err(todo())
    }
    async fn update_account(&self, _a: Account) -> Result<(), Error> {
        Err(todo())
    }
    async fn create_session(&self, _s: Session) -> Result<(), Error> {
        Err(todo())
    }
    async fn session(&self, _t: &TokenHash) -> Result<Option<Session>, Error> {
        Err(todo())
    }
    async fn revoke_session(&self, _t: &TokenHash) -> Result<(), Error> {
        Err(todo())
    }
    async fn create_reset_token(&self, _t: ResetToken, _e: Vec<EventRecord>) -> Result<(), Error> {
        Err(todo())
    }
    async fn reset_password(
        &self,
        _t: &TokenHash,
        _p: PasswordHash,
        _now: DateTime<Utc>,
    ) -> Result<AccountId, Error> {
        Err(todo())
    }
    async fn save_address(&self, _a: Address) -> Result<(), Error> {
        Err(todo())
    }
    async fn address(&self, _id: AddressId) -> Result<Option<Address>, Error> {
        Err(todo())
    }
    async fn addresses_of(&self, _o: CustomerId) -> Result<Vec<Address>, Error> {
        Err(todo())
    }
    async fn delete_address(&self, _id: AddressId) -> Result<(), Error> {
        Err(todo())
    }
}
