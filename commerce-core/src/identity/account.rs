//! Accounts, profiles, addresses, sessions and password-reset tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Email, PasswordHash, Role, TokenHash};
use crate::ids::{AccountId, AddressId, CustomerId};
use crate::pricing::CountryCode;

/// A login: a customer, a seller or an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The account's id (a customer's `CustomerId` shares its UUID, and so on).
    pub id: AccountId,
    /// Normalised, unique e-mail.
    pub email: Email,
    /// What the account may do.
    pub role: Role,
    /// The argon2id hash of the password.
    pub password: PasswordHash,
    /// Name and preferences.
    pub profile: Profile,
    /// When it registered.
    pub created_at: DateTime<Utc>,
}

/// What a user says about themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Display name.
    pub name: String,
    /// Phone number, free text.
    pub phone: Option<String>,
    /// Whether the user wants promotional messages (transactional ones are always sent).
    pub marketing_opt_in: bool,
}

/// A postal address as entered, before it has an id and an owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAddress {
    /// Recipient's name.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Apartment, floor ...
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// State or province, if the country uses them.
    pub region: Option<String>,
    /// Country.
    pub country: CountryCode,
    /// Phone number for the carrier.
    pub phone: Option<String>,
}

/// An address in a customer's address book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The address's id.
    pub id: AddressId,
    /// Whose address book it is in.
    pub owner: CustomerId,
    /// The address itself.
    pub address: NewAddress,
    /// Whether it is the default for shipping.
    pub is_default: bool,
}

/// A signed-in session. Only the token's hash is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The hash of the token the user holds.
    pub token_hash: TokenHash,
    /// Whose session it is.
    pub account: AccountId,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it stops being valid.
    pub expires_at: DateTime<Utc>,
    /// Whether it was revoked (logout, password change).
    pub revoked: bool,
}

/// A single-use password-reset token. Only the token's hash is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetToken {
    /// The hash of the token sent to the user.
    pub token_hash: TokenHash,
    /// Whose password it resets.
    pub account: AccountId,
    /// When it stops being valid.
    pub expires_at: DateTime<Utc>,
    /// Whether it has been used.
    pub used: bool,
}
