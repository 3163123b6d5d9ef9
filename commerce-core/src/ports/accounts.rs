//! The accounts storage port: accounts, sessions, reset tokens and addresses.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::events::EventRecord;
use crate::identity::{
    Account, Address, Email, PasswordHash, Profile, ResetToken, Session, TokenHash,
};
use crate::ids::{AccountId, AddressId, CustomerId};

/// Stores accounts and everything hanging off them.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Inserts an account. `Conflict` if the e-mail or id is taken; nothing is written
    /// then.
    async fn create_account(&self, account: Account, events: Vec<EventRecord>)
    -> Result<(), Error>;

    /// An account by id.
    async fn account(&self, id: AccountId) -> Result<Option<Account>, Error>;

    /// An account by normalised e-mail.
    async fn account_by_email(&self, email: &Email) -> Result<Option<Account>, Error>;

    /// Replaces an account. `NotFound` if absent; `Conflict` if its new e-mail belongs to
    /// another account.
    async fn update_account(&self, account: Account) -> Result<(), Error>;

    /// Replaces only an account's profile, leaving its e-mail, role and password as they
    /// are (so it cannot undo a concurrent password reset), and returns the account.
    /// `NotFound` if absent.
    async fn update_profile(&self, id: AccountId, profile: Profile) -> Result<Account, Error>;

    /// Stores a new session. `NotFound` if its account does not exist; `Conflict` if a
    /// session with that token hash exists.
    async fn create_session(&self, session: Session) -> Result<(), Error>;

    /// A session by its token hash, whatever its state (callers check expiry).
    async fn session(&self, token: &TokenHash) -> Result<Option<Session>, Error>;

    /// Revokes one session. Revoking an unknown or revoked session is not an error.
    async fn revoke_session(&self, token: &TokenHash) -> Result<(), Error>;

    /// Stores a new password-reset token. `NotFound` if its account does not exist;
    /// `Conflict` if a token with that hash exists. Nothing is written then.
    async fn create_reset_token(
        &self,
        token: ResetToken,
        events: Vec<EventRecord>,
    ) -> Result<(), Error>;

    /// Atomically: if `token` is unused and not expired at `now` (it is valid while
    /// `now < expires_at`), marks it used, sets the account's password to `password` and
    /// revokes all of the account's sessions, and returns the account. Otherwise
    /// `Unauthenticated` and nothing changes. Two concurrent calls with the same token:
    /// exactly one succeeds.
    async fn reset_password(
        &self,
        token: &TokenHash,
        password: PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<AccountId, Error>;

    /// Inserts or replaces an address. `NotFound` if its owner has no account;
    /// `Conflict` if an address with that id belongs to another customer. Marking one
    /// default clears the default flag of the owner's other addresses; a replaced address
    /// keeps its place in the owner's order.
    async fn save_address(&self, address: Address) -> Result<(), Error>;

    /// An address by id.
    async fn address(&self, id: AddressId) -> Result<Option<Address>, Error>;

    /// A customer's addresses, in insertion order.
    async fn addresses_of(&self, owner: CustomerId) -> Result<Vec<Address>, Error>;

    /// Removes an address. `NotFound` if absent.
    async fn delete_address(&self, id: AddressId) -> Result<(), Error>;
}
