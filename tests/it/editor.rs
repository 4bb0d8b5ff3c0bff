//! What a first real use found in the programme editor and the mail (issue 18): empty slots
//! that stay visible, releases without a change, greetings without a name, reminders after the
//! event started.

use diesel::prelude::*;
use ghent::accounts::Role;
use ghent::db::schema::{rooms, slots};

use crate::helpers::*;

/// Creates a slot through the admin form.
async fn new_slot(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let base = "/admin/events/ghent-2009/programme";
    app.post_form(
        &format!("{base}/slots/new"),
        &format!("{base}/slots"),
        fields,
    )
    .await
}

fn main_room(app: &TestApp) -> String {
    app.with_conn(|c| {
        rooms::table
            .filter(rooms::name.eq("Main room"))
            .select(rooms::id)
            .first(c)
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_talk_slot_is_made_stays_visible_and_a_release_without_change_is_refused() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let base = "/admin/events/ghent-2009/programme";
    let overview = format!("{base}/");
    // Nothing changed since the demo's release: refused, with the reason, on the same page.
    let releases = app.count("schedule_releases");
    let r = app
        .post_form(&overview, &format!("{base}/release"), &[("note", "")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get_html(&overview).await;
    assert!(
        texts(&page, ".flash")[0].contains("Nothing changed since version 1"),
        "{:?}",
        texts(&page, ".flash")
    );
    assert_eq!(app.count("schedule_releases"), releases);

    // A talk slot without a talk and without a title.
    let main = main_room(&app);
    let fields = [
        ("starts_at", "2009-10-31T16:00"),
        ("ends_at", "2009-10-31T16:45"),
        ("room_id", main.as_str()),
        ("kind", "talk"),
        ("talk_id", ""),
        ("title", ""),
    ];
    let r = new_slot(&app, &fields).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    // A break still needs its title.
    let mut lunch = fields;
    lunch[3] = ("kind", "break");
    let r = new_slot(&app, &lunch).await;
    assert_eq!(r.status().as_u16(), 422);
    let (_, page) = app.get_html(&overview).await;
    let cells: Vec<String> = texts(&page, ".slot")
        .into_iter()
        .filter(|t| t.contains("16:00"))
        .collect();
    assert!(cells.iter().any(|t| t.contains("Free slot")), "{cells:?}");
    // An overlapping slot names the free one in words, never as “”.
    let fields = [
        ("starts_at", "2009-10-31T16:30"),
        ("ends_at", "2009-10-31T17:00"),
        ("room_id", main.as_str()),
        ("kind", "break"),
        ("talk_id", ""),
        ("title", "Coffee"),
    ];
    let r = new_slot(&app, &fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get_html(&overview).await;
    let conflicts = texts(&page, "ul.conflicts li");
    assert!(
        conflicts
            .iter()
            .any(|c| c.contains("the free slot at 16:00 and “Coffee” overlap")),
        "{conflicts:?}"
    );
    assert!(!page.contains("“”"));
    // Now there is something to release; the public grid shows the free slot with its time.
    let r = app
        .post_form(
            &overview,
            &format!("{base}/release"),
            &[("note", "An extra slot")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("schedule_releases"), releases + 1);
    let (_, grid) = app.get_html("/ghent-2009/programme/").await;
    assert!(texts(&grid, ".slot")
        .iter()
        .any(|t| t.contains("Free slot") && t.contains("16:00")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn co_speakers_are_told_greetings_have_no_empty_name_and_reminders_stop_once_the_event_started(
) {
    use std::time::Duration;
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = crate::cfp::speaker(&app, &catcher, "lead@example.org").await;
    let before = catcher.messages().len();
    let r = v
        .post_form(
            "/usa-2010/cfp/proposals/new",
            "/usa-2010/cfp/proposals",
            &[
                ("title", "Pairing dev and ops"),
                (
                    "submission_type_id",
                    &crate::cfp::type_id(&app, "Lightning talk"),
                ),
                ("track_id", ""),
                ("abstract", "Two people, one pager."),
                ("description", ""),
                ("notes", ""),
                ("co_speakers", "partner@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let caught = catcher.wait_for(before + 2, Duration::from_secs(10)).await;
    let told = mail_to(&caught, "partner@example.org", |s| {
        s == "You are a co-speaker of “Pairing dev and ops” at devopsdays USA 2010"
    })
    .expect("the co-speaker's mail");
    let text = parsed(told).body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.starts_with("Hello,\n\nlead@example.org added you"),
        "{text}"
    );
    assert!(!caught.iter().any(|m| parsed(m)
        .body_text(0)
        .unwrap_or_default()
        .contains("Hello ,")));
    // Saving again with the same co-speaker tells nobody twice.
    let pid: String = app.with_conn(|c| {
        use ghent::db::schema::proposals;
        proposals::table
            .filter(proposals::title.eq("Pairing dev and ops"))
            .select(proposals::id)
            .first(c)
            .unwrap()
    });
    let page = format!("/usa-2010/cfp/proposals/{pid}");
    let r = v
        .post_form(
            &page,
            &page,
            &[
                ("title", "Pairing dev and ops"),
                (
                    "submission_type_id",
                    &crate::cfp::type_id(&app, "Lightning talk"),
                ),
                ("track_id", ""),
                ("abstract", "Two people, one pager, one laptop."),
                ("description", ""),
                ("notes", ""),
                ("co_speakers", "partner@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let co_mails = |app: &TestApp| {
        app.outbox()
            .iter()
            .filter(|m| m.kind == ghent::mail::model::MailKind::CfpCoSpeaker)
            .count()
    };
    assert_eq!(co_mails(&app), 1);

    // Accepted, never confirmed: once the event has started, no more reminders.
    crate::cfp::accept_as_owner(&app, &pid).await;
    let reminders = |app: &TestApp| {
        app.outbox()
            .iter()
            .filter(|m| m.kind == ghent::mail::model::MailKind::CfpReminder)
            .count()
    };
    app.clock.set("2010-06-25T17:00:00Z".parse().unwrap());
    app.run_jobs().await;
    assert_eq!(reminders(&app), 0, "the event has started: no reminder");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn track_colours_show_on_the_public_grid_and_only_unused_tracks_can_be_deleted() {
    use ghent::db::schema::tracks;
    let app = spawn_demo_app().await;
    let (_, grid) = app.get_html("/usa-2010/programme/").await;
    assert!(grid.contains(r#"<link rel="stylesheet" href="/usa-2010/programme/tracks.css">"#));
    let r = app.get("/usa-2010/programme/tracks.css").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    let css = r.text().await.unwrap();
    assert!(
        css.contains("td.track-0 { border-left: 6px solid #1f6feb"),
        "{css}"
    );
    assert!(
        css.contains("background: #1f6feb; color: #ffffff"),
        "white on the Panels blue: {css}"
    );

    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let base = "/admin/events/usa-2010/programme";
    let rooms = format!("{base}/rooms");
    let r = app
        .post_form(
            &rooms,
            &format!("{base}/tracks"),
            &[("name", "Unused"), ("colour", "#ffe58a")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let id_of = |app: &TestApp, name: &str| -> Option<String> {
        app.with_conn(|c| {
            tracks::table
                .filter(tracks::name.eq(name))
                .select(tracks::id)
                .first(c)
                .optional()
                .unwrap()
        })
    };
    let unused = id_of(&app, "Unused").unwrap();
    let panels = id_of(&app, "Panels").unwrap();
    let r = app
        .post_form(&rooms, &format!("{base}/tracks/{panels}/delete"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get_html(&rooms).await;
    assert!(
        texts(&page, ".flash")[0].contains("The track Panels is in use"),
        "{:?}",
        texts(&page, ".flash")
    );
    assert!(id_of(&app, "Panels").is_some());
    let r = app
        .post_form(&rooms, &format!("{base}/tracks/{unused}/delete"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(id_of(&app, "Unused").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_mail_audience_counts_leave_out_people_who_unsubscribed() {
    use ghent::db::schema::{events, registrations};
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    for (name, email) in [
        ("John Allspaw", "john@example.org"),
        ("Gene Kim", "gene@example.org"),
    ] {
        let r = app
            .post_form(
                "/admin/events/usa-2010/registrations",
                "/admin/events/usa-2010/registrations",
                &[("name", name), ("email", email), ("company", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    }
    let label = |html: &str| texts(html, "label[for=f-audience-confirmed_attendees]")[0].clone();
    let (_, before) = app.get_html("/admin/events/usa-2010/mail/bulk").await;
    let before = label(&before);
    let (event_id, email): (String, String) = app.with_conn(|c| {
        registrations::table
            .inner_join(events::table)
            .filter(events::slug.eq("usa-2010"))
            .filter(registrations::status.eq("confirmed"))
            .select((registrations::event_id, registrations::email))
            .first(c)
            .unwrap()
    });
    let n: usize = before
        .split('(')
        .nth(1)
        .unwrap()
        .trim_end_matches(')')
        .parse()
        .unwrap_or_else(|_| panic!("{before}"));
    app.with_conn(|c| {
        ghent::mail::unsubscribe::unsubscribe(c, app.clock.now_naive(), &event_id, &email).unwrap()
    });
    let (_, after) = app.get_html("/admin/events/usa-2010/mail/bulk").await;
    assert_eq!(
        label(&after),
        format!(
            "Confirmed attendees ({}; 1 unsubscribed, not mailed)",
            n - 1
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_out_and_cancelled_are_different_in_the_changelog_and_the_speakers_mail() {
    use ghent::db::schema::{people, talk_people, talks};
    use std::time::Duration;
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let talk_of = |title: &str| -> (String, String, String) {
        app.with_conn(|c| {
            let talk: String = talks::table
                .filter(talks::title.eq(title))
                .select(talks::id)
                .first(c)
                .unwrap();
            let person: String = talk_people::table
                .filter(talk_people::talk_id.eq(&talk))
                .select(talk_people::person_id)
                .first(c)
                .unwrap();
            let slot: String = slots::table
                .filter(slots::talk_id.eq(&talk))
                .select(slots::id)
                .first(c)
                .unwrap();
            (talk, person, slot)
        })
    };
    let (_, chris, ci_slot) = talk_of("Continuous Integration, Pipelines and Deployment");
    let (kanban, mattias, _) = talk_of("Introducing Kanban in operations");
    app.with_conn(|c| {
        for (id, email) in [
            (&chris, "chris@example.org"),
            (&mattias, "mattias@example.org"),
        ] {
            diesel::update(people::table.find(id))
                .set(people::email.eq(Some(email)))
                .execute(c)
                .unwrap();
        }
    });
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let base = "/admin/events/ghent-2009/programme";
    let r = app
        .post_form(
            &format!("{base}/"),
            &format!("{base}/slots/{ci_slot}/unschedule"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let edit = format!("{base}/talks/{kanban}");
    let r = app
        .post_form(
            &edit,
            &edit,
            &[
                ("title", "Introducing Kanban in operations"),
                ("kind", "talk"),
                ("duration_minutes", "45"),
                ("language", "en"),
                ("state", "cancelled"),
                ("person", &mattias),
                ("role", "speaker"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let r = app
        .post_form(
            &format!("{base}/"),
            &format!("{base}/release"),
            &[("note", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    let (_, changes) = app.get_html("/ghent-2009/programme/changes/").await;
    let v2 = texts(&changes, "section#v2, section[aria-labelledby=v2]").join(" ");
    assert!(
        v2.contains(
            "Taken out of the programme for now Continuous Integration, Pipelines and Deployment"
        ),
        "{v2}"
    );
    assert!(
        v2.contains("Cancelled Introducing Kanban in operations"),
        "{v2}"
    );
    assert!(
        !changes.contains(&format!("/ghent-2009/talks/{kanban}/")),
        "no link to a page that is gone"
    );

    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let text = |to: &str| {
        parsed(caught.iter().find(|m| m.rcpt_to == [to]).unwrap())
            .body_text(0)
            .unwrap()
            .to_string()
    };
    let chris_mail = text("chris@example.org");
    assert!(
        chris_mail.contains("is taken out of the programme for now")
            && chris_mail.contains("It is not cancelled"),
        "{chris_mail}"
    );
    let mattias_mail = text("mattias@example.org");
    assert!(
        mattias_mail.contains("is cancelled: it will not happen"),
        "{mattias_mail}"
    );
    for mail in [&chris_mail, &mattias_mail] {
        for link in mail
            .split_whitespace()
            .filter(|w| w.starts_with(&app.address))
        {
            let path = &link[app.address.len()..];
            assert_eq!(
                app.new_visitor().get(path).await.status().as_u16(),
                200,
                "{link} in a mail answers"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendees_see_every_mail_sent_to_them_on_their_private_page() {
    let app = spawn_demo_app().await;
    let v = app.new_visitor();
    let r = crate::registration::register(&v, "Ada Attendee", "ada@example.org").await;
    assert_eq!(r.status().as_u16(), 200, "the check-your-inbox page");
    let token = app.manage_token("ada@example.org");
    let page = format!("/usa-2010/registration/{token}");
    let r = v.post_form(&page, &format!("{page}/confirm"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = v.get_html(&page).await;
    let mails = texts(&html, "ul.attendee-mails li");
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails[0].contains("ticket") || mails[0].contains("Ticket"),
        "newest first: {mails:?}"
    );
    assert!(mails[1].contains("onfirm"), "{mails:?}");
    // Another attendee's mail is not listed.
    crate::registration::register(&app.new_visitor(), "Bob Other", "bob@example.org").await;
    let (_, html) = v.get_html(&page).await;
    assert_eq!(texts(&html, "ul.attendee-mails li").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendees_data_export_includes_bulk_mail_and_erasing_blanks_it() {
    let app = spawn_demo_app().await;
    let v = app.new_visitor();
    crate::registration::register(&v, "Ada Attendee", "ada@example.org").await;
    let token = app.manage_token("ada@example.org");
    let page = format!("/usa-2010/registration/{token}");
    v.post_form(&page, &format!("{page}/confirm"), &[]).await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let bulk = "/admin/events/usa-2010/mail/bulk";
    let r = app
        .post_form(
            bulk,
            bulk,
            &[
                ("audience", "confirmed_attendees"),
                ("subject", "Doors open at 9"),
                ("body", "See you, {{name}}."),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    app.run_jobs().await;
    let data: serde_json::Value = v
        .get(&format!("{page}/data.json"))
        .await
        .json()
        .await
        .unwrap();
    let subjects: Vec<&str> = data["mail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"Doors open at 9"), "{subjects:?}");
    let r = v.post_form(&page, &format!("{page}/erase"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(
        !app.outbox()
            .iter()
            .any(|m| m.recipient_email == "ada@example.org" || m.subject == "Doors open at 9"),
        "the bulk mail to her is blanked too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_and_audit_logs_page_through_everything_keeping_their_filters() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    // 120 test messages and 120 audit entries: more than a page of each.
    let event = app.with_conn(|c| {
        ghent::events::queries::by_slug(c, "usa-2010")
            .unwrap()
            .unwrap()
    });
    let now = app.clock.now_naive();
    app.with_conn(|c| {
        for i in 0..120 {
            ghent::audit::record(
                c,
                now + chrono::Duration::seconds(i),
                &ghent::accounts::Actor::system("test"),
                ghent::audit::Change::on(&event.id, "test.entry", ("event", &event.id)),
                &format!("entry {i}"),
            )
            .unwrap();
        }
    });
    let (_, first) = app.get_html("/admin/events/usa-2010/audit").await;
    assert!(
        texts(&first, ".pager-summary")[0].contains("of 12"),
        "{:?}",
        texts(&first, ".pager-summary")
    );
    assert_eq!(texts(&first, "tbody tr").len(), 100);
    assert_eq!(
        next_link(&first).as_deref(),
        Some("/admin/events/usa-2010/audit?page=2")
    );
    let (_, second) = app.get_html("/admin/events/usa-2010/audit?page=2").await;
    let rows = texts(&second, "tbody tr");
    assert!(
        rows.iter().any(|r| r.contains("entry 0")),
        "the oldest entry is reachable"
    );

    let cx = ghent::context::EventContext::new(
        event.clone(),
        ghent::accounts::Actor::system("test"),
        now,
        app.state.mailer.clone(),
    );
    app.with_conn(|c| {
        for i in 0..60 {
            ghent::mail::outbox::queue_test(c, &cx, &format!("t{i}@example.org"), "").unwrap();
        }
    });
    let (_, log) = app.get_html("/admin/events/usa-2010/mail/?kind=test").await;
    assert_eq!(texts(&log, "table.mail-log tbody tr").len(), 50);
    assert!(
        texts(&log, ".pager-summary")[0].starts_with("1–50 of 60"),
        "{:?}",
        texts(&log, ".pager-summary")
    );
    assert_eq!(
        next_link(&log).as_deref(),
        Some("/admin/events/usa-2010/mail/?kind=test&page=2"),
        "the filter is kept"
    );
    let (_, page2) = app
        .get_html("/admin/events/usa-2010/mail/?kind=test&page=2")
        .await;
    assert_eq!(texts(&page2, "table.mail-log tbody tr").len(), 10);
    app.leaves_leftovers();
}

/// The href of a page's "next page" link.
fn next_link(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("a[rel=next]").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_template_editor_previews_this_events_data_keeps_indentation_out_and_names_the_error_line(
) {
    use ghent::db::schema::mail_templates;
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let page = "/admin/events/usa-2010/mail/templates/cfp_receipt";
    let (_, html) = app.get_html(page).await;
    let textarea = |html: &str| {
        let doc = scraper::Html::parse_document(html);
        let sel = scraper::Selector::parse("textarea#f-text").unwrap();
        doc.select(&sel).next().unwrap().text().collect::<String>()
    };
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/mail/cfp_receipt/text.hbs"
    ))
    .unwrap();
    assert_eq!(
        textarea(&html),
        builtin,
        "the editor shows the template as it is, not indented"
    );
    let preview = texts(&html, ".mail-preview").join(" ");
    assert!(
        preview.contains("devopsdays USA 2010") && !preview.contains("Ghent 2009"),
        "this event's data: {preview}"
    );
    assert!(
        !texts(&html, ".mail-html").is_empty(),
        "the HTML part beside the text part"
    );
    // Saved twice as shown: what is stored (and sent) is the template, not a growing indent.
    for _ in 0..2 {
        let (_, html) = app.get_html(page).await;
        let doc = scraper::Html::parse_document(&html);
        let value = |css: &str| {
            doc.select(&scraper::Selector::parse(css).unwrap())
                .next()
                .unwrap()
                .text()
                .collect::<String>()
        };
        let subject_value = doc
            .select(&scraper::Selector::parse("#f-subject").unwrap())
            .next()
            .unwrap()
            .value()
            .attr("value")
            .unwrap()
            .to_string();
        let r = app
            .post_form(
                page,
                page,
                &[
                    ("subject", &subject_value),
                    ("text", &value("textarea#f-text")),
                    ("html", &value("textarea#f-html")),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let stored: String = app.with_conn(|c| {
        mail_templates::table
            .select(mail_templates::text_body)
            .first(c)
            .unwrap()
    });
    assert_eq!(stored.trim_end(), builtin.trim_end());
    // A broken template: one message, with the part and the line, no parser dump.
    let r = app
        .post_form(
            page,
            page,
            &[
                ("subject", "Thanks"),
                ("text", "Hello,\n{{#if title}}\nno end"),
                ("html", "<p>x</p>"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.unwrap();
    let errors = texts(&body, ".field .error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Not saved: Text, line "),
        "{errors:?}"
    );
    assert!(
        !body.contains("This template does not render"),
        "the same error is not repeated below"
    );
    assert!(
        !body.contains("-->") && !body.contains(" | "),
        "no parser dump"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_names_exactly_the_fields_of_a_talk_that_changed() {
    use ghent::db::schema::{talk_people, talks};
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let (talk, person): (String, String) = app.with_conn(|c| {
        let t: String = talks::table
            .filter(talks::title.eq("Introducing Kanban in operations"))
            .select(talks::id)
            .first(c)
            .unwrap();
        let p: String = talk_people::table
            .filter(talk_people::talk_id.eq(&t))
            .select(talk_people::person_id)
            .first(c)
            .unwrap();
        (t, p)
    });
    let edit = format!("/admin/events/ghent-2009/programme/talks/{talk}");
    let r = app
        .post_form(
            &edit,
            &edit,
            &[
                ("title", "Kanban in operations"),
                (
                    "abstract",
                    "A field report from a game operations department.",
                ),
                ("kind", "talk"),
                ("duration_minutes", "45"),
                ("language", "en"),
                ("state", "cancelled"),
                ("person", &person),
                ("role", "speaker"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, log) = app.get_html("/admin/events/ghent-2009/audit").await;
    let row = texts(&log, "tbody tr")
        .into_iter()
        .find(|r| r.contains("talk.update"))
        .unwrap();
    assert!(
        row.ends_with("Saved talk “Kanban in operations”: changed title, slides, video, state"),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_of_the_demo_shows_an_unrendered_placeholder() {
    use std::collections::{BTreeSet, VecDeque};
    let app = spawn_demo_app().await;
    app.organizer(
        "owner@example.org",
        true,
        &[
            ("ghent-2009", Role::Owner),
            ("usa-2010", Role::Owner),
            ("hamburg-2010", Role::Owner),
        ],
    );
    app.login("owner@example.org").await;
    let skip = scraper::Selector::parse("textarea, code, pre, script").unwrap();
    let links = scraper::Selector::parse("a[href]").unwrap();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/", "/admin/", "/material/?q=kanban"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut offenders = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 600 {
            continue;
        }
        let r = app.get(&path).await;
        let html_page = r
            .headers()
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"));
        if !r.status().is_success() || !html_page {
            continue;
        }
        let body = r.text().await.unwrap();
        let doc = scraper::Html::parse_document(&body);
        let hidden: String = doc.select(&skip).flat_map(|e| e.text()).collect();
        let visible: String = doc.root_element().text().collect();
        if visible.matches("{{").count() > hidden.matches("{{").count() {
            offenders.push(path.clone());
        }
        for a in doc.select(&links) {
            let href = a.value().attr("href").unwrap_or_default();
            let href = href.split('#').next().unwrap_or_default();
            if href.starts_with('/')
                && !href.starts_with("/static/")
                && !href.contains("logout")
                && !href.ends_with(".ics")
            {
                queue.push_back(href.to_string());
            }
        }
    }
    assert!(
        seen.len() > 150,
        "the crawl reached only {} pages",
        seen.len()
    );
    assert!(
        offenders.is_empty(),
        "pages with an unrendered {{{{…}}}}: {offenders:?}"
    );
}

/// Uploads a schedule.xml on the admin's import page and returns the preview page.
async fn upload_schedule(app: &TestApp, slug: &str, xml: &str) -> (u16, String) {
    let page = format!("/admin/events/{slug}/programme/import");
    let (_, html) = app.get_html(&page).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf_from(&html))
        .part(
            "schedule",
            reqwest::multipart::Part::bytes(xml.as_bytes().to_vec())
                .file_name("schedule.xml")
                .mime_str("application/xml")
                .unwrap(),
        );
    let r = app
        .client
        .post(format!("{}{page}", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Applies the upload the preview page offers.
async fn apply_upload(app: &TestApp, preview: &str) -> String {
    let action = ghent_form_action(preview, "/apply");
    let r = app
        .client
        .post(format!("{}{action}", app.address))
        .form(&[("csrf_token", csrf_from(preview))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, html) = app.get_html("/admin/events/imp-2009/programme/").await;
    html
}

/// The `action` of the first form whose action ends with `suffix`.
fn ghent_form_action(html: &str, suffix: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("form[action]").unwrap();
    doc.select(&sel)
        .filter_map(|f| f.value().attr("action"))
        .find(|a| a.ends_with(suffix))
        .unwrap_or_else(|| panic!("no form ending in {suffix}: {html}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_schedule_is_previewed_applied_once_and_merged_by_guid_when_it_changes() {
    let source = spawn_demo_app().await;
    let xml = source
        .get("/ghent-2009/programme/schedule.xml")
        .await
        .text()
        .await
        .unwrap();
    let app = spawn_app().await;
    app.organizer("admin@example.org", true, &[]);
    app.login("admin@example.org").await;
    app.create_event("Imported", "imp-2009", ("2009-10-30", "2009-10-31"))
        .await;
    // Bad files are refused on the page, with the reason, and nothing is kept.
    let (status, html) = upload_schedule(&app, "imp-2009", "<schedule><event><title>").await;
    assert_eq!(status, 422, "{html}");
    assert!(
        texts(&html, "#f-schedule-error")[0].contains("no rooms and no talks"),
        "{html}"
    );
    let (status, html) = upload_schedule(&app, "imp-2009", "not < xml & at all").await;
    assert_eq!(status, 422);
    assert_eq!(texts(&html, "#f-schedule-error").len(), 1, "{html}");
    assert_eq!(app.count("schedule_uploads"), 0);

    // The preview says what would change; nothing is written until applied.
    let (status, preview) = upload_schedule(&app, "imp-2009", &xml).await;
    assert_eq!(status, 200, "{preview}");
    let changes = texts(&preview, "ul.import-changes li");
    assert!(
        changes.contains(&"New talk “Introducing Kanban in operations”".to_string()),
        "{changes:?}"
    );
    assert!(
        texts(&preview, "#preview-h + p")[0].starts_with("7 new talks, 0 updated; 38 new slots"),
        "{preview}"
    );
    assert_eq!(app.count("talks"), 0);
    let overview = apply_upload(&app, &preview).await;
    assert!(
        overview.contains("Imported into the draft: 7 new talks"),
        "{overview}"
    );
    assert_eq!(app.count("talks"), 7);
    // Applying the same upload twice is refused (it is gone), not imported twice.
    let again = ghent_form_action(&preview, "/apply");
    let r = app
        .client
        .post(format!("{}{again}", app.address))
        .form(&[("csrf_token", csrf_from(&preview))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("talks"), 7);

    // The file's guids were free here, so they were kept: favourites survive the move.
    let guid = |xml: &str, title: &str| -> String {
        let at = xml.find(&format!("<title>{title}</title>")).unwrap();
        let start = xml[..at].rfind("guid=\"").unwrap() + 6;
        xml[start..start + 36].to_string()
    };
    let kanban = guid(&xml, "Introducing Kanban in operations");
    let kept: String = app.with_conn(|c| {
        use ghent::db::schema::talks;
        talks::table
            .filter(talks::title.eq("Introducing Kanban in operations"))
            .select(talks::id)
            .first(c)
            .unwrap()
    });
    assert_eq!(kept, kanban);

    // The same file again changes nothing.
    let (_, preview) = upload_schedule(&app, "imp-2009", &xml).await;
    assert!(
        preview.contains("The event already matches this file"),
        "{preview}"
    );
    assert!(texts(&preview, "ul.import-changes li").is_empty());

    // A changed file: a talk renamed (same guid) and moved an hour later updates that talk.
    let renamed = xml.replacen(
        "<title>Introducing Kanban in operations</title>",
        "<title>Kanban for operations</title>",
        1,
    );
    let at = renamed
        .find("<title>Kanban for operations</title>")
        .unwrap();
    let date_at = at + renamed[at..].find("<date>").unwrap() + 6;
    let date_end = date_at + renamed[date_at..].find("</date>").unwrap();
    let old_date = renamed[date_at..date_end].to_string();
    let moved =
        chrono::DateTime::parse_from_rfc3339(&old_date).unwrap() + chrono::Duration::hours(1);
    let changed = format!(
        "{}{}{}",
        &renamed[..date_at],
        moved.to_rfc3339(),
        &renamed[date_end..]
    );
    let (_, preview) = upload_schedule(&app, "imp-2009", &changed).await;
    let changes = texts(&preview, "ul.import-changes li");
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0], "Talk “Kanban for operations”: title changed");
    assert!(
        changes[1].starts_with("Slot of “Kanban for operations”: start, end changed"),
        "{changes:?}"
    );
    apply_upload(&app, &preview).await;
    assert_eq!(app.count("talks"), 7);
    let (title, starts): (String, chrono::NaiveDateTime) = app.with_conn(|c| {
        use ghent::db::schema::{slots, talks};
        talks::table
            .inner_join(slots::table.on(slots::talk_id.eq(talks::id.nullable())))
            .filter(talks::id.eq(&kanban))
            .select((talks::title, slots::starts_at))
            .first(c)
            .unwrap()
    });
    assert_eq!(title, "Kanban for operations");
    assert_eq!(starts, moved.naive_utc());
}

/// The pager of a list page: its summary ("4–6 of 9 · page 2 of 3") and the next link.
fn pager_of(html: &str) -> (String, Option<String>) {
    let summary = texts(html, ".pager-summary")
        .first()
        .cloned()
        .unwrap_or_default();
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("nav.pager a[rel=next]").unwrap();
    let next = doc
        .select(&sel)
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(|h| h.replace("&amp;", "&"));
    (summary, next)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lists_are_paginated_with_a_total_and_keep_their_filters() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[("GHENT_LIST_PAGE_SIZE", "3")]).await;
    // One more proposal for USA 2010, so its list has a second page.
    let speaker = crate::cfp::speaker(&app, &catcher, "newcomer@example.org").await;
    crate::cfp::propose(&speaker, &app, "Pagination for operations").await;
    app.organizer(
        "owner@example.org",
        false,
        &[("ghent-2009", Role::Owner), ("usa-2010", Role::Owner)],
    );
    app.login("owner@example.org").await;
    let base = "/admin/events/ghent-2009";

    // Attendees, filtered: every page says how many match, the next page keeps the filter,
    // and the CSV exports all that the filter shows (not just this page).
    let usa = "/admin/events/usa-2010";
    for n in 0..8 {
        let (name, email) = (format!("Attendee {n}"), format!("a{n}@example.org"));
        let r = app
            .post_form(
                &format!("{usa}/registrations"),
                &format!("{usa}/registrations"),
                &[("name", &name), ("email", &email), ("company", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let confirmed = app.with_conn(|c| {
        use ghent::db::schema::{events, registrations};
        registrations::table
            .inner_join(events::table)
            .filter(events::slug.eq("usa-2010"))
            .filter(registrations::status.eq("confirmed"))
            .count()
            .get_result::<i64>(c)
            .unwrap()
    });
    assert!(confirmed > 6, "{confirmed} confirmed attendees");
    let base_of_list = base;
    let base = usa;
    let (_, html) = app
        .get_html(&format!("{base}/registrations?status=confirmed"))
        .await;
    assert_eq!(texts(&html, "table.attendees tbody tr").len(), 3);
    let (summary, next) = pager_of(&html);
    assert!(
        summary.starts_with(&format!("1–3 of {confirmed} · page 1 of")),
        "{summary}"
    );
    let next = next.expect("a next page");
    assert_eq!(
        next,
        format!("{base}/registrations?status=confirmed&page=2")
    );
    let (_, page2) = app.get_html(&next).await;
    assert!(pager_of(&page2)
        .0
        .starts_with(&format!("4–6 of {confirmed}")));
    assert_ne!(
        texts(&page2, "table.attendees tbody tr td:nth-child(2)"),
        texts(&html, "table.attendees tbody tr td:nth-child(2)")
    );
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("p.actions a").unwrap();
    let csv_link = doc.select(&sel).next().unwrap();
    assert_eq!(
        csv_link.text().collect::<String>(),
        format!("Download CSV of the {confirmed} attendees this filter shows")
    );
    let csv = app
        .get(csv_link.value().attr("href").unwrap())
        .await
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let statuses: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[4].to_string())
        .collect();
    assert_eq!(statuses.len() as i64, confirmed);
    assert!(statuses.iter().all(|s| s == "confirmed"), "{statuses:?}");

    let base = base_of_list;
    // Talks (7 in the demo), filtered to the scheduled ones; the filter stays on page 2.
    let (_, html) = app
        .get_html(&format!("{base}/programme/talks?scheduled=yes"))
        .await;
    assert_eq!(texts(&html, "table.talks tbody tr").len(), 3);
    let (summary, next) = pager_of(&html);
    assert_eq!(summary, "1–3 of 7 · page 1 of 3");
    assert_eq!(
        next.as_deref(),
        Some(format!("{base}/programme/talks?scheduled=yes&page=2").as_str())
    );
    let (_, last) = app
        .get_html(&format!("{base}/programme/talks?scheduled=yes&page=3"))
        .await;
    assert_eq!(texts(&last, "table.talks tbody tr").len(), 1);
    let (_, none) = app
        .get_html(&format!("{base}/programme/talks?scheduled=no"))
        .await;
    assert_eq!(pager_of(&none).0, "None");

    // Speakers: searched, paged.
    let (_, html) = app.get_html(&format!("{base}/programme/speakers")).await;
    assert_eq!(texts(&html, "ul.speakers li").len(), 3);
    assert!(pager_of(&html).0.contains(" of "), "{html}");
    let (_, html) = app
        .get_html(&format!("{base}/programme/speakers?q=debois"))
        .await;
    assert_eq!(texts(&html, "ul.speakers li"), ["Patrick Debois"]);

    // Proposals, buzz and feedback show their totals and pages too (feedback on four talks
    // first: its list is of talks).
    let talk_ids: Vec<String> = app.with_conn(|c| {
        use ghent::db::schema::{events, talks};
        talks::table
            .inner_join(events::table)
            .filter(events::slug.eq("ghent-2009"))
            .select(talks::id)
            .order(talks::number)
            .limit(4)
            .load(c)
            .unwrap()
    });
    let visitor = app.new_visitor();
    for id in &talk_ids {
        let page = format!("/ghent-2009/talks/{id}/feedback/");
        let r = visitor
            .post_form(&page, &page, &[("rating", "4"), ("comment", "Good")])
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    for (path, rows) in [
        ("/admin/events/usa-2010/cfp/", "table.proposals tbody tr"),
        (
            "/admin/events/ghent-2009/after/buzz",
            "#items-h ~ table tbody tr",
        ),
        (
            "/admin/events/ghent-2009/after/feedback",
            "table.table tbody tr",
        ),
    ] {
        let (status, html) = app.get_html(path).await;
        assert_eq!(status, 200, "{path}");
        let (summary, next) = pager_of(&html);
        assert_eq!(texts(&html, rows).len(), 3, "{path}");
        assert!(summary.starts_with("1–3 of "), "{path}: {summary}");
        let next = next.unwrap_or_else(|| panic!("{path}: no next page"));
        assert!(next.ends_with("page=2"), "{path}: {next}");
        let (_, page2) = app.get_html(&next).await;
        assert!(pager_of(&page2).0.starts_with("4–"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_speaker_downloads_their_data_and_erases_the_account_keeping_talks_under_a_chosen_name() {
    use ghent::db::schema::{mail_outbox, people, proposals};
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let me = crate::cfp::speaker(&app, &catcher, "leaving@example.org").await;
    let talked = crate::cfp::propose(&me, &app, "Pipelines that deploy themselves").await;
    let alone = crate::cfp::propose(&me, &app, "A proposal nobody will see").await;
    crate::cfp::accept_as_owner(&app, &talked).await;
    let path = format!("/usa-2010/cfp/confirm/{}", app.confirm_token(&talked));
    let r = me.post_form(&path, &path, &[("action", "confirm")]).await;
    assert_eq!(r.status().as_u16(), 303);

    // The download holds the profile, both proposals, the talk and the mail sent.
    let (_, home) = me.get_html("/usa-2010/cfp/proposals").await;
    assert!(home.contains("/usa-2010/cfp/my-data.json"));
    let r = me.get("/usa-2010/cfp/my-data.json").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let data: serde_json::Value = r.json().await.unwrap();
    assert_eq!(data["profile"]["email"], "leaving@example.org");
    let titles: Vec<&str> = data["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Pipelines that deploy themselves",
            "A proposal nobody will see"
        ]
    );
    assert_eq!(
        data["talks"][0]["title"],
        "Pipelines that deploy themselves"
    );
    assert!(
        data["mail"].as_array().unwrap().len() >= 3,
        "sign-in, receipts, acceptance: {}",
        data["mail"]
    );
    // Nobody else gets it: a visitor who is not signed in is sent to sign in.
    let r = app.new_visitor().get("/usa-2010/cfp/my-data.json").await;
    assert_ne!(r.status().as_u16(), 200);

    // Erasing needs the typed confirmation and a name (or anonymised); nothing goes before.
    let r = me
        .post_form(
            "/usa-2010/cfp/erase",
            "/usa-2010/cfp/erase",
            &[("talks", "keep"), ("public_name", " "), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert_eq!(texts(&html, "p.error").len(), 2, "{html}");
    assert_eq!(app.count("proposals"), 2 + app.with_conn(demo_proposals));
    let r = me
        .post_form(
            "/usa-2010/cfp/erase",
            "/usa-2010/cfp/erase",
            &[
                ("talks", "keep"),
                ("public_name", "J. Doe"),
                ("confirm", "erase"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    // The talk stays, under the chosen name, with nothing else of the person; the lone
    // proposal is gone; mail to them is blanked; they are signed out.
    let person: (String, Option<String>, String) = app.with_conn(|c| {
        use ghent::db::schema::{talk_people, talks};
        talk_people::table
            .inner_join(talks::table)
            .inner_join(people::table)
            .filter(talks::title.eq("Pipelines that deploy themselves"))
            .select((people::name, people::email, people::bio))
            .first(c)
            .unwrap()
    });
    assert_eq!(person, ("J. Doe".to_string(), None, String::new()));
    let left: i64 = app.with_conn(|c| {
        proposals::table
            .filter(proposals::id.eq(&alone))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(left, 0);
    let to_them: i64 = app.with_conn(|c| {
        mail_outbox::table
            .filter(mail_outbox::recipient_email.eq("leaving@example.org"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(to_them, 0);
    let (_, public) = app.get_html("/usa-2010/speakers/").await;
    assert!(!public.contains("leaving@example.org"));
    let r = me.get("/usa-2010/cfp/my-data.json").await;
    assert_ne!(r.status().as_u16(), 200, "signed out");
}

fn demo_proposals(c: &mut ghent::db::AnyConnection) -> i64 {
    use ghent::db::schema::proposals;
    proposals::table
        .filter(proposals::title.ne_all([
            "Pipelines that deploy themselves",
            "A proposal nobody will see",
        ]))
        .count()
        .get_result(c)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_start_as_drafts_for_their_team_are_published_archived_read_only_and_deleted_when_typed(
) {
    let app = spawn_demo_app().await;
    app.organizer("admin@example.org", true, &[]);
    app.login("admin@example.org").await;
    let r = app
        .create_event("Draft days", "draft-2010", ("2010-10-30", "2010-10-31"))
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // A draft: the team sees it (with a note), nobody else does, the home page does not list it.
    let (status, html) = app.get_html("/draft-2010/").await;
    assert_eq!(status, 200);
    assert!(texts(&html, ".event-notice")[0].starts_with("Draft"));
    let visitor = app.new_visitor();
    assert_eq!(visitor.get_html("/draft-2010/").await.0, 404);
    assert_eq!(visitor.get_html("/draft-2010/programme/").await.0, 404);
    assert!(!visitor.get_html("/").await.1.contains("Draft days"));
    // Published: everyone.
    let overview = "/admin/events/draft-2010/";
    let status_url = "/admin/events/draft-2010/status";
    let r = app
        .post_form(overview, status_url, &[("action", "publish")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (status, html) = visitor.get_html("/draft-2010/").await;
    assert_eq!(status, 200);
    assert!(texts(&html, ".event-notice").is_empty());
    assert!(visitor.get_html("/").await.1.contains("Draft days"));

    // A released programme of an event put back to draft is hidden too (it was cached).
    assert_eq!(visitor.get_html("/ghent-2009/programme/").await.0, 200);
    let ghent = "/admin/events/ghent-2009";
    app.post_form(
        &format!("{ghent}/"),
        &format!("{ghent}/status"),
        &[("action", "unpublish")],
    )
    .await;
    assert_eq!(visitor.get_html("/ghent-2009/programme/").await.0, 404);
    assert_eq!(
        visitor
            .get_html("/ghent-2009/programme/schedule.xml")
            .await
            .0,
        404
    );
    assert_eq!(
        app.get_html("/ghent-2009/programme/").await.0,
        200,
        "the team sees it"
    );

    // Archived (the demo's USA 2010): organizers' changes and public forms are refused with
    // the reason; nothing changes.
    let usa = "/admin/events/usa-2010";
    let r = app
        .post_form(
            &format!("{usa}/"),
            &format!("{usa}/status"),
            &[("action", "archive")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let rooms = app.count("rooms");
    let r = app
        .post_form(
            &format!("{usa}/programme/rooms"),
            &format!("{usa}/programme/rooms"),
            &[("name", "Annex"), ("description", ""), ("capacity", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("archived and read-only"));
    assert_eq!(app.count("rooms"), rooms);
    let before = app.count("registrations");
    let r = crate::registration::register(&visitor, "Late Comer", "late@example.org").await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("This event is archived"));
    assert_eq!(app.count("registrations"), before);
    let (_, home) = visitor.get_html("/usa-2010/").await;
    assert!(texts(&home, ".event-notice")[0].contains("archived"));
    // Out of the archive, changes work again.
    app.post_form(
        &format!("{usa}/"),
        &format!("{usa}/status"),
        &[("action", "unarchive")],
    )
    .await;
    let r = app
        .post_form(
            &format!("{usa}/programme/rooms"),
            &format!("{usa}/programme/rooms"),
            &[("name", "Annex"), ("description", ""), ("capacity", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("rooms"), rooms + 1);

    // Deleting needs the slug typed; then the event and what it held are gone.
    let talks_of = |slug: &str| -> i64 {
        app.with_conn(|c| {
            use ghent::db::schema::{events, talks};
            talks::table
                .inner_join(events::table)
                .filter(events::slug.eq(slug))
                .count()
                .get_result(c)
                .unwrap()
        })
    };
    assert!(talks_of("usa-2010") > 0);
    let r = app
        .post_form(
            &format!("{usa}/"),
            &format!("{usa}/delete"),
            &[("confirm_slug", "usa")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&format!("{usa}/")).await;
    assert!(
        html.contains("Type the event&#x27;s slug, usa-2010")
            || html.contains("Type the event's slug, usa-2010"),
        "{html}"
    );
    assert_eq!(visitor.get_html("/usa-2010/").await.0, 200);
    let r = app
        .post_form(
            &format!("{usa}/"),
            &format!("{usa}/delete"),
            &[("confirm_slug", "usa-2010")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(visitor.get_html("/usa-2010/").await.0, 404);
    assert_eq!(talks_of("usa-2010"), 0);
    let orphans: i64 = app.with_conn(|c| {
        use ghent::db::schema::{proposals, registrations};
        let p: i64 = proposals::table.count().get_result(c).unwrap();
        let r: i64 = registrations::table
            .filter(
                registrations::event_id
                    .ne_all(ghent::db::schema::events::table.select(ghent::db::schema::events::id)),
            )
            .count()
            .get_result(c)
            .unwrap();
        p + r
    });
    assert_eq!(orphans, 0, "the demo's proposals were all USA 2010's");
}

/// The people of a talk, in order: (name, role).
fn talk_people_of(app: &TestApp, title: &str) -> Vec<(String, String)> {
    use ghent::db::schema::{people, talk_people, talks};
    app.with_conn(|c| {
        talk_people::table
            .inner_join(talks::table)
            .inner_join(people::table)
            .filter(talks::title.eq(title))
            .order(talk_people::position)
            .select((people::name, talk_people::role))
            .load(c)
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_talk_form_suggests_this_and_earlier_events_speakers_and_adds_new_ones_by_name() {
    use ghent::db::schema::{events, people, talk_people, talks};
    let app = spawn_demo_app().await;
    app.organizer(
        "owner@example.org",
        false,
        &[("ghent-2009", Role::Owner), ("usa-2010", Role::Owner)],
    );
    app.login("owner@example.org").await;
    let speakers_of = |slug: &str| -> Vec<String> {
        app.with_conn(|c| {
            talk_people::table
                .inner_join(talks::table.inner_join(events::table))
                .inner_join(people::table)
                .filter(events::slug.eq(slug))
                .select(people::name)
                .load(c)
                .unwrap()
        })
    };
    let (ghent, usa) = (speakers_of("ghent-2009"), speakers_of("usa-2010"));
    let later_only = usa.iter().find(|n| !ghent.contains(n)).unwrap().clone();
    // Ghent 2009 came first: its form suggests its own speakers, not USA 2010's.
    let (_, html) = app
        .get_html("/admin/events/ghent-2009/programme/talks/new")
        .await;
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("#speaker-suggestions option").unwrap();
    let suggested: Vec<String> = doc
        .select(&sel)
        .filter_map(|o| o.value().attr("value").map(str::to_string))
        .collect();
    assert!(ghent.iter().all(|n| suggested.contains(n)), "{suggested:?}");
    assert!(!suggested.contains(&later_only), "{later_only} spoke later");
    assert!(
        texts(&html, "select[name=person]").is_empty(),
        "no fixed dropdowns"
    );
    // USA 2010's form suggests both events' speakers.
    let new = "/admin/events/usa-2010/programme/talks/new";
    let (_, html) = app.get_html(new).await;
    assert!(html.contains(&format!("<option value=\"{}\">", ghent[0])));

    // Adding an earlier event's speaker by name uses their profile; a new name makes one.
    let people_before = app.count("people");
    let fields = |add: &str| {
        vec![
            ("title", "Two generations of ops".to_string()),
            ("kind", "panel".to_string()),
            ("duration_minutes", "45".to_string()),
            ("language", "en".to_string()),
            ("state", "confirmed".to_string()),
            ("add_person", add.to_string()),
            ("add_role", "moderator".to_string()),
        ]
    };
    let owned = fields(&ghent[0].to_lowercase());
    let form: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .post_form(new, "/admin/events/usa-2010/programme/talks", &form)
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(
        app.count("people"),
        people_before,
        "matched, not duplicated"
    );
    assert_eq!(
        talk_people_of(&app, "Two generations of ops"),
        [(ghent[0].clone(), "moderator".to_string())]
    );
    let talk: String = app.with_conn(|c| {
        talks::table
            .filter(talks::title.eq("Two generations of ops"))
            .select(talks::id)
            .first(c)
            .unwrap()
    });
    let edit = format!("/admin/events/usa-2010/programme/talks/{talk}");
    let (_, html) = app.get_html(&edit).await;
    assert_eq!(
        texts(&html, ".talk-people .person-name"),
        [ghent[0].clone()]
    );
    let moderator: String = app.with_conn(|c| {
        people::table
            .filter(people::name.eq(&ghent[0]))
            .select(people::id)
            .first(c)
            .unwrap()
    });
    let mut owned = fields("Grace Newcomer");
    owned[6].1 = "speaker".into();
    owned.extend([
        ("person", moderator.clone()),
        ("role", "moderator".to_string()),
    ]);
    let form: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form(&edit, &edit, &form).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("people"), people_before + 1);
    assert_eq!(
        talk_people_of(&app, "Two generations of ops"),
        [
            (ghent[0].clone(), "moderator".to_string()),
            ("Grace Newcomer".to_string(), "speaker".to_string())
        ]
    );
    // Ticking "take off the talk" removes a person.
    let mut owned = fields("");
    owned.extend([
        ("person", moderator.clone()),
        ("role", "moderator".to_string()),
        ("remove", moderator.clone()),
    ]);
    let form: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form(&edit, &edit, &form).await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(talk_people_of(&app, "Two generations of ops").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_talk_placed_outside_its_speakers_availability_is_a_conflict_that_names_them() {
    use ghent::db::schema::{people, speaker_availability};
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let mattias: String = app.with_conn(|c| {
        people::table
            .filter(people::name.eq("Mattias Skarin"))
            .select(people::id)
            .first(c)
            .unwrap()
    });
    let base = "/admin/events/ghent-2009/programme";
    let page = format!("{base}/speakers/{mattias}/availability");
    let conflicts = || async {
        let (_, html) = app.get_html(&format!("{base}/")).await;
        texts(&html, ".conflicts li")
            .into_iter()
            .filter(|c| c.contains("not available"))
            .collect::<Vec<_>>()
    };
    assert!(
        conflicts().await.is_empty(),
        "nothing said, nothing clashes"
    );
    // A bad window is refused on the page, with the day's message; nothing is stored.
    let r = app
        .post_form(
            &page,
            &page,
            &[("from", "12:00"), ("to", "09:00"), ("from", ""), ("to", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert_eq!(
        texts(&html, "#f-day-0-error"),
        ["The end must be after the start."]
    );
    assert_eq!(app.count("speaker_availability"), 0);
    // Friday only: his Saturday talk is a conflict, with his name and when he can come.
    let r = app
        .post_form(
            &page,
            &page,
            &[("from", "09:00"), ("to", "18:00"), ("from", ""), ("to", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let found = conflicts().await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(
            "Mattias Skarin is not available for “Introducing Kanban in operations” on Saturday"
        ) && found[0].contains("Fri 30 Oct 09:00–18:00"),
        "{found:?}"
    );
    // Saturday morning too: the talk fits, the conflict goes.
    app.post_form(
        &page,
        &page,
        &[
            ("from", "09:00"),
            ("to", "18:00"),
            ("from", "09:00"),
            ("to", "12:00"),
        ],
    )
    .await;
    assert!(conflicts().await.is_empty());
    let (_, html) = app.get_html(&page).await;
    assert!(html.contains("id=\"f-to-1\" name=\"to\" type=\"time\" value=\"12:00\""));

    // Speakers give theirs on their CfP pages.
    let me = crate::cfp::speaker(&app, &catcher, "avail@example.org").await;
    let (status, html) = me.get_html("/usa-2010/cfp/availability").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, ".day-label"), ["Friday 25 June 2010"]);
    let r = me
        .post_form(
            "/usa-2010/cfp/availability",
            "/usa-2010/cfp/availability",
            &[("from", "13:00"), ("to", "17:00")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let stored: Vec<(chrono::NaiveDateTime, chrono::NaiveDateTime)> = app.with_conn(|c| {
        speaker_availability::table
            .inner_join(people::table)
            .filter(people::email.eq("avail@example.org"))
            .select((
                speaker_availability::starts_at,
                speaker_availability::ends_at,
            ))
            .load(c)
            .unwrap()
    });
    // 13:00 in San Francisco (PDT, UTC-7) is 20:00 UTC.
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0.to_string(), "2010-06-25 20:00:00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_dragged_to_a_free_cell_moves_there_with_its_talk_and_keeps_its_length() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let base = "/admin/events/ghent-2009/programme";
    let (_, html) = app.get_html(&format!("{base}/")).await;
    let doc = scraper::Html::parse_document(&html);
    // The grid's free cells say where a dropped slot goes; slots have a drag handle.
    let free =
        scraper::Selector::parse("#programme-editor td.empty[data-starts][data-room-id]").unwrap();
    let cells: Vec<(String, String)> = doc
        .select(&free)
        .map(|c| {
            (
                c.value().attr("data-starts").unwrap().to_string(),
                c.value().attr("data-room-id").unwrap().to_string(),
            )
        })
        .collect();
    assert!(!cells.is_empty(), "free cells carry their time and room");
    let handle = scraper::Selector::parse("[data-move-slot]").unwrap();
    assert!(doc.select(&handle).count() > 5);
    let (slot, length): (String, i64) = app.with_conn(|c| {
        use ghent::db::schema::{slots, talks};
        let (id, s, e): (String, chrono::NaiveDateTime, chrono::NaiveDateTime) = slots::table
            .inner_join(talks::table.on(slots::talk_id.eq(talks::id.nullable())))
            .filter(talks::title.eq("Introducing Kanban in operations"))
            .select((slots::id, slots::starts_at, slots::ends_at))
            .first(c)
            .unwrap();
        (id, (e - s).num_minutes())
    });
    let (starts, room) = cells.last().unwrap().clone();
    let r = app
        .post_form(
            &format!("{base}/"),
            &format!("{base}/slots/{slot}/move"),
            &[("starts_at", &starts), ("room_id", &room)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (s, e, r, talk): (
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        Option<String>,
        Option<String>,
    ) = app.with_conn(|c| {
        use ghent::db::schema::slots;
        slots::table
            .find(&slot)
            .select((
                slots::starts_at,
                slots::ends_at,
                slots::room_id,
                slots::talk_id,
            ))
            .first(c)
            .unwrap()
    });
    assert_eq!(ghent::events::display::iso_utc(s), starts);
    assert_eq!((e - s).num_minutes(), length);
    assert_eq!(r.as_deref(), Some(room.as_str()).filter(|r| !r.is_empty()));
    assert!(talk.is_some(), "the talk moved with its slot");
    // The audit log says so; a room of another event is refused.
    let (_, audit) = app.get_html("/admin/events/ghent-2009/audit").await;
    assert!(audit.contains("Moved the slot at"));
    let other: String = app.with_conn(|c| {
        use ghent::db::schema::{events, rooms};
        rooms::table
            .inner_join(events::table)
            .filter(events::slug.eq("usa-2010"))
            .select(rooms::id)
            .first(c)
            .unwrap()
    });
    let r = app
        .post_form(
            &format!("{base}/"),
            &format!("{base}/slots/{slot}/move"),
            &[("starts_at", &starts), ("room_id", &other)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
}
