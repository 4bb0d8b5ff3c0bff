//! The `ghent` binary, run as a child process the way an operator runs it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

fn ghent(dir: &std::path::Path, db_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ghent"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        .env("GHENT_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "info");
    cmd
}

/// Reads stdout lines until one contains `needle`; returns it.
fn wait_for_line(child: &mut Child, needle: &str) -> (String, Vec<String>) {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line.clone());
            if line.contains(needle) {
                // Keep draining in the background so the child never blocks on a full pipe.
                std::thread::spawn(move || while rx.recv().is_ok() {});
                return (line, seen);
            }
        }
    }
    panic!("no line containing {needle:?} within 30 s; saw {seen:?}");
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ghent did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn url_from(line: &str) -> String {
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn help_describes_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = ghent(dir.path(), "unused").arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for cmd in [
        "serve",
        "migrate",
        "seed",
        "create-organizer",
        "create-event",
        "export",
        "import-event",
        "api-token",
    ] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
    let out = ghent(dir.path(), "unused")
        .args(["create-organizer", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--password-stdin") && text.contains("--event") && text.contains("--role"),
        "{text}"
    );
    let out = ghent(dir.path(), "unused")
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("--demo"));
}

#[test]
fn migrate_seed_and_create_organizer_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let out = ghent(dir.path(), &db.url).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let applied = format!("{} migration(s) applied", migration_count());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&applied));
    let out = ghent(dir.path(), &db.url).arg("migrate").output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("0 migration(s) applied"),
        "a second run has nothing to do"
    );

    let out = ghent(dir.path(), &db.url)
        .args(["seed", "--demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ghent-2009"));

    let mut child = ghent(dir.path(), &db.url)
        .args([
            "create-organizer",
            "--email",
            "Kris@Example.org",
            "--name",
            "Kris",
            "--event",
            "ghent-2009",
            "--role",
            "organizer",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("Created organizer kris@example.org as organizer of ghent-2009"));

    // Refusals are clear.
    let mut child = ghent(dir.path(), &db.url)
        .args([
            "create-organizer",
            "--email",
            "short@example.org",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = ghent(dir.path(), &db.url)
        .args([
            "create-organizer",
            "--email",
            "x@example.org",
            "--event",
            "ghent-2009",
            "--role",
            "emperor",
            "--password-stdin",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("owner, organizer, reviewer or check_in"));

    // The account works in the web app.
    let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
    let kris = ghent::accounts::service::find_by_email(&mut conn, "kris@example.org")
        .unwrap()
        .unwrap();
    assert!(ghent::accounts::password::verify(
        "a long enough password",
        &kris.password_hash
    ));
    assert_eq!(
        ghent::accounts::service::roles_of(&mut conn, &kris.id)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn serve_creates_and_migrates_the_database_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let pg_db = (backend() == ghent::db::Backend::Postgres).then(TestDb::unmigrated);
    let db_url = match &pg_db {
        Some(db) => db.url.clone(),
        None => format!(
            "sqlite://{}",
            dir.path().join("data/fresh.sqlite3").display()
        ),
    };
    let mut child = ghent(dir.path(), &db_url)
        .args(["serve"])
        .env("GHENT_BIND", "127.0.0.1:0")
        .env("GHENT_CLOCK_START", "2009-11-15T17:24:00Z")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (line, _) = wait_for_line(&mut child, "Ghent is serving at");
    let base = url_from(&line);
    let health = reqwest::blocking_get(&format!("{base}/healthz"));
    assert_eq!(health, 200);
    if backend() == ghent::db::Backend::Sqlite {
        assert!(dir.path().join("data/fresh.sqlite3").exists());
    }
    assert!(
        dir.path().join("data/secret.key").exists(),
        "a development secret key was generated"
    );
    let status = terminate(&mut child);
    assert!(status.success(), "ghent exited with {status} after SIGTERM");
}

#[test]
fn serve_demo_seeds_a_fresh_demo_database_with_a_banner_and_a_printed_login() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = ghent(dir.path(), "")
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (_, lines) = wait_for_line(&mut child, "Demo organizer:");
    let base = url_from(lines.iter().find(|l| l.contains("serving at")).unwrap());
    let login_line = lines
        .iter()
        .find(|l| l.contains("Demo organizer:"))
        .unwrap();
    let words: Vec<&str> = login_line.split_whitespace().collect();
    let (email, password) = (words[2], words[4]);
    assert_eq!(email, "demo@ghent.example");
    assert!(dir.path().join("data/demo.sqlite3").exists());

    let body = reqwest::blocking_text(&format!("{base}/"));
    assert!(
        body.contains("class=\"demo-banner\""),
        "the demo banner is on the page"
    );
    assert!(
        body.contains("the clock reads Sunday 15 November 2009"),
        "the clock starts two weeks after Ghent 2009"
    );
    assert!(body.contains("devopsdays Ghent 2009") && body.contains("devopsdays USA 2010"));

    // The printed login works.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let v = Visitor {
            address: base.clone(),
            client: client(),
        };
        let r = v
            .post_form(
                "/login",
                "/login",
                &[("email", email), ("password", password), ("next", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (status, html) = v.get_html("/admin/").await;
        assert_eq!(status, 200);
        assert!(html.contains("devopsdays USA 2010"));
    });
    assert!(terminate(&mut child).success());
}

#[test]
fn production_mode_refuses_to_start_without_a_secret_key_and_base_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = ghent(dir.path(), "")
        .args(["serve"])
        .env("GHENT_ENV", "production")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GHENT_SECRET_KEY"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.path().join("data/secret.key").exists(),
        "production never generates a key"
    );
}

/// Tiny blocking HTTP helpers for tests that run outside a runtime.
mod reqwest {
    pub fn blocking_get(url: &str) -> u16 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().status().as_u16() })
    }

    pub fn blocking_text(url: &str) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().text().await.unwrap() })
    }
}

#[test]
fn the_log_transport_prints_working_links_only_in_development() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    // A password-reset mail in the outbox, as the web app would queue it.
    let key = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(TEST_KEY)
            .unwrap()
    };
    let token = {
        let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
        let now = demo_now().naive_utc();
        let email = ghent::values::EmailAddress::parse("o@example.org").unwrap();
        ghent::accounts::service::create_organizer(&mut conn, now, &email, "", None, false)
            .unwrap();
        let mailer = ghent::mail::Mailer::new("https://ghent.test", &key).unwrap();
        ghent::accounts::service::request_password_reset(&mut conn, now, &mailer, "o@example.org")
            .unwrap();
        use diesel::prelude::*;
        use ghent::db::schema::auth_tokens;
        let id: String = auth_tokens::table
            .select(auth_tokens::id)
            .first(&mut conn)
            .unwrap();
        ghent::tokens::derive(&key, ghent::tokens::LinkKind::SignIn, &id, 0)
    };
    let run = |env: &str| {
        let out = ghent(dir.path(), &db.url)
            .env("GHENT_ENV", env)
            .env("GHENT_SECRET_KEY", TEST_KEY)
            .env("GHENT_BASE_URL", "https://ghent.test")
            .env("GHENT_CLOCK_START", "2009-11-15T17:24:00Z")
            .args(["send-mail", "--once"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let production = run("production");
    assert!(production.contains("/password/reset/•••"), "{production}");
    assert!(!production.contains(&token), "{production}");
    // Send the same message again in development (as an organizer's retry of a dead message
    // would): now the log shows the link to click.
    use diesel::prelude::*;
    let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
    diesel::sql_query("UPDATE mail_outbox SET status = 'dead'")
        .execute(&mut conn)
        .unwrap();
    let id: String = ghent::db::schema::mail_outbox::table
        .select(ghent::db::schema::mail_outbox::id)
        .first(&mut conn)
        .unwrap();
    let retried = ghent::mail::outbox::retry(&mut conn, demo_now().naive_utc(), &id).unwrap();
    assert_eq!(retried, 1);
    let development = run("development");
    assert!(
        development.contains(&format!("/password/reset/{token}")),
        "{development}"
    );
}

#[test]
fn create_event_export_and_import_event_round_trip_through_one_json_document() {
    let (a, b) = (TestDb::new(), TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    let run = |db: &TestDb, args: &[&str]| -> String {
        let out = ghent(dir.path(), &db.url).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&a, &["seed", "--demo"]);
    // Local times in the event's zone: 09:00 in Brussels on 30 October 2009 is 08:00 UTC.
    let out = run(
        &a,
        &[
            "create-event",
            "--slug",
            "imp-2009",
            "--name",
            "Imported",
            "--timezone",
            "Europe/Brussels",
            "--starts",
            "2009-10-30T09:00",
            "--ends",
            "2009-10-31T18:00",
        ],
    );
    assert!(
        out.contains(
            "Created Imported (imp-2009), a draft: 2009-10-30 08:00:00 to 2009-10-31 17:00:00 UTC"
        ),
        "{out}"
    );
    // A bad value is refused with the form's message, nothing made.
    let bad = ghent(dir.path(), &a.url)
        .args([
            "create-event",
            "--slug",
            "x",
            "--name",
            "X",
            "--timezone",
            "Mars/Olympus",
            "--starts",
            "2009-10-30T09:00",
            "--ends",
            "2009-10-31T18:00",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("timezone"));

    // Without personal data: the programme, no registrations or proposals, no addresses.
    let public: serde_json::Value =
        serde_json::from_str(&run(&a, &["export", "--event", "usa-2010"])).unwrap();
    assert_eq!(public["format"], "ghent-event");
    assert!(public["tables"]["talks"].as_array().unwrap().len() >= 7);
    assert!(public["tables"].get("registrations").is_none());
    assert!(public["tables"].get("proposals").is_none());
    assert!(public["tables"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["email"].is_null()));

    // Everything, into an empty database, and out again: the same document.
    for slug in ["ghent-2009", "usa-2010"] {
        let file = dir.path().join(format!("{slug}.json"));
        let file = file.to_str().unwrap();
        run(
            &a,
            &[
                "export",
                "--event",
                slug,
                "--with-personal-data",
                "--output",
                file,
            ],
        );
        let out = run(&b, &["import-event", file]);
        assert!(
            out.starts_with(&format!("Imported {slug}: ")) && out.contains(" 1 events, "),
            "{out}"
        );
        let before: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let after: serde_json::Value = serde_json::from_str(&run(
            &b,
            &["export", "--event", slug, "--with-personal-data"],
        ))
        .unwrap();
        for (table, rows) in before["tables"].as_object().unwrap() {
            assert_eq!(&after["tables"][table], rows, "{slug}: {table}");
        }
        assert_eq!(before, after, "{slug}");
    }
    // Importing the same event again is refused, and changes nothing.
    let again = ghent(dir.path(), &b.url)
        .args([
            "import-event",
            dir.path().join("usa-2010.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an event \"usa-2010\""));
}
