//! [`of_event!`]: the two reads every table whose rows belong to one event needs (all of the
//! event's rows in order; one row by id, `NotFound` unless it is the event's), declared in one
//! line each instead of written out per table.

/// Declares a read of an event's rows. Two forms:
///
/// ```text
/// of_event! {
///     /// The rooms of an event, in order.
///     pub fn rooms_of(event) -> Vec<Room> from rooms order (rooms::position, rooms::name)
/// }
/// of_event! {
///     /// One room of an event.
///     pub fn room_of(event, id) -> Room from rooms
/// }
/// ```
macro_rules! of_event {
    ($(#[$doc:meta])* pub fn $name:ident(event) -> Vec<$row:ident> from $table:ident order $order:expr) => {
        $(#[$doc])*
        pub fn $name(
            conn: &mut $crate::db::AnyConnection,
            event_id: &str,
        ) -> diesel::QueryResult<Vec<$row>> {
            $table::table
                .filter($table::event_id.eq(event_id))
                .order($order)
                .select($row::as_select())
                .load(conn)
        }
    };
    ($(#[$doc:meta])* pub fn $name:ident(event, id) -> $row:ident from $table:ident) => {
        $(#[$doc])*
        pub fn $name(
            conn: &mut $crate::db::AnyConnection,
            event_id: &str,
            id: &str,
        ) -> $crate::error::AppResult<$row> {
            $table::table
                .find(id)
                .filter($table::event_id.eq(event_id))
                .select($row::as_select())
                .first(conn)
                .map_err($crate::error::AppError::from_lookup)
        }
    };
}
pub(crate) use of_event;
