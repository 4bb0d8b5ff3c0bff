//! Organizer accounts: login, logout that really ends the session, rate limiting, the team.

use ghent::accounts::Role;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_the_right_password_opens_the_admin_and_logout_really_ends_it() {
    let app = spawn_demo_app().await;
    app.organizer("patrick@example.org", false, &[("ghent-2009", Role::Owner)]);

    let r = app.get("/admin/").await;
    assert_eq!(r.status().as_u16(), 401);
    assert!(
        texts(&r.text().await.unwrap(), "h1").contains(&"Organizer sign-in".to_string()),
        "401 shows the login form"
    );

    // A client without a cookie jar, so the test holds the cookie value itself.
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie_of = |r: &reqwest::Response| {
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let page = raw
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    let anonymous_cookie = cookie_of(&page);
    let token = csrf_from(&page.text().await.unwrap());
    let r = raw
        .post(format!("{}/login", app.address))
        .header("cookie", &anonymous_cookie)
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "Patrick@Example.org "),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let cookie = cookie_of(&r);
    assert_ne!(
        cookie, anonymous_cookie,
        "the session cookie is renewed at login"
    );

    let admin = raw
        .get(format!("{}/admin/", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status().as_u16(), 200);
    let html = admin.text().await.unwrap();
    assert!(texts(&html, "tbody tr")
        .iter()
        .any(|r| r.contains("devopsdays Ghent 2009") && r.contains("owner")));
    assert!(!html.contains("devopsdays USA 2010"), "only their events");

    let out = raw
        .post(format!("{}/logout", app.address))
        .header("cookie", &cookie)
        .form(&[("csrf_token", csrf_from(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    // Replaying the cookie from before the logout opens nothing: the session row is gone.
    let replay = raw
        .get(format!("{}/admin/", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status().as_u16(),
        401,
        "the old cookie must not work after logout"
    );
    assert_eq!(app.count("sessions"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_with_the_email_kept_and_attempts_are_limited() {
    let app = spawn_app_with(&[("GHENT_LOGIN_MAX_FAILURES", "3")]).await;
    app.organizer("patrick@example.org", true, &[]);
    for _ in 0..3 {
        let r = app
            .post_form(
                "/login",
                "/login",
                &[
                    ("email", "patrick@example.org"),
                    ("password", "wrong password!"),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 401);
        let html = r.text().await.unwrap();
        assert!(html.contains("do not match an account"));
        assert!(html.contains("value=\"patrick@example.org\""), "email kept");
        assert!(!html.contains("wrong password!"), "password never echoed");
    }
    // Now even the right password is refused until the window passes.
    let r = app
        .post_form(
            "/login",
            "/login",
            &[
                ("email", "patrick@example.org"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.text().await.unwrap().contains("Too many failed attempts"));
    app.clock.advance(chrono::Duration::minutes(16));
    app.login("patrick@example.org").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_emails_get_the_same_answer_as_wrong_passwords() {
    let app = spawn_app().await;
    app.organizer("patrick@example.org", true, &[]);
    let known = app
        .post_form(
            "/login",
            "/login",
            &[
                ("email", "patrick@example.org"),
                ("password", "nope nope nope"),
                ("next", ""),
            ],
        )
        .await;
    let unknown = app
        .post_form(
            "/login",
            "/login",
            &[
                ("email", "nobody@example.org"),
                ("password", "nope nope nope"),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(
        texts(&known.text().await.unwrap(), ".error-summary"),
        texts(&unknown.text().await.unwrap(), ".error-summary")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_follows_only_local_next_links() {
    let app = spawn_demo_app().await;
    app.organizer("patrick@example.org", true, &[]);
    let r = app
        .post_form(
            "/login",
            "/login",
            &[
                ("email", "patrick@example.org"),
                ("password", PASSWORD),
                ("next", "/admin/events/usa-2010/"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/admin/events/usa-2010/");
    let other = app.new_visitor();
    let r = other
        .post_form(
            "/login",
            "/login",
            &[
                ("email", "patrick@example.org"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/admin/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_manages_the_team_and_roles_limit_what_members_see() {
    let app = spawn_demo_app().await;
    app.organizer("owner@example.org", false, &[("ghent-2009", Role::Owner)]);
    app.login("owner@example.org").await;

    // Add a reviewer who has no account yet, and an existing organizer.
    let r = app
        .post_form(
            "/admin/events/ghent-2009/team",
            "/admin/events/ghent-2009/team",
            &[
                ("email", "Reviewer@Example.org"),
                ("name", "Rita Reviewer"),
                ("role", "reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    app.organizer("org@example.org", false, &[]);
    let r = app
        .post_form(
            "/admin/events/ghent-2009/team",
            "/admin/events/ghent-2009/team",
            &[
                ("email", "org@example.org"),
                ("name", ""),
                ("role", "organizer"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html("/admin/events/ghent-2009/team").await;
    let rows = texts(&html, "tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("Rita Reviewer")
        && r.contains("no password yet")
        && r.contains("reviewer@example.org")));

    // Adding the same person twice says so on the form.
    let r = app
        .post_form(
            "/admin/events/ghent-2009/team",
            "/admin/events/ghent-2009/team",
            &[("email", "org@example.org"), ("role", "reviewer")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("already on the team"));

    // The organizer may edit the event but not manage the team.
    let org = app.new_visitor();
    org.login("org@example.org").await;
    assert_eq!(
        org.get("/admin/events/ghent-2009/edit")
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        org.get("/admin/events/ghent-2009/team")
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        org.get("/admin/events/usa-2010/edit")
            .await
            .status()
            .as_u16(),
        403
    );

    // Promote the organizer to owner, then the first owner can step down; the last owner cannot.
    let org_id: String = app.with_conn(|c| {
        ghent::accounts::service::find_by_email(c, "org@example.org")
            .unwrap()
            .unwrap()
            .id
    });
    let owner_id: String = app.with_conn(|c| {
        ghent::accounts::service::find_by_email(c, "owner@example.org")
            .unwrap()
            .unwrap()
            .id
    });
    let r = app
        .post_form(
            "/admin/events/ghent-2009/team",
            &format!("/admin/events/ghent-2009/team/{org_id}/role"),
            &[("role", "owner")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = org
        .post_form(
            "/admin/events/ghent-2009/team",
            &format!("/admin/events/ghent-2009/team/{owner_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = org
        .post_form(
            "/admin/events/ghent-2009/team",
            &format!("/admin/events/ghent-2009/team/{org_id}/role"),
            &[("role", "reviewer")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 409, "the last owner cannot step down");
    assert!(r.text().await.unwrap().contains("at least one owner"));

    // The removed owner lost access; the audit log has every change.
    assert_eq!(
        app.get("/admin/events/ghent-2009/").await.status().as_u16(),
        403
    );
    let (_, audit) = org.get_html("/admin/events/ghent-2009/audit").await;
    let rows = texts(&audit, "tbody tr");
    for action in ["team.add", "team.change_role", "team.remove"] {
        assert!(
            rows.iter().any(|r| r.contains(action)),
            "{action} missing in {rows:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_see_the_overview_but_cannot_edit() {
    let app = spawn_demo_app().await;
    app.organizer("rev@example.org", false, &[("usa-2010", Role::Reviewer)]);
    app.login("rev@example.org").await;
    assert_eq!(
        app.get("/admin/events/usa-2010/").await.status().as_u16(),
        200
    );
    assert_eq!(
        app.get("/admin/events/usa-2010/edit")
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.get("/admin/events/usa-2010/audit")
            .await
            .status()
            .as_u16(),
        403
    );
    let r = app
        .post_form(
            "/admin/events/usa-2010/",
            "/admin/events/usa-2010/edit",
            &[("name", "Hijacked")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
}
