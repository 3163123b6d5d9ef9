//! The secret the in-memory payment provider signs its webhooks with: never a constant.
//! `SHOP_MEMORY_WEBHOOK_SECRET` when set; otherwise 32 random bytes kept in the data
//! directory's `memory-webhook-secret` file, created on first start readable by its owner
//! only, so each data directory has its own.

use std::io::{ErrorKind, Write};
use std::path::Path;

use commerce::Error;
use commerce::identity::SecretToken;
use secrecy::{ExposeSecret, SecretString};

/// The file, in the data directory, that keeps the generated secret.
pub(crate) const SECRET_FILE: &str = "memory-webhook-secret";

/// The shortest secret accepted, from the environment or the file.
const MIN_CHARS: usize = 32;

/// The configured secret, or the data directory's own (made on first use).
pub(crate) fn memory_webhook_secret(
    configured: Option<&SecretString>,
    data_dir: &Path,
) -> Result<SecretString, Error> {
    if let Some(secret) = configured {
        return checked(secret.expose_secret(), "SHOP_MEMORY_WEBHOOK_SECRET");
    }
    let path = data_dir.join(SECRET_FILE);
    let unreadable = |e: std::io::Error| {
        Error::invalid(
            "SHOP_DATA_DIR",
            format!("cannot keep the webhook secret in {}: {e}", path.display()),
        )
    };
    match create_owner_only(&path) {
        Ok(mut file) => {
            let fresh = SecretToken::generate()?;
            file.write_all(fresh.expose().as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(unreadable)?;
            Ok(SecretString::from(fresh.expose().to_owned()))
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let kept = std::fs::read_to_string(&path).map_err(unreadable)?;
            checked(&kept, "SHOP_DATA_DIR")
        }
        Err(e) => Err(unreadable(e)),
    }
}

/// `secret` trimmed, refused when too short to be one.
fn checked(secret: &str, field: &'static str) -> Result<SecretString, Error> {
    let secret = secret.trim();
    if secret.chars().count() < MIN_CHARS {
        return Err(Error::invalid(
            field,
            format!("the in-memory webhook secret must have at least {MIN_CHARS} characters"),
        ));
    }
    Ok(SecretString::from(secret.to_owned()))
}

/// Creates `path`, failing if it exists; on Unix readable and writable by its owner only.
fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn secret_of(dir: &Path) -> String {
        memory_webhook_secret(None, dir)
            .unwrap()
            .expose_secret()
            .to_owned()
    }

    #[test]
    fn each_data_dir_gets_its_own_random_secret_and_keeps_it() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = secret_of(one.path());
        assert_eq!(first.len(), 64);
        assert_eq!(secret_of(one.path()), first, "kept across starts");
        assert_ne!(
            secret_of(two.path()),
            first,
            "another directory, another secret"
        );
        assert_ne!(first, "whsec_shop_demo");
    }

    #[cfg(unix)]
    #[test]
    fn the_secret_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        secret_of(dir.path());
        let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_configured_secret_wins_and_a_short_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let configured = SecretString::from("k".repeat(40));
        let secret = memory_webhook_secret(Some(&configured), dir.path()).unwrap();
        assert_eq!(secret.expose_secret(), "k".repeat(40));
        assert!(!dir.path().join(SECRET_FILE).exists());
        let short = SecretString::from("short".to_owned());
        assert!(memory_webhook_secret(Some(&short), dir.path()).is_err());
    }
}
