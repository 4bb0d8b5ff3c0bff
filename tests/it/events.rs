//! Events: the public list and home pages, and organizers creating, editing and cloning them.

use chrono::{Duration, TimeZone, Utc};
use ghent::accounts::Role;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_page_lists_upcoming_and_past_events_by_the_app_clock() {
    let app = spawn_demo_app().await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    let upcoming = texts(&html, "section[aria-labelledby=upcoming-heading] li");
    let past = texts(&html, "section[aria-labelledby=past-heading] li");
    assert_eq!(upcoming.len(), 2, "{upcoming:?}");
    assert!(
        upcoming[1].contains("devopsdays Europe 2010"),
        "{upcoming:?}"
    );
    assert!(
        upcoming[0].contains("devopsdays USA 2010") && upcoming[0].contains("Friday 25 June 2010"),
        "{upcoming:?}"
    );
    assert_eq!(past.len(), 1, "{past:?}");
    assert!(
        past[0].contains("devopsdays Ghent 2009") && past[0].contains("30–31 October 2009"),
        "{past:?}"
    );
    assert!(past[0].contains("sample data"));

    // A year later all three are past, the latest first.
    app.clock
        .set(Utc.with_ymd_and_hms(2010, 11, 1, 0, 0, 0).unwrap());
    let (_, html) = app.get_html("/").await;
    assert!(texts(&html, "section[aria-labelledby=upcoming-heading] li").is_empty());
    let past = texts(&html, "section[aria-labelledby=past-heading] li");
    assert!(
        past[0].contains("Europe 2010")
            && past[1].contains("USA 2010")
            && past[2].contains("Ghent 2009"),
        "{past:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_page_shows_its_times_in_its_own_timezone_and_only_open_links() {
    let app = spawn_demo_app().await;
    let (status, html) = app.get_html("/ghent-2009/").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["devopsdays Ghent 2009"]);
    let facts = texts(&html, ".facts dd");
    assert!(
        facts.contains(&"Friday 30 October 2009, 09:00 CET".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"Saturday 31 October 2009, 18:00 CET".to_string()),
        "{facts:?}"
    );
    assert!(facts.contains(&"Europe/Brussels".to_string()));
    assert!(
        html.contains(
            "<strong>Formal talks in the morning, open space sessions in the afternoon.</strong>"
        ),
        "Markdown is rendered"
    );
    // Past event: registration and CfP are closed, so no links to them.
    assert!(!html.contains("href=\"/ghent-2009/register/\""));
    assert!(!html.contains("href=\"/ghent-2009/cfp/\""));
    assert!(texts(&html, ".note")
        .iter()
        .any(|n| n.starts_with("Registration closed Wednesday 28 October 2009")));

    let (_, html) = app.get_html("/usa-2010/").await;
    let facts = texts(&html, ".facts dd");
    assert!(
        facts.contains(&"Friday 25 June 2010, 09:00 PDT".to_string()),
        "{facts:?}"
    );
    assert!(
        html.contains("href=\"/usa-2010/register/\""),
        "registration is open on 15 Nov 2009"
    );
    assert!(
        html.contains("href=\"/usa-2010/cfp/\""),
        "the CfP is open on 15 Nov 2009"
    );

    // After the CfP closes (31 March 2010 23:59 PDT) its link goes, registration stays.
    app.clock
        .set(Utc.with_ymd_and_hms(2010, 4, 1, 12, 0, 0).unwrap());
    let (_, html) = app.get_html("/usa-2010/").await;
    assert!(!html.contains("href=\"/usa-2010/cfp/\""));
    assert!(html.contains("href=\"/usa-2010/register/\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_get_a_friendly_404_and_slugs_without_slash_redirect() {
    let app = spawn_demo_app().await;
    let (status, html) = app.get_html("/no-such-event/").await;
    assert_eq!(status, 404);
    assert_eq!(texts(&html, "h1"), ["Page not found"]);
    assert!(html.contains("<html lang=\"en\">"));
    let r = app.get("/ghent-2009").await;
    assert_eq!(r.status().as_u16(), 308);
    assert_eq!(r.headers()["location"], "/ghent-2009/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_admin_creates_an_event_and_it_appears_in_public_with_an_audit_entry() {
    let app = spawn_app().await;
    app.organizer("patrick@example.org", true, &[]);
    app.login("patrick@example.org").await;
    let r = app
        .post_form(
            "/admin/events/new",
            "/admin/events",
            &[
                ("name", "devopsdays Hamburg 2010"),
                ("slug", "hamburg-2010"),
                ("timezone", "Europe/Berlin"),
                ("starts_at", "2010-10-15T09:00"),
                ("ends_at", "2010-10-16T18:00"),
                ("venue_name", "Hamburg venue"),
                ("venue_address", "Hamburg\nGermany"),
                ("capacity", "200"),
                ("description", "Open spaces *and* ignites."),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/admin/events/hamburg-2010/");

    // A draft until published: only the team sees it.
    assert_eq!(app.new_visitor().get_html("/hamburg-2010/").await.0, 404);
    let r = app
        .post_form(
            "/admin/events/hamburg-2010/",
            "/admin/events/hamburg-2010/status",
            &[("action", "publish")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (status, html) = app.new_visitor().get_html("/hamburg-2010/").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["devopsdays Hamburg 2010"]);
    assert!(texts(&html, ".facts dd").contains(&"Friday 15 October 2010, 09:00 CEST".to_string()));
    assert!(html.contains("<em>and</em>"));

    // The creator owns it, and the audit log says who did what.
    let (_, audit) = app.get_html("/admin/events/hamburg-2010/audit").await;
    let rows = texts(&audit, "tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("patrick@example.org") && r.contains("event.create")),
        "{rows:?}"
    );
    let (_, team) = app.get_html("/admin/events/hamburg-2010/team").await;
    assert!(team.contains("patrick@example.org"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_event_input_is_shown_again_with_a_message_per_field_and_nothing_lost() {
    let app = spawn_demo_app().await;
    app.organizer("patrick@example.org", true, &[]);
    app.login("patrick@example.org").await;
    let r = app
        .post_form(
            "/admin/events/new",
            "/admin/events",
            &[
                ("name", "Devopsdays Admin Edition"),
                ("slug", "admin"),
                ("timezone", "Europe/Brussels"),
                ("starts_at", "2010-10-15T09:00"),
                ("ends_at", "2010-10-14T18:00"),
                ("capacity", "lots"),
                ("description", "Keep this text"),
                ("registration_opens_at", "2010-01-01T00:00"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    let errors = texts(&html, ".field .error");
    assert!(
        errors.iter().any(|e| e.contains("used by the site itself")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("must end after it starts")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("whole number")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("both ends")), "{errors:?}");
    // The input is kept.
    assert!(html.contains("value=\"Devopsdays Admin Edition\""));
    assert!(html.contains(">Keep this text</textarea>"));
    assert!(html.contains("value=\"lots\""));

    // A slug that another event has is refused too.
    let r = app
        .post_form(
            "/admin/events/new",
            "/admin/events",
            &[
                ("name", "Again"),
                ("slug", "ghent-2009"),
                ("timezone", "UTC"),
                ("starts_at", "2010-01-01T09:00"),
                ("ends_at", "2010-01-01T17:00"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(texts(&r.text().await.unwrap(), ".field .error")
        .iter()
        .any(|e| e.contains("already uses this slug")));
    assert_eq!(app.count("events"), 3, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_renames_an_event_and_the_public_page_follows() {
    let app = spawn_demo_app().await;
    app.organizer(
        "kris@example.org",
        false,
        &[("ghent-2009", Role::Organizer)],
    );
    app.login("kris@example.org").await;
    let (status, form) = app.get_html("/admin/events/ghent-2009/edit").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"2009-10-30T09:00\""),
        "times are shown in the event's timezone"
    );
    // Submit the form as it is, with a new name.
    let doc = scraper::Html::parse_document(&form);
    let mut fields: Vec<(String, String)> = Vec::new();
    for input in doc.select(
        &scraper::Selector::parse("form.stack input, form.stack textarea, form.stack select")
            .unwrap(),
    ) {
        let name = input.value().attr("name").unwrap().to_string();
        let value = match input.value().name() {
            "textarea" => input.text().collect(),
            "select" => input
                .select(&scraper::Selector::parse("option[selected]").unwrap())
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or("")
                .to_string(),
            _ if input.value().attr("type") == Some("checkbox") => {
                if input.value().attr("checked").is_none() {
                    continue;
                }
                "on".into()
            }
            _ => input.value().attr("value").unwrap_or("").to_string(),
        };
        fields.push((
            name,
            if value.is_empty() {
                String::new()
            } else {
                value
            },
        ));
    }
    for f in fields.iter_mut() {
        if f.0 == "name" {
            f.1 = "devopsdays Gent 2009".into();
        }
    }
    let r = app
        .client
        .post(format!("{}/admin/events/ghent-2009/edit", app.address))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, html) = app.new_visitor().get_html("/ghent-2009/").await;
    assert_eq!(texts(&html, "h1"), ["devopsdays Gent 2009"]);
    assert!(
        texts(&html, ".facts dd").contains(&"Friday 30 October 2009, 09:00 CET".to_string()),
        "dates unchanged"
    );
    let (_, audit) = app.get_html("/admin/events/ghent-2009/audit").await;
    assert!(
        texts(&audit, "tbody tr")
            .iter()
            .any(|r| r.contains("kris@example.org") && r.contains("Changed name")),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloning_an_event_copies_its_settings_and_rooms_and_shifts_its_dates() {
    let app = spawn_demo_app().await;
    app.organizer("patrick@example.org", true, &[]);
    app.login("patrick@example.org").await;
    let r = app
        .post_form(
            "/admin/events/ghent-2009/clone",
            "/admin/events/ghent-2009/clone",
            &[
                ("name", "devopsdays Ghent 2010"),
                ("slug", "ghent-2010"),
                ("starts_on", "2010-10-29"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, html) = app.get_html("/ghent-2010/").await;
    // 29 October 2010 09:00 is CEST (summer time lasted until the 31st), and stays 09:00 local.
    assert!(
        texts(&html, ".facts dd").contains(&"Friday 29 October 2010, 09:00 CEST".to_string()),
        "{html}"
    );
    assert!(texts(&html, ".facts dd").contains(&"Saturday 30 October 2010, 18:00 CEST".to_string()));
    let rooms: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        use ghent::db::schema::{events, rooms};
        rooms::table
            .inner_join(events::table)
            .filter(events::slug.eq("ghent-2010"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(rooms, 4, "the four rooms of Ghent 2009 were copied");
    let talks_copied: i64 = app.with_conn(|c| {
        use diesel::prelude::*;
        use ghent::db::schema::{events, talks};
        talks::table
            .inner_join(events::table)
            .filter(events::slug.eq("ghent-2010"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(talks_copied, 0, "talks stay behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_typed_into_event_fields_comes_back_escaped_everywhere() {
    let app = spawn_demo_app().await;
    app.organizer("mallory@example.org", true, &[]);
    app.login("mallory@example.org").await;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let r = app
        .post_form(
            "/admin/events/new",
            "/admin/events",
            &[
                ("name", payload),
                ("slug", "xss-2010"),
                ("timezone", "UTC"),
                ("starts_at", "2010-01-01T09:00"),
                ("ends_at", "2010-01-01T17:00"),
                ("venue_name", payload),
                ("venue_address", payload),
                (
                    "description",
                    &format!("{payload}\n\n[click](javascript:alert(3))"),
                ),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    for path in [
        "/",
        "/xss-2010/",
        "/admin/",
        "/admin/events/xss-2010/",
        "/admin/events/xss-2010/edit",
        "/admin/events/xss-2010/audit",
    ] {
        let (status, html) = app.get_html(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !html.contains("<script>alert"),
            "{path} has a raw script tag"
        );
        assert!(!html.contains("<img src=x"), "{path} has a raw img tag");
        assert!(
            !html.contains("href=\"javascript:"),
            "{path} has a javascript: link"
        );
        assert!(
            html.contains("&lt;script&gt;") || path == "/admin/events/xss-2010/audit",
            "{path} shows the text escaped"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_in_the_future_become_past_as_the_clock_advances() {
    let app = spawn_demo_app().await;
    app.clock.advance(Duration::days(365));
    let (_, html) = app.get_html("/usa-2010/").await;
    assert!(
        !html.contains("href=\"/usa-2010/register/\""),
        "registration closed on 20 June 2010"
    );
}
