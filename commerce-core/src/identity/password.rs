//! Passwords: accepted by a length policy, stored only as argon2id hashes.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A password as typed, held as a secret (never printed). 8 to 128 characters.
pub struct Password(SecretString);

impl Password {
    /// Accepts a password of 8 to 128 characters.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let chars = raw.chars().count();
        if !(8..=128).contains(&chars) {
            return Err(Error::invalid("password", "must be 8 to 128 characters"));
        }
        Ok(Password(SecretString::from(raw)))
    }

    fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// An argon2id hash in PHC string format (`$argon2id$v=19$...`), salted per password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Hashes `password` with argon2id and a fresh random salt.
    pub fn new(password: &Password) -> Result<Self, Error> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| Error::Unavailable(format!("no randomness for a salt: {e}")))?;
        let salt = SaltString::encode_b64(&salt)
            .map_err(|e| Error::Unavailable(format!("salt encoding: {e}")))?;
        let hash = Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map_err(|e| Error::Unavailable(format!("password hashing: {e}")))?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// Wraps a stored PHC string (as read back from storage).
    pub fn from_phc(phc: String) -> Self {
        PasswordHash(phc)
    }

    /// The PHC string, for storage.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// Whether `password` matches. A malformed stored hash matches nothing.
    pub fn verify(&self, password: &Password) -> bool {
        argon2::PasswordHash::new(&self.0).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        })
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}
