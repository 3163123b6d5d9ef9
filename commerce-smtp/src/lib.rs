//! E-mail notifications for commerce-rs over SMTP, on [lettre](https://docs.rs/lettre):
//! an implementation of the core's [`Notifier`](commerce_core::ports::Notifier) port for
//! the e-mail channel.
//!
//! ```no_run
//! # fn main() -> Result<(), commerce_core::Error> {
//! use std::sync::Arc;
//! use commerce_core::NotificationSettings;
//! use commerce_smtp::{SmtpConfig, SmtpNotifier};
//!
//! let config = SmtpConfig::from_url(
//!     "smtp://mailer:secret@mail.example.com:587?from=Shop%20%3Cshop%40example.com%3E",
//! )?;
//! let settings = NotificationSettings::default()
//!     .with_notifier(Arc::new(SmtpNotifier::new(&config)?));
//! # let _ = settings;
//! # Ok(())
//! # }
//! ```
//!
//! Messages are multipart (plain text and HTML alternatives), sent over a pool of
//! connections. Failures are classified for the delivery worker: connection failures,
//! timeouts and 4xx replies are retryable; 5xx replies and addresses that do not parse
//! are permanent.

mod config;
mod notifier;

pub use config::{SmtpConfig, TlsMode};
pub use notifier::SmtpNotifier;
