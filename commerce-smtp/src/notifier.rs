//! The e-mail channel over SMTP.

use async_trait::async_trait;
use commerce_core::Error;
use commerce_core::notify::{Channel, Message};
use commerce_core::ports::{Notifier, SendError};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{SmtpConfig, TlsMode};

/// Sends notifications as multipart e-mail through an SMTP server, over a pool of
/// connections. Cheap to share (`Arc`); needs a tokio runtime.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    timeout: std::time::Duration,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpNotifier")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    /// A notifier sending through the server `config` describes. Connects lazily, on
    /// the first message.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `smtp_url`) if TLS is asked for a host name TLS
    /// cannot use or an extra root certificate is not valid PEM.
    pub fn new(config: &SmtpConfig) -> Result<Self, Error> {
        let tls = match config.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(tls_parameters(config)?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters(config)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout))
            .pool_config(PoolConfig::new().max_size(config.pool_size));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(SmtpNotifier {
            transport: builder.build(),
            from: config.from.clone(),
            reply_to: config.reply_to.clone(),
            timeout: config.timeout,
        })
    }

    /// The e-mail for `message`: from, reply-to, to, subject, and the text and HTML
    /// bodies as alternatives.
    fn email(&self, message: &Message) -> Result<lettre::Message, SendError> {
        let to: Mailbox = message.to.parse().map_err(|e| {
            SendError::Permanent(format!("invalid recipient address {:?}: {e}", message.to))
        })?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.as_str());
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                message.text.clone(),
                message.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("could not build the e-mail: {e}")))
    }
}

/// TLS for `config.host`: the public web roots plus the configured extra roots.
fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters, Error> {
    let mut builder = TlsParameters::builder(config.host.clone());
    for pem in &config.root_certificates {
        let certificate = Certificate::from_pem(pem)
            .map_err(|e| Error::invalid("smtp_url", format!("root certificate: {e}")))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| Error::invalid("smtp_url", format!("TLS for {}: {e}", config.host)))
}

/// Classifies a transport error: the server's permanent (5xx) refusals are permanent,
/// everything else (no connection, timeouts, 4xx, TLS or protocol trouble) may pass.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    if error.is_permanent() {
        SendError::Permanent(format!("the SMTP server refused the message: {error}"))
    } else {
        SendError::Retryable(format!("SMTP: {error}"))
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let email = self.email(message)?;
        // lettre bounds only the connect; a server that stops answering mid-exchange
        // must not hold the delivery worker.
        match tokio::time::timeout(self.timeout, self.transport.send(email)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|e| classify(&e)),
            Err(_) => Err(SendError::Retryable(format!(
                "SMTP: no answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }
}
