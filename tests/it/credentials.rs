//! Credentials never leave their owner: whatever role someone has, no page or export they can
//! reach holds a working sign-in, private-page, confirm, check-in or unsubscribe token of
//! anyone else; an organizer's resend of an invitation kills the old link; roles show only what
//! they can use.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::time::Duration;

use diesel::prelude::*;
use futures_util::StreamExt;
use ghent::accounts::Role;
use ghent::db::schema::{auth_tokens, mail_outbox, proposals, registrations};
use ghent::web::routes::ROUTES;

use crate::helpers::*;

/// Every same-site link (`a[href]`, `iframe[src]`, GET forms) of a page, without fragments.
fn links(html: &str, address: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let mut out = Vec::new();
    for (selector, attr) in [
        ("a[href]", "href"),
        ("iframe[src]", "src"),
        ("form[method=get][action]", "action"),
    ] {
        let sel = scraper::Selector::parse(selector).unwrap();
        for e in doc.select(&sel) {
            let raw = e.value().attr(attr).unwrap_or("");
            let raw = raw.strip_prefix(address).unwrap_or(raw);
            let path = raw.split('#').next().unwrap_or("");
            if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/static/") {
                out.push(path.replace("&amp;", "&"));
            }
        }
    }
    out
}

/// Every run of 20 or more URL-safe characters: anything that could be a token.
fn token_like(text: &str, into: &mut BTreeSet<String>) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.~".contains(c);
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if allowed(c) {
            run.push(c);
            continue;
        }
        if run.len() >= 20 {
            let trimmed = run.trim_matches('.').to_string();
            // `a.b` unsubscribe tokens whole, and each part too.
            for part in trimmed.split('.').filter(|p| p.len() >= 20) {
                into.insert(part.to_string());
            }
            into.insert(trimmed);
        }
        run.clear();
    }
}

/// Fetches every page `v` reaches from `starts` (GET links only), up to `limit` pages; returns
/// (path, status, body). Sign-out is a form, so the crawl never signs itself out.
async fn crawl(
    v: &Visitor,
    starts: &[&str],
    skip: &[&str],
    limit: usize,
) -> Vec<(String, u16, String)> {
    let mut seen: HashSet<String> = starts.iter().map(|s| s.to_string()).collect();
    let mut queue: VecDeque<String> = starts.iter().map(|s| s.to_string()).collect();
    let mut pages = Vec::new();
    while !queue.is_empty() && pages.len() < limit {
        let batch: Vec<String> = queue.drain(..queue.len().min(16)).collect();
        let fetched: Vec<(String, u16, String)> = futures_util::stream::iter(batch)
            .map(|path| async move {
                let (status, body) = v.get_html(&path).await;
                (path, status, body)
            })
            .buffer_unordered(8)
            .collect()
            .await;
        for (path, status, body) in fetched {
            for link in links(&body, &v.address) {
                if !skip.iter().any(|s| link.starts_with(s)) && seen.insert(link.clone()) {
                    queue.push_back(link);
                }
            }
            pages.push((path, status, body));
        }
    }
    pages
}

/// The token at the end of the first link in a mail to `to` that starts with `prefix`.
fn token_in_mail(
    app: &TestApp,
    caught: &[ghent::mail::catcher::CaughtMail],
    to: &str,
    subject: &str,
    prefix: &str,
) -> String {
    let mail = mail_to(caught, to, |s| s.contains(subject))
        .unwrap_or_else(|| panic!("no mail to {to} about {subject:?}"));
    let link = link_in(
        &parsed(mail).body_text(0).unwrap(),
        &format!("{}{prefix}", app.address),
    );
    link.rsplit('/').next().unwrap().to_string()
}

/// Every route of the route table that takes a `{token}`, with the path filled for `token`.
fn token_routes(token: &str) -> Vec<(&'static str, String)> {
    ROUTES
        .iter()
        .filter(|(_, p)| p.contains("{token}"))
        .map(|(m, p)| {
            (
                *m,
                p.replace("{slug}", "usa-2010").replace("{token}", token),
            )
        })
        .collect()
}

/// What a stranger's request with `token` achieved: the status of each token route, GET and POST
/// (with every field a real form would send).
async fn try_token(stranger: &Visitor, csrf: &str, token: &str) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for (method, path) in token_routes(token) {
        let url = format!("{}{path}", stranger.address);
        let r = match method {
            "get" => stranger.client.get(&url).send().await.unwrap(),
            _ => stranger
                .client
                .post(&url)
                .form(&[
                    ("csrf_token", csrf),
                    ("password", "a brand new long passphrase"),
                    ("password_again", "a brand new long passphrase"),
                    ("action", "confirm"),
                    ("name", "Mallory"),
                    ("company", ""),
                    ("List-Unsubscribe", "One-Click"),
                ])
                .send()
                .await
                .unwrap(),
        };
        out.push((
            format!("{} {path}", method.to_uppercase()),
            r.status().as_u16(),
        ));
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
struct State {
    used_links: i64,
    registrations: Vec<(String, String)>,
    proposals: Vec<(String, String)>,
    unsubscribes: i64,
    password_hashes: Vec<String>,
}

fn state(app: &TestApp) -> State {
    use ghent::db::schema::organizers;
    let unsubscribes = app.count("mail_unsubscribes");
    app.with_conn(|c| State {
        used_links: auth_tokens::table
            .filter(auth_tokens::used_at.is_not_null())
            .count()
            .get_result(c)
            .unwrap(),
        registrations: registrations::table
            .select((registrations::email, registrations::status))
            .order(registrations::email)
            .load(c)
            .unwrap(),
        proposals: proposals::table
            .select((proposals::id, proposals::state))
            .order(proposals::id)
            .load(c)
            .unwrap(),
        unsubscribes,
        password_hashes: organizers::table
            .select(organizers::password_hash)
            .order(organizers::id)
            .load(c)
            .unwrap(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_role_can_reach_a_working_credential_of_anyone_in_any_page_or_export() {
    let catcher = catcher().await;
    let app =
        spawn_demo_app_with_smtp(&catcher, &[("GHENT_FORM_RATE_LIMIT_PER_MINUTE", "0")]).await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.organizer(
        "organizer@example.org",
        false,
        &[("usa-2010", Role::Organizer)],
    );
    app.organizer(
        "reviewer@example.org",
        false,
        &[("usa-2010", Role::Reviewer)],
    );
    app.organizer("door@example.org", false, &[("usa-2010", Role::CheckIn)]);
    app.organizer("admin@example.org", true, &[]);

    // Every kind of credential Ghent mails, made the way people make them.
    let owner = app.new_visitor();
    owner.login("owner@example.org").await;
    let team = "/admin/events/usa-2010/team";
    let r = owner
        .post_form(
            team,
            team,
            &[
                ("email", "newcomer@example.org"),
                ("name", "New"),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "invitation");
    let forgot = "/password/forgot";
    app.new_visitor()
        .post_form(forgot, forgot, &[("email", "organizer@example.org")])
        .await;
    app.new_visitor()
        .post_form(
            "/usa-2010/cfp/",
            "/usa-2010/cfp/sign-in",
            &[("email", "speaker@example.org")],
        )
        .await;
    let attendee = app.new_visitor();
    let register = "/usa-2010/register/";
    attendee
        .post_form(
            register,
            register,
            &[
                ("name", "Gene Kim"),
                ("email", "gene@example.org"),
                ("company", ""),
                ("accept", "on"),
                ("website", ""),
            ],
        )
        .await;
    let caught = catcher.wait_for(4, Duration::from_secs(10)).await;
    let confirm = token_in_mail(
        &app,
        &caught,
        "gene@example.org",
        "confirm your registration",
        "/usa-2010/registration/",
    );
    let page = format!("/usa-2010/registration/{confirm}");
    let r = attendee
        .post_form(&page, &format!("{page}/confirm"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303, "confirmation");
    let proposal: String = app.with_conn(|c| {
        proposals::table
            .filter(proposals::state.eq("submitted"))
            .select(proposals::id)
            .first(c)
            .unwrap()
    });
    let cfp = "/admin/events/usa-2010/cfp/";
    let r = owner
        .post_form(
            cfp,
            "/admin/events/usa-2010/cfp/decide",
            &[("ids", &proposal), ("action", "accept")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "acceptance");
    let bulk = "/admin/events/usa-2010/mail/bulk";
    let r = owner
        .post_form(
            bulk,
            bulk,
            &[
                ("audience", "confirmed_attendees"),
                ("subject", "Doors open at 9"),
                ("body", "Hi {{name}}, your page: {{manage_link}}"),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "bulk mail");
    app.run_jobs().await;
    let caught = catcher.wait_for(8, Duration::from_secs(15)).await;

    // The real tokens, from the mail that reached their owners.
    let real = [
        (
            "invitation",
            token_in_mail(
                &app,
                &caught,
                "newcomer@example.org",
                "",
                "/password/reset/",
            ),
            "/password/reset/{t}",
        ),
        (
            "password reset",
            token_in_mail(
                &app,
                &caught,
                "organizer@example.org",
                "",
                "/password/reset/",
            ),
            "/password/reset/{t}",
        ),
        (
            "CfP sign-in",
            token_in_mail(
                &app,
                &caught,
                "speaker@example.org",
                "",
                "/usa-2010/cfp/sign-in/",
            ),
            "/usa-2010/cfp/sign-in/{t}",
        ),
        (
            "private page",
            token_in_mail(
                &app,
                &caught,
                "gene@example.org",
                "Your ticket",
                "/usa-2010/registration/",
            ),
            "/usa-2010/registration/{t}",
        ),
        (
            "confirm link",
            token_in_mail(
                &app,
                &caught,
                "sample-speaker-1@example.org",
                "",
                "/usa-2010/cfp/confirm/",
            ),
            "/usa-2010/cfp/confirm/{t}",
        ),
        (
            "unsubscribe",
            token_in_mail(
                &app,
                &caught,
                "gene@example.org",
                "Doors open",
                "/unsubscribe/",
            ),
            "/unsubscribe/{t}",
        ),
    ];
    let desk = app.desk_token("gene@example.org");

    // Everyone else, signed in with every role, reads every page and export they can reach.
    let mut seen = BTreeSet::new();
    let mut fetched = 0;
    for (who, skip) in [
        ("owner@example.org", vec!["/ghent-2009/"]),
        ("organizer@example.org", vec!["/ghent-2009/"]),
        ("reviewer@example.org", vec!["/ghent-2009/"]),
        ("door@example.org", vec!["/ghent-2009/"]),
        ("admin@example.org", vec![]),
    ] {
        let v = app.new_visitor();
        v.login(who).await;
        let pages = crawl(&v, &["/admin/", "/usa-2010/", "/"], &skip, 1500).await;
        assert!(pages.len() < 1500, "the crawl did not finish for {who}");
        for (path, status, body) in &pages {
            assert!(*status < 500, "{who}: {path} answered {status}");
            token_like(path, &mut seen);
            token_like(body, &mut seen);
        }
        fetched += pages.len();
    }
    assert!(
        fetched > 300,
        "only {fetched} pages fetched: is the crawl following links?"
    );
    for (what, token, _) in &real {
        assert!(
            !seen.contains(token),
            "the {what} token shows on a page someone else can read"
        );
    }
    assert!(!seen.contains(&desk), "the check-in code shows on a page");

    // And no string seen anywhere works as a token on any token route.
    let before = state(&app);
    let stranger = app.new_visitor();
    let (_, login) = stranger.get_html("/login").await;
    let csrf = csrf_from(&login);
    let candidates: Vec<String> = seen.into_iter().collect();
    let results: Vec<Vec<(String, u16)>> = futures_util::stream::iter(candidates.iter())
        .map(|t| try_token(&stranger, &csrf, t))
        .buffer_unordered(16)
        .collect()
        .await;
    let mut tried = 0;
    for (request, status) in results.into_iter().flatten() {
        assert!(
            !(200..400).contains(&status),
            "{request} answered {status}: a string from a page worked as a token"
        );
        tried += 1;
    }
    assert!(tried > 1000, "only {tried} attempts");
    eprintln!(
        "{fetched} pages fetched, {} token-like strings, {tried} attempts",
        candidates.len()
    );
    // The check-in volunteer cannot open a ticket by anything they saw either.
    let door = app.new_visitor();
    door.login("door@example.org").await;
    for t in &candidates {
        let s = door
            .get(&format!("/admin/events/usa-2010/desk/{t}"))
            .await
            .status()
            .as_u16();
        assert_eq!(s, 404, "desk/{t}");
    }
    assert_eq!(state(&app), before, "a refused attempt changed something");

    // The real tokens do work for their owners (so the attempts above could have succeeded).
    for (what, token, route) in &real {
        let path = route.replace("{t}", token);
        assert_eq!(
            app.new_visitor().get(&path).await.status().as_u16(),
            200,
            "{what}: {path}"
        );
    }
    let s = door
        .get(&format!("/admin/events/usa-2010/desk/{desk}"))
        .await
        .status()
        .as_u16();
    assert_eq!(s, 200, "the check-in code opens the desk page");

    // The stored mail holds no working token either: not in any column, delivered or not.
    let stored: Vec<(String, String, String, Option<String>)> = app.with_conn(|c| {
        mail_outbox::table
            .select((
                mail_outbox::subject,
                mail_outbox::text_body,
                mail_outbox::html_body,
                mail_outbox::list_unsubscribe,
            ))
            .load(c)
            .unwrap()
    });
    for (what, token, _) in &real {
        assert!(
            !stored.iter().any(
                |(s, t, h, l)| [s, t, h].iter().any(|x| x.contains(token.as_str()))
                    || l.as_deref().is_some_and(|l| l.contains(token.as_str()))
            ),
            "the outbox holds the {what} token"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_invitation_has_a_new_link_and_the_old_one_is_gone() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let owner = app.new_visitor();
    owner.login("owner@example.org").await;
    let team = "/admin/events/usa-2010/team";
    owner
        .post_form(
            team,
            team,
            &[
                ("email", "newcomer@example.org"),
                ("name", "New"),
                ("role", "organizer"),
            ],
        )
        .await;
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    let old = token_in_mail(
        &app,
        &caught,
        "newcomer@example.org",
        "",
        "/password/reset/",
    );
    let first_id = parsed(&caught[0]).message_id().unwrap().to_string();

    // The mail log shows the link redacted; resend it.
    let (_, log) = owner.get_html("/admin/events/usa-2010/mail/").await;
    assert!(
        log.contains("private link"),
        "the log marks mail with private links"
    );
    let mail_id: String = app.with_conn(|c| {
        mail_outbox::table
            .filter(mail_outbox::kind.eq("team_invite"))
            .select(mail_outbox::id)
            .first(c)
            .unwrap()
    });
    let message = format!("/admin/events/usa-2010/mail/messages/{mail_id}");
    let (_, html) = owner.get_html(&message).await;
    assert!(
        html.contains("/password/reset/•••"),
        "redacted in the log:\n{html}"
    );
    assert!(!html.contains(&old));
    let (_, raw) = owner.get_html(&format!("{message}/html")).await;
    assert!(raw.contains("/password/reset/•••") && !raw.contains(&old));
    let r = owner
        .post_form(&message, &format!("{message}/resend"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let new = token_in_mail(
        &app,
        &caught[1..],
        "newcomer@example.org",
        "",
        "/password/reset/",
    );
    assert_ne!(new, old, "a resend carries a new link");
    assert_ne!(
        parsed(&caught[1]).message_id().unwrap(),
        first_id,
        "and is a new message"
    );

    // The old link is gone, with a page that says so; the new one works.
    let (status, page) = app
        .new_visitor()
        .get_html(&format!("/password/reset/{old}"))
        .await;
    assert_eq!(status, 410);
    assert!(
        page.contains("no longer works") || page.contains("expired"),
        "{page}"
    );
    let (status, _) = app
        .new_visitor()
        .get_html(&format!("/password/reset/{new}"))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_mail_carries_the_same_link_and_message_id() {
    let catcher = catcher().await;
    // SMTP down at first: every attempt fails until the catcher's address is used.
    let app = spawn_app_with(&[
        ("GHENT_SMTP_URL", "smtp://127.0.0.1:9"),
        ("GHENT_RUN_WORKERS", "false"),
    ])
    .await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app.organizer("o@example.org", false, &[]);
    let forgot = "/password/forgot";
    app.new_visitor()
        .post_form(forgot, forgot, &[("email", "o@example.org")])
        .await;
    let failing = mail_lane(
        &app,
        app.state.db.clone(),
        &test_settings(
            &app.db.url,
            app.data_dir.path(),
            &[("GHENT_SMTP_URL", "smtp://127.0.0.1:9")],
        ),
    );
    assert_eq!(failing.run_batch().await.unwrap().failed, 1);
    app.clock
        .advance(chrono::Duration::hours(1) - chrono::Duration::minutes(5));
    let working = mail_lane(
        &app,
        app.state.db.clone(),
        &test_settings(
            &app.db.url,
            app.data_dir.path(),
            &[("GHENT_SMTP_URL", &catcher.url())],
        ),
    );
    assert_eq!(working.drain().await.unwrap().delivered, 1);
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    let token = token_in_mail(&app, &caught, "o@example.org", "", "/password/reset/");
    let stored: (String, String) = app.with_conn(|c| {
        mail_outbox::table
            .select((mail_outbox::message_id, mail_outbox::text_body))
            .first(c)
            .unwrap()
    });
    assert_eq!(
        parsed(&caught[0]).message_id().map(|m| format!("<{m}>")),
        Some(stored.0)
    );
    assert!(
        !stored.1.contains(&token),
        "the stored copy holds no working link"
    );
    // The link queued an hour ago still works: the retry did not make a new one.
    assert_eq!(
        app.new_visitor()
            .get(&format!("/password/reset/{token}"))
            .await
            .status()
            .as_u16(),
        200
    );
}
