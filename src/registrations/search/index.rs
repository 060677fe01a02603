//! The stops' words in this process's memory, kept current from the database's log of changes
//! (`search_changes`, written by triggers in the transaction that changes a registration).
//! A search answers from memory, then checks in the statement that reads what it shows of the
//! people found (their entrance times) that the stop's generation is still the one it holds.
//! When it is not, it reads the changes of its stop after that generation — one short range of
//! a primary key — applies them and searches again; a gap in the numbers or too many changes
//! loads the stop again. Several processes on one database therefore answer alike, and nothing
//! written by the API, the pages, the demo or the bulk loader is missed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use diesel::prelude::*;

use super::{Shown, StopWords};
use crate::db::DbConnection;
use crate::db::schema::{registrations, search_changes, search_generations};

/// Stops held at most; the one searched least recently goes first.
const MAX_STOPS: usize = 32;
/// Beyond this many changes since the last search, loading the whole stop is cheaper; older
/// changes are therefore never read, and `cut_log` removes them.
pub const MAX_CATCH_UP: i64 = 2000;
/// Registrations read per `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

/// One stop's words and the last change they include (`None`: not loaded yet).
#[derive(Debug, Default)]
struct Held {
    generation: Option<i64>,
    words: StopWords,
}

type Slot = Arc<RwLock<Held>>;

/// Every searched stop's words, shared by this process's workers.
#[derive(Debug, Default)]
pub struct SearchIndex {
    stops: Mutex<HashMap<String, (Slot, Instant)>>,
}

impl SearchIndex {
    /// Up to `limit` registrations of a stop found by `terms` (see [`super::terms`]), in the
    /// order of [`StopWords::find`], with what `read` says of them; no terms: the first
    /// registrations by name, from the database.
    ///
    /// `read` gets the found registrations' ids and must return, from the same statement (one
    /// snapshot), the stop's generation (`search_generations`, 0 without a row) beside its
    /// answer. The words are searched in memory first: when that generation is the one they
    /// hold, the answer is right and the search took one statement. Otherwise the stop's log
    /// is applied and the search made again.
    pub fn find_with<T>(
        &self,
        conn: &mut DbConnection,
        stop_id: &str,
        terms: &[String],
        limit: i64,
        mut read: impl FnMut(&mut DbConnection, &[&str]) -> QueryResult<(i64, T)>,
    ) -> QueryResult<(Vec<Arc<Shown>>, T)> {
        let limit = limit.clamp(0, 200);
        if terms.is_empty() {
            let first: Vec<Shown> = registrations::table
                .filter(registrations::stop_id.eq(stop_id))
                .order((registrations::last_name, registrations::first_name))
                .limit(limit)
                .select(Shown::as_select())
                .load(conn)?;
            let ids: Vec<&str> = first.iter().map(|r| r.id.as_str()).collect();
            let (_, said) = read(conn, &ids)?;
            return Ok((first.into_iter().map(Arc::new).collect(), said));
        }
        let slot = self.slot(stop_id);
        let mut tries = 0;
        loop {
            let (seen, found) = {
                let held = slot.read().unwrap_or_else(PoisonError::into_inner);
                let found: Vec<Arc<Shown>> = held
                    .words
                    .find(terms, usize::try_from(limit).unwrap_or(0))
                    .iter()
                    .filter_map(|id| held.words.shown(id))
                    .collect();
                (held.generation, found)
            };
            let Some(seen) = seen else {
                load_stop(conn, stop_id, &slot, None)?;
                continue;
            };
            let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
            let (generation, said) = read(conn, &ids)?;
            tries += 1;
            // Another worker may apply changes meanwhile, and more may come: after three
            // tries, the last answer (its `read` still true of the people shown).
            if generation == seen || tries == 3 {
                return Ok((found, said));
            }
            if generation < seen {
                // Numbers going back: the database was replaced (a restored backup).
                load_stop(conn, stop_id, &slot, Some(seen))?;
            } else {
                catch_up(conn, stop_id, &slot)?;
            }
        }
    }

    /// The stop's slot, made empty if it has none; the least recently searched stop goes when
    /// there are too many.
    fn slot(&self, stop_id: &str) -> Slot {
        let mut stops = self.stops.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if let Some((slot, used)) = stops.get_mut(stop_id) {
            *used = now;
            return Arc::clone(slot);
        }
        if stops.len() >= MAX_STOPS
            && let Some(oldest) = stops
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| id.clone())
        {
            stops.remove(&oldest);
        }
        let slot = Slot::default();
        stops.insert(stop_id.to_owned(), (Arc::clone(&slot), now));
        slot
    }
}

/// Removes the logged changes of every stop but its last `keep`; returns how many went. A
/// process further behind finds a gap and loads its stop again.
pub fn cut_log(conn: &mut DbConnection, keep: i64) -> QueryResult<usize> {
    diesel::delete(
        search_changes::table.filter(
            search_changes::generation.le(search_generations::table
                .filter(search_generations::stop_id.eq(search_changes::stop_id))
                .select(search_generations::generation - keep)
                .single_value()
                .assume_not_null()),
        ),
    )
    .execute(conn)
}

/// Brings the stop's words up to the last committed change.
fn catch_up(conn: &mut DbConnection, stop_id: &str, slot: &Slot) -> QueryResult<()> {
    // Another worker may apply the same changes meanwhile: then look again.
    for _ in 0..3 {
        let seen = slot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .generation;
        let Some(seen) = seen else {
            return load_stop(conn, stop_id, slot, None);
        };
        let changes: Vec<(i64, String)> = search_changes::table
            .filter(search_changes::stop_id.eq(stop_id))
            .filter(search_changes::generation.gt(seen))
            .order(search_changes::generation)
            .limit(MAX_CATCH_UP + 1)
            .select((search_changes::generation, search_changes::registration_id))
            .load(conn)?;
        let (Some((first, _)), Some((last, _))) = (changes.first(), changes.last()) else {
            return Ok(());
        };
        // Generations are gap-free (see the migration); a gap means the log was cut.
        if *first != seen + 1 || changes.len() as i64 > MAX_CATCH_UP {
            return load_stop(conn, stop_id, slot, Some(seen));
        }
        let last = *last;
        let mut ids: Vec<&str> = changes.iter().map(|(_, id)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        // Read after the log: the rows are at least as new as the changes.
        let mut rows: HashMap<String, Shown> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let loaded: Vec<Shown> = registrations::table
                .filter(registrations::id.eq_any(chunk))
                .select(Shown::as_select())
                .load(conn)?;
            rows.extend(loaded.into_iter().map(|row| (row.id.to_string(), row)));
        }
        let mut held = slot.write().unwrap_or_else(PoisonError::into_inner);
        if held.generation != Some(seen) {
            continue;
        }
        for id in ids {
            match rows.remove(id) {
                Some(row) => held.words.put(row),
                None => held.words.remove(id),
            }
        }
        held.generation = Some(last);
        return Ok(());
    }
    Ok(())
}

/// Loads all of the stop's words, unless another worker did since `expected` was seen.
fn load_stop(
    conn: &mut DbConnection,
    stop_id: &str,
    slot: &Slot,
    expected: Option<i64>,
) -> QueryResult<()> {
    // Held while loading, so that the other workers searching this stop wait for this load
    // instead of each making their own.
    let mut held = slot.write().unwrap_or_else(PoisonError::into_inner);
    if held.generation != expected {
        return Ok(());
    }
    // The generation first: the rows, read after it, include at least every change up to it
    // (a change after it found in the rows is applied again later, which changes nothing).
    let generation: i64 = search_generations::table
        .find(stop_id)
        .select(search_generations::generation)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    let started = Instant::now();
    let rows: Vec<Shown> = registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .select(Shown::as_select())
        .load(conn)?;
    let read_in = started.elapsed();
    let people = rows.len();
    *held = Held {
        generation: Some(generation),
        words: StopWords::of(rows),
    };
    tracing::info!(
        stop_id,
        people,
        read_ms = read_in.as_millis(),
        total_ms = started.elapsed().as_millis(),
        "attendee search: stop loaded"
    );
    Ok(())
}
