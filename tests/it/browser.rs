//! Browser tests in a real headless Chromium, driven through chromedriver (WebDriver).
//! Without Chromium they say so loudly and skip; under CI=true they fail.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use ghent::accounts::Role;
use serde_json::json;

use crate::helpers::*;

/// One browser at a time: two cores do not run several Chromiums well.
static BROWSER_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Browser {
    pub client: Client,
    port: u16,
    driver: Child,
    _profile: tempfile::TempDir,
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver runs in its own process group; end it and the browser it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn path_from_env(var: &str, default: &str) -> PathBuf {
    std::env::var(var)
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(default))
}

/// Starts chromedriver and a headless Chromium session, or returns `None` (loudly) when they
/// are not installed.
pub async fn browser() -> Option<Browser> {
    let chrome = path_from_env("GHENT_CHROME", "/usr/bin/chromium");
    let driver_path = path_from_env("GHENT_CHROMEDRIVER", "/usr/bin/chromedriver");
    if !chrome.exists() || !driver_path.exists() {
        cannot_run(&format!(
            "browser test needs Chromium ({}) and chromedriver ({}): apt-get install chromium chromium-driver",
            chrome.display(),
            driver_path.display()
        ));
        return None;
    }
    let guard = BROWSER_LOCK.lock().await;
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new(&driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_path.display()));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let client = session(port, &chrome, &profile).await;
    Some(Browser {
        client,
        port,
        driver,
        _profile: profile,
        _guard: guard,
    })
}

impl Browser {
    /// A second browser on the same chromedriver: its own Chromium with its own profile (own
    /// cookies), for tests where two people use the app at once.
    pub async fn another(&self) -> (Client, tempfile::TempDir) {
        let chrome = path_from_env("GHENT_CHROME", "/usr/bin/chromium");
        let profile = tempfile::tempdir().unwrap();
        (session(self.port, &chrome, &profile).await, profile)
    }
}

/// A headless Chromium session through the chromedriver on `port`.
async fn session(port: u16, chrome: &std::path::Path, profile: &tempfile::TempDir) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("cannot start a Chromium session: {e}"))
}

/// Writes a screenshot when GHENT_SCREENSHOTS names a folder (e.g. `docs/`); a normal test run
/// leaves the tree untouched.
pub(crate) async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("GHENT_SCREENSHOTS") {
        let png = client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

/// The text of the first element matching `css`, retried while a navigation replaces the page
/// (a reference found on the old page goes stale).
pub(crate) async fn text_of(client: &Client, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(element) = client.wait().for_element(Locator::Css(css)).await {
            if let Ok(text) = element.text().await {
                return text;
            }
        }
        assert!(Instant::now() < deadline, "no readable {css} within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the first `css` element reads `expected`: after a click, the old page may still
/// be showing for a moment.
pub(crate) async fn wait_for_text(client: &Client, css: &str, expected: &str) {
    wait_until_text(client, css, &format!("{expected:?}"), |text| {
        text == expected
    })
    .await;
}

/// Waits until the text of the first `css` element passes `ok` (described as `what`).
pub(crate) async fn wait_until_text(
    client: &Client,
    css: &str,
    what: &str,
    ok: impl Fn(&str) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = text_of(client, css).await;
        if ok(&text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} reads {text:?}, not {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_opens_the_front_page_follows_ghent_2009_and_sees_its_dates() {
    let app = spawn_demo_app().await;
    let Some(b) = browser().await else { return };
    let c = &b.client;
    c.goto(&format!("{}/", app.address)).await.unwrap();
    wait_for_text(c, "h1", "Events").await;
    c.find(Locator::LinkText("devopsdays Ghent 2009"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_url(&url::Url::parse(&format!("{}/ghent-2009/", app.address)).unwrap())
        .await
        .unwrap();
    wait_for_text(c, "h1", "devopsdays Ghent 2009").await;
    wait_for_text(c, ".event-dates", "30–31 October 2009").await;
    let facts = text_of(c, ".facts").await;
    assert!(
        facts.contains("Friday 30 October 2009, 09:00 CET"),
        "{facts}"
    );
    // The stylesheet loaded (served from the binary under the strict CSP).
    let colour = c
        .execute(
            "return getComputedStyle(document.querySelector('.site-header')).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(colour, json!("rgb(20, 33, 61)"));
    screenshot(c, "event-page.png").await;
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_logs_in_renames_an_event_and_sees_the_new_name_in_public() {
    let app = spawn_demo_app().await;
    app.organizer("patrick@example.org", false, &[("ghent-2009", Role::Owner)]);
    let Some(b) = browser().await else { return };
    let c = &b.client;
    c.goto(&format!("{}/admin/", app.address)).await.unwrap();
    // Anonymous: the login form is shown; after signing in we land on the page we asked for.
    c.wait()
        .for_element(Locator::Css("#f-email"))
        .await
        .unwrap()
        .send_keys("patrick@example.org")
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Your events").await;
    c.find(Locator::LinkText("devopsdays Ghent 2009"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("Edit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = c.wait().for_element(Locator::Css("#f-name")).await.unwrap();
    name.clear().await.unwrap();
    name.send_keys("devopsdays Gent 2009").await.unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, ".flash", "Saved.").await;
    c.goto(&format!("{}/ghent-2009/", app.address))
        .await
        .unwrap();
    wait_for_text(c, "h1", "devopsdays Gent 2009").await;
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_typed_into_event_fields_never_runs() {
    let app = spawn_demo_app().await;
    app.organizer("mallory@example.org", true, &[]);
    let Some(b) = browser().await else { return };
    let c = &b.client;
    let payload = r#"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"#;
    c.goto(&format!("{}/login", app.address)).await.unwrap();
    c.find(Locator::Css("#f-email"))
        .await
        .unwrap()
        .send_keys("mallory@example.org")
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("New event"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for (field, value) in [
        ("#f-name", payload),
        ("#f-slug", "xss-2010"),
        ("#f-venue_name", payload),
        ("#f-venue_address", payload),
        (
            "#f-description",
            &format!("{payload} [x](javascript:window.__pwned=3)"),
        ),
    ] {
        c.wait()
            .for_element(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    // datetime-local inputs are easiest to fill by script.
    c.execute("document.querySelector('#f-starts_at').value='2010-01-01T09:00'; document.querySelector('#f-ends_at').value='2010-01-01T17:00';", vec![]).await.unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    for path in [
        "/",
        "/xss-2010/",
        "/admin/",
        "/admin/events/xss-2010/",
        "/admin/events/xss-2010/edit",
    ] {
        c.goto(&format!("{}{path}", app.address)).await.unwrap();
        c.wait().for_element(Locator::Css("footer")).await.unwrap();
        // Let any injected handler fire (a broken image fails at once).
        tokio::time::sleep(Duration::from_millis(150)).await;
        let pwned = c
            .execute(
                "return window.__pwned === undefined ? null : window.__pwned",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(pwned, json!(null), "script ran on {path}");
        assert!(
            c.get_alert_text().await.is_err(),
            "an alert opened on {path}"
        );
    }
    c.goto(&format!("{}/xss-2010/", app.address)).await.unwrap();
    assert_eq!(
        text_of(c, "h1").await,
        payload,
        "the payload is shown as text"
    );
    c.clone().close().await.unwrap();
}

pub(crate) async fn fill(c: &Client, css: &str, value: &str) {
    let el = c.wait().for_element(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![json!(css), json!(value)],
    )
    .await
    .unwrap();
}

pub(crate) async fn submit(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Fills the slot form's start, end and room.
async fn slot_time_and_room(c: &Client, starts: &str, ends: &str, room: &str) {
    set_value(c, "#f-starts_at", starts).await;
    set_value(c, "#f-ends_at", ends).await;
    c.find(Locator::Css("#f-room_id"))
        .await
        .unwrap()
        .select_by_label(room)
        .await
        .unwrap();
}

/// Signs in through the login form on its way to `next`, and waits for the page titled `h1`.
async fn log_in(c: &Client, app: &TestApp, email: &str, next: &str, h1: &str) {
    c.goto(&format!("{}/login?next={next}", app.address))
        .await
        .unwrap();
    fill(c, "#f-email", email).await;
    fill(c, "#f-password", PASSWORD).await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", h1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_schedules_a_talk_releases_moves_it_and_the_speaker_is_told() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer("damon@example.org", false, &[("usa-2010", Role::Owner)]);
    let Some(b) = browser().await else { return };
    let c = &b.client;
    log_in(
        c,
        &app,
        "damon@example.org",
        "/admin/events/usa-2010/programme/speakers",
        "Speakers of devopsdays USA 2010",
    )
    .await;

    // A new speaker, a talk for them, a slot for the talk.
    fill(c, "#f-name", "Jez Humble").await;
    fill(c, "#f-email", "jez@example.org").await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Jez Humble").await;
    c.goto(&format!(
        "{}/admin/events/usa-2010/programme/talks/new",
        app.address
    ))
    .await
    .unwrap();
    fill(c, "#f-title", "Continuous delivery in practice").await;
    fill(c, "#f-duration_minutes", "30").await;
    fill(c, "#f-add_person", "Jez Humble").await;
    fill(c, "#f-abstract", "From commit to production, *every day*.").await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Talks of devopsdays USA 2010").await;
    c.goto(&format!(
        "{}/admin/events/usa-2010/programme/slots/new",
        app.address
    ))
    .await
    .unwrap();
    slot_time_and_room(c, "2010-06-25T17:45", "2010-06-25T18:15", "Main stage").await;
    c.find(Locator::Css("#f-talk_id"))
        .await
        .unwrap()
        .select_by_label("Continuous delivery in practice")
        .await
        .unwrap();
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Programme of devopsdays USA 2010").await;
    fill(c, "#f-note", "A talk on continuous delivery").await;
    submit(c, ".release-box button[type=submit]").await;
    wait_for_text(
        c,
        ".flash",
        "Released version 2. It is public now; speakers of changed talks are being mailed.",
    )
    .await;

    // A visitor sees it on the grid and on its own page.
    c.goto(&format!("{}/usa-2010/programme/", app.address))
        .await
        .unwrap();
    c.find(Locator::LinkText("Continuous delivery in practice"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Continuous delivery in practice").await;
    assert!(text_of(c, ".talk-when")
        .await
        .starts_with("Friday 25 June 2010, 17:45–18:15 PDT · Main stage"));
    assert_eq!(text_of(c, ".abstract em").await, "every day");

    // The organizer moves it and releases again.
    c.goto(&format!("{}/admin/events/usa-2010/programme/", app.address))
        .await
        .unwrap();
    c.find(Locator::LinkText("Continuous delivery in practice"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Edit slot").await;
    set_value(c, "#f-starts_at", "2010-06-25T18:15").await;
    set_value(c, "#f-ends_at", "2010-06-25T18:45").await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Programme of devopsdays USA 2010").await;
    submit(c, ".release-box button[type=submit]").await;
    wait_for_text(
        c,
        ".flash",
        "Released version 3. It is public now; speakers of changed talks are being mailed.",
    )
    .await;

    // The speaker got a mail for each release; the second says where the talk went.
    let caught = catcher.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(caught.len(), 2);
    assert!(caught.iter().all(|m| m.rcpt_to == ["jez@example.org"]));
    let moved = parsed(&caught[1]).body_text(0).unwrap().to_string();
    assert!(moved.contains("moved to Friday 25 June 2010, 18:15 PDT, Main stage (it was Friday 25 June 2010, 17:45 PDT, Main stage)"), "{moved}");
    // The changelog lists it.
    c.goto(&format!("{}/usa-2010/programme/changes/", app.address))
        .await
        .unwrap();
    let v3 = text_of(c, "section.release").await;
    assert!(
        v3.starts_with("Version 3")
            && v3.contains("Continuous delivery in practice")
            && v3.contains("now Friday 25 June 2010, 18:15 PDT"),
        "{v3}"
    );
    screenshot(c, "changes-page.png").await;
    c.goto(&format!("{}/usa-2010/programme/", app.address))
        .await
        .unwrap();
    screenshot(c, "programme-page.png").await;
    c.clone().close().await.unwrap();
}

/// Plays one HTML5 drag and drop from `source` (CSS) onto the grid cell of `slot_id`. WebDriver
/// pointer actions do not start native HTML5 drags in Chromium, so the test dispatches the
/// same `dragstart`, `dragover` and `drop` events a person's drag produces, with one shared
/// `DataTransfer`; everything after that (the editor's handlers, its POST, the reload) is real.
async fn drag_onto_slot(c: &Client, source: &str, slot_id: &str) {
    c.execute(
        r#"const [source, slotId] = arguments;
        const from = document.querySelector(source);
        const to = document.querySelector(`td[data-slot-id="${slotId}"]`);
        const data = new DataTransfer();
        from.dispatchEvent(new DragEvent("dragstart", { bubbles: true, dataTransfer: data }));
        to.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: data }));
        to.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: data }));"#,
        vec![json!(source), json!(slot_id)],
    )
    .await
    .unwrap();
}

/// The slot id holding `talk_id` in the database, if any.
fn slot_of_talk(app: &TestApp, talk_id: &str) -> Option<String> {
    use diesel::prelude::*;
    use ghent::db::schema::slots;
    app.with_conn(|c| {
        slots::table
            .filter(slots::talk_id.eq(talk_id))
            .select(slots::id)
            .first(c)
            .optional()
            .unwrap()
    })
}

/// The editor grid's cell of `slot_id`.
fn cell(slot_id: &str) -> String {
    format!("td[data-slot-id=\"{slot_id}\"]")
}

/// Waits until `slot_id`'s cell in the editor grid shows `title` (the page reloads after a drop).
async fn wait_for_cell(c: &Client, slot_id: &str, title: &str) {
    wait_until_text(c, &cell(slot_id), &format!("showing {title:?}"), |text| {
        text.contains(title)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_drags_talks_onto_slots_in_the_grid_editor() {
    let app = spawn_demo_app().await;
    app.organizer("damon@example.org", false, &[("usa-2010", Role::Owner)]);
    let Some(b) = browser().await else { return };
    let c = &b.client;
    log_in(
        c,
        &app,
        "damon@example.org",
        "/admin/events/usa-2010/programme/slots/new",
        "New slot",
    )
    .await;
    // An empty slot to drag into, in the gap before the drinks.
    slot_time_and_room(c, "2010-06-25T17:45", "2010-06-25T18:00", "Main stage").await;
    fill(c, "#f-title", "Spare slot").await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Programme of devopsdays USA 2010").await;
    let spare: String = c
        .execute(
            "return [...document.querySelectorAll('td[data-slot-id]')].find(td => td.innerText.includes('Spare slot')).dataset.slotId;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();

    // A scheduled talk dragged from its cell into the spare slot moves there.
    let (talk_id, title): (String, String) = {
        let v = c
            .execute(
                "const t = document.querySelector('#programme-editor .draggable-talk'); return [t.dataset.talkId, t.innerText.trim()];",
                vec![],
            )
            .await
            .unwrap();
        (
            v[0].as_str().unwrap().to_string(),
            v[1].as_str().unwrap().to_string(),
        )
    };
    let from = slot_of_talk(&app, &talk_id).expect("the demo talk has a slot");
    drag_onto_slot(
        c,
        &format!("#programme-editor .draggable-talk[data-talk-id=\"{talk_id}\"]"),
        &spare,
    )
    .await;
    wait_for_cell(c, &spare, &title).await;
    assert_eq!(
        slot_of_talk(&app, &talk_id).as_deref(),
        Some(spare.as_str())
    );
    let old_cell = text_of(c, &cell(&from)).await;
    assert!(
        !old_cell.contains(&title),
        "the old slot still shows the talk: {old_cell:?}"
    );

    // Taken out with the slot's form (no JS needed), it is listed as unscheduled; dragged from
    // that list back onto its old slot, it is placed again.
    c.goto(&format!(
        "{}/admin/events/usa-2010/programme/slots/{spare}",
        app.address
    ))
    .await
    .unwrap();
    submit(c, ".actions form[action$=\"/unschedule\"] button").await;
    wait_for_text(c, "h1", "Programme of devopsdays USA 2010").await;
    assert_eq!(slot_of_talk(&app, &talk_id), None);
    assert!(text_of(c, "ul.unscheduled").await.contains(&title));
    drag_onto_slot(
        c,
        &format!("ul.unscheduled [data-talk-id=\"{talk_id}\"]"),
        &from,
    )
    .await;
    wait_for_cell(c, &from, &title).await;
    assert_eq!(slot_of_talk(&app, &talk_id).as_deref(), Some(from.as_str()));

    // The spare slot itself, dragged by its time onto a free cell, moves there (same length).
    let (starts, room): (String, String) = {
        let v = c
            .execute(
                "const td = document.querySelector('#programme-editor td.empty[data-starts]'); td.id = 'free-cell'; return [td.dataset.starts, td.dataset.roomId];",
                vec![],
            )
            .await
            .unwrap();
        (
            v[0].as_str().unwrap().to_string(),
            v[1].as_str().unwrap().to_string(),
        )
    };
    c.execute(
        r#"const [slotId] = arguments;
        const from = document.querySelector(`[data-move-slot="${slotId}"]`);
        const to = document.getElementById("free-cell");
        const data = new DataTransfer();
        from.dispatchEvent(new DragEvent("dragstart", { bubbles: true, dataTransfer: data }));
        to.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: data }));
        to.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: data }));"#,
        vec![json!(spare)],
    )
    .await
    .unwrap();
    let moved = || {
        use diesel::prelude::*;
        use ghent::db::schema::slots;
        app.with_conn(|conn| {
            slots::table
                .find(&spare)
                .select((slots::starts_at, slots::ends_at, slots::room_id))
                .first::<(chrono::NaiveDateTime, chrono::NaiveDateTime, Option<String>)>(conn)
                .unwrap()
        })
    };
    eventually(10, "the slot moves to the free cell", || {
        ghent::events::display::iso_utc(moved().0) == starts
    })
    .await;
    let (s, e, r) = moved();
    assert_eq!((e - s).num_minutes(), 15);
    assert_eq!(r.unwrap_or_default(), room);
    c.clone().close().await.unwrap();
}

/// The star button of a talk (on the grid or beside a talk page's title).
fn star(title: &str) -> String {
    format!("button.star[aria-label=\"In my agenda: {title}\"]")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_stars_talks_and_subscribes_to_a_feed_of_just_those() {
    let app = spawn_demo_app().await;
    let Some(b) = browser().await else { return };
    let c = &b.client;
    let programme = format!("{}/ghent-2009/programme/", app.address);
    c.goto(&programme).await.unwrap();
    wait_for_text(
        c,
        "#my-agenda .count",
        "Star talks (☆) to build your agenda.",
    )
    .await;
    for title in [
        "Introducing Kanban in operations",
        "Building Agile Infrastructures with Puppet",
    ] {
        submit(c, &star(title)).await;
    }
    wait_for_text(c, "#my-agenda .count", "2 talks in your agenda.").await;

    // Kept in the browser: after a reload, and on the talk's own page, where it is taken out.
    c.goto(&programme).await.unwrap();
    wait_for_text(c, "#my-agenda .count", "2 talks in your agenda.").await;
    c.find(Locator::LinkText("Introducing Kanban in operations"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let on_page = star("Introducing Kanban in operations");
    let pressed = c
        .wait()
        .for_element(Locator::Css(&on_page))
        .await
        .unwrap()
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    submit(c, &on_page).await;
    c.goto(&programme).await.unwrap();
    wait_for_text(c, "#my-agenda .count", "1 talk in your agenda.").await;

    // The feed the page links holds that one talk.
    let feed = c
        .find(Locator::Css("#my-agenda a.feed"))
        .await
        .unwrap()
        .prop("href")
        .await
        .unwrap()
        .unwrap();
    let ics = app
        .client
        .get(&feed)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    assert!(ics.contains("SUMMARY:Building Agile Infrastructures with Puppet"));
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendee_registers_confirms_and_is_checked_in_and_a_cancellation_promotes_the_waiting_list(
) {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    use diesel::prelude::*;
    app.with_conn(|c| {
        diesel::update(
            ghent::db::schema::events::table.filter(ghent::db::schema::events::slug.eq("usa-2010")),
        )
        .set(ghent::db::schema::events::capacity.eq(Some(1)))
        .execute(c)
        .unwrap()
    });
    app.organizer("desk@example.org", false, &[("usa-2010", Role::Organizer)]);
    let Some(b) = browser().await else { return };
    let c = &b.client;

    // Gene registers in the browser.
    c.goto(&format!("{}/usa-2010/", app.address)).await.unwrap();
    c.find(Locator::LinkText("Register"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Register for devopsdays USA 2010").await;
    fill(c, "#f-name", "Gene Kim").await;
    fill(c, "#f-email", "gene@example.org").await;
    c.find(Locator::Css("input[type=radio][value=M]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#f-accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Check your mail").await;

    // Jez registers too (over HTTP) and lands on the waiting list.
    let jez = app.new_visitor();
    jez.post_form(
        "/usa-2010/register/",
        "/usa-2010/register/",
        &[
            ("name", "Jez Humble"),
            ("email", "jez@example.org"),
            ("accept", "on"),
            ("website", ""),
        ],
    )
    .await;

    // Gene follows the link in the mail, confirms, and sees the ticket.
    let caught = catcher.wait_for(2, Duration::from_secs(10)).await;
    let gene_mail = mail_to(&caught, "gene@example.org", |_| true).unwrap();
    let link = link_in(&parsed(gene_mail).body_text(0).unwrap(), &app.address);
    c.goto(&link).await.unwrap();
    wait_for_text(c, "h1", "Your registration").await;
    submit(c, "form[action$='/confirm'] button").await;
    wait_for_text(
        c,
        ".flash",
        "You are registered. Your ticket is on its way by mail, and below.",
    )
    .await;
    c.wait()
        .for_element(Locator::Css(".ticket .qr svg"))
        .await
        .unwrap();
    screenshot(c, "ticket-page.png").await;
    let ticket = catcher.wait_for(3, Duration::from_secs(10)).await;
    assert!(mail_to(&ticket, "gene@example.org", |s| s
        == "Your ticket for devopsdays USA 2010")
    .is_some());

    // At the door, an organizer opens the QR URL (the desk link) and checks Gene in.
    let desk = app.desk_token("gene@example.org");
    c.goto(&format!(
        "{}/admin/events/usa-2010/desk/{desk}",
        app.address
    ))
    .await
    .unwrap();
    fill(c, "#f-email", "desk@example.org").await;
    fill(c, "#f-password", PASSWORD).await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Gene Kim").await;
    submit(c, "button.big").await;
    wait_for_text(c, ".flash", "Gene Kim is checked in. Welcome!").await;

    // Gene cancels (say, another commitment): Jez, first on the waiting list, gets the offer.
    c.goto(&link).await.unwrap();
    c.execute("window.confirm = function () { return true; };", vec![])
        .await
        .unwrap();
    submit(c, "form[action$='/cancel'] button").await;
    wait_for_text(
        c,
        ".flash",
        "Your registration is cancelled. Thank you for letting the next person have your seat.",
    )
    .await;
    let all = catcher.wait_for(5, Duration::from_secs(10)).await;
    let offer = mail_to(&all, "jez@example.org", |s| {
        s.starts_with("Action required: a seat")
    })
    .expect("the offer mail");
    assert!(parsed(offer)
        .body_text(0)
        .unwrap()
        .contains("A seat at devopsdays USA 2010 freed up and it is your turn."));
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_speaker_submits_a_reviewer_scores_an_organizer_accepts_and_the_speaker_confirms() {
    let catcher = catcher().await;
    let app = spawn_demo_app_with_smtp(&catcher, &[]).await;
    app.organizer(
        "reviewer@example.org",
        false,
        &[("usa-2010", Role::Reviewer)],
    );
    app.organizer("owner@example.org", false, &[("usa-2010", Role::Owner)]);
    // A second speaker's proposal (over HTTP), to be rejected.
    let other = app.new_visitor();
    other
        .post_form(
            "/usa-2010/cfp/",
            "/usa-2010/cfp/sign-in",
            &[("email", "second@example.org")],
        )
        .await;
    let caught = catcher.wait_for(1, Duration::from_secs(10)).await;
    let second_link = link_in(&parsed(&caught[0]).body_text(0).unwrap(), &app.address);
    let sp = &second_link[app.address.len()..];
    other.post_form(sp, sp, &[]).await;
    let lightning: String = app.with_conn(|c| {
        use diesel::prelude::*;
        ghent::db::schema::submission_types::table
            .filter(ghent::db::schema::submission_types::name.eq("Lightning talk"))
            .select(ghent::db::schema::submission_types::id)
            .first(c)
            .unwrap()
    });
    other
        .post_form(
            "/usa-2010/cfp/proposals/new",
            "/usa-2010/cfp/proposals",
            &[
                ("title", "Nobody needs ops"),
                ("submission_type_id", &lightning),
                ("abstract", "Provocation."),
            ],
        )
        .await;

    let Some(b) = browser().await else { return };
    let c = &b.client;
    // The speaker asks for a sign-in link and follows it.
    c.goto(&format!("{}/usa-2010/cfp/", app.address))
        .await
        .unwrap();
    fill(c, "#f-email", "adam@example.org").await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(c, "h1", "Check your mail").await;
    let caught = catcher.wait_for(3, Duration::from_secs(10)).await;
    let mail = mail_to(&caught, "adam@example.org", |_| true).unwrap();
    c.goto(&link_in(&parsed(mail).body_text(0).unwrap(), &app.address))
        .await
        .unwrap();
    submit(c, "main form button[type=submit]").await;
    wait_for_text(c, "h1", "Your proposals").await;
    c.find(Locator::LinkText("Submit a proposal"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "A new proposal").await;
    fill(c, "#f-title", "Infrastructure as code, five minutes").await;
    c.find(Locator::Css("#f-submission_type_id"))
        .await
        .unwrap()
        .select_by_label("Lightning talk (5 min)")
        .await
        .unwrap();
    fill(
        c,
        "#f-abstract",
        "Chef, Puppet and the rest in five minutes.",
    )
    .await;
    submit(c, "form.stack button[type=submit]").await;
    wait_for_text(
        c,
        ".flash",
        "Thank you: “Infrastructure as code, five minutes” is submitted. A receipt is on its way.",
    )
    .await;

    // A reviewer scores it.
    log_in(
        c,
        &app,
        "reviewer@example.org",
        "/admin/events/usa-2010/cfp/",
        "Call for papers of devopsdays USA 2010",
    )
    .await;
    c.find(Locator::LinkText("Infrastructure as code, five minutes"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "h1", "Infrastructure as code, five minutes").await;
    c.find(Locator::Css("#score-5"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "#f-comment", "Yes please").await;
    submit(c, "form[action$='/review'] button").await;
    wait_for_text(c, ".flash", "Review saved.").await;
    c.execute(
        "document.querySelector('form[action=\"/logout\"]').submit();",
        vec![],
    )
    .await
    .unwrap();
    wait_for_text(c, ".flash", "You are signed out.").await;

    // The organizer accepts it and rejects the other.
    log_in(
        c,
        &app,
        "owner@example.org",
        "/admin/events/usa-2010/cfp/",
        "Call for papers of devopsdays USA 2010",
    )
    .await;
    let rows = text_of(c, "table.proposals tbody tr").await;
    assert!(
        rows.contains("Infrastructure as code, five minutes") && rows.contains("5.0"),
        "ranked first with its score: {rows}"
    );
    let (ours, theirs) = app.with_conn(|conn| {
        use diesel::prelude::*;
        use ghent::db::schema::proposals;
        let mut id = |t: &str| {
            proposals::table
                .filter(proposals::title.eq(t))
                .select(proposals::id)
                .first::<String>(conn)
                .unwrap()
        };
        (
            id("Infrastructure as code, five minutes"),
            id("Nobody needs ops"),
        )
    });
    c.find(Locator::Css(&format!("#pick-{ours}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c, "button[value=accept]").await;
    wait_for_text(
        c,
        ".flash",
        "Accepted 1 proposal(s); the speakers are being mailed.",
    )
    .await;
    c.find(Locator::Css(&format!("#pick-{theirs}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.execute("window.confirm = function () { return true; };", vec![])
        .await
        .unwrap();
    submit(c, "button[value=reject]").await;
    wait_for_text(
        c,
        ".flash",
        "Rejected 1 proposal(s); the speakers are being mailed.",
    )
    .await;

    // The speaker gets the acceptance over SMTP, follows its link, confirms, gets the confirmation.
    let all = catcher.wait_for(6, Duration::from_secs(10)).await;
    let accepted = mail_to(&all, "adam@example.org", |s| {
        s.starts_with("Action required: confirm your talk")
    })
    .expect("acceptance");
    assert!(
        mail_to(&all, "second@example.org", |s| s
            == "Your proposal “Nobody needs ops” for devopsdays USA 2010")
        .is_some(),
        "the rejection"
    );
    c.goto(&link_in(
        &parsed(accepted).body_text(0).unwrap(),
        &app.address,
    ))
    .await
    .unwrap();
    submit(c, "button[value=confirm]").await;
    wait_for_text(
        c,
        ".flash",
        "Thank you! Your talk is confirmed; a confirmation is on its way by mail.",
    )
    .await;
    // The confirmation and (speakers at the door) a registration ticket: 8 mails in all.
    let all = catcher.wait_for(8, Duration::from_secs(10)).await;
    assert!(mail_to(&all, "adam@example.org", |s| {
        s == "Confirmed: “Infrastructure as code, five minutes” at devopsdays USA 2010"
    })
    .is_some());
    let ticket = mail_to(&all, "adam@example.org", |s| {
        s == "Your ticket for devopsdays USA 2010"
    })
    .expect("a speaker's ticket");
    assert!(parsed(ticket)
        .body_text(0)
        .unwrap()
        .contains("You are one of the speakers"));

    // The talk can now be scheduled: the organizer finds it in the slot form's talks.
    c.goto(&format!(
        "{}/admin/events/usa-2010/programme/slots/new",
        app.address
    ))
    .await
    .unwrap();
    c.find(Locator::Css("#f-talk_id"))
        .await
        .unwrap()
        .select_by_label("Infrastructure as code, five minutes")
        .await
        .unwrap();
    c.clone().close().await.unwrap();
}

/// Joins USA 2010's marketplace in a browser and puts a dot on a topic by clicking.
async fn join_and_vote(c: &Client, address: &str, name: &str, topic: &str) {
    c.goto(&format!("{address}/usa-2010/openspace/"))
        .await
        .unwrap();
    c.find(Locator::Css("#f-code"))
        .await
        .unwrap()
        .send_keys("devops")
        .await
        .unwrap();
    c.find(Locator::Css("#f-name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    c.find(Locator::Css(".join button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_text(c, ".participant", "joined", |t| t.contains(name)).await;
    let button = format!("#topic-{topic} form button");
    c.find(Locator::Css(&button))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_text(c, ".flash", "a dot placed", |t| {
        t.contains("Your dot is on it")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_vote_and_a_topic_dragged_onto_the_board_shows_on_the_other_within_5_s() {
    use diesel::prelude::*;
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    use ghent::db::schema::{openspace_topics, openspace_votes};
    let app = spawn_demo_app().await;
    app.organizer(
        "o@example.org",
        false,
        &[
            ("ghent-2009", Role::Organizer),
            ("usa-2010", Role::Organizer),
        ],
    );
    let topic: String = app.with_conn(|c| {
        openspace_topics::table
            .filter(openspace_topics::title.eq("Devops in a large enterprise"))
            .select(openspace_topics::id)
            .first(c)
            .unwrap()
    });
    let votes = |app: &TestApp| -> i64 {
        app.with_conn(|c| {
            openspace_votes::table
                .filter(openspace_votes::topic_id.eq(&topic))
                .count()
                .get_result(c)
                .unwrap()
        })
    };
    let before = votes(&app);
    let Some(b) = browser().await else { return };
    let (other, _profile) = b.another().await;
    let c = &b.client;
    join_and_vote(c, &app.address, "Alice", &topic).await;
    join_and_vote(&other, &app.address, "Bob", &topic).await;
    assert_eq!(
        votes(&app),
        before + 2,
        "two browsers, two participants, two dots"
    );
    // The live count on the first browser catches up with the second's vote without a reload.
    let expected = (before + 2).to_string();
    wait_until_text(
        c,
        &format!(".votes[data-topic='{topic}']"),
        &expected,
        |t| t == expected,
    )
    .await;

    // Bob watches Ghent 2009's board; the organizer drags a topic to a free cell.
    other
        .goto(&format!("{}/ghent-2009/openspace/board/", app.address))
        .await
        .unwrap();
    wait_for_text(&other, "h1", "Open space board").await;
    let moved = "Deployment: who pushes the button?";
    let cells = other
        .find_all(Locator::Css(".os-grid tbody tr:last-child td"))
        .await
        .unwrap();
    let last_before = cells.last().unwrap().text().await.unwrap();
    assert!(!last_before.contains(moved), "{last_before}");
    c.goto(&format!(
        "{}/admin/events/ghent-2009/openspace/",
        app.address
    ))
    .await
    .unwrap();
    c.find(Locator::Css("#f-email"))
        .await
        .unwrap()
        .send_keys("o@example.org")
        .await
        .unwrap();
    c.find(Locator::Css("#f-password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until_text(c, "h1", "the open-space admin", |t| {
        t.starts_with("Open space")
    })
    .await;
    let id = topic_id_by_title(&app, moved);
    let card = c
        .find(Locator::Css(&format!(
            ".admin-board .card[data-topic='{id}']"
        )))
        .await
        .unwrap();
    let target = c
        .find(Locator::Css(
            ".admin-board tbody tr:last-child td[data-slot]:last-child",
        ))
        .await
        .unwrap();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: card,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveToElement {
            element: target,
            duration: Some(Duration::from_millis(300)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.unwrap();
    wait_until_text(c, ".flash", "placed", |t| t == "Placed.").await;
    let dropped = Instant::now();
    // Bob's board shows it in the last cell within 5 s, without a reload (the script polls).
    let marker: serde_json::Value = other
        .execute("window.ghentNoReload = 1; return 1", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(1));
    loop {
        let cells = other
            .find_all(Locator::Css(".os-grid tbody tr:last-child td"))
            .await
            .unwrap();
        if let Some(cell) = cells.last() {
            if cell.text().await.unwrap_or_default().contains(moved) {
                break;
            }
        }
        assert!(
            dropped.elapsed() < Duration::from_secs(5),
            "the other board did not show the move within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let same_page: serde_json::Value = other
        .execute("return window.ghentNoReload || 0", vec![])
        .await
        .unwrap();
    assert_eq!(same_page, json!(1), "the page was not reloaded");
    // The kiosk view renders in large type.
    other
        .goto(&format!(
            "{}/ghent-2009/openspace/board/?kiosk=1",
            app.address
        ))
        .await
        .unwrap();
    wait_for_text(&other, "h1", "Open space board").await;
    let size: serde_json::Value = other
        .execute(
            "return getComputedStyle(document.querySelector('.os-board.kiosk')).fontSize",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(size, json!("16px"), "{size}");
    screenshot(&other, "openspace-kiosk.png").await;
    other.close().await.unwrap();
    c.clone().close().await.unwrap();
}

fn topic_id_by_title(app: &TestApp, title: &str) -> String {
    use diesel::prelude::*;
    use ghent::db::schema::openspace_topics;
    app.with_conn(|c| {
        openspace_topics::table
            .filter(openspace_topics::title.eq(title))
            .select(openspace_topics::id)
            .first(c)
            .unwrap()
    })
}
