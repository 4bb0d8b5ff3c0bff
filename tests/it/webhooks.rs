//! Webhooks to a real HTTP receiver on loopback: a registration and a release arrive signed
//! (verified with the `standardwebhooks` crate, the specification's own algorithm); a receiver
//! answering 500 then 200 gets the same `webhook-id` twice and the log shows both attempts.

use std::sync::{Arc, Mutex};

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
/// 200), and keeps what it got.
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
}
