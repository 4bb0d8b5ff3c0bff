//! The call for papers: sign-in by mailed link, proposals, review visibility, decisions,
//! confirmation into a talk, reminders, the deadline, and access between events.

use std::time::Duration;

use diesel::prelude::*;
use ghent::accounts::Role;
use ghent::db::schema::{events, proposals, talks};
use ghent::mail::catcher::MailCatcher;

use crate::helpers::*;

/// Signs a speaker in through the mailed link; returns their visitor.
pub(crate) async fn speaker(app: &TestApp, catcher: &MailCatcher, email: &str) -> Visitor {
    let v = app.new_visitor();
    let before = catcher.messages().len();
    let r = v
        .post_form(
            "/usa-2010/cfp/",
            "/usa-2010/cfp/sign-in",
            &[("email", email)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let caught = catcher.wait_for(before + 1, Duration::from_secs(10)).await;
    let mail = caught
        .iter()
        .rev()
        .find(|m| m.rcpt_to == [email.to_lowercase()])
        .expect("a sign-in mail");
    let link = link_in(&parsed(mail).body_text(0).unwrap(), &app.address);
    let path = link[app.address.len()..].to_string();
    let r = v.post_form(&path, &path, &[]).await;
    assert_eq!(r.status().as_u16(), 303, "sign-in failed");
    v
}

/// Signs in a new owner of USA 2010 and accepts the proposal `pid` as them.
pub(crate) async fn accept_as_owner(app: &TestApp, pid: &str) {
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let r = app
        .post_form(
            "/admin/events/usa-2010/cfp/",
            "/admin/events/usa-2010/cfp/decide",
            &[("ids", pid), ("action", "accept")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
}

pub(crate) fn type_id(app: &TestApp, name: &str) -> String {
    use ghent::db::schema::submission_types;
    app.with_conn(|c| {
        submission_types::table
            .filter(submission_types::name.eq(name))
            .select(submission_types::id)
            .first(c)
            .unwrap()
    })
}

pub(crate) async fn propose(v: &Visitor, app: &TestApp, title: &str) -> String {
    let r = v
        .post_form(
            "/usa-2010/cfp/proposals/new",
            "/usa-2010/cfp/proposals",
            &[
                ("title", title),
                ("submission_type_id", &type_id(app, "Lightning talk")),
                ("track_id", ""),
                ("abstract", "Five minutes on *one* idea."),
                ("description", ""),
                ("notes", ""),
                ("co_speakers", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    app.with_conn(|c| {
        proposals::table
            .filter(proposals::title.eq(title))
            .select(proposals::id)
            .first(c)
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_speaker_signs_in_by_mail_submits_keeps_a_draft_on_errors_and_gets_a_receipt() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let demo_proposals = app.count("proposals");
    let (_, page) = app.get_html("/usa-2010/cfp/").await;
    assert!(page.contains("Lightning talk (5 minutes)") && page.contains("Mail me a sign-in link"));
    let v = speaker(&app, &catcher, "Adrian@Example.org").await;
    let (status, html) = v.get_html("/usa-2010/cfp/proposals").await;
    assert_eq!(status, 200);
    assert!(html.contains("adrian@example.org"));

    // A failed check keeps everything typed.
    let kind = type_id(&app, "Lightning talk");
    let r = v
        .post_form(
            "/usa-2010/cfp/proposals/new",
            "/usa-2010/cfp/proposals",
            &[
                ("title", "Clouds need ops"),
                ("submission_type_id", &kind),
                ("abstract", ""),
                ("description", "Long text kept"),
                ("notes", "only for you"),
                ("co_speakers", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    let errors = texts(&html, ".error-summary li");
    assert!(
        errors.iter().any(|e| e.contains("abstract"))
            && errors.iter().any(|e| e.contains("not-an-email")),
        "{errors:?}"
    );
    assert!(
        html.contains("value=\"Clouds need ops\"")
            && html.contains("Long text kept")
            && html.contains("only for you")
    );
    assert_eq!(app.count("proposals"), demo_proposals, "nothing stored");

    let id = propose(&v, &app, "Clouds need ops").await;
    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let receipt = parsed(caught.last().unwrap());
    assert_eq!(
        receipt.subject(),
        Some("We received your proposal “Clouds need ops”")
    );
    // The profile, and the list of mail sent to the speaker.
    let r = v
        .post_form(
            "/usa-2010/cfp/profile",
            "/usa-2010/cfp/profile",
            &[
                ("name", "Adrian Cole"),
                ("bio", "Works on **jclouds**."),
                ("photo_url", ""),
                ("website_url", ""),
                ("social", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = v.get_html("/usa-2010/cfp/proposals").await;
    let mails = texts(&html, ".speaker-mails li");
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails
            .iter()
            .any(|m| m.contains("We received your proposal"))
            && mails.iter().any(|m| m.contains("sign-in link"))
    );
    // Withdraw.
    let r = v
        .post_form(
            "/usa-2010/cfp/proposals",
            &format!("/usa-2010/cfp/proposals/{id}/withdraw"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let state: String = app.with_conn(|c| {
        proposals::table
            .find(&id)
            .select(proposals::state)
            .first(c)
            .unwrap()
    });
    assert_eq!(state, "withdrawn");
    // Proposals are never public: another visitor has no way in.
    assert_eq!(
        app.new_visitor()
            .get(&format!("/usa-2010/cfp/proposals/{id}"))
            .await
            .status()
            .as_u16(),
        303
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_links_work_once_cannot_be_guessed_and_expire() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = app.new_visitor();
    v.post_form(
        "/usa-2010/cfp/",
        "/usa-2010/cfp/sign-in",
        &[("email", "a@example.org")],
    )
    .await;
    v.post_form(
        "/usa-2010/cfp/",
        "/usa-2010/cfp/sign-in",
        &[("email", "b@example.org")],
    )
    .await;
    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let link_of = |to: &str| {
        let m = caught.iter().find(|m| m.rcpt_to == [to]).unwrap();
        link_in(&parsed(m).body_text(0).unwrap(), &app.address)[app.address.len()..].to_string()
    };
    let (a, b) = (link_of("a@example.org"), link_of("b@example.org"));
    let token = a.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 22, "128 random bits, URL-safe");
    let first = app.new_visitor();
    assert_eq!(first.post_form(&a, &a, &[]).await.status().as_u16(), 303);
    let again = app.new_visitor();
    let (status, html) = again.get_html(&a).await;
    assert_eq!(status, 410);
    assert!(html.contains("no longer works"));
    // Dead links have no form; the token for the POST comes from the CfP page.
    assert_eq!(
        again
            .post_form("/usa-2010/cfp/", &a, &[])
            .await
            .status()
            .as_u16(),
        410,
        "a used link fails"
    );
    let guess = "/usa-2010/cfp/sign-in/AAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        app.new_visitor()
            .post_form("/usa-2010/cfp/", guess, &[])
            .await
            .status()
            .as_u16(),
        410
    );
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        app.new_visitor()
            .post_form("/usa-2010/cfp/", &b, &[])
            .await
            .status()
            .as_u16(),
        410,
        "an expired link fails"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_see_others_scores_only_after_scoring_and_organizers_see_the_ranking() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = speaker(&app, &catcher, "speaker@example.org").await;
    let p1 = propose(&v, &app, "Monitoring is a feature").await;
    let _p2 = propose(&v, &app, "Ops in the cloud").await;
    app.organizer("rev-a@example.org", false, &[("usa-2010", Role::Reviewer)]);
    app.organizer("rev-b@example.org", false, &[("usa-2010", Role::Reviewer)]);
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    let (ra, rb) = (app.new_visitor(), app.new_visitor());
    ra.login("rev-a@example.org").await;
    rb.login("rev-b@example.org").await;
    let page = format!("/admin/events/usa-2010/cfp/proposals/{p1}");
    let r = ra
        .post_form(
            &page,
            &format!("{page}/review"),
            &[("score", "4"), ("comment", "Strong")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = rb.get_html(&page).await;
    assert!(
        html.contains("Score it first") && !html.contains("Strong"),
        "B does not see A's review before scoring"
    );
    let (_, list) = rb.get_html("/admin/events/usa-2010/cfp/").await;
    assert!(
        texts(&list, "table.proposals tbody tr")
            .iter()
            .all(|r| r.contains("hidden")),
        "no means for B yet"
    );
    rb.post_form(
        &page,
        &format!("{page}/review"),
        &[("score", "2"), ("comment", "")],
    )
    .await;
    let (_, html) = rb.get_html(&page).await;
    assert!(html.contains("Strong") && html.contains("Mean 3.0, median 3.0, 2 review(s)."));
    // Out of scale is refused.
    rb.post_form(
        &page,
        &format!("{page}/review"),
        &[("score", "9"), ("comment", "")],
    )
    .await;
    let (_, html) = rb.get_html(&page).await;
    assert!(html.contains("from 0 to 5"));
    // Reviewers cannot decide.
    let r = rb
        .post_form(
            &page,
            "/admin/events/usa-2010/cfp/decide",
            &[("ids", &p1), ("action", "accept")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // The organizer sees the ranking.
    app.login("owner@example.org").await;
    let (_, list) = app.get_html("/admin/events/usa-2010/cfp/").await;
    let rows = texts(&list, "table.proposals tbody tr");
    assert!(
        rows[0].contains("Monitoring is a feature")
            && rows[0].contains("3.0")
            && rows[0].contains("2"),
        "{rows:?}"
    );
    // Anonymous review hides names from reviewers, not from organizers.
    assert!(rows[0].contains("(no name yet)"));
    app.with_conn(|c| {
        diesel::update(events::table.filter(events::slug.eq("usa-2010")))
            .set(events::anonymous_review.eq(true))
            .execute(c)
            .unwrap()
    });
    let (_, list) = ra.get_html("/admin/events/usa-2010/cfp/").await;
    assert!(texts(&list, "table.proposals tbody tr")
        .iter()
        .all(|r| r.contains("hidden: anonymous review")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_of_one_event_sees_nothing_of_another() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let v = speaker(&app, &catcher, "speaker@example.org").await;
    let p = propose(&v, &app, "A USA proposal").await;
    app.organizer(
        "ghent-rev@example.org",
        false,
        &[("ghent-2009", Role::Reviewer)],
    );
    app.login("ghent-rev@example.org").await;
    assert_eq!(
        app.get("/admin/events/usa-2010/cfp/")
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.get(&format!("/admin/events/usa-2010/cfp/proposals/{p}"))
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.get(&format!("/admin/events/ghent-2009/cfp/proposals/{p}"))
            .await
            .status()
            .as_u16(),
        404,
        "not through their own event either"
    );
    let (_, list) = app.get_html("/admin/events/ghent-2009/cfp/").await;
    assert!(!list.contains("A USA proposal"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_mails_a_confirm_link_confirming_makes_a_talk_and_rejecting_mails_too() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let a = speaker(&app, &catcher, "accepted@example.org").await;
    let b = speaker(&app, &catcher, "rejected@example.org").await;
    let pa = propose(&a, &app, "Deploys on Fridays").await;
    let pb = propose(&b, &app, "Never deploy").await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    let r = app
        .post_form(
            "/admin/events/usa-2010/cfp/",
            "/admin/events/usa-2010/cfp/decide",
            &[("ids", &pa), ("action", "accept")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .post_form(
            "/admin/events/usa-2010/cfp/",
            "/admin/events/usa-2010/cfp/decide",
            &[("ids", &pb), ("action", "reject")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let caught = catcher.wait_for(6, Duration::from_secs(10)).await;
    let accepted = mail_to(&caught, "accepted@example.org", |s| {
        s.starts_with("Action required")
    })
    .expect("acceptance mail");
    assert_eq!(
        parsed(accepted).subject(),
        Some("Action required: confirm your talk “Deploys on Fridays” at devopsdays USA 2010")
    );
    assert!(mail_to(&caught, "rejected@example.org", |s| s
        == "Your proposal “Never deploy” for devopsdays USA 2010")
    .is_some());
    // Not a talk until confirmed.
    assert_eq!(app.count("talks"), 7 + 7, "only the demo's talks so far");
    let (_, list) = app.get_html("/admin/events/usa-2010/cfp/").await;
    assert!(texts(&list, "ul.unconfirmed li")[0].contains("Deploys on Fridays"));
    // Filtered by state; who has not confirmed is listed whatever the filter.
    let (_, rejected) = app
        .get_html("/admin/events/usa-2010/cfp/?state=rejected")
        .await;
    let rows = texts(&rejected, "table.proposals tbody tr");
    assert!(
        rows.len() == 1 && rows[0].contains("Never deploy"),
        "{rows:?}"
    );
    assert!(texts(&rejected, "ul.unconfirmed li")[0].contains("Deploys on Fridays"));
    let (_, accepted_list) = app
        .get_html("/admin/events/usa-2010/cfp/?state=accepted")
        .await;
    let rows = texts(&accepted_list, "table.proposals tbody tr");
    assert!(
        rows.len() == 1 && rows[0].contains("Deploys on Fridays"),
        "{rows:?}"
    );
    let link = link_in(&parsed(accepted).body_text(0).unwrap(), &app.address);
    let path = &link[app.address.len()..];
    let v = app.new_visitor();
    let (_, page) = v.get_html(path).await;
    assert!(page.contains("Will you give this talk"));
    let r = v.post_form(path, path, &[("action", "confirm")]).await;
    assert_eq!(r.status().as_u16(), 303);
    // The confirmation, and the speaker's registration ticket.
    let caught = catcher.wait_for(8, Duration::from_secs(10)).await;
    for subject in [
        "Confirmed: “Deploys on Fridays” at devopsdays USA 2010",
        "Your ticket for devopsdays USA 2010",
    ] {
        assert!(
            mail_to(&caught, "accepted@example.org", |s| s == subject).is_some(),
            "{subject}"
        );
    }
    let talk: (String, String, i32) = app.with_conn(|c| {
        talks::table
            .filter(talks::title.eq("Deploys on Fridays"))
            .select((talks::kind, talks::state, talks::duration_minutes))
            .first(c)
            .unwrap()
    });
    assert_eq!(
        talk,
        ("ignite".into(), "confirmed".into(), 5),
        "the confirmed proposal is a talk, of its submission type"
    );
    // It can now be scheduled: it is in the programme's list of talks without a slot.
    let (_, programme) = app.get_html("/admin/events/usa-2010/programme/").await;
    assert!(texts(&programme, "ul.unscheduled li")
        .iter()
        .any(|t| t.contains("Deploys on Fridays")));
    // Rejected proposals never become talks, nor anything public.
    assert!(!app
        .get_html("/usa-2010/programme/")
        .await
        .1
        .contains("Never deploy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconfirmed_speakers_are_reminded_until_they_answer() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let a = speaker(&app, &catcher, "slow@example.org").await;
    let p = propose(&a, &app, "Slow to answer").await;
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    app.login("owner@example.org").await;
    app.post_form(
        "/admin/events/usa-2010/cfp/",
        "/admin/events/usa-2010/cfp/decide",
        &[("ids", &p), ("action", "accept")],
    )
    .await;
    let reminders = |c: &MailCatcher| {
        c.messages()
            .iter()
            .filter(|m| {
                parsed(m)
                    .subject()
                    .is_some_and(|s| s.starts_with("Action required (reminder)"))
            })
            .count()
    };
    catcher.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(reminders(&catcher), 0);
    app.clock
        .advance(chrono::Duration::days(3) + chrono::Duration::minutes(1));
    app.state.jobs_notifier.wake();
    eventually(10, "an automatic reminder", || reminders(&catcher) == 1).await;
    // By hand too.
    let r = app
        .post_form(
            "/admin/events/usa-2010/cfp/",
            &format!("/admin/events/usa-2010/cfp/proposals/{p}/remind"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    eventually(10, "a reminder by hand", || reminders(&catcher) == 2).await;
    // Once confirmed, no more.
    let token = app.confirm_token(&p);
    let page = format!("/usa-2010/cfp/confirm/{token}");
    app.new_visitor()
        .post_form(&page, &page, &[("action", "confirm")])
        .await;
    app.clock.advance(chrono::Duration::days(4));
    app.state.jobs_notifier.wake();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(reminders(&catcher), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_deadline_the_form_says_closed_and_takes_nothing() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    let demo_proposals = app.count("proposals");
    let v = speaker(&app, &catcher, "late@example.org").await;
    let p = propose(&v, &app, "Just in time").await;
    // The USA 2010 CfP closes 31 March 2010, 23:59 PDT.
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2010, 4, 1, 12, 0, 0).unwrap());
    let (_, page) = app.get_html("/usa-2010/cfp/").await;
    assert!(page.contains("The call for papers is closed"));
    let r = v
        .post_form(
            "/usa-2010/cfp/proposals",
            "/usa-2010/cfp/proposals",
            &[
                ("title", "Too late"),
                ("submission_type_id", &type_id(&app, "Lightning talk")),
                ("abstract", "x"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("is closed"));
    let edit = format!("/usa-2010/cfp/proposals/{p}");
    // The page says why it cannot be changed instead of offering a form that fails on save.
    let (_, page) = v.get_html(&edit).await;
    assert!(
        page.contains("The call for papers is closed: proposals can no longer be sent or changed.")
    );
    assert!(!page.contains(&format!(r#"action="{edit}""#)));
    assert!(page.contains("Just in time"), "what was sent is shown");
    let r = v
        .post_form(
            "/usa-2010/cfp/proposals",
            &edit,
            &[
                ("title", "Changed"),
                ("submission_type_id", &type_id(&app, "Lightning talk")),
                ("abstract", "x"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409);
    assert_eq!(app.count("proposals"), demo_proposals + 1);
}

fn type_fields<'a>(name: &'a str, kind: &'a str, minutes: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("name", name),
        ("kind", kind),
        ("duration_minutes", minutes),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizers_add_change_and_delete_submission_types_but_not_one_in_use() {
    let app = spawn_demo_app().await;
    app.organizer("org@example.org", false, &[("usa-2010", Role::Organizer)]);
    let v = app.new_visitor();
    v.login("org@example.org").await;
    let page = "/admin/events/usa-2010/cfp/";

    // Bad input comes back with the typed values and a message.
    let r = v
        .post_form(
            page,
            "/admin/events/usa-2010/cfp/types",
            &type_fields("Open-space pitch", "talk", "0"),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"value="Open-space pitch""#), "{html}");
    assert!(html.contains("The duration must be a whole number from 1 to 1440."));

    let r = v
        .post_form(
            page,
            "/admin/events/usa-2010/cfp/types",
            &type_fields("Open-space pitch", "talk", "2"),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let pitch = type_id(&app, "Open-space pitch");

    // Renamed and lengthened; a bad change to it is shown on its own form, typed input kept.
    let change = format!("/admin/events/usa-2010/cfp/types/{pitch}");
    let r = v
        .post_form(
            page,
            &change,
            &type_fields("Open-space pitch (long)", "ignite", "three"),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(r#"value="Open-space pitch (long)""#) && html.contains(r#"value="three""#)
    );
    assert!(html.contains(&format!(r#"id="type-error-{pitch}""#)));
    let r = v
        .post_form(
            page,
            &change,
            &type_fields("Open-space pitch (long)", "ignite", "3"),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (name, kind, minutes) = app.with_conn(|c| {
        use ghent::db::schema::submission_types as t;
        t::table
            .find(&pitch)
            .select((t::name, t::kind, t::duration_minutes))
            .first::<(String, String, i32)>(c)
            .unwrap()
    });
    assert_eq!(
        (name.as_str(), kind.as_str(), minutes),
        ("Open-space pitch (long)", "ignite", 3)
    );
    let (_, html) = v.get_html(page).await;
    assert!(html.contains(r#"value="Open-space pitch (long)""#));
    assert!(
        !html.contains("type-error-") && !html.contains("aria-invalid"),
        "no errors shown when there are none"
    );

    // An unused type can go; one that proposals use cannot, and says why.
    let r = v.post_form(page, &format!("{change}/delete"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        app.with_conn(|c| {
            use ghent::db::schema::submission_types as t;
            t::table.find(&pitch).count().get_result::<i64>(c).unwrap()
        }),
        0
    );
    let used: String = app.with_conn(|c| {
        proposals::table
            .select(proposals::submission_type_id)
            .first(c)
            .unwrap()
    });
    let types_before = app.count("submission_types");
    let r = v
        .post_form(
            page,
            &format!("/admin/events/usa-2010/cfp/types/{used}/delete"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("so it stays; you can rename it."), "{html}");
    assert_eq!(app.count("submission_types"), types_before);

    // A reviewer may not change types; another event's type is not found through this one.
    app.organizer("rev@example.org", false, &[("usa-2010", Role::Reviewer)]);
    let rv = app.new_visitor();
    rv.login("rev@example.org").await;
    let r = rv
        .post_form(
            page,
            &format!("/admin/events/usa-2010/cfp/types/{used}/delete"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = v
        .post_form(
            page,
            &format!("/admin/events/ghent-2009/cfp/types/{used}"),
            &[("name", "x"), ("kind", "talk"), ("duration_minutes", "5")],
        )
        .await;
    assert!(matches!(r.status().as_u16(), 403 | 404));
}
