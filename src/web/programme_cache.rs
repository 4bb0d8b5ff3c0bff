//! Public programme pages and exports, rendered once per release and open-space board version
//! and served from memory with an ETag. The published programme is the latest release plus the
//! live board (open spaces are decided on the day, without a release): the cache key and the
//! ETags carry both versions. A change is noticed without a database read per request: at most
//! once a second one request compares the cached versions with the database's (so a release or
//! a placement made on another server instance shows within about a second), and a change made
//! here invalidates at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::render::Page;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::events::display;
use crate::programme::export::{self, ExportContext};
use crate::programme::release::{self, Release};
use crate::programme::{grid, video, Snapshot};

/// One cached response body.
#[derive(Debug, Clone)]
pub struct CachedPage {
    /// The bytes.
    pub body: Bytes,
    /// Its content type.
    pub content_type: &'static str,
    /// `"v3-1a2b3c4d"`.
    pub etag: String,
}

/// Everything public of one release.
#[derive(Debug)]
pub struct RenderedProgramme {
    /// The event.
    pub event_id: String,
    /// Whether the event is a draft (its team's only).
    pub draft: bool,
    /// The release version.
    pub version: i32,
    /// The open-space board's version.
    pub board_version: i64,
    /// When it was released.
    pub released_at: chrono::NaiveDateTime,
    /// The release itself, for what depends on the visitor's choice (a personal agenda).
    pub snapshot: Snapshot,
    pages: HashMap<String, CachedPage>,
}

impl RenderedProgramme {
    /// A page by key (`grid`, `talk/<id>`, `schedule.xml`…).
    pub fn page(&self, key: &str) -> Option<&CachedPage> {
        self.pages.get(key)
    }

    /// A personal agenda: the iCal feed of the chosen talks (unknown ids are left out). It
    /// carries an ETag like the cached pages, so a calendar polling it gets 304s.
    pub fn agenda_ics(&self, base_url: &str, talk_ids: &[&str]) -> CachedPage {
        let ctx = ExportContext {
            base_url,
            version: self.version,
            board_version: self.board_version,
            released_at: self.released_at,
        };
        page(
            (self.version, self.board_version),
            "text/calendar; charset=utf-8",
            export::agenda_ics(&self.snapshot, &ctx, talk_ids).into_bytes(),
        )
    }
}

/// The cache, shared by all workers of one process.
pub struct ProgrammeCache {
    entries: RwLock<HashMap<String, Arc<RenderedProgramme>>>,
    started: Instant,
    last_check_ms: AtomicU64,
    checking: tokio::sync::Mutex<()>,
}

impl Default for ProgrammeCache {
    fn default() -> Self {
        ProgrammeCache {
            entries: RwLock::new(HashMap::new()),
            started: Instant::now(),
            last_check_ms: AtomicU64::new(0),
            checking: tokio::sync::Mutex::new(()),
        }
    }
}

impl ProgrammeCache {
    /// Drops an event's pages (after a release here).
    pub fn invalidate(&self, slug: &str) {
        if let Ok(mut e) = self.entries.write() {
            e.remove(slug);
        }
    }

    /// Drops everything.
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.write() {
            e.clear();
        }
    }

    /// At most about once a second, compares cached versions with the database's.
    async fn refresh_if_due(&self, state: &AppState) {
        let now_ms = self.started.elapsed().as_millis() as u64;
        let last = self.last_check_ms.load(Ordering::Relaxed);
        if now_ms.saturating_sub(last) < 1000 {
            return;
        }
        let Ok(_guard) = self.checking.try_lock() else {
            return;
        };
        self.last_check_ms.store(now_ms, Ordering::Relaxed);
        let read = state.read(|conn| {
            let releases = release::versions(conn)?;
            let boards = crate::openspace::settings::board_versions(conn)?;
            Ok((releases, boards))
        });
        match read.await {
            Ok((versions, boards)) => {
                let board_of = |event_id: &str| {
                    boards
                        .iter()
                        .find(|(id, _)| id == event_id)
                        .map_or(0, |(_, v)| *v)
                };
                if let Ok(mut entries) = self.entries.write() {
                    entries.retain(|slug, cached| {
                        versions.iter().any(|(id, s, v)| {
                            s == slug && id == &cached.event_id && *v == cached.version
                        }) && board_of(&cached.event_id) == cached.board_version
                    });
                }
            }
            Err(e) => {
                tracing::warn!(error = %crate::error::error_chain(&e), "programme cache check failed")
            }
        }
    }

    /// The rendered programme of the event `slug`, rendering it on first use.
    pub async fn get(&self, state: &AppState, slug: &str) -> AppResult<Arc<RenderedProgramme>> {
        self.refresh_if_due(state).await;
        if let Some(hit) = self.entries.read().ok().and_then(|e| e.get(slug).cloned()) {
            return Ok(hit);
        }
        let s = slug.to_string();
        let latest = state
            .read(move |conn| {
                let event = crate::events::queries::by_slug(conn, &s)?.ok_or(AppError::NotFound)?;
                let latest = release::latest(conn, &event.id)?;
                let log = release::changelog(conn, &event.id)?;
                let board = crate::openspace::board::published(conn, &event.id)?;
                let extras = Extras {
                    material: crate::programme::material::live(conn, &event.id)?,
                    linked: crate::material::related::linked_buzz(conn, &event.id)?,
                    feedback: event.feedback_enabled,
                };
                Ok((
                    (event.name.clone(), event.is_draft()),
                    latest,
                    log,
                    board,
                    extras,
                ))
            })
            .await?;
        let ((event_name, draft), Some(mut release), log, (board_version, topics), extras) = latest
        else {
            return Err(AppError::NotFoundBecause(format!(
                "The programme of {} has not been published yet.",
                (latest.0).0
            )));
        };
        let slots = &release.snapshot.slots;
        release.snapshot.topics = topics
            .into_iter()
            .filter(|t| slots.iter().any(|s| s.id == t.slot_id))
            .collect();
        for talk in &mut release.snapshot.talks {
            if let Some(live) = extras.material.get(&talk.id) {
                talk.slides_url = live.slides_url.clone();
                talk.video_url = live.video_url.clone();
                talk.do_not_record = live.do_not_record;
                talk.r#abstract = live.r#abstract.clone();
            }
        }
        let mut rendered = render_all(state, &release, board_version, &log, &extras)?;
        rendered.draft = draft;
        let rendered = Arc::new(rendered);
        if let Ok(mut e) = self.entries.write() {
            e.insert(slug.to_string(), rendered.clone());
        }
        let _ = event_name;
        Ok(rendered)
    }
}

/// (release version, board version).
type Versions = (i32, i64);

/// What the published programme shows beside the release: the talks' live material (slides,
/// video, recording choice, abstract: not frozen by a release, see
/// [`crate::programme::material`]), the buzz linked to talks, and whether feedback is on.
struct Extras {
    material: HashMap<String, crate::programme::material::Live>,
    linked: HashMap<String, Vec<crate::material::related::Linked>>,
    feedback: bool,
}

fn page((version, board): Versions, content_type: &'static str, body: Vec<u8>) -> CachedPage {
    let hash = crate::tokens::hash_token(&String::from_utf8_lossy(&body));
    CachedPage {
        etag: format!("\"v{version}.{board}-{}\"", &hash[..16]),
        content_type,
        body: Bytes::from(body),
    }
}

const HTML: &str = "text/html; charset=utf-8";

fn html(
    state: &AppState,
    version: Versions,
    template: &str,
    title: String,
    data: serde_json::Value,
) -> AppResult<CachedPage> {
    let body = Page::new(template)
        .data(data)
        .title(title)
        .render_string(state, None)?;
    Ok(page(version, HTML, body.into_bytes()))
}

/// Renders every page and export of one release into a map of cached pages.
struct Renderer<'a> {
    state: &'a AppState,
    s: &'a Snapshot,
    tz: chrono_tz::Tz,
    v: Versions,
    ctx: ExportContext<'a>,
    common: serde_json::Value,
    extras: &'a Extras,
    pages: HashMap<String, CachedPage>,
}

/// Renders every public page and export of a release (done once per release, then served from
/// memory).
fn render_all(
    state: &AppState,
    r: &Release,
    board_version: i64,
    log: &[release::LogEntry],
    extras: &Extras,
) -> AppResult<RenderedProgramme> {
    let s: &Snapshot = &r.snapshot;
    let tz = s.event.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let common = json!({ "slug": s.event.slug, "event_name": s.event.name, "version": format!("{}.{board_version}", r.version), "board_version": board_version, "timezone": s.event.timezone, "released": display::datetime(r.released_at, tz) });
    let mut out = Renderer {
        state,
        s,
        tz,
        v: (r.version, board_version),
        ctx: ExportContext {
            base_url: &state.base_url,
            version: r.version,
            board_version,
            released_at: r.released_at,
        },
        common,
        extras,
        pages: HashMap::new(),
    };
    out.grids()?;
    out.talks()?;
    out.presentations()?;
    out.speakers()?;
    out.changes(log)?;
    out.exports()?;
    Ok(RenderedProgramme {
        draft: false,
        event_id: s.event.id.clone(),
        version: r.version,
        board_version,
        released_at: r.released_at,
        snapshot: s.clone(),
        pages: out.pages,
    })
}

impl Renderer<'_> {
    /// The data common to every page, with `extra`.
    fn with(&self, extra: serde_json::Value) -> serde_json::Value {
        let mut base = self.common.clone();
        if let (Some(b), serde_json::Value::Object(e)) = (base.as_object_mut(), extra) {
            b.extend(e);
        }
        base
    }

    fn html(
        &mut self,
        key: String,
        template: &str,
        title: String,
        extra: serde_json::Value,
    ) -> AppResult<()> {
        let data = self.with(extra);
        let page = html(self.state, self.v, template, title, data)?;
        self.pages.insert(key, page);
        Ok(())
    }

    fn file(&mut self, key: &str, content_type: &'static str, bytes: Vec<u8>) {
        self.pages
            .insert(key.to_string(), page(self.v, content_type, bytes));
    }

    /// The grid, and one per track.
    fn grids(&mut self) -> AppResult<()> {
        let (s, name) = (self.s, &self.s.event.name);
        self.html(
            "grid".into(),
            "public/programme",
            format!("Programme · {name}"),
            json!({ "grid": grid::build(s, None), "track_css": true }),
        )?;
        for t in &s.tracks {
            let grid = json!({ "grid": grid::build(s, Some(&t.id)), "track_css": true });
            self.html(
                format!("grid?track={}", t.id),
                "public/programme",
                format!("{} · Programme · {name}", t.name),
                grid,
            )?;
        }
        Ok(())
    }

    /// A page and an `.ics` per scheduled talk.
    fn talks(&mut self) -> AppResult<()> {
        let (s, tz) = (self.s, self.tz);
        let people = s.people_by_id();
        for talk in &s.talks {
            let Some(slot) = s.slot_of(&talk.id) else {
                continue;
            };
            let speakers: Vec<_> = talk
                .people
                .iter()
                .filter_map(|r| {
                    people.get(r.person_id.as_str()).map(
                        |p| json!({ "id": p.id, "name": p.name, "role": r.role, "bio": p.bio }),
                    )
                })
                .collect();
            let track = talk
                .track_id
                .as_deref()
                .and_then(|id| s.tracks.iter().find(|t| t.id == id))
                .map(|t| t.name.clone());
            let zone = display::local(slot.ends_at, tz).format("%Z");
            let data = json!({
                "talk": talk, "speakers": speakers, "track": track,
                "date": display::date(slot.starts_at, tz),
                "time": format!("{}–{} {zone}", display::time(slot.starts_at, tz), display::time(slot.ends_at, tz)),
                "starts_iso": display::iso_utc(slot.starts_at),
                "room": s.room_name(slot.room_id.as_deref()),
                "video_embed": video::embed_url(&talk.video_url),
                "linked": self.extras.linked.get(&talk.id),
                "same_track": self.same_track(talk),
                "feedback": self.extras.feedback,
            });
            self.html(
                format!("talk/{}", talk.id),
                "public/talk",
                format!("{} · {}", talk.title, s.event.name),
                data,
            )?;
            if let Some(ics) = export::talk_ics(s, &self.ctx, &talk.id) {
                self.file(
                    &format!("talk/{}.ics", talk.id),
                    "text/calendar; charset=utf-8",
                    ics.into_bytes(),
                );
            }
        }
        Ok(())
    }

    /// Other scheduled talks of the talk's track (its related material after what was linked).
    fn same_track(&self, talk: &crate::programme::snapshot::SnapTalk) -> Vec<serde_json::Value> {
        let s = self.s;
        let Some(track) = talk.track_id.as_deref() else {
            return Vec::new();
        };
        s.talks
            .iter()
            .filter(|t| t.id != talk.id && t.track_id.as_deref() == Some(track))
            .filter(|t| s.slot_of(&t.id).is_some())
            .take(6)
            .map(|t| json!({ "id": t.id, "title": t.title }))
            .collect()
    }

    /// The presentations: every scheduled talk with its speakers, slides, video and recording
    /// status, in programme order; one page for all, one per day and one per track.
    fn presentations(&mut self) -> AppResult<()> {
        let (s, tz) = (self.s, self.tz);
        let people = s.people_by_id();
        let mut entries: Vec<(
            &crate::programme::snapshot::SnapSlot,
            &crate::programme::snapshot::SnapTalk,
        )> = s
            .talks
            .iter()
            .filter_map(|t| s.slot_of(&t.id).map(|slot| (slot, t)))
            .collect();
        entries.sort_by_key(|(slot, t)| (slot.starts_at, t.number));
        let day_of = |slot: &crate::programme::snapshot::SnapSlot| {
            display::local(slot.starts_at, tz).date_naive()
        };
        let item = |slot: &crate::programme::snapshot::SnapSlot,
                    t: &crate::programme::snapshot::SnapTalk| {
            let speakers: Vec<_> = t
                .people
                .iter()
                .filter_map(|r| {
                    people
                        .get(r.person_id.as_str())
                        .map(|p| json!({ "id": p.id, "name": p.name }))
                })
                .collect();
            let track = t
                .track_id
                .as_deref()
                .and_then(|id| s.tracks.iter().find(|tr| tr.id == id));
            json!({
                "id": t.id, "title": t.title, "speakers": speakers, "abstract": t.r#abstract,
                "when": display::datetime(slot.starts_at, tz), "starts_iso": display::iso_utc(slot.starts_at),
                "room": s.room_name(slot.room_id.as_deref()), "track": track.map(|tr| &tr.name),
                "slides_url": t.slides_url, "video_url": t.video_url,
                "video_embed": video::embed_url(&t.video_url), "not_recorded": t.do_not_record,
                "linked": self.extras.linked.get(&t.id),
            })
        };
        let mut days: Vec<chrono::NaiveDate> =
            entries.iter().map(|(slot, _)| day_of(slot)).collect();
        days.dedup();
        let day_links: Vec<_> = days
            .iter()
            .map(|d| json!({ "value": d.to_string(), "label": display::date(s.slots.iter().find(|sl| day_of(sl) == *d).map_or(s.event.starts_at, |sl| sl.starts_at), tz) }))
            .collect();
        let track_links: Vec<_> = s
            .tracks
            .iter()
            .map(|t| json!({ "value": t.id, "label": t.name }))
            .collect();
        let mut pages: Vec<(String, String, Vec<serde_json::Value>)> = vec![(
            "presentations".into(),
            String::new(),
            entries.iter().map(|(slot, t)| item(slot, t)).collect(),
        )];
        for (d, link) in days.iter().zip(&day_links) {
            let list = entries
                .iter()
                .filter(|(slot, _)| day_of(slot) == *d)
                .map(|(slot, t)| item(slot, t))
                .collect();
            pages.push((
                format!("presentations?day={d}"),
                link["label"].as_str().unwrap_or_default().to_string(),
                list,
            ));
        }
        for t in &s.tracks {
            let list = entries
                .iter()
                .filter(|(_, talk)| talk.track_id.as_deref() == Some(t.id.as_str()))
                .map(|(slot, talk)| item(slot, talk))
                .collect();
            pages.push((
                format!("presentations?track={}", t.id),
                t.name.clone(),
                list,
            ));
        }
        for (key, filter, list) in pages {
            let title = if filter.is_empty() {
                format!("Presentations · {}", s.event.name)
            } else {
                format!("{filter} · Presentations · {}", s.event.name)
            };
            let selected = key
                .split_once('=')
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            self.html(
                key,
                "public/presentations",
                title,
                json!({ "talks": list, "days": day_links, "tracks": track_links, "filter": filter, "selected": selected }),
            )?;
        }
        Ok(())
    }

    /// The talks of a person, for the speaker pages.
    fn talks_of(&self, person_id: &str) -> Vec<serde_json::Value> {
        let (s, tz) = (self.s, self.tz);
        s.talks
            .iter()
            .filter(|t| t.people.iter().any(|r| r.person_id == person_id))
            .filter_map(|t| s.slot_of(&t.id).map(|slot| json!({ "id": t.id, "title": t.title, "when": display::datetime(slot.starts_at, tz), "room": s.room_name(slot.room_id.as_deref()) })))
            .collect()
    }

    /// The speakers' list and a page per speaker.
    fn speakers(&mut self) -> AppResult<()> {
        let s = self.s;
        let speakers: Vec<_> = s
            .people
            .iter()
            .map(|p| json!({ "id": p.id, "name": p.name, "talks": self.talks_of(&p.id) }))
            .collect();
        self.html(
            "speakers".into(),
            "public/speakers",
            format!("Speakers · {}", s.event.name),
            json!({ "speakers": speakers }),
        )?;
        for p in &s.people {
            let links: Vec<&str> = p
                .social
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
                .collect();
            let photo = p.photo_url.starts_with("https://").then_some(&p.photo_url);
            let data = json!({ "person": p, "links": links, "photo": photo, "talks": self.talks_of(&p.id) });
            self.html(
                format!("speaker/{}", p.id),
                "public/speaker",
                format!("{} · {}", p.name, s.event.name),
                data,
            )?;
        }
        Ok(())
    }

    /// The changes page: every release with what it changed.
    fn changes(&mut self, log: &[release::LogEntry]) -> AppResult<()> {
        let (s, tz) = (self.s, self.tz);
        let change = |c: &crate::programme::snapshot::TalkChange| {
            json!({
                "title": c.title,
                "old_title": c.old_title,
                // Only a scheduled talk has a page.
                "url": s.slot_of(&c.talk_id).map(|_| crate::urls::talk(&s.event.slug, &c.talk_id)),
                "when": c.new_start.map(|t| display::datetime(t, tz)),
                "room": c.new_room,
                "was_when": c.old_start.map(|t| display::datetime(t, tz)),
                "was_room": c.old_room,
            })
        };
        let list = |changes: &[crate::programme::snapshot::TalkChange]| {
            changes.iter().map(change).collect::<Vec<_>>()
        };
        let releases: Vec<_> = log
            .iter()
            .map(|entry| {
                json!({
                    "version": entry.version,
                    "released": display::datetime(entry.released_at, tz),
                    "note": entry.note,
                    "added": list(&entry.changes.added),
                    "moved": list(&entry.changes.moved),
                    "unscheduled": list(&entry.changes.unscheduled),
                    "cancelled": list(&entry.changes.cancelled),
                    "retitled": list(&entry.changes.retitled),
                })
            })
            .collect();
        self.html(
            "changes".into(),
            "public/changes",
            format!("Changes · {}", s.event.name),
            json!({ "releases": releases }),
        )
    }

    /// The exports for apps and calendars.
    fn exports(&mut self) -> AppResult<()> {
        let (s, internal) = (self.s, |e: serde_json::Error| AppError::Internal(e.into()));
        let xml = export::schedule_xml(s, &self.ctx).map_err(|e| AppError::Internal(e.into()))?;
        self.file("schedule.xml", "application/xml; charset=utf-8", xml);
        let json =
            serde_json::to_vec_pretty(&export::schedule_json(s, &self.ctx)).map_err(internal)?;
        self.file("schedule.json", "application/json", json);
        let embed = serde_json::to_vec(&export::programme_json(s, &self.ctx)).map_err(internal)?;
        self.file("programme.json", "application/json", embed);
        let ics = export::schedule_ics(s, &self.ctx).into_bytes();
        self.file("schedule.ics", "text/calendar; charset=utf-8", ics);
        let css = grid::track_css(s).into_bytes();
        self.file("tracks.css", "text/css; charset=utf-8", css);
        Ok(())
    }
}

/// Answers with a cached page: 304 when the client's ETag matches.
pub fn respond(req: &HttpRequest, page: &CachedPage) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == page.etag || t.trim() == "*")
        });
    let mut builder = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    builder
        .insert_header((header::ETAG, page.etag.clone()))
        // no-cache: browsers and apps revalidate every time (a cheap 304 with the ETag), so a new
        // release shows at once instead of after a max-age.
        .insert_header((header::CACHE_CONTROL, "public, no-cache"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if matches {
        builder.finish()
    } else {
        builder
            .content_type(page.content_type)
            .body(page.body.clone())
    }
}
