//! Crashes and restarts: the server process is killed (SIGKILL) while mail is being delivered;
//! after a restart every mail arrives and none is lost, at most the messages in flight twice,
//! with the same Message-ID. With two instances on one database, one killed, the other takes
//! over within 15 s; a slow SMTP server never makes two instances send one message. A job due
//! while the server was down runs when it comes back; two job runners never run one job twice;
//! `send-mail --once` delivers.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command};
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

/// SIGKILL: no shutdown, no cleanup.
fn crash(child: &mut Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Message-IDs of what arrived, and how often each.
fn arrivals(caught: &[ghent::mail::catcher::CaughtMail]) -> HashMap<String, usize> {
    let mut by_id = HashMap::new();
    for m in caught {
        *by_id.entry(m.header("Message-ID").unwrap()).or_insert(0) += 1;
    }
    by_id
}

/// The Message-IDs the outbox holds.
fn stored_ids(conn: &mut AnyConnection) -> HashSet<String> {
    mail_outbox::table
        .select(mail_outbox::message_id)
        .load::<String>(conn)
        .unwrap()
        .into_iter()
        .collect()
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
    // The blackhole never answers: every send hangs until the crash.
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
    let noop =
        ghent::queue::NewItem::of(&ghent::queue::Noop {}, job_due.naive_utc()).unique("down-test");
    ghent::queue::enqueue(&mut conn, t0().naive_utc(), noop).unwrap();

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
        for _ in 0..200 {
            ghent::queue::push(c, now, &ghent::queue::Noop {}, now).unwrap();
        }
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = |name: &str| {
        let db = ghent::db::Db::connect(&app.db.url, 2).unwrap();
        let settings = &app.state.settings;
        let worker = ghent::background::register_worker(&db, settings, name).unwrap();
        tokio::spawn(worker.clone().run_heartbeat(stopped.clone()));
        ghent::background::job_runner(
            &db,
            &app.clock,
            settings,
            &worker,
            &app.state.mailer,
            &ghent::queue::Notifier::new(),
            &ghent::metrics::Metrics::new(),
        )
    };
    let a = runner("a");
    let b = runner("b");
    let (ida, idb) = (a.worker().id().to_string(), b.worker().id().to_string());
    // A claim that loses every candidate to the other runner gets nothing although jobs are
    // still waiting: a runner stops only when none is left queued.
    let db_url = app.db.url.clone();
    let drain = move |r: ghent::queue::runner::JobRunner<ghent::context::JobContext>| {
        let db_url = db_url.clone();
        async move {
            let mut conn = ghent::db::Manager::new(&db_url).open().unwrap();
            let mut total = 0;
            loop {
                let n = r.run_due().await.unwrap();
                total += n;
                if n == 0 {
                    let waiting: i64 = jobs::table
                        .filter(jobs::kind.eq("noop"))
                        .filter(jobs::status.eq("queued"))
                        .count()
                        .get_result(&mut conn)
                        .unwrap();
                    if waiting == 0 {
                        return total;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    };
    let (na, nb) = tokio::join!(tokio::spawn(drain(a)), tokio::spawn(drain(b)));
    let (na, nb) = (na.unwrap(), nb.unwrap());
    assert_eq!(na + nb, 200, "{na} + {nb}");
    assert!(na > 0 && nb > 0, "both runners took part: {na} and {nb}");
    let rows: Vec<(String, i32, Option<String>)> = app.with_conn(|c| {
        jobs::table
            .filter(jobs::kind.eq("noop"))
            .select((jobs::status, jobs::attempts, jobs::claimed_by))
            .load(c)
            .unwrap()
    });
    assert!(
        rows.iter().all(|(s, a, _)| s == "done" && *a == 1),
        "each job ran exactly once"
    );
    let runners: HashSet<_> = rows.iter().filter_map(|(_, _, r)| r.clone()).collect();
    assert_eq!(runners, HashSet::from([ida, idb]));
    let _ = stop.send(true);
}

/// A kind no build of Ghent knows (an item left by a newer version, a typo).
#[derive(serde::Serialize, serde::Deserialize)]
struct NoSuchKind {}

impl ghent::queue::Task for NoSuchKind {
    const KIND: &'static str = "no.such.kind";
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_is_retried_then_dead_and_a_site_admin_can_retry_it() {
    let app = spawn_app_with(&[("GHENT_JOBS_POLL_MILLIS", "50")]).await;
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        let job = ghent::queue::NewItem::of(&NoSuchKind {}, now).attempts(2);
        ghent::queue::enqueue(c, now, job).unwrap();
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
    let rows = texts(&html, "table[aria-labelledby=items-h] tbody tr");
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

/// Registers `n` people at `url` over HTTP, eight at a time.
async fn register_many(url: &str, n: usize) {
    use futures_util::StreamExt;
    futures_util::stream::iter(0..n)
        .map(|i| {
            let v = Visitor {
                address: url.to_string(),
                client: client(),
            };
            async move {
                let email = format!("burst{i}@example.org");
                let r = v
                    .post_form(
                        "/usa-2010/register/",
                        "/usa-2010/register/",
                        &[
                            ("name", "Burst Person"),
                            ("email", &email),
                            ("accept", "on"),
                            ("website", ""),
                        ],
                    )
                    .await;
                assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_burst_survives_sigkill_mid_delivery_with_only_in_flight_mail_twice() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Manager::new(&db.url).open().unwrap();
    ghent::seed::demo(&mut conn, demo_now().naive_utc()).unwrap();
    let catcher = catcher().await;
    // Slow while people register, so that most mail is still to send when the crash comes.
    catcher.set_delay(Duration::from_millis(200));
    let extra = [
        ("GHENT_FORM_RATE_LIMIT_PER_MINUTE", "0"),
        ("GHENT_MAIL_CONCURRENCY", "2"),
    ];
    let (mut first, url) = serve_with(dir.path(), &db.url, &catcher.url(), demo_now(), &extra);
    register_many(&url, 300).await;
    assert_eq!(
        stored_ids(&mut conn).len(),
        300,
        "every registration queued its mail"
    );
    catcher.set_delay(Duration::from_millis(2));
    let before = catcher.wait_for(120, Duration::from_secs(30)).await.len();
    crash(&mut first);
    let at_crash = catcher.messages().len();
    assert!(
        (120..300).contains(&at_crash),
        "the crash came mid-delivery: {at_crash} of 300 had arrived ({before} when it was decided)"
    );

    let restarted = std::time::Instant::now();
    let later = demo_now() + chrono::Duration::minutes(1);
    let (mut second, _) = serve_with(dir.path(), &db.url, &catcher.url(), later, &extra);
    let deadline = restarted + Duration::from_secs(30);
    while arrivals(&catcher.messages()).len() < 300 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = restarted.elapsed();
    let caught = catcher.messages();
    let by_id = arrivals(&caught);
    assert_eq!(
        by_id.len(),
        300,
        "every mail arrived within 30 s of the restart (took {took:?})"
    );
    assert_eq!(
        by_id.keys().cloned().collect::<HashSet<_>>(),
        stored_ids(&mut conn),
        "each with the Message-ID it was queued with"
    );
    let twice = caught.len() - 300;
    assert!(by_id.values().all(|n| *n <= 2), "none more than twice");
    // In flight: 2 connections; written late: what completed in the last 20 ms window (at
    // 2 ms a message on 2 connections, about 20).
    assert!(
        twice <= 30,
        "{twice} arrived twice; only in-flight mail may"
    );
    println!("sigkill burst: {at_crash} arrived before the crash, all 300 {took:?} after the restart, {twice} twice");
    eventually(10, "all marked sent", || count(&mut conn, "sent") == 300).await;
    terminate(&mut second);
}

/// SIGTERM, and the exit status.
fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap()
}

/// The ids of items the instance with process id `pid` holds now.
fn held_by(conn: &mut AnyConnection, pid: u32) -> usize {
    jobs::table
        .filter(jobs::status.eq("running"))
        .filter(jobs::claimed_by.like(format!("serve-{pid}-%")))
        .count()
        .get_result::<i64>(conn)
        .unwrap() as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_instances_on_one_database_the_survivor_takes_over_within_15_seconds() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Manager::new(&db.url).open().unwrap();
    queue(&mut conn, 200, t0());
    let catcher = catcher().await;
    catcher.set_delay(Duration::from_millis(10));
    let extra = [
        ("GHENT_MAIL_BATCH_SIZE", "40"),
        ("GHENT_MAIL_CONCURRENCY", "1"),
    ];
    let later = t0() + chrono::Duration::minutes(1);
    let (mut a, _) = serve_with(dir.path(), &db.url, &catcher.url(), later, &extra);
    let (mut b, _) = serve_with(dir.path(), &db.url, &catcher.url(), later, &extra);
    let pid = a.id();
    eventually(20, "instance A to hold mail", || {
        held_by(&mut conn, pid) > 5
    })
    .await;
    crash(&mut a);
    let held = held_by(&mut conn, pid);
    assert!(held > 0, "A died holding mail");
    let killed = std::time::Instant::now();
    let deadline = killed + Duration::from_secs(15);
    while arrivals(&catcher.messages()).len() < 200 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = killed.elapsed();
    let caught = catcher.messages();
    let by_id = arrivals(&caught);
    assert_eq!(
        by_id.len(),
        200,
        "B delivered A's mail too, within 15 s (took {took:?})"
    );
    assert_eq!(
        held_by(&mut conn, pid),
        0,
        "nothing is left with the dead instance"
    );
    let twice = caught.len() - 200;
    assert!(
        twice <= 3,
        "{twice} twice: only A's message in flight may be"
    );
    println!("takeover: A died holding {held}, B finished {took:?} later, {twice} twice");
    terminate(&mut b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_smtp_server_never_makes_two_instances_send_one_message() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Manager::new(&db.url).open().unwrap();
    queue(&mut conn, 6, t0());
    let catcher = catcher().await;
    // Each message takes 1.5 s, longer than a worker may go without a heartbeat (1 s).
    catcher.set_delay(Duration::from_millis(1500));
    let extra = [
        ("GHENT_MAIL_BATCH_SIZE", "1"),
        ("GHENT_MAIL_CONCURRENCY", "1"),
        ("GHENT_QUEUE_WORKER_TIMEOUT_SECONDS", "1"),
    ];
    let later = t0() + chrono::Duration::minutes(1);
    let (mut a, _) = serve_with(dir.path(), &db.url, &catcher.url(), later, &extra);
    let (mut b, _) = serve_with(dir.path(), &db.url, &catcher.url(), later, &extra);
    catcher.wait_for(6, Duration::from_secs(30)).await;
    // Time for a second copy to show up, if a claim were taken from a live instance.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let by_id = arrivals(&catcher.messages());
    assert_eq!(by_id.len(), 6);
    assert!(
        by_id.values().all(|n| *n == 1),
        "each exactly once: {by_id:?}"
    );
    eventually(10, "all marked sent", || count(&mut conn, "sent") == 6).await;
    assert!(terminate(&mut a).success() && terminate(&mut b).success());
}
