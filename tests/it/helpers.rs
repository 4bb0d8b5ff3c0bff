//! Test helpers: spawn the app on a fresh database, a cookie-keeping HTTP client, form posts
//! with the page's CSRF token, and test data builders.
// Not every test uses every helper.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use ghent::accounts::{self, Role};
use ghent::clock::Clock;
use ghent::config::Settings;
use ghent::db::{AnyConnection, Backend, Db};
use ghent::startup::Application;
use ghent::values::EmailAddress;
use ghent::web::AppState;

/// The backend under test.
pub fn backend() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Backend::from_url(&url),
        _ => Backend::Sqlite,
    }
}

/// True on CI, where tests that cannot run must fail rather than skip.
pub fn on_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// Says loudly that a test cannot run here; fails instead under CI=true.
pub fn cannot_run(what: &str) {
    if on_ci() {
        panic!("CI=true and this test cannot run: {what}");
    }
    eprintln!("\n!!!!! SKIPPED: {what} (set CI=true to make this a failure) !!!!!\n");
}

/// A fresh database for one test, removed afterwards.
pub struct TestDb {
    pub url: String,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A migrated, empty database of the backend under test.
    pub fn new() -> TestDb {
        Self::create(true)
    }

    /// An empty database with no tables at all (for the migration test).
    pub fn unmigrated() -> TestDb {
        Self::create(false)
    }

    fn create(migrated: bool) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("ghent_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                    panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}")
                });
                let sql = if migrated {
                    format!(
                        "CREATE DATABASE {name} TEMPLATE {}",
                        pg_template(&admin_url)
                    )
                } else {
                    format!("CREATE DATABASE {name}")
                };
                let mut attempt = 0;
                loop {
                    // Two tests copying the template at the same instant can collide; retry.
                    match admin.batch_execute(&sql) {
                        Ok(()) => break,
                        Err(e) if attempt < 20 => {
                            attempt += 1;
                            eprintln!("retrying CREATE DATABASE: {e}");
                            std::thread::sleep(std::time::Duration::from_millis(50 * attempt));
                        }
                        Err(e) => panic!("CREATE DATABASE failed: {e}"),
                    }
                }
                TestDb {
                    url: with_database(&admin_url, &name),
                    pg: Some((admin_url, name)),
                    _dir: dir,
                }
            }
            _ => {
                let path = dir.path().join("test.sqlite3");
                let url = format!("sqlite://{}", path.display());
                if migrated {
                    Db::connect(&url, 1).unwrap().migrate().unwrap();
                }
                TestDb {
                    url,
                    pg: None,
                    _dir: dir,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// A migrated template database, named after the migrations' content so a change makes a new one.
fn pg_template(admin_url: &str) -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        use std::hash::{Hash, Hasher};
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
        let mut files: Vec<PathBuf> = walk(&root);
        files.sort();
        for f in files {
            f.strip_prefix(&root).unwrap().hash(&mut hasher);
            std::fs::read(&f).unwrap().hash(&mut hasher);
        }
        let name = format!("ghent_tpl_{:016x}", hasher.finish());
        let mut admin = PgConnection::establish(admin_url).unwrap();
        // An advisory lock so that parallel test binaries create the template once.
        admin
            .batch_execute("SELECT pg_advisory_lock(720091030)")
            .unwrap();
        let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"
        )))
        .get_result(&mut admin)
        .unwrap();
        if !exists {
            let building = format!("{name}_building");
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {building}"))
                .unwrap();
            {
                let db = Db::connect(&with_database(admin_url, &building), 1).unwrap();
                db.migrate().unwrap();
            }
            admin
                .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .unwrap();
        }
        admin
            .batch_execute("SELECT pg_advisory_unlock(720091030)")
            .unwrap();
        name
    })
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// How many migrations the backend under test has (one folder each under `migrations/`).
pub fn migration_count() -> usize {
    let dir = match backend() {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().join("up.sql").exists()))
        .count()
}

/// 64 fixed bytes, base64: a test secret key.
pub const TEST_KEY: &str = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXk=";

/// Settings for a test: port 0, the given database, a temp data folder, log mail.
pub fn test_settings(db_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("GHENT_BIND".into(), "127.0.0.1:0".into()),
        ("DATABASE_URL".into(), db_url.into()),
        ("GHENT_DATA_DIR".into(), data_dir.display().to_string()),
        ("GHENT_SECRET_KEY".into(), TEST_KEY.into()),
        ("GHENT_WORKERS".into(), "2".into()),
        ("GHENT_DB_POOL_SIZE".into(), "4".into()),
    ]);
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Settings::load_with(|k| vars.get(k).cloned()).unwrap()
}

/// 2009-11-15 17:24 UTC: the demo's "now".
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2009, 11, 15, 17, 24, 0).unwrap()
}

/// A running app for one test. Derefs to its default [`Visitor`].
pub struct TestApp {
    pub visitor: Visitor,
    pub address: String,
    pub state: actix_web::web::Data<AppState>,
    pub clock: Clock,
    pub handle: actix_web::dev::ServerHandle,
    pub db: TestDb,
    pub data_dir: tempfile::TempDir,
    /// The app's mail worker and job runner, for draining due work before the leftover check.
    pub mail_worker: ghent::mail::worker::MailWorker,
    pub job_runner: ghent::queue::runner::JobRunner<ghent::context::JobContext>,
    /// Set by tests that leave dead or unsent work behind on purpose.
    leftovers_expected: std::cell::Cell<bool>,
}

impl std::ops::Deref for TestApp {
    type Target = Visitor;
    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

/// Someone with a browser-like HTTP client (own cookies) visiting the app.
#[derive(Clone)]
pub struct Visitor {
    pub address: String,
    pub client: reqwest::Client,
}

/// Spawns the app with the clock at the demo's "now" and the demo data loaded.
pub async fn spawn_demo_app() -> TestApp {
    let app = spawn_app_with(&[]).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app
}

/// Spawns the app on an empty database with the clock at the demo's "now".
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Spawns the app with extra settings (GHENT_* names).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let db = TestDb::new();
    let data_dir = tempfile::tempdir().unwrap();
    let settings = test_settings(&db.url, data_dir.path(), extra);
    let clock = Clock::starting_at(demo_now());
    let app = Application::build(settings, clock.clone()).unwrap();
    let address = app.base_url();
    let state = app.state();
    let handle = app.handle();
    let (mail_worker, job_runner) = (app.mail_worker(), app.job_runner());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        visitor: Visitor {
            address: address.clone(),
            client: client(),
        },
        address,
        state,
        clock,
        handle,
        db,
        data_dir,
        mail_worker,
        job_runner,
        leftovers_expected: std::cell::Cell::new(false),
    }
}

/// A client that keeps cookies and does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Pulls the CSRF token out of a page.
pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf_token in page:\n{html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The text of the elements matching `selector`, whitespace collapsed.
pub fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Default password of test organizers.
pub const PASSWORD: &str = "correct horse battery staple";

impl Visitor {
    /// `GET` a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .unwrap()
    }

    /// `GET` a path and return status and body.
    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    /// Posts a form with the CSRF token taken from `form_page` (a GET first).
    pub async fn post_form(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (_, html) = self.get_html(form_page).await;
        let token = csrf_from(&html);
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{}", self.address, action))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the login form; panics if it fails.
    pub async fn login(&self, email: &str) {
        let r = self
            .post_form(
                "/login",
                "/login",
                &[("email", email), ("password", PASSWORD), ("next", "")],
            )
            .await;
        assert_eq!(
            r.status().as_u16(),
            303,
            "login as {email} failed: {}",
            r.text().await.unwrap()
        );
    }

    /// Creates an event in Brussels through the admin's form, as a signed-in site
    /// administrator; `days` is (first day, last day), e.g. ("2009-10-30", "2009-10-31").
    pub async fn create_event(
        &self,
        name: &str,
        slug: &str,
        days: (&str, &str),
    ) -> reqwest::Response {
        let (starts, ends) = (format!("{}T09:00", days.0), format!("{}T18:00", days.1));
        self.post_form(
            "/admin/events/new",
            "/admin/events",
            &[
                ("name", name),
                ("slug", slug),
                ("timezone", "Europe/Brussels"),
                ("starts_at", &starts),
                ("ends_at", &ends),
            ],
        )
        .await
    }

    /// `POST` raw form fields (no CSRF token unless given).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

impl TestApp {
    /// Runs `f` with a database connection (the writer).
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
        let mut conn = self.state.db.write().unwrap();
        f(&mut conn)
    }

    /// Creates an organizer with [`PASSWORD`], optionally site admin, with roles on events.
    pub fn organizer(&self, email: &str, site_admin: bool, roles: &[(&str, Role)]) -> String {
        let now = self.clock.now_naive();
        self.with_conn(|c| {
            let o = accounts::service::create_organizer(
                c,
                now,
                &EmailAddress::parse(email).unwrap(),
                "",
                Some(PASSWORD),
                site_admin,
            )
            .unwrap();
            for (slug, role) in roles {
                let event = ghent::events::queries::by_slug(c, slug).unwrap().unwrap();
                accounts::service::grant_role(c, now, &event.id, &o.id, *role).unwrap();
            }
            o.id
        })
    }

    /// A new visitor with no cookies.
    pub fn new_visitor(&self) -> Visitor {
        Visitor {
            address: self.address.clone(),
            client: client(),
        }
    }

    /// Counts rows of a table.
    pub fn count(&self, table: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.with_conn(|c| {
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                .get_result::<N>(c)
                .unwrap()
                .n
        })
    }
}

impl TestApp {
    /// This test leaves dead jobs or undelivered mail behind on purpose (it tests them), so the
    /// leftover check at the end is skipped.
    pub fn leaves_leftovers(&self) {
        self.leftovers_expected.set(true);
    }

    /// Runs what is due (jobs, then the mail they queue) until nothing is, waiting for messages
    /// another worker holds; then lists what should not be left: dead jobs, and mail that is
    /// dead, failed, or still due.
    async fn leftovers(&self) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut found = Vec::new();
        loop {
            let jobs = self.job_runner.run_due().await.unwrap_or_else(|e| {
                found.push(format!("running due jobs failed: {e:#}"));
                0
            });
            let mail = match self.mail_worker.drain().await {
                Ok(o) => o.claimed,
                Err(e) => {
                    found.push(format!("delivering due mail failed: {e:#}"));
                    0
                }
            };
            // Another worker (the app's own) may hold a row, or be claiming it right now (SKIP
            // LOCKED passes over it): wait until nothing is due or in hand at all.
            let now = self.clock.now_naive().format("%Y-%m-%d %H:%M:%S%.6f");
            let open = self.count_where(
                "mail_outbox",
                &format!("status = 'sending' OR (status IN ('queued', 'failed') AND next_attempt_at <= '{now}')"),
            ) + self.count_where(
                "jobs",
                &format!("status = 'running' OR (status IN ('queued', 'failed') AND due_at <= '{now}')"),
            );
            if (jobs == 0 && mail == 0 && open == 0) || std::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let now = self.clock.now_naive();
        self.with_conn(|c| {
            use diesel::prelude::*;
            use ghent::db::schema::{jobs, mail_outbox};
            let dead: Vec<(String, Option<String>)> = jobs::table
                .filter(jobs::status.eq(ghent::queue::JobStatus::Dead))
                .select((jobs::kind, jobs::last_error))
                .load(c)
                .unwrap();
            for (kind, error) in dead {
                found.push(format!("dead job {kind}: {}", error.unwrap_or_default()));
            }
            use ghent::mail::model::Status;
            let unsent: Vec<(String, Status, String)> = mail_outbox::table
                .filter(
                    mail_outbox::status
                        .eq_any([Status::Dead, Status::Failed, Status::Sending])
                        .or(mail_outbox::status
                            .eq(Status::Queued)
                            .and(mail_outbox::next_attempt_at.le(now))),
                )
                .select((
                    mail_outbox::recipient_email,
                    mail_outbox::status,
                    mail_outbox::subject,
                ))
                .load(c)
                .unwrap();
            for (to, status, subject) in unsent {
                found.push(format!("{status} mail to {to}: {subject}"));
            }
        });
        found
    }

    /// Counts the rows of `table` that match a SQL condition.
    fn count_where(&self, table: &str, condition: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.with_conn(|c| {
            diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE {condition}"
            ))
            .get_result::<N>(c)
            .map(|r| r.n)
            .unwrap_or(0)
        })
    }
}

impl Drop for TestApp {
    /// Checks what the test left behind (crates.io does the same with its job queue), unless
    /// the test failed already or said it leaves leftovers; then stops the server.
    fn drop(&mut self) {
        let check = !std::thread::panicking() && !self.leftovers_expected.get();
        let leftovers = match tokio::runtime::Handle::try_current() {
            Ok(rt) if check => tokio::task::block_in_place(|| rt.block_on(self.leftovers())),
            _ => Vec::new(),
        };
        let stop = self.handle.stop(false);
        // Stop the server's workers; the runtime may already be shutting down, so do not wait.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(stop);
        }
        assert!(
            leftovers.is_empty(),
            "the test left work behind (call app.leaves_leftovers() if on purpose):\n{}",
            leftovers.join("\n")
        );
    }
}

/// A mail lane of its own over `db` with `settings` (a worker of its own, as another instance
/// would have), on the app's clock.
pub fn mail_lane(app: &TestApp, db: Db, settings: &Settings) -> ghent::mail::worker::MailWorker {
    let worker = ghent::background::register_worker(&db, settings, "test").unwrap();
    ghent::mail::worker::MailWorker::from_settings(
        db,
        app.clock.clone(),
        settings,
        worker,
        ghent::metrics::Metrics::new(),
    )
    .unwrap()
}

/// Settings that point the app at an SMTP catcher and make the worker and runner quick.
pub fn smtp_settings(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GHENT_SMTP_URL", url.to_string()),
        ("GHENT_MAIL_POLL_MILLIS", "100".to_string()),
        ("GHENT_JOBS_POLL_MILLIS", "100".to_string()),
        ("GHENT_MAIL_RETRY_BASE_SECONDS", "1".to_string()),
    ]
}

/// Spawns the app (demo data loaded) delivering to `catcher`.
pub async fn spawn_demo_app_with_smtp(
    catcher: &ghent::mail::catcher::MailCatcher,
    extra: &[(&str, &str)],
) -> TestApp {
    let owned = smtp_settings(&catcher.url());
    let mut settings: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    settings.extend_from_slice(extra);
    let app = spawn_app_with(&settings).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app
}

/// A catcher on a free loopback port.
pub async fn catcher() -> ghent::mail::catcher::MailCatcher {
    ghent::mail::catcher::MailCatcher::start("127.0.0.1:0", None)
        .await
        .unwrap()
}

/// Parses a caught message.
pub fn parsed(mail: &ghent::mail::catcher::CaughtMail) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(&mail.data)
        .expect("a parseable message")
}

/// The first caught mail to `to` whose subject passes `subject` (e.g. `|s| s == "…"`).
pub fn mail_to<'a>(
    caught: &'a [ghent::mail::catcher::CaughtMail],
    to: &str,
    subject: impl Fn(&str) -> bool,
) -> Option<&'a ghent::mail::catcher::CaughtMail> {
    caught
        .iter()
        .find(|m| m.rcpt_to == [to] && subject(parsed(m).subject().unwrap_or_default()))
}

/// The first `http…` link in a text that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no link starting {prefix} in:\n{text}"));
    text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(['.', ',', ')', '>'])
        .to_string()
}

/// Waits until `f` is true (polling every 50 ms), or panics after `secs` seconds.
pub async fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

impl TestApp {
    /// Outbox rows, oldest first.
    pub fn outbox(&self) -> Vec<ghent::mail::OutboxMail> {
        use diesel::prelude::*;
        use ghent::db::schema::mail_outbox;
        self.with_conn(|c| {
            mail_outbox::table
                .order(mail_outbox::created_at)
                .select(ghent::mail::OutboxMail::as_select())
                .load(c)
                .unwrap()
        })
    }
}

impl TestApp {
    /// Runs every due job to completion, whichever runner picks it up.
    ///
    /// The app's own background runner is awake too, so a job this runner finds
    /// claimed may still be running elsewhere: wait until nothing due is left queued
    /// or running, and fail loudly with the job's error if one keeps failing.
    pub async fn run_jobs(&self) {
        use diesel::prelude::*;
        use ghent::db::schema::jobs;
        self.state.jobs_notifier.wake();
        let runner = &self.job_runner;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            while runner.run_due().await.unwrap() > 0 {}
            let now = self.clock.now_naive();
            let pending: Vec<(String, String, Option<String>)> = self.with_conn(|c| {
                jobs::table
                    .filter(
                        jobs::status.eq("running").or(jobs::status
                            .eq_any(["queued", "failed"])
                            .and(jobs::due_at.le(now))),
                    )
                    .select((jobs::kind, jobs::status, jobs::last_error))
                    .load(c)
                    .unwrap()
            });
            if pending.is_empty() {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "jobs still pending after 15 s: {pending:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl TestApp {
    /// The private-page token of the registration of `email` (tests only: it is derived from the
    /// secret key, as the mail worker derives it; the database holds only its hash).
    pub fn manage_token(&self, email: &str) -> String {
        self.registration_token(email, ghent::tokens::LinkKind::RegistrationManage)
    }

    /// The check-in (QR code) token of the registration of `email`.
    pub fn desk_token(&self, email: &str) -> String {
        self.registration_token(email, ghent::tokens::LinkKind::RegistrationDesk)
    }

    fn registration_token(&self, email: &str, kind: ghent::tokens::LinkKind) -> String {
        use diesel::prelude::*;
        use ghent::db::schema::registrations;
        let (id, generation): (String, i32) = self.with_conn(|c| {
            registrations::table
                .filter(registrations::email.eq(email))
                .select((registrations::id, registrations::token_generation))
                .first(c)
                .unwrap()
        });
        ghent::tokens::derive(self.state.mailer.secret(), kind, &id, generation)
    }

    /// The confirm-link token of an accepted proposal.
    pub fn confirm_token(&self, proposal_id: &str) -> String {
        use diesel::prelude::*;
        use ghent::db::schema::proposals;
        let generation: i32 = self.with_conn(|c| {
            proposals::table
                .find(proposal_id)
                .select(proposals::token_generation)
                .first(c)
                .unwrap()
        });
        ghent::tokens::derive(
            self.state.mailer.secret(),
            ghent::tokens::LinkKind::ProposalConfirm,
            proposal_id,
            generation,
        )
    }
}

/// Settings that make crashes visible in seconds: a 200 ms heartbeat, dead after 2 s.
pub const FAST_QUEUE: &[(&str, &str)] = &[
    ("GHENT_MAIL_POLL_MILLIS", "100"),
    ("GHENT_JOBS_POLL_MILLIS", "100"),
    ("GHENT_QUEUE_HEARTBEAT_MILLIS", "200"),
    ("GHENT_QUEUE_WORKER_TIMEOUT_SECONDS", "2"),
    ("GHENT_SHUTDOWN_GRACE_SECONDS", "2"),
];

pub fn serve(
    dir: &std::path::Path,
    db_url: &str,
    smtp: &str,
    clock: DateTime<Utc>,
) -> std::process::Child {
    serve_with(dir, db_url, smtp, clock, &[]).0
}

/// Starts `ghent serve` and returns it with the URL it serves at.
pub fn serve_with(
    dir: &std::path::Path,
    db_url: &str,
    smtp: &str,
    clock: DateTime<Utc>,
    extra: &[(&str, &str)],
) -> (std::process::Child, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ghent"));
    cmd.arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        .env("GHENT_DATA_DIR", dir.join("data"))
        .env("GHENT_SECRET_KEY", TEST_KEY)
        .env("GHENT_BIND", "127.0.0.1:0")
        .env("GHENT_SMTP_URL", smtp)
        .env("GHENT_CLOCK_START", clock.to_rfc3339())
        .env("RUST_LOG", "warn");
    for (k, v) in FAST_QUEUE.iter().chain(extra) {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for "Ghent is serving at …", then keep draining stdout so the pipe never fills.
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let url = loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("serving at") => {
                break line
                    .split_whitespace()
                    .find(|w| w.starts_with("http"))
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string()
            }
            Some(_) => {}
            None => panic!("ghent exited before serving"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}
