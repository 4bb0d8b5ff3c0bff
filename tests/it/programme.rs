//! The programme: public pages from the latest release only, the release cache (ETag, 304,
//! invalidation across instances), exports valid against the frab/C3VOC schemas, export →
//! import round trip, conflicts, releases with their changelog and speaker mail.

use std::collections::BTreeSet;
use std::time::Duration;

use diesel::prelude::*;
use ghent::accounts::Role;

use crate::helpers::*;

fn talk_id(app: &TestApp, title: &str) -> String {
    use diesel::prelude::*;
    use ghent::db::schema::talks;
    app.with_conn(|c| {
        talks::table
            .filter(talks::title.eq(title))
            .select(talks::id)
            .first(c)
            .unwrap()
    })
}

fn slot_of_talk(app: &TestApp, talk: &str) -> String {
    use diesel::prelude::*;
    use ghent::db::schema::slots;
    app.with_conn(|c| {
        slots::table
            .filter(slots::talk_id.eq(talk))
            .select(slots::id)
            .first(c)
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_grid_shows_days_rooms_and_breaks_in_the_event_timezone() {
    let app = spawn_demo_app().await;
    let (status, html) = app.get_html("/ghent-2009/programme/").await;
    assert_eq!(status, 200);
    assert_eq!(
        texts(&html, "section.day h2"),
        ["Friday 30 October 2009", "Saturday 31 October 2009"]
    );
    let heads = texts(&html, "section#day-1 thead th");
    assert_eq!(
        heads,
        [
            "Time",
            "Main room",
            "Open space A",
            "Open space B",
            "Open space C"
        ]
    );
    // Talks link to their pages; breaks span every room.
    let doc = scraper::Html::parse_document(&html);
    let lunch = doc
        .select(&scraper::Selector::parse("section#day-1 td.kind-break").unwrap())
        .find(|td| td.text().any(|t| t.contains("Lunch")))
        .expect("a lunch cell");
    assert_eq!(lunch.value().attr("colspan"), Some("4"));
    assert!(texts(&html, "section#day-1 td.slot")
        .iter()
        .any(|t| t.contains("09:30–10:15 · Main room")
            && t.contains("Non-Functional Requirements")
            && t.contains("Rachel Davies")));
    assert!(
        texts(&html, "section#day-1 tbody th").contains(&"09:15".to_string()),
        "times in CET"
    );
    // The event page now links to the programme.
    let (_, event) = app.get_html("/ghent-2009/").await;
    assert!(event.contains("href=\"/ghent-2009/programme/\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_talk_page_shows_its_time_room_speakers_slides_and_a_privacy_friendly_video() {
    let app = spawn_demo_app().await;
    let welcome = talk_id(&app, "Welcome to devopsdays");
    let (status, html) = app.get_html(&format!("/ghent-2009/talks/{welcome}/")).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "h1"), ["Welcome to devopsdays"]);
    assert!(texts(&html, ".talk-when")[0]
        .starts_with("Friday 30 October 2009, 09:15–09:30 CET · Main room"));
    assert!(
        html.contains("src=\"https://www.youtube-nocookie.com/embed/EOveXZhJpr4\""),
        "YouTube becomes a nocookie embed"
    );
    let rachel = talk_id(
        &app,
        "Non-Functional Requirements: do user stories really help?",
    );
    let (_, html) = app.get_html(&format!("/ghent-2009/talks/{rachel}/")).await;
    assert!(
        html.contains("href=\"http://blip.tv/file/3021957\"") && !html.contains("<iframe"),
        "other video sites stay links"
    );
    assert!(
        html.contains("rachel-davies-nonfunctional-devopsdays.pdf"),
        "slides"
    );
    assert!(texts(&html, ".speakers a").contains(&"Rachel Davies".to_string()));
    let ics = app
        .get(&format!("/ghent-2009/talks/{rachel}/talk.ics"))
        .await;
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = ics.text().await.unwrap();
    assert!(
        ics.contains("DTSTART:20091030T083000Z") && ics.contains("DTEND:20091030T091500Z"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:{rachel}@")));
    // Speakers.
    let (_, speakers) = app.get_html("/ghent-2009/speakers/").await;
    assert!(texts(&speakers, ".speaker-list > li > a").contains(&"Patrick Debois".to_string()));
    assert_eq!(
        app.get("/ghent-2009/talks/00000000-0000-0000-0000-000000000000/")
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_released_version_is_public_and_etags_revalidate() {
    let app = spawn_demo_app().await;
    let r = app.get("/ghent-2009/programme/").await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    // The ETag carries the release and the open-space board versions.
    assert!(etag.starts_with("\"v1.1-"), "{etag}");
    let again = app
        .client
        .get(format!("{}/ghent-2009/programme/", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert!(again.text().await.unwrap().is_empty());

    // A draft change is not public …
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let kanban = talk_id(&app, "Introducing Kanban in operations");
    let edit = format!("/admin/events/ghent-2009/programme/talks/{kanban}");
    let (_, form) = app.get_html(&edit).await;
    assert!(form.contains("value=\"Introducing Kanban in operations\""));
    use diesel::prelude::*;
    app.with_conn(|c| {
        diesel::update(ghent::db::schema::talks::table.find(&kanban))
            .set(ghent::db::schema::talks::title.eq("Kanban in operations, revisited"))
            .execute(c)
            .unwrap();
    });
    let (_, public) = app.get_html(&format!("/ghent-2009/talks/{kanban}/")).await;
    assert!(
        public.contains("Introducing Kanban in operations"),
        "the draft is not public"
    );
    // … until it is released.
    let r = app
        .post_form(
            "/admin/events/ghent-2009/programme/",
            "/admin/events/ghent-2009/programme/release",
            &[("note", "Renamed a talk")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app.get(&format!("/ghent-2009/talks/{kanban}/")).await;
    let new_etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(new_etag.starts_with("\"v2.1-") && new_etag != etag);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Kanban in operations, revisited"));
    let stale = app
        .client
        .get(format!("{}/ghent-2009/programme/", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status().as_u16(),
        200,
        "an old ETag no longer matches"
    );
    let (_, changes) = app.get_html("/ghent-2009/programme/changes/").await;
    assert!(texts(&changes, "section.release")
        .iter()
        .any(|s| s.contains("Version 2")
            && s.contains(
                "“Introducing Kanban in operations” is now Kanban in operations, revisited"
            )
            && s.contains("Renamed a talk")));
}

/// Changes one talk's description, so that a release has something new (a release without a
/// change is refused).
fn change_a_talk(app: &TestApp, slug: &str) {
    use diesel::prelude::*;
    use ghent::db::schema::{events, talks};
    app.with_conn(|c| {
        let event: String = events::table
            .filter(events::slug.eq(slug))
            .select(events::id)
            .first(c)
            .unwrap();
        let talk: String = talks::table
            .filter(talks::event_id.eq(&event))
            .select(talks::id)
            .first(c)
            .unwrap();
        diesel::update(talks::table.find(talk))
            .set(talks::description.eq("Changed for a new release."))
            .execute(c)
            .unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_made_on_another_instance_is_served_within_seconds() {
    let a = spawn_demo_app().await;
    // A second server over the same database, as a second instance behind a load balancer.
    let settings = test_settings(&a.db.url, a.data_dir.path(), &[]);
    let b_app = ghent::startup::Application::build(settings, a.clock.clone()).unwrap();
    let b_url = b_app.base_url();
    let b_handle = b_app.handle();
    tokio::spawn(b_app.run_until_stopped());
    let b = Visitor {
        address: b_url,
        client: client(),
    };
    let (_, first) = b.get_html("/usa-2010/programme/").await;
    assert!(first.contains("Version 1"));
    a.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    a.login("owner@example.org").await;
    change_a_talk(&a, "usa-2010");
    let r = a
        .post_form(
            "/admin/events/usa-2010/programme/",
            "/admin/events/usa-2010/programme/release",
            &[("note", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let started = std::time::Instant::now();
    loop {
        let (_, html) = b.get_html("/usa-2010/programme/").await;
        if html.contains("Version 2") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "instance B still serves version 1 after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b_handle.stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_validate_against_the_schedule_schemas() {
    let app = spawn_demo_app().await;
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/schemas/schedule.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft6::new(&schema).unwrap();
    let xmllint = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok();
    if !xmllint {
        cannot_run("schedule.xml validation needs xmllint (apt-get install libxml2-utils)");
    }
    for slug in ["ghent-2009", "usa-2010"] {
        let json: serde_json::Value = app
            .get(&format!("/{slug}/programme/schedule.json"))
            .await
            .json()
            .await
            .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{slug}/schedule.json: {errors:#?}");
        assert_eq!(
            json["schedule"]["conference"]["acronym"],
            slug.replace('-', "_")
        );
        let xml = app
            .get(&format!("/{slug}/programme/schedule.xml"))
            .await
            .text()
            .await
            .unwrap();
        assert!(xml.contains("<event guid=\""));
        if xmllint {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("schedule.xml");
            std::fs::write(&file, &xml).unwrap();
            let out = std::process::Command::new("xmllint")
                .args([
                    "--noout",
                    "--schema",
                    concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/tests/schemas/schedule.xml.xsd"
                    ),
                ])
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{slug}/schedule.xml does not validate: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // Breaks are exported too, with absolute links and the talks' stable ids.
        assert!(xml.contains("<type>break</type>"));
        assert!(xml.contains(&format!("<url>{}/{slug}/talks/", app.address)));
    }
    let feed = app
        .get("/ghent-2009/programme/schedule.ics")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        feed.matches("BEGIN:VEVENT").count(),
        7 + 2 * (1 + 1 + 1 + 9 + 2 + 1) + 1,
        "every slot of both days, and the social"
    );
    let embed: serde_json::Value = app
        .get("/ghent-2009/programme/programme.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(embed["version"], "1.1", "release 1, board 1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn talk_guids_and_ids_stay_the_same_across_releases() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let ids = |json: &serde_json::Value| -> BTreeSet<(String, i64)> {
        json["schedule"]["conference"]["days"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| {
                d["rooms"].as_object().unwrap().values().flat_map(|evs| {
                    evs.as_array().unwrap().iter().map(|e| {
                        (
                            e["guid"].as_str().unwrap().to_string(),
                            e["id"].as_i64().unwrap(),
                        )
                    })
                })
            })
            .collect()
    };
    let before: serde_json::Value = app
        .get("/ghent-2009/programme/schedule.json")
        .await
        .json()
        .await
        .unwrap();
    change_a_talk(&app, "ghent-2009");
    app.post_form(
        "/admin/events/ghent-2009/programme/",
        "/admin/events/ghent-2009/programme/release",
        &[("note", "again")],
    )
    .await;
    let after: serde_json::Value = app
        .get("/ghent-2009/programme/schedule.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["schedule"]["version"], "2.1", "release 2, board 1");
    assert_eq!(ids(&before), ids(&after));
    let numbers: BTreeSet<i64> = ids(&after).into_iter().map(|(_, n)| n).collect();
    assert_eq!(
        numbers.len(),
        ids(&after).len(),
        "integer ids are unique across talks and breaks"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_exported_and_imported_again_gives_the_same_talks_rooms_and_times() {
    let source = spawn_demo_app().await;
    let xml = source
        .get("/ghent-2009/programme/schedule.xml")
        .await
        .text()
        .await
        .unwrap();
    let original: serde_json::Value = source
        .get("/ghent-2009/programme/schedule.json")
        .await
        .json()
        .await
        .unwrap();

    // A fresh server with an empty event, into which the file is imported and released.
    let target = spawn_app().await;
    target.organizer("admin@example.org", true, &[]);
    target.login("admin@example.org").await;
    target
        .create_event("Ghent again", "ghent-again", ("2009-10-30", "2009-10-31"))
        .await;
    let now = target.clock.now_naive();
    let summary = target.with_conn(|c| {
        let event = ghent::events::queries::by_slug(c, "ghent-again")
            .unwrap()
            .unwrap();
        let s = ghent::programme::import::import_frab_xml(
            c,
            now,
            &ghent::accounts::Actor::system("test"),
            &event,
            &xml,
            ghent::programme::import::Mode::Apply,
        )
        .unwrap();
        ghent::programme::release::release(
            c,
            now,
            None,
            &ghent::accounts::Actor::system("test"),
            &event,
            "imported",
        )
        .unwrap();
        s
    });
    assert_eq!(summary.talks, 7);
    assert_eq!(summary.rooms, 4);
    let again: serde_json::Value = target
        .get("/ghent-again/programme/schedule.json")
        .await
        .json()
        .await
        .unwrap();
    let entries =
        |json: &serde_json::Value| -> BTreeSet<(String, String, String, String, String, String)> {
            json["schedule"]["conference"]["days"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|d| {
                    d["rooms"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .flat_map(|(room, evs)| {
                            evs.as_array().unwrap().iter().map(move |e| {
                                // An open-space topic's convener is not a speaker: the
                                // import makes the topic an open-space slot of its title.
                                let persons = if e["type"] == "open_space" {
                                    String::new()
                                } else {
                                    e["persons"]
                                        .as_array()
                                        .unwrap()
                                        .iter()
                                        .map(|p| p["name"].as_str().unwrap().to_string())
                                        .collect::<Vec<_>>()
                                        .join(",")
                                };
                                (
                                    room.clone(),
                                    e["title"].as_str().unwrap().into(),
                                    e["date"].as_str().unwrap().into(),
                                    e["duration"].as_str().unwrap().into(),
                                    e["guid"].as_str().unwrap().into(),
                                    persons,
                                )
                            })
                        })
                })
                .collect()
        };
    assert_eq!(
        entries(&original),
        entries(&again),
        "same rooms, titles, times, durations, guids and speakers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_are_shown_before_release() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let (status, html) = app.get_html("/admin/events/ghent-2009/programme/").await;
    assert_eq!(status, 200);
    assert!(
        texts(&html, "ul.conflicts li").is_empty(),
        "the demo has no conflicts: {:?}",
        texts(&html, "ul.conflicts li")
    );
    // Put Lindsay's talk in a 20-minute slot at the same time as Rachel's, in the same room.
    let lindsay = talk_id(
        &app,
        "Cucumber-nagios + Flapjack: rethinking monitoring for the cloud",
    );
    let main: String = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::rooms::table
            .filter(ghent::db::schema::rooms::name.eq("Main room"))
            .select(ghent::db::schema::rooms::id)
            .first(c)
            .unwrap()
    });
    let r = app
        .post_form(
            "/admin/events/ghent-2009/programme/slots/new",
            "/admin/events/ghent-2009/programme/slots",
            &[
                ("starts_at", "2009-10-30T09:40"),
                ("ends_at", "2009-10-30T10:00"),
                ("room_id", &main),
                ("kind", "talk"),
                ("talk_id", &lindsay),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    // And make Rachel speak in it too.
    let rachel_person: String = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::people::table
            .filter(ghent::db::schema::people::name.eq("Rachel Davies"))
            .select(ghent::db::schema::people::id)
            .first(c)
            .unwrap()
    });
    let lindsay_person: String = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::people::table
            .filter(ghent::db::schema::people::name.eq("Lindsay Holmwood"))
            .select(ghent::db::schema::people::id)
            .first(c)
            .unwrap()
    });
    let edit = format!("/admin/events/ghent-2009/programme/talks/{lindsay}");
    let r = app
        .post_form(
            &edit,
            &edit,
            &[
                (
                    "title",
                    "Cucumber-nagios + Flapjack: rethinking monitoring for the cloud",
                ),
                ("kind", "talk"),
                ("duration_minutes", "45"),
                ("language", "en"),
                ("state", "confirmed"),
                ("person", &lindsay_person),
                ("role", "speaker"),
                ("person", &rachel_person),
                ("role", "speaker"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, html) = app.get_html("/admin/events/ghent-2009/programme/").await;
    let conflicts = texts(&html, "ul.conflicts li");
    assert!(
        conflicts.iter().any(|c| c.contains("overlap in Main room")),
        "{conflicts:?}"
    );
    assert!(
        conflicts
            .iter()
            .any(|c| c.starts_with("Rachel Davies is in")),
        "{conflicts:?}"
    );
    assert!(
        conflicts
            .iter()
            .any(|c| c.contains("lasts 45 minutes but its slot") && c.contains("has 20")),
        "{conflicts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_slot_input_is_refused_on_the_form() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let r = app
        .post_form(
            "/admin/events/ghent-2009/programme/slots/new",
            "/admin/events/ghent-2009/programme/slots",
            &[
                ("starts_at", "2009-10-30T11:00"),
                ("ends_at", "2009-10-30T10:00"),
                ("room_id", "nope"),
                ("kind", "party"),
                ("talk_id", ""),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    let errors = texts(&html, ".error-summary li");
    assert!(
        errors.iter().any(|e| e.contains("end after it starts")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("this event's rooms")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("kind of slot")),
        "{errors:?}"
    );
    assert!(html.contains("value=\"2009-10-30T11:00\""), "input kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_talk_and_releasing_mails_its_speaker_once_and_lists_it_in_the_changelog() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    use diesel::prelude::*;
    app.with_conn(|c| {
        diesel::update(
            ghent::db::schema::people::table
                .filter(ghent::db::schema::people::name.eq("Teyo Tyree")),
        )
        .set(ghent::db::schema::people::email.eq("teyo@example.org"))
        .execute(c)
        .unwrap();
    });
    let teyo = talk_id(&app, "Building Agile Infrastructures with Puppet");
    let slot = slot_of_talk(&app, &teyo);
    let edit = format!("/admin/events/ghent-2009/programme/slots/{slot}");
    let (_, form) = app.get_html(&edit).await;
    let room = {
        let doc = scraper::Html::parse_document(&form);
        let sel = scraper::Selector::parse("#f-room_id option[selected]").unwrap();
        doc.select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("value")
            .unwrap()
            .to_string()
    };
    let r = app
        .post_form(
            &edit,
            &edit,
            &[
                ("starts_at", "2009-10-31T14:00"),
                ("ends_at", "2009-10-31T14:45"),
                ("room_id", &room),
                ("kind", "talk"),
                ("talk_id", &teyo),
                ("title", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let r = app
        .post_form(
            "/admin/events/ghent-2009/programme/",
            "/admin/events/ghent-2009/programme/release",
            &[("note", "Teyo moves to Saturday")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        catcher.messages().len(),
        1,
        "only the moved talk's speaker is mailed"
    );
    assert_eq!(caught[0].rcpt_to, ["teyo@example.org"]);
    let text = parsed(&caught[0]).body_text(0).unwrap().to_string();
    assert!(text.contains("moved to Saturday 31 October 2009, 14:00 CET, Main room (it was Friday 30 October 2009, 11:30 CET, Main room)"), "{text}");
    let (_, changes) = app.get_html("/ghent-2009/programme/changes/").await;
    let v2 = texts(&changes, "section.release")[0].clone();
    assert!(v2.contains("Moved") && v2.contains("Building Agile Infrastructures with Puppet") && v2.contains("now Saturday 31 October 2009, 14:00 CET, Main room (was Friday 30 October 2009, 11:30 CET"), "{v2}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speaker_emails_never_appear_on_public_pages_or_exports() {
    let app = spawn_demo_app().await;
    use diesel::prelude::*;
    app.with_conn(|c| {
        diesel::update(ghent::db::schema::people::table)
            .set(ghent::db::schema::people::email.eq(Some("private-address@example.org")))
            .filter(ghent::db::schema::people::name.eq("Patrick Debois"))
            .execute(c)
            .unwrap();
    });
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    app.post_form(
        "/admin/events/ghent-2009/programme/",
        "/admin/events/ghent-2009/programme/release",
        &[("note", "")],
    )
    .await;
    let welcome = talk_id(&app, "Welcome to devopsdays");
    let visitor = app.new_visitor();
    let patrick: String = app.with_conn(|c| {
        ghent::db::schema::people::table
            .filter(ghent::db::schema::people::name.eq("Patrick Debois"))
            .select(ghent::db::schema::people::id)
            .first(c)
            .unwrap()
    });
    for path in [
        "/ghent-2009/programme/".to_string(),
        format!("/ghent-2009/talks/{welcome}/"),
        "/ghent-2009/speakers/".to_string(),
        format!("/ghent-2009/speakers/{patrick}/"),
        "/ghent-2009/programme/schedule.xml".to_string(),
        "/ghent-2009/programme/schedule.json".to_string(),
        "/ghent-2009/programme/schedule.ics".to_string(),
        "/ghent-2009/programme/programme.json".to_string(),
        format!("/ghent-2009/talks/{welcome}/talk.ics"),
    ] {
        let (status, body) = visitor.get_html(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("private-address"),
            "{path} shows a speaker's email"
        );
    }
}

#[test]
fn import_schedule_reads_a_frab_file_from_the_command_line() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
    ghent::seed::demo(&mut conn, demo_now().naive_utc()).unwrap();
    let usa = ghent::events::queries::by_slug(&mut conn, "usa-2010")
        .unwrap()
        .unwrap();
    let snap = ghent::programme::release::latest(&mut conn, &usa.id)
        .unwrap()
        .unwrap();
    let ctx = ghent::programme::export::ExportContext {
        base_url: "http://ghent.test",
        version: 1,
        board_version: 0,
        released_at: demo_now().naive_utc(),
    };
    let xml = ghent::programme::export::schedule_xml(&snap.snapshot, &ctx).unwrap();
    let file = dir.path().join("usa.xml");
    std::fs::write(&file, xml).unwrap();
    let now = demo_now().naive_utc();
    let form = ghent::events::form::EventForm {
        name: "Copy".into(),
        slug: "usa-copy".into(),
        timezone: "America/Los_Angeles".into(),
        starts_at: "2010-06-25T09:00".into(),
        ends_at: "2010-06-25T18:00".into(),
        ..ghent::events::form::EventForm::blank()
    };
    ghent::events::lifecycle::create(
        &mut conn,
        now,
        &ghent::accounts::Actor::system("t"),
        ghent::events::form::parse(&form).unwrap(),
        false,
    )
    .unwrap();
    drop(conn);
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ghent"))
            .arg("import-schedule")
            .arg(&file)
            .args(["--event", "usa-copy"])
            .args(extra)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db.url)
            .env("GHENT_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let talks_of_copy = || -> i64 {
        let mut conn = ghent::db::Manager::new(&db.url).open().unwrap();
        use ghent::db::schema::{events, talks};
        talks::table
            .inner_join(events::table)
            .filter(events::slug.eq("usa-copy"))
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    // A dry run says what would change and changes nothing.
    let stdout = run(&["--dry-run"]);
    assert!(
        stdout.contains("Dry run, nothing changed; importing into usa-copy: 7 new talks, 0 updated; 12 new slots"),
        "{stdout}"
    );
    assert!(stdout.contains("  New talk “"), "{stdout}");
    assert_eq!(talks_of_copy(), 0);
    // The guids are taken already (the source event is in the same database), so new ones are
    // made; people are matched by name.
    let stdout = run(&["--release"]);
    assert!(
        stdout.contains("Imported into usa-copy: 7 new talks, 0 updated; 12 new slots, 0 updated; 0 unchanged; 1 new rooms"),
        "{stdout}"
    );
    assert!(stdout.contains("Released version 1"));
    assert_eq!(talks_of_copy(), 7);
    // The same file again: matched by title (the guids could not be kept), nothing changes.
    let stdout = run(&[]);
    assert!(
        stdout.contains("0 new talks, 0 updated; 0 new slots, 0 updated; 12 unchanged"),
        "{stdout}"
    );
    assert!(stdout.contains("The event already matches the file."));
    assert_eq!(talks_of_copy(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_personal_agenda_feed_holds_just_the_chosen_talks() {
    let app = spawn_demo_app().await;
    let kanban = talk_id(&app, "Introducing Kanban in operations");
    let puppet = talk_id(&app, "Building Agile Infrastructures with Puppet");
    let url =
        format!("/ghent-2009/programme/agenda.ics?talks={kanban},not-a-talk,{puppet},{kanban}");
    let r = app.get(&url).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let ics = r.text().await.unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
    // Each once, in programme order: Friday's Puppet talk before Saturday's Kanban one.
    let (p, k) = (
        ics.find("SUMMARY:Building Agile Infrastructures with Puppet")
            .unwrap(),
        ics.find("SUMMARY:Introducing Kanban in operations")
            .unwrap(),
    );
    assert!(p < k);
    assert!(
        ics.contains("X-WR-CALNAME:devopsdays Ghent 2009 · my agenda"),
        "{ics}"
    );
    assert!(
        !ics.contains('@') || !ics.contains("example.org"),
        "no addresses"
    );
    // Polling it revalidates like the other exports.
    let again = app
        .client
        .get(format!("{}{url}", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    // No talks chosen: an empty calendar, not an error.
    let (status, empty) = app.get_html("/ghent-2009/programme/agenda.ics").await;
    assert_eq!(status, 200);
    assert!(empty.contains("BEGIN:VCALENDAR") && !empty.contains("BEGIN:VEVENT"));
}
