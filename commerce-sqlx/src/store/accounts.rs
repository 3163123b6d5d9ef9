//! The accounts port on SQL (work in progress).

use super::SqlStore;
use crate::backend::Backend;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use commerce_core::Error;
use commerce_core::events::EventRecord;
use commerce_core::identity::{
    Account, Address, Email, PasswordHash, Profile, ResetToken, Session, TokenHash,
};
use commerce_core::ports::AccountStore;
use commerce_core::{AccountId, AddressId, CustomerId};

#[async_trait]
impl<DB: Backend> AccountStore for SqlStore<DB> {
    async fn create_account(
        &self,
        account: Account,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        todo!()
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, Error> {
        todo!()
    }

    async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, Error> {
        todo!()
    }

    async fn update_account(&self, account: Account) -> Result<(), Error> {
        todo!()
    }

    async fn update_profile(&self, id: AccountId, profile: Profile) -> Result<Account, Error> {
        todo!()
    }

    async fn create_session(&self, session: Session) -> Result<(), Error> {
        todo!()
    }

    async fn session(&self, token: &TokenHash) -> Result<Option<Session>, Error> {
        todo!()
    }

    async fn revoke_session(&self, token: &TokenHash) -> Result<(), Error> {
        todo!()
    }

    async fn create_reset_token(
        &self,
        token: ResetToken,
        events: Vec<EventRecord>,
    ) -> Result<(), Error> {
        todo!()
    }

    async fn reset_password(
        &self,
        token: &TokenHash,
        password: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<AccountId, Error> {
        todo!()
    }

    async fn save_address(&self, address: Address) -> Result<(), Error> {
        todo!()
    }

    async fn address(&self, id: AddressId) -> Result<Option<Address>, Error> {
        todo!()
    }

    async fn addresses_of(&self, owner: CustomerId) -> Result<Vec<Address>, Error> {
        todo!()
    }

    async fn delete_address(&self, id: AddressId) -> Result<(), Error> {
        todo!()
    }
}
