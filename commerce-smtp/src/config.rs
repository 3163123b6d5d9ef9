//! SMTP settings, from a URL.

use std::fmt;
use std::time::Duration;

use commerce_core::Error;
use lettre::message::Mailbox;
use secrecy::SecretString;
use url::Url;

/// How the connection to the server is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: only for a relay on the same host or network (and tests).
    None,
    /// Plain connection upgraded with `STARTTLS`, which the server must offer.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// Where and how to send e-mail. Build it with [`SmtpConfig::from_url`]:
///
/// `smtp[s]://[user[:password]@]host[:port][?tls=none|starttls|tls&from=..&reply_to=..&pool_size=..&timeout_secs=..]`
///
/// - the scheme `smtp` means STARTTLS (port 587 by default) and `smtps` means TLS from
///   the start (port 465); `tls=` overrides it, and `tls=none` sends in plain text
///   (port 25 by default);
/// - user name and password are percent-decoded; the password is held in a
///   [`SecretString`] and never shown by `Debug`;
/// - `from` (required) and `reply_to` are mailboxes (`Shop <shop@example.com>` or a bare
///   address), percent-encoded in the URL;
/// - `pool_size` is the most connections kept open (default 4), `timeout_secs` how long
///   connecting may take and, separately, how long sending one message may take in all
///   (default 30).
#[derive(Clone)]
pub struct SmtpConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// Connection security.
    pub tls: TlsMode,
    /// User name and password, if the server wants them.
    pub credentials: Option<(String, SecretString)>,
    /// The sender of every message.
    pub from: Mailbox,
    /// Where replies go, if not to `from`.
    pub reply_to: Option<Mailbox>,
    /// The most connections the pool keeps open.
    pub pool_size: u32,
    /// How long connecting may take, and how long sending one message may take in all;
    /// past it the attempt fails as retryable.
    pub timeout: Duration,
    /// Extra trusted root certificates (PEM), besides the public web roots: for a
    /// server with a private CA.
    pub root_certificates: Vec<Vec<u8>>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "[REDACTED]")),
            )
            .field("from", &self.from.to_string())
            .field("reply_to", &self.reply_to.as_ref().map(ToString::to_string))
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .field("root_certificates", &self.root_certificates.len())
            .finish()
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::invalid("smtp_url", reason)
}

fn mailbox(field: &str, raw: &str) -> Result<Mailbox, Error> {
    raw.parse::<Mailbox>()
        .map_err(|e| invalid(format!("`{field}` is not a mailbox: {e}")))
}

fn decoded(raw: &str) -> Result<String, Error> {
    percent_decode(raw).ok_or_else(|| invalid("credentials are not valid percent-encoded UTF-8"))
}

/// Percent-decodes `raw` (as `url` leaves user names and passwords encoded).
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl SmtpConfig {
    /// Parses an SMTP URL (see [`SmtpConfig`] for its form).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `smtp_url`) for a URL that does not parse, another
    /// scheme, no host, an unknown parameter or `tls` value, or a missing or malformed
    /// `from`. The message never contains the password.
    pub fn from_url(raw: &str) -> Result<Self, Error> {
        let url = Url::parse(raw).map_err(|e| invalid(format!("not a URL: {e}")))?;
        let mut tls = match url.scheme() {
            "smtp" => TlsMode::StartTls,
            "smtps" => TlsMode::Tls,
            other => return Err(invalid(format!("scheme `{other}` is not smtp or smtps"))),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let mut from = None;
        let mut reply_to = None;
        let mut pool_size = 4;
        let mut timeout = Duration::from_secs(30);
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "tls" => {
                    tls = match value.as_ref() {
                        "none" => TlsMode::None,
                        "starttls" => TlsMode::StartTls,
                        "tls" => TlsMode::Tls,
                        other => {
                            return Err(invalid(format!(
                                "tls=`{other}` is not none, starttls or tls"
                            )));
                        }
                    }
                }
                "from" => from = Some(mailbox("from", &value)?),
                "reply_to" => reply_to = Some(mailbox("reply_to", &value)?),
                "pool_size" => {
                    pool_size = value
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| invalid("pool_size is not a positive number"))?;
                }
                "timeout_secs" => {
                    timeout = value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .map(Duration::from_secs)
                        .ok_or_else(|| invalid("timeout_secs is not a positive number"))?;
                }
                other => return Err(invalid(format!("unknown parameter `{other}`"))),
            }
        }
        let from = from.ok_or_else(|| invalid("no `from` parameter"))?;
        let port = url.port().unwrap_or(match tls {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        });
        let credentials = if url.username().is_empty() {
            None
        } else {
            let user = decoded(url.username())?;
            let password = decoded(url.password().unwrap_or_default())?;
            Some((user, SecretString::from(password)))
        };
        Ok(SmtpConfig {
            host,
            port,
            tls,
            credentials,
            from,
            reply_to,
            pool_size,
            timeout,
            root_certificates: Vec::new(),
        })
    }

    /// The same configuration also trusting the root certificate `pem` (for a server
    /// whose certificate a private CA issued). Checked when the notifier is built.
    pub fn with_root_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_full_url_parses_and_debug_hides_the_password() {
        let config = SmtpConfig::from_url(
            "smtps://mailer%40shop:p%40ss@mail.example.com?from=Shop%20%3Cshop%40example.com%3E&reply_to=help%40example.com&pool_size=2",
        )
        .unwrap();
        assert_eq!(config.host, "mail.example.com");
        assert_eq!(config.port, 465);
        assert_eq!(config.tls, TlsMode::Tls);
        let (user, password) = config.credentials.as_ref().unwrap();
        assert_eq!(user, "mailer@shop");
        assert_eq!(password.expose_secret(), "p@ss");
        assert_eq!(config.from.email.to_string(), "shop@example.com");
        assert_eq!(
            config.reply_to.as_ref().unwrap().to_string(),
            "help@example.com"
        );
        assert_eq!(config.pool_size, 2);
        let shown = format!("{config:?}");
        assert!(!shown.contains("p@ss"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }

    #[test]
    fn scheme_and_tls_parameter_choose_security_and_default_port() {
        let starttls = SmtpConfig::from_url("smtp://mail.example.com?from=a%40b.co").unwrap();
        assert_eq!((starttls.tls, starttls.port), (TlsMode::StartTls, 587));
        let plain = SmtpConfig::from_url("smtp://127.0.0.1:2525?tls=none&from=a%40b.co").unwrap();
        assert_eq!((plain.tls, plain.port), (TlsMode::None, 2525));
        assert!(plain.credentials.is_none());
    }

    #[test]
    fn bad_urls_are_invalid_input_without_the_password() {
        for bad in [
            "http://mail.example.com?from=a%40b.co",
            "smtp://mail.example.com",
            "smtp://mail.example.com?from=not-a-mailbox",
            "smtp://mail.example.com?from=a%40b.co&tls=maybe",
            "smtp://mail.example.com?from=a%40b.co&colour=blue",
            "smtp://u:hunter2@mail.example.com?from=a%40b.co&pool_size=0",
            "not a url",
        ] {
            let error = SmtpConfig::from_url(bad).unwrap_err();
            assert_eq!(
                error.kind(),
                commerce_core::ErrorKind::InvalidInput { field: "smtp_url" },
                "{bad}"
            );
            assert!(!error.to_string().contains("hunter2"));
        }
    }
}
