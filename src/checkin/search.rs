//! Finding someone at the door (a lost badge): the stop's search index, with the time each
//! person came in at the entrance. The API, the scanner page and marketing's list of
//! attendees all find people through here.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::store;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::registrations::search;

/// A person found at the door: as the search shows them, and when they came in, if they did.
pub type FoundAttendee = (Arc<search::Shown>, Option<NaiveDateTime>);

/// The fewest characters a search at the door needs: one letter would list the whole stop.
pub const MIN_SEARCH_CHARS: usize = 2;

/// Attendees of a stop found by a search at the door (see `registrations::search`), each with
/// the time they were checked in at the entrance, if they were. The API and the scanner page
/// both search through here.
pub fn find_attendees(
    conn: &mut DbConnection,
    index: &search::SearchIndex,
    stop_id: &str,
    query: &str,
    limit: i64,
) -> Result<Vec<FoundAttendee>, AppError> {
    let terms = search::terms(query);
    if query.trim().chars().count() < MIN_SEARCH_CHARS || terms.is_empty() {
        return Ok(Vec::new());
    }
    let (found, mut times) = find_with_entrance_times(conn, index, stop_id, &terms, limit)?;
    Ok(found
        .into_iter()
        .map(|r| {
            let time = times.remove(r.id.as_str());
            (r, time)
        })
        .collect())
}

/// People found at a stop, and when each of them came in at the entrance (registration id →
/// time), for those who did.
pub type FoundWithTimes = (Vec<Arc<search::Shown>>, HashMap<String, NaiveDateTime>);

/// Up to `limit` registrations of a stop found by `terms` (see `registrations::search`; no
/// terms: the first by name), and when each of them came in at the entrance (registration id →
/// time), for those who did: usually one statement. The door's search and marketing's list of
/// attendees both find people through here.
pub fn find_with_entrance_times(
    conn: &mut DbConnection,
    index: &search::SearchIndex,
    stop_id: &str,
    terms: &[String],
    limit: i64,
) -> diesel::QueryResult<FoundWithTimes> {
    index.find_with(conn, stop_id, terms, limit, |conn, ids| {
        store::entrance_times(conn, stop_id, ids)
    })
}
