//! Opaque tokens (sessions, password resets): 256 random bits handed to the user once,
//! stored only as a SHA-256 hash.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// A token as given to the user. Never printed by `Debug`; store only its [`TokenHash`].
pub struct SecretToken(SecretString);

impl SecretToken {
    /// A fresh token of 32 random bytes, hex encoded.
    pub fn generate() -> Result<Self, Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Unavailable(format!("no randomness for a token: {e}")))?;
        Ok(SecretToken(SecretString::from(hex::encode(bytes))))
    }

    /// A token presented by a user. Anything that is not 64 hex digits cannot be one of
    /// ours, so it is refused before any lookup.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        if raw.len() != 64 || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Unauthenticated("malformed token"));
        }
        Ok(SecretToken(SecretString::from(raw.to_ascii_lowercase())))
    }

    /// The token text, to hand to the user (a cookie, a link). Keep it out of logs.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The hash under which it is stored.
    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(self.expose().as_bytes())))
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// The SHA-256 of a token, hex encoded: what storage keeps and looks up by. Knowing it
/// does not let anyone sign in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    /// Wraps a stored hash.
    pub fn from_hex(hex: String) -> Self {
        TokenHash(hex)
    }

    /// The hex text, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
