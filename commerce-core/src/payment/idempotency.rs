//! Idempotency keys.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A client-chosen key that makes a request safe to repeat: 1–200 visible ASCII
/// characters. The same key always means the same request.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parses a key.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        if raw.is_empty() || raw.len() > 200 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "idempotency_key",
                "1 to 200 visible ASCII characters",
            ));
        }
        Ok(IdempotencyKey(raw.to_owned()))
    }

    /// A key derived from this one for a sub-step (`"{key}:{step}"`), so each step of a
    /// retried request is itself idempotent at the provider.
    pub fn derive(&self, step: &str) -> IdempotencyKey {
        IdempotencyKey(format!("{}:{step}", self.0))
    }

    /// A UUID determined by the key alone, so that whatever a request creates under this
    /// key (a refund, say) gets the same id on every retry.
    pub fn stable_uuid(&self) -> uuid::Uuid {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.0.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        IdempotencyKey::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}
