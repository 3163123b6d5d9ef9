//! Use cases: identity and access — registration, sign-in, sessions, password resets,
//! profiles and address books.

use super::Commerce;
use crate::error::{Entity, Error};
use crate::events::{DomainEvent, EventRecord};
use crate::identity::{
    Account, Address, Email, NewAddress, Password, PasswordHash, Principal, Profile, ResetToken,
    Role, SecretToken, Session,
};
use crate::ids::{AccountId, AddressId, CustomerId};

/// The one answer to a failed sign-in, whether the e-mail or the password was wrong.
const BAD_CREDENTIALS: Error = Error::Unauthenticated("invalid e-mail or password");

/// The one answer to a token that is unknown, expired or revoked.
const BAD_SESSION: Error = Error::Unauthenticated("invalid or expired session");

/// An argon2id hash (default parameters) of a random password nobody knows. Sign-in
/// verifies against it when the e-mail is unknown, so that an unknown e-mail takes as
/// long to refuse as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$IA+hhlJC8BtkkSmCgAjCSw$\
    0qI4uJ7ujlAsTllie1Y9F4DKOXEWN4roXwyfIwU5JQ0";

impl Commerce {
    /// Registers an account and returns it. Anyone (a guest included) may register a
    /// customer; registering a seller or an admin takes an admin. The e-mail is
    /// normalised (trimmed, lower-cased) and must not be registered yet (`Conflict`);
    /// the password must be 8 to 128 characters and is stored only as an argon2id hash.
    /// Emits `user.created`.
    pub async fn register(
        &self,
        email: &str,
        password: &str,
        name: &str,
        role: Role,
        actor: Principal,
    ) -> Result<Account, Error> {
        if role != Role::Customer {
            actor.require_admin("register a seller or admin")?;
        }
        let email = Email::parse(email)?;
        let password = Password::parse(password)?;
        let profile = Profile::checked(Profile {
            name: name.to_owned(),
            ..Profile::default()
        })?;
        let password = PasswordHash::new(&password)?;
        let now = self.now();
        let account = Account {
            id: AccountId::random(),
            email,
            role,
            password,
            profile,
            created_at: now,
        };
        let event = DomainEvent::UserCreated {
            account: account.id,
            email: account.email.as_str().to_owned(),
            role,
        };
        self.stores
            .accounts
            .create_account(account.clone(), vec![EventRecord::new(now, event)])
            .await?;
        Ok(account)
    }

    /// Signs in: checks the e-mail and password and opens a session lasting
    /// [`Config::session_ttl`](super::Config::session_ttl). Returns the session token
    /// (give it to the user; only its hash is stored) and the principal to act as. A
    /// wrong e-mail and a wrong password get the same `Unauthenticated` error.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
    ) -> Result<(SecretToken, Principal), Error> {
        let (Ok(email), Ok(password)) = (Email::parse(email), Password::parse(password)) else {
            return Err(BAD_CREDENTIALS);
        };
        let Some(account) = self.stores.accounts.account_by_email(&email).await? else {
            PasswordHash::from_phc(DUMMY_HASH.to_owned()).verify(&password);
            return Err(BAD_CREDENTIALS);
        };
        if !account.password.verify(&password) {
            return Err(BAD_CREDENTIALS);
        }
        let token = SecretToken::generate()?;
        let now = self.now();
        let session = Session {
            token_hash: token.hash(),
            account: account.id,
            created_at: now,
            expires_at: now + self.config.session_ttl,
            revoked: false,
        };
        self.stores.accounts.create_session(session).await?;
        Ok((token, Principal::of_account(account.id, account.role)))
    }

    /// The principal behind a session token. `Unauthenticated` if the token is malformed,
    /// unknown, expired or revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, Error> {
        let token = SecretToken::parse(token)?;
        let accounts = &self.stores.accounts;
        let session = accounts.session(&token.hash()).await?.ok_or(BAD_SESSION)?;
        if session.revoked || session.expires_at <= self.now() {
            return Err(BAD_SESSION);
        }
        let account = accounts
            .account(session.account)
            .await?
            .ok_or(BAD_SESSION)?;
        Ok(Principal::of_account(account.id, account.role))
    }

    /// Ends a session. Ending an unknown or already ended session is not an error; a
    /// malformed token is `Unauthenticated`.
    pub async fn logout(&self, token: &str) -> Result<(), Error> {
        let token = SecretToken::parse(token)?;
        self.stores.accounts.revoke_session(&token.hash()).await
    }

    /// Starts a password reset for `email`: returns a single-use token lasting
    /// [`Config::reset_token_ttl`](super::Config::reset_token_ttl) for the host to send
    /// to that address, or `None` if no account has it. The host should answer the user
    /// the same way in both cases. Emits `user.password_reset_requested`.
    pub async fn request_password_reset(&self, email: &str) -> Result<Option<SecretToken>, Error> {
        let email = Email::parse(email)?;
        let Some(account) = self.stores.accounts.account_by_email(&email).await? else {
            return Ok(None);
        };
        let token = SecretToken::generate()?;
        let now = self.now();
        let reset = ResetToken {
            token_hash: token.hash(),
            account: account.id,
            expires_at: now + self.config.reset_token_ttl,
            used: false,
        };
        let event = DomainEvent::PasswordResetRequested {
            account: account.id,
        };
        self.stores
            .accounts
            .create_reset_token(reset, vec![EventRecord::new(now, event)])
            .await?;
        Ok(Some(token))
    }

    /// Sets a new password with a reset token. The token works once and only before it
    /// expires (`Unauthenticated` otherwise); using it signs the account out everywhere.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), Error> {
        let token = SecretToken::parse(token)?;
        let password = PasswordHash::new(&Password::parse(new_password)?)?;
        self.stores
            .accounts
            .reset_password(&token.hash(), password, self.now())
            .await?;
        Ok(())
    }

    /// An account, for its owner or an admin.
    pub async fn profile(&self, actor: Principal, account: AccountId) -> Result<Account, Error> {
        require_self_or_admin(actor, account, "read profile")?;
        self.stores
            .accounts
            .account(account)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Account, account))
    }

    /// Replaces an account's profile, for its owner or an admin, and returns the account.
    /// The name must be non-empty; texts are at most 200 characters without control
    /// characters.
    pub async fn update_profile(
        &self,
        actor: Principal,
        account: AccountId,
        profile: Profile,
    ) -> Result<Account, Error> {
        require_self_or_admin(actor, account, "update profile")?;
        let profile = profile.checked()?;
        self.stores.accounts.update_profile(account, profile).await
    }

    /// Adds an address to `owner`'s address book, for the owner or an admin. With
    /// `is_default`, it becomes the owner's only default address.
    pub async fn add_address(
        &self,
        actor: Principal,
        owner: CustomerId,
        address: NewAddress,
        is_default: bool,
    ) -> Result<Address, Error> {
        actor.require_customer(owner, "add address")?;
        let address = Address {
            id: AddressId::random(),
            owner,
            address: address.checked()?,
            is_default,
        };
        self.stores.accounts.save_address(address.clone()).await?;
        Ok(address)
    }

    /// `owner`'s address book in the order it was filled, for the owner or an admin.
    pub async fn addresses(
        &self,
        actor: Principal,
        owner: CustomerId,
    ) -> Result<Vec<Address>, Error> {
        actor.require_customer(owner, "read addresses")?;
        self.stores.accounts.addresses_of(owner).await
    }

    /// Replaces an address, for its owner or an admin. With `is_default`, it becomes the
    /// owner's only default address.
    pub async fn update_address(
        &self,
        actor: Principal,
        id: AddressId,
        address: NewAddress,
        is_default: bool,
    ) -> Result<Address, Error> {
        let stored = self.owned_address(actor, id, "update address").await?;
        let address = Address {
            id,
            owner: stored.owner,
            address: address.checked()?,
            is_default,
        };
        self.stores.accounts.save_address(address.clone()).await?;
        Ok(address)
    }

    /// Removes an address, for its owner or an admin.
    pub async fn delete_address(&self, actor: Principal, id: AddressId) -> Result<(), Error> {
        self.owned_address(actor, id, "delete address").await?;
        self.stores.accounts.delete_address(id).await
    }

    /// The address `id` if `actor` may act on it: `NotFound` if absent, `Forbidden` if
    /// it is someone else's.
    async fn owned_address(
        &self,
        actor: Principal,
        id: AddressId,
        action: &'static str,
    ) -> Result<Address, Error> {
        let address = self
            .stores
            .accounts
            .address(id)
            .await?
            .ok_or_else(|| Error::not_found(Entity::Address, id))?;
        actor.require_customer(address.owner, action)?;
        Ok(address)
    }
}

/// Allowed for the account itself or an administrator.
fn require_self_or_admin(
    actor: Principal,
    account: AccountId,
    action: &'static str,
) -> Result<(), Error> {
    if actor.is_admin() || actor.account() == Some(account) {
        Ok(())
    } else {
        Err(Error::forbidden(action))
    }
}

#[cfg(test)]
mod tests {
    use super::DUMMY_HASH;

    /// The dummy must cost what a real verification costs: same algorithm, same
    /// parameters as the hashes `PasswordHash::new` makes.
    #[test]
    fn dummy_hash_uses_the_default_argon2id_parameters() {
        let parsed = argon2::PasswordHash::new(DUMMY_HASH);
        let parsed = parsed.as_ref().ok();
        let costs = |p: &argon2::Params| (p.m_cost(), p.t_cost(), p.p_cost());
        let params = parsed.and_then(|p| argon2::Params::try_from(p).ok());
        assert_eq!(
            params.as_ref().map(costs),
            Some(costs(&argon2::Params::default()))
        );
        assert_eq!(
            parsed.map(|p| p.algorithm.as_str()),
            Some(argon2::Algorithm::Argon2id.ident().as_str())
        );
    }
}
