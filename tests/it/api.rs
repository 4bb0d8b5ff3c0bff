//! The REST API as a script uses it: the OpenAPI document is valid OpenAPI 3.1 and lists exactly
//! the route table's API routes; every answer here is validated against the schema the document
//! gives for it; lists page without gaps or repeats; a stale `If-Match` is refused (412); a
//! retried POST with the same `Idempotency-Key` registers once; every write route refuses
//! missing, revoked, read-only and other-event tokens. Tokens are made on the admin page.

use std::collections::HashSet;

use ghent::accounts::Role;
use ghent::web::routes::{API_PREFIX, ROUTES};
use serde_json::{json, Value};

use crate::helpers::*;

/// The served document, and validation of answers against it.
pub struct Doc(pub Value);

impl Doc {
    pub async fn fetch(app: &TestApp) -> Doc {
        let r = app.get("/api/v1/openapi.json").await;
        assert_eq!(r.status().as_u16(), 200);
        Doc(r.json().await.unwrap())
    }

    /// Checks `body` against the document's schema for (`method`, `pattern`, `status`).
    pub fn check(&self, method: &str, pattern: &str, status: u16, body: &Value) {
        let answer = &self.0["paths"][pattern][method]["responses"][status.to_string()];
        assert!(
            answer.is_object(),
            "{method} {pattern} answered {status}, which the document does not list: {body}"
        );
        let content = answer["content"].as_object().expect("a body is documented");
        let schema = &content.values().next().unwrap()["schema"];
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.0["components"],
            "allOf": [schema],
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {pattern} {status} does not match the document: {errors:?}\n{body}"
        );
    }
}

/// A call: method, path (filled pattern), token; answers status, headers, JSON body.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = format!("{}{}", app.address, path);
    let mut req = match method {
        "get" => app.client.get(&url),
        "post" => app.client.post(&url),
        "patch" => app.client.patch(&url),
        m => panic!("{m}"),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    let text = r.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"))
    };
    (status, headers, value)
}

/// Makes a token on the admin page as `email`: scope, and event ids (empty: all events).
pub async fn token_for(app: &TestApp, email: &str, scope: &str, events: &[&str]) -> String {
    let v = app.new_visitor();
    v.login(email).await;
    let mut fields = vec![("name", "script"), ("scope", scope)];
    fields.push(("reach", if events.is_empty() { "all" } else { "some" }));
    for e in events {
        fields.push(("event", e));
    }
    let r = v.post_form("/admin/tokens", "/admin/tokens", &fields).await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    let secret = texts(&html, "code.secret");
    assert_eq!(secret.len(), 1, "the new token is shown once: {html}");
    // Shown once: the list page no longer has it.
    let (_, again) = v.get_html("/admin/tokens").await;
    assert!(!again.contains(&secret[0]));
    secret[0].clone()
}

fn event_id(app: &TestApp, slug: &str) -> String {
    app.with_conn(|c| {
        ghent::events::queries::by_slug(c, slug)
            .unwrap()
            .unwrap()
            .id
    })
}

fn fill(pattern: &str, slug: &str) -> String {
    pattern
        .replace("{slug}", slug)
        .replace("{id}", &uuid::Uuid::new_v4().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_1_and_lists_exactly_the_api_routes() {
    let app = spawn_app().await;
    let doc = Doc::fetch(&app).await;
    assert_eq!(doc.0["openapi"], "3.1.0");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/openapi-3.1");
    let load = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
    };
    let mut options = jsonschema::options().with_draft(jsonschema::Draft::Draft202012);
    for f in ["dialect-base.json", "meta-base.json"] {
        let v = load(f);
        let id = v["$id"].as_str().unwrap().to_string();
        options = options.with_resource(id, jsonschema::Resource::from_contents(v).unwrap());
    }
    // schema.json checks the document's structure; its Schema Objects are checked by their own
    // validation below (every answer against them). schema-base.json as published has a typo
    // ("$ref\"") that makes its Schema Object check unresolvable offline.
    let validator = options.build(&load("schema.json")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc.0)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:?}");

    let documented: HashSet<(String, String)> = doc.0["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    let routed: HashSet<(String, String)> = ROUTES
        .iter()
        .filter(|(_, p)| p.starts_with(API_PREFIX))
        .filter(|(_, p)| !["/api/v1/openapi.json", "/api/v1/docs"].contains(p))
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, routed,
        "the route table and the document differ"
    );
    assert!(routed.len() >= 20);

    // The page for people is rendered from the same document.
    let (status, html) = app.get_html("/api/v1/docs").await;
    assert_eq!(status, 200);
    for (m, p) in &routed {
        assert!(
            html.contains(&format!("{} {p}", m.to_uppercase())),
            "{m} {p} not on the page"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_reads_the_programme_and_pages_through_500_registrations() {
    let app = spawn_demo_app().await;
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let doc = Doc::fetch(&app).await;
    let token = token_for(&app, "usa-owner@example.org", "write", &[]).await;

    // Public programme data, no token: the latest release.
    for pattern in [
        "/api/v1/events",
        "/api/v1/events/{slug}",
        "/api/v1/events/{slug}/rooms",
        "/api/v1/events/{slug}/tracks",
        "/api/v1/events/{slug}/speakers",
        "/api/v1/events/{slug}/talks",
        "/api/v1/events/{slug}/slots",
        "/api/v1/events/{slug}/releases",
        "/api/v1/events/{slug}/openspace/topics",
        "/api/v1/events/{slug}/buzz",
        "/api/v1/events/{slug}/sponsors",
    ] {
        let (status, headers, body) =
            call(&app, "get", &fill(pattern, "ghent-2009"), None, None, &[]).await;
        assert_eq!(status, 200, "{pattern}: {body}");
        doc.check("get", pattern, 200, &body);
        assert!(
            headers.contains_key("etag") && headers.contains_key("ratelimit"),
            "{pattern}"
        );
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=600;w=60");
    }
    let (_, _, talks) = call(
        &app,
        "get",
        "/api/v1/events/ghent-2009/talks?limit=200",
        None,
        None,
        &[],
    )
    .await;
    let all = talks["data"].as_array().unwrap().len();
    assert!(all > 5, "{talks}");
    let (_, _, day1) = call(
        &app,
        "get",
        "/api/v1/events/ghent-2009/talks?limit=200&day=2009-10-30",
        None,
        None,
        &[],
    )
    .await;
    let n1 = day1["data"].as_array().unwrap().len();
    assert!(n1 > 0 && n1 < all, "day filter: {n1} of {all}");
    let talk = &talks["data"][0];
    let (status, headers, one) = call(
        &app,
        "get",
        &format!(
            "/api/v1/events/ghent-2009/talks/{}",
            talk["id"].as_str().unwrap()
        ),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    doc.check("get", "/api/v1/events/{slug}/talks/{id}", 200, &one);
    assert_eq!(one["title"], talk["title"]);
    // A repeated read with its ETag is 304.
    let tag = headers["etag"].to_str().unwrap().to_string();
    let (status, _, _) = call(
        &app,
        "get",
        &format!(
            "/api/v1/events/ghent-2009/talks/{}",
            talk["id"].as_str().unwrap()
        ),
        None,
        None,
        &[("If-None-Match", &tag)],
    )
    .await;
    assert_eq!(status, 304);
    // Anonymous callers see no registrations.
    let (status, _, problem) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 401);
    doc.check("get", "/api/v1/events/{slug}/registrations", 401, &problem);

    let (status, _, qs) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/questions",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    doc.check("get", "/api/v1/events/{slug}/questions", 200, &qs);
    assert!(
        !qs["data"].as_array().unwrap().is_empty(),
        "the demo's questions: {qs}"
    );
    let (_, _, sponsors) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/sponsors",
        None,
        None,
        &[],
    )
    .await;
    doc.check("get", "/api/v1/events/{slug}/sponsors", 200, &sponsors);
    assert!(
        !sponsors["data"].as_array().unwrap().is_empty(),
        "the demo's sponsors: {sponsors}"
    );

    // 500 registrations through the API, then a walk over every page.
    for i in 0..500 {
        let (status, _, body) = call(
            &app,
            "post",
            "/api/v1/events/usa-2010/registrations",
            Some(&token),
            Some(json!({ "name": format!("Attendee {i}"), "email": format!("a{i}@example.org") })),
            &[],
        )
        .await;
        assert_eq!(status, 201, "{body}");
        if i == 0 {
            doc.check("post", "/api/v1/events/{slug}/registrations", 201, &body);
        }
    }
    let usa = event_id(&app, "usa-2010");
    let stored: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::registrations::table
            .filter(ghent::db::schema::registrations::event_id.eq(&usa))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert!(stored >= 500);
    let mut seen = Vec::new();
    let mut next = Some(format!(
        "{}/api/v1/events/usa-2010/registrations?limit=37",
        app.address
    ));
    let mut pages = 0;
    while let Some(url) = next {
        let path = url.strip_prefix(&app.address).unwrap().to_string();
        let (status, _, page) = call(&app, "get", &path, Some(&token), None, &[]).await;
        assert_eq!(status, 200, "{page}");
        doc.check("get", "/api/v1/events/{slug}/registrations", 200, &page);
        for r in page["data"].as_array().unwrap() {
            seen.push(r["id"].as_str().unwrap().to_string());
        }
        next = page["links"]["next"].as_str().map(str::to_string);
        pages += 1;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), stored as usize, "every registration once");
    assert_eq!(unique.len(), seen.len(), "no repeats");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "a stable order");
    assert_eq!(pages, (stored as usize).div_ceil(37));
    // Filters: state, and updated_since in the future is empty.
    let (_, _, waiting) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations?state=waiting&limit=200",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert!(waiting["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["state"] == "waiting"));
    let (_, _, none) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations?updated_since=2030-01-01T00:00:00Z",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0);
    // A bad cursor is a problem with the field named.
    let (status, _, bad) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations?cursor=nonsense",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["field"], "cursor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_if_match_is_refused_and_a_retried_post_registers_once() {
    let app = spawn_demo_app().await;
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let doc = Doc::fetch(&app).await;
    let token = token_for(&app, "usa-owner@example.org", "write", &[]).await;
    // The working copy, with a token.
    let (_, _, talks) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/talks",
        Some(&token),
        None,
        &[],
    )
    .await;
    let id = talks["data"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/events/usa-2010/talks/{id}");
    let (_, headers, _) = call(&app, "get", &path, Some(&token), None, &[]).await;
    let old = headers["etag"].to_str().unwrap().to_string();
    let (status, headers, changed) = call(
        &app,
        "patch",
        &path,
        Some(&token),
        Some(json!({ "title": "Changed once" })),
        &[("If-Match", &old)],
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    doc.check("patch", "/api/v1/events/{slug}/talks/{id}", 200, &changed);
    assert_eq!(changed["title"], "Changed once");
    assert_ne!(headers["etag"].to_str().unwrap(), old);
    // Another client still holds the old ETag: refused, nothing changes.
    let (status, _, problem) = call(
        &app,
        "patch",
        &path,
        Some(&token),
        Some(json!({ "title": "Lost update" })),
        &[("If-Match", &old)],
    )
    .await;
    assert_eq!(status, 412, "{problem}");
    doc.check("patch", "/api/v1/events/{slug}/talks/{id}", 412, &problem);
    let (_, _, now) = call(&app, "get", &path, Some(&token), None, &[]).await;
    assert_eq!(now["title"], "Changed once");
    // Invalid input: the fields are named.
    let (status, _, problem) = call(
        &app,
        "patch",
        &path,
        Some(&token),
        Some(json!({ "title": "" })),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    doc.check("patch", "/api/v1/events/{slug}/talks/{id}", 422, &problem);
    assert_eq!(problem["errors"][0]["field"], "title");

    // updated_since on the working copy: only the room renamed in the admin since then.
    app.clock.advance(chrono::Duration::minutes(1));
    let since = (app.clock.now() - chrono::Duration::seconds(1)).to_rfc3339();
    let rooms_since = format!(
        "/api/v1/events/usa-2010/rooms?updated_since={}",
        since.replace('+', "%2B")
    );
    let (_, _, none) = call(&app, "get", &rooms_since, Some(&token), None, &[]).await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0, "{none}");
    let (_, _, rooms) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/rooms",
        Some(&token),
        None,
        &[],
    )
    .await;
    let room = rooms["data"][0]["id"].as_str().unwrap().to_string();
    let admin = app.new_visitor();
    admin.login("usa-owner@example.org").await;
    let page = "/admin/events/usa-2010/programme/rooms";
    let r = admin
        .post_form(
            page,
            &format!("{page}/{room}"),
            &[("name", "Renamed room"), ("capacity", "40")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, _, changed) = call(&app, "get", &rooms_since, Some(&token), None, &[]).await;
    let names: Vec<&str> = changed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Renamed room"]);

    // The same POST twice with one key: one registration, the same answer.
    let body = json!({ "name": "Retry Person", "email": "retry@example.org" });
    let key = [("Idempotency-Key", "7c1d-retry")];
    let (s1, _, first) = call(
        &app,
        "post",
        "/api/v1/events/usa-2010/registrations",
        Some(&token),
        Some(body.clone()),
        &key,
    )
    .await;
    let (s2, h2, second) = call(
        &app,
        "post",
        "/api/v1/events/usa-2010/registrations",
        Some(&token),
        Some(body),
        &key,
    )
    .await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first["id"], second["id"]);
    assert_eq!(h2["idempotent-replayed"], "true");
    let n: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::registrations::table
            .filter(ghent::db::schema::registrations::email.eq("retry@example.org"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(n, 1);
    // The key with another body is refused.
    let (status, _, problem) = call(
        &app,
        "post",
        "/api/v1/events/usa-2010/registrations",
        Some(&token),
        Some(json!({ "name": "Other", "email": "other@example.org" })),
        &key,
    )
    .await;
    assert_eq!(status, 422);
    doc.check("post", "/api/v1/events/{slug}/registrations", 422, &problem);
    // Cancel and check in answer the registration.
    let rid = first["id"].as_str().unwrap();
    let (status, _, r) = call(
        &app,
        "post",
        &format!("/api/v1/events/usa-2010/registrations/{rid}/check-in"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    doc.check(
        "post",
        "/api/v1/events/{slug}/registrations/{id}/check-in",
        200,
        &r,
    );
    assert!(r["checked_in_at"].is_string());
    let (status, _, r) = call(
        &app,
        "post",
        &format!("/api/v1/events/usa-2010/registrations/{rid}/cancel"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    doc.check(
        "post",
        "/api/v1/events/{slug}/registrations/{id}/cancel",
        200,
        &r,
    );
    assert_eq!(r["state"], "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_write_refuses_missing_revoked_read_only_and_other_event_tokens() {
    let app = spawn_demo_app().await;
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.organizer(
        "ghent-owner@example.org",
        false,
        &[("ghent-2009", Role::Owner)],
    );
    app.organizer(
        "both@example.org",
        false,
        &[("ghent-2009", Role::Owner), ("usa-2010", Role::Owner)],
    );
    let doc = Doc::fetch(&app).await;
    let read_only = token_for(&app, "usa-owner@example.org", "read", &[]).await;
    let other_event = token_for(&app, "ghent-owner@example.org", "write", &[]).await;
    let ghent_id = event_id(&app, "ghent-2009");
    let limited = token_for(&app, "both@example.org", "write", &[&ghent_id]).await;
    let revoked = token_for(&app, "usa-owner@example.org", "write", &[]).await;
    let v = app.new_visitor();
    v.login("usa-owner@example.org").await;
    let (_, page) = v.get_html("/admin/tokens").await;
    let id = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::api_tokens::table
            .filter(
                ghent::db::schema::api_tokens::token_hash.eq(ghent::tokens::hash_token(&revoked)),
            )
            .select(ghent::db::schema::api_tokens::id)
            .first::<String>(c)
            .unwrap()
    });
    let r = v
        .post_form("/admin/tokens", &format!("/admin/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303, "{page}");

    let before = (
        app.count("registrations"),
        app.count("schedule_releases"),
        app.count("audit_log"),
    );
    let mut checked = 0;
    for (method, pattern) in ROUTES {
        if !pattern.starts_with(API_PREFIX) || *method == "get" {
            continue;
        }
        let path = fill(pattern, "usa-2010");
        let body = Some(json!({}));
        for (who, token, expected) in [
            ("no token", None, 401),
            ("a revoked token", Some(revoked.as_str()), 401),
            ("a read-only token", Some(read_only.as_str()), 403),
            ("another event's owner", Some(other_event.as_str()), 403),
            (
                "a token limited to another event",
                Some(limited.as_str()),
                403,
            ),
        ] {
            let (status, _, problem) = call(&app, method, &path, token, body.clone(), &[]).await;
            assert_eq!(status, expected, "{method} {pattern} with {who}: {problem}");
            doc.check(method, pattern, expected, &problem);
            assert_eq!(problem["status"], expected);
        }
        checked += 1;
    }
    assert!(
        checked >= 6,
        "only {checked} write routes: is the route table read?"
    );
    // The refused calls changed nothing.
    assert_eq!(
        (
            app.count("registrations"),
            app.count("schedule_releases"),
            app.count("audit_log")
        ),
        before
    );
    // A token loses rights with its owner: off the team, the owner's token opens nothing there.
    let owner_token = token_for(&app, "both@example.org", "write", &[]).await;
    let (status, _, _) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations",
        Some(&owner_token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    app.with_conn(|c| {
        use diesel::prelude::*;
        let usa = ghent::events::queries::by_slug(c, "usa-2010")
            .unwrap()
            .unwrap()
            .id;
        diesel::delete(
            ghent::db::schema::event_roles::table
                .filter(ghent::db::schema::event_roles::event_id.eq(usa))
                .filter(
                    ghent::db::schema::event_roles::organizer_id.eq_any(
                        ghent::db::schema::organizers::table
                            .filter(ghent::db::schema::organizers::email.eq("both@example.org"))
                            .select(ghent::db::schema::organizers::id),
                    ),
                ),
        )
        .execute(c)
        .unwrap();
    });
    let (status, _, _) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations",
        Some(&owner_token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_makes_a_token_with_the_command_line() {
    let app = spawn_demo_app().await;
    app.organizer(
        "both@example.org",
        false,
        &[("ghent-2009", Role::Owner), ("usa-2010", Role::Owner)],
    );
    let dir = tempfile::tempdir().unwrap();
    let ghent = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ghent"))
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.db.url)
            .env("GHENT_DATA_DIR", dir.path().join("data"))
            .env("GHENT_SECRET_KEY", TEST_KEY)
            .args(args)
            .output()
            .unwrap()
    };
    let out = ghent(&[
        "api-token",
        "create",
        "--organizer",
        "Both@example.org",
        "--scope",
        "write",
        "--event",
        "usa-2010",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("ghent_"), "{secret}");
    let (status, _, _) = call(
        &app,
        "get",
        "/api/v1/events/usa-2010/registrations",
        Some(&secret),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200);
    // Limited to the event it was made for.
    let (status, _, _) = call(
        &app,
        "get",
        "/api/v1/events/ghent-2009/registrations",
        Some(&secret),
        None,
        &[],
    )
    .await;
    assert_eq!(status, 403);
    // Only the hash is stored.
    let stored: Vec<String> = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::api_tokens::table
            .select(ghent::db::schema::api_tokens::token_hash)
            .load(c)
            .unwrap()
    });
    assert_eq!(stored, [ghent::tokens::hash_token(&secret)]);
    // Mistakes are told, not guessed at.
    let out = ghent(&[
        "api-token",
        "create",
        "--organizer",
        "both@example.org",
        "--scope",
        "admin",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scope must be read or write"));
    let out = ghent(&["api-token", "create", "--organizer", "nobody@example.org"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no organizer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_create_and_change_rooms_tracks_speakers_and_slots() {
    let app = spawn_demo_app().await;
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let doc = Doc::fetch(&app).await;
    let token = token_for(&app, "usa-owner@example.org", "write", &[]).await;
    let t = Some(token.as_str());
    let base = "/api/v1/events/usa-2010";

    let (status, _, room) = call(
        &app,
        "post",
        &format!("{base}/rooms"),
        t,
        Some(json!({ "name": "Open space tent", "capacity": 80 })),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{room}");
    doc.check("post", "/api/v1/events/{slug}/rooms", 201, &room);
    assert_eq!(
        (room["name"].as_str(), room["capacity"].as_i64()),
        (Some("Open space tent"), Some(80))
    );
    let room_path = format!("{base}/rooms/{}", room["id"].as_str().unwrap());
    let (_, headers, read) = call(&app, "get", &room_path, t, None, &[]).await;
    doc.check("get", "/api/v1/events/{slug}/rooms/{id}", 200, &read);
    let tag = headers["etag"].to_str().unwrap().to_string();
    let (status, _, changed) = call(
        &app,
        "patch",
        &room_path,
        t,
        Some(json!({ "capacity": 120 })),
        &[("If-Match", &tag)],
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    doc.check("patch", "/api/v1/events/{slug}/rooms/{id}", 200, &changed);
    assert_eq!(
        (changed["name"].as_str(), changed["capacity"].as_i64()),
        (Some("Open space tent"), Some(120))
    );
    let (status, _, stale) = call(
        &app,
        "patch",
        &room_path,
        t,
        Some(json!({ "capacity": 1 })),
        &[("If-Match", &tag)],
    )
    .await;
    assert_eq!(status, 412);
    doc.check("patch", "/api/v1/events/{slug}/rooms/{id}", 412, &stale);
    let (status, _, bad) = call(
        &app,
        "patch",
        &room_path,
        t,
        Some(json!({ "position": 3, "name": "" })),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["position"],
        "an unknown field is named first: {bad}"
    );
    let (status, _, bad) = call(
        &app,
        "patch",
        &room_path,
        t,
        Some(json!({ "name": "" })),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["field"], "name");

    let (status, _, track) = call(
        &app,
        "post",
        &format!("{base}/tracks"),
        t,
        Some(json!({ "name": "Culture", "colour": "#AA3355" })),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{track}");
    doc.check("post", "/api/v1/events/{slug}/tracks", 201, &track);
    assert_eq!(track["colour"], "#aa3355");

    let (status, _, slot) = call(
        &app,
        "post",
        &format!("{base}/slots"),
        t,
        Some(json!({
            "starts_at": "2010-06-25T23:00:00Z", "ends_at": "2010-06-25T23:45:00Z",
            "room_id": room["id"], "kind": "break", "title": "Late snack"
        })),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{slot}");
    doc.check("post", "/api/v1/events/{slug}/slots", 201, &slot);
    assert_eq!(
        slot["starts_at"], "2010-06-25T23:00:00Z",
        "RFC 3339 in, the same instant out"
    );
    assert_eq!(slot["room_id"], room["id"]);
    let (status, _, bad) = call(
        &app,
        "post",
        &format!("{base}/slots"),
        t,
        Some(json!({ "starts_at": "tomorrow" })),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["field"], "starts_at");

    let (_, _, speakers) = call(&app, "get", &format!("{base}/speakers"), t, None, &[]).await;
    let speaker = speakers["data"][0]["id"].as_str().unwrap().to_string();
    let (status, _, changed) = call(
        &app,
        "patch",
        &format!("{base}/speakers/{speaker}"),
        t,
        Some(json!({ "bio": "Now with a bio." })),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    doc.check(
        "patch",
        "/api/v1/events/{slug}/speakers/{id}",
        200,
        &changed,
    );
    assert_eq!(changed["bio"], "Now with a bio.");
    // The event itself.
    let (_, headers, _) = call(&app, "get", base, t, None, &[]).await;
    let tag = headers["etag"].to_str().unwrap().to_string();
    let (status, _, event) = call(
        &app,
        "patch",
        base,
        t,
        Some(json!({ "name": "devopsdays USA 2010 (Mountain View)", "capacity": 300 })),
        &[("If-Match", &tag)],
    )
    .await;
    assert_eq!(status, 200, "{event}");
    doc.check("patch", "/api/v1/events/{slug}", 200, &event);
    assert_eq!(
        (event["name"].as_str(), event["capacity"].as_i64()),
        (Some("devopsdays USA 2010 (Mountain View)"), Some(300))
    );
    let (status, _, _) = call(
        &app,
        "patch",
        base,
        t,
        Some(json!({ "capacity": 1 })),
        &[("If-Match", &tag)],
    )
    .await;
    assert_eq!(status, 412);
    let (status, _, bad) = call(
        &app,
        "patch",
        base,
        t,
        Some(json!({ "ends_at": "2010-06-24T00:00:00Z" })),
        &[],
    )
    .await;
    assert_eq!(status, 422, "an end before the start: {bad}");
    doc.check("patch", "/api/v1/events/{slug}", 422, &bad);
    let (status, _, _) = call(
        &app,
        "patch",
        base,
        t,
        Some(json!({ "slug": "elsewhere" })),
        &[],
    )
    .await;
    assert_eq!(status, 422, "the slug is not changed through the API");
    let (_, html) = app.get_html("/usa-2010/").await;
    assert_eq!(texts(&html, "h1"), ["devopsdays USA 2010 (Mountain View)"]);

    // The changes are the admin's: in the audit log, and on the public grid once released.
    let (_, html) = {
        let v = app.new_visitor();
        v.login("usa-owner@example.org").await;
        v.get_html("/admin/events/usa-2010/audit").await
    };
    assert!(html.contains("Open space tent"), "{html}");
    let (status, _, _) = call(
        &app,
        "post",
        &format!("{base}/releases"),
        t,
        Some(json!({ "note": "tent" })),
        &[],
    )
    .await;
    assert_eq!(status, 201);
    let (_, html) = app.get_html("/usa-2010/programme/").await;
    assert!(
        html.contains("Late snack"),
        "the released grid shows the new slot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_token_has_its_own_rate_limit_with_retry_after() {
    let app = spawn_app_with(&[("GHENT_API_RATE_LIMIT_PER_MINUTE", "3")]).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let doc = Doc::fetch(&app).await;
    let token = token_for(&app, "usa-owner@example.org", "read", &[]).await;
    let path = "/api/v1/events/usa-2010/registrations";
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let (status, headers, _) = call(&app, "get", path, Some(&token), None, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=3;w=60");
        remaining.push(headers["ratelimit"].to_str().unwrap().to_string());
    }
    assert!(
        remaining[0].starts_with("\"default\";r=2;t=")
            && remaining[2].starts_with("\"default\";r=0;t="),
        "{remaining:?}"
    );
    let (status, headers, problem) = call(&app, "get", path, Some(&token), None, &[]).await;
    assert_eq!(status, 429, "{problem}");
    assert_eq!(problem["status"], 429);
    let wait: u32 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    // Another caller (no token: its address) has its own count; the document fetch above used
    // one of it.
    let (status, _, _) = call(&app, "get", "/api/v1/events", None, None, &[]).await;
    assert_eq!(status, 200);
    // A minute later (by the app clock) the token may call again.
    app.clock.advance(chrono::Duration::seconds(61));
    let (status, _, body) = call(&app, "get", path, Some(&token), None, &[]).await;
    assert_eq!(status, 200);
    doc.check("get", "/api/v1/events/{slug}/registrations", 200, &body);
}
