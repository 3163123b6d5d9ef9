//! Accounts, profiles, addresses, sessions and password-reset tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Email, PasswordHash, Role, TokenHash};
use crate::error::Error;
use crate::ids::{AccountId, AddressId, CustomerId};
use crate::pricing::CountryCode;
use crate::text::{self, MAX_LINE_CHARS};

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

impl Profile {
    /// The profile with its texts checked by the one rule of [`crate::text`]: the name
    /// and the phone one line of at most [`MAX_LINE_CHARS`] characters, the name
    /// required. A refusal names `name` or `phone`.
    pub fn checked(self) -> Result<Self, Error> {
        Ok(Profile {
            name: text::line("name", &self.name, MAX_LINE_CHARS)?,
            phone: text::optional_line("phone", self.phone.as_deref(), MAX_LINE_CHARS)?,
            marketing_opt_in: self.marketing_opt_in,
        })
    }
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

/// The field names an address's refusals carry: plain in the address book,
/// `ship_to.`-prefixed at checkout.
pub(crate) struct AddressFields {
    name: &'static str,
    line1: &'static str,
    line2: &'static str,
    city: &'static str,
    postal_code: &'static str,
    region: &'static str,
    phone: &'static str,
}

impl AddressFields {
    /// Names for an address-book entry: `name`, `line1`, ...
    pub(crate) const BOOK: AddressFields = AddressFields {
        name: "name",
        line1: "line1",
        line2: "line2",
        city: "city",
        postal_code: "postal_code",
        region: "region",
        phone: "phone",
    };

    /// Names for the address an order ships to: `ship_to.name`, `ship_to.line1`, ...
    pub(crate) const SHIP_TO: AddressFields = AddressFields {
        name: "ship_to.name",
        line1: "ship_to.line1",
        line2: "ship_to.line2",
        city: "ship_to.city",
        postal_code: "ship_to.postal_code",
        region: "ship_to.region",
        phone: "ship_to.phone",
    };
}

impl NewAddress {
    /// The address with its texts checked by the one rule of [`crate::text`]: each one
    /// line of at most [`MAX_LINE_CHARS`] characters; the name, first line, city and
    /// postal code required, the rest blank for absent. A refusal names the field
    /// (`name`, `line1`, `line2`, `city`, `postal_code`, `region`, `phone`).
    pub fn checked(self) -> Result<Self, Error> {
        self.checked_as(&AddressFields::BOOK)
    }

    /// As [`NewAddress::checked`], naming the fields as `fields` says.
    pub(crate) fn checked_as(self, fields: &AddressFields) -> Result<Self, Error> {
        let one = |field, raw: &str| text::line(field, raw, MAX_LINE_CHARS);
        let optional = |field, raw: Option<&str>| text::optional_line(field, raw, MAX_LINE_CHARS);
        Ok(NewAddress {
            name: one(fields.name, &self.name)?,
            line1: one(fields.line1, &self.line1)?,
            line2: optional(fields.line2, self.line2.as_deref())?,
            city: one(fields.city, &self.city)?,
            postal_code: one(fields.postal_code, &self.postal_code)?,
            region: optional(fields.region, self.region.as_deref())?,
            country: self.country,
            phone: optional(fields.phone, self.phone.as_deref())?,
        })
    }
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
