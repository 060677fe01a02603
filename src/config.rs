//! Settings read once from the environment (12-factor), each with a default that works on a laptop.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `DATABASE_URL` | `sqlite://roadshow.db` | `sqlite://PATH` or `postgres://user@host/db` |
//! | `ROADSHOW_DATABASE_CA_FILE` | unset | CA certificate(s) the PostgreSQL server's must chain to (`sslmode=verify-full` in `DATABASE_URL`) |
//! | `ROADSHOW_LISTEN` | `127.0.0.1:8080` | address and port to listen on |
//! | `ROADSHOW_BASE_URL` | `http://<listen>` | public address used in links and e-mails |
//! | `SMTP_URL` | unset | `smtp://host:port`; unset writes e-mails as `.eml` files |
//! | `ROADSHOW_MAIL_FROM` | `Roadshow <noreply@roadshow.example>` | sender of e-mails |
//! | `ROADSHOW_RATE_LIMIT` | `30` | public POSTs per minute per client address; `0` = off |
//! | `ROADSHOW_DATA_DIR` | `roadshow-data` | keys and the `.eml` mail folder |
//! | `ROADSHOW_DB_POOL` | `8` | database connections (at most 8 on SQLite) |
//! | `ROADSHOW_TOKEN_TTL_HOURS` | `720` | lifetime of API bearer tokens |
//! | `ROADSHOW_SESSION_TTL_HOURS` | `12` | lifetime of a page login |
//! | `ROADSHOW_DEVICE_TOKEN_DAYS_AFTER_STOP` | `2` | days after its stop ends when a scanner device's token stops working |
//! | `ROADSHOW_WORKERS` | number of cores | HTTP worker threads |
//! | `ROADSHOW_LOG_FORMAT` | `text` | `text` or `json` |
//! | `ROADSHOW_MAIL_WORKER` | `on` | `off`: this process neither sends e-mails nor runs the periodic jobs (run `roadshow mail-worker`) |
//! | `ROADSHOW_MAIL_RETRY_SECONDS` | `30` | first retry delay of a failed e-mail, doubled each time |
//! | `ROADSHOW_FEEDBACK_DAYS` | `30` | how long a feedback link works |
//! | `ROADSHOW_FEEDBACK_REMINDER_HOURS` | `72` | when the one reminder goes to those who have not answered |
//! | `ROADSHOW_HOUSEKEEPING_SECONDS` | `60` | how often the periodic jobs look for ended stops and due reminders |
//! | `ROADSHOW_ANALYTICS_CACHE_SECONDS` | `5` | how long computed dashboard figures are reused (`0`: never) |
//! | `ROADSHOW_REMINDER_DAYS` | `7,1` | days before a stop when each confirmed attendee gets a reminder (empty: none) |
//! | `ROADSHOW_WEBHOOK_RETRY_SECONDS` | `30` | first retry delay of an undelivered webhook, doubled each time |
//! | `ROADSHOW_WEBHOOK_ALLOW_PRIVATE` | `0` | `1`: webhooks may target loopback and private addresses (test harnesses) |
//! | `ROADSHOW_TRUSTED_PROXIES` | empty | addresses or CIDR blocks of reverse proxies whose `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Proto` are believed |
//! | `ROADSHOW_RETENTION_MONTHS` | `0` | people of stops ended more than this many months ago are pseudonymised by a housekeeping job (`0`: kept) |
//! | `RUST_LOG` | `info` | log filter |

use std::net::SocketAddr;
use std::path::PathBuf;

use url::Url;

/// Where the data lives: the backend is chosen from the URL scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (or `:memory:`).
    Sqlite(String),
    /// A libpq connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(ConfigError::new("DATABASE_URL", "the SQLite path is empty"));
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Url::parse(raw).map_err(|e| ConfigError::new("DATABASE_URL", e.to_string()))?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        Err(ConfigError::new(
            "DATABASE_URL",
            "unknown scheme: use sqlite://PATH or postgres://…",
        ))
    }

    /// `DATABASE_URL` with the TLS settings applied: `ca_file` becomes libpq's `sslrootcert`
    /// (unless the URL names one). A mode that needs TLS is refused by a build without it,
    /// with what to do, rather than by libpq at the first connection.
    pub fn with_tls(self, ca_file: Option<&str>) -> Result<Self, ConfigError> {
        let Self::Postgres(raw) = self else {
            return match ca_file {
                Some(_) => Err(ConfigError::new(
                    "ROADSHOW_DATABASE_CA_FILE",
                    "applies to PostgreSQL only",
                )),
                None => Ok(self),
            };
        };
        let mut url =
            Url::parse(&raw).map_err(|e| ConfigError::new("DATABASE_URL", e.to_string()))?;
        let mode = url
            .query_pairs()
            .find(|(k, _)| k == "sslmode")
            .map(|(_, v)| v.into_owned());
        let needs_tls = matches!(
            mode.as_deref(),
            Some("require" | "verify-ca" | "verify-full")
        );
        if needs_tls && !cfg!(feature = "postgres-tls") {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "sslmode needs TLS, which this build of roadshow lacks: build it with \
                 `--features postgres-tls` (the Docker image is)",
            ));
        }
        if let Some(ca) = ca_file {
            if !std::path::Path::new(ca).is_file() {
                return Err(ConfigError::new(
                    "ROADSHOW_DATABASE_CA_FILE",
                    format!("`{ca}` is not a readable file"),
                ));
            }
            if !url.query_pairs().any(|(k, _)| k == "sslrootcert") {
                url.query_pairs_mut().append_pair("sslrootcert", ca);
            }
        }
        Ok(Self::Postgres(url.to_string()))
    }

    /// The backend's name, for logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// A setting that could not be used, named so that the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self {
            variable,
            message: message.into(),
        }
    }
}

/// Everything the service needs to run, read once at start and passed explicitly.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub listen: SocketAddr,
    pub base_url: Url,
    pub smtp_url: Option<Url>,
    pub mail_from: String,
    /// Public POSTs per minute per client address; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    pub data_dir: PathBuf,
    pub db_pool_size: u32,
    /// Most scans decided in one transaction (group commit); 1 decides each on its own.
    pub scans_per_commit: usize,
    /// Most registrations decided in one transaction (group commit); 1 decides each alone.
    pub registrations_per_commit: usize,
    pub token_ttl_hours: i64,
    pub session_ttl_hours: i64,
    /// Days after its stop ends when a scanner device's token stops working (offline phones
    /// still sync the day after; a lost one is useless soon after).
    pub device_token_days_after_stop: i64,
    pub workers: usize,
    pub log_json: bool,
    /// Whether `serve` runs the outbox worker and the periodic jobs.
    pub mail_worker: bool,
    /// First retry delay of a failed e-mail, in seconds.
    pub mail_retry_seconds: u64,
    /// How long a feedback link works, in days.
    pub feedback_days: i64,
    /// Hours after the request when the one reminder goes out.
    pub feedback_reminder_hours: i64,
    /// How often the periodic jobs (`crate::jobs`) run, in seconds.
    pub housekeeping_seconds: u64,
    /// How long computed analytics are reused, in seconds (0: computed for every request).
    pub analytics_cache_seconds: u64,
    /// Days before a stop when each confirmed attendee is reminded, largest first.
    pub reminder_days: Vec<i32>,
    /// First retry delay of an undelivered webhook, in seconds.
    pub webhook_retry_seconds: u64,
    /// Whether webhooks may target loopback and private addresses.
    pub webhook_allow_private: bool,
    /// Months after a stop's end when its attendees are pseudonymised (0: never).
    pub retention_months: u32,
    /// Reverse proxies whose forwarding headers are believed (`web::client`).
    pub trusted_proxies: crate::web::client::TrustedProxies,
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://roadshow.db".into()),
        )?
        .with_tls(get("ROADSHOW_DATABASE_CA_FILE").as_deref())?;
        let listen_raw = get("ROADSHOW_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_raw.parse().map_err(|_| {
            ConfigError::new(
                "ROADSHOW_LISTEN",
                format!("`{listen_raw}` is not host:port"),
            )
        })?;
        let base_url = match get("ROADSHOW_BASE_URL") {
            Some(raw) => parse_http_url("ROADSHOW_BASE_URL", &raw)?,
            None => parse_http_url("ROADSHOW_LISTEN", &format!("http://{listen}"))?,
        };
        let smtp_url = get("SMTP_URL")
            .map(|raw| parse_smtp_url(&raw))
            .transpose()?;
        Ok(Self {
            database_url,
            listen,
            base_url,
            smtp_url,
            mail_from: get("ROADSHOW_MAIL_FROM")
                .unwrap_or_else(|| "Roadshow <noreply@roadshow.example>".into()),
            rate_limit_per_minute: parse_number(&get, "ROADSHOW_RATE_LIMIT", 30)?,
            data_dir: PathBuf::from(
                get("ROADSHOW_DATA_DIR").unwrap_or_else(|| "roadshow-data".into()),
            ),
            db_pool_size: parse_number(&get, "ROADSHOW_DB_POOL", 8)?.max(1),
            scans_per_commit: parse_number(&get, "ROADSHOW_SCANS_PER_COMMIT", 50)?.clamp(1, 1000),
            registrations_per_commit: parse_number(&get, "ROADSHOW_REGISTRATIONS_PER_COMMIT", 32)?
                .clamp(1, 1000),
            token_ttl_hours: parse_number(&get, "ROADSHOW_TOKEN_TTL_HOURS", 720)?.max(1),
            session_ttl_hours: parse_number(&get, "ROADSHOW_SESSION_TTL_HOURS", 12)?.max(1),
            device_token_days_after_stop: parse_number(
                &get,
                "ROADSHOW_DEVICE_TOKEN_DAYS_AFTER_STOP",
                2,
            )?
            .clamp(0, 3650),
            workers: parse_number(
                &get,
                "ROADSHOW_WORKERS",
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )?
            .max(1),
            mail_worker: parse_switch(&get, "ROADSHOW_MAIL_WORKER", ["on", "off"])?,
            mail_retry_seconds: parse_number(&get, "ROADSHOW_MAIL_RETRY_SECONDS", 30)?.max(1),
            reminder_days: parse_days(get("ROADSHOW_REMINDER_DAYS").as_deref().unwrap_or("7,1"))?,
            webhook_retry_seconds: parse_number(&get, "ROADSHOW_WEBHOOK_RETRY_SECONDS", 30)?.max(1),
            webhook_allow_private: !parse_switch(
                &get,
                "ROADSHOW_WEBHOOK_ALLOW_PRIVATE",
                ["0", "1"],
            )?,
            retention_months: parse_number(&get, "ROADSHOW_RETENTION_MONTHS", 0)?.min(1200),
            trusted_proxies: crate::web::client::TrustedProxies::parse(
                &get("ROADSHOW_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|message| ConfigError::new("ROADSHOW_TRUSTED_PROXIES", message))?,
            feedback_days: parse_number(&get, "ROADSHOW_FEEDBACK_DAYS", 30)?.max(1),
            feedback_reminder_hours: parse_number(&get, "ROADSHOW_FEEDBACK_REMINDER_HOURS", 72)?
                .max(0),
            housekeeping_seconds: parse_number(&get, "ROADSHOW_HOUSEKEEPING_SECONDS", 60)?.max(1),
            analytics_cache_seconds: parse_number(&get, "ROADSHOW_ANALYTICS_CACHE_SECONDS", 5)?,
            log_json: !parse_switch(&get, "ROADSHOW_LOG_FORMAT", ["text", "json"])?,
        })
    }

    /// An absolute link under the base URL (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }
}

fn parse_http_url(variable: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|e| ConfigError::new(variable, format!("`{raw}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::new(
            variable,
            "expected an http:// or https:// address",
        ));
    }
    Ok(url)
}

/// `SMTP_URL`: `smtp://host:port` or `smtps://host:port`.
fn parse_smtp_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|e| ConfigError::new("SMTP_URL", e.to_string()))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none() {
        return Err(ConfigError::new(
            "SMTP_URL",
            "expected smtp://host:port or smtps://host:port",
        ));
    }
    Ok(url)
}

/// A list of whole days from 1 to 60 (`7,1`), largest first, without repeats; empty: none.
fn parse_days(raw: &str) -> Result<Vec<i32>, ConfigError> {
    let mut days = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i32>() {
            Ok(d) if (1..=60).contains(&d) => days.push(d),
            _ => {
                return Err(ConfigError::new(
                    "ROADSHOW_REMINDER_DAYS",
                    format!("`{part}` is not a number of days from 1 to 60"),
                ));
            }
        }
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    Ok(days)
}

/// A setting with two words: true for the first (also the default), false for the second.
fn parse_switch(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    [first, second]: [&str; 2],
) -> Result<bool, ConfigError> {
    match get(name).as_deref() {
        None => Ok(true),
        Some(word) if word == first => Ok(true),
        Some(word) if word == second => Ok(false),
        Some(other) => Err(ConfigError::new(
            name,
            format!("`{other}` is neither {first} nor {second}"),
        )),
    }
}

fn parse_number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::new(variable, format!("`{raw}` is not a valid number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_tls_settings_are_checked_before_any_connection() {
        let pg = |raw: &str| DatabaseUrl::parse(raw).expect("parsed");
        let require = pg("postgres://u@db.example.com/roadshow?sslmode=require").with_tls(None);
        assert_eq!(require.is_ok(), cfg!(feature = "postgres-tls"));
        let plain = pg("postgres://u@db/roadshow")
            .with_tls(None)
            .expect("no TLS asked");
        assert_eq!(plain, pg("postgres://u@db/roadshow"));
        // A CA file is added as libpq's sslrootcert, once; it must exist.
        let ca = std::env::temp_dir().join(format!("roadshow-ca-{}.pem", std::process::id()));
        std::fs::write(&ca, "not checked here").expect("written");
        let ca_path = ca.to_str().expect("utf-8");
        let with_ca = pg("postgres://u@db/roadshow")
            .with_tls(Some(ca_path))
            .expect("ok");
        assert!(matches!(&with_ca, DatabaseUrl::Postgres(u) if u.contains("sslrootcert=")));
        let named = pg("postgres://u@db/roadshow?sslrootcert=%2Fmine.pem")
            .with_tls(Some(ca_path))
            .expect("ok");
        assert!(
            matches!(&named, DatabaseUrl::Postgres(u) if u.matches("sslrootcert").count() == 1)
        );
        std::fs::remove_file(&ca).ok();
        assert!(
            pg("postgres://u@db/roadshow")
                .with_tls(Some("/no/such/ca.pem"))
                .is_err()
        );
        let sqlite = DatabaseUrl::parse("sqlite://x.db").expect("parsed");
        assert!(sqlite.with_tls(Some(ca_path)).is_err());
    }
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_work_on_a_laptop() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("roadshow.db".into()));
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.base_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(s.rate_limit_per_minute, 30);
        assert!(s.smtp_url.is_none());
        assert_eq!(s.device_token_days_after_stop, 2);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
            ("DATABASE_URL", "postgres://[bad", "DATABASE_URL"),
            ("ROADSHOW_LISTEN", "localhost", "ROADSHOW_LISTEN"),
            ("ROADSHOW_BASE_URL", "ftp://x", "ROADSHOW_BASE_URL"),
            ("SMTP_URL", "http://x", "SMTP_URL"),
            ("ROADSHOW_RATE_LIMIT", "lots", "ROADSHOW_RATE_LIMIT"),
            ("ROADSHOW_LOG_FORMAT", "xml", "ROADSHOW_LOG_FORMAT"),
            (
                "ROADSHOW_DEVICE_TOKEN_DAYS_AFTER_STOP",
                "soon",
                "ROADSHOW_DEVICE_TOKEN_DAYS_AFTER_STOP",
            ),
        ];
        for (var, value, expected) in cases {
            let err = settings(&[(var, value)]).expect_err(var);
            assert_eq!(err.variable, expected, "{var}={value}");
        }
    }

    #[test]
    fn sqlite_and_postgres_urls_are_recognised() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").expect("valid"),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://postgres@127.0.0.1/test")
                .expect("valid")
                .backend(),
            "postgres"
        );
    }
}
