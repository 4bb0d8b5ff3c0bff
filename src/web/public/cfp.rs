//! The call for papers for speakers: sign in by a mailed link (no password), submit and edit
//! proposals and a profile, see every mail sent to them, confirm or decline an accepted talk.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::cfp::service::{self, ProfileForm, ProposalForm};
use crate::cfp::ProposalState;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, queries as event_queries, Event};
use crate::programme::Person;
use crate::web::extractors::{ClientIp, CsrfForm, NoFields};
use crate::web::render::{after_form, flash, redirect, Page, INVALID};
use crate::web::AppState;

/// Session key of the signed-in speaker's person id.
const SPEAKER_KEY: &str = "speaker";

async fn event_by_slug(state: &AppState, slug: String) -> AppResult<Event> {
    state
        .read(move |conn| event_queries::by_slug(conn, &slug)?.ok_or(AppError::NotFound))
        .await
}

/// The signed-in speaker, if any.
async fn speaker(state: &AppState, session: &Session) -> AppResult<Option<Person>> {
    let Some(id) = session.get::<String>(SPEAKER_KEY).ok().flatten() else {
        return Ok(None);
    };
    state
        .read(move |conn| Ok(service::person(conn, &id).ok()))
        .await
}

/// The signed-in speaker, or a redirect to the CfP page that asks them to sign in.
async fn require_speaker(
    state: &AppState,
    session: &Session,
    event: &Event,
) -> Result<Person, HttpResponse> {
    match speaker(state, session).await {
        Ok(Some(p)) => Ok(p),
        _ => {
            flash(
                session,
                "Sign in with the link we mail you to see your proposals.",
            );
            Err(redirect(&format!("/{}/cfp/", event.slug)))
        }
    }
}

/// `GET /{slug}/cfp/`: the call, and a sign-in form (or the way to one's proposals).
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let (now, tz, e) = (state.now(), event.tz(), event.clone());
    let types = state
        .read(move |conn| Ok(service::types_of(conn, &e.id)?))
        .await?;
    let me = speaker(&state, &session).await?;
    Page::new("public/cfp")
        .data(json!({
            "slug": event.slug, "event_name": event.name, "description": event.cfp_description, "open": event.cfp_open(now),
            "closes": event.cfp_closes_at.map(|t| display::datetime(t, tz)), "opens": event.cfp_opens_at.map(|t| display::datetime(t, tz)),
            "types": types, "signed_in": me.is_some(), "errors": {}, "form": {},
        }))
        .title(format!("Call for papers · {}", event.name))
        .render(&state, &session)
}

/// The sign-in request form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    /// Email.
    pub email: String,
}

/// `POST /{slug}/cfp/sign-in`: mails a sign-in link. The same page for every address.
pub async fn request_sign_in(
    state: web::Data<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let now = state.now();
    if !state.form_limiter.allow(&format!("cfp:{ip}"), now) {
        return Err(AppError::RateLimited(
            "Too many requests from your network; wait a minute and try again.".into(),
        ));
    }
    let (mailer, e, email) = (state.mailer.clone(), event.clone(), form.email.clone());
    match state.write(move |conn| service::request_sign_in(conn, now, &mailer, &e, &email)).await {
        Ok(()) => {}
        Err(AppError::Invalid(errors)) => {
            return Page::new("public/cfp")
                .data(json!({ "slug": event.slug, "event_name": event.name, "description": event.cfp_description, "open": event.cfp_open(now), "types": [], "errors": errors, "form": { "email": form.email } }))
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .title("Call for papers")
                .render(&state, &session)
        }
        Err(e) => return Err(e),
    }
    Page::new("public/cfp_sent").data(json!({ "slug": event.slug, "event_name": event.name, "email": form.email.trim().to_lowercase() })).title("Check your mail").render(&state, &session)
}

/// `GET /{slug}/cfp/sign-in/{token}`: a button to sign in (a GET does not use the link up, so
/// mail scanners that open links do not spend it).
pub async fn sign_in_page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let (now, t) = (state.now(), token.clone());
    let valid = state
        .read(move |conn| service::sign_in_link_valid(conn, now, &t))
        .await?;
    Page::new("public/cfp_sign_in")
        .data(
            json!({ "slug": event.slug, "event_name": event.name, "token": token, "valid": valid }),
        )
        .status(if valid {
            StatusCode::OK
        } else {
            StatusCode::GONE
        })
        .title("Sign in")
        .render(&state, &session)
}

/// `POST /{slug}/cfp/sign-in/{token}`: uses the link and signs the speaker in.
pub async fn sign_in(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let now = state.now();
    match state
        .write(move |conn| service::sign_in(conn, now, &token))
        .await
    {
        Ok(person) => {
            session.renew();
            session
                .insert(SPEAKER_KEY, &person.id)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            flash(
                &session,
                if person.name.is_empty() {
                    "You are signed in. Tell us your name in your profile."
                } else {
                    "You are signed in."
                },
            );
            Ok(redirect(&format!("/{}/cfp/proposals", event.slug)))
        }
        Err(AppError::BadRequest(_)) => Page::new("public/cfp_sign_in")
            .data(json!({ "slug": event.slug, "event_name": event.name, "valid": false }))
            .status(StatusCode::GONE)
            .title("Sign in")
            .render(&state, &session),
        Err(e) => Err(e),
    }
}

/// `POST /{slug}/cfp/sign-out`.
pub async fn sign_out(
    session: Session,
    slug: web::Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    session.remove(SPEAKER_KEY);
    flash(&session, "Signed out.");
    Ok(redirect(&format!("/{}/cfp/", slug.into_inner())))
}

/// `GET /{slug}/cfp/proposals`: the speaker's proposals, profile and mail.
pub async fn proposals(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let (e, p, tz) = (event.clone(), me.clone(), event.tz());
    let (props, mails) = state
        .read(move |conn| {
            Ok((
                service::proposals_of(conn, &e.id, &p.id)?,
                service::mails_to(conn, &e.id, &p)?,
            ))
        })
        .await?;
    let rows: Vec<_> = props
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "title": p.title, "state": p.state, "submitted": display::datetime(p.submitted_at, tz),
                "needs_confirmation": p.state() == ProposalState::Accepted, "confirm_token": (p.state() == ProposalState::Accepted).then(|| p.confirm_token(state.mailer.secret())).flatten(),
                "editable": p.state() == ProposalState::Submitted && event.cfp_open(state.now()),
            })
        })
        .collect();
    let mails: Vec<_> = mails.iter().map(|m| json!({ "subject": m.subject, "when": display::datetime(m.created_at, tz), "status": m.status })).collect();
    Page::new("public/cfp_proposals")
        .data(json!({ "slug": event.slug, "event_name": event.name, "me": { "name": me.name, "email": me.email }, "proposals": rows, "mails": mails, "open": event.cfp_open(state.now()) }))
        .title(format!("Your proposals · {}", event.name))
        .render(&state, &session)
}

async fn proposal_form(
    state: &AppState,
    session: &Session,
    event: &Event,
    existing: Option<(String, Option<String>)>,
    form: &ProposalForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    // `existing` is the proposal id and, when known, its state for the banner.
    let (id, state_name) = existing.map_or((None, None), |(i, s)| (Some(i), s));
    let e = event.clone();
    let (types, tracks) = state
        .read(move |conn| {
            Ok((
                service::types_of(conn, &e.id)?,
                crate::programme::service::tracks_of(conn, &e.id)?,
            ))
        })
        .await?;
    Page::new("public/cfp_proposal")
        .data(json!({ "slug": event.slug, "event_name": event.name, "id": id, "form": form, "errors": errors, "types": types, "tracks": tracks, "open": event.cfp_open(state.now()), "state": state_name }))
        .status(status)
        .title(format!("Proposal · {}", event.name))
        .render(state, session)
}

/// Shows the proposal form again with the service's complaint; other errors pass on.
async fn form_again(
    state: &AppState,
    session: &Session,
    event: &Event,
    existing: Option<(String, Option<String>)>,
    form: &ProposalForm,
    err: AppError,
) -> AppResult<HttpResponse> {
    let (errors, status) = match err {
        AppError::Invalid(errors) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        // A duplicate title is the only conflict a speaker can cause.
        AppError::Conflict(m) => (
            FieldErrors::from([("title".to_string(), m)]),
            StatusCode::CONFLICT,
        ),
        e => return Err(e),
    };
    proposal_form(state, session, event, existing, form, errors, status).await
}

/// `GET /{slug}/cfp/proposals/new`.
pub async fn new_proposal(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    if let Err(r) = require_speaker(&state, &session, &event).await {
        return Ok(r);
    }
    proposal_form(
        &state,
        &session,
        &event,
        None,
        &ProposalForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/cfp/proposals`: submit. A failed check shows the form again with everything kept.
pub async fn submit(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<ProposalForm>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let (now, mailer, e, f) = (
        state.now(),
        state.mailer.clone(),
        event.clone(),
        form.clone(),
    );
    match state
        .write(move |conn| service::submit(conn, now, &mailer, &e, &me, &f))
        .await
    {
        Ok(p) => {
            flash(
                &session,
                &format!(
                    "Thank you: “{}” is submitted. A receipt is on its way.",
                    p.title
                ),
            );
            Ok(redirect(&format!("/{}/cfp/proposals", event.slug)))
        }
        Err(e) => form_again(&state, &session, &event, None, &form, e).await,
    }
}

/// `GET /{slug}/cfp/proposals/{id}`.
pub async fn proposal(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let (e, pid) = (event.clone(), id.clone());
    let (p, co) = state
        .read(move |conn| {
            let p = service::own_proposal(conn, &e.id, &me.id, &pid)?;
            let co = service::co_speaker_emails(conn, &p)?;
            Ok((p, co))
        })
        .await?;
    proposal_form(
        &state,
        &session,
        &event,
        Some((id, Some(p.state.clone()))),
        &ProposalForm::from_proposal(&p, &co),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/cfp/proposals/{id}`.
pub async fn update(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ProposalForm>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let (now, e, f, pid) = (state.now(), event.clone(), form.clone(), id.clone());
    match state
        .write(move |conn| service::update(conn, now, &e, &me, &pid, &f))
        .await
    {
        Ok(_) => {
            flash(&session, "Saved.");
            Ok(redirect(&format!("/{}/cfp/proposals", event.slug)))
        }
        Err(e) => {
            let existing = Some((id, Some("submitted".to_string())));
            form_again(&state, &session, &event, existing, &form, e).await
        }
    }
}

/// `POST /{slug}/cfp/proposals/{id}/withdraw`.
pub async fn withdraw(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let (now, e) = (state.now(), event.clone());
    match state
        .write(move |conn| service::withdraw(conn, now, &e, &me, &id))
        .await
    {
        Ok(()) => flash(&session, "Withdrawn."),
        Err(AppError::Conflict(m)) => flash(&session, &m),
        Err(e) => return Err(e),
    }
    Ok(redirect(&format!("/{}/cfp/proposals", event.slug)))
}

/// `GET /{slug}/cfp/profile`.
pub async fn profile(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let form = ProfileForm {
        name: me.name.clone(),
        bio: me.bio.clone(),
        photo_url: me.photo_url.clone(),
        website_url: me.website_url.clone(),
        social: me.social.clone(),
    };
    Page::new("public/cfp_profile").data(json!({ "slug": event.slug, "event_name": event.name, "email": me.email, "form": form, "errors": {} })).title("Your speaker profile").render(&state, &session)
}

/// `POST /{slug}/cfp/profile`.
pub async fn save_profile(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let me = match require_speaker(&state, &session, &event).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let (now, e, f, email) = (state.now(), event.clone(), form.clone(), me.email.clone());
    let result = state
        .write(move |conn| service::save_profile(conn, now, &e, &me, &f))
        .await;
    after_form(
        result,
        |_| {
            flash(&session, "Profile saved. It carries over to other events you speak at.");
            redirect(&format!("/{}/cfp/proposals", event.slug))
        },
        |errors| {
            std::future::ready(
                Page::new("public/cfp_profile")
                    .data(json!({ "slug": event.slug, "event_name": event.name, "email": email, "form": form, "errors": errors }))
                    .status(INVALID)
                    .title("Your speaker profile")
                    .render(&state, &session),
            )
        },
    )
    .await
}

/// `GET /{slug}/cfp/confirm/{token}`: the accepted speaker's confirm-or-decline page.
pub async fn confirm_page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let (e, t) = (event.clone(), token.clone());
    let p = state
        .read(move |conn| service::by_confirm_token(conn, &e.id, &t))
        .await?;
    Page::new("public/cfp_confirm")
        .data(json!({ "slug": event.slug, "event_name": event.name, "token": token, "title": p.title, "state": p.state, "waiting": p.state() == ProposalState::Accepted }))
        .title("Confirm your talk")
        .render(&state, &session)
}

/// The answer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    /// `confirm` or `decline`.
    pub action: String,
}

/// `POST /{slug}/cfp/confirm/{token}`.
pub async fn confirm(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let yes = form.action == "confirm";
    let (now, mailer, e, t) = (
        state.now(),
        state.mailer.clone(),
        event.clone(),
        token.clone(),
    );
    match state
        .write(move |conn| service::respond(conn, now, &mailer, &e, &t, yes))
        .await
    {
        Ok(p) if p.state() == ProposalState::Confirmed => flash(
            &session,
            "Thank you! Your talk is confirmed; a confirmation is on its way by mail.",
        ),
        Ok(_) => flash(&session, "You declined. Thank you for telling us."),
        Err(AppError::Conflict(m)) => flash(&session, &m),
        Err(e) => return Err(e),
    }
    Ok(redirect(&format!("/{}/cfp/confirm/{token}", event.slug)))
}
