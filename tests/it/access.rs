//! Access control, walked over the whole route table: every admin route refuses anonymous
//! visitors (401/403) and organizers of another event (403), and every POST without a valid
//! CSRF token is refused (403). Security headers are on every response.

use ghent::accounts::Role;
use ghent::web::routes::{API_PREFIX, CSRF_EXEMPT, ROUTES};

use crate::helpers::*;

/// Admin routes that any signed-in organizer may open (their own dashboard), with the answer.
const OPEN_TO_EVERY_ORGANIZER: &[(&str, &str, u16)] = &[
    ("get", "/admin", 303),
    ("get", "/admin/", 200),
    // Their own API tokens: the list, a form sent with no name, a token that is not theirs.
    ("get", "/admin/tokens", 200),
    ("post", "/admin/tokens", 422),
    ("post", "/admin/tokens/{id}/revoke", 404),
];

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
        if let Some((_, _, expected)) = OPEN_TO_EVERY_ORGANIZER
            .iter()
            .find(|(m, p, _)| m == method && p == pattern)
        {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_post_without_a_valid_csrf_token_is_refused() {
    let app = spawn_demo_app().await;
    let usa_owner = app.organizer("admin@example.org", true, &[("usa-2010", Role::Owner)]);
    app.login("admin@example.org").await;
    let mut checked = 0;
    for (method, pattern) in ROUTES {
        // API routes take no cookie, only a bearer token: `api.rs` walks them.
        if *method != "post" || CSRF_EXEMPT.contains(pattern) || pattern.starts_with(API_PREFIX) {
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
    assert_eq!(app.count("events"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_volunteer_may_use_the_desk_and_nothing_else() {
    let app = spawn_demo_app().await;
    let owner = app.organizer("usa-owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.organizer("door@example.org", false, &[("usa-2010", Role::CheckIn)]);
    let door = app.new_visitor();
    door.login("door@example.org").await;
    let (_, page) = door.get_html("/admin/").await;
    let token = csrf_from(&page);
    let mut desk_routes = 0;
    for (method, pattern) in ROUTES {
        if !pattern.starts_with("/admin") || *pattern == "/admin/logout" {
            continue;
        }
        let url = format!("{}{}", app.address, fill(pattern, "usa-2010", &owner));
        let r = match *method {
            "get" => door.client.get(&url).send().await.unwrap(),
            _ => door
                .client
                .post(&url)
                .form(&[("csrf_token", token.as_str()), ("q", "nobody")])
                .send()
                .await
                .unwrap(),
        };
        let status = r.status().as_u16();
        if pattern.starts_with("/admin/events/{slug}/desk") {
            assert!(
                status != 401 && status != 403,
                "{method} {pattern}: {status}"
            );
            desk_routes += 1;
        } else if let Some((_, _, expected)) = OPEN_TO_EVERY_ORGANIZER
            .iter()
            .find(|(m, p, _)| m == method && p == pattern)
        {
            assert_eq!(status, *expected, "{method} {pattern}");
        } else {
            assert_eq!(
                status, 403,
                "{method} {pattern} answered {status} to a check-in volunteer"
            );
        }
    }
    assert_eq!(desk_routes, 3, "desk, check-in, ticket");
    // Their dashboard sends them to the desk, which works.
    let (_, dashboard) = door.get_html("/admin/").await;
    assert!(
        dashboard.contains("href=\"/admin/events/usa-2010/desk\""),
        "{dashboard}"
    );
    assert_eq!(
        door.get("/admin/events/usa-2010/desk?q=x")
            .await
            .status()
            .as_u16(),
        200
    );
}

/// Every admin link and button on `pages` works for `v` (no 403): menus show only what the
/// role may use. Buttons are pressed with empty fields, which changes nothing.
async fn every_link_and_button_works(v: &Visitor, pages: &[&str]) -> usize {
    let mut checked = 0;
    for page in pages {
        let (status, html) = v.get_html(page).await;
        assert_eq!(status, 200, "{page}");
        let token = csrf_from(&html);
        let doc = scraper::Html::parse_document(&html);
        let hrefs: Vec<String> = doc
            .select(&scraper::Selector::parse("a[href^='/admin']").unwrap())
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect();
        let actions: Vec<String> = doc
            .select(&scraper::Selector::parse("form[method=post][action^='/admin']").unwrap())
            .map(|f| f.value().attr("action").unwrap().to_string())
            .collect();
        for href in hrefs {
            let s = v.get(&href).await.status().as_u16();
            assert!(
                s != 403 && s < 500,
                "{page} links to {href}, which answers {s}"
            );
            checked += 1;
        }
        for action in actions {
            let s = v
                .post_raw(&action, &[("csrf_token", token.as_str())])
                .await
                .status()
                .as_u16();
            assert!(
                s != 403 && s < 500,
                "{page} has a button for {action}, which answers {s}"
            );
            checked += 1;
        }
    }
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_and_check_in_volunteers_see_only_links_and_buttons_they_can_use() {
    let app = spawn_demo_app().await;
    app.organizer(
        "reviewer@example.org",
        false,
        &[("usa-2010", Role::Reviewer)],
    );
    app.organizer("door@example.org", false, &[("usa-2010", Role::CheckIn)]);
    let proposal: String = app.with_conn(|c| {
        use diesel::prelude::*;
        use ghent::db::schema::proposals;
        proposals::table.select(proposals::id).first(c).unwrap()
    });
    let reviewer = app.new_visitor();
    reviewer.login("reviewer@example.org").await;
    let proposal_page = format!("/admin/events/usa-2010/cfp/proposals/{proposal}");
    let pages = [
        "/admin/",
        "/admin/events/usa-2010/",
        "/admin/events/usa-2010/cfp/",
        &proposal_page,
    ];
    assert!(every_link_and_button_works(&reviewer, &pages).await >= 6);
    let (_, cfp) = reviewer.get_html("/admin/events/usa-2010/cfp/").await;
    let menu = texts(&cfp, "nav[aria-label='Event administration'] a");
    assert_eq!(menu, ["Overview", "Call for papers", "Public page"]);
    let (_, p) = reviewer.get_html(&proposal_page).await;
    assert!(
        !p.contains("value=\"accept\""),
        "no Accept button for a reviewer"
    );

    let door = app.new_visitor();
    door.login("door@example.org").await;
    assert!(
        every_link_and_button_works(&door, &["/admin/", "/admin/events/usa-2010/desk"]).await >= 2
    );
    let (_, desk) = door.get_html("/admin/events/usa-2010/desk").await;
    let menu = texts(&desk, "nav[aria-label='Event administration'] a");
    assert_eq!(menu, ["Check-in desk", "Public page"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signed_out_admin_asks_to_sign_in_with_a_notice_not_an_error() {
    let app = spawn_demo_app().await;
    let (status, html) = app.new_visitor().get_html("/admin/events/usa-2010/").await;
    assert_eq!(status, 401);
    assert_eq!(
        texts(&html, "p.notice[role=status]"),
        ["Please sign in to see this page."]
    );
    assert!(
        !html.contains("error-summary") && !html.contains("role=\"alert\""),
        "{html}"
    );
    assert!(html.contains("name=\"next\" value=\"/admin/events/usa-2010/\""));
}
