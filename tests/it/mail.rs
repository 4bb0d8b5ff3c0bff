//! Mail: the outbox, real SMTP delivery to a listener on loopback, retries, crash recovery,
//! templates, the mail log, bulk mail and unsubscribing, password reset by mail.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use ghent::accounts::Role;
use ghent::mail::catcher::MailCatcher;
use ghent::mail::outbox::Envelope;
use mail_parser::MimeHeaders;
use serde_json::json;

use crate::helpers::*;

/// Queues `n` test mails straight into the outbox (as a request would).
fn queue_test_mails(app: &TestApp, n: usize) -> Vec<String> {
    let now = app.clock.now_naive();
    let mailer = app.state.mailer.clone();
    app.with_conn(|c| {
        (0..n)
            .map(|i| {
                let to = format!("attendee{i}@example.org");
                let ctx = json!({ "sent_by": "test", "recipient": { "name": format!("Attendee {i}"), "email": to }, "site": { "base_url": mailer.base_url } });
                mailer.queue(c, now, Envelope::to(ghent::mail::model::MailKind::Test, &to, &format!("Attendee {i}")), &ctx, Vec::new()).unwrap()
            })
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_mail_arrives_over_smtp_with_both_parts_and_a_link_that_works_once() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("patrick@example.org", true, &[]);
    let r = app
        .post_form(
            "/password/forgot",
            "/password/forgot",
            &[("email", "Patrick@Example.org")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("Check your mail"));
    // An unknown address gets the same answer and no mail.
    let r = app
        .post_form(
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("Check your mail"));

    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(caught.len(), 1, "exactly one mail");
    assert_eq!(caught[0].rcpt_to, ["patrick@example.org"]);
    let m = parsed(&caught[0]);
    assert_eq!(m.subject(), Some("Set a new password for Ghent"));
    assert_eq!(
        m.from().unwrap().first().unwrap().address(),
        Some("noreply@ghent.invalid")
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().address(),
        Some("patrick@example.org")
    );
    // Date comes from the app clock (15 November 2009), not the machine's.
    let date = m.date().unwrap();
    assert_eq!((date.year, date.month, date.day), (2009, 11, 15));
    // Message-ID as stored in the outbox; no List-Unsubscribe on transactional mail.
    eventually(5, "marked sent", || {
        app.outbox()[0].status.as_str() == "sent"
    })
    .await;
    let row = &app.outbox()[0];
    assert_eq!(format!("<{}>", m.message_id().unwrap()), row.message_id);
    assert!(caught[0].header("List-Unsubscribe").is_none());
    // multipart/alternative with a text and an HTML part.
    assert_eq!(
        m.content_type()
            .map(|c| (c.c_type.to_string(), c.subtype().map(str::to_string))),
        Some(("multipart".into(), Some("alternative".into())))
    );
    assert_eq!(m.text_body_count(), 1);
    assert_eq!(m.html_body_count(), 1);
    let text = m.body_text(0).unwrap().to_string();
    let html = m.body_html(0).unwrap().to_string();
    assert!(html.contains("<a href=\"http://127.0.0.1:"), "{html}");

    // The link works: set a new password, sign in with it.
    let link = link_in(&text, &app.address);
    let path = &link[app.address.len()..];
    let visitor = app.new_visitor();
    let r = visitor
        .post_form(
            path,
            path,
            &[
                ("password", "a brand new password"),
                ("password_again", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = visitor
        .post_form(
            "/login",
            "/login",
            &[
                ("email", "patrick@example.org"),
                ("password", "a brand new password"),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "the new password works");
    // Used once: the link is now dead.
    let (status, html) = app.new_visitor().get_html(path).await;
    assert_eq!(status, 410);
    assert!(html.contains("no longer works"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_links_expire_by_the_app_clock() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("patrick@example.org", true, &[]);
    app.post_form(
        "/password/forgot",
        "/password/forgot",
        &[("email", "patrick@example.org")],
    )
    .await;
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    let text = parsed(&caught[0]).body_text(0).unwrap().to_string();
    let link = link_in(&text, &app.address);
    let path = &link[app.address.len()..];
    app.clock.advance(chrono::Duration::minutes(61));
    let (status, _) = app.get_html(path).await;
    assert_eq!(status, 410);
    // And a guessed token never works.
    let (status, _) = app.get_html("/password/reset/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, 410);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_while_smtp_is_down_is_delivered_once_when_it_comes_up_with_attempts_in_the_log(
) {
    // Reserve a port with nothing listening on it yet.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("smtp://{addr}");
    let owned = smtp_settings(&url);
    let settings: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&settings).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    let owner = app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    let _ = owner;
    app.login("owner@example.org").await;
    for _ in 0..3 {
        let r = app
            .post_form(
                "/admin/events/ghent-2009/mail/",
                "/admin/events/ghent-2009/mail/test",
                &[],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    // The worker tries, fails, and records it.
    eventually(15, "three failed attempts", || {
        app.outbox()
            .iter()
            .filter(|m| m.status.as_str() == "failed" && m.attempts >= 1)
            .count()
            == 3
    })
    .await;
    let (_, log) = app
        .get_html("/admin/events/ghent-2009/mail/?status=failed")
        .await;
    let rows = texts(&log, "table.mail-log tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].contains("SMTP") && rows[0].contains("Ghent test message"),
        "the error is shown: {rows:?}"
    );

    // The SMTP server comes up; the next attempts (after the backoff, by the app clock) deliver.
    let catcher = MailCatcher::start_on(tokio::net::TcpListener::bind(addr).await.unwrap(), None);
    app.clock.advance(chrono::Duration::minutes(10));
    let caught = catcher.wait_for(3, Duration::from_secs(15)).await;
    assert_eq!(caught.len(), 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(catcher.messages().len(), 3, "each delivered once");
    let ids: HashSet<String> = caught
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    eventually(5, "all marked sent", || {
        app.outbox()
            .iter()
            .all(|m| m.status.as_str() == "sent" && m.attempts >= 2)
    })
    .await;
    let (_, log) = app.get_html("/admin/events/ghent-2009/mail/").await;
    assert!(texts(&log, ".counts")[0].contains("sent 3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_keeps_failing_goes_dead_and_an_organizer_can_retry_it() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("smtp://{addr}");
    let mut owned = smtp_settings(&url);
    owned.push(("GHENT_MAIL_MAX_ATTEMPTS", "2".into()));
    let settings: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&settings).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    app.post_form(
        "/admin/events/ghent-2009/mail/",
        "/admin/events/ghent-2009/mail/test",
        &[],
    )
    .await;
    eventually(10, "first failure", || {
        app.outbox()
            .first()
            .is_some_and(|m| m.attempts == 1 && m.status.as_str() == "failed")
    })
    .await;
    app.clock.advance(chrono::Duration::minutes(5));
    eventually(10, "dead after the second attempt", || {
        app.outbox()[0].status.as_str() == "dead"
    })
    .await;
    let id = app.outbox()[0].id.clone();
    let page = format!("/admin/events/ghent-2009/mail/messages/{id}");
    let (_, html) = app.get_html(&page).await;
    assert!(html.contains("Retry delivery"));
    let catcher = MailCatcher::start_on(tokio::net::TcpListener::bind(addr).await.unwrap(), None);
    let r = app.post_form(&page, &format!("{page}/retry"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(catcher.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    eventually(5, "sent", || app.outbox()[0].status.as_str() == "sent").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_log_filters_shows_a_message_as_sent_and_resends_it_as_a_new_message() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    app.post_form(
        "/admin/events/ghent-2009/team",
        "/admin/events/ghent-2009/team",
        &[
            ("email", "new@example.org"),
            ("name", "New Person"),
            ("role", "reviewer"),
        ],
    )
    .await;
    app.post_form(
        "/admin/events/ghent-2009/mail/",
        "/admin/events/ghent-2009/mail/test",
        &[],
    )
    .await;
    catcher.wait_for(2, Duration::from_secs(10)).await;
    eventually(5, "both sent", || {
        app.outbox().iter().all(|m| m.status.as_str() == "sent")
    })
    .await;

    let (_, html) = app
        .get_html("/admin/events/ghent-2009/mail/?kind=team_invite")
        .await;
    let rows = texts(&html, "table.mail-log tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("New Person <new@example.org>")
            && rows[0].contains("team_invite")
            && rows[0].contains("sent"),
        "{rows:?}"
    );
    let (_, html) = app
        .get_html("/admin/events/ghent-2009/mail/?status=dead")
        .await;
    assert!(texts(&html, "table.mail-log tbody tr").is_empty());

    let invite = app
        .outbox()
        .into_iter()
        .find(|m| m.kind.as_str() == "team_invite")
        .unwrap();
    let page = format!("/admin/events/ghent-2009/mail/messages/{}", invite.id);
    let (status, html) = app.get_html(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains(&invite.message_id.replace('<', "&lt;").replace('>', "&gt;")));
    assert!(texts(&html, "pre.mail-text")[0]
        .contains("added you to the team of devopsdays Ghent 2009 as reviewer"));
    let raw = app.get(&format!("{page}/html")).await;
    assert!(raw.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("sandbox"));
    assert!(raw
        .text()
        .await
        .unwrap()
        .contains("<strong>devopsdays Ghent 2009</strong>"));

    let r = app.post_form(&page, &format!("{page}/resend"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let caught = catcher.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(caught.len(), 3);
    let resent: Vec<_> = caught
        .iter()
        .filter(|m| m.rcpt_to == ["new@example.org"])
        .collect();
    assert_eq!(resent.len(), 2);
    assert_ne!(
        resent[0].header("Message-ID"),
        resent[1].header("Message-ID"),
        "a resend is a new message"
    );
    // Another event's organizer cannot read this event's mail.
    app.organizer("usa@example.org", false, &[("usa-2010", Role::Owner)]);
    let other = app.new_visitor();
    other.login("usa@example.org").await;
    assert_eq!(other.get(&page).await.status().as_u16(), 403);
    assert_eq!(
        other
            .get(&format!(
                "/admin/events/usa-2010/mail/messages/{}",
                invite.id
            ))
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_smtp_configured_mail_is_logged_not_sent_and_the_admin_says_so() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let (_, dash) = app.get_html("/admin/").await;
    assert!(dash.contains("Mail is not being delivered"));
    app.post_form(
        "/admin/events/ghent-2009/mail/",
        "/admin/events/ghent-2009/mail/test",
        &[],
    )
    .await;
    eventually(10, "logged", || {
        app.outbox()
            .first()
            .is_some_and(|m| m.status.as_str() == "logged")
    })
    .await;
    let (_, log) = app.get_html("/admin/events/ghent-2009/mail/").await;
    assert!(log.contains("Mail is not being delivered"));
    assert!(
        texts(&log, ".counts")[0].contains("sent 0")
            && texts(&log, ".counts")[0].contains("logged only 1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_transport_writes_one_eml_per_message() {
    let app = spawn_app_with(&[
        ("GHENT_MAIL_TRANSPORT", "file"),
        ("GHENT_MAIL_POLL_MILLIS", "100"),
    ])
    .await;
    queue_test_mails(&app, 2);
    app.state.mail_notifier.wake();
    let dir = app.data_dir.path().join("mail");
    eventually(10, "two .eml files", || {
        std::fs::read_dir(&dir)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "eml")
                })
                .count()
                    == 2
            })
            .unwrap_or(false)
    })
    .await;
    // Outcomes are recorded after the files are written (grouped per `mail_record_millis`):
    // the files can be there a moment before the rows say so.
    eventually(10, "both messages marked sent", || {
        app.outbox().iter().all(|m| m.status.as_str() == "sent")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_subjects_with_line_breaks_markup_or_handlebars_cannot_inject_headers_or_markup()
{
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let evil = "Eve\r\nBcc: victim@example.org\r\n<b>bold</b> {{link}}";
    let r = app
        .post_form(
            "/admin/events/ghent-2009/team",
            "/admin/events/ghent-2009/team",
            &[
                ("email", "eve@example.org"),
                ("name", evil),
                ("role", "reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // And a mail whose subject and recipient carry the same, queued directly.
    let now = app.clock.now_naive();
    let mailer = app.state.mailer.clone();
    app.with_conn(|c| {
        let rendered = ghent::mail::compose::Rendered {
            subject: "Hi\r\nBcc: victim@example.org".into(),
            text: "t".into(),
            html: "<p>h</p>".into(),
        };
        ghent::mail::outbox::enqueue(
            c,
            now,
            &mailer,
            Envelope::to(
                ghent::mail::model::MailKind::Test,
                "mallory@example.org",
                evil,
            ),
            rendered,
            Vec::new(),
        )
        .unwrap();
    });
    app.state.mail_notifier.wake();
    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(caught.len(), 2);
    for mail in &caught {
        assert_eq!(mail.rcpt_to.len(), 1, "no extra recipients");
        let raw = String::from_utf8_lossy(&mail.data);
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "a Bcc header was injected:\n{headers}"
        );
        assert!(!raw.contains("victim@example.org>"), "{raw}");
    }
    let invite = caught
        .iter()
        .find(|m| m.rcpt_to == ["eve@example.org"])
        .unwrap();
    let m = parsed(invite);
    let html = m.body_html(0).unwrap().to_string();
    assert!(
        html.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "markup in a name is escaped: {html}"
    );
    assert!(!html.contains("<b>bold</b>"));
    let text = m.body_text(0).unwrap().to_string();
    assert!(
        text.contains("{{link}}"),
        "handlebars in a name is not evaluated: {text}"
    );
    let to = m.to().unwrap().first().unwrap();
    assert_eq!(to.address(), Some("eve@example.org"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_template_override_is_refused_with_the_handlebars_error_and_a_valid_one_is_used()
{
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let page = "/admin/events/ghent-2009/mail/templates/team_invite";
    let (status, html) = app.get_html(page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Action required: you are now organizer of devopsdays Ghent 2009"),
        "preview with sample data"
    );

    let r = app
        .post_form(
            page,
            page,
            &[
                ("subject", "Welcome {{#if role}}"),
                ("text", "x"),
                ("html", "y"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    let errors = texts(&html, ".field .error");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Not saved: Subject, line 1:")
                || e.starts_with("Not saved: Subject:")),
        "{errors:?}"
    );
    assert_eq!(app.count("mail_templates"), 0, "nothing saved");
    let r = app
        .post_form(
            page,
            page,
            &[
                ("subject", "Hi {{recipient.nmae}}"),
                ("text", "x"),
                ("html", "y"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "an unknown name is refused too");

    let r = app
        .post_form(
            page,
            page,
            &[
                ("subject", "Join us at {{event.name}}, {{recipient.name}}"),
                ("text", "Your link: {{link}}"),
                (
                    "html",
                    "<p>Your <em>link</em>: {{link}}</p><script>x()</script>",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    app.post_form(
        "/admin/events/ghent-2009/team",
        "/admin/events/ghent-2009/team",
        &[
            ("email", "kris@example.org"),
            ("name", "Kris"),
            ("role", "organizer"),
        ],
    )
    .await;
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    let m = parsed(&caught[0]);
    assert_eq!(m.subject(), Some("Join us at devopsdays Ghent 2009, Kris"));
    assert!(m
        .body_text(0)
        .unwrap()
        .contains("Your link: http://127.0.0.1:"));
    let html = m.body_html(0).unwrap().to_string();
    assert!(
        html.contains("<em>link</em>") && !html.contains("<script>"),
        "{html}"
    );
    // Back to the built-in.
    let r = app.post_form(page, &format!("{page}/reset"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("mail_templates"), 0);
}

fn add_attendees(app: &TestApp, slug: &str, people: &[(&str, &str, &str)]) {
    use diesel::prelude::*;
    use ghent::db::schema::registrations;
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        let event = ghent::events::queries::by_slug(c, slug).unwrap().unwrap();
        for (i, (name, email, status)) in people.iter().enumerate() {
            diesel::insert_into(registrations::table)
                .values((
                    registrations::id.eq(uuid::Uuid::new_v4().to_string()),
                    registrations::event_id.eq(&event.id),
                    registrations::seq.eq(i as i64 + 1),
                    registrations::name.eq(*name),
                    registrations::email.eq(*email),
                    registrations::company.eq(""),
                    registrations::status.eq(*status),
                    registrations::manage_token_hash.eq(ghent::tokens::new_token()),
                    registrations::desk_token_hash.eq(ghent::tokens::new_token()),
                    registrations::terms_accepted_at.eq(now),
                    registrations::created_at.eq(now),
                    registrations::updated_at.eq(now),
                ))
                .execute(c)
                .unwrap();
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_mail_reaches_each_recipient_with_their_placeholders_and_a_working_unsubscribe() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    add_attendees(
        &app,
        "usa-2010",
        &[
            ("John Allspaw", "john@example.org", "confirmed"),
            ("Gene <b>Kim</b>", "gene@example.org", "confirmed"),
            ("Waiting Wanda", "wanda@example.org", "waiting"),
        ],
    );

    let page = "/admin/events/usa-2010/mail/bulk";
    let (_, html) = app.get_html(page).await;
    assert!(html.contains("Confirmed attendees (2)") && html.contains("Waiting list (1)"));
    let body = "Hello {{name}},\n\nDoors open at 8:30.\nYour registration: {{manage_link}}";
    // A wrong placeholder is refused on the form, with the text kept.
    let r = app
        .post_form(
            page,
            page,
            &[
                ("audience", "confirmed_attendees"),
                ("subject", "Doors {{nmae}}"),
                ("body", body),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("A placeholder is wrong"));
    assert!(html.contains("Doors open at 8:30."), "input kept");
    // Preview for the first recipient.
    let r = app
        .post_form(
            page,
            page,
            &[
                ("audience", "confirmed_attendees"),
                ("subject", "Doors open soon, {{name}}"),
                ("body", body),
                ("action", "preview"),
            ],
        )
        .await;
    let html = r.text().await.unwrap();
    let preview = texts(&html, "section[aria-labelledby=preview-heading]");
    assert!(
        preview[0].contains("Preview for Gene <b>Kim</b> <gene@example.org>")
            || preview[0].contains("Preview for John Allspaw"),
        "{preview:?}"
    );
    assert_eq!(app.count("mail_outbox"), 0, "a preview sends nothing");
    // Send.
    let r = app
        .post_form(
            page,
            page,
            &[
                ("audience", "confirmed_attendees"),
                ("subject", "Doors open soon, {{name}}"),
                ("body", body),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let progress = r.headers()["location"].to_str().unwrap().to_string();
    let caught = catcher.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(caught.len(), 2);
    let john = caught
        .iter()
        .find(|m| m.rcpt_to == ["john@example.org"])
        .unwrap();
    let gene = caught
        .iter()
        .find(|m| m.rcpt_to == ["gene@example.org"])
        .unwrap();
    let jm = parsed(john);
    assert_eq!(jm.subject(), Some("Doors open soon, John Allspaw"));
    let jtext = jm.body_text(0).unwrap().to_string();
    assert!(
        jtext.contains("Hello John Allspaw,") && jtext.contains("/usa-2010/registration/"),
        "{jtext}"
    );
    let ghtml = parsed(gene).body_html(0).unwrap().to_string();
    assert!(
        ghtml.contains("Gene &lt;b&gt;Kim&lt;/b&gt;") && !ghtml.contains("<b>Kim</b>"),
        "{ghtml}"
    );
    // Bulk mail carries List-Unsubscribe (one-click) and a working link.
    let header = john.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert!(john.header("List-Unsubscribe-Post").is_some());
    let url = header.trim_matches(['<', '>']).to_string();
    assert!(jtext.contains(&url), "the same link is in the text");
    eventually(10, "progress done", || {
        app.outbox().iter().all(|m| m.status.as_str() == "sent")
    })
    .await;
    let (_, html) = app.get_html(&progress).await;
    assert!(
        html.contains("Done.") && !html.contains("http-equiv=\"refresh\""),
        "{html}"
    );
    assert!(texts(&html, ".progress dd").contains(&"2".to_string()));

    // John unsubscribes with one click (RFC 8058: a POST without any session or token) …
    let path = &url[app.address.len()..];
    let (status, confirm) = app.new_visitor().get_html(path).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Stop announcements about devopsdays USA 2010 to john@example.org?"));
    let r = reqwest::Client::new()
        .post(&url)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.count("mail_unsubscribes"), 1);
    // … a forged link does nothing …
    let forged = path.replace(&path[path.len() - 5..], "AAAAA");
    assert_eq!(app.new_visitor().get(&forged).await.status().as_u16(), 404);
    // … and the next bulk mail leaves him out.
    app.post_form(
        page,
        page,
        &[
            ("audience", "confirmed_attendees"),
            ("subject", "Second"),
            ("body", "Hi {{name}}"),
            ("action", "send"),
        ],
    )
    .await;
    let caught = catcher.wait_for(3, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second: Vec<_> = catcher
        .messages()
        .into_iter()
        .filter(|m| m.header("Subject").as_deref() == Some("Second"))
        .collect();
    assert_eq!(second.len(), 1, "{:?}", caught.len());
    assert_eq!(second[0].rcpt_to, ["gene@example.org"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_mail_from_the_admin_goes_through_the_outbox_and_smtp() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let r = app
        .post_form(
            "/admin/events/ghent-2009/mail/",
            "/admin/events/ghent-2009/mail/test",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(caught[0].rcpt_to, ["owner@example.org"]);
    assert_eq!(app.outbox()[0].kind.as_str(), "test");
    assert_eq!(parsed(&caught[0]).subject(), Some("Ghent test message"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_over_one_outbox_deliver_each_of_500_messages_exactly_once() {
    let catcher = catcher().await;
    // Workers off in the app: this test runs two of its own.
    let app = spawn_app_with(&[("GHENT_RUN_WORKERS", "false")]).await;
    queue_test_mails(&app, 500);
    let settings = test_settings(
        &app.db.url,
        app.data_dir.path(),
        &[
            ("GHENT_SMTP_URL", &catcher.url()),
            ("GHENT_MAIL_BATCH_SIZE", "25"),
        ],
    );
    let worker = |db: ghent::db::Db| mail_lane(&app, db, &settings);
    // Two workers, each with its own connection pool, as two server instances would have.
    let a = worker(ghent::db::Db::connect(&app.db.url, 2).unwrap());
    let b = worker(ghent::db::Db::connect(&app.db.url, 2).unwrap());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { a.drain().await.unwrap() }),
        tokio::spawn(async move { b.drain().await.unwrap() })
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.delivered + rb.delivered, 500, "{ra:?} {rb:?}");
    assert!(
        ra.delivered > 0 && rb.delivered > 0,
        "both workers took part: {ra:?} {rb:?}"
    );
    let caught = catcher.wait_for(500, Duration::from_secs(10)).await;
    assert_eq!(caught.len(), 500);
    let ids: HashSet<String> = caught
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(ids.len(), 500, "no message twice");
    assert!(app
        .outbox()
        .iter()
        .all(|m| m.status.as_str() == "sent" && m.attempts == 1));
    let _ = Utc::now;
}
