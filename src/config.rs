//! Typed settings: `config/default.toml` (compiled in), an optional `config/local.toml`, then
//! environment variables (`GHENT_*`, and `DATABASE_URL`). Secrets are never logged.

use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The compiled-in defaults, so the binary runs from any directory.
const DEFAULTS: &str = include_str!("../config/default.toml");

/// Which rules apply: development is forgiving, production refuses unsafe set-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Local use: secret key generated on first run, base URL derived from the bind address.
    Development,
    /// Public use: secret key and base URL are required, cookies are Secure.
    Production,
}

/// How mail leaves the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTransportKind {
    /// Written to the log and marked `logged`: nothing is delivered.
    Log,
    /// One `.eml` file per message in a folder.
    File,
    /// Real SMTP via `smtp_url`.
    Smtp,
}

/// Raw settings as read from files and environment, before checks.
#[derive(Debug, Clone, Deserialize)]
struct RawSettings {
    env: Environment,
    bind: String,
    base_url: String,
    data_dir: PathBuf,
    database_url: String,
    db_pool_size: u32,
    secret_key: String,
    workers: usize,
    clock_start: String,
    mail_transport: String,
    smtp_url: String,
    mail_from: String,
    mail_file_dir: String,
    mail_batch_size: i64,
    mail_concurrency: u32,
    mail_max_attempts: i32,
    mail_retry_base_seconds: i64,
    mail_poll_millis: u64,
    mail_record_millis: u64,
    smtp_timeout_seconds: u64,
    jobs_poll_millis: u64,
    queue_heartbeat_millis: u64,
    queue_worker_timeout_seconds: u64,
    shutdown_grace_seconds: u64,
    run_workers: bool,
    metrics_token: String,
    login_max_failures: i64,
    login_window_minutes: i64,
    session_hours: i64,
    form_rate_limit_per_minute: u32,
    list_page_size: i64,
    api_rate_limit_per_minute: u32,
    webhook_timeout_millis: u64,
    webhook_retry_base_millis: u64,
    webhook_disable_after_seconds: i64,
    webhook_allow_private: bool,
    webhook_poll_millis: u64,
}

/// Checked settings for one run of Ghent.
#[derive(Clone)]
pub struct Settings {
    /// Development or production.
    pub env: Environment,
    /// Address and port to listen on.
    pub bind: String,
    /// Public base URL without a trailing slash; `None` means "derive from the bound address".
    pub base_url: Option<String>,
    /// Folder for the SQLite file, secret key and mail files.
    pub data_dir: PathBuf,
    /// Database URL (SQLite path or `postgres://`).
    pub database_url: String,
    /// Pool size.
    pub db_pool_size: u32,
    /// Cookie key material (>= 64 bytes). `None` until [`Settings::ensure_secret_key`] runs.
    pub secret_key: Option<Vec<u8>>,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Start instant of the application clock, if not the real time.
    pub clock_start: Option<DateTime<Utc>>,
    /// Where mail goes: SMTP, `.eml` files in `mail_file_dir`, or the log only.
    pub mail_transport: MailTransportKind,
    /// SMTP URL (for the smtp transport).
    pub smtp_url: Option<String>,
    /// Sender address of all mail.
    pub mail_from: String,
    /// Folder of the file transport.
    pub mail_file_dir: PathBuf,
    /// Mails claimed per batch.
    pub mail_batch_size: i64,
    /// Messages delivered at once (pooled SMTP connections).
    pub mail_concurrency: u32,
    /// Attempts before a message is dead.
    pub mail_max_attempts: i32,
    /// First retry delay in seconds (doubles each attempt).
    pub mail_retry_base_seconds: i64,
    /// Worker poll interval in milliseconds.
    pub mail_poll_millis: u64,
    /// Outcomes of sent messages are written together every this many milliseconds (≤ 100):
    /// a crash resends at most the messages in flight and those of the last window.
    pub mail_record_millis: u64,
    /// How long one SMTP connection, command or message may take before it counts as failed.
    pub smtp_timeout_seconds: u64,
    /// Job runner poll interval in milliseconds.
    pub jobs_poll_millis: u64,
    /// How often a running instance renews its heartbeat in `queue_workers`.
    pub queue_heartbeat_millis: u64,
    /// A worker whose heartbeat is older than this (by the database's clock) is dead: what it
    /// claimed is handed to the others.
    pub queue_worker_timeout_seconds: u64,
    /// On SIGTERM, how long sends in flight may take to finish before the rest is given back.
    pub shutdown_grace_seconds: u64,
    /// Run the mail worker and job runner inside `serve`.
    pub run_workers: bool,
    /// Bearer token that opens `/metrics`; `None` turns the endpoint off (404).
    pub metrics_token: Option<String>,
    /// Failed logins allowed per email within the window.
    pub login_max_failures: i64,
    /// Login rate-limit window in minutes.
    pub login_window_minutes: i64,
    /// Organizer session lifetime in hours.
    pub session_hours: i64,
    /// Public form submissions per client per minute (0 = unlimited).
    pub form_rate_limit_per_minute: u32,
    /// Rows on one page of the admin's long lists (attendees, proposals, talks, speakers,
    /// buzz, feedback).
    pub list_page_size: i64,
    /// API requests per token (or per client address without one) per minute; 0 = unlimited.
    pub api_rate_limit_per_minute: u32,
    /// How long a webhook endpoint has to answer.
    pub webhook_timeout_millis: u64,
    /// The first retry of a failed webhook delivery waits this long; each next one twice as long, at most six hours.
    pub webhook_retry_base_millis: u64,
    /// An endpoint that has failed for this long (and is still failing) is disabled and its event's owners mailed.
    pub webhook_disable_after_seconds: i64,
    /// Allow http:// URLs and private, loopback and link-local addresses (development and tests only).
    pub webhook_allow_private: bool,
    /// How often the webhook lane looks for due messages when not woken.
    pub webhook_poll_millis: u64,
    /// Demo mode: banner on every page, demo database.
    pub demo: bool,
}

impl std::fmt::Debug for Settings {
    // Hand-written so that the secret key and SMTP password never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("env", &self.env)
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("database", &redact_url(&self.database_url))
            .field("mail_transport", &self.mail_transport)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

/// Removes a password from a URL for logging.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The files or environment could not be read or typed.
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    /// A value is present but wrong.
    #[error("configuration: {0}")]
    Invalid(String),
    /// The secret key file could not be read or written.
    #[error("secret key file {path}: {source}")]
    KeyFile {
        /// Path of the key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Settings {
    /// Reads defaults, `config/local.toml` and the environment.
    pub fn load() -> Result<Settings, ConfigError> {
        Self::load_with(|name| std::env::var(name).ok())
    }

    /// Reads defaults and then values from `lookup` (the environment, or a test's map).
    pub fn load_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::with_name("config/local").required(false));
        // The environment is read through `lookup` (not config::Environment) so that tests can
        // build settings without touching the process environment, which tests share.
        for key in ENV_KEYS {
            let var = format!("GHENT_{}", key.to_uppercase());
            if let Some(value) = lookup(&var) {
                builder = builder.set_override(*key, value)?;
            }
        }
        if let Some(url) = lookup("DATABASE_URL") {
            builder = builder.set_override("database_url", url)?;
        }
        let raw: RawSettings = builder.build()?.try_deserialize()?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawSettings) -> Result<Settings, ConfigError> {
        let clock_start = non_empty(&raw.clock_start)
            .map(|s| {
                DateTime::parse_from_rfc3339(&s)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| ConfigError::Invalid(format!("clock_start {s:?}: {e}")))
            })
            .transpose()?;
        let smtp_url = non_empty(&raw.smtp_url);
        let mail_transport = transport_kind(&raw.mail_transport, smtp_url.is_some())?;
        let secret_key = non_empty(&raw.secret_key)
            .map(|s| decode_key(&s))
            .transpose()?;
        let base_url = non_empty(&raw.base_url).map(|u| u.trim_end_matches('/').to_string());
        if raw.env == Environment::Production {
            require_for_production(secret_key.is_some(), base_url.is_some())?;
        }
        let database_url = non_empty(&raw.database_url).unwrap_or_else(|| {
            format!("sqlite://{}", raw.data_dir.join("ghent.sqlite3").display())
        });
        let mail_file_dir = non_empty(&raw.mail_file_dir)
            .map(PathBuf::from)
            .unwrap_or_else(|| raw.data_dir.join("mail"));
        Ok(Settings {
            env: raw.env,
            bind: raw.bind,
            base_url,
            data_dir: raw.data_dir,
            database_url,
            db_pool_size: raw.db_pool_size.max(1),
            secret_key,
            workers: raw.workers,
            clock_start,
            mail_transport,
            smtp_url,
            mail_from: raw.mail_from,
            mail_file_dir,
            mail_batch_size: raw.mail_batch_size.max(1),
            mail_concurrency: raw.mail_concurrency.clamp(1, 64),
            mail_max_attempts: raw.mail_max_attempts.max(1),
            mail_retry_base_seconds: raw.mail_retry_base_seconds.max(1),
            mail_poll_millis: raw.mail_poll_millis.max(10),
            mail_record_millis: raw.mail_record_millis.clamp(1, 100),
            smtp_timeout_seconds: raw.smtp_timeout_seconds.max(1),
            jobs_poll_millis: raw.jobs_poll_millis.max(10),
            queue_heartbeat_millis: raw.queue_heartbeat_millis.max(50),
            queue_worker_timeout_seconds: raw.queue_worker_timeout_seconds.max(1),
            shutdown_grace_seconds: raw.shutdown_grace_seconds,
            run_workers: raw.run_workers,
            metrics_token: non_empty(&raw.metrics_token),
            login_max_failures: raw.login_max_failures.max(1),
            login_window_minutes: raw.login_window_minutes.max(1),
            session_hours: raw.session_hours.max(1),
            form_rate_limit_per_minute: raw.form_rate_limit_per_minute,
            list_page_size: raw.list_page_size.clamp(1, 1000),
            api_rate_limit_per_minute: raw.api_rate_limit_per_minute,
            webhook_timeout_millis: raw.webhook_timeout_millis.max(50),
            webhook_retry_base_millis: raw.webhook_retry_base_millis.max(10),
            webhook_disable_after_seconds: raw.webhook_disable_after_seconds.max(1),
            webhook_allow_private: raw.webhook_allow_private,
            webhook_poll_millis: raw.webhook_poll_millis.max(10),
            demo: false,
        })
    }

    /// Makes sure a secret key is present: in development it is read from, or generated into,
    /// `<data_dir>/secret.key`. Production already refused to load without one.
    pub fn ensure_secret_key(&mut self) -> Result<(), ConfigError> {
        if self.secret_key.is_some() {
            return Ok(());
        }
        let path = self.data_dir.join("secret.key");
        let key = read_or_create_key(&path)?;
        self.secret_key = Some(key);
        Ok(())
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        crate::db::Backend::from_url(&self.database_url) == crate::db::Backend::Postgres
    }
}

/// Settings keys that environment variables may override (`GHENT_` + upper case).
const ENV_KEYS: &[&str] = &[
    "env",
    "bind",
    "base_url",
    "data_dir",
    "db_pool_size",
    "secret_key",
    "workers",
    "clock_start",
    "mail_transport",
    "smtp_url",
    "mail_from",
    "mail_file_dir",
    "mail_batch_size",
    "mail_concurrency",
    "mail_max_attempts",
    "mail_retry_base_seconds",
    "mail_poll_millis",
    "mail_record_millis",
    "smtp_timeout_seconds",
    "jobs_poll_millis",
    "queue_heartbeat_millis",
    "queue_worker_timeout_seconds",
    "shutdown_grace_seconds",
    "run_workers",
    "metrics_token",
    "login_max_failures",
    "login_window_minutes",
    "session_hours",
    "form_rate_limit_per_minute",
    "list_page_size",
    "api_rate_limit_per_minute",
    "webhook_timeout_millis",
    "webhook_retry_base_millis",
    "webhook_disable_after_seconds",
    "webhook_allow_private",
    "webhook_poll_millis",
];

fn decode_key(s: &str) -> Result<Vec<u8>, ConfigError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| ConfigError::Invalid(format!("secret_key is not base64: {e}")))?;
    if bytes.len() < 64 {
        return Err(ConfigError::Invalid(format!(
            "secret_key must be at least 64 bytes, it has {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

fn read_or_create_key(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let io_err = |source| ConfigError::KeyFile {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => decode_key(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io_err)?;
            }
            let key = crate::tokens::random_bytes(64);
            let text = base64::engine::general_purpose::STANDARD.encode(&key);
            write_private(path, &text).map_err(io_err)?;
            tracing::info!(path = %path.display(), "generated a new secret key");
            Ok(key)
        }
        Err(e) => Err(io_err(e)),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// A setting's trimmed value, or `None` when it is blank.
fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Reads `mail_transport`; blank means SMTP when an SMTP URL is given, the log otherwise.
fn transport_kind(raw: &str, has_smtp_url: bool) -> Result<MailTransportKind, ConfigError> {
    let kind = match raw.trim() {
        "log" => MailTransportKind::Log,
        "file" => MailTransportKind::File,
        "smtp" => MailTransportKind::Smtp,
        "" if has_smtp_url => MailTransportKind::Smtp,
        "" => MailTransportKind::Log,
        other => {
            return Err(ConfigError::Invalid(format!(
                "mail_transport must be log, file or smtp, not {other:?}"
            )))
        }
    };
    if kind == MailTransportKind::Smtp && !has_smtp_url {
        return Err(ConfigError::Invalid(
            "mail_transport is smtp but GHENT_SMTP_URL is not set".into(),
        ));
    }
    Ok(kind)
}

/// Production refuses to start without a secret key and a public base URL: links in mail
/// would otherwise be unverifiable or point at localhost.
fn require_for_production(has_secret: bool, has_base_url: bool) -> Result<(), ConfigError> {
    if !has_secret {
        return Err(ConfigError::Invalid(
            "production mode needs GHENT_SECRET_KEY (64+ random bytes, base64)".into(),
        ));
    }
    if !has_base_url {
        return Err(ConfigError::Invalid(
            "production mode needs GHENT_BASE_URL (the public URL of the site)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_with(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_development_on_sqlite_with_log_mail() {
        let s = load(&[]).unwrap();
        assert_eq!(s.env, Environment::Development);
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://data/ghent.sqlite3");
        assert_eq!(s.mail_transport, MailTransportKind::Log);
    }

    #[test]
    fn environment_overrides_files() {
        let s = load(&[
            ("GHENT_BIND", "0.0.0.0:9000"),
            ("DATABASE_URL", "postgres://u:p@h/db"),
            ("GHENT_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("GHENT_CLOCK_START", "2009-11-15T17:24:00Z"),
        ])
        .unwrap();
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert!(s.is_postgres());
        assert_eq!(s.mail_transport, MailTransportKind::Smtp);
        assert_eq!(
            s.clock_start.unwrap().to_rfc3339(),
            "2009-11-15T17:24:00+00:00"
        );
    }

    #[test]
    fn production_refuses_to_start_without_secret_or_base_url() {
        let err = load(&[("GHENT_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("GHENT_SECRET_KEY"), "{err}");
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
        let err = load(&[("GHENT_ENV", "production"), ("GHENT_SECRET_KEY", &key)]).unwrap_err();
        assert!(err.to_string().contains("GHENT_BASE_URL"), "{err}");
        let ok = load(&[
            ("GHENT_ENV", "production"),
            ("GHENT_SECRET_KEY", &key),
            ("GHENT_BASE_URL", "https://ghent.example.org/"),
        ])
        .unwrap();
        assert_eq!(ok.base_url.as_deref(), Some("https://ghent.example.org"));
    }

    #[test]
    fn short_keys_and_unknown_transports_are_refused() {
        assert!(load(&[("GHENT_SECRET_KEY", "c2hvcnQ=")]).is_err());
        assert!(load(&[("GHENT_MAIL_TRANSPORT", "pigeon")]).is_err());
        assert!(load(&[("GHENT_MAIL_TRANSPORT", "smtp")]).is_err());
    }

    #[test]
    fn passwords_are_redacted_in_urls() {
        assert_eq!(
            redact_url("smtps://user:secret@mail.example:465"),
            "smtps://user:***@mail.example:465"
        );
        assert_eq!(redact_url("sqlite://data/x"), "sqlite://data/x");
    }
}
