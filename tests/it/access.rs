//! Access control, walked over the whole route table: every admin route refuses anonymous
//! visitors (401/403) and organizers of another event (403), and every POST without a valid
//! CSRF token is refused (403). Security headers are on every response.

use ghent::accounts::Role;
use ghent::web::routes::{CSRF_EXEMPT, ROUTES};

use crate::helpers::*;

/// Admin routes that any signed-in organizer may open (their own dashboard), with the answer.
const OPEN_TO_EVERY_ORGANIZER: &[(&str, u16)] = &[("/admin", 303), ("/admin/", 200)];

fn fill(path: &str, slug: &str, organizer_id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        let name = rest[start + 1..end].split(':').next().unwrap();
        out.push_str(&match name {
            "slug" => slug.to_string(),
            "organizer_id" => organizer_id.to_string(),
            "path" => "css/ghent.css".to_string(),
            _ => uuid::Uuid::new_v4().to_string(),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_admin_route_refuses_anonymous_visitors_and_organizers_of_another_event() {
    let app = spawn_demo_app().await;
    let usa_owner = app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.organizer(
        "ghent-owner@example.org",
        false,
        &[("ghent-2009", Role::Owner)],
    );
    let other = app.new_visitor();
    other.login("ghent-owner@example.org").await;
    let (_, page) = other.get_html("/admin/").await;
    let token = csrf_from(&page);

    let anonymous = app.new_visitor();
    let mut checked = 0;
    for (method, pattern) in ROUTES {
        if !pattern.starts_with("/admin") {
            continue;
        }
        let path = fill(pattern, "usa-2010", &usa_owner);
        let url = format!("{}{}", app.address, path);
        let (anon, theirs) = match *method {
            "get" => (
                anonymous.client.get(&url).send().await.unwrap(),
                other.client.get(&url).send().await.unwrap(),
            ),
            "post" => (
                anonymous
                    .client
                    .post(&url)
                    .form(&[("csrf_token", "x")])
                    .send()
                    .await
                    .unwrap(),
                other
                    .client
                    .post(&url)
                    .form(&[("csrf_token", token.as_str())])
                    .send()
                    .await
                    .unwrap(),
            ),
            m => panic!("unexpected method {m}"),
        };
        let anon_status = anon.status().as_u16();
        assert!(
            anon_status == 401 || anon_status == 403,
            "{method} {path} answered {anon_status} to an anonymous visitor"
        );
        let their_status = theirs.status().as_u16();
        if let Some((_, expected)) = OPEN_TO_EVERY_ORGANIZER.iter().find(|(p, _)| p == pattern) {
            assert_eq!(their_status, *expected, "{method} {path}");
        } else {
            assert_eq!(
                their_status, 403,
                "{method} {path} answered {their_status} to an organizer of another event"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} admin routes found: is the route table being read?"
    );
    // The refused requests changed nothing.
    let (_, html) = app.get_html("/usa-2010/").await;
    assert_eq!(texts(&html, "h1"), ["devopsdays USA 2010"]);
}

#[tokio::test]
async fn every_post_without_a_valid_csrf_token_is_refused() {
    let app = spawn_demo_app().await;
    let usa_owner = app.organizer("admin@example.org", true, &[("usa-2010", Role::Owner)]);
    app.login("admin@example.org").await;
    let mut checked = 0;
    for (method, pattern) in ROUTES {
        if *method != "post" || CSRF_EXEMPT.contains(pattern) {
            continue;
        }
        let url = format!("{}{}", app.address, fill(pattern, "usa-2010", &usa_owner));
        for token in [None, Some("forged-token"), Some("")] {
            let mut fields = vec![
                ("name", "Changed"),
                ("email", "x@example.org"),
                ("role", "reviewer"),
            ];
            if let Some(t) = token {
                fields.push(("csrf_token", t));
            }
            let r = app.client.post(&url).form(&fields).send().await.unwrap();
            assert_eq!(
                r.status().as_u16(),
                403,
                "POST {pattern} with token {token:?}"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 6,
        "only {checked} POST routes found: is the route table being read?"
    );
    // Still signed in (logout was refused too), and nothing changed.
    assert_eq!(app.get("/admin/").await.status().as_u16(), 200);
    assert_eq!(app.count("events"), 2);
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = spawn_demo_app().await;
    for path in [
        "/",
        "/ghent-2009/",
        "/no-such-page/",
        "/admin/",
        "/login",
        "/healthz",
        "/static/css/ghent.css",
        "/static/nope.css",
    ] {
        let r = app.get(path).await;
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("no CSP on {path}"))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
    }
}

#[tokio::test]
async fn pages_have_no_inline_scripts_or_styles() {
    let app = spawn_demo_app().await;
    app.organizer("admin@example.org", true, &[]);
    app.login("admin@example.org").await;
    for path in [
        "/",
        "/ghent-2009/",
        "/login",
        "/admin/",
        "/admin/events/new",
        "/admin/events/ghent-2009/team",
    ] {
        let (_, html) = app.get_html(path).await;
        let doc = scraper::Html::parse_document(&html);
        for script in doc.select(&scraper::Selector::parse("script").unwrap()) {
            assert!(
                script.value().attr("src").is_some(),
                "{path} has an inline script"
            );
        }
        assert!(
            doc.select(&scraper::Selector::parse("[style], style").unwrap())
                .next()
                .is_none(),
            "{path} has inline style"
        );
        assert!(
            !html.contains(" onclick=") && !html.contains(" onsubmit="),
            "{path} has an inline handler"
        );
    }
}

#[tokio::test]
async fn every_form_input_has_a_label() {
    let app = spawn_demo_app().await;
    app.organizer("admin@example.org", true, &[]);
    app.login("admin@example.org").await;
    for path in [
        "/login",
        "/admin/events/new",
        "/admin/events/ghent-2009/edit",
        "/admin/events/ghent-2009/team",
        "/admin/events/ghent-2009/clone",
    ] {
        let (_, html) = app.get_html(path).await;
        let doc = scraper::Html::parse_document(&html);
        let labels: Vec<String> = doc
            .select(&scraper::Selector::parse("label[for]").unwrap())
            .map(|l| l.value().attr("for").unwrap().to_string())
            .collect();
        for input in doc.select(
            &scraper::Selector::parse("input:not([type=hidden]), select, textarea").unwrap(),
        ) {
            let id = input
                .value()
                .attr("id")
                .unwrap_or_else(|| panic!("{path}: an input without id: {:?}", input.value()));
            assert!(labels.iter().any(|l| l == id), "{path}: no label for #{id}");
        }
    }
}

#[tokio::test]
async fn the_csrf_exempt_unsubscribe_route_does_nothing_without_a_genuine_signed_token() {
    let app = spawn_demo_app().await;
    assert_eq!(
        CSRF_EXEMPT,
        ["/unsubscribe/{token}"],
        "every exemption needs its own test"
    );
    for token in [
        "x",
        "AAAA.BBBB",
        "ZXZlbnQKYUBiLm9yZw.AAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = app
            .post_raw(
                &format!("/unsubscribe/{token}"),
                &[("List-Unsubscribe", "One-Click")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 404, "{token}");
    }
    assert_eq!(app.count("mail_unsubscribes"), 0);
}
