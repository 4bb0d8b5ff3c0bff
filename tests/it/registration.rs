//! Attendee registration: double opt-in, capacity and waiting list, self-service, organizers'
//! tools, check-in, purge, abuse controls, and correctness under concurrent load.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use ghent::accounts::Role;
use ghent::db::schema::{events, mail_outbox, registrations};
use mail_parser::MimeHeaders;

use crate::helpers::*;

fn set_capacity(app: &TestApp, slug: &str, capacity: Option<i32>) {
    app.with_conn(|c| {
        diesel::update(events::table.filter(events::slug.eq(slug)))
            .set(events::capacity.eq(capacity))
            .execute(c)
            .unwrap()
    });
}

fn status_of(app: &TestApp, email: &str) -> String {
    app.with_conn(|c| {
        registrations::table
            .filter(registrations::email.eq(email))
            .select(registrations::status)
            .first(c)
            .unwrap()
    })
}

pub(crate) async fn register(v: &Visitor, name: &str, email: &str) -> reqwest::Response {
    v.post_form(
        "/usa-2010/register/",
        "/usa-2010/register/",
        &[
            ("name", name),
            ("email", email),
            ("company", "ACME"),
            ("accept", "on"),
            ("website", ""),
        ],
    )
    .await
}

/// Runs the job runner once (expiries are jobs due by the app clock).
fn link_for(caught: &[ghent::mail::catcher::CaughtMail], to: &str, address: &str) -> String {
    let m = caught
        .iter()
        .rev()
        .find(|m| m.rcpt_to == [to])
        .unwrap_or_else(|| panic!("no mail to {to}"));
    link_in(&parsed(m).body_text(0).unwrap(), address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_confirm_by_mail_and_get_a_ticket_with_calendar_and_qr_code() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = app.new_visitor();
    let (status, form) = v.get_html("/usa-2010/register/").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("T-shirt size") && form.contains("Dietary needs"),
        "the organizers' questions"
    );
    let r = v
        .post_form(
            "/usa-2010/register/",
            "/usa-2010/register/",
            &[
                ("name", "Gene Kim"),
                ("email", "Gene@Example.org"),
                ("company", "Tripwire"),
                ("accept", "on"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(texts(&r.text().await.unwrap(), "h1").contains(&"Check your mail".to_string()));
    assert_eq!(status_of(&app, "gene@example.org"), "pending");

    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    let m = parsed(&caught[0]);
    assert!(m
        .subject()
        .unwrap()
        .starts_with("Action required: confirm your registration"));
    let link = link_for(&caught, "gene@example.org", &app.address);
    let path = &link[app.address.len()..];
    let (_, page) = v.get_html(path).await;
    assert!(page.contains("Confirm my registration"));
    let r = v.post_form(path, &format!("{path}/confirm"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = v.get_html(path).await;
    assert!(texts(&page, ".registration-status")[0].contains("confirmed"));
    assert!(page.contains("<svg"), "the ticket's QR code is on the page");

    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let ticket = parsed(&caught[1]);
    assert_eq!(
        ticket.subject(),
        Some("Your ticket for devopsdays USA 2010")
    );
    assert_eq!(
        ticket
            .content_type()
            .map(|c| c.subtype().unwrap_or("").to_string()),
        Some("mixed".into()),
        "multipart/mixed with attachments"
    );
    let names: Vec<String> = ticket
        .attachments()
        .map(|a| a.attachment_name().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, ["usa-2010.ics", "ticket-qr.png"]);
    let ics = ticket.attachments().next().unwrap();
    assert!(String::from_utf8_lossy(ics.contents()).contains("DTSTART:20100625T160000Z"));
    let png = ticket.attachments().nth(1).unwrap();
    assert_eq!(&png.contents()[..4], b"\x89PNG");
    // The QR code holds the desk URL, which is not the private link.
    let desk_token = app.desk_token("gene@example.org");
    assert!(!path.contains(&desk_token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_twice_resends_the_link_and_the_answer_never_reveals_who_is_registered() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = app.new_visitor();
    let first = register(&v, "Gene Kim", "gene@example.org")
        .await
        .text()
        .await
        .unwrap();
    let again = register(&v, "Gene Kim", "gene@example.org")
        .await
        .text()
        .await
        .unwrap();
    let stranger = register(&v, "Nobody", "new@example.org")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(app.count("registrations"), 2, "no second seat");
    let main = |html: &str| {
        texts(html, "main p")
            .iter()
            .map(|p| {
                p.replace("gene@example.org", "X")
                    .replace("new@example.org", "X")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(main(&first), main(&again));
    assert_eq!(
        main(&first),
        main(&stranger),
        "the same page whether the address is known or not"
    );
    let caught = catcher.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(
        caught
            .iter()
            .filter(|m| m.rcpt_to == ["gene@example.org"])
            .count(),
        2,
        "the link was sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_shown_again_with_messages_and_nothing_lost() {
    let app = spawn_demo_app().await;
    let v = app.new_visitor();
    let (_, form) = v.get_html("/usa-2010/register/").await;
    let size_q = {
        let doc = scraper::Html::parse_document(&form);
        let sel = scraper::Selector::parse("fieldset[id^=f-q_]").unwrap();
        doc.select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("id")
            .unwrap()
            .trim_start_matches("f-q_")
            .to_string()
    };
    let r = v
        .post_form(
            "/usa-2010/register/",
            "/usa-2010/register/",
            &[
                ("name", ""),
                ("email", "not-an-email"),
                ("company", "Kept Ltd"),
                (&format!("q_{size_q}"), "XXXL"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    let errors = texts(&html, ".error-summary li");
    assert!(errors.iter().any(|e| e.contains("your name")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("@")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("code of conduct")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Choose one of the options")),
        "{errors:?}"
    );
    assert!(
        html.contains("value=\"Kept Ltd\"") && html.contains("value=\"not-an-email\""),
        "input kept"
    );
    assert_eq!(app.count("registrations"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_honeypot_and_the_rate_limit_stop_bots_without_telling_them() {
    let app = spawn_app_with(&[("GHENT_FORM_RATE_LIMIT_PER_MINUTE", "2")]).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    let v = app.new_visitor();
    let bot = v
        .post_form(
            "/usa-2010/register/",
            "/usa-2010/register/",
            &[
                ("name", "Bot"),
                ("email", "bot@example.org"),
                ("accept", "on"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(bot.status().as_u16(), 200);
    assert!(bot.text().await.unwrap().contains("Check your mail"));
    assert_eq!(app.count("registrations"), 0, "the honeypot caught it");
    assert_eq!(
        register(&v, "A", "a@example.org").await.status().as_u16(),
        200
    );
    let third = register(&v, "B Person", "b@example.org").await;
    assert_eq!(third.status().as_u16(), 429);
    let html = third.text().await.unwrap();
    assert!(html.contains("Too many registrations") && html.contains("value=\"B Person\""));
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        register(&v, "B Person", "b@example.org")
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_event_puts_people_on_the_waiting_list_and_a_cancellation_offers_the_seat() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    set_capacity(&app, "usa-2010", Some(1));
    let (a, b, c) = (app.new_visitor(), app.new_visitor(), app.new_visitor());
    register(&a, "Ann", "ann@example.org").await;
    register(&b, "Bob", "bob@example.org").await;
    register(&c, "Cy", "cy@example.org").await;
    assert_eq!(status_of(&app, "ann@example.org"), "pending");
    assert_eq!(status_of(&app, "bob@example.org"), "waiting");
    let caught = catcher.wait_for(3, Duration::from_secs(10)).await;
    let cy = parsed(
        caught
            .iter()
            .find(|m| m.rcpt_to == ["cy@example.org"])
            .unwrap(),
    )
    .body_text(0)
    .unwrap()
    .to_string();
    assert!(cy.contains("You are number 2 on the waiting list"), "{cy}");

    // Ann cancels: Bob (first waiting) is offered her seat, not Cy.
    let ann = link_for(&caught, "ann@example.org", &app.address);
    let r = a
        .post_form(
            &ann[app.address.len()..],
            &format!("{}/cancel", &ann[app.address.len()..]),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&app, "bob@example.org"), "offered");
    assert_eq!(status_of(&app, "cy@example.org"), "waiting");
    let caught = catcher.wait_for(5, Duration::from_secs(10)).await;
    let offer = caught
        .iter()
        .rev()
        .find(|m| m.rcpt_to == ["bob@example.org"])
        .unwrap();
    assert!(parsed(offer)
        .subject()
        .unwrap()
        .starts_with("Action required: a seat at devopsdays USA 2010 is yours until"));

    // Bob lets the offer pass: after the offer time it goes to Cy.
    app.clock.advance(chrono::Duration::hours(49));
    app.run_jobs().await;
    assert_eq!(status_of(&app, "bob@example.org"), "expired");
    assert_eq!(status_of(&app, "cy@example.org"), "offered");
    // Cy takes it.
    let caught = catcher.wait_for(7, Duration::from_secs(10)).await;
    let cy_link = link_for(&caught, "cy@example.org", &app.address);
    let r = c
        .post_form(
            &cy_link[app.address.len()..],
            &format!("{}/confirm", &cy_link[app.address.len()..]),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&app, "cy@example.org"), "confirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_hold_expires_and_raising_capacity_promotes_in_order() {
    let app = spawn_demo_app().await;
    set_capacity(&app, "usa-2010", Some(1));
    for (n, e) in [
        ("Ann", "ann@example.org"),
        ("Bob", "bob@example.org"),
        ("Cy", "cy@example.org"),
        ("Di", "di@example.org"),
    ] {
        register(&app.new_visitor(), n, e).await;
    }
    app.clock.advance(chrono::Duration::hours(47));
    app.run_jobs().await;
    assert_eq!(status_of(&app, "ann@example.org"), "pending", "not yet");
    app.clock.advance(chrono::Duration::hours(2));
    app.run_jobs().await;
    assert_eq!(status_of(&app, "ann@example.org"), "expired");
    assert_eq!(status_of(&app, "bob@example.org"), "offered");
    // An organizer raises the capacity from 1 to 3: Cy and Di, in that order, get offers.
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let (_, form) = app.get_html("/admin/events/usa-2010/edit").await;
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
            _ if input.value().attr("type") == Some("checkbox") => continue,
            _ => input.value().attr("value").unwrap_or("").to_string(),
        };
        fields.push((
            name.clone(),
            if name == "capacity" {
                "3".into()
            } else {
                value
            },
        ));
    }
    let r = app
        .client
        .post(format!("{}/admin/events/usa-2010/edit", app.address))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    // The raise is published through the queue; the registration domain offers the seats.
    app.run_jobs().await;
    assert_eq!(status_of(&app, "cy@example.org"), "offered");
    assert_eq!(status_of(&app, "di@example.org"), "offered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendees_edit_download_and_erase_their_own_data() {
    let app = spawn_demo_app().await;
    let v = app.new_visitor();
    register(&v, "Gene Kim", "gene@example.org").await;
    let token = app.manage_token("gene@example.org");
    let page = format!("/usa-2010/registration/{token}");
    let (_, html) = v.get_html(&page).await;
    let diet = {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("input[name^=q_]:not([type])").unwrap();
        doc.select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("name")
            .unwrap()
            .to_string()
    };
    let r = v
        .post_form(
            &page,
            &format!("{page}/answers"),
            &[
                ("name", "Gene Kim"),
                ("company", "IT Revolution"),
                (&diet, "Vegetarian"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let data: serde_json::Value = v
        .get(&format!("{page}/data.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(data["registration"]["company"], "IT Revolution");
    assert!(data["answers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["answer"] == "Vegetarian"));
    assert!(!data["mail"].as_array().unwrap().is_empty());
    assert!(
        data["registration"].get("manage_token_hash").is_none()
            && data["registration"].get("desk_token_hash").is_none(),
        "secrets are not in the export"
    );
    let r = v.post_form(&page, &format!("{page}/erase"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("registrations"), 0);
    assert_eq!(app.count("answers"), 0);
    let leftover: Vec<String> = app.with_conn(|c| {
        mail_outbox::table
            .filter(mail_outbox::entity_type.eq("registration"))
            .select(mail_outbox::recipient_email)
            .load(c)
            .unwrap()
    });
    assert!(
        leftover.iter().all(|e| e == "erased@invalid"),
        "{leftover:?}"
    );
    // Mail not yet delivered is withdrawn, so nobody can retry it to the erased address.
    let statuses: Vec<String> = app.with_conn(|c| {
        diesel::sql_query("SELECT status AS s FROM mail_outbox WHERE entity_type = 'registration'")
            .load::<StatusRow>(c)
            .unwrap()
            .into_iter()
            .map(|r| r.s)
            .collect()
    });
    assert!(
        statuses
            .iter()
            .all(|s| ["sent", "logged", "withdrawn"].contains(&s.as_str())),
        "{statuses:?}"
    );
    assert_eq!(v.get(&page).await.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_list_search_export_add_cancel_and_check_people_in() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    register(
        &app.new_visitor(),
        "=HYPERLINK(\"evil\")",
        "eve@example.org",
    )
    .await;
    let r = app
        .post_form(
            "/admin/events/usa-2010/registrations",
            "/admin/events/usa-2010/registrations",
            &[
                ("name", "John Allspaw"),
                ("email", "john@example.org"),
                ("company", "Etsy"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, html) = app.get_html("/admin/events/usa-2010/registrations").await;
    assert!(texts(&html, ".counts")[0].contains("pending 1 · confirmed 1"));
    for q in ["allspaw", "ALLSPAW", "Allspaw"] {
        let (_, found) = app
            .get_html(&format!("/admin/events/usa-2010/registrations?q={q}"))
            .await;
        assert_eq!(
            texts(&found, "table.attendees tbody tr").len(),
            1,
            "search ignores case: {q}"
        );
    }
    let (_, found) = app
        .get_html("/admin/events/usa-2010/registrations?q=john@")
        .await;
    assert_eq!(texts(&found, "table.attendees tbody tr").len(), 1);
    let (_, pending) = app
        .get_html("/admin/events/usa-2010/registrations?status=pending")
        .await;
    assert!(texts(&pending, "table.attendees tbody tr")[0].contains("eve@example.org"));
    let csv = app
        .get("/admin/events/usa-2010/registrations.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("seq,name,email,company,status,kind,registered,confirmed,checked in,T-shirt size,Dietary needs"), "{csv}");
    assert!(
        csv.contains("'=HYPERLINK"),
        "formulas are neutralised: {csv}"
    );

    // Check-in through the QR URL: the second time warns.
    let desk = app.desk_token("john@example.org");
    let qr = format!("/admin/events/usa-2010/desk/{desk}");
    assert_eq!(
        app.new_visitor().get(&qr).await.status().as_u16(),
        401,
        "the QR URL needs an organizer"
    );
    let (_, page) = app.get_html(&qr).await;
    assert!(page.contains("Check in John Allspaw"));
    let r = app
        .post_form(&qr, "/admin/events/usa-2010/desk", &[("token", &desk)])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, desk_page) = app.get_html("/admin/events/usa-2010/desk").await;
    assert!(desk_page.contains("John Allspaw is checked in"));
    let (_, page) = app.get_html(&qr).await;
    assert!(page.contains("Already checked in"));
    app.post_form(&qr, "/admin/events/usa-2010/desk", &[("token", &desk)])
        .await;
    let (_, desk_page) = app.get_html("/admin/events/usa-2010/desk").await;
    assert!(desk_page.contains("Careful: John Allspaw was already checked in"));
    // A pending registration cannot be checked in.
    let eve_id: String = app.with_conn(|c| {
        registrations::table
            .filter(registrations::email.eq("eve@example.org"))
            .select(registrations::id)
            .first(c)
            .unwrap()
    });
    app.post_form(
        "/admin/events/usa-2010/desk",
        "/admin/events/usa-2010/desk",
        &[("id", &eve_id)],
    )
    .await;
    let (_, desk_page) = app.get_html("/admin/events/usa-2010/desk").await;
    assert!(desk_page.contains("is not confirmed"));
    // Cancel and resend.
    let r = app
        .post_form(
            "/admin/events/usa-2010/registrations",
            &format!("/admin/events/usa-2010/registrations/{eve_id}/resend"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .post_form(
            "/admin/events/usa-2010/registrations",
            &format!("/admin/events/usa-2010/registrations/{eve_id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&app, "eve@example.org"), "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_purged_after_the_retention_period_and_by_hand() {
    let app = spawn_demo_app().await;
    register(&app.new_visitor(), "Gene Kim", "gene@example.org").await;
    // Ghent 2009's attendees (none) and USA 2010's: USA ends 25 June 2010, 90 days' retention.
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2010, 9, 24, 0, 0, 0).unwrap());
    let due = |app: &TestApp| {
        app.with_conn(|c| {
            ghent::registration::privacy::due_for_purge(c, app.clock.now_naive())
                .unwrap()
                .iter()
                .map(|e| e.slug.clone())
                .collect::<Vec<_>>()
        })
    };
    assert!(!due(&app).contains(&"usa-2010".to_string()));
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2010, 9, 25, 0, 0, 0).unwrap());
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        ghent::queue::push(c, now, &ghent::registration::jobs::RetentionPurge {}, now).unwrap()
    });
    app.run_jobs().await;
    // Anonymised, not deleted: the figures survive, the person does not.
    assert_eq!(
        app.count("registrations"),
        1,
        "the registration stays counted"
    );
    let (name, email, status): (String, String, String) = app.with_conn(|c| {
        use ghent::db::schema::registrations;
        registrations::table
            .select((
                registrations::name,
                registrations::email,
                registrations::status,
            ))
            .first(c)
            .unwrap()
    });
    assert_eq!(name, "", "purged by the daily retention job");
    assert!(
        email.starts_with("erased-") && email.ends_with("@invalid"),
        "{email}"
    );
    assert_eq!(
        status, "expired",
        "its status is kept (never confirmed, it expired)"
    );
    assert_eq!(app.count("answers"), 0);
    assert!(!app
        .outbox()
        .iter()
        .any(|m| m.recipient_email == "gene@example.org"));
    let purged: Option<chrono::NaiveDateTime> = app.with_conn(|c| {
        events::table
            .filter(events::slug.eq("usa-2010"))
            .select(events::purged_at)
            .first(c)
            .unwrap()
    });
    assert!(purged.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_registrations_for_the_last_ten_seats() {
    let app = spawn_app_with(&[
        ("GHENT_FORM_RATE_LIMIT_PER_MINUTE", "0"),
        ("GHENT_RUN_WORKERS", "false"),
        ("GHENT_DB_POOL_SIZE", "8"),
        ("GHENT_WORKERS", "4"),
    ])
    .await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    set_capacity(&app, "usa-2010", Some(30));
    // Twenty seats are taken already.
    for i in 0..20 {
        register(
            &app.new_visitor(),
            &format!("Early {i}"),
            &format!("early{i}@example.org"),
        )
        .await;
    }
    // 64 visitors load the form, then all send it at once.
    let mut visitors = Vec::new();
    for i in 0..64 {
        let v = app.new_visitor();
        let (_, html) = v.get_html("/usa-2010/register/").await;
        visitors.push((i, v, csrf_from(&html)));
    }
    let sends = visitors.into_iter().map(|(i, v, token)| async move {
        let email = format!("rush{i}@example.org");
        let r = v
            .client
            .post(format!("{}/usa-2010/register/", v.address))
            .form(&[
                ("csrf_token", token.as_str()),
                ("name", &format!("Rush {i}")),
                ("email", &email),
                ("accept", "on"),
                ("website", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    });
    futures_util::future::join_all(sends).await;
    let rows: Vec<(String, String, i64, String)> = app.with_conn(|c| {
        registrations::table
            .filter(registrations::email.like("rush%"))
            .order(registrations::seq)
            .select((
                registrations::id,
                registrations::status,
                registrations::seq,
                registrations::email,
            ))
            .load(c)
            .unwrap()
    });
    assert_eq!(rows.len(), 64);
    let holding: Vec<_> = rows.iter().filter(|r| r.1 == "pending").collect();
    let waiting: Vec<_> = rows.iter().filter(|r| r.1 == "waiting").collect();
    assert_eq!(holding.len(), 10, "exactly the last 10 seats were taken");
    assert_eq!(waiting.len(), 54);
    // Arrival order: every seat holder arrived before everyone waiting, and seqs have no gaps.
    assert!(holding.iter().map(|r| r.2).max() < waiting.iter().map(|r| r.2).min());
    let seqs: Vec<i64> = rows.iter().map(|r| r.2).collect();
    assert_eq!(seqs, (21..=84).collect::<Vec<i64>>());
    // Each waiting mail states the position that matches arrival order; one mail each.
    for (position, r) in waiting.iter().enumerate() {
        let mails: Vec<(String, String)> = app.with_conn(|c| {
            mail_outbox::table
                .filter(mail_outbox::entity_id.eq(&r.0))
                .select((mail_outbox::kind, mail_outbox::text_body))
                .load(c)
                .unwrap()
        });
        assert_eq!(mails.len(), 1, "{} got {} mails", r.3, mails.len());
        assert_eq!(mails[0].0, "registration_waiting");
        assert!(
            mails[0].1.contains(&format!(
                "You are number {} on the waiting list",
                position + 1
            )),
            "{}: {}",
            r.3,
            mails[0].1
        );
    }
    for r in &holding {
        let kinds: Vec<String> = app.with_conn(|c| {
            mail_outbox::table
                .filter(mail_outbox::entity_id.eq(&r.0))
                .select(mail_outbox::kind)
                .load(c)
                .unwrap()
        });
        assert_eq!(kinds, ["registration_confirm"]);
    }
    let held: i64 = app.with_conn(|c| {
        let event = ghent::events::queries::by_slug(c, "usa-2010")
            .unwrap()
            .unwrap();
        ghent::registration::queries::seats_held(c, &event.id).unwrap()
    });
    assert_eq!(held, 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellations_and_promotions_racing_new_registrations_never_exceed_capacity() {
    let app = spawn_app_with(&[
        ("GHENT_FORM_RATE_LIMIT_PER_MINUTE", "0"),
        ("GHENT_RUN_WORKERS", "false"),
        ("GHENT_DB_POOL_SIZE", "8"),
        ("GHENT_WORKERS", "4"),
    ])
    .await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    set_capacity(&app, "usa-2010", Some(15));
    for i in 0..25 {
        register(
            &app.new_visitor(),
            &format!("First {i}"),
            &format!("first{i}@example.org"),
        )
        .await;
    }
    let event_id: String = app.with_conn(|c| {
        events::table
            .filter(events::slug.eq("usa-2010"))
            .select(events::id)
            .first(c)
            .unwrap()
    });
    let emails: Vec<String> = app.with_conn(|c| {
        registrations::table
            .filter(registrations::status.eq("pending"))
            .select(registrations::email)
            .load(c)
            .unwrap()
    });
    let tokens: Vec<String> = emails.iter().map(|e| app.manage_token(e)).collect();
    assert_eq!(tokens.len(), 15);
    // Watch the seat count the whole time.
    let max_seen = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (db_url, max_seen, stop, event_id) = (
            app.db.url.clone(),
            max_seen.clone(),
            stop.clone(),
            event_id.clone(),
        );
        std::thread::spawn(move || {
            let mut conn = ghent::db::Manager::new(&db_url).open().unwrap();
            while !stop.load(Ordering::Relaxed) {
                let held = ghent::registration::queries::seats_held(&mut conn, &event_id).unwrap();
                max_seen.fetch_max(held, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let mut work = Vec::new();
    for (i, token) in tokens.into_iter().take(8).enumerate() {
        let v = app.new_visitor();
        work.push(tokio::spawn(async move {
            let page = format!("/usa-2010/registration/{token}");
            // Some confirm first, then everyone cancels.
            if i % 2 == 0 {
                v.post_form(&page, &format!("{page}/confirm"), &[]).await;
            }
            let r = v.post_form(&page, &format!("{page}/cancel"), &[]).await;
            assert_eq!(r.status().as_u16(), 303);
        }));
    }
    for i in 0..30 {
        let v = app.new_visitor();
        work.push(tokio::spawn(async move {
            let r = v
                .post_form(
                    "/usa-2010/register/",
                    "/usa-2010/register/",
                    &[
                        ("name", &format!("Late {i}")),
                        ("email", &format!("late{i}@example.org")),
                        ("accept", "on"),
                        ("website", ""),
                    ],
                )
                .await;
            assert_eq!(r.status().as_u16(), 200);
        }));
    }
    for w in work {
        w.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    assert!(
        max_seen.load(Ordering::Relaxed) <= 15,
        "seen {} seats held",
        max_seen.load(Ordering::Relaxed)
    );
    let held: i64 =
        app.with_conn(|c| ghent::registration::queries::seats_held(c, &event_id).unwrap());
    assert_eq!(held, 15, "every freed seat was offered on");
    let offered: i64 = app.with_conn(|c| {
        registrations::table
            .filter(registrations::status.eq("offered"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(
        offered, 8,
        "the eight cancelled seats went to the first eight waiting"
    );
    let offered_first: Vec<i64> = app.with_conn(|c| {
        registrations::table
            .filter(registrations::status.eq("offered"))
            .select(registrations::seq)
            .order(registrations::seq)
            .load(c)
            .unwrap()
    });
    let waiting_min: Option<i64> = app.with_conn(|c| {
        registrations::table
            .filter(registrations::status.eq("waiting"))
            .select(diesel::dsl::min(registrations::seq))
            .first(c)
            .unwrap()
    });
    assert!(
        offered_first.iter().all(|s| Some(*s) < waiting_min),
        "offers go in arrival order"
    );
    let unique: HashSet<i64> = app.with_conn(|c| {
        registrations::table
            .select(registrations::seq)
            .load::<i64>(c)
            .unwrap()
            .into_iter()
            .collect()
    });
    assert_eq!(unique.len() as i64, app.count("registrations"));
}

fn kind_of(app: &TestApp, email: &str) -> (String, String, i64) {
    app.with_conn(|c| {
        registrations::table
            .filter(registrations::email.eq(email))
            .select((
                registrations::kind,
                registrations::status,
                registrations::seq,
            ))
            .first(c)
            .unwrap()
    })
}

fn person_id(app: &TestApp, email: &str) -> String {
    use ghent::db::schema::people;
    app.with_conn(|c| {
        people::table
            .filter(people::email.eq(email))
            .select(people::id)
            .first(c)
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speakers_of_confirmed_talks_get_registrations_outside_the_seats() {
    let app = spawn_demo_app().await;
    app.organizer("org@example.org", false, &[("usa-2010", Role::Organizer)]);
    let org = app.new_visitor();
    org.login("org@example.org").await;
    let held = app.count("registrations");
    set_capacity(&app, "usa-2010", Some(held as i32 + 1));

    // Jez, who will speak, takes the last seat; Ann joins the waiting list.
    let v = app.new_visitor();
    register(&v, "Jez Humble", "jez@example.org").await;
    register(&v, "Ann Attendee", "ann@example.org").await;
    assert_eq!(status_of(&app, "jez@example.org"), "pending");
    assert_eq!(status_of(&app, "ann@example.org"), "waiting");
    let (_, _, jez_seq) = kind_of(&app, "jez@example.org");

    // A keynote added by hand, with Jez and Gene.
    let speakers = "/admin/events/usa-2010/programme/speakers";
    for (name, email) in [
        ("Jez Humble", "jez@example.org"),
        ("Gene Kim", "gene@example.org"),
    ] {
        let r = org
            .post_form(speakers, speakers, &[("name", name), ("email", email)])
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let (jez, gene) = (
        person_id(&app, "jez@example.org"),
        person_id(&app, "gene@example.org"),
    );
    let r = org
        .post_form(
            "/admin/events/usa-2010/programme/talks/new",
            "/admin/events/usa-2010/programme/talks",
            &[
                ("title", "Keynote: the three ways"),
                ("kind", "keynote"),
                ("duration_minutes", "45"),
                ("language", "en"),
                ("state", "confirmed"),
                ("person", &jez),
                ("role", "speaker"),
                ("person", &gene),
                ("role", "speaker"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());

    let page = "/admin/events/usa-2010/registrations";
    let action = "/admin/events/usa-2010/registrations/speakers";
    let r = org.post_form(page, action, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = org
        .get_html("/admin/events/usa-2010/registrations?status=speaker")
        .await;
    assert!(
        html.contains("Registered 1 new speaker(s) and turned 1 existing registration(s) into speaker registrations."),
        "{html}"
    );
    let rows = texts(&html, "table.attendees tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r.contains("speaker") && r.contains("confirmed")));
    assert!(html.contains("speakers 2 (outside the seats)"), "{html}");

    // Gene is new; Jez keeps his registration (and place in the order), now a speaker's…
    assert_eq!(kind_of(&app, "gene@example.org").0, "speaker");
    assert_eq!(
        kind_of(&app, "jez@example.org"),
        ("speaker".to_string(), "confirmed".to_string(), jez_seq)
    );
    // …and the seat he held as an attendee is offered to Ann.
    assert_eq!(status_of(&app, "ann@example.org"), "offered");
    let outbox = app.outbox();
    let tickets: Vec<_> = outbox
        .iter()
        .filter(|m| m.kind.as_str() == "registration_ticket")
        .collect();
    for to in ["jez@example.org", "gene@example.org"] {
        let t = tickets
            .iter()
            .find(|m| m.recipient_email == to)
            .unwrap_or_else(|| panic!("no ticket for {to}"));
        assert!(
            t.text_body.contains("You are one of the speakers"),
            "{}",
            t.text_body
        );
    }
    assert!(
        outbox
            .iter()
            .any(|m| m.recipient_email == "ann@example.org"
                && m.kind.as_str() == "registration_offer")
    );

    // Again: nothing changes, nobody is mailed twice.
    let mails = app.count("mail_outbox");
    let r = org.post_form(page, action, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = org.get_html(page).await;
    assert!(html.contains("Every speaker of a confirmed talk has a registration already."));
    assert_eq!(app.count("mail_outbox"), mails);

    // A speaker who cancelled and registers again through the form needs a seat like anyone:
    // the last one is on offer to Ann, so Gene waits, as an attendee.
    let gene_id: String = app.with_conn(|c| {
        registrations::table
            .filter(registrations::email.eq("gene@example.org"))
            .select(registrations::id)
            .first(c)
            .unwrap()
    });
    let r = org
        .post_form(page, &format!("{page}/{gene_id}/cancel"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    register(&v, "Gene Kim", "gene@example.org").await;
    let (kind, status, _) = kind_of(&app, "gene@example.org");
    assert_eq!((kind.as_str(), status.as_str()), ("attendee", "waiting"));
}

#[derive(diesel::QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    s: String,
}
