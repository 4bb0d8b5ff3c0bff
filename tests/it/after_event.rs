//! After the event: presentations (and the speaker's own material), buzz with its moderated
//! suggestions and Atom feed, the material library's search, sponsor logos, feedback on talks,
//! and the "tell me when it opens" notice of the next event.

use std::time::Duration;

use diesel::prelude::*;
use ghent::accounts::Role;
use ghent::db::schema::{buzz_items, notice_subscriptions, talk_feedback, talks};

use crate::helpers::*;

fn talk_id(app: &TestApp, title: &str) -> String {
    app.with_conn(|c| {
        talks::table
            .filter(talks::title.eq(title))
            .select(talks::id)
            .first(c)
            .unwrap()
    })
}

const KANBAN: &str = "Introducing Kanban in operations";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presentations_list_every_released_talk_with_slides_video_and_recording_status() {
    let app = spawn_demo_app().await;
    let (status, html) = app.get_html("/ghent-2009/presentations/").await;
    assert_eq!(status, 200);
    let items = texts(&html, "li.presentation h2");
    assert_eq!(items.len(), 7, "{items:?}");
    assert!(items.iter().any(|t| t == KANBAN));
    let doc = scraper::Html::parse_document(&html);
    let embeds = doc
        .select(&scraper::Selector::parse("li.presentation iframe").unwrap())
        .count();
    assert_eq!(
        embeds, 1,
        "only the welcome talk's YouTube video is embedded"
    );
    assert!(html.contains("https://www.youtube-nocookie.com/embed/EOveXZhJpr4"));
    assert!(
        html.contains(r#"<a href="http://blip.tv/file/3022558">Video</a>"#),
        "other hosts get a plain link"
    );
    assert!(html.contains(r#"href="http://blog.crisp.se/mattiasskarin/files/slides/introducing_kanban_in_operations.pdf""#));
    let (_, day2) = app
        .get_html("/ghent-2009/presentations/?day=2009-10-31")
        .await;
    let day2 = texts(&day2, "li.presentation h2");
    assert_eq!(day2.len(), 3, "{day2:?}");
    assert!(
        day2.contains(&KANBAN.to_string()) && !day2.iter().any(|t| t.starts_with("Non-Functional"))
    );

    // Organizers fix links in bulk; a bad link is refused on the page, nothing saved.
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let id = talk_id(&app, KANBAN);
    let page = "/admin/events/ghent-2009/after/presentations";
    let r = app
        .post_form(
            page,
            page,
            &[
                ("talk_id", &id),
                ("slides_url", "https://example.org/kanban.pdf"),
                ("video_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Enter a web address starting with https://"));
    let r = app
        .post_form(
            page,
            page,
            &[
                ("talk_id", &id),
                ("slides_url", "https://example.org/kanban.pdf"),
                ("video_url", "https://vimeo.com/123456"),
                ("do_not_record", &id),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, day2) = app
        .get_html("/ghent-2009/presentations/?day=2009-10-31")
        .await;
    let kanban: Vec<String> = texts(&day2, "li.presentation")
        .into_iter()
        .filter(|t| t.contains(KANBAN))
        .collect();
    assert!(kanban[0].contains("not recorded"), "{kanban:?}");
    assert!(day2.contains("https://example.org/kanban.pdf"));
    assert!(
        !day2.contains("player.vimeo.com"),
        "a talk not recorded shows no video"
    );
    let (_, talk) = app.get_html(&format!("/ghent-2009/talks/{id}/")).await;
    assert!(talk.contains("not recorded") && talk.contains("https://example.org/kanban.pdf"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_speaker_adds_slides_and_video_after_the_proposal_is_read_only() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = crate::cfp::speaker(&app, &catcher, "recorded-not@example.org").await;
    let pid = crate::cfp::propose(&v, &app, "Deploys on Fridays").await;
    let (_, form) = v.get_html(&format!("/usa-2010/cfp/proposals/{pid}")).await;
    assert!(form.contains("Please do not record my talk"));
    // Not confirmed yet: no material page.
    let r = v
        .get(&format!("/usa-2010/cfp/proposals/{pid}/material"))
        .await;
    assert_eq!(r.status().as_u16(), 409);
    // Ask not to be recorded on the proposal, then get accepted and confirm.
    let edit = format!("/usa-2010/cfp/proposals/{pid}");
    let r = v
        .post_form(
            &edit,
            &edit,
            &[
                ("title", "Deploys on Fridays"),
                (
                    "submission_type_id",
                    &crate::cfp::type_id(&app, "Lightning talk"),
                ),
                ("track_id", ""),
                ("abstract", "Five minutes on *one* idea."),
                ("description", ""),
                ("notes", ""),
                ("co_speakers", ""),
                ("do_not_record", "on"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, form) = v.get_html(&edit).await;
    assert!(
        form.contains(r#"name="do_not_record" value="on" checked"#),
        "the choice is kept"
    );
    crate::cfp::accept_as_owner(&app, &pid).await;
    let confirm = format!("/usa-2010/cfp/confirm/{}", app.confirm_token(&pid));
    let r = app
        .new_visitor()
        .post_form(&confirm, &confirm, &[("action", "confirm")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let talk = talk_id(&app, "Deploys on Fridays");
    let dnr: bool = app.with_conn(|c| {
        talks::table
            .find(&talk)
            .select(talks::do_not_record)
            .first(c)
            .unwrap()
    });
    assert!(dnr, "the proposal's choice passed on to the talk");
    // The proposal itself is read-only now, and says so; its material stays editable.
    let (_, proposal) = v.get_html(&format!("/usa-2010/cfp/proposals/{pid}")).await;
    assert!(
        proposal.contains("This proposal is a confirmed talk now: it can no longer be changed.")
    );
    assert!(!proposal.contains(&format!(r#"action="/usa-2010/cfp/proposals/{pid}""#)));
    assert!(proposal.contains(&format!(r#"href="/usa-2010/cfp/proposals/{pid}/material""#)));
    let page = format!("/usa-2010/cfp/proposals/{pid}/material");
    let (status, html) = v.get_html(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("No feedback yet") && html.contains(" checked"));
    let r = v
        .post_form(
            &page,
            &page,
            &[
                ("abstract", "Deploy *every* day, Fridays too."),
                ("slides_url", "https://slides.example.org/fridays"),
                ("video_url", "https://youtu.be/EOveXZhJpr4"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (slides, video, dnr, abs): (String, String, bool, String) = app.with_conn(|c| {
        talks::table
            .find(&talk)
            .select((
                talks::slides_url,
                talks::video_url,
                talks::do_not_record,
                talks::abstract_,
            ))
            .first(c)
            .unwrap()
    });
    assert_eq!(
        (slides.as_str(), video.as_str(), dnr),
        (
            "https://slides.example.org/fridays",
            "https://youtu.be/EOveXZhJpr4",
            false
        )
    );
    assert_eq!(abs, "Deploy *every* day, Fridays too.");
    // Someone else's proposal is not theirs to change.
    let other = crate::cfp::speaker(&app, &catcher, "someone-else@example.org").await;
    assert_eq!(other.get(&page).await.status().as_u16(), 404);
}

async fn add_buzz(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = "/admin/events/ghent-2009/after/buzz";
    app.post_form(page, page, fields).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buzz_is_added_suggested_moderated_and_published_in_a_feed_that_validates() {
    let app = spawn_demo_app().await;
    let (_, home) = app.get_html("/ghent-2009/").await;
    assert_eq!(
        texts(&home, "section.buzz li").len(),
        3,
        "the home shows the latest three"
    );
    assert!(texts(&home, "section.buzz li")[0].contains("Two Weeks Later"));
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let kanban = talk_id(&app, KANBAN);
    let about = format!("talk:{kanban}");
    let r = add_buzz(
        &app,
        &[
            ("title", "Kanban at the game studio, a write-up"),
            ("author", "A. Writer"),
            ("url", "https://example.org/kanban-write-up"),
            ("published_on", "2009-11-20"),
            ("kind", "blog"),
            ("quote", "Limits work."),
            ("about", &about),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = add_buzz(
        &app,
        &[
            ("title", ""),
            ("published_on", "yesterday"),
            ("kind", "blog"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let bad = r.text().await.unwrap();
    assert!(bad.contains("Please enter a title") && bad.contains("YYYY-MM-DD"));
    let (_, talk) = app.get_html(&format!("/ghent-2009/talks/{kanban}/")).await;
    assert!(
        texts(&talk, "section.related li")[0].contains("Kanban at the game studio"),
        "linked buzz comes first in the related material"
    );

    // A visitor suggests; it waits for moderation.
    let visitor = app.new_visitor();
    let suggestion = [
        ("url", "https://example.org/my-report"),
        ("title", "My devopsdays report"),
        ("author", "Visitor"),
        ("published_on", "2009-11-01"),
        ("kind", "report"),
    ];
    let r = visitor
        .post_form("/ghent-2009/buzz/", "/ghent-2009/buzz/", &suggestion)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mut bot = suggestion.to_vec();
    bot[0] = ("url", "https://spam.example/");
    bot.push(("website", "http://spam.example/"));
    let before = app.count("buzz_items");
    visitor
        .post_form("/ghent-2009/buzz/", "/ghent-2009/buzz/", &bot)
        .await;
    assert_eq!(
        app.count("buzz_items"),
        before,
        "the honeypot keeps bots out"
    );
    let (_, public) = visitor.get_html("/ghent-2009/buzz/").await;
    assert!(!public.contains("My devopsdays report"));
    let (_, admin) = app.get_html("/admin/events/ghent-2009/after/buzz").await;
    assert!(
        texts(&admin, "section[aria-labelledby=waiting-h] li")[0].contains("My devopsdays report")
    );
    let id: String = app.with_conn(|c| {
        buzz_items::table
            .filter(buzz_items::title.eq("My devopsdays report"))
            .select(buzz_items::id)
            .first(c)
            .unwrap()
    });
    let r = app
        .post_form(
            "/admin/events/ghent-2009/after/buzz",
            &format!("/admin/events/ghent-2009/after/buzz/{id}/moderate"),
            &[("action", "publish")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, public) = visitor.get_html("/ghent-2009/buzz/").await;
    assert!(
        public.contains("My devopsdays report") && public.contains("Kanban at the game studio")
    );

    // The feed, as a feed reader reads it, and against RFC 4287's schema.
    let r = visitor.get("/ghent-2009/buzz/feed.atom").await;
    assert_eq!(
        r.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let body = r.text().await.unwrap();
    let feed = atom_syndication::Feed::read_from(body.as_bytes()).expect("an Atom feed");
    assert_eq!(feed.title().as_str(), "Buzz · devopsdays Ghent 2009");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert_eq!(
        titles[0], "Kanban at the game studio, a write-up",
        "newest first"
    );
    assert!(feed
        .entries()
        .iter()
        .all(|e| !e.links().is_empty() && e.id().starts_with("urn:uuid:")));
    validates_against_atom_schema(&body);
}

/// `xmllint --relaxng` with the RELAX NG schema of RFC 4287 (tests/fixtures/atom).
fn validates_against_atom_schema(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.atom");
    std::fs::write(&file, xml).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/atom/atom.rng");
    let out = match std::process::Command::new("xmllint")
        .args(["--noout", "--relaxng", schema])
        .arg(&file)
        .output()
    {
        Ok(out) => out,
        Err(_) => return cannot_run("xmllint (libxml2-utils)"),
    };
    assert!(
        out.status.success(),
        "the feed does not validate:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The check can fail: a feed without its required <id> does not validate.
    std::fs::write(
        &file,
        xml.replacen("<id>", "<idx>", 1)
            .replacen("</id>", "</idx>", 1),
    )
    .unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--relaxng", schema])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the schema check cannot fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_finds_an_abstract_a_buzz_title_and_a_note_and_ranks_title_matches_first() {
    let app = spawn_demo_app().await;
    let search = |q: &str| format!("/material/?q={q}");
    // A word of a talk's abstract.
    let (status, html) = app.get_html(&search("backlog")).await;
    assert_eq!(status, 200);
    let results = texts(&html, "ol.results li");
    assert!(
        results.len() == 1 && results[0].contains("Non-Functional Requirements"),
        "{results:?}"
    );
    assert!(html.contains("<mark>backlog</mark>"));
    // A buzz title, and a word only in an open-space topic's notes.
    let (_, html) = app.get_html(&search("weeks+later")).await;
    assert!(texts(&html, "ol.results li")[0].contains("Devopsdays09 - Two Weeks Later"));
    let (_, html) = app.get_html(&search("symptoms")).await;
    let results = texts(&html, "ol.results li");
    assert!(
        results.len() == 1 && results[0].starts_with("Open-space topics and notes"),
        "{results:?}"
    );
    assert!(html.contains("<mark>symptoms</mark>"));

    // A body match ranks below title matches; highlighted text stays escaped.
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let r = add_buzz(
        &app,
        &[
            ("title", "A report from the second day"),
            ("published_on", "2009-11-02"),
            ("kind", "report"),
            ("quote", "Kanban, kanban and more kanban in the hallway."),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = add_buzz(
        &app,
        &[
            ("title", "<b>Kanban</b> & the <script>"),
            ("published_on", "2009-11-03"),
            ("kind", "social"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&search("kanban")).await;
    let results = texts(&html, "ol.results li");
    let at = |needle: &str| {
        results
            .iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in {results:?}"))
    };
    assert!(
        at(KANBAN) < at("A report from the second day"),
        "{results:?}"
    );
    assert!(
        at("Kanban for operations teams") < at("A report from the second day"),
        "{results:?}"
    );
    assert!(
        html.contains("&lt;b&gt;<mark>Kanban</mark>&lt;&#x2F;b&gt;")
            || html.contains("&lt;b&gt;<mark>Kanban</mark>&lt;/b&gt;"),
        "escaped around the marks"
    );
    assert!(!html.contains("<script>"));
    // Filters: another event has no kanban; the kind filter keeps only buzz.
    let (_, html) = app.get_html("/material/?q=kanban&event=usa-2010").await;
    assert!(texts(&html, "ol.results li").is_empty());
    let (_, html) = app.get_html("/material/?q=kanban&kind=buzz").await;
    let results = texts(&html, "ol.results li");
    assert!(
        results.len() == 2 && results.iter().all(|r| r.starts_with("Buzz")),
        "{results:?}"
    );
}

fn multipart(
    csrf: &str,
    name: &str,
    level: &str,
    logo: Option<(&str, Vec<u8>, &str)>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.to_string())
        .text("name", name.to_string())
        .text("level_id", level.to_string())
        .text("url", "https://example.org/")
        .text("blurb", "");
    if let Some((file, bytes, mime)) = logo {
        form = form.part(
            "logo",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(file.to_string())
                .mime_str(mime)
                .unwrap(),
        );
    }
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sponsor_logos_must_be_real_images_of_limited_size_and_are_served_by_content_hash() {
    let app = spawn_demo_app().await;
    let (_, home) = app.get_html("/usa-2010/").await;
    let levels = texts(&home, "section.sponsors-home h2");
    assert_eq!(levels, ["Sponsors", "Hosting", "Supporting"]);
    // A site administrator: cloning makes a new event.
    app.organizer("owner@example.org", true, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let page = "/admin/events/usa-2010/after/sponsors";
    let (_, html) = app.get_html(page).await;
    let csrf = csrf_from(&html);
    let level: String = app.with_conn(|c| {
        use ghent::db::schema::sponsor_levels;
        sponsor_levels::table
            .filter(sponsor_levels::name.eq("Supporting"))
            .select(sponsor_levels::id)
            .first(c)
            .unwrap()
    });
    let before = app.count("sponsors");
    let post = |form| {
        app.client
            .post(format!("{}{page}", app.address))
            .multipart(form)
            .send()
    };
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let r = post(multipart(
        &csrf,
        "Evil Corp",
        &level,
        Some(("logo.svg", svg, "image/svg+xml")),
    ))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("not a PNG, JPEG or WebP image") && body.contains("Evil Corp"),
        "message on the form, input kept"
    );
    // A PNG header with a broken body is not an image either.
    let mut broken = ghent::sponsors::logos::labelled_png("Broken", [0, 0, 0]);
    broken.truncate(broken.len() / 2);
    let r = post(multipart(
        &csrf,
        "Broken",
        &level,
        Some(("broken.png", broken, "image/png")),
    ))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let big = {
        let (w, h) = (700u32, 700u32);
        let pixels: Vec<u8> = (0..w * h * 3)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.write_header()
                .unwrap()
                .write_image_data(&pixels)
                .unwrap();
        }
        out
    };
    assert!(big.len() > 512 * 1024);
    let r = post(multipart(
        &csrf,
        "Big Corp",
        &level,
        Some(("big.png", big, "image/png")),
    ))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("larger than 512 KB"));
    assert_eq!(app.count("sponsors"), before, "nothing saved");
    let r = post(reqwest::multipart::Form::new().text("name", "No token"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "CSRF applies to uploads too");

    let logo = ghent::sponsors::logos::labelled_png("Acme Ops", [200, 30, 30]);
    let r = post(multipart(
        &csrf,
        "Acme Ops",
        &level,
        Some(("acme.png", logo.clone(), "image/png")),
    ))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, list) = app.new_visitor().get_html("/usa-2010/sponsors/").await;
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&logo))
    };
    let src = format!("/images/{hash}.png");
    assert!(
        list.contains(&format!(r#"<img src="{src}" alt="Acme Ops""#)),
        "{list}"
    );
    let r = app.new_visitor().get(&src).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), logo);
    assert_eq!(
        app.new_visitor()
            .get(&format!("/images/{hash}.jpg"))
            .await
            .status()
            .as_u16(),
        404
    );

    // Cloned with the event.
    let r = app
        .post_form(
            "/admin/events/usa-2010/clone",
            "/admin/events/usa-2010/clone",
            &[
                ("name", "devopsdays USA 2011"),
                ("slug", "usa-2011"),
                ("starts_on", "2011-06-24"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let (_, clone_home) = app.get_html("/usa-2011/sponsors/").await;
    assert!(clone_home.contains("Acme Ops") && clone_home.contains("LinkedIn"));
    assert_eq!(app.count("sponsors"), 2 * (before + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_opens_when_the_talk_starts_and_counts_once_per_browser() {
    let app = spawn_demo_app().await;
    let panel = talk_id(&app, "Infrastructure as code");
    let page = format!("/usa-2010/talks/{panel}/feedback/");
    let (status, html) = app.get_html(&page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Feedback opens when the talk starts (Friday 25 June 2010"),
        "{html}"
    );
    let r = app.post_form("/usa-2010/", &page, &[("rating", "5")]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("talk_feedback"), 0);

    let kanban = talk_id(&app, KANBAN);
    let page = format!("/ghent-2009/talks/{kanban}/feedback/");
    let a = app.new_visitor();
    let r = a
        .post_form(&page, &page, &[("rating", "9"), ("comment", "")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Choose a rating from 1 to 5"));
    let r = a
        .post_form(
            &page,
            &page,
            &[("rating", "5"), ("comment", "Practical and honest.")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    a.post_form(&page, &page, &[("rating", "1"), ("comment", "Again")])
        .await;
    assert_eq!(app.count("talk_feedback"), 1, "one per browser per talk");
    let b = app.new_visitor();
    b.post_form(&page, &page, &[("rating", "4"), ("comment", "")])
        .await;
    assert_eq!(app.count("talk_feedback"), 2);
    let browsers: Vec<String> = app.with_conn(|c| {
        talk_feedback::table
            .select(talk_feedback::browser)
            .load(c)
            .unwrap()
    });
    assert_ne!(browsers[0], browsers[1]);

    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;
    let (_, summary) = app
        .get_html("/admin/events/ghent-2009/after/feedback")
        .await;
    let row = texts(&summary, "table tbody tr");
    assert_eq!(row, [format!("{KANBAN} 2 4.5 0 · 0 · 0 · 1 · 1")]);
    assert!(summary.contains("Practical and honest."));
    // Off per event.
    let r = app
        .post_form(
            "/admin/events/ghent-2009/after/",
            "/admin/events/ghent-2009/after/",
            &[("successor_id", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, closed) = app.get_html(&page).await;
    assert!(closed.contains("This event does not collect feedback on talks."));
    app.new_visitor()
        .post_form("/ghent-2009/buzz/", &page, &[("rating", "3")])
        .await;
    assert_eq!(app.count("talk_feedback"), 2);
    let (_, talk) = app.get_html(&format!("/ghent-2009/talks/{kanban}/")).await;
    assert!(!talk.contains("Leave feedback"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_event_notice_is_double_opt_in_and_mailed_once_when_registration_opens() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let (_, ghent) = app.get_html("/ghent-2009/").await;
    assert!(texts(&ghent, "section.next-event h2")[0].contains("devopsdays USA 2010"));
    let (_, usa) = app.get_html("/usa-2010/").await;
    assert!(usa.contains(r#"action="/hamburg-2010/notify""#));
    let v = app.new_visitor();
    let r = v
        .post_form(
            "/usa-2010/",
            "/hamburg-2010/notify",
            &[("email", "curious@example.org"), ("from", "usa-2010")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/usa-2010/");
    v.post_form(
        "/usa-2010/",
        "/hamburg-2010/notify",
        &[
            ("email", "never-confirms@example.org"),
            ("from", "usa-2010"),
        ],
    )
    .await;
    let r = v
        .post_form(
            "/usa-2010/",
            "/hamburg-2010/notify",
            &[("email", "not an address"), ("from", "usa-2010")],
        )
        .await;
    assert_eq!(
        r.status().as_u16(),
        303,
        "a bad address is a message on the page"
    );
    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let ask = mail_to(&caught, "curious@example.org", |s| {
        s == "Confirm: tell me when devopsdays Europe 2010 opens"
    })
    .expect("the confirmation request");
    let link = link_in(&parsed(ask).body_text(0).unwrap(), &app.address);
    let path = link[app.address.len()..].to_string();
    let (_, page) = v.get_html(&path).await;
    assert!(page.contains("Yes, tell me"));
    let r = v.post_form(&path, &format!("{path}/confirm"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);

    // Nothing while registration and the call for papers are still closed.
    app.run_jobs().await;
    assert_eq!(catcher.messages().len(), 2);
    // Hamburg's registration opens on 1 June 2010, 09:00 in Berlin (its CfP on 1 May).
    app.clock.set("2010-06-01T07:30:00Z".parse().unwrap());
    app.run_jobs().await;
    let caught = catcher.wait_for(4, Duration::from_secs(10)).await;
    let opened = |s: &str| s.starts_with("devopsdays Europe 2010:");
    let notices: Vec<_> = caught
        .iter()
        .filter(|m| opened(parsed(m).subject().unwrap_or_default()))
        .collect();
    assert_eq!(
        notices.len(),
        2,
        "registration and the call for papers, to the confirmed address only"
    );
    assert!(notices.iter().all(|m| m.rcpt_to == ["curious@example.org"]));
    let reg = notices
        .iter()
        .find(|m| parsed(m).subject() == Some("devopsdays Europe 2010: registration is open"))
        .expect("registration notice");
    assert!(parsed(reg).header("List-Unsubscribe").is_some());
    assert!(parsed(reg)
        .body_text(0)
        .unwrap()
        .contains(&format!("{}/hamburg-2010/register/", app.address)));
    // Saving the event queues the announcements again; nobody is told twice.
    app.with_conn(|c| {
        let e = ghent::events::queries::by_slug(c, "hamburg-2010")
            .unwrap()
            .unwrap();
        ghent::outreach::notices::schedule(c, &e, app.clock.now_naive()).unwrap();
    });
    app.run_jobs().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        catcher
            .messages()
            .iter()
            .filter(|m| opened(parsed(m).subject().unwrap_or_default()))
            .count(),
        2
    );
    // Leaving the list forgets the address.
    let leave = link_in(
        &parsed(reg).body_text(0).unwrap(),
        &format!("{}/hamburg-2010/notify/", app.address),
    );
    let path = leave[app.address.len()..].to_string();
    let r = v.post_form(&path, &format!("{path}/leave"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let left: i64 = app.with_conn(|c| {
        notice_subscriptions::table
            .filter(notice_subscriptions::email.eq("curious@example.org"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(left, 0);
}
