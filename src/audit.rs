//! The audit log: one row for every change an organizer makes (who, what, when), written in
//! the same transaction as the change.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::Actor;
use crate::db::schema::audit_log;
use crate::db::{new_id, AnyConnection};

/// One audit entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Random UUID.
    pub id: String,
    /// When.
    pub occurred_at: NaiveDateTime,
    /// Who (organizer id), if a person.
    pub actor_id: Option<String>,
    /// Who, as text (email or command), kept if the account is deleted.
    pub actor_label: String,
    /// Which event, if any.
    pub event_id: Option<String>,
    /// What, e.g. `event.update`.
    pub action: String,
    /// Kind of thing changed, e.g. `event`.
    pub entity_type: String,
    /// Id of the thing changed.
    pub entity_id: Option<String>,
    /// A sentence for people.
    pub summary: String,
}

/// What happened, for [`record`].
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// Event concerned, if any.
    pub event_id: Option<&'a str>,
    /// Action name, e.g. `event.update`.
    pub action: &'a str,
    /// Entity type, e.g. `event`.
    pub entity_type: &'a str,
    /// The changed row's id; `None` for site-wide actions (a new event, a sign-in).
    pub entity_id: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// A change on an event: `action` done to `entity` (its type and id).
    pub fn on(event_id: &'a str, action: &'a str, entity: (&'a str, &'a str)) -> Change<'a> {
        Change {
            event_id: Some(event_id),
            action,
            entity_type: entity.0,
            entity_id: Some(entity.1),
        }
    }
}

/// Writes one audit row for a change on the context's event, by its actor, now:
/// `entity` is (kind, id) of what changed.
pub fn note(
    conn: &mut AnyConnection,
    cx: &crate::context::EventContext,
    action: &str,
    entity: (&str, &str),
    summary: &str,
) -> QueryResult<()> {
    record(
        conn,
        cx.now,
        &cx.actor,
        Change::on(&cx.event.id, action, entity),
        summary,
    )
}

/// "Changed title, state" for the fields whose pair differs, or "without changes": what an
/// audit summary says of an edit, naming exactly the fields that changed.
pub fn changes(fields: &[(&str, bool)]) -> String {
    let changed: Vec<&str> = fields.iter().filter(|(_, c)| *c).map(|(n, _)| *n).collect();
    if changed.is_empty() {
        "without changes".to_string()
    } else {
        format!("changed {}", changed.join(", "))
    }
}

/// Writes one audit row.
pub fn record(
    conn: &mut AnyConnection,
    at: NaiveDateTime,
    actor: &Actor,
    change: Change<'_>,
    summary: &str,
) -> QueryResult<()> {
    let entry = AuditEntry {
        id: new_id(),
        occurred_at: at,
        actor_id: actor.id.clone(),
        actor_label: actor.label.clone(),
        event_id: change.event_id.map(str::to_string),
        action: change.action.to_string(),
        entity_type: change.entity_type.to_string(),
        entity_id: change.entity_id.map(str::to_string),
        summary: summary.to_string(),
    };
    diesel::insert_into(audit_log::table)
        .values(&entry)
        .execute(conn)?;
    Ok(())
}

/// The newest entries, for one event or (with `None`) for the whole site.
pub fn list(
    conn: &mut AnyConnection,
    event_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    Ok(page(conn, event_id, 1, limit)?.0)
}

/// One page of the log, newest first, and its paging (every entry is reachable).
pub fn page(
    conn: &mut AnyConnection,
    event_id: Option<&str>,
    requested: i64,
    per_page: i64,
) -> QueryResult<(Vec<AuditEntry>, crate::paging::Paging)> {
    let mut count = audit_log::table.count().into_boxed();
    if let Some(id) = event_id {
        count = count.filter(audit_log::event_id.eq(id));
    }
    let paging = crate::paging::Paging::new(requested, per_page, count.get_result(conn)?);
    let mut query = audit_log::table
        .select(AuditEntry::as_select())
        .order((audit_log::occurred_at.desc(), audit_log::id.desc()))
        .offset(paging.offset())
        .limit(paging.per_page)
        .into_boxed();
    if let Some(id) = event_id {
        query = query.filter(audit_log::event_id.eq(id));
    }
    Ok((query.load(conn)?, paging))
}
