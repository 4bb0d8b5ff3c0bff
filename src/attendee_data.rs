//! Everything Ghent keeps about one attendee, across domains, for their "download my data"
//! button: the registration domain's part and the open space's (their participant, topics,
//! dots and notes revisions). Lives above both so that neither depends on the other for it.

use serde_json::Value;

use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::Event;

/// The attendee's export, found by their private link.
pub fn export_own(conn: &mut AnyConnection, event: &Event, token: &str) -> AppResult<Value> {
    let r = crate::registration::queries::by_token(conn, &event.id, token)?;
    let mut data = crate::registration::privacy::export_data(conn, event, &r)?;
    data["open_space"] = crate::openspace::privacy::export_of(conn, &event.id, &r.id)?;
    Ok(data)
}
