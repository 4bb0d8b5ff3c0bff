//! The queue as operators see and steer it: priorities (a confirmation before bulk mail), the
//! jobs page (depth per kind, the oldest due item, dead items, the instances), `/metrics`
//! (off by default, then only with its token), and a clean stop on SIGTERM (the message in
//! flight finishes, the rest goes back to the queue).

use std::process::Command;
use std::time::Duration;

use diesel::prelude::*;
use ghent::db::schema::{jobs, mail_outbox};
use ghent::mail::outbox::Envelope;
use serde_json::json;

use crate::helpers::*;

fn queue_mails(app: &TestApp, prefix: &str, n: usize) {
    let now = app.clock.now_naive();
    let mailer = app.state.mailer.clone();
    app.with_conn(|c| {
        for i in 0..n {
            let to = format!("{prefix}{i}@example.org");
            let ctx = json!({ "sent_by": "test", "recipient": { "name": "P", "email": to }, "site": { "base_url": mailer.base_url } });
            let envelope = Envelope::to(ghent::mail::model::MailKind::Test, &to, "P");
            mailer.queue(c, now, envelope, &ctx, Vec::new()).unwrap();
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_someone_waits_for_goes_before_bulk_mail_queued_earlier() {
    let catcher = catcher().await;
    let app = spawn_app_with(&[("GHENT_RUN_WORKERS", "false")]).await;
    queue_mails(&app, "bulk", 30);
    // These 30 are bulk mail (what the outbox gives mail with a bulk id).
    app.with_conn(|c| {
        diesel::update(jobs::table)
            .set(jobs::priority.eq(ghent::mail::outbox::BULK_PRIORITY))
            .execute(c)
            .unwrap()
    });
    queue_mails(&app, "confirm", 1);
    let settings = test_settings(
        &app.db.url,
        app.data_dir.path(),
        &[
            ("GHENT_SMTP_URL", &catcher.url()),
            ("GHENT_MAIL_BATCH_SIZE", "5"),
            ("GHENT_MAIL_CONCURRENCY", "1"),
        ],
    );
    let lane = mail_lane(&app, app.state.db.clone(), &settings);
    assert_eq!(lane.drain().await.unwrap().delivered, 31);
    let caught = catcher.wait_for(31, Duration::from_secs(10)).await;
    assert_eq!(
        caught[0].rcpt_to,
        ["confirm0@example.org"],
        "queued last, sent first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_page_shows_depth_per_kind_the_oldest_due_item_dead_items_and_instances() {
    let app = spawn_app_with(&[("GHENT_RUN_WORKERS", "false")]).await;
    queue_mails(&app, "p", 3);
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        ghent::queue::push(c, now, &ghent::queue::Noop {}, now).unwrap();
        diesel::update(jobs::table.filter(jobs::kind.eq("noop")))
            .set((jobs::status.eq("dead"), jobs::last_error.eq("it broke")))
            .execute(c)
            .unwrap();
    });
    app.organizer("admin@example.org", true, &[]);
    app.login("admin@example.org").await;
    let (status, html) = app.get_html("/admin/jobs").await;
    assert_eq!(status, 200);
    let depth = texts(&html, "table[aria-labelledby=queue-h] tbody tr");
    let mail = depth
        .iter()
        .find(|r| r.starts_with("mail.deliver"))
        .unwrap();
    assert!(mail.starts_with("mail.deliver 3 3 0 0"), "{mail}");
    assert!(
        mail.contains("1915") || mail.contains("2009"),
        "the oldest due time: {mail}"
    );
    let noop = depth.iter().find(|r| r.starts_with("noop")).unwrap();
    assert!(noop.starts_with("noop 0 0 0 1"), "{noop}");
    let instances = texts(&html, "table[aria-labelledby=workers-h] tbody tr");
    assert!(
        instances
            .iter()
            .any(|r| r.contains("serve") && r.contains("alive")),
        "{instances:?}"
    );
    let (_, dead) = app.get_html("/admin/jobs?status=dead&kind=noop").await;
    let rows = texts(&dead, "table[aria-labelledby=items-h] tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("it broke"), "{rows:?}");
    app.leaves_leftovers();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_by_default_and_then_open_only_to_the_token() {
    let app = spawn_app().await;
    assert_eq!(app.get("/metrics").await.status().as_u16(), 404);

    let app = spawn_app_with(&[
        ("GHENT_METRICS_TOKEN", "s3cret-metrics"),
        ("GHENT_RUN_WORKERS", "false"),
    ])
    .await;
    queue_mails(&app, "m", 4);
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    let scrape = |token: Option<&str>| {
        let mut r = app.client.get(format!("{}/metrics", app.address));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(scrape(None).await.unwrap().status().as_u16(), 401);
    assert_eq!(scrape(Some("guess")).await.unwrap().status().as_u16(), 401);
    let body = scrape(Some("s3cret-metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = |name: &str| {
        body.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in:\n{body}"))
            .to_string()
    };
    assert!(line("ghent_queue_depth{kind=\"mail.deliver\",state=\"due\"}").ends_with(" 4"));
    assert!(
        line("ghent_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}")
            .ends_with(" 1")
    );
    assert!(line("ghent_http_request_duration_seconds_count{route=\"/healthz\"}").ends_with(" 1"));
    assert!(!body.contains("s3cret"), "the token is not in the output");
    // The app's own mail lane delivers (to the log: no SMTP server here); its counters move,
    // and the queue empties.
    assert_eq!(app.mail_worker.drain().await.unwrap().delivered, 4);
    let now = app.clock.now_naive();
    app.with_conn(|c| ghent::queue::push(c, now, &ghent::queue::Noop {}, now).unwrap());
    assert_eq!(app.job_runner.run_due().await.unwrap(), 1);
    let body = scrape(Some("s3cret-metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.lines().any(|l| l == "ghent_mail_logged_total 4"),
        "{body}"
    );
    assert!(
        body.lines().any(|l| l == "ghent_mail_sent_total 0"),
        "{body}"
    );
    assert!(
        body.contains("ghent_queue_depth{kind=\"mail.deliver\",state=\"due\"} 0")
            || !body.contains("kind=\"mail.deliver\""),
        "{body}"
    );
    assert!(
        body.contains("ghent_jobs_run_total{kind=\"noop\"} 1"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_message_in_flight_finish_and_gives_the_rest_back() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let catcher = catcher().await;
    // Each message takes 1.5 s to be accepted.
    catcher.set_delay(Duration::from_millis(1500));
    {
        let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
        let mailer = ghent::mail::Mailer::new("http://ghent.test", b"key").unwrap();
        let now = demo_now().naive_utc();
        for i in 0..10 {
            let to = format!("stop{i}@example.org");
            let ctx = json!({ "sent_by": "test", "recipient": { "name": "P", "email": to }, "site": { "base_url": "http://ghent.test" } });
            let envelope = Envelope::to(ghent::mail::model::MailKind::Test, &to, "P");
            mailer
                .queue(&mut conn, now, envelope, &ctx, Vec::new())
                .unwrap();
        }
    }
    let extra = [
        ("GHENT_MAIL_BATCH_SIZE", "10"),
        ("GHENT_SHUTDOWN_GRACE_SECONDS", "5"),
    ];
    let (mut child, _) = serve_with(dir.path(), &db.url, &catcher.url(), demo_now(), &extra);
    // The first message is with the server (which has not answered yet): stop now.
    catcher.wait_for(1, Duration::from_secs(20)).await;
    let asked = std::time::Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let took = asked.elapsed();
    assert!(status.success(), "a clean exit");
    assert!(
        took < Duration::from_secs(5),
        "it waited for the message in flight only: {took:?}"
    );
    assert_eq!(
        catcher.messages().len(),
        1,
        "nothing new was started after SIGTERM"
    );
    let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
    let outbox: Vec<String> = mail_outbox::table
        .select(mail_outbox::status)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        outbox.iter().filter(|s| *s == "sent").count(),
        1,
        "{outbox:?}"
    );
    assert_eq!(
        outbox.iter().filter(|s| *s == "queued").count(),
        9,
        "{outbox:?}"
    );
    let items: Vec<(String, i32, Option<String>)> = jobs::table
        .filter(jobs::kind.eq("mail.deliver"))
        .filter(jobs::status.ne("done"))
        .select((jobs::status, jobs::attempts, jobs::claimed_by))
        .load(&mut conn)
        .unwrap();
    assert_eq!(items.len(), 9);
    assert!(
        items
            .iter()
            .all(|(s, a, by)| s == "queued" && *a == 0 && by.is_none()),
        "given back, the attempt not counted: {items:?}"
    );
    let workers: i64 = ghent::db::schema::queue_workers::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(workers, 0, "the instance left the workers table");
}
