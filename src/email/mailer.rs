//! Delivery: SMTP when `SMTP_URL` is set, `.eml` files in `ROADSHOW_DATA_DIR/mail` otherwise,
//! so that nothing is ever lost and a developer can open what would have been sent.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Settings;

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::Files(_, dir) => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

impl Mailer {
    /// The mailer the settings ask for.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match &settings.smtp_url {
            Some(url) => {
                let host = url.host_str().unwrap_or("localhost");
                let mut builder = if url.scheme() == "smtps" {
                    AsyncSmtpTransport::<Tokio1Executor>::relay(host)?
                } else {
                    // Plain SMTP: a local relay or a mail catcher.
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                };
                if let Some(port) = url.port() {
                    builder = builder.port(port);
                }
                if !url.username().is_empty() {
                    let password = url.password().unwrap_or_default();
                    builder = builder.credentials(Credentials::new(
                        url.username().to_owned(),
                        password.to_owned(),
                    ));
                }
                Ok(Self::Smtp(
                    builder.timeout(Some(Duration::from_secs(15))).build(),
                ))
            }
            None => {
                let dir = settings.data_dir.join("mail");
                std::fs::create_dir_all(&dir)?;
                Ok(Self::Files(AsyncFileTransport::new(&dir), dir))
            }
        }
    }

    /// Sends one message; the error text is kept in the outbox row.
    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Self::Smtp(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Self::Files(transport, _) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}
