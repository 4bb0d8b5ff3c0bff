//! Releasing the schedule: version N is the snapshot of the programme now, with a changelog
//! against version N−1. Every speaker whose talk was added, moved or cancelled gets one mail.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::snapshot::{self, Changes, Snapshot, TalkChange};
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::{events, people, schedule_releases};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::{display, Event};
use crate::mail::outbox::Envelope;
use crate::mail::Mailer;
use crate::urls;

/// A stored release.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = schedule_releases)]
pub struct ReleaseRow {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// 1, 2, 3…
    pub version: i32,
    /// When.
    pub released_at: NaiveDateTime,
    /// Who.
    pub released_by: Option<String>,
    /// The organizers' note.
    pub note: String,
    /// JSON [`Snapshot`].
    pub snapshot: String,
    /// JSON [`Changes`].
    pub changes: String,
}

/// A release, decoded.
#[derive(Debug, Clone)]
pub struct Release {
    /// 1 for the first release, then one more each time.
    pub version: i32,
    /// When.
    pub released_at: NaiveDateTime,
    /// What the organizer said changed (may be empty).
    pub note: String,
    /// The public programme.
    pub snapshot: Snapshot,
    /// What changed against the version before.
    pub changes: Changes,
}

fn decode(row: ReleaseRow) -> AppResult<Release> {
    Ok(Release {
        version: row.version,
        released_at: row.released_at,
        note: row.note,
        snapshot: serde_json::from_str(&row.snapshot).map_err(|e| {
            AppError::Internal(anyhow::anyhow!("release {} snapshot: {e}", row.version))
        })?,
        changes: serde_json::from_str(&row.changes).map_err(|e| {
            AppError::Internal(anyhow::anyhow!("release {} changes: {e}", row.version))
        })?,
    })
}

/// The latest release of an event.
pub fn latest(conn: &mut AnyConnection, event_id: &str) -> AppResult<Option<Release>> {
    let row = schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .order(schedule_releases::version.desc())
        .select(ReleaseRow::as_select())
        .first(conn)
        .optional()?;
    row.map(decode).transpose()
}

/// Every release of an event, newest first.
pub fn all(conn: &mut AnyConnection, event_id: &str) -> AppResult<Vec<Release>> {
    let rows: Vec<ReleaseRow> = schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .order(schedule_releases::version.desc())
        .select(ReleaseRow::as_select())
        .load(conn)?;
    rows.into_iter().map(decode).collect()
}

/// One release in the public changelog.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Which release made these changes.
    pub version: i32,
    /// When.
    pub released_at: NaiveDateTime,
    /// The organizer's note for it.
    pub note: String,
    /// What changed.
    pub changes: Changes,
}

/// The changelog of every release, newest first (without the snapshots).
pub fn changelog(conn: &mut AnyConnection, event_id: &str) -> AppResult<Vec<LogEntry>> {
    let rows: Vec<(i32, NaiveDateTime, String, String)> = schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .order(schedule_releases::version.desc())
        .select((
            schedule_releases::version,
            schedule_releases::released_at,
            schedule_releases::note,
            schedule_releases::changes,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(version, released_at, note, changes)| {
            let changes = serde_json::from_str(&changes).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("release {version} changes: {e}"))
            })?;
            Ok(LogEntry {
                version,
                released_at,
                note,
                changes,
            })
        })
        .collect()
}

/// (event id, slug, latest version) of every event with a release: what the public cache
/// compares against to notice a new release, also one made by another server instance.
pub fn versions(conn: &mut AnyConnection) -> QueryResult<Vec<(String, String, i32)>> {
    let rows: Vec<(String, String, Option<i32>)> = schedule_releases::table
        .inner_join(events::table)
        .group_by((events::id, events::slug))
        .select((
            events::id,
            events::slug,
            diesel::dsl::max(schedule_releases::version),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, v)| (id, slug, v.unwrap_or(0)))
        .collect())
}

/// A change as a speaker reads it.
#[derive(Debug, Clone, Serialize)]
struct ChangeLine {
    title: String,
    what: &'static str,
    when: Option<String>,
    room: Option<String>,
    was_when: Option<String>,
    was_room: Option<String>,
    /// The talk's page; none for a talk taken out or cancelled (it has no page then).
    url: Option<String>,
}

/// A release holds scheduled talks only, so a talk merely taken out of the grid is missing from
/// it like a cancelled one: those that are still confirmed move from `cancelled` to
/// `unscheduled` (they still happen, at a time to come).
fn taken_out_is_not_cancelled(conn: &mut AnyConnection, changes: &mut Changes) -> QueryResult<()> {
    use crate::db::schema::talks;
    use crate::programme::model::TalkState;
    let ids: Vec<&str> = changes
        .cancelled
        .iter()
        .map(|c| c.talk_id.as_str())
        .collect();
    let confirmed: Vec<String> = talks::table
        .filter(talks::id.eq_any(&ids))
        .filter(talks::state.eq(TalkState::Confirmed))
        .select(talks::id)
        .load(conn)?;
    let (out, gone): (Vec<_>, Vec<_>) = std::mem::take(&mut changes.cancelled)
        .into_iter()
        .partition(|c| confirmed.contains(&c.talk_id));
    changes.unscheduled.extend(out);
    changes.cancelled = gone;
    Ok(())
}

/// Makes version N. Fails with a clear message if someone released at the same moment. With a
/// mailer, speakers of added, moved and cancelled talks are told (not when seeding or importing).
pub fn release(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: Option<&Mailer>,
    actor: &Actor,
    event: &Event,
    note: &str,
) -> AppResult<Release> {
    let note = crate::values::parse_text(note, "the note", 2000)
        .map_err(|m| AppError::field("note", m))?;
    crate::db::write_transaction(conn, |conn| {
        let previous = latest(conn, &event.id)?;
        let snap = snapshot::build(conn, event)?;
        if let Some(p) = previous.as_ref().filter(|p| p.snapshot == snap) {
            return Err(AppError::Refused(format!(
                "Nothing changed since version {}: there is nothing new to release.",
                p.version
            )));
        }
        let mut changes = snapshot::diff(previous.as_ref().map(|p| &p.snapshot), &snap);
        taken_out_is_not_cancelled(conn, &mut changes)?;
        let version = previous.as_ref().map(|p| p.version).unwrap_or(0) + 1;
        let row = ReleaseRow {
            id: new_id(),
            event_id: event.id.clone(),
            version,
            released_at: now,
            released_by: actor.id.clone(),
            note: note.clone(),
            snapshot: serde_json::to_string(&snap).map_err(|e| AppError::Internal(e.into()))?,
            changes: serde_json::to_string(&changes).map_err(|e| AppError::Internal(e.into()))?,
        };
        match diesel::insert_into(schedule_releases::table)
            .values(&row)
            .execute(conn)
        {
            Err(e) if crate::db::is_unique_violation(&e) => {
                return Err(AppError::Conflict(
                    "Someone else released the schedule at the same moment. Reload and look again."
                        .into(),
                ))
            }
            other => other?,
        };
        let mailed = match mailer {
            Some(m) => notify_speakers(conn, now, m, event, &changes)?,
            None => 0,
        };
        audit::record(
            conn,
            now,
            actor,
            Change::on(&event.id, "schedule.release", ("schedule_release", &row.id)),
            &format!(
                "Released version {version}: {} added, {} moved, {} taken out, {} cancelled, {} retitled; {mailed} speaker(s) mailed",
                changes.added.len(),
                changes.moved.len(),
                changes.unscheduled.len(),
                changes.cancelled.len(),
                changes.retitled.len()
            ),
        )?;
        // The release decides which talks the material library holds.
        crate::material::index::reindex_event(conn, &event.id)?;
        let release = Release {
            version,
            released_at: now,
            note,
            snapshot: snap,
            changes,
        };
        crate::webhooks::emit_about(
            conn,
            event,
            crate::webhooks::EventType::ScheduleReleased,
            "release",
            &crate::api::repr::ReleaseOut::of(&release),
            now,
        )?;
        Ok(release)
    })
}

/// What each person on a changed talk is told, by person id: one line per talk of theirs that
/// was added, moved or cancelled (a new title alone is not worth a mail), times in `tz`.
fn lines_by_person(
    changes: &Changes,
    tz: Tz,
    url: impl Fn(&str) -> String,
) -> BTreeMap<String, Vec<ChangeLine>> {
    let line = |c: &TalkChange, what: &'static str| ChangeLine {
        title: c.title.clone(),
        what,
        when: c.new_start.map(|t| display::datetime(t, tz)),
        room: c.new_room.clone(),
        was_when: c.old_start.map(|t| display::datetime(t, tz)),
        was_room: c.old_room.clone(),
        url: matches!(what, "added" | "moved").then(|| url(&c.talk_id)),
    };
    let mut by_person: BTreeMap<String, Vec<ChangeLine>> = BTreeMap::new();
    for (list, what) in [
        (&changes.added, "added"),
        (&changes.moved, "moved"),
        (&changes.unscheduled, "unscheduled"),
        (&changes.cancelled, "cancelled"),
    ] {
        for c in list {
            for p in &c.people {
                by_person.entry(p.clone()).or_default().push(line(c, what));
            }
        }
    }
    by_person
}

/// One mail per speaker (with an email) whose talk was added, moved or cancelled.
fn notify_speakers(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    changes: &Changes,
) -> AppResult<usize> {
    let url = |id: &str| urls::absolute(&mailer.base_url, &urls::talk(&event.slug, id));
    let by_person = lines_by_person(changes, event.tz(), url);
    let mut mailed = 0;
    for (person_id, lines) in by_person {
        let found: Option<(String, Option<String>)> = people::table
            .find(&person_id)
            .select((people::name, people::email))
            .first(conn)
            .optional()?;
        let Some((name, Some(email))) = found else {
            continue;
        };
        let ctx = json!({
            "recipient": { "name": name, "email": email },
            "event": { "name": event.name, "slug": event.slug, "url": urls::absolute(&mailer.base_url, &urls::event(&event.slug)), "contact_email": event.contact_email },
            "site": { "base_url": mailer.base_url },
            "changes": lines,
            "programme_url": urls::absolute(&mailer.base_url, &urls::programme(&event.slug)),
        });
        let reply_to = (!event.contact_email.is_empty()).then_some(event.contact_email.as_str());
        let envelope = Envelope::to(crate::mail::model::MailKind::ScheduleChange, &email, &name)
            .for_event(&event.id, reply_to)
            .about("person", &person_id);
        mailer.queue(conn, now, envelope, &ctx, Vec::new())?;
        mailed += 1;
    }
    Ok(mailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programme::snapshot::fixtures::at;

    fn change(id: &str, people: &[&str]) -> TalkChange {
        TalkChange {
            talk_id: id.into(),
            title: format!("Talk {id}"),
            old_title: None,
            old_start: Some(at(10, 0)),
            old_room: Some("Main".into()),
            new_start: Some(at(11, 0)),
            new_room: Some("Side".into()),
            people: people.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn each_speaker_gets_one_mail_listing_all_their_changed_talks() {
        let changes = Changes {
            added: vec![change("t1", &["ann"])],
            moved: vec![change("t2", &["ann", "bob"])],
            unscheduled: vec![change("t5", &["eve"])],
            cancelled: vec![change("t3", &["cy"])],
            retitled: vec![change("t4", &["dee"])],
        };
        let tz: Tz = "Europe/Brussels".parse().unwrap_or(Tz::UTC);
        let by = lines_by_person(&changes, tz, |id| format!("https://x/{id}/"));
        let people: Vec<&str> = by.keys().map(String::as_str).collect();
        // Taken out and cancelled talks have no page: their lines carry no link.
        assert_eq!(
            (by["eve"][0].what, by["eve"][0].url.as_deref()),
            ("unscheduled", None)
        );
        assert_eq!(
            (by["cy"][0].what, by["cy"][0].url.as_deref()),
            ("cancelled", None)
        );
        assert_eq!(
            people,
            ["ann", "bob", "cy", "eve"],
            "a new title alone mails nobody"
        );
        let ann: Vec<(&str, &str)> = by["ann"]
            .iter()
            .map(|l| (l.title.as_str(), l.what))
            .collect();
        assert_eq!(ann, [("Talk t1", "added"), ("Talk t2", "moved")]);
        let moved = &by["bob"][0];
        assert_eq!(moved.url.as_deref(), Some("https://x/t2/"));
        // 11:00 UTC on 30 October 2009 is 12:00 in Brussels (CET), and the old time is kept.
        assert!(
            moved.when.as_deref().is_some_and(|w| w.contains("12:00")),
            "{:?}",
            moved.when
        );
        assert!(moved
            .was_when
            .as_deref()
            .is_some_and(|w| w.contains("11:00")));
        assert_eq!(moved.was_room.as_deref(), Some("Main"));
    }
}
