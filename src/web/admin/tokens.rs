//! An organizer's API tokens: list (with last use), create (the secret is shown once, on the
//! answer to the form, never again), revoke.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::tokens::{self, NewToken, Scope};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::extractors::{AdminUser, CsrfForm, Ctx, NoFields};
use crate::web::render::{Page, INVALID};

/// The create form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TokenForm {
    /// Name.
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// `all`, or `some` with `event` ids ticked.
    pub reach: String,
    /// Ticked event ids.
    pub event: Vec<String>,
}

async fn page(
    ctx: &Ctx,
    viewer: &crate::accounts::Viewer,
    form: &TokenForm,
    errors: FieldErrors,
    secret: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let id = viewer.organizer.id.clone();
    let (list, events) = ctx
        .read(move |conn| {
            Ok((
                tokens::list_of(conn, &id)?,
                crate::events::queries::for_organizer(conn, &id)?,
            ))
        })
        .await?;
    let events: Vec<_> = events
        .iter()
        .map(|e| json!({ "id": e.id, "name": e.name, "slug": e.slug }))
        .collect();
    let data = json!({ "tokens": list, "events": events, "form": form, "errors": errors, "secret": secret });
    let mut r = ctx.render_for(
        viewer,
        Page::new("admin/tokens")
            .data(data)
            .status(status)
            .title("Your API tokens"),
    )?;
    r.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// `GET /admin/tokens`.
pub async fn list(ctx: Ctx, AdminUser(viewer): AdminUser) -> AppResult<HttpResponse> {
    page(
        &ctx,
        &viewer,
        &TokenForm::default(),
        FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/tokens`: the answer shows the new secret once.
pub async fn create(
    ctx: Ctx,
    AdminUser(viewer): AdminUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> AppResult<HttpResponse> {
    let new = NewToken {
        name: form.name.clone(),
        scope: Scope::parse(&form.scope).unwrap_or(Scope::Read),
        events: (form.reach == "some").then(|| form.event.clone()),
    };
    let (organizer, now) = (viewer.organizer.clone(), ctx.now());
    match ctx
        .write(move |conn| tokens::create(conn, &organizer, &new, now))
        .await
    {
        Ok((_, secret)) => {
            page(
                &ctx,
                &viewer,
                &TokenForm::default(),
                FieldErrors::new(),
                Some(secret),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => page(&ctx, &viewer, &form, errors, None, INVALID).await,
        Err(e) => Err(e),
    }
}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn revoke(
    ctx: Ctx,
    AdminUser(viewer): AdminUser,
    id: web::Path<String>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (owner, now) = (viewer.organizer.id.clone(), ctx.now());
    ctx.write(move |conn| tokens::revoke(conn, &owner, &id, now))
        .await?;
    Ok(ctx.done("Token revoked: it opens nothing any more.", "/admin/tokens"))
}
