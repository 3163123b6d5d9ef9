//! Identity and access: accounts (customers, sellers, admins), e-mail and password
//! parsing, argon2id password hashes, opaque session and reset tokens stored only as
//! hashes, profiles and addresses — and the [`Principal`] every use case is called as.

mod access;
mod account;
mod email;
mod password;
mod token;

pub use access::{Actor, Principal, Role};
pub(crate) use account::AddressFields;
pub use account::{Account, Address, NewAddress, Profile, ResetToken, Session};
pub use email::Email;
pub use password::{Password, PasswordHash};
pub use token::{SecretToken, TokenHash};
