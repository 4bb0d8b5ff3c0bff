//! Server-rendered pages: the handlebars registry (templates embedded in the binary) and the
//! page frame every template receives (site banner, signed-in organizer, CSRF token, flash).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::state::AppState;
use crate::accounts::{Can, Viewer};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::tokens;

pub use crate::embedded::TemplateFiles;

/// Marks a response rendered by us, so the error-page middleware leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// Builds the registry with every template and Ghent's helpers.
pub fn registry() -> Result<Handlebars<'static>, handlebars::TemplateError> {
    let mut hb = Handlebars::new();
    // A partial on an indented line would indent every line it writes, a textarea's content
    // included: the mail template editor's text grew by two spaces a line on every save.
    hb.set_prevent_indent(true);
    hb.register_embed_templates_with_extension::<TemplateFiles>(".hbs")?;
    hb.register_helper("markdown", Box::new(markdown_helper));
    hb.register_helper("asset", Box::new(asset_helper));
    Ok(hb)
}

/// `{{markdown text}}`: renders Markdown and sanitizes it (ammonia), the one place where a
/// template writes HTML that came from a user, and only after sanitizing.
fn markdown_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let source = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
    out.write(&crate::markdown::to_safe_html(source))?;
    Ok(())
}

/// `{{asset "css/ghent.css"}}`: the URL of a static file with a content hash, so browsers can
/// cache it for long and still see new versions.
fn asset_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let path = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
    // The path is a literal from our own templates and the hash is hex: nothing to escape.
    out.write(&super::assets::url(path))?;
    Ok(())
}

/// Returns the session's CSRF token, creating it on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>("csrf") {
        return token;
    }
    let token = tokens::new_token();
    // A failed insert only means the form will be refused later with a clear message.
    let _ = session.insert("csrf", &token);
    token
}

/// Stores a one-time message shown on the next page.
pub fn flash(session: &Session, message: &str) {
    let _ = session.insert("flash", message);
}

/// A page to render: template, data, status, and the organizer if signed in.
pub struct Page<'a> {
    template: &'a str,
    data: Value,
    status: StatusCode,
    viewer: Option<&'a Viewer>,
    title: Option<String>,
    can: Option<Can>,
    event: Option<(String, String)>,
    notice: Option<&'static str>,
}

impl<'a> Page<'a> {
    /// A page from `template` (a path under `templates/` without `.hbs`).
    pub fn new(template: &'a str) -> Page<'a> {
        Page {
            template,
            data: Value::Object(Map::new()),
            status: StatusCode::OK,
            viewer: None,
            title: None,
            can: None,
            event: None,
            notice: None,
        }
    }

    /// The page's event: its slug and name, for menus, headings and links.
    pub fn event(mut self, slug: &str, name: &str) -> Page<'a> {
        self.event = Some((slug.to_string(), name.to_string()));
        self
    }

    /// A note shown above the page's content (a draft's or an archived event's).
    pub fn notice(mut self, notice: Option<&'static str>) -> Page<'a> {
        self.notice = notice;
        self
    }

    /// What the organizer may do on the page's event: the event menus and buttons show only
    /// what they can use (`can.desk`, `can.review`, `can.organize`, `can.manage_team`).
    pub fn can(mut self, can: Can) -> Page<'a> {
        self.can = Some(can);
        self
    }

    /// The template's data (an object whose fields become top-level names).
    pub fn data(mut self, data: impl Serialize) -> Page<'a> {
        self.data = serde_json::to_value(data).unwrap_or(Value::Null);
        self
    }

    /// The HTTP status (e.g. 422 for a form shown again with errors).
    pub fn status(mut self, status: StatusCode) -> Page<'a> {
        self.status = status;
        self
    }

    /// The signed-in organizer, for the admin header.
    pub fn viewer(mut self, viewer: &'a Viewer) -> Page<'a> {
        self.viewer = Some(viewer);
        self
    }

    /// The `<title>`.
    pub fn title(mut self, title: impl Into<String>) -> Page<'a> {
        self.title = Some(title.into());
        self
    }

    /// Renders to a response.
    pub fn render(self, state: &AppState, session: &Session) -> AppResult<HttpResponse> {
        let html = self.render_string(state, Some(session))?;
        let mut response = HttpResponse::build(self.status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(html);
        response.extensions_mut().insert(Rendered);
        Ok(response)
    }

    /// Renders to a string (also used for error pages, which may have no session).
    pub fn render_string(&self, state: &AppState, session: Option<&Session>) -> AppResult<String> {
        let mut ctx = match &self.data {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            other => {
                let mut m = Map::new();
                m.insert("data".into(), other.clone());
                m
            }
        };
        ctx.insert("site".into(), site_context(state));
        if let Some(session) = session {
            ctx.insert("csrf".into(), Value::String(csrf_token(session)));
            if let Ok(Some(message)) = session.get::<String>("flash") {
                session.remove("flash");
                ctx.insert("flash".into(), Value::String(message));
            }
        }
        if let Some(v) = self.viewer {
            ctx.insert(
                "viewer".into(),
                json!({
                    "name": v.organizer.name,
                    "email": v.organizer.email,
                    "is_site_admin": v.organizer.is_site_admin,
                }),
            );
        }
        if let Some(t) = &self.title {
            ctx.insert("title".into(), Value::String(t.clone()));
        }
        if let Some((slug, name)) = &self.event {
            ctx.entry("slug")
                .or_insert_with(|| Value::String(slug.clone()));
            ctx.entry("event_name")
                .or_insert_with(|| Value::String(name.clone()));
        }
        if let Some(notice) = self.notice {
            ctx.insert("event_notice".into(), Value::String(notice.into()));
        }
        if let Some(can) = self.can {
            ctx.insert(
                "can".into(),
                serde_json::to_value(can).unwrap_or(Value::Null),
            );
        }
        state
            .templates
            .render(self.template, &Value::Object(ctx))
            .map_err(AppError::from)
    }
}

fn site_context(state: &AppState) -> Value {
    json!({
        "demo": state.settings.demo,
        "now": state.clock.now().format("%A %-d %B %Y").to_string(),
        "base_url": state.base_url,
        "mail_not_delivered": state.settings.mail_transport == crate::config::MailTransportKind::Log,
    })
}

/// A 303 redirect (after a successful POST).
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// The status of a form shown again because its input was invalid.
pub const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// How a form's POST ends. `Ok`: `done`, usually a flash and a redirect. Invalid input: `again`,
/// the same form once more with what was typed and a message per field (rendered with 422 by the
/// caller). Any other error goes on to the error page.
pub async fn after_form<T, Fut>(
    result: AppResult<T>,
    done: impl FnOnce(T) -> HttpResponse,
    again: impl FnOnce(FieldErrors) -> Fut,
) -> AppResult<HttpResponse>
where
    Fut: std::future::Future<Output = AppResult<HttpResponse>>,
{
    match result {
        Ok(value) => Ok(done(value)),
        Err(AppError::Invalid(errors)) => again(errors).await,
        Err(e) => Err(e),
    }
}

/// A refusal as one line for a flash, where the form cannot be shown again in place (a small
/// form on a busy page): "Not saved: <every message>".
pub fn not_saved(errors: FieldErrors) -> String {
    format!(
        "Not saved: {}",
        errors.into_values().collect::<Vec<_>>().join(" ")
    )
}
