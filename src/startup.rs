//! Builds the server: database, templates, session keys, middleware, routes, background
//! workers. Tests call [`Application::build`] with port 0 and read the port back.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress, ErrorHandlers, Next};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::background::Lanes;
use crate::clock::Clock;
use crate::config::{Environment, Settings};
use crate::context::JobContext;
use crate::db::Db;
use crate::mail::worker::MailWorker;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::queue::runner::JobRunner;
use crate::queue::Notifier;
use crate::web::{errors, render, routes, security, AppState};

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    lanes: Lanes,
    run_workers: bool,
}

impl Application {
    /// Connects and migrates the database, binds the listener, builds the app.
    pub fn build(mut settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        settings.ensure_secret_key()?;
        let db = Db::connect(&settings.database_url, settings.db_pool_size).with_context(|| {
            format!(
                "opening {}",
                crate::config::redact_url(&settings.database_url)
            )
        })?;
        let applied = db.migrate()?;
        if applied > 0 {
            tracing::info!(applied, "database migrated");
        }
        rekey_legacy_links(&db, settings.secret_key.as_deref().unwrap_or_default())?;
        Self::build_with_db(settings, clock, db)
    }

    /// Like [`Application::build`] with an already connected and migrated database.
    pub fn build_with_db(settings: Settings, clock: Clock, db: Db) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let addr = listener.local_addr()?;
        let base_url = settings
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let key_bytes = settings.secret_key.clone().ok_or_else(|| {
            anyhow::anyhow!("no secret key: call Settings::ensure_secret_key first")
        })?;
        let key =
            Key::try_from(key_bytes.as_slice()).map_err(|e| anyhow::anyhow!("secret key: {e}"))?;
        let secure_cookies = settings.env == Environment::Production;
        let workers = match settings.workers {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            n => n,
        };
        let run_workers = settings.run_workers;
        let (state, lanes) = build_state(settings, clock, db, base_url, &key_bytes)?;
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .wrap(from_fn(refuse_nul_in_urls))
                .wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
                .wrap(sessions(key.clone(), secure_cookies))
                .wrap(security::headers())
                .wrap(Compress::default())
                .wrap(from_fn(request_log))
                .configure(routes::configure)
                .default_service(web::to(not_found))
        })
        .workers(workers)
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Application {
            port: addr.port(),
            server,
            state,
            lanes,
            run_workers,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The public base URL.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Shared state (tests use it to reach the database and clock).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// The mail lane (tests drive it directly).
    pub fn mail_worker(&self) -> MailWorker {
        self.lanes.mail.clone()
    }

    /// The webhook lane (tests drive it directly).
    pub fn webhook_lane(&self) -> crate::webhooks::deliver::WebhookLane {
        self.lanes.webhooks.clone()
    }

    /// The job runner (tests drive it directly).
    pub fn job_runner(&self) -> JobRunner<JobContext> {
        self.lanes.jobs.clone()
    }

    /// Serves until stopped (SIGTERM/SIGINT or [`ServerHandle::stop`]). In-flight requests
    /// finish first; then the lanes stop: sends in flight get `shutdown_grace_seconds`, what was
    /// claimed but not started goes back to the queue, and the worker leaves. With
    /// `run_workers = false` only the heartbeat runs (tests drive the lanes themselves).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let grace = std::time::Duration::from_secs(self.state.settings.shutdown_grace_seconds + 10);
        let (mail, jobs, hooks) = (
            self.state.mail_notifier.clone(),
            self.state.jobs_notifier.clone(),
            self.state.webhook_notifier.clone(),
        );
        let background = match self.run_workers {
            true => tokio::spawn(self.lanes.run(mail, jobs, hooks, stopped)),
            false => tokio::spawn(self.lanes.heartbeat_only(stopped)),
        };
        let result = self.server.await;
        let _ = stop.send(true);
        if tokio::time::timeout(grace, background).await.is_err() {
            tracing::warn!("the queue lanes did not stop in time; their items go to others once the heartbeat is stale");
        }
        result
    }
}

/// Rows from before derived links (migration 000007) get the hashes of their derived tokens.
fn rekey_legacy_links(db: &Db, secret: &[u8]) -> anyhow::Result<()> {
    let mut conn = db.write()?;
    let n = crate::registration::lifecycle::rekey_legacy(&mut conn, secret)?
        + crate::cfp::decisions::rekey_legacy(&mut conn, secret)?;
    if n > 0 {
        tracing::warn!(
            rows = n,
            "private links made before this version were stored in the clear; they were replaced"
        );
    }
    Ok(())
}

/// The shared state, and the queue lanes over the same database and clock.
fn build_state(
    settings: Settings,
    clock: Clock,
    db: Db,
    base_url: String,
    key_bytes: &[u8],
) -> anyhow::Result<(web::Data<AppState>, Lanes)> {
    let templates = render::registry().context("loading templates")?;
    let mailer = Mailer::new(&base_url, key_bytes)
        .map_err(|e| anyhow::anyhow!("loading mail templates: {e}"))?;
    if settings.mail_transport == crate::config::MailTransportKind::Log {
        tracing::warn!("no SMTP server configured (GHENT_SMTP_URL): mail is written to the log and kept in the outbox, not delivered");
    }
    let metrics = Metrics::new();
    let worker = crate::background::register_worker(&db, &settings, "serve")?;
    let mail_worker = MailWorker::from_settings(
        db.clone(),
        clock.clone(),
        &settings,
        worker.clone(),
        metrics.clone(),
    )?;
    let mail_notifier = Notifier::new();
    let job_runner = crate::background::job_runner(
        &db,
        &clock,
        &settings,
        &worker,
        &mailer,
        &mail_notifier,
        &metrics,
    );
    let webhooks = crate::webhooks::deliver::WebhookLane::new(
        db.clone(),
        clock.clone(),
        &settings,
        worker.clone(),
        mailer.clone(),
    );
    let lanes = Lanes {
        db: db.clone(),
        clock: clock.clone(),
        worker,
        mail: mail_worker,
        jobs: job_runner,
        webhooks,
    };
    let settings_api_rate = settings.api_rate_limit_per_minute;
    let form_limiter =
        crate::web::rate_limit::RateLimiter::new(settings.form_rate_limit_per_minute);
    let state = web::Data::new(AppState {
        db,
        settings: Arc::new(settings),
        clock,
        templates: Arc::new(templates),
        base_url,
        mailer,
        mail_notifier,
        jobs_notifier: Notifier::new(),
        webhook_notifier: Notifier::new(),
        api_limiter: crate::web::rate_limit::RateLimiter::new(settings_api_rate),
        programme_cache: Default::default(),
        form_limiter,
        metrics,
    });
    Ok((state, lanes))
}

/// Sessions in an encrypted cookie (`ghent`), HTTP only, SameSite=Lax, Secure in production.
fn sessions(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name("ghent".into())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .build()
}

async fn not_found() -> crate::error::AppResult<actix_web::HttpResponse> {
    Err(crate::error::AppError::NotFound)
}

/// Refuses URLs whose path or query carries NUL (`%00`), before any handler sees them.
async fn refuse_nul_in_urls(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let uri = req.uri().to_string();
    if crate::web::extractors::contains_nul(uri.as_bytes()) {
        let (http_req, _) = req.into_parts();
        let response =
            actix_web::ResponseError::error_response(&crate::web::extractors::nul_refused());
        return Ok(ServiceResponse::new(http_req, response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// One log line per request: method, path, status, duration. A route's `{token}` segment (a
/// sign-in, private-page, confirm or unsubscribe link) is logged as `•••`.
async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let path = redacted_path(res.request());
    let (status, elapsed) = (res.status().as_u16(), started.elapsed());
    tracing::info!(%method, %path, status, micros = elapsed.as_micros() as u64, "request");
    if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
        // The route's pattern, never the path: a path may hold a token.
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        state
            .metrics
            .http_request(&route, method.as_str(), status, elapsed.as_secs_f64());
    }
    Ok(res)
}

/// The request's path with its route's `{token}` segment replaced by `•••`.
pub fn redacted_path(req: &actix_web::HttpRequest) -> String {
    let path = req.path();
    match req.match_info().get("token").filter(|t| !t.is_empty()) {
        Some(token) => path.replace(token, crate::mail::credentials::REDACTED),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_path;
    use actix_web::test::TestRequest;

    #[test]
    fn request_log_lines_show_token_segments_as_dots() {
        let req = TestRequest::default()
            .uri("/usa-2010/registration/AbCdEfGhIjKlMnOpQrStUv/confirm")
            .param("slug", "usa-2010")
            .param("token", "AbCdEfGhIjKlMnOpQrStUv")
            .to_http_request();
        assert_eq!(redacted_path(&req), "/usa-2010/registration/•••/confirm");
        let plain = TestRequest::default()
            .uri("/usa-2010/programme/")
            .param("slug", "usa-2010")
            .to_http_request();
        assert_eq!(redacted_path(&plain), "/usa-2010/programme/");
    }
}
