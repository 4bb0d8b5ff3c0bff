//! Request extractors: the signed-in organizer, the event an admin page is about with the
//! organizer's right to it, a form checked against the session's CSRF token, and the client
//! address.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::render::{flash, redirect, Page};
use super::state::AppState;
use crate::accounts::{service, Actor, Can, Capability, Viewer};
use crate::context::EventContext;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::events::{views as view, Event, EventStatus};
use crate::tokens::constant_time_eq;

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// Session key of the organizer's session token.
pub const SESSION_TOKEN_KEY: &str = "sid";

/// The signed-in organizer; anonymous requests get 401 (the login page).
pub struct AdminUser(pub Viewer);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = BoxFuture<AdminUser>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let session = req.get_session();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let token = session
                .get::<String>(SESSION_TOKEN_KEY)
                .ok()
                .flatten()
                .ok_or(AppError::Unauthorized)?;
            let now = state.now();
            let viewer = state
                .read(move |conn| Ok(service::viewer_for_session(conn, now, &token)?))
                .await?;
            viewer.map(AdminUser).ok_or(AppError::Unauthorized)
        })
    }
}

/// What an event admin page needs: a capability, as a type, so a handler's signature says it.
pub trait Needs {
    /// The capability.
    const CAPABILITY: Capability;
}

/// Marker types for [`EventAdmin`].
pub mod need {
    use super::{Capability, Needs};

    /// The check-in desk (check-in volunteers, organizers, owners).
    pub struct Desk;
    /// Reviewing (reviewers, organizers, owners).
    pub struct Review;
    /// Organizing (organizers, owners).
    pub struct Organize;
    /// The team (owners).
    pub struct ManageTeam;
    /// The open-space board (facilitators, organizers, owners).
    pub struct Facilitate;

    impl Needs for Desk {
        const CAPABILITY: Capability = Capability::Desk;
    }
    impl Needs for Review {
        const CAPABILITY: Capability = Capability::Review;
    }
    impl Needs for Organize {
        const CAPABILITY: Capability = Capability::Organize;
    }
    impl Needs for ManageTeam {
        const CAPABILITY: Capability = Capability::ManageTeam;
    }
    impl Needs for Facilitate {
        const CAPABILITY: Capability = Capability::Facilitate;
    }
}

/// The app and the visitor's session: what every handler works with. Derefs to [`AppState`].
pub struct Ctx {
    /// The app.
    pub state: web::Data<AppState>,
    /// The visitor's session (CSRF token, flash, sign-in).
    pub session: Session,
}

impl std::ops::Deref for Ctx {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.state
    }
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = std::future::Ready<Result<Ctx, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(ctx_of(req))
    }
}

fn ctx_of(req: &HttpRequest) -> Result<Ctx, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
    Ok(Ctx {
        state,
        session: req.get_session(),
    })
}

impl Ctx {
    /// Renders a page (public pages: no organizer in the header).
    pub fn render(&self, page: Page<'_>) -> AppResult<HttpResponse> {
        page.render(&self.state, &self.session)
    }

    /// Renders a page for a signed-in organizer.
    pub fn render_for(&self, viewer: &Viewer, page: Page<'_>) -> AppResult<HttpResponse> {
        page.viewer(viewer).render(&self.state, &self.session)
    }

    /// The end of a successful POST: a message on the next page, and a redirect to it.
    pub fn done(&self, message: &str, location: &str) -> HttpResponse {
        flash(&self.session, message);
        redirect(location)
    }
}

/// The staff side of one event's admin: the app, the session, the event and the organizer, who
/// holds at least the right the page asked for (see [`EventAdmin`]).
pub struct EventStaff {
    /// The app and session.
    pub ctx: Ctx,
    /// The event.
    pub event: Event,
    /// The organizer.
    pub viewer: Viewer,
}

impl EventStaff {
    /// What the organizer may do on the event (for menus and buttons).
    pub fn can(&self) -> Can {
        self.viewer.can_on(&self.event.id)
    }

    /// Who to write in the audit log.
    pub fn actor(&self) -> Actor {
        self.viewer.actor()
    }

    /// Whether the organizer also holds `cap` (e.g. a reviewer's page that shows organizers more).
    pub fn may(&self, cap: Capability) -> bool {
        self.viewer.can(&self.event.id, cap)
    }

    /// The event's slug.
    pub fn slug(&self) -> &str {
        &self.event.slug
    }

    /// What a domain command of this event needs: the event, the organizer, now, the mailer.
    pub fn context(&self) -> EventContext {
        EventContext::new(
            self.event.clone(),
            self.actor(),
            self.ctx.now(),
            self.ctx.mailer.clone(),
        )
    }

    /// Runs a domain command on the writer connection (the domain opens its transaction). An
    /// archived event is read-only: the command is refused, with the reason.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection, &EventContext) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.event.is_archived() {
            return Err(AppError::Refused(
                crate::events::visibility::ARCHIVED_ADMIN.into(),
            ));
        }
        self.write_archived(f).await
    }

    /// Runs a command that also applies to an archived event: its status, deleting it, and
    /// purging its attendees' personal data.
    pub async fn write_archived<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection, &EventContext) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let cx = self.context();
        self.ctx.write(move |conn| f(conn, &cx)).await
    }

    /// Runs a query on a reading connection.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection, &EventContext) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let cx = self.context();
        self.ctx.read(move |conn| f(conn, &cx)).await
    }

    /// Renders an admin page of the event: the organizer in the header, the menus their rights
    /// allow, and the event's slug and name for the menus and headings.
    pub fn render(&self, page: Page<'_>) -> AppResult<HttpResponse> {
        page.can(self.can())
            .event(&self.event.slug, &self.event.name)
            .viewer(&self.viewer)
            .render(&self.ctx.state, &self.ctx.session)
    }

    /// The end of a successful POST: a message, and a redirect.
    pub fn done(&self, message: &str, location: &str) -> HttpResponse {
        self.ctx.done(message, location)
    }
}

/// The event of an `/admin/events/{slug}/…` page and the signed-in organizer, who holds the
/// capability `N` on it: 401 for anonymous visitors, 404 for an unknown event, 403 without the
/// right. Resolved once per request, before the handler runs. Derefs to [`EventStaff`].
pub struct EventAdmin<N> {
    staff: EventStaff,
    need: PhantomData<N>,
}

impl<N> std::ops::Deref for EventAdmin<N> {
    type Target = EventStaff;
    fn deref(&self) -> &EventStaff {
        &self.staff
    }
}

impl<N: Needs + 'static> FromRequest for EventAdmin<N> {
    type Error = AppError;
    type Future = BoxFuture<EventAdmin<N>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AdminUser::from_request(req, payload);
        let ctx = ctx_of(req);
        let slug = req.match_info().get("slug").map(str::to_string);
        Box::pin(async move {
            let AdminUser(viewer) = user.await?;
            let ctx = ctx?;
            let slug = slug.ok_or(AppError::NotFound)?;
            let v = viewer.clone();
            let event = ctx
                .read(move |conn| view::event_for(conn, &v, &slug, N::CAPABILITY))
                .await?;
            Ok(EventAdmin {
                staff: EventStaff { ctx, event, viewer },
                need: PhantomData,
            })
        })
    }
}

/// The event of a public `/{slug}/…` page (404 for an unknown one), with the app and session.
/// Derefs to [`Ctx`].
pub struct PublicEvent {
    /// The app and session.
    pub ctx: Ctx,
    /// The event.
    pub event: Event,
}

impl std::ops::Deref for PublicEvent {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl FromRequest for PublicEvent {
    type Error = AppError;
    type Future = BoxFuture<PublicEvent>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ctx = ctx_of(req);
        let slug = req.match_info().get("slug").map(str::to_string);
        let session = req.get_session();
        Box::pin(async move {
            let ctx = ctx?;
            let slug = slug.ok_or(AppError::NotFound)?;
            let token = session.get::<String>(SESSION_TOKEN_KEY).ok().flatten();
            let now = ctx.now();
            let event = ctx
                .read(move |conn| {
                    let event =
                        crate::events::queries::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
                    // A draft is its team's only: anyone else is told it does not exist.
                    if event.is_draft() && !on_team(conn, now, token.as_deref(), &event.id)? {
                        return Err(AppError::NotFound);
                    }
                    Ok(event)
                })
                .await?;
            Ok(PublicEvent { ctx, event })
        })
    }
}

/// For a draft event's pages: passes the event's team (and site administrators) and tells
/// anyone else the page does not exist.
pub async fn team_only(state: &AppState, req: &HttpRequest, event_id: &str) -> AppResult<()> {
    let token = req
        .get_session()
        .get::<String>(SESSION_TOKEN_KEY)
        .ok()
        .flatten();
    let (now, id) = (state.now(), event_id.to_string());
    let team = state
        .read(move |conn| on_team(conn, now, token.as_deref(), &id))
        .await?;
    if team {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether the session `token` (if any) is an organizer with a role on the event (site
/// administrators have one on every event).
fn on_team(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
    token: Option<&str>,
    event_id: &str,
) -> AppResult<bool> {
    let Some(token) = token else {
        return Ok(false);
    };
    Ok(service::viewer_for_session(conn, now, token)?
        .is_some_and(|v| v.role_on(event_id).is_some()))
}

impl PublicEvent {
    /// Counts a form sent from `ip` against the per-minute limit of forms of this `kind`
    /// (`register`, `cfp`); false when it is over.
    pub fn allows(&self, kind: &str, ip: &str) -> bool {
        self.form_limiter.allow(&format!("{kind}:{ip}"), self.now())
    }

    /// The event's slug.
    pub fn slug(&self) -> &str {
        &self.event.slug
    }

    /// A domain command's context with `actor` acting (a visitor, a speaker, an attendee).
    pub fn context(&self, actor: Actor) -> EventContext {
        EventContext::new(
            self.event.clone(),
            actor,
            self.ctx.now(),
            self.ctx.mailer.clone(),
        )
    }

    /// Runs a domain command for a visitor on the writer connection; an archived event's
    /// forms are closed (see [`PublicEvent::write_own_data`] for what stays open).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection, &EventContext) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.open_for_input()?;
        self.write_own_data(f).await
    }

    /// Runs a visitor's command that stays open when the event is archived: signing in to see
    /// one's data, erasing it, leaving a mailing list.
    pub async fn write_own_data<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection, &EventContext) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let cx = self.context(Actor::system("visitor"));
        self.ctx.write(move |conn| f(conn, &cx)).await
    }

    /// Refuses public input to an archived event, with the reason.
    pub fn open_for_input(&self) -> AppResult<()> {
        if self.event.is_archived() {
            return Err(AppError::Refused(
                crate::events::visibility::ARCHIVED_PUBLIC.into(),
            ));
        }
        Ok(())
    }

    /// Runs a query on a reading connection.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection, &EventContext) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let cx = self.context(Actor::system("visitor"));
        self.ctx.read(move |conn| f(conn, &cx)).await
    }

    /// Renders a public page of the event (its slug and name are in the data; a draft or
    /// archived event says so above the content).
    pub fn render(&self, page: Page<'_>) -> AppResult<HttpResponse> {
        let notice = match self.event.status {
            EventStatus::Draft => {
                Some("Draft: only this event's team sees its pages until it is published.")
            }
            EventStatus::Archived => {
                Some("This event is archived: its pages stay, its forms are closed.")
            }
            EventStatus::Published => None,
        };
        self.ctx.render(
            page.event(&self.event.slug, &self.event.name)
                .notice(notice),
        )
    }
}

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

/// A form with no fields but the CSRF token (buttons such as "Cancel" or "Retry").
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// A URL-encoded form whose `csrf_token` field matched the session's token. Every
/// state-changing form in Ghent is read through this extractor.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = BoxFuture<CsrfForm<T>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(format!("The form could not be read: {e}"))
                }
            })?;
            if contains_nul(&body) {
                return Err(nul_refused());
            }
            let sent = serde_html_form::from_bytes::<TokenField>(&body)
                .ok()
                .and_then(|t| t.csrf_token);
            let expected = session.get::<String>("csrf").ok().flatten();
            match (sent, expected) {
                (Some(s), Some(e)) if constant_time_eq(s.as_bytes(), e.as_bytes()) => {}
                _ => return Err(AppError::Csrf),
            }
            serde_html_form::from_bytes::<T>(&body)
                .map(CsrfForm)
                .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
        })
    }
}

/// Whether URL-encoded bytes carry a NUL character (raw or as `%00`). PostgreSQL cannot store
/// NUL in text, and no form field needs it, so it is refused at the edge for both backends.
pub fn contains_nul(encoded: &[u8]) -> bool {
    encoded.contains(&0)
        || encoded
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// The error for input carrying NUL.
pub fn nul_refused() -> AppError {
    AppError::BadRequest("What you sent contains a NUL character, which Ghent cannot store. Remove it and try again.".into())
}

/// The client's address (the TCP peer; Ghent does not trust forwarding headers by default).
pub struct ClientIp(pub String);

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<ClientIp, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        std::future::ready(Ok(ClientIp(ip)))
    }
}
