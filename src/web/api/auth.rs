//! Who calls: `Authorization: Bearer ghent_…` (never a session cookie, so no request forged
//! from a browser reaches the API), and the per-token rate limit with the IETF `RateLimit` /
//! `RateLimit-Policy` headers and `Retry-After`.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpRequest};

use super::problem::{problem, ApiError};
use crate::accounts::Capability;
use crate::api::idempotency::{self, Replay};
use crate::api::tokens::{self, Caller};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::web::AppState;

/// An API request: the app, the request, and the caller (`None` without a token).
pub struct Api {
    /// The app.
    pub state: web::Data<AppState>,
    /// The request (for conditional headers and links).
    pub req: HttpRequest,
    /// The token's caller.
    pub caller: Option<Caller>,
}

impl Api {
    /// The caller, or 401.
    pub fn caller(&self) -> Result<&Caller, ApiError> {
        self.caller.as_ref().ok_or_else(ApiError::unauthorized)
    }

    /// The event by slug, as the caller may see it (drafts only for its team).
    pub async fn event(&self, slug: &str) -> Result<Event, ApiError> {
        let (caller, slug) = (self.caller.clone(), slug.to_string());
        Ok(self
            .state
            .read(move |conn| crate::api::read::event(conn, caller.as_ref(), &slug))
            .await?)
    }

    /// The event, for a caller whose token may use `cap` on it (`write`: with write scope).
    pub async fn event_for(
        &self,
        slug: &str,
        cap: Capability,
        write: bool,
    ) -> Result<(Event, Caller), ApiError> {
        let caller = self.caller()?.clone();
        let event = self.event(slug).await?;
        caller.require(&event.id, cap, write)?;
        Ok((event, caller))
    }

    /// A read's context: the event (no actor: nothing is changed).
    pub fn context_of(&self, event: Event) -> crate::context::EventContext {
        crate::context::EventContext::new(
            event,
            crate::accounts::Actor::system("api"),
            self.state.now(),
            self.state.mailer.clone(),
        )
    }

    /// A domain command's context: the event, the token's owner as the actor.
    pub fn context(&self, event: Event, caller: &Caller) -> crate::context::EventContext {
        crate::context::EventContext::new(
            event,
            caller.viewer.actor(),
            self.state.now(),
            self.state.mailer.clone(),
        )
    }

    /// Runs a POST's change once per `Idempotency-Key` (the key's answer is stored with the
    /// change, in its transaction); without the header it just runs.
    pub async fn once<T: serde::Serialize + Send + 'static>(
        &self,
        caller: &Caller,
        body: &[u8],
        f: impl FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
    ) -> Result<Replay<T>, ApiError> {
        let key = self
            .header("idempotency-key")
            .map(|k| (k, idempotency::request_hash("POST", self.req.path(), body)));
        let (token, now) = (caller.token.id.clone(), self.state.now());
        Ok(self
            .state
            .write(move |conn| {
                let key = key.as_ref().map(|(k, h)| (k.as_str(), h.clone()));
                idempotency::once(conn, &token, key, now, 201, f)
            })
            .await?)
    }

    /// A request header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.req
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl FromRequest for Api {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Api, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError(AppError::Internal(anyhow::anyhow!("no app state"))))?;
            let secret = match req.headers().get("authorization") {
                None => None,
                Some(v) => {
                    let v = v.to_str().map_err(|_| ApiError::unauthorized())?;
                    match v.strip_prefix("Bearer ") {
                        Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                        _ => return Err(ApiError::unauthorized()),
                    }
                }
            };
            let caller = match secret {
                None => None,
                Some(secret) => {
                    let found = state
                        .read(move |conn| Ok(tokens::authenticate(conn, &secret)?))
                        .await?;
                    let caller = found.ok_or_else(ApiError::unauthorized)?;
                    let now = state.now();
                    if tokens::needs_touch(&caller.token, now) {
                        let id = caller.token.id.clone();
                        // Losing a last-used stamp is no reason to refuse the request.
                        let _ = state
                            .write(move |conn| Ok(tokens::touch(conn, &id, now)?))
                            .await;
                    }
                    Some(caller)
                }
            };
            Ok(Api { state, req, caller })
        })
    }
}

/// The rate-limit key of a request: its token's hash, else its client address.
fn limit_key(req: &ServiceRequest) -> String {
    match req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    {
        Some(v) => format!("t:{}", crate::tokens::hash_token(v)),
        None => format!(
            "a:{}",
            req.connection_info().realip_remote_addr().unwrap_or("?")
        ),
    }
}

/// Middleware of the API scope: counts the request against its token's (or address's) limit,
/// answers 429 with `Retry-After` when over, and puts the limit headers on every answer.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let quota = state.api_limiter.check(&limit_key(&req), state.now());
    let mut res = if quota.allowed {
        next.call(req).await?.map_into_boxed_body()
    } else {
        let (http, _) = req.into_parts();
        let mut r = problem(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "More than {} requests this minute: wait {} s.",
                quota.limit, quota.reset_seconds
            ),
            Vec::new(),
        );
        if let Ok(v) = HeaderValue::from_str(&quota.reset_seconds.to_string()) {
            r.headers_mut()
                .insert(HeaderName::from_static("retry-after"), v);
        }
        ServiceResponse::new(http, r)
    };
    if quota.limit > 0 {
        let headers = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&format!("\"default\";q={};w=60", quota.limit)) {
            headers.insert(HeaderName::from_static("ratelimit-policy"), v);
        }
        if let Ok(v) = HeaderValue::from_str(&format!(
            "\"default\";r={};t={}",
            quota.remaining, quota.reset_seconds
        )) {
            headers.insert(HeaderName::from_static("ratelimit"), v);
        }
    }
    Ok(res)
}
