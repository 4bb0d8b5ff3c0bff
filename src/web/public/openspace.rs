//! The open space in public: the marketplace (join, propose, vote), the live board (also as a
//! kiosk), the notes pages of topics and talks, and the page on how open space works.
//!
//! A browser's participant is named by a signed cookie scoped to the event's path, a year long.

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::openspace::market::{self, TopicForm};
use crate::openspace::model::{NoteSubject, Participant};
use crate::openspace::notes::{self, NotesForm, Saved};
use crate::openspace::{participants, views};
use crate::urls;
use crate::web::extractors::{ClientIp, CsrfForm, NoFields, PublicEvent};
use crate::web::render::{Page, INVALID};

fn cookie_name(slug: &str) -> String {
    format!("ghent_os_{}", slug.replace('-', "_"))
}

/// The id of this browser's participant, if its cookie is genuine.
fn participant_id(req: &HttpRequest, visit: &PublicEvent) -> Option<String> {
    let cookie = req.cookie(&cookie_name(visit.slug()))?;
    participants::verify(visit.mailer.secret(), cookie.value())
}

/// The participant of this request, or a refusal that says how to join.
async fn participant(req: &HttpRequest, visit: &PublicEvent) -> AppResult<Participant> {
    let id = participant_id(req, visit);
    visit
        .read(move |conn, cx| views::participant(conn, cx, id.as_deref()).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::Refused("Join the open space first: enter the marketplace code (or open the link in your registration mail).".into()))
}

/// A redirect that also sets the participant cookie.
fn joined(visit: &PublicEvent, p: &Participant, message: &str) -> HttpResponse {
    let cookie = Cookie::build(
        cookie_name(visit.slug()),
        participants::cookie_value(visit.mailer.secret(), &p.id),
    )
    .path(urls::event(visit.slug()))
    .max_age(CookieAge::days(365))
    .http_only(true)
    .same_site(SameSite::Lax)
    .secure(visit.base_url.starts_with("https://"))
    .finish();
    let mut response = visit.done(message, &urls::openspace(visit.slug()));
    let _ = response.add_cookie(&cookie);
    response
}

/// A refusal of the domain as a message on the marketplace; other errors go on.
fn back(visit: &PublicEvent, result: AppResult<()>, ok: &str) -> AppResult<HttpResponse> {
    match result {
        Ok(()) => Ok(visit.done(ok, &urls::openspace(visit.slug()))),
        Err(AppError::Refused(why)) => Ok(visit.done(&why, &urls::openspace(visit.slug()))),
        Err(e) => Err(e),
    }
}

async fn market_page(
    visit: &PublicEvent,
    req: &HttpRequest,
    form: &TopicForm,
    join: (&str, &str),
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let id = participant_id(req, visit);
    let data = visit
        .read(move |conn, cx| views::market_page(conn, cx, id.as_deref()))
        .await?;
    let mut form = form.clone();
    if form.convener.is_empty() {
        form.convener = data["participant"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    visit.render(
        Page::new("public/openspace")
            .data(serde_json::json!({ "os": data, "form": form, "code": join.0, "name": join.1, "errors": errors }))
            .status(status)
            .title(format!("Open space · {}", visit.event.name)),
    )
}

/// `GET /{slug}/openspace/`: the marketplace.
pub async fn market(visit: PublicEvent, req: HttpRequest) -> AppResult<HttpResponse> {
    market_page(
        &visit,
        &req,
        &TopicForm::default(),
        ("", ""),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The join form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    code: String,
    name: String,
}

/// `POST /{slug}/openspace/join`: joins with the marketplace code.
pub async fn join(
    visit: PublicEvent,
    req: HttpRequest,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> AppResult<HttpResponse> {
    if !visit.allows("openspace-join", &ip) {
        let errors = FieldErrors::from([(
            "code".to_string(),
            "Too many tries from your network in the last minute. Wait a minute and try again."
                .to_string(),
        )]);
        return market_page(
            &visit,
            &req,
            &TopicForm::default(),
            (&form.code, &form.name),
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let (code, name) = (form.code.clone(), form.name.clone());
    match visit.write(move |conn, cx| participants::join_with_code(conn, cx, &code, &name)).await {
        Ok(p) => Ok(joined(&visit, &p, "Welcome to the open space. Propose a topic, or put your dots on the ones you want to join.")),
        Err(AppError::Invalid(errors)) => market_page(&visit, &req, &TopicForm::default(), (&form.code, &form.name), errors, INVALID).await,
        Err(AppError::Refused(why)) => Ok(visit.done(&why, &urls::openspace(visit.slug()))),
        Err(e) => Err(e),
    }
}

/// `GET /{slug}/openspace/join/{token}`: an attendee's way in, from their registration page.
pub async fn join_registered(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let p = visit
        .write(move |conn, cx| participants::join_registered(conn, cx, &token))
        .await?;
    Ok(joined(
        &visit,
        &p,
        "Welcome to the open space, through your registration.",
    ))
}

/// `POST /{slug}/openspace/topics`: proposes a topic. A bot that filled the honeypot sees the
/// same answer and nothing is stored.
pub async fn propose(
    visit: PublicEvent,
    req: HttpRequest,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<TopicForm>,
) -> AppResult<HttpResponse> {
    if form.is_bot() {
        return Ok(visit.done(
            "Thank you: your topic is on the marketplace.",
            &urls::openspace(visit.slug()),
        ));
    }
    if !visit.allows("openspace-topic", &ip) {
        let errors = FieldErrors::from([("title".to_string(), "Too many topics from your network in the last minute. Wait a minute and send it again; what you typed is kept.".to_string())]);
        return market_page(
            &visit,
            &req,
            &form,
            ("", ""),
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let p = match participant(&req, &visit).await {
        Ok(p) => p,
        Err(e) => return back(&visit, Err(e), ""),
    };
    let input = match market::parse(&form) {
        Ok(input) => input,
        Err(errors) => return market_page(&visit, &req, &form, ("", ""), errors, INVALID).await,
    };
    let result = visit
        .write(move |conn, cx| market::propose(conn, cx, &p, &input).map(drop))
        .await;
    back(&visit, result, "Thank you: your topic is on the marketplace. Pitch it in a sentence when the marketplace starts.")
}

/// `POST /{slug}/openspace/topics/{id}/vote`: puts a dot on a topic.
pub async fn vote(
    visit: PublicEvent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let topic = path.into_inner().1;
    let result = match participant(&req, &visit).await {
        Ok(p) => {
            visit
                .write(move |conn, cx| market::vote(conn, cx, &p, &topic))
                .await
        }
        Err(e) => Err(e),
    };
    back(&visit, result, "Your dot is on it.")
}

/// `POST /{slug}/openspace/topics/{id}/unvote`: takes the dot back.
pub async fn unvote(
    visit: PublicEvent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let topic = path.into_inner().1;
    let result = match participant(&req, &visit).await {
        Ok(p) => {
            visit
                .write(move |conn, cx| market::unvote(conn, cx, &p, &topic))
                .await
        }
        Err(e) => Err(e),
    };
    back(
        &visit,
        result,
        "Your dot is back: place it on another topic.",
    )
}

/// Answers 304 when the client's ETag matches.
fn not_modified(req: &HttpRequest, etag: &str) -> Option<HttpResponse> {
    let sent = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    sent.split(',').any(|t| t.trim() == etag).then(|| {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag.to_string()))
            .finish()
    })
}

/// `GET /{slug}/openspace/counts.json`: votes per topic, for the marketplace's live counts.
pub async fn counts(visit: PublicEvent, req: HttpRequest) -> AppResult<HttpResponse> {
    let counts = visit.read(views::counts).await?;
    let body = serde_json::to_vec(&counts).map_err(|e| AppError::Internal(e.into()))?;
    let etag = format!(
        "\"c{}\"",
        &crate::tokens::hash_token(&String::from_utf8_lossy(&body))[..16]
    );
    if let Some(r) = not_modified(&req, &etag) {
        return Ok(r);
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

/// The board's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    /// "1" for the projector view.
    kiosk: String,
    /// "1" for the board alone (what the page's script fetches).
    fragment: String,
}

/// `GET /{slug}/openspace/board/`: the live board; `?kiosk=1` for a projector. Answers 304 to a
/// conditional request while the board's version (in the database, so shared by every
/// instance) has not changed: the page's script polls it every two seconds.
pub async fn board(
    visit: PublicEvent,
    req: HttpRequest,
    query: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (kiosk, fragment) = (query.kiosk == "1", query.fragment == "1");
    let etag = visit
        .read(move |conn, cx| views::board_etag(conn, cx, kiosk))
        .await?;
    if let Some(r) = not_modified(&req, &etag) {
        return Ok(r);
    }
    let data = visit
        .read(move |conn, cx| views::board_page(conn, cx, kiosk))
        .await?;
    let template = if fragment {
        "partials/openspace_board"
    } else {
        "public/openspace_board"
    };
    let mut response = visit.render(
        Page::new(template)
            .data(data)
            .title(format!("Open space board · {}", visit.event.name)),
    )?;
    response.headers_mut().insert(
        header::ETAG,
        header::HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?,
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    Ok(response)
}

/// `GET /{slug}/openspace/about/`: how open space works.
pub async fn about(visit: PublicEvent) -> AppResult<HttpResponse> {
    let data = visit.read(views::about_page).await?;
    visit.render(
        Page::new("public/openspace_about")
            .data(data)
            .title(format!("How open space works · {}", visit.event.name)),
    )
}

async fn notes_page(
    visit: &PublicEvent,
    req: &HttpRequest,
    kind: NoteSubject,
    id: String,
    typed: Option<(&NotesForm, serde_json::Value)>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let pid = participant_id(req, visit);
    let data = visit
        .read(move |conn, cx| views::notes_page(conn, cx, kind, &id, pid.as_deref()))
        .await?;
    let title = format!(
        "Notes: {} · {}",
        data["subject"]["title"].as_str().unwrap_or(""),
        visit.event.name
    );
    let (form, conflict) = match typed {
        Some((f, c)) => (serde_json::to_value(f).unwrap_or_default(), c),
        None => (
            serde_json::json!({ "body": data["body"], "editor": data["participant"]["name"], "base": data["revision"] }),
            serde_json::Value::Null,
        ),
    };
    visit.render(
        Page::new("public/notes")
            .data(serde_json::json!({ "notes": data, "form": form, "conflict": conflict }))
            .status(status)
            .title(title),
    )
}

async fn save_notes(
    visit: PublicEvent,
    req: HttpRequest,
    kind: NoteSubject,
    id: String,
    form: NotesForm,
) -> AppResult<HttpResponse> {
    let input = match notes::parse(&form) {
        Ok(i) => i,
        Err(errors) => {
            return notes_page(
                &visit,
                &req,
                kind,
                id,
                Some((&form, serde_json::json!({ "errors": errors }))),
                INVALID,
            )
            .await
        }
    };
    let p = match participant(&req, &visit).await {
        Ok(p) => p,
        Err(AppError::Refused(why)) => {
            return notes_page(
                &visit,
                &req,
                kind,
                id,
                Some((&form, serde_json::json!({ "refused": why }))),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => return Err(e),
    };
    let i = id.clone();
    match visit.write(move |conn, cx| notes::save(conn, cx, &p, kind, &i, &input)).await {
        Ok(Saved::Revision(n)) => Ok(visit.done(&format!("Saved as revision {n}."), &notes_url(&visit, kind, &id))),
        Ok(Saved::Conflict(latest)) => notes_page(&visit, &req, kind, id, Some((&form, serde_json::json!({ "theirs": latest.body, "theirs_html": crate::markdown::to_safe_html(&latest.body), "editor": latest.editor_name, "revision": latest.revision }))), StatusCode::CONFLICT).await,
        Err(AppError::Refused(why)) => notes_page(&visit, &req, kind, id, Some((&form, serde_json::json!({ "refused": why }))), StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
}

fn notes_url(visit: &PublicEvent, kind: NoteSubject, id: &str) -> String {
    match kind {
        NoteSubject::Topic => urls::topic(visit.slug(), id),
        NoteSubject::Talk => urls::talk_notes(visit.slug(), id),
    }
}

/// `GET /{slug}/openspace/topics/{id}/`: a topic's notes.
pub async fn topic_notes(
    visit: PublicEvent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    notes_page(
        &visit,
        &req,
        NoteSubject::Topic,
        path.into_inner().1,
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/openspace/topics/{id}/`: saves a topic's notes.
pub async fn save_topic_notes(
    visit: PublicEvent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<NotesForm>,
) -> AppResult<HttpResponse> {
    save_notes(visit, req, NoteSubject::Topic, path.into_inner().1, form).await
}

/// `GET /{slug}/talks/{id}/notes/`: a talk's notes.
pub async fn talk_notes(
    visit: PublicEvent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    notes_page(
        &visit,
        &req,
        NoteSubject::Talk,
        path.into_inner().1,
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/talks/{id}/notes/`: saves a talk's notes.
pub async fn save_talk_notes(
    visit: PublicEvent,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<NotesForm>,
) -> AppResult<HttpResponse> {
    save_notes(visit, req, NoteSubject::Talk, path.into_inner().1, form).await
}
