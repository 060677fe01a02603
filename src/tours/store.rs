//! Rows and queries for tours, targets, stops, workshops and checkpoints.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{checkpoints, stops, tour_targets, tours, workshops};
use crate::time::StopZone;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = tours, treat_none_as_null = true)]
pub struct Tour {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub default_locale: String,
    pub created_at: NaiveDateTime,
    /// `None` while the tour is a draft: hidden from the public, closed to registration.
    pub published_at: Option<NaiveDateTime>,
}

impl Tour {
    /// Whether the public may see the tour and register.
    pub fn is_public(&self) -> bool {
        self.published_at.is_some()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = tour_targets)]
pub struct TourTarget {
    pub tour_id: String,
    pub outcome: String,
    pub value: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = stops)]
pub struct Stop {
    pub id: String,
    pub tour_id: String,
    pub city: String,
    pub venue: String,
    pub address: String,
    /// Parsed when read: an unknown name is a deserialisation error.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub timezone: StopZone,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub registration_closes_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Confirmed registrations holding a seat; changed only by conditional updates.
    pub seats_taken: i32,
}

/// What an admin may change on a stop (never the seat counter).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = stops)]
#[diesel(treat_none_as_null = true)]
pub struct StopChanges {
    pub city: String,
    pub venue: String,
    pub address: String,
    #[diesel(serialize_as = String)]
    pub timezone: StopZone,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub registration_closes_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = workshops)]
pub struct Workshop {
    pub id: String,
    pub stop_id: String,
    pub title: String,
    pub room: String,
    pub trainer: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub created_at: NaiveDateTime,
    /// Confirmed enrolments holding a seat; changed only by conditional updates.
    pub seats_taken: i32,
    /// Part of the specialist-label track: the dashboards show the share who attended it.
    pub specialist_label: bool,
}

/// What an admin may change on a workshop (never the seat counter).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = workshops)]
pub struct WorkshopChanges {
    pub title: String,
    pub room: String,
    pub trainer: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub specialist_label: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = checkpoints)]
pub struct Checkpoint {
    pub id: String,
    pub stop_id: String,
    pub kind: String,
    pub workshop_id: Option<String>,
    pub name: String,
}

pub fn insert_tour(conn: &mut DbConnection, tour: &Tour) -> QueryResult<usize> {
    diesel::insert_into(tours::table).values(tour).execute(conn)
}

pub fn update_tour(conn: &mut DbConnection, tour: &Tour) -> QueryResult<usize> {
    diesel::update(tours::table.find(&tour.id))
        .set(tour)
        .execute(conn)
}

/// Replaces a tour's targets (one insert per row: multi-row inserts do not go through the
/// two-backend connection).
pub fn replace_targets(
    conn: &mut DbConnection,
    tour_id: &str,
    targets: &[TourTarget],
) -> QueryResult<()> {
    diesel::delete(tour_targets::table.filter(tour_targets::tour_id.eq(tour_id))).execute(conn)?;
    for target in targets {
        diesel::insert_into(tour_targets::table)
            .values(target)
            .execute(conn)?;
    }
    Ok(())
}

/// A tour by id or by slug.
pub fn find_tour(conn: &mut DbConnection, id_or_slug: &str) -> QueryResult<Option<Tour>> {
    tours::table
        .filter(tours::id.eq(id_or_slug).or(tours::slug.eq(id_or_slug)))
        .select(Tour::as_select())
        .first(conn)
        .optional()
}

pub fn list_tours(conn: &mut DbConnection) -> QueryResult<Vec<Tour>> {
    tours::table
        .order((tours::created_at.desc(), tours::name.asc()))
        .select(Tour::as_select())
        .load(conn)
}

pub fn count_tours(conn: &mut DbConnection) -> QueryResult<i64> {
    tours::table.count().get_result(conn)
}

pub fn list_targets(conn: &mut DbConnection, tour_id: &str) -> QueryResult<Vec<TourTarget>> {
    tour_targets::table
        .filter(tour_targets::tour_id.eq(tour_id))
        .order(tour_targets::outcome.asc())
        .select(TourTarget::as_select())
        .load(conn)
}

pub fn insert_stop(conn: &mut DbConnection, stop: &Stop) -> QueryResult<usize> {
    diesel::insert_into(stops::table)
        .values(stop.clone())
        .execute(conn)
}

/// Changes a stop unless the new capacity is below the seats already taken (0 rows then).
pub fn update_stop(conn: &mut DbConnection, id: &str, changes: &StopChanges) -> QueryResult<usize> {
    diesel::update(
        stops::table
            .find(id)
            .filter(stops::seats_taken.le(changes.capacity)),
    )
    .set(changes.clone())
    .execute(conn)
}

pub fn find_stop(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Stop>> {
    stops::table
        .find(id)
        .select(Stop::as_select())
        .first(conn)
        .optional()
}

pub fn list_stops(conn: &mut DbConnection, tour_id: &str) -> QueryResult<Vec<Stop>> {
    stops::table
        .filter(stops::tour_id.eq(tour_id))
        .order(stops::starts_at.asc())
        .select(Stop::as_select())
        .load(conn)
}

pub fn insert_workshop(conn: &mut DbConnection, workshop: &Workshop) -> QueryResult<usize> {
    diesel::insert_into(workshops::table)
        .values(workshop)
        .execute(conn)
}

/// Changes a workshop unless the new capacity is below the seats already taken (0 rows then).
pub fn update_workshop(
    conn: &mut DbConnection,
    id: &str,
    changes: &WorkshopChanges,
) -> QueryResult<usize> {
    diesel::update(
        workshops::table
            .find(id)
            .filter(workshops::seats_taken.le(changes.capacity)),
    )
    .set(changes)
    .execute(conn)
}

pub fn find_workshop(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Workshop>> {
    workshops::table
        .find(id)
        .select(Workshop::as_select())
        .first(conn)
        .optional()
}

pub fn list_workshops(conn: &mut DbConnection, stop_id: &str) -> QueryResult<Vec<Workshop>> {
    workshops::table
        .filter(workshops::stop_id.eq(stop_id))
        .order((workshops::starts_at.asc(), workshops::title.asc()))
        .select(Workshop::as_select())
        .load(conn)
}

pub fn insert_checkpoint(conn: &mut DbConnection, checkpoint: &Checkpoint) -> QueryResult<usize> {
    diesel::insert_into(checkpoints::table)
        .values(checkpoint)
        .execute(conn)
}

/// Renames the checkpoint of a workshop (its room changed).
pub fn rename_workshop_checkpoint(
    conn: &mut DbConnection,
    workshop_id: &str,
    name: &str,
) -> QueryResult<usize> {
    diesel::update(checkpoints::table.filter(checkpoints::workshop_id.eq(workshop_id)))
        .set(checkpoints::name.eq(name))
        .execute(conn)
}

/// A stop's checkpoints, the entrance first.
pub fn list_checkpoints(conn: &mut DbConnection, stop_id: &str) -> QueryResult<Vec<Checkpoint>> {
    checkpoints::table
        .filter(checkpoints::stop_id.eq(stop_id))
        .order((checkpoints::kind.asc(), checkpoints::name.asc()))
        .select(Checkpoint::as_select())
        .load(conn)
}

/// Whether a stop holds anything people did (a registration, whatever its status now, or a
/// complaint): such a stop is history and is not deleted.
pub fn stop_has_history(conn: &mut DbConnection, stop_id: &str) -> QueryResult<bool> {
    use crate::db::schema::{complaints, registrations};
    let registered: i64 = registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .count()
        .get_result(conn)?;
    let complained: i64 = complaints::table
        .filter(complaints::stop_id.eq(stop_id))
        .count()
        .get_result(conn)?;
    Ok(registered + complained > 0)
}

/// Whether anyone ever chose a workshop or was scanned at its room.
pub fn workshop_has_history(conn: &mut DbConnection, workshop_id: &str) -> QueryResult<bool> {
    use crate::db::schema::{enrolments, scans};
    let enrolled: i64 = enrolments::table
        .filter(enrolments::workshop_id.eq(workshop_id))
        .count()
        .get_result(conn)?;
    let its_room = checkpoints::table
        .filter(checkpoints::workshop_id.eq(workshop_id))
        .select(checkpoints::id);
    let scanned: i64 = scans::table
        .filter(scans::checkpoint_id.eq_any(its_room))
        .count()
        .get_result(conn)?;
    Ok(enrolled + scanned > 0)
}

/// Deletes a tour; its stops, workshops and checkpoints go with it (foreign keys cascade).
pub fn delete_tour(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(tours::table.find(id)).execute(conn)
}

pub fn delete_stop(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(stops::table.find(id)).execute(conn)
}

pub fn delete_workshop(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(workshops::table.find(id)).execute(conn)
}
