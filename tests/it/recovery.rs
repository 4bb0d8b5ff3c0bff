//! Crashes and restarts: the server process is killed (SIGKILL) while mail is being delivered;
//! after a restart every mail arrives and none is lost. A job due while the server was down runs
//! when it comes back; two job runners never run one job twice; `send-mail --once` delivers.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use ghent::db::schema::{jobs, mail_outbox};
use ghent::db::{AnyConnection, Manager};
use ghent::mail::outbox::Envelope;
use ghent::mail::Mailer;
use serde_json::json;

use crate::helpers::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2010, 3, 1, 12, 0, 0).unwrap()
}

fn queue(conn: &mut AnyConnection, n: usize, at: DateTime<Utc>) {
    let mailer = Mailer::new("http://ghent.test", b"key").unwrap();
    for i in 0..n {
        let to = format!("p{i}@example.org");
        let ctx = json!({ "sent_by": "test", "recipient": { "name": "P", "email": to }, "site": { "base_url": "http://ghent.test" } });
        mailer
            .queue(
                conn,
                at.naive_utc(),
                Envelope::to(ghent::mail::model::MailKind::Test, &to, "P"),
                &ctx,
                Vec::new(),
            )
            .unwrap();
    }
}

fn serve(dir: &std::path::Path, db_url: &str, smtp: &str, clock: DateTime<Utc>) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghent"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        .env("GHENT_DATA_DIR", dir.join("data"))
        .env("GHENT_BIND", "127.0.0.1:0")
        .env("GHENT_SMTP_URL", smtp)
        .env("GHENT_CLOCK_START", clock.to_rfc3339())
        .env("GHENT_MAIL_POLL_MILLIS", "100")
        .env("GHENT_JOBS_POLL_MILLIS", "100")
        .env("GHENT_MAIL_LEASE_SECONDS", "20")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for "Ghent is serving at …", then keep draining stdout so the pipe never fills.
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("serving at") => break,
            Some(_) => {}
            None => panic!("ghent exited before serving"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    child
}

fn count(conn: &mut AnyConnection, status: &str) -> i64 {
    mail_outbox::table
        .filter(mail_outbox::status.eq(status))
        .count()
        .get_result(conn)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_delivering_loses_no_mail_and_runs_missed_jobs_after_a_restart() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Manager::new(&db.url).open().unwrap();
    queue(&mut conn, 30, t0());

    // An SMTP server that accepts connections and never answers: deliveries hang mid-way.
    let blackhole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let blackhole_url = format!("smtp://{}", blackhole.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = blackhole.accept().await {
            open.push(socket);
        }
    });
    let mut first = serve(dir.path(), &db.url, &blackhole_url, t0());
    eventually(20, "the worker to claim mail", || {
        count(&mut conn, "sending") > 0
    })
    .await;
    // The crash: no shutdown, no cleanup.
    first.kill().unwrap();
    first.wait().unwrap();
    held.abort();
    let sending = count(&mut conn, "sending");
    assert!(sending > 0, "some mail was in flight when the server died");

    // While the server is down, a job falls due.
    let job_due = t0() + chrono::Duration::seconds(30);
    ghent::jobs::schedule(
        &mut conn,
        t0().naive_utc(),
        ghent::jobs::NewJob::new("noop", json!({}), job_due.naive_utc()).unique("down-test"),
    )
    .unwrap();

    // A minute later (by the clock passed to the binary) it restarts with a working SMTP server.
    let catcher = catcher().await;
    let mut second = serve(
        dir.path(),
        &db.url,
        &catcher.url(),
        t0() + chrono::Duration::minutes(1),
    );
    let caught = catcher.wait_for(30, Duration::from_secs(30)).await;
    assert_eq!(
        caught.len(),
        30,
        "every mail arrives after the restart ({sending} were in flight)"
    );
    let ids: HashSet<String> = caught
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(ids.len(), 30, "none twice");
    eventually(10, "all marked sent", || count(&mut conn, "sent") == 30).await;
    eventually(10, "the missed job ran", || {
        jobs::table
            .filter(jobs::kind.eq("noop"))
            .select(jobs::status)
            .first::<String>(&mut conn)
            .unwrap()
            == "done"
    })
    .await;
    let _ = Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status();
    assert!(
        second.wait().unwrap().success(),
        "a clean stop after SIGTERM"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_job_runners_never_run_the_same_job() {
    let app = spawn_app_with(&[("GHENT_RUN_WORKERS", "false")]).await;
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        for i in 0..200 {
            ghent::jobs::schedule(
                c,
                now,
                ghent::jobs::NewJob::new("noop", json!({ "n": i }), now),
            )
            .unwrap();
        }
    });
    let runner = |db: ghent::db::Db| {
        let ctx = ghent::jobs::runner::JobContext {
            mailer: app.state.mailer.clone(),
        };
        ghent::jobs::runner::JobRunner::new(
            db,
            app.clock.clone(),
            ctx,
            chrono::Duration::minutes(5),
            Duration::from_millis(10),
            ghent::mail::worker::Notifier::new(),
        )
    };
    let a = runner(ghent::db::Db::connect(&app.db.url, 2).unwrap());
    let b = runner(ghent::db::Db::connect(&app.db.url, 2).unwrap());
    let (ida, idb) = (a.id().to_string(), b.id().to_string());
    let drain = |r: ghent::jobs::runner::JobRunner| async move {
        let mut total = 0;
        loop {
            let n = r.run_due().await.unwrap();
            if n == 0 {
                return total;
            }
            total += n;
        }
    };
    let (na, nb) = tokio::join!(tokio::spawn(drain(a)), tokio::spawn(drain(b)));
    let (na, nb) = (na.unwrap(), nb.unwrap());
    assert_eq!(na + nb, 200, "{na} + {nb}");
    assert!(na > 0 && nb > 0, "both runners took part: {na} and {nb}");
    let rows: Vec<(String, i32, Option<String>)> = app.with_conn(|c| {
        jobs::table
            .select((jobs::status, jobs::attempts, jobs::locked_by))
            .load(c)
            .unwrap()
    });
    assert!(
        rows.iter().all(|(s, a, _)| s == "done" && *a == 1),
        "each job ran exactly once"
    );
    let runners: HashSet<_> = rows.iter().filter_map(|(_, _, r)| r.clone()).collect();
    assert_eq!(runners, HashSet::from([ida, idb]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_is_retried_then_dead_and_a_site_admin_can_retry_it() {
    let app = spawn_app_with(&[("GHENT_JOBS_POLL_MILLIS", "50")]).await;
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        let mut job = ghent::jobs::NewJob::new("no.such.kind", json!({}), now);
        job.max_attempts = 2;
        ghent::jobs::schedule(c, now, job).unwrap();
    });
    app.state.jobs_notifier.wake();
    let status = |app: &TestApp| {
        app.with_conn(|c| {
            jobs::table
                .filter(jobs::kind.eq("no.such.kind"))
                .select((jobs::status, jobs::attempts))
                .first::<(String, i32)>(c)
                .unwrap()
        })
    };
    eventually(10, "first failure", || status(&app) == ("failed".into(), 1)).await;
    app.clock.advance(chrono::Duration::minutes(5));
    eventually(10, "dead", || status(&app) == ("dead".into(), 2)).await;
    app.organizer("admin@example.org", true, &[]);
    app.login("admin@example.org").await;
    let (_, html) = app.get_html("/admin/jobs?status=dead").await;
    let rows = texts(&html, "tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("no.such.kind") && rows[0].contains("unknown job kind"),
        "{rows:?}"
    );
    let id: String = app.with_conn(|c| {
        jobs::table
            .filter(jobs::kind.eq("no.such.kind"))
            .select(jobs::id)
            .first(c)
            .unwrap()
    });
    let r = app
        .post_form("/admin/jobs", &format!("/admin/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // Retried from zero: it runs once more and fails again (the kind still does not exist).
    eventually(10, "retried, failing anew", || {
        status(&app) == ("failed".into(), 1)
    })
    .await;
    // An organizer who is not a site administrator may not see the jobs.
    app.organizer("org@example.org", false, &[]);
    let other = app.new_visitor();
    other.login("org@example.org").await;
    assert_eq!(other.get("/admin/jobs").await.status().as_u16(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_mail_once_delivers_what_is_due_and_exits() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Manager::new(&db.url).open().unwrap();
    queue(&mut conn, 3, t0());
    let catcher = catcher().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_ghent"))
        .args(["send-mail", "--once"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("GHENT_DATA_DIR", dir.path().join("data"))
        .env("GHENT_SMTP_URL", catcher.url())
        .env(
            "GHENT_CLOCK_START",
            (t0() + chrono::Duration::minutes(1)).to_rfc3339(),
        )
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 delivered, 0 failed"));
    assert_eq!(catcher.messages().len(), 3);
    assert_eq!(count(&mut conn, "sent"), 3);
}
