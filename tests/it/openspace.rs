//! Open spaces over HTTP, on both backends: the marketplace (join, propose, dots), merging,
//! placing on the board with its rules, the suggested draft, the board in the programme and its
//! exports, notes with a conflicting save, and 300 people voting in the same minute.

use diesel::prelude::*;
use ghent::accounts::Role;
use ghent::db::schema::{openspace_participants, openspace_topics, openspace_votes, rooms, slots};

use crate::helpers::*;

const MARKET: &str = "/usa-2010/openspace/";

/// A visitor who joined USA 2010's marketplace with the demo code.
async fn participant(app: &TestApp, name: &str) -> Visitor {
    let v = app.new_visitor();
    let r = v
        .post_form(
            MARKET,
            "/usa-2010/openspace/join",
            &[("code", "devops"), ("name", name)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    v
}

fn topic_id(app: &TestApp, slug: &str, title: &str) -> String {
    app.with_conn(|c| {
        let event = ghent::events::queries::by_slug(c, slug).unwrap().unwrap();
        openspace_topics::table
            .filter(openspace_topics::event_id.eq(&event.id))
            .filter(openspace_topics::title.eq(title))
            .select(openspace_topics::id)
            .first::<String>(c)
            .unwrap()
    })
}

fn votes_on(app: &TestApp, topic: &str) -> i64 {
    app.with_conn(|c| {
        openspace_votes::table
            .filter(openspace_votes::topic_id.eq(topic))
            .count()
            .get_result(c)
            .unwrap()
    })
}

async fn vote(v: &Visitor, topic: &str, action: &str) -> String {
    let r = v
        .post_form(
            MARKET,
            &format!("/usa-2010/openspace/topics/{topic}/{action}"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = v.get_html(MARKET).await;
    texts(&html, ".flash").join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn propose_vote_with_n_dots_change_votes_from_two_browsers_and_merge_without_double_counts() {
    let app = spawn_demo_app().await;
    // A wrong code is refused on the same page, with what was typed kept.
    let stranger = app.new_visitor();
    let r = stranger
        .post_form(
            MARKET,
            "/usa-2010/openspace/join",
            &[("code", "nope"), ("name", "Mallory")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("not the marketplace code"), "{html}");
    assert!(html.contains("value=\"Mallory\""));
    // Without joining, a vote is refused with a message saying how to join.
    let flash = vote(
        &stranger,
        &topic_id(&app, "usa-2010", "Metrics everyone looks at"),
        "vote",
    )
    .await;
    assert!(flash.contains("Join the open space first"), "{flash}");

    let (alice, bob) = (
        participant(&app, "Alice").await,
        participant(&app, "Bob").await,
    );
    // Alice proposes three topics; an empty title comes back with a message.
    let r = alice
        .post_form(
            MARKET,
            "/usa-2010/openspace/topics",
            &[("title", ""), ("description", "x"), ("convener", "Alice")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Please enter a title"));
    for title in [
        "Chaos engineering",
        "Chaos experiments in production",
        "On-call rotations",
    ] {
        let r = alice
            .post_form(
                MARKET,
                "/usa-2010/openspace/topics",
                &[
                    ("title", title),
                    ("description", "Let us talk."),
                    ("convener", "Alice"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    // A bot filling the honeypot gets the same answer and nothing is stored.
    let before = app.count("openspace_topics");
    alice
        .post_form(
            MARKET,
            "/usa-2010/openspace/topics",
            &[
                ("title", "Cheap pills"),
                ("description", ""),
                ("convener", "Bot"),
                ("website", "http://spam"),
            ],
        )
        .await;
    assert_eq!(app.count("openspace_topics"), before);
    let (_, html) = bob.get_html(MARKET).await;
    assert!(
        texts(&html, ".topic h3")
            .iter()
            .any(|t| t == "Chaos engineering"),
        "{html}"
    );

    let a = topic_id(&app, "usa-2010", "Chaos engineering");
    let b = topic_id(&app, "usa-2010", "Chaos experiments in production");
    let c = topic_id(&app, "usa-2010", "On-call rotations");
    let d = topic_id(&app, "usa-2010", "Metrics everyone looks at");
    // Three dots: the fourth is refused; one per topic; taking one back frees it.
    assert!(vote(&alice, &a, "vote").await.contains("Your dot is on it"));
    assert!(vote(&alice, &a, "vote").await.contains("one per topic"));
    vote(&alice, &b, "vote").await;
    vote(&alice, &c, "vote").await;
    let refused = vote(&alice, &d, "vote").await;
    assert!(refused.contains("All your 3 dots are placed"), "{refused}");
    let (_, html) = alice.get_html(MARKET).await;
    assert_eq!(texts(&html, ".dots-left"), vec!["0"]);
    vote(&alice, &c, "unvote").await;
    assert!(vote(&alice, &d, "vote").await.contains("Your dot is on it"));
    // Bob votes for B only.
    vote(&bob, &b, "vote").await;
    assert_eq!(
        (votes_on(&app, &a), votes_on(&app, &b), votes_on(&app, &c)),
        (1, 2, 0)
    );
    // The live counts say the same.
    let counts: serde_json::Value = bob
        .get("/usa-2010/openspace/counts.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (counts[&a].as_i64(), counts[&b].as_i64()),
        (Some(1), Some(2))
    );

    // A facilitator merges B into A: Alice voted for both and keeps one dot on A, getting the
    // other back; Bob's vote moves to A.
    app.organizer("fac@example.org", false, &[("usa-2010", Role::Facilitator)]);
    let fac = app.new_visitor();
    fac.login("fac@example.org").await;
    let admin = "/admin/events/usa-2010/openspace/";
    let r = fac
        .post_form(
            admin,
            "/admin/events/usa-2010/openspace/merge",
            &[("from", &b), ("into", &a)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!((votes_on(&app, &a), votes_on(&app, &b)), (2, 0));
    let alice_used: i32 = app.with_conn(|c| {
        openspace_participants::table
            .filter(openspace_participants::name.eq("Alice"))
            .select(openspace_participants::dots_used)
            .first(c)
            .unwrap()
    });
    assert_eq!(alice_used, 2, "Alice got the merged dot back");
    let (_, html) = alice.get_html(MARKET).await;
    assert!(!texts(&html, ".topic h3")
        .iter()
        .any(|t| t == "Chaos experiments in production"));
    assert_eq!(texts(&html, ".dots-left"), vec!["1"]);
    // The facilitator may not change the settings (organizers only), and sees no other admin page.
    let r = fac
        .post_form(
            admin,
            "/admin/events/usa-2010/openspace/settings",
            &[
                ("access", "code"),
                ("dots", "5"),
                ("market", "open"),
                ("notes_days", "3"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        fac.get("/admin/events/usa-2010/registrations")
            .await
            .status()
            .as_u16(),
        403
    );
    // Hiding a topic takes it off the marketplace and gives its dots back.
    fac.post_form(
        admin,
        &format!("/admin/events/usa-2010/openspace/topics/{d}/moderate"),
        &[("action", "hide")],
    )
    .await;
    let (_, html) = alice.get_html(MARKET).await;
    assert!(!texts(&html, ".topic h3")
        .iter()
        .any(|t| t == "Metrics everyone looks at"));
    assert_eq!(texts(&html, ".dots-left"), vec!["2"]);
    // Closed by hand: votes can no longer change.
    let (_, html) = bob.get_html(MARKET).await;
    let token = csrf_from(&html);
    fac.post_form(
        admin,
        "/admin/events/usa-2010/openspace/market",
        &[("market", "closed")],
    )
    .await;
    bob.post_raw(
        &format!("/usa-2010/openspace/topics/{c}/vote"),
        &[("csrf_token", &token)],
    )
    .await;
    let (_, html) = bob.get_html(MARKET).await;
    assert!(
        texts(&html, ".flash")
            .join("")
            .contains("marketplace is closed"),
        "{html}"
    );
    assert_eq!(votes_on(&app, &c), 0);
}

/// Ghent 2009's board: (slot id, room, local start) of its open-space slots that take topics.
fn ghent_slots(app: &TestApp) -> Vec<(String, String, chrono::NaiveDateTime)> {
    app.with_conn(|c| {
        let event = ghent::events::queries::by_slug(c, "ghent-2009")
            .unwrap()
            .unwrap();
        slots::table
            .inner_join(rooms::table)
            .filter(slots::event_id.eq(&event.id))
            .filter(slots::kind.eq("open_space"))
            .filter(rooms::name.ne("Main room"))
            .order((slots::starts_at, rooms::position))
            .select((slots::id, rooms::name, slots::starts_at))
            .load(c)
            .unwrap()
    })
}

fn slot_of(app: &TestApp, topic: &str) -> Option<String> {
    app.with_conn(|c| {
        openspace_topics::table
            .find(topic)
            .select(openspace_topics::slot_id)
            .first(c)
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placing_refuses_a_taken_room_and_a_convener_in_two_places_and_the_programme_shows_the_board(
) {
    let app = spawn_demo_app().await;
    app.organizer("o@example.org", false, &[("ghent-2009", Role::Organizer)]);
    app.login("o@example.org").await;
    let admin = "/admin/events/ghent-2009/openspace/";
    let (_, html) = app.get_html(admin).await;
    assert!(
        html.contains("Opening of the open space (marketplace)"),
        "the marketplace slots take no topic"
    );
    let spaces = ghent_slots(&app);
    let deploy = topic_id(&app, "ghent-2009", "Deployment: who pushes the button?");
    let monitoring = topic_id(&app, "ghent-2009", "Monitoring that tells you something");
    let packaging = topic_id(&app, "ghent-2009", "Packaging: deb, rpm or tarballs?");
    assert_eq!(
        slot_of(&app, &deploy).as_deref(),
        Some(spaces[0].0.as_str())
    );
    let place = |topic: String, slot: String| {
        let app = &app;
        async move {
            app.post_form(
                admin,
                "/admin/events/ghent-2009/openspace/place",
                &[("topic_id", &topic), ("slot_id", &slot)],
            )
            .await;
            let (_, html) = app.get_html(admin).await;
            texts(&html, ".flash").join(" ")
        }
    };
    // A room holds one topic per slot.
    let refused = place(packaging.clone(), spaces[1].0.clone()).await;
    assert!(
        refused.contains("already holds “Monitoring that tells you something”"),
        "{refused}"
    );
    // The same convener (An Peeters convenes both) cannot be in two rooms at once.
    assert_eq!(
        place(monitoring.clone(), String::new()).await,
        "Taken off the board."
    );
    let refused = place(packaging.clone(), spaces[1].0.clone()).await;
    assert!(refused.contains("cannot be in two places"), "{refused}");
    assert_eq!(slot_of(&app, &monitoring), None);
    // The marketplace slot takes no topic.
    let market_slot: String = app.with_conn(|c| {
        slots::table
            .inner_join(rooms::table)
            .filter(rooms::name.eq("Main room"))
            .filter(slots::kind.eq("open_space"))
            .select(slots::id)
            .first(c)
            .unwrap()
    });
    assert!(place(packaging.clone(), market_slot)
        .await
        .contains("takes no topic"));
    // A topic can move.
    assert_eq!(
        place(monitoring.clone(), spaces[1].0.clone()).await,
        "Placed."
    );

    // Suggest a board: with two slots freed, the draft fills them from the unplaced topics,
    // most votes first; accepting places them.
    place(deploy.clone(), String::new()).await;
    place(monitoring.clone(), String::new()).await;
    let r = app
        .post_form(admin, "/admin/events/ghent-2009/openspace/suggest", &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(admin).await;
    assert!(
        texts(&html, ".flash")
            .join("")
            .contains("The draft places 2 topics"),
        "{html}"
    );
    assert_eq!(texts(&html, ".card.draft").len(), 2);
    assert_eq!(
        slot_of(&app, &deploy),
        None,
        "a draft places nothing until accepted"
    );
    app.post_form(
        admin,
        "/admin/events/ghent-2009/openspace/draft/accept",
        &[],
    )
    .await;
    assert!(slot_of(&app, &deploy).is_some() && slot_of(&app, &monitoring).is_some());

    // The public programme, its exports and the board show the placed topics, with the board's
    // version in the exports' version; an empty slot keeps its placeholder.
    place(monitoring.clone(), String::new()).await;
    place(deploy.clone(), String::new()).await;
    assert_eq!(place(deploy.clone(), spaces[0].0.clone()).await, "Placed.");
    let (_, grid) = app.get_html("/ghent-2009/programme/").await;
    assert!(
        grid.contains(&format!("/ghent-2009/openspace/topics/{deploy}/")),
        "the grid links the topic"
    );
    let xml = app
        .get("/ghent-2009/programme/schedule.xml")
        .await
        .text()
        .await
        .unwrap();
    assert!(xml.contains(&format!("<event guid=\"{deploy}\"")), "{xml}");
    assert!(xml.contains("<person guid=") && xml.contains(">An Peeters</person>"));
    let version = xml
        .split("<version>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(version.starts_with("1."), "{version}");
    let json: serde_json::Value = app
        .get("/ghent-2009/programme/schedule.json")
        .await
        .json()
        .await
        .unwrap();
    let all = json.to_string();
    assert!(all.contains(&deploy) && all.contains("Deployment: who pushes the button?"));
    let ics = app
        .get("/ghent-2009/programme/schedule.ics")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains("SUMMARY:Deployment: who pushes the button?"),
        "{ics}"
    );
    // The programme's ETag carries the board version: moving a topic changes it at once.
    let etag = app
        .get("/ghent-2009/programme/schedule.xml")
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    place(deploy.clone(), String::new()).await;
    let after = app.get("/ghent-2009/programme/schedule.xml").await;
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
    let xml = after.text().await.unwrap();
    assert!(!xml.contains(&format!("guid=\"{deploy}\"")));
    assert!(
        xml.contains(&format!("<event guid=\"{}\"", spaces[0].0)),
        "the empty slot keeps its placeholder event"
    );
    let (_, board) = app
        .new_visitor()
        .get_html("/ghent-2009/openspace/board/")
        .await;
    assert!(board.contains("Kanban for operations teams"));
    let (status, kiosk) = app
        .new_visitor()
        .get_html("/ghent-2009/openspace/board/?kiosk=1")
        .await;
    assert_eq!(status, 200);
    assert!(kiosk.contains("class=\"os-board kiosk\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_keep_every_revision_and_a_save_over_a_newer_one_shows_both() {
    let app = spawn_demo_app().await;
    let (alice, bob) = (
        participant(&app, "Alice").await,
        participant(&app, "Bob").await,
    );
    let topic = topic_id(&app, "usa-2010", "Devops in a large enterprise");
    let page = format!("/usa-2010/openspace/topics/{topic}/");
    let (_, html) = alice.get_html(&page).await;
    assert!(html.contains("No notes yet"));
    // Both open the page at revision 0; Alice saves first.
    let save = |v: &Visitor, body: &'static str, base: &'static str, editor: &'static str| {
        let (v, page) = (v.clone(), page.clone());
        async move {
            v.post_form(
                &page,
                &page,
                &[("body", body), ("editor", editor), ("base", base)],
            )
            .await
        }
    };
    let r = save(&alice, "Start with **one** team.", "0", "Alice").await;
    assert_eq!(r.status().as_u16(), 303);
    let r = save(&bob, "Forty teams need a platform.", "0", "Bob").await;
    assert_eq!(r.status().as_u16(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Someone saved these notes while you were editing"),
        "{html}"
    );
    assert!(html.contains("<strong>one</strong>"), "their text is shown");
    assert!(
        html.contains("Forty teams need a platform."),
        "and Bob's is kept in the form"
    );
    // Bob merges and saves over revision 1.
    let r = save(
        &bob,
        "Start with **one** team.\n\nForty teams need a platform.",
        "1",
        "Bob",
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.new_visitor().get_html(&page).await;
    assert_eq!(
        texts(&html, ".history li"),
        vec![
            "Revision 2 by Bob, Sunday 15 November 2009, 09:24 PST",
            "Revision 1 by Alice, Sunday 15 November 2009, 09:24 PST"
        ]
    );
    // Markdown is sanitized.
    save(&alice, "<script>alert(1)</script> fine", "2", "Alice").await;
    let (_, html) = app.new_visitor().get_html(&page).await;
    assert!(!html.contains("<script>alert(1)</script>") && html.contains("fine"));
    // A visitor who has not joined sees the notes but no form; talks have notes pages too.
    let (_, html) = app.new_visitor().get_html(&page).await;
    assert!(!html.contains("name=\"body\""));
    let talk: String = app.with_conn(|c| {
        ghent::db::schema::talks::table
            .filter(ghent::db::schema::talks::title.eq("Introducing Kanban in operations"))
            .select(ghent::db::schema::talks::id)
            .first(c)
            .unwrap()
    });
    let (status, html) = app
        .new_visitor()
        .get_html(&format!("/ghent-2009/talks/{talk}/notes/"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Notes: Introducing Kanban in operations"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_people_voting_in_the_same_minute_leave_exact_counts() {
    use futures_util::StreamExt;
    let app = spawn_app_with(&[("GHENT_FORM_RATE_LIMIT_PER_MINUTE", "0")]).await;
    app.with_conn(|c| ghent::seed::demo(c, demo_now().naive_utc()).unwrap());
    let proposer = participant(&app, "Proposer").await;
    for title in ["Blue-green deployments", "Feature flags"] {
        proposer
            .post_form(
                MARKET,
                "/usa-2010/openspace/topics",
                &[
                    ("title", title),
                    ("description", ""),
                    ("convener", "Proposer"),
                ],
            )
            .await;
    }
    let topics: Vec<String> = app.with_conn(|c| {
        let event = ghent::events::queries::by_slug(c, "usa-2010")
            .unwrap()
            .unwrap();
        openspace_topics::table
            .filter(openspace_topics::event_id.eq(&event.id))
            .select(openspace_topics::id)
            .load(c)
            .unwrap()
    });
    assert_eq!(topics.len(), 4);
    let before = app.count("openspace_votes");
    // 300 people join, then each sends a vote for every one of the four topics at once, with
    // three dots: exactly three land per person, whatever the interleaving.
    let people: Vec<usize> = (0..300).collect();
    let landed: Vec<usize> = futures_util::stream::iter(people)
        .map(|i| {
            let (app, topics) = (&app, topics.clone());
            async move {
                let v = participant(app, &format!("Person {i}")).await;
                let (_, html) = v.get_html(MARKET).await;
                let token = csrf_from(&html);
                let sends = topics.iter().map(|t| {
                    let (v, token) = (v.clone(), token.clone());
                    let url = format!("{}/usa-2010/openspace/topics/{t}/vote", v.address);
                    async move {
                        v.client
                            .post(url)
                            .form(&[("csrf_token", token.as_str())])
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    }
                });
                let statuses = futures_util::future::join_all(sends).await;
                statuses.iter().filter(|s| **s == 303).count()
            }
        })
        .buffer_unordered(60)
        .collect()
        .await;
    assert_eq!(landed.len(), 300);
    let votes = app.count("openspace_votes") - before;
    assert_eq!(votes, 900, "300 people × 3 dots");
    assert!(
        landed.iter().all(|n| *n == 4),
        "every request answered with a redirect (the fourth with a refusal)"
    );
    let used: Vec<i32> = app.with_conn(|c| {
        openspace_participants::table
            .filter(openspace_participants::name.like("Person %"))
            .select(openspace_participants::dots_used)
            .load(c)
            .unwrap()
    });
    assert_eq!(used.len(), 300);
    assert!(used.iter().all(|u| *u == 3), "every dot counted once");
    let per_person: Vec<i64> = app.with_conn(|c| {
        openspace_votes::table
            .inner_join(openspace_participants::table)
            .filter(openspace_participants::name.like("Person %"))
            .group_by(openspace_votes::participant_id)
            .select(diesel::dsl::count_star())
            .load(c)
            .unwrap()
    });
    assert!(per_person.len() == 300 && per_person.iter().all(|n| *n == 3));
    let counts: serde_json::Value = app
        .get("/usa-2010/openspace/counts.json")
        .await
        .json()
        .await
        .unwrap();
    for t in &topics {
        assert_eq!(
            counts[t].as_i64(),
            Some(votes_on(&app, t)),
            "the live counts match the rows"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_attendees_notes_are_in_their_data_and_their_name_leaves_with_their_erasure() {
    let app = spawn_demo_app().await;
    let v = app.new_visitor();
    let form = [
        ("name", "Carol"),
        ("email", "carol@example.org"),
        ("company", ""),
        ("accept", "on"),
        ("website", ""),
    ];
    v.post_form("/usa-2010/register/", "/usa-2010/register/", &form)
        .await;
    let token = app.manage_token("carol@example.org");
    let page = format!("/usa-2010/registration/{token}");
    v.post_form(&page, &format!("{page}/confirm"), &[]).await;
    let (_, html) = v.get_html(&page).await;
    assert!(
        html.contains(&format!("/usa-2010/openspace/join/{token}")),
        "her page links the open space"
    );
    let r = v.get(&format!("/usa-2010/openspace/join/{token}")).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = v.get_html(MARKET).await;
    assert!(
        html.contains("You take part as <strong>Carol</strong>"),
        "{html}"
    );
    let topic = topic_id(&app, "usa-2010", "Devops in a large enterprise");
    let notes = format!("/usa-2010/openspace/topics/{topic}/");
    let r = v
        .post_form(
            &notes,
            &notes,
            &[
                ("body", "Notes by the attendee"),
                ("editor", "Carol C."),
                ("base", "0"),
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
    assert_eq!(
        data["open_space"]["notes_revisions"][0]["editor_name"],
        "Carol C."
    );
    v.post_form(&page, &format!("{page}/erase"), &[]).await;
    app.run_jobs().await;
    let (_, html) = app.new_visitor().get_html(&notes).await;
    assert!(
        html.contains("Notes by the attendee") && !html.contains("Carol C."),
        "{html}"
    );
    assert!(html.contains("(name removed)"));
}
