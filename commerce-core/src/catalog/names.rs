//! Parsed catalog strings: slugs and SKUs.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A URL slug: 1–100 characters of `a-z`, `0-9` and single inner hyphens.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// Accepts a slug exactly as given, or explains why not.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if s.is_empty() || s.len() > 100 {
            return Err(Error::invalid("slug", "must be 1 to 100 characters"));
        }
        if !ok_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(Error::invalid(
                "slug",
                "only a-z, 0-9 and single hyphens between them",
            ));
        }
        Ok(Slug(s.to_owned()))
    }

    /// Derives a slug from a display name: `"Blue T-Shirt (XL)"` → `blue-t-shirt-xl`.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        let mut slug = String::with_capacity(name.len());
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        slug.truncate(100);
        Slug::parse(slug.trim_end_matches('-'))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> String {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stock-keeping unit: 1–64 characters of letters, digits, `-`, `_` and `.`,
/// stored upper case so `abc-1` and `ABC-1` are the same SKU. Cloning is cheap (shared).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(Arc<str>);

impl Sku {
    /// Parses and normalises a SKU.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
            return Err(Error::invalid("sku", "must be 1 to 64 characters"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(Error::invalid(
                "sku",
                "only letters, digits, '-', '_' and '.'",
            ));
        }
        Ok(Sku(s.to_ascii_uppercase().into()))
    }

    /// The SKU text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Sku::parse(&s)
    }
}

impl From<Sku> for String {
    fn from(sku: Sku) -> String {
        sku.0.to_string()
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_derived_from_names() {
        let slug = Slug::from_name("Blue T-Shirt (XL)").map(|s| s.to_string());
        assert_eq!(slug.as_deref(), Ok("blue-t-shirt-xl"));
        assert!(Slug::from_name("!!!").is_err());
        assert!(Slug::parse("Has Space").is_err());
        assert!(Slug::parse("double--hyphen").is_err());
    }

    #[test]
    fn skus_are_normalised_to_upper_case() {
        assert_eq!(
            Sku::parse(" tee-red.xl ").map(|s| s.to_string()).as_deref(),
            Ok("TEE-RED.XL")
        );
        assert!(Sku::parse("has space").is_err());
        assert!(Sku::parse("").is_err());
    }
}
