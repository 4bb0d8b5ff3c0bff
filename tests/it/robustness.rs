//! Nothing a user sends can make the server panic or answer 500.

use ghent::accounts::Role;
use ghent::web::routes::ROUTES;

use crate::helpers::*;

fn fill(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_sent_to_every_route_never_causes_a_server_error() {
    let app = spawn_demo_app().await;
    app.organizer("admin@example.org", true, &[("usa-2010", Role::Owner)]);
    app.login("admin@example.org").await;
    let (_, page) = app.get_html("/admin/").await;
    let token = csrf_from(&page);
    let long = "x".repeat(100_000);
    let values: Vec<&str> = vec![
        "",
        " ",
        "0",
        "-1",
        "99999999999999999999",
        "2009-13-45T25:61",
        "\u{0}",
        "<script>",
        "{{csrf}}",
        "é🙂",
        "\r\nBcc: x@y.org",
        long.as_str(),
    ];
    let fields = [
        "name",
        "slug",
        "timezone",
        "starts_at",
        "ends_at",
        "capacity",
        "email",
        "role",
        "password",
        "next",
        "starts_on",
        "description",
        "venue_url",
        "review_score_min",
        "anonymous_review",
    ];
    let path_values = [
        "usa-2010",
        "ghent-2009",
        "%00",
        "%FF%FE",
        "..",
        "a%2Fb",
        "x".repeat(300).leak() as &str,
    ];
    // Logging out would end the session the rest of the walk relies on; it has its own tests.
    for (method, pattern) in ROUTES.iter().filter(|(_, p)| *p != "/logout") {
        for pv in path_values {
            let url = format!("{}{}", app.address, fill(pattern, pv));
            if *method == "get" {
                let r = app.client.get(&url).send().await.unwrap();
                assert!(r.status().as_u16() < 500, "GET {url} -> {}", r.status());
                continue;
            }
            for v in &values {
                let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
                form.extend(fields.iter().map(|f| (*f, *v)));
                let r = app.client.post(&url).form(&form).send().await.unwrap();
                assert!(
                    r.status().as_u16() < 500,
                    "POST {url} with {:?} -> {}",
                    &v[..v.len().min(20)],
                    r.status()
                );
            }
            // Bytes that are not a form at all.
            let r = app
                .client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(vec![0xff, 0xfe, b'=', 0x00, b'&', b'%'])
                .send()
                .await
                .unwrap();
            assert!(
                r.status().as_u16() < 500,
                "POST {url} with invalid bytes -> {}",
                r.status()
            );
        }
    }
    // Still serving.
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_cleanly() {
    let app = spawn_demo_app().await;
    let r = app
        .client
        .post(format!("{}/login", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 3 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_check_reports_the_database() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_are_refused_with_a_clear_message_on_both_backends() {
    let app = spawn_demo_app().await;
    let (status, html) = app.get_html("/ghent-2009%00/").await;
    assert_eq!(status, 400);
    assert!(html.contains("NUL character"), "{html}");
    let r = app
        .post_form(
            "/login",
            "/login",
            &[("email", "a\u{0}b@example.org"), ("password", "x")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("NUL character"));
}
