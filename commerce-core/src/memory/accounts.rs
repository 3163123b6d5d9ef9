//! In-memory accounts, sessions, reset tokens and addresses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{MemoryOutbox, lock};
use crate::error::{Entity, Error};
use crate::events::EventRecord;
use crate::identity::{
    Account, Address, Email, PasswordHash, Profile, ResetToken, Session, TokenHash,
};
use crate::ids::{AccountId, AddressId, CustomerId};
use crate::ports::AccountStore;

/// Accounts, sessions, reset tokens and addresses.
#[derive(Debug)]
pub struct MemoryAccounts {
    state: Mutex<State>,
    outbox: Arc<MemoryOutbox>,
}

/// Everything behind one lock, so that a reset (token + password + sessions) is atomic.
#[derive(Debug, Default)]
struct State {
    accounts: HashMap<AccountId, Account>,
    by_email: HashMap<Email, AccountId>,
    sessions: HashMap<TokenHash, Session>,
    resets: HashMap<TokenHash, ResetToken>,
    /// Each owner's address book, in insertion order.
    address_books: HashMap<CustomerId, Vec<Address>>,
    /// Which book an address is in.
    address_owner: HashMap<AddressId, CustomerId>,
}

impl MemoryAccounts {
    /// No accounts; events go to `outbox`.
    pub fn new(outbox: Arc<MemoryOutbox>) -> Self {
        MemoryAccounts {
            state: Mutex::new(State::default()),
            outbox,
        }
    }

    fn locked(&self) -> Result<MutexGuard<'_, State>, Error> {
        lock(&self.state)
    }
}

impl State {
    fn require_account(&self, id: AccountId) -> Result<(), Error> {
        if self.accounts.contains_key(&id) {
            Ok(())
        } else {
            Err(Error::not_found(Entity::Account, id))
        }
    }
}

#[async_trait]
impl AccountStore for MemoryAccounts {
    async fn create_account(
        &self,
        account: Account,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        let mut state = self.locked()?;
        if state.accounts.contains_key(&account.id) {
            return Err(Error::Conflict(format!("account {} exists", account.id)));
        }
        if state.by_email.contains_key(&account.email) {
            return Err(Error::Conflict("email already registered".into()));
        }
        self.outbox.push(events)?;
        state.by_email.insert(account.email.clone(), account.id);
        state.accounts.insert(account.id, account);
        Ok(())
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, Error> {
        Ok(self.locked()?.accounts.get(&id).cloned())
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, Error> {
        let state = self.locked()?;
        Ok(state
            .by_email
            .get(email)
            .and_then(|id| state.accounts.get(id))
            .cloned())
    }

    async fn update_account(&self, account: Account) -> Result<(), Error> {
        let mut state = self.locked()?;
        let old_email = match state.accounts.get(&account.id) {
            Some(stored) => stored.email.clone(),
            None => return Err(Error::not_found(Entity::Account, account.id)),
        };
        if old_email != account.email {
            if state.by_email.contains_key(&account.email) {
                return Err(Error::Conflict("email already registered".into()));
            }
            state.by_email.remove(&old_email);
            state.by_email.insert(account.email.clone(), account.id);
        }
        state.accounts.insert(account.id, account);
        Ok(())
    }

    async fn update_profile(&self, id: AccountId, profile: Profile) -> Result<Account, Error> {
        let mut state = self.locked()?;
        let account = state
            .accounts
            .get_mut(&id)
            .ok_or_else(|| Error::not_found(Entity::Account, id))?;
        account.profile = profile;
        Ok(account.clone())
    }

    async fn create_session(&self, session: Session) -> Result<(), Error> {
        let mut state = self.locked()?;
        state.require_account(session.account)?;
        if state.sessions.contains_key(&session.token_hash) {
            return Err(Error::Conflict("session token already in use".into()));
        }
        state.sessions.insert(session.token_hash.clone(), session);
        Ok(())
    }

    async fn session(&self, token: &TokenHash) -> Result<Option<Session>, Error> {
        Ok(self.locked()?.sessions.get(token).cloned())
    }

    async fn revoke_session(&self, token: &TokenHash) -> Result<(), Error> {
        if let Some(session) = self.locked()?.sessions.get_mut(token) {
            session.revoked = true;
        }
        Ok(())
    }

    async fn create_reset_token(
        &self,
        token: ResetToken,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        let mut state = self.locked()?;
        state.require_account(token.account)?;
        if state.resets.contains_key(&token.token_hash) {
            return Err(Error::Conflict("reset token already in use".into()));
        }
        self.outbox.push(events)?;
        state.resets.insert(token.token_hash.clone(), token);
        Ok(())
    }

    async fn reset_password(
        &self,
        token: &TokenHash,
        password: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<AccountId, Error> {
        let mut state = self.locked()?;
        let State {
            accounts,
            sessions,
            resets,
            ..
        } = &mut *state;
        let refused = || Error::Unauthenticated("invalid or expired reset token");
        let reset = resets.get_mut(token).ok_or_else(refused)?;
        if reset.used || reset.expires_at <= now {
            return Err(refused());
        }
        let account = accounts.get_mut(&reset.account).ok_or_else(refused)?;
        reset.used = true;
        account.password = password;
        sessions
            .values_mut()
            .filter(|s| s.account == account.id)
            .for_each(|s| s.revoked = true);
        Ok(account.id)
    }

    async fn save_address(&self, address: Address) -> Result<(), Error> {
        let mut state = self.locked()?;
        let owner = address.owner;
        state.require_account(AccountId::from_uuid(owner.as_uuid()))?;
        match state.address_owner.get(&address.id) {
            Some(stored) if *stored != owner => {
                return Err(Error::Conflict(format!(
                    "address {} belongs to another customer",
                    address.id
                )));
            }
            Some(_) => {}
            None => {
                state.address_owner.insert(address.id, owner);
            }
        }
        let book = state.address_books.entry(owner).or_default();
        if address.is_default {
            book.iter_mut().for_each(|a| a.is_default = false);
        }
        match book.iter_mut().find(|a| a.id == address.id) {
            Some(stored) => *stored = address,
            None => book.push(address),
        }
        Ok(())
    }

    async fn address(&self, id: AddressId) -> Result<Option<Address>, Error> {
        let state = self.locked()?;
        Ok(state
            .address_owner
            .get(&id)
            .and_then(|owner| state.address_books.get(owner))
            .and_then(|book| book.iter().find(|a| a.id == id))
            .cloned())
    }

    async fn addresses_of(&self, owner: CustomerId) -> Result<Vec<Address>, Error> {
        Ok(self
            .locked()?
            .address_books
            .get(&owner)
            .cloned()
            .unwrap_or_default())
    }

    async fn delete_address(&self, id: AddressId) -> Result<(), Error> {
        let mut state = self.locked()?;
        let owner = state
            .address_owner
            .remove(&id)
            .ok_or_else(|| Error::not_found(Entity::Address, id))?;
        if let Some(book) = state.address_books.get_mut(&owner) {
            book.retain(|a| a.id != id);
        }
        Ok(())
    }
}
