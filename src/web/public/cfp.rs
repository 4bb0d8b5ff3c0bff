//! The call for papers for speakers: sign in by a mailed link (no password), submit and edit
//! proposals and a profile, see every mail sent to them, confirm or decline an accepted talk.

use std::future::Future;
use std::pin::Pin;

use actix_session::Session;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::Actor;
use crate::cfp::proposals::{self as speaker_proposals, ProfileForm, ProposalForm};
use crate::cfp::{decisions, queries, sign_in as links, views, ProposalState};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::display;
use crate::forms::submit;
use crate::programme::Person;
use crate::urls;
use crate::values::EmailAddress;
use crate::web::extractors::{ClientIp, CsrfForm, NoFields, PublicEvent};
use crate::web::render::{after_form, flash, Page, INVALID};

/// Session key of the signed-in speaker's person id.
pub(crate) const SPEAKER_KEY: &str = "speaker";

/// The signed-in speaker, if any.
async fn speaker_of(visit: &PublicEvent) -> AppResult<Option<Person>> {
    let Some(id) = visit.session.get::<String>(SPEAKER_KEY).ok().flatten() else {
        return Ok(None);
    };
    visit
        .ctx
        .read(move |conn| Ok(queries::person(conn, &id).ok()))
        .await
}

/// A public CfP page for the signed-in speaker; a visitor who is not signed in is sent to the
/// CfP page, which asks them to sign in. The check runs in the handler ([`Speaker::me`]), after
/// every extractor, so that a form's CSRF check always answers first.
pub struct Speaker {
    visit: PublicEvent,
    signed_in: Option<Person>,
}

impl std::ops::Deref for Speaker {
    type Target = PublicEvent;
    fn deref(&self) -> &PublicEvent {
        &self.visit
    }
}

impl FromRequest for Speaker {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = AppResult<Speaker>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visit = PublicEvent::from_request(req, payload);
        Box::pin(async move {
            let visit = visit.await?;
            let signed_in = speaker_of(&visit).await?;
            Ok(Speaker { visit, signed_in })
        })
    }
}

impl Speaker {
    /// The signed-in speaker, or (with a message) back to the CfP page to sign in.
    pub(crate) fn me(&self) -> AppResult<&Person> {
        self.signed_in.as_ref().ok_or_else(|| {
            flash(
                &self.visit.session,
                "Sign in with the link we mail you to see your proposals.",
            );
            AppError::SignInAt(urls::cfp(self.visit.slug()))
        })
    }

    /// A domain command's context with the speaker acting (refused when the event is
    /// archived: its call for papers is closed for good).
    pub(crate) fn act<T, F>(&self, f: F) -> impl Future<Output = AppResult<T>> + '_
    where
        F: FnOnce(
                &mut crate::db::AnyConnection,
                &crate::context::EventContext,
                &Person,
            ) -> AppResult<T>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let open = self.visit.open_for_input();
        let act = self.act_own_data(f);
        async move {
            open?;
            act.await
        }
    }

    /// Like [`Speaker::act`], also for an archived event: what a speaker does to their own data.
    pub(crate) fn act_own_data<T, F>(&self, f: F) -> impl Future<Output = AppResult<T>> + '_
    where
        F: FnOnce(
                &mut crate::db::AnyConnection,
                &crate::context::EventContext,
                &Person,
            ) -> AppResult<T>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let me = self.me().cloned();
        let label = me
            .as_ref()
            .ok()
            .and_then(|m| m.email.clone())
            .unwrap_or_else(|| "speaker".into());
        let cx = self.visit.context(Actor::system(&label));
        async move {
            let me = me?;
            self.visit.ctx.write(move |conn| f(conn, &cx, &me)).await
        }
    }
}

/// `GET /{slug}/cfp/`: the call, and a sign-in form (or the way to one's proposals).
pub async fn page(visit: PublicEvent) -> AppResult<HttpResponse> {
    let types = visit
        .read(|conn, cx| Ok(queries::types_of(conn, &cx.event.id)?))
        .await?;
    let signed_in = speaker_of(&visit).await?.is_some();
    cfp_page(
        &visit,
        types,
        signed_in,
        FieldErrors::new(),
        "",
        StatusCode::OK,
    )
}

fn cfp_page(
    visit: &PublicEvent,
    types: Vec<crate::cfp::SubmissionType>,
    signed_in: bool,
    errors: FieldErrors,
    email: &str,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (event, tz, now) = (&visit.event, visit.event.tz(), visit.now());
    visit.render(
        Page::new("public/cfp")
            .data(json!({
                "description": event.cfp_description, "open": event.cfp_open(now),
                "closes": event.cfp_closes_at.map(|t| display::datetime(t, tz)), "opens": event.cfp_opens_at.map(|t| display::datetime(t, tz)),
                "types": types, "signed_in": signed_in, "errors": errors, "form": { "email": email },
            }))
            .status(status)
            .title(format!("Call for papers · {}", event.name)),
    )
}

/// The sign-in request form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    /// Where the sign-in link goes; the page says the same for every address.
    pub email: String,
}

/// `POST /{slug}/cfp/sign-in`: mails a sign-in link. The same page for every address.
pub async fn request_sign_in(
    visit: PublicEvent,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> AppResult<HttpResponse> {
    if !visit.allows("cfp", &ip) {
        return Err(AppError::RateLimited(
            "Too many requests from your network; wait a minute and try again.".into(),
        ));
    }
    let email =
        EmailAddress::parse(&form.email).map_err(|m| FieldErrors::from([("email".to_string(), m)]));
    match submit(email, |email| {
        visit.write_own_data(move |conn, cx| links::request(conn, cx, &email))
    })
    .await
    {
        Ok(()) => {}
        Err(AppError::Invalid(errors)) => {
            return cfp_page(&visit, Vec::new(), false, errors, &form.email, INVALID);
        }
        Err(e) => return Err(e),
    }
    let email = form.email.trim().to_lowercase();
    visit.render(
        Page::new("public/cfp_sent")
            .data(json!({ "email": email }))
            .title("Check your mail"),
    )
}

fn sign_in_form(visit: &PublicEvent, token: &str, valid: bool) -> AppResult<HttpResponse> {
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let token = if valid { token } else { "" };
    visit.render(
        Page::new("public/cfp_sign_in")
            .data(json!({ "token": token, "valid": valid }))
            .status(status)
            .title("Sign in"),
    )
}

/// `GET /{slug}/cfp/sign-in/{token}`: a button to sign in (a GET does not use the link up, so
/// mail scanners that open links do not spend it).
pub async fn sign_in_page(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let t = token.clone();
    let valid = visit
        .read(move |conn, cx| links::link_valid(conn, cx, &t))
        .await?;
    sign_in_form(&visit, &token, valid)
}

/// `POST /{slug}/cfp/sign-in/{token}`: uses the link and signs the speaker in.
pub async fn sign_in(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let person = match visit
        .write_own_data(move |conn, cx| links::sign_in(conn, cx, &token))
        .await
    {
        Ok(person) => person,
        Err(AppError::Refused(_)) => return sign_in_form(&visit, "", false),
        Err(e) => return Err(e),
    };
    let session: &Session = &visit.session;
    session.renew();
    session
        .insert(SPEAKER_KEY, &person.id)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
    let message = if person.name.is_empty() {
        "You are signed in. Tell us your name in your profile."
    } else {
        "You are signed in."
    };
    Ok(visit.done(message, &urls::cfp_proposals(visit.slug())))
}

/// `POST /{slug}/cfp/sign-out`.
pub async fn sign_out(
    visit: PublicEvent,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    visit.session.remove(SPEAKER_KEY);
    Ok(visit.done("Signed out.", &urls::cfp(visit.slug())))
}

/// `GET /{slug}/cfp/proposals`: the speaker's proposals, profile and mail.
pub async fn proposals(speaker: Speaker) -> AppResult<HttpResponse> {
    let me = speaker.me()?.clone();
    let shown = json!({ "name": me.name, "email": me.email });
    let home = speaker
        .read(move |conn, cx| views::speaker_home(conn, cx, &me))
        .await?;
    speaker.render(
        Page::new("public/cfp_proposals")
            .data(json!({ "me": shown, "proposals": home.proposals, "mails": home.mails, "open": home.open }))
            .title(format!("Your proposals · {}", speaker.event.name)),
    )
}

async fn proposal_form(
    visit: &PublicEvent,
    existing: Option<(String, Option<ProposalState>)>,
    form: &ProposalForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    // `existing` is the proposal id and, when known, its state for the banner.
    let (id, state) = existing.map_or((None, None), |(i, s)| (Some(i), s));
    let (types, tracks) = visit
        .read(|conn, cx| {
            Ok((
                queries::types_of(conn, &cx.event.id)?,
                crate::programme::tracks::of_event(conn, &cx.event.id)?,
            ))
        })
        .await?;
    let open = visit.event.cfp_open(visit.now());
    let read_only = speaker_proposals::read_only_reason(open, state);
    let type_name = types
        .iter()
        .find(|t| t.id == form.submission_type_id)
        .map(|t| t.name.clone());
    visit.render(
        Page::new("public/cfp_proposal")
            .data(json!({ "id": id, "form": form, "errors": errors, "types": types, "tracks": tracks, "open": open, "state": state, "read_only": read_only, "type_name": type_name }))
            .status(status)
            .title(format!("Proposal · {}", visit.event.name)),
    )
}

/// Shows the proposal form again with the reason it was not taken; other errors pass on.
async fn form_again(
    visit: &PublicEvent,
    existing: Option<(String, Option<ProposalState>)>,
    form: &ProposalForm,
    err: AppError,
) -> AppResult<HttpResponse> {
    let (errors, status) = match err {
        AppError::Invalid(errors) => (errors, INVALID),
        // A closed call (or a decided proposal) is said above the form, which keeps the text.
        AppError::Conflict(m) | AppError::Refused(m) => (
            FieldErrors::from([("title".to_string(), m)]),
            StatusCode::CONFLICT,
        ),
        e => return Err(e),
    };
    proposal_form(visit, existing, form, errors, status).await
}

/// `GET /{slug}/cfp/proposals/new`.
pub async fn new_proposal(speaker: Speaker) -> AppResult<HttpResponse> {
    speaker.me()?;
    proposal_form(
        &speaker,
        None,
        &ProposalForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/cfp/proposals`: submit. A failed check shows the form again with everything kept.
pub async fn submit_proposal(
    speaker: Speaker,
    CsrfForm(form): CsrfForm<ProposalForm>,
) -> AppResult<HttpResponse> {
    let f = form.clone();
    let result = speaker
        .act(move |conn, cx, me| speaker_proposals::submit(conn, cx, me, &f))
        .await;
    match result {
        Ok(p) => Ok(speaker.done(
            &format!(
                "Thank you: “{}” is submitted. A receipt is on its way.",
                p.title
            ),
            &urls::cfp_proposals(speaker.slug()),
        )),
        Err(e) => form_again(&speaker, None, &form, e).await,
    }
}

/// `GET /{slug}/cfp/proposals/{id}`.
pub async fn proposal(
    speaker: Speaker,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let (me, pid) = (speaker.me()?.id.clone(), id.clone());
    let (p, co) = speaker
        .read(move |conn, cx| {
            let p = queries::own_proposal(conn, &cx.event.id, &me, &pid)?;
            let co = queries::co_speaker_emails(conn, &p)?;
            Ok((p, co))
        })
        .await?;
    let form = ProposalForm::from_proposal(&p, &co);
    proposal_form(
        &speaker,
        Some((id, Some(p.state))),
        &form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/cfp/proposals/{id}`.
pub async fn update(
    speaker: Speaker,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ProposalForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let (pid, f) = (id.clone(), form.clone());
    let result = speaker
        .act(move |conn, cx, me| speaker_proposals::update(conn, cx, me, &pid, &f))
        .await;
    match result {
        Ok(_) => Ok(speaker.done("Saved.", &urls::cfp_proposals(speaker.slug()))),
        Err(e) => {
            form_again(
                &speaker,
                Some((id, Some(ProposalState::Submitted))),
                &form,
                e,
            )
            .await
        }
    }
}

/// `POST /{slug}/cfp/proposals/{id}/withdraw`.
pub async fn withdraw(
    speaker: Speaker,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let message = match speaker
        .act(move |conn, cx, me| speaker_proposals::withdraw(conn, cx, me, &id))
        .await
    {
        Ok(()) => "Withdrawn.".to_string(),
        Err(AppError::Refused(m)) => m,
        Err(e) => return Err(e),
    };
    Ok(speaker.done(&message, &urls::cfp_proposals(speaker.slug())))
}

fn profile_page(
    speaker: &Speaker,
    form: &ProfileForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let email = speaker.signed_in.as_ref().and_then(|m| m.email.clone());
    speaker.render(
        Page::new("public/cfp_profile")
            .data(json!({ "email": email, "form": form, "errors": errors }))
            .status(status)
            .title("Your speaker profile"),
    )
}

/// `GET /{slug}/cfp/profile`.
pub async fn profile(speaker: Speaker) -> AppResult<HttpResponse> {
    let me = speaker.me()?;
    let form = ProfileForm {
        name: me.name.clone(),
        bio: me.bio.clone(),
        photo_url: me.photo_url.clone(),
        website_url: me.website_url.clone(),
        social: me.social.clone(),
    };
    profile_page(&speaker, &form, FieldErrors::new(), StatusCode::OK)
}

/// `POST /{slug}/cfp/profile`.
pub async fn save_profile(
    speaker: Speaker,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> AppResult<HttpResponse> {
    let f = form.clone();
    let result = speaker
        .act(move |conn, cx, me| speaker_proposals::save_profile(conn, cx, me, &f))
        .await;
    after_form(
        result,
        |_| {
            speaker.done(
                "Profile saved. It carries over to other events you speak at.",
                &urls::cfp_proposals(speaker.slug()),
            )
        },
        |errors| std::future::ready(profile_page(&speaker, &form, errors, INVALID)),
    )
    .await
}

/// `GET /{slug}/cfp/confirm/{token}`: the accepted speaker's confirm-or-decline page.
pub async fn confirm_page(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let t = token.clone();
    let p = visit
        .read(move |conn, cx| queries::by_confirm_token(conn, &cx.event.id, &t))
        .await?;
    let waiting = p.state == ProposalState::Accepted;
    visit.render(
        Page::new("public/cfp_confirm")
            .data(json!({ "token": token, "title": p.title, "state": p.state, "waiting": waiting }))
            .title("Confirm your talk"),
    )
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
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let (t, yes) = (token.clone(), form.action == "confirm");
    let message = match visit
        .write(move |conn, cx| decisions::respond(conn, cx, &t, yes))
        .await
    {
        Ok(p) if p.state == ProposalState::Confirmed => {
            "Thank you! Your talk is confirmed; a confirmation is on its way by mail.".to_string()
        }
        Ok(_) => "You declined. Thank you for telling us.".to_string(),
        Err(AppError::Refused(m)) => m,
        Err(e) => return Err(e),
    };
    Ok(visit.done(&message, &urls::cfp_confirm(visit.slug(), &token)))
}
