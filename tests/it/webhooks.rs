//! Webhooks to a real HTTP receiver on loopback: a registration and a release arrive signed
//! (verified with the `standardwebhooks` crate, the specification's own algorithm); a receiver
//! answering 500 then 200 gets the same `webhook-id` twice and the log shows both attempts; the
//! page's ping, redeliver and disable buttons work; an endpoint failing for longer than the
//! setting is disabled and its owners are mailed; a server killed (SIGKILL) between the change
//! and the delivery delivers after a restart, under the same `webhook-id`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ghent::accounts::Role;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::api::{call, token_for};
use crate::helpers::*;

/// One request the receiver got: its headers and body.
#[derive(Debug, Clone)]
struct Received {
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

/// A tiny HTTP/1.1 receiver: answers each request with the next status of `statuses` (then
/// 200; 0 means never answer), and keeps what it got.
async fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let (keep, plan) = (got.clone(), Arc::new(Mutex::new(statuses)));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (keep, plan) = (keep.clone(), plan.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map(|v| v.trim().parse::<usize>().unwrap())
                            .unwrap_or(0);
                        break (i + 4, len);
                    }
                };
                while buf.len() < head_end + length {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let mut headers = reqwest::header::HeaderMap::new();
                for line in String::from_utf8_lossy(&buf[..head_end]).lines().skip(1) {
                    if let Some((k, v)) = line.split_once(':') {
                        if let (Ok(k), Ok(v)) = (
                            reqwest::header::HeaderName::from_bytes(k.trim().as_bytes()),
                            reqwest::header::HeaderValue::from_str(v.trim()),
                        ) {
                            headers.insert(k, v);
                        }
                    }
                }
                keep.lock().unwrap().push(Received {
                    headers,
                    body: buf[head_end..].to_vec(),
                });
                let status = {
                    let mut p = plan.lock().unwrap();
                    if p.is_empty() {
                        200
                    } else {
                        p.remove(0)
                    }
                };
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_retried_under_one_id_and_logged() {
    let app = spawn_app_with(&[
        ("GHENT_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("GHENT_WEBHOOK_RETRY_BASE_MILLIS", "200"),
        ("GHENT_WEBHOOK_POLL_MILLIS", "100"),
    ])
    .await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let (url, got) = receiver(vec![500]).await;
    let v = app.new_visitor();
    v.login("usa-owner@example.org").await;
    let page = "/admin/events/usa-2010/webhooks";
    let r = v
        .post_form(
            page,
            page,
            &[
                ("url", &url),
                ("type", "registration.created"),
                ("type", "schedule.released"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, html) = v.get_html(page).await;
    let secret = texts(&html, "code.secret").pop().unwrap();
    assert!(secret.starts_with("whsec_"));

    let token = token_for(&app, "usa-owner@example.org", "write", &[]).await;
    let (status, _, reg) = call(
        &app,
        "post",
        "/api/v1/events/usa-2010/registrations",
        Some(&token),
        Some(json!({ "name": "Hook Person", "email": "hook@example.org" })),
        &[],
    )
    .await;
    assert_eq!(status, 201);
    // A change so the release has something new, then the release.
    let (_, _, talks) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/talks",
        Some(&token),
        None,
        &[],
    )
    .await;
    let talk = talks["data"][0]["id"].as_str().unwrap();
    call(
        &app,
        "patch",
        &format!("/api/v1/events/usa-2010/talks/{talk}"),
        Some(&token),
        Some(json!({ "title": "Retitled for the hook" })),
        &[],
    )
    .await;
    let (status, _, rel) = call(
        &app,
        "post",
        "/api/v1/events/usa-2010/releases",
        Some(&token),
        Some(json!({ "note": "hook" })),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{rel}");

    // The first delivery is answered 500, retried, then 200: three requests in all.
    eventually(20, "three deliveries", || got.lock().unwrap().len() >= 3).await;
    let received = got.lock().unwrap().clone();
    let wh = standardwebhooks::Webhook::new(&secret).unwrap();
    let mut ids = Vec::new();
    let mut types = Vec::new();
    for r in &received {
        wh.verify(&r.body, &r.headers)
            .expect("a valid Standard Webhooks signature");
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        ids.push(r.headers["webhook-id"].to_str().unwrap().to_string());
        types.push(body["type"].as_str().unwrap().to_string());
        if body["type"] == "registration.created" {
            assert_eq!(body["data"]["registration"]["id"], reg["id"]);
            assert_eq!(body["data"]["event"]["slug"], "usa-2010");
        }
    }
    assert_eq!(
        ids[0],
        ids.iter()
            .filter(|i| **i == ids[0])
            .nth(1)
            .cloned()
            .unwrap_or_default(),
        "the 500 was retried under the same webhook-id: {ids:?}"
    );
    assert!(
        types.contains(&"schedule.released".to_string()),
        "{types:?}"
    );
    // Both attempts of the first message are in the log.
    eventually(10, "the log", || app.count("webhook_attempts") >= 3).await;
    let (_, html) = v.get_html(page).await;
    assert!(html.contains(&ids[0]) && html.contains("500"), "{html}");
    // A tampered body does not verify.
    let mut bad = received[0].body.clone();
    bad.push(b' ');
    assert!(wh.verify(&bad, &received[0].headers).is_err());

    // The page's buttons: a ping, a redelivery (same webhook-id), and disabling.
    let hook_id = one(&app, "SELECT id AS v FROM webhooks");
    let r = v
        .post_form(page, &format!("{page}/{hook_id}/ping"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    eventually(10, "the ping", || got.lock().unwrap().len() >= 4).await;
    let ping = got.lock().unwrap()[3].clone();
    wh.verify(&ping.body, &ping.headers).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&ping.body).unwrap();
    assert_eq!(body["type"], "ping");
    let attempt = one(
        &app,
        &format!(
            "SELECT id AS v FROM webhook_attempts WHERE message_id = '{}' AND succeeded",
            ids[0]
        ),
    );
    let r = v
        .post_form(page, &format!("{page}/attempts/{attempt}/redeliver"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    eventually(10, "the redelivery", || got.lock().unwrap().len() >= 5).await;
    assert_eq!(
        got.lock().unwrap()[4].headers["webhook-id"]
            .to_str()
            .unwrap(),
        ids[0]
    );
    let r = v
        .post_form(
            page,
            &format!("{page}/{hook_id}/enabled"),
            &[("enabled", "off")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let queued = app.count("jobs");
    let (status, _, _) = call(
        &app,
        "post",
        "/api/v1/events/usa-2010/registrations",
        Some(&token),
        Some(json!({ "name": "Nobody Hears", "email": "quiet@example.org" })),
        &[],
    )
    .await;
    assert_eq!(status, 201);
    let webhook_jobs = one(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) AS v FROM jobs WHERE kind = 'webhook.deliver'",
    );
    // The registration, the release, the ping and the redelivery: nothing more.
    assert_eq!(
        webhook_jobs, "4",
        "a disabled endpoint gets nothing queued ({queued} jobs before)"
    );
}

/// Whether the (only) endpoint is enabled.
fn enabled(app: &TestApp) -> bool {
    use diesel::prelude::*;
    use ghent::db::schema::webhooks;
    app.with_conn(|c| {
        webhooks::table
            .select(webhooks::enabled)
            .first::<bool>(c)
            .unwrap()
    })
}

/// One text value of a query (`... AS v`).
fn one(app: &TestApp, sql: &str) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    app.with_conn(|c| diesel::sql_query(sql).get_result::<V>(c).unwrap().v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_failing_too_long_is_disabled_and_its_owners_are_mailed() {
    let app = spawn_app_with(&[
        ("GHENT_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("GHENT_WEBHOOK_RETRY_BASE_MILLIS", "100"),
        ("GHENT_WEBHOOK_POLL_MILLIS", "50"),
        ("GHENT_WEBHOOK_DISABLE_AFTER_SECONDS", "60"),
    ])
    .await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let (url, got) = receiver(vec![500; 50]).await;
    let v = app.new_visitor();
    v.login("usa-owner@example.org").await;
    let page = "/admin/events/usa-2010/webhooks";
    let r = v
        .post_form(
            page,
            page,
            &[("url", &url), ("type", "registration.created")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let token = token_for(&app, "usa-owner@example.org", "write", &[]).await;
    call(
        &app,
        "post",
        "/api/v1/events/usa-2010/registrations",
        Some(&token),
        Some(json!({ "name": "Hook Person", "email": "hook@example.org" })),
        &[],
    )
    .await;
    eventually(10, "a failed attempt", || !got.lock().unwrap().is_empty()).await;
    assert!(enabled(&app), "one failure does not disable it");
    // Still failing a minute and more later (by the app's clock): disabled, owners told.
    app.clock.advance(chrono::Duration::seconds(61));
    eventually(10, "the endpoint disabled", || !enabled(&app)).await;
    let mails: Vec<_> = app
        .outbox()
        .into_iter()
        .filter(|m| m.kind == ghent::mail::model::MailKind::WebhookDisabled)
        .collect();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient_email, "usa-owner@example.org");
    let (_, html) = v.get_html(page).await;
    assert!(html.contains("Disabled by Ghent"), "{html}");
    // Nothing more is sent to it.
    let n = got.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(got.lock().unwrap().len(), n);
    app.leaves_leftovers();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_between_the_change_and_the_delivery_delivers_after_a_restart() {
    use ghent::db::Manager;
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let t0 = demo_now();
    let mut conn = Manager::new(&db.url).open().unwrap();
    ghent::seed::demo(&mut conn, t0.naive_utc()).unwrap();
    let event = ghent::events::queries::by_slug(&mut conn, "usa-2010")
        .unwrap()
        .unwrap();
    let owner = ghent::accounts::service::create_organizer(
        &mut conn,
        t0.naive_utc(),
        &ghent::values::EmailAddress::parse("usa-owner@example.org").unwrap(),
        "",
        None,
        false,
    )
    .unwrap();
    ghent::accounts::service::grant_role(
        &mut conn,
        t0.naive_utc(),
        &event.id,
        &owner.id,
        Role::Owner,
    )
    .unwrap();
    let new = ghent::api::tokens::NewToken {
        name: "t".into(),
        scope: ghent::api::tokens::Scope::Write,
        events: None,
    };
    let (_, token) = ghent::api::tokens::create(&mut conn, &owner, &new, t0.naive_utc()).unwrap();
    // The first request is held unanswered (the server dies while it waits); then 200.
    let (url, got) = receiver(vec![0]).await;
    let mailer = ghent::mail::Mailer::new("http://ghent.test", TEST_KEY.as_bytes()).unwrap();
    let cx = ghent::context::EventContext::new(
        event,
        ghent::accounts::Actor::system("test"),
        t0.naive_utc(),
        mailer,
    );
    let form = ghent::webhooks::endpoints::EndpointForm {
        url,
        types: vec!["registration.created".into()],
    };
    let hook = ghent::webhooks::endpoints::add(&mut conn, &cx, &form, true).unwrap();

    let extra = [
        ("GHENT_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("GHENT_WEBHOOK_TIMEOUT_MILLIS", "60000"),
    ];
    let (mut first, address) = serve_with(dir.path(), &db.url, "smtp://127.0.0.1:9", t0, &extra);
    let r = reqwest::Client::new()
        .post(format!("{address}/api/v1/events/usa-2010/registrations"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Crash Test", "email": "crash@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    eventually(20, "the delivery in flight", || {
        !got.lock().unwrap().is_empty()
    })
    .await;
    // SIGKILL: no shutdown, no cleanup, the delivery unanswered.
    first.kill().unwrap();
    first.wait().unwrap();
    let held_id = got.lock().unwrap()[0].headers["webhook-id"]
        .to_str()
        .unwrap()
        .to_string();

    let (mut second, _) = serve_with(
        dir.path(),
        &db.url,
        "smtp://127.0.0.1:9",
        t0 + chrono::Duration::minutes(1),
        &extra,
    );
    eventually(30, "the delivery after the restart", || {
        got.lock().unwrap().len() >= 2
    })
    .await;
    let again = got.lock().unwrap()[1].clone();
    assert_eq!(
        again.headers["webhook-id"].to_str().unwrap(),
        held_id,
        "the same message"
    );
    standardwebhooks::Webhook::new(&hook.secret)
        .unwrap()
        .verify(&again.body, &again.headers)
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&again.body).unwrap();
    assert_eq!(body["data"]["registration"]["email"], "crash@example.org");
    let _ = std::process::Command::new("kill")
        .arg(second.id().to_string())
        .status();
    let _ = second.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_placed_by_hand_or_with_an_accepted_draft_are_announced() {
    let app = spawn_app_with(&[("GHENT_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app.organizer("o@example.org", false, &[("ghent-2009", Role::Organizer)]);
    let (url, got) = receiver(Vec::new()).await;
    app.login("o@example.org").await;
    let hooks = "/admin/events/ghent-2009/webhooks";
    let r = app
        .post_form(
            hooks,
            hooks,
            &[("url", &url), ("type", "openspace.topic.placed")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let admin = "/admin/events/ghent-2009/openspace/";
    // Two placed topics taken off the board (no message), then a draft fills the slots again.
    let placed: Vec<(String, String)> = app.with_conn(|c| {
        use diesel::prelude::*;
        use ghent::db::schema::openspace_topics as t;
        t::table
            .filter(t::slot_id.is_not_null())
            .select((t::id, t::title))
            .limit(2)
            .load(c)
            .unwrap()
    });
    assert_eq!(placed.len(), 2);
    for (id, _) in &placed {
        let place = "/admin/events/ghent-2009/openspace/place";
        app.post_form(admin, place, &[("topic_id", id), ("slot_id", "")])
            .await;
    }
    assert!(
        got.lock().unwrap().is_empty(),
        "taking a topic off is not a placement"
    );
    app.post_form(admin, "/admin/events/ghent-2009/openspace/suggest", &[])
        .await;
    let r = app
        .post_form(
            admin,
            "/admin/events/ghent-2009/openspace/draft/accept",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    eventually(10, "two placements announced", || {
        got.lock().unwrap().len() >= 2
    })
    .await;
    let types: Vec<String> = got
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            let b: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            assert!(b["data"]["topic"]["slot_id"].is_string(), "{b}");
            b["type"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(types, ["openspace.topic.placed", "openspace.topic.placed"]);
}
