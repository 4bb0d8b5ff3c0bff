//! Organizers and attendees: the list (search, status filters, counts), CSV, adding by hand,
//! cancelling, resending mail, the questions, the check-in desk, and purging personal data.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::display;
use crate::forms::submit;
use crate::registration::model::QuestionKind;
use crate::registration::queries::{self, ListFilter};
use crate::registration::questions::{self, QuestionForm};
use crate::registration::{attendees, desk as checkin, form, privacy, views, Status};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{after_form, Page, INVALID};

/// Filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Status (or `checked_in`, `speaker`).
    pub status: String,
    /// Search in names and emails.
    pub q: String,
    /// Page of the list (1-based).
    pub page: i64,
}

impl ListQuery {
    /// The filters, as the list's links and the CSV link keep them.
    fn pairs(&self) -> [(&'static str, &str); 2] {
        [("status", &self.status), ("q", &self.q)]
    }
}

/// The add-by-hand form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AddForm {
    /// As typed.
    pub name: String,
    /// As typed; the attendee's ticket goes there.
    pub email: String,
    /// Optional.
    pub company: String,
}

async fn list_page(
    staff: &EventStaff,
    query: &ListQuery,
    form: &AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let filter = ListFilter::parse(&query.status);
    let q = Some(query.q.clone()).filter(|s| !s.is_empty());
    let at = (query.page, staff.ctx.settings.list_page_size);
    let (counts, rows, paging) = staff
        .read(move |conn, cx| views::list_page(conn, &cx.event, filter, q.as_deref(), at))
        .await?;
    let event = &staff.event;
    let path = urls::registrations(&event.slug);
    let pager = paging.view(|p| crate::paging::link(&path, &query.pairs(), p));
    let csv = crate::paging::link(&format!("{path}.csv"), &query.pairs(), 1);
    staff.render(
        Page::new("admin/registrations")
            .data(json!({
                "base": urls::prefix(&event.slug, ""), "counts": counts, "rows": rows,
                "capacity": event.capacity, "status": query.status, "q": query.q, "form": form, "errors": errors,
                "statuses": ListFilter::names(), "pager": pager, "csv": csv,
                "filtered": !query.status.is_empty() || !query.q.is_empty(),
                "purged": event.purged_at.map(|t| display::datetime(t, event.tz())),
            }))
            .status(status)
            .title(format!("Attendees · {}", event.name)),
    )
}

/// `GET /admin/events/{slug}/registrations`.
pub async fn list(
    admin: EventAdmin<need::Organize>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    list_page(
        &admin,
        &query,
        &AddForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/events/{slug}/registrations.csv`: what the list shows with the same filters.
pub async fn csv(
    admin: EventAdmin<need::Organize>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let filter = ListFilter::parse(&query.status);
    let q = query.q.clone();
    let bytes = admin
        .read(move |conn, cx| attendees::csv(conn, cx, filter, Some(q.as_str())))
        .await?;
    let name = format!("attachment; filename=\"{}-attendees.csv\"", admin.slug());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", name))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}

/// `POST /admin/events/{slug}/registrations`: add an attendee by hand.
pub async fn add(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let input = form::parse_attendee(&form.name, &form.email, &form.company);
    let result = submit(input, |who| {
        admin.write(move |conn, cx| attendees::add_by_hand(conn, cx, &who))
    })
    .await;
    let query = ListQuery::default();
    after_form(
        result,
        |r| {
            let message = format!("Added {} ({}); their mail is on its way.", r.name, r.status);
            admin.done(&message, &urls::registrations(admin.slug()))
        },
        |errors| list_page(&admin, &query, &form, errors, INVALID),
    )
    .await
}

/// `POST …/registrations/{id}/cancel`.
pub async fn cancel(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| attendees::cancel_for(conn, cx, &id))
        .await?;
    Ok(admin.done(
        "Cancelled; the seat went to the waiting list if anyone was on it.",
        &urls::registrations(admin.slug()),
    ))
}

/// `POST …/registrations/{id}/resend`: the mail that fits the registration's status, again.
pub async fn resend(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let name = admin
        .write(move |conn, cx| attendees::resend(conn, cx, &id))
        .await?;
    Ok(admin.done(
        &format!("Mail to {name} queued again."),
        &urls::registrations(admin.slug()),
    ))
}

/// `POST …/registrations/purge`: delete every attendee's personal data now.
pub async fn purge(
    admin: EventAdmin<need::Organize>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let n = admin
        .write_archived(|conn, cx| privacy::purge_event(conn, cx.now, &cx.actor, &cx.event))
        .await?;
    Ok(admin.done(
        &format!("Deleted the personal data of {n} attendees."),
        &urls::registrations(admin.slug()),
    ))
}

/// `POST …/registrations/speakers`: registrations for the speakers of confirmed talks.
pub async fn register_speakers(
    admin: EventAdmin<need::Organize>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let done = admin
        .write(|conn, cx| attendees::register_speakers(conn, cx, None))
        .await?;
    let message = if done.added + done.changed == 0 {
        "Every speaker of a confirmed talk has a registration already.".to_string()
    } else {
        format!(
            "Registered {} new speaker(s) and turned {} existing registration(s) into speaker registrations. Their tickets are being mailed.",
            done.added, done.changed
        )
    };
    let list = format!("{}?status=speaker", urls::registrations(admin.slug()));
    Ok(admin.done(&message, &list))
}

// ------------------------------------------------------------ questions

async fn questions_page(
    staff: &EventStaff,
    form: &QuestionForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let qs = staff
        .read(|conn, cx| Ok(questions::of_event(conn, &cx.event.id)?))
        .await?;
    let kinds = crate::registration::model::QuestionKind::ALL;
    staff.render(
        Page::new("admin/questions")
            .data(json!({ "base": urls::prefix(staff.slug(), ""), "questions": qs, "form": form, "errors": errors, "kinds": kinds }))
            .status(status)
            .title(format!("Questions · {}", staff.event.name)),
    )
}

/// `GET /admin/events/{slug}/questions`.
pub async fn question_list(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    let form = QuestionForm {
        kind: QuestionKind::Text.as_str().into(),
        ..QuestionForm::default()
    };
    questions_page(&admin, &form, FieldErrors::new(), StatusCode::OK).await
}

async fn save_question(
    staff: &EventStaff,
    id: Option<String>,
    form: QuestionForm,
) -> AppResult<HttpResponse> {
    let result = submit(questions::parse(&form), |input| {
        staff.write(move |conn, cx| questions::save(conn, cx, id.as_deref(), &input))
    })
    .await;
    after_form(
        result,
        |q| {
            staff.done(
                &format!("Saved “{}”.", q.label),
                &urls::questions(staff.slug()),
            )
        },
        |errors| questions_page(staff, &form, errors, INVALID),
    )
    .await
}

/// `POST /admin/events/{slug}/questions`.
pub async fn question_create(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> AppResult<HttpResponse> {
    save_question(&admin, None, form).await
}

/// `POST /admin/events/{slug}/questions/{id}`.
pub async fn question_update(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> AppResult<HttpResponse> {
    save_question(&admin, Some(path.into_inner().1), form).await
}

/// `POST /admin/events/{slug}/questions/{id}/delete`.
pub async fn question_delete(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| questions::delete(conn, cx, &id))
        .await?;
    Ok(admin.done("Question deleted.", &urls::questions(admin.slug())))
}

// ------------------------------------------------------------ desk

/// Desk search.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskQuery {
    /// Name or email.
    pub q: String,
}

/// `GET /admin/events/{slug}/desk`: search attendees by name or email to check them in.
pub async fn desk(
    admin: EventAdmin<need::Desk>,
    query: web::Query<DeskQuery>,
) -> AppResult<HttpResponse> {
    let q = query.q.trim().to_string();
    let at = (1, admin.ctx.settings.list_page_size);
    let (counts, rows) = admin
        .read(move |conn, cx| {
            let confirmed = ListFilter::Status(Status::Confirmed);
            let (counts, rows, _) = views::list_page(conn, &cx.event, confirmed, Some(&q), at)?;
            Ok((counts, if q.is_empty() { Vec::new() } else { rows }))
        })
        .await?;
    let searched = !query.q.trim().is_empty();
    admin.render(
        Page::new("admin/desk")
            .data(json!({ "base": urls::prefix(admin.slug(), ""), "q": query.q, "rows": rows, "counts": counts, "searched": searched }))
            .title(format!("Check-in desk · {}", admin.event.name)),
    )
}

/// `GET /admin/events/{slug}/desk/{desk_token}`: the ticket's QR code opens this; it shows the
/// attendee and a check-in button, with a warning when they are already in.
pub async fn ticket(
    admin: EventAdmin<need::Desk>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let r = admin
        .read(move |conn, cx| queries::by_desk_token(conn, &cx.event.id, &token))
        .await?;
    let tz = admin.event.tz();
    admin.render(
        Page::new("admin/desk_ticket")
            .data(json!({
                "base": urls::prefix(admin.slug(), ""), "id": r.id,
                "r": { "name": r.name, "email": r.email, "company": r.company, "status": r.status, "kind": r.kind },
                "confirmed": r.status == Status::Confirmed,
                "checked_in": r.checked_in_at.map(|t| display::datetime(t, tz)),
            }))
            .title(format!("Check in {}", r.name)),
    )
}

/// The check-in form: by registration id (the search, the QR code's page), or by the ticket's
/// check-in code (a scanner that posts what it read).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    /// Registration id.
    pub id: String,
    /// Check-in code.
    pub token: String,
}

/// `POST /admin/events/{slug}/desk`: checks an attendee in; says so if they already were.
pub async fn check_in(
    admin: EventAdmin<need::Desk>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> AppResult<HttpResponse> {
    let desk = urls::desk(admin.slug());
    let who = if form.id.is_empty() {
        checkin::Attendee::Code(form.token)
    } else {
        checkin::Attendee::Id(form.id)
    };
    let message = match admin
        .write(move |conn, cx| checkin::check_in(conn, cx, &who))
        .await
    {
        Ok(c) => match c.already {
            Some(at) => format!(
                "Careful: {} was already checked in at {}.",
                c.registration.name,
                display::datetime(at, admin.event.tz())
            ),
            None => format!("{} is checked in. Welcome!", c.registration.name),
        },
        Err(AppError::Refused(message)) => message,
        Err(e) => return Err(e),
    };
    Ok(admin.done(&message, &desk))
}
