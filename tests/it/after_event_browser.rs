//! In a real browser: a visitor of a past event goes from its home to the presentations,
//! opens a video, reads the buzz, searches the library, and from the next event's home asks to
//! hear when the one after it opens.

use diesel::prelude::*;
use fantoccini::Locator;
use ghent::db::schema::notice_subscriptions;

use crate::browser::{browser, fill, screenshot, submit, text_of, wait_for_text, wait_until_text};
use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_goes_from_ghent_2009_to_its_presentations_buzz_and_library_and_asks_to_hear_about_hamburg(
) {
    let app = spawn_demo_app().await;
    let Some(b) = browser().await else { return };
    let c = &b.client;
    c.goto(&format!("{}/ghent-2009/", app.address))
        .await
        .unwrap();
    wait_for_text(c, "h1", "devopsdays Ghent 2009").await;
    c.find(Locator::LinkText("Presentations"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Presentations").await;
    // The welcome talk's video is behind a click (nothing loads from YouTube before it).
    let summary = c
        .find(Locator::Css("details.video-embed summary"))
        .await
        .unwrap();
    let closed = c
        .execute(
            "return document.querySelector('details.video-embed').open",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(closed, serde_json::json!(false));
    summary.click().await.unwrap();
    let open = c
        .execute(
            "return document.querySelector('details.video-embed').open",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(open, serde_json::json!(true));
    let src = c
        .find(Locator::Css("details.video-embed iframe"))
        .await
        .unwrap()
        .attr("src")
        .await
        .unwrap();
    assert_eq!(
        src.as_deref(),
        Some("https://www.youtube-nocookie.com/embed/EOveXZhJpr4")
    );
    screenshot(c, "presentations.png").await;

    c.goto(&format!("{}/ghent-2009/", app.address))
        .await
        .unwrap();
    c.find(Locator::LinkText("All the buzz"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Buzz about devopsdays Ghent 2009").await;
    assert!(text_of(c, "ul.buzz-list")
        .await
        .contains("Devopsdays09 - Two Weeks Later"));

    c.goto(&format!("{}/material/", app.address)).await.unwrap();
    fill(c, "#f-q", "monitoring").await;
    submit(c, "form.search-form button[type=submit]").await;
    wait_until_text(c, "ol.results", "a result about monitoring", |t| {
        t.contains("Cucumber-nagios + Flapjack")
    })
    .await;
    let mark = text_of(c, "ol.results mark").await;
    assert_eq!(mark.to_lowercase(), "monitoring");

    c.goto(&format!("{}/usa-2010/", app.address)).await.unwrap();
    wait_for_text(c, "#next-h", "After this event: devopsdays Europe 2010").await;
    fill(c, "#f-notify-hamburg-2010", "curious@example.org").await;
    submit(c, "form.notify-form button[type=submit]").await;
    wait_until_text(c, ".flash", "the confirmation notice", |t| {
        t.starts_with("Check your inbox")
    })
    .await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/usa-2010/", "back where the form was");
    let waiting: i64 = app.with_conn(|conn| {
        notice_subscriptions::table
            .filter(notice_subscriptions::email.eq("curious@example.org"))
            .filter(notice_subscriptions::confirmed_at.is_null())
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(
        waiting, 1,
        "on Hamburg's list, waiting for the confirmation"
    );
    c.clone().close().await.unwrap();
}
