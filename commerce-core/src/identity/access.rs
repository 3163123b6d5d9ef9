//! Who is acting: the principal a use case runs as, and the actor written into histories.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ids::{AccountId, AdminId, CustomerId, SellerId};

/// The kind of account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Buys things; reaches only their own carts, orders, addresses and reviews.
    Customer,
    /// Owns one shop; reaches only that shop's products, stock and order lines.
    Seller,
    /// Reaches everything.
    Admin,
}

/// Who is calling a use case. Every use case takes one and checks it itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "role", content = "id", rename_all = "snake_case")]
pub enum Principal {
    /// Not signed in.
    Guest,
    /// A signed-in customer.
    Customer(CustomerId),
    /// A signed-in seller.
    Seller(SellerId),
    /// A signed-in administrator.
    Admin(AdminId),
}

impl Principal {
    /// The principal an account acts as: its id, typed by its role.
    pub fn of_account(id: AccountId, role: Role) -> Self {
        let uuid = id.as_uuid();
        match role {
            Role::Customer => Principal::Customer(CustomerId::from_uuid(uuid)),
            Role::Seller => Principal::Seller(SellerId::from_uuid(uuid)),
            Role::Admin => Principal::Admin(AdminId::from_uuid(uuid)),
        }
    }

    /// The account behind the principal, `None` for a guest.
    pub fn account(&self) -> Option<AccountId> {
        match self {
            Principal::Guest => None,
            Principal::Customer(id) => Some(AccountId::from_uuid(id.as_uuid())),
            Principal::Seller(id) => Some(AccountId::from_uuid(id.as_uuid())),
            Principal::Admin(id) => Some(AccountId::from_uuid(id.as_uuid())),
        }
    }

    /// Whether this is an administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Admin(_))
    }

    /// Allowed only for an administrator.
    pub fn require_admin(&self, action: &'static str) -> Result<(), Error> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Error::forbidden(action))
        }
    }

    /// Allowed for `owner` themselves or an administrator.
    pub fn require_customer(&self, owner: CustomerId, action: &'static str) -> Result<(), Error> {
        match self {
            Principal::Admin(_) => Ok(()),
            Principal::Customer(me) if *me == owner => Ok(()),
            _ => Err(Error::forbidden(action)),
        }
    }

    /// Allowed for the seller `owner` or an administrator.
    pub fn require_seller(&self, owner: SellerId, action: &'static str) -> Result<(), Error> {
        match self {
            Principal::Admin(_) => Ok(()),
            Principal::Seller(me) if *me == owner => Ok(()),
            _ => Err(Error::forbidden(action)),
        }
    }
}

/// Who caused a change, as recorded in histories.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A person, through the API.
    Principal(Principal),
    /// The engine itself (reservation expiry, automatic transitions).
    System,
    /// The payment provider (a webhook or a confirmation result).
    PaymentProvider,
    /// A carrier's tracking update.
    Carrier,
}

impl From<Principal> for Actor {
    fn from(principal: Principal) -> Self {
        Actor::Principal(principal)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Actor::Principal(Principal::Guest) => "guest",
            Actor::Principal(Principal::Customer(_)) => "customer",
            Actor::Principal(Principal::Seller(_)) => "seller",
            Actor::Principal(Principal::Admin(_)) => "admin",
            Actor::System => "system",
            Actor::PaymentProvider => "payment provider",
            Actor::Carrier => "carrier",
        })
    }
}
