//! Set-up operations shared by the API, the admin pages and the demo loader; each runs in one
//! transaction.

use chrono_tz::Tz;

use super::domain::{NewStop, NewTour, NewWorkshop, StopWindow};
use super::store::{
    self, Checkpoint, Stop, StopChanges, Tour, TourTarget, Workshop, WorkshopChanges,
};
use crate::audit::{self, Actor, Change};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent};
use crate::time;

/// A tour with its targets and stops (by date).
#[derive(Debug, Clone)]
pub struct TourView {
    pub tour: Tour,
    pub targets: Vec<TourTarget>,
    pub stops: Vec<StopSummary>,
}

/// A stop with the figures its listing shows.
#[derive(Debug, Clone)]
pub struct StopSummary {
    pub stop: Stop,
    pub timezone: Tz,
    pub seats_left: i64,
    pub registration_open: bool,
}

/// A stop with its programme and checkpoints.
#[derive(Debug, Clone)]
pub struct StopView {
    pub summary: StopSummary,
    pub workshops: Vec<WorkshopView>,
    pub checkpoints: Vec<Checkpoint>,
}

/// A workshop with its free seats.
#[derive(Debug, Clone)]
pub struct WorkshopView {
    pub workshop: Workshop,
    pub seats_left: i64,
}

/// What a set-up change caused, noted by the functions below as they make it: events to publish
/// once committed, and what to write in the audit log (with who asked) before the commit.
#[derive(Debug, Default)]
pub struct Effects {
    pub happened: Vec<DomainEvent>,
    pub audit: Vec<Change>,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn summarize(stop: Stop) -> Result<StopSummary, AppError> {
    let timezone = stop.timezone.tz();
    let closes = stop
        .registration_closes_at
        .unwrap_or(stop.ends_at)
        .min(stop.ends_at);
    Ok(StopSummary {
        registration_open: time::now() < closes,
        seats_left: i64::from(stop.capacity - stop.seats_taken).max(0),
        timezone,
        stop,
    })
}

fn slug_conflict(err: diesel::result::Error) -> AppError {
    if db::is_unique_violation(&err) {
        AppError::Conflict("a tour with this slug already exists".into())
    } else {
        err.into()
    }
}

fn target_rows(tour_id: &str, new: &NewTour) -> Vec<TourTarget> {
    new.targets
        .iter()
        .map(|(outcome, value)| TourTarget {
            tour_id: tour_id.to_owned(),
            outcome: outcome.clone(),
            value: *value,
        })
        .collect()
}

/// Creates a tour and its targets.
pub fn create_tour(
    conn: &mut DbConnection,
    new: &NewTour,
    effects: &mut Effects,
) -> Result<TourView, AppError> {
    let tour = Tour {
        id: new_id(),
        slug: new.slug.clone(),
        name: new.name.clone(),
        description: new.description.clone(),
        default_locale: new.default_locale.code().to_owned(),
        created_at: time::now(),
        published_at: new.published.then(time::now),
    };
    store::insert_tour(conn, &tour).map_err(slug_conflict)?;
    let targets = target_rows(&tour.id, new);
    store::replace_targets(conn, &tour.id, &targets)?;
    effects.audit.push(
        Change::new("tour.created", "tour", &tour.id).with(serde_json::json!({
            "slug": tour.slug, "name": tour.name, "published": tour.published_at.is_some(),
        })),
    );
    Ok(TourView {
        tour,
        targets,
        stops: Vec::new(),
    })
}

/// Replaces a tour's fields and targets.
pub fn update_tour(
    conn: &mut DbConnection,
    id: &str,
    new: &NewTour,
    effects: &mut Effects,
) -> Result<TourView, AppError> {
    let current = store::find_tour(conn, id)?.ok_or(AppError::NotFound("tour"))?;
    let targets_before = store::list_targets(conn, &current.id)?;
    let tour = Tour {
        slug: new.slug.clone(),
        name: new.name.clone(),
        description: new.description.clone(),
        default_locale: new.default_locale.code().to_owned(),
        // Published once, the tour keeps its first publication time.
        published_at: if new.published {
            current.published_at.or_else(|| Some(time::now()))
        } else {
            None
        },
        ..current.clone()
    };
    store::update_tour(conn, &tour).map_err(slug_conflict)?;
    let targets = target_rows(&tour.id, new);
    store::replace_targets(conn, &tour.id, &targets)?;
    let mut changed = audit::diff(&current, &tour);
    let (before, after) = (target_map(&targets_before), target_map(&targets));
    if before != after {
        changed["targets"] = serde_json::json!({"from": before, "to": after});
    }
    effects
        .audit
        .push(Change::new("tour.updated", "tour", &tour.id).with(changed));
    tour_view(conn, &tour.id)
}

fn target_map(targets: &[TourTarget]) -> std::collections::BTreeMap<&str, i32> {
    targets
        .iter()
        .map(|t| (t.outcome.as_str(), t.value))
        .collect()
}

/// A tour the public may see (by id or slug): a draft is not found.
pub fn public_tour_view(conn: &mut DbConnection, id_or_slug: &str) -> Result<TourView, AppError> {
    let view = tour_view(conn, id_or_slug)?;
    if view.tour.is_public() {
        Ok(view)
    } else {
        Err(AppError::NotFound("tour"))
    }
}

/// A stop the public may see: a draft tour's stop is not found.
pub fn public_stop_view(conn: &mut DbConnection, id: &str) -> Result<StopView, AppError> {
    let view = stop_view(conn, id)?;
    ensure_public(conn, &view.summary.stop)?;
    Ok(view)
}

/// Not found unless the stop's tour is published.
fn ensure_public(conn: &mut DbConnection, stop: &Stop) -> Result<(), AppError> {
    match store::find_tour(conn, &stop.tour_id)? {
        Some(tour) if tour.is_public() => Ok(()),
        _ => Err(AppError::NotFound("stop")),
    }
}

/// A tour (by id or slug) with its targets and stops.
pub fn tour_view(conn: &mut DbConnection, id_or_slug: &str) -> Result<TourView, AppError> {
    let tour = store::find_tour(conn, id_or_slug)?.ok_or(AppError::NotFound("tour"))?;
    let targets = store::list_targets(conn, &tour.id)?;
    let stops = store::list_stops(conn, &tour.id)?
        .into_iter()
        .map(summarize)
        .collect::<Result<_, _>>()?;
    Ok(TourView {
        tour,
        targets,
        stops,
    })
}

/// Every tour, newest first.
pub fn list_tours(conn: &mut DbConnection) -> Result<Vec<Tour>, AppError> {
    Ok(store::list_tours(conn)?)
}

/// Creates a stop with its entrance checkpoint.
pub fn create_stop(
    conn: &mut DbConnection,
    tour_id: &str,
    new: &NewStop,
    effects: &mut Effects,
) -> Result<StopView, AppError> {
    let tour = store::find_tour(conn, tour_id)?.ok_or(AppError::NotFound("tour"))?;
    let stop = Stop {
        id: new_id(),
        tour_id: tour.id,
        city: new.city.clone(),
        venue: new.venue.clone(),
        address: new.address.clone(),
        timezone: new.timezone.into(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        capacity: new.capacity,
        registration_closes_at: new.registration_closes_at,
        created_at: time::now(),
        seats_taken: 0,
    };
    store::insert_stop(conn, &stop)?;
    store::insert_checkpoint(
        conn,
        &Checkpoint {
            id: new_id(),
            stop_id: stop.id.clone(),
            kind: "entrance".into(),
            workshop_id: None,
            name: "Entrance".into(),
        },
    )?;
    effects.audit.push(
        Change::new("stop.created", "stop", &stop.id).with(serde_json::json!({
            "tour_id": stop.tour_id, "city": stop.city, "starts_at": stop.starts_at,
            "capacity": stop.capacity,
        })),
    );
    stop_view(conn, &stop.id)
}

/// Replaces a stop's fields. Its workshops must still fit in the new day.
pub fn update_stop(
    conn: &mut DbConnection,
    id: &str,
    new: &NewStop,
    effects: &mut Effects,
) -> Result<StopView, AppError> {
    let current = store::find_stop(conn, id)?.ok_or(AppError::NotFound("stop"))?;
    let workshops = store::list_workshops(conn, id)?;
    if workshops
        .iter()
        .any(|w| w.starts_at < new.starts_at || w.ends_at > new.ends_at)
    {
        return Err(AppError::Conflict(
            "some workshops would fall outside the stop's new times; move them first".into(),
        ));
    }
    let changes = StopChanges {
        city: new.city.clone(),
        venue: new.venue.clone(),
        address: new.address.clone(),
        timezone: new.timezone.into(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        capacity: new.capacity,
        registration_closes_at: new.registration_closes_at,
    };
    if store::update_stop(conn, &current.id, &changes)? == 0 {
        return Err(AppError::Conflict(format!(
            "{} seats are already taken: the capacity cannot go below that",
            current.seats_taken
        )));
    }
    // More seats: the waitlist moves up at once.
    effects
        .happened
        .extend(crate::registrations::service::fill_stop_seats(
            conn,
            &current.id,
        )?);
    let view = stop_view(conn, id)?;
    effects.audit.push(
        Change::new("stop.updated", "stop", id).with(audit::diff(&current, &view.summary.stop)),
    );
    Ok(view)
}

/// A stop with its workshops and checkpoints.
pub fn stop_view(conn: &mut DbConnection, id: &str) -> Result<StopView, AppError> {
    let stop = store::find_stop(conn, id)?.ok_or(AppError::NotFound("stop"))?;
    let workshops = store::list_workshops(conn, id)?
        .into_iter()
        .map(|workshop| WorkshopView {
            seats_left: i64::from(workshop.capacity - workshop.seats_taken).max(0),
            workshop,
        })
        .collect();
    let checkpoints = store::list_checkpoints(conn, id)?;
    Ok(StopView {
        summary: summarize(stop)?,
        workshops,
        checkpoints,
    })
}

/// The window a workshop of this stop must fit in.
pub fn stop_window(conn: &mut DbConnection, stop_id: &str) -> Result<StopWindow, AppError> {
    let stop = store::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    Ok(StopWindow {
        timezone: stop.timezone.tz(),
        starts_at: stop.starts_at,
        ends_at: stop.ends_at,
    })
}

fn checkpoint_name(new: &NewWorkshop) -> String {
    if new.room.is_empty() {
        new.title.clone()
    } else {
        new.room.clone()
    }
}

/// Creates a workshop and its checkpoint.
pub fn create_workshop(
    conn: &mut DbConnection,
    stop_id: &str,
    new: &NewWorkshop,
    effects: &mut Effects,
) -> Result<WorkshopView, AppError> {
    let workshop = Workshop {
        id: new_id(),
        stop_id: stop_id.to_owned(),
        title: new.title.clone(),
        room: new.room.clone(),
        trainer: new.trainer.clone(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        capacity: new.capacity,
        created_at: time::now(),
        seats_taken: 0,
        specialist_label: new.specialist_label,
    };
    store::insert_workshop(conn, &workshop)?;
    store::insert_checkpoint(
        conn,
        &Checkpoint {
            id: new_id(),
            stop_id: stop_id.to_owned(),
            kind: "workshop".into(),
            workshop_id: Some(workshop.id.clone()),
            name: checkpoint_name(new),
        },
    )?;
    effects.audit.push(
        Change::new("workshop.created", "workshop", &workshop.id).with(serde_json::json!({
            "stop_id": workshop.stop_id, "title": workshop.title, "room": workshop.room,
            "starts_at": workshop.starts_at, "capacity": workshop.capacity,
        })),
    );
    Ok(WorkshopView {
        seats_left: i64::from(workshop.capacity),
        workshop,
    })
}

/// Replaces a workshop's fields (and renames its checkpoint with its room).
pub fn update_workshop(
    conn: &mut DbConnection,
    id: &str,
    new: &NewWorkshop,
    effects: &mut Effects,
) -> Result<WorkshopView, AppError> {
    let current = store::find_workshop(conn, id)?.ok_or(AppError::NotFound("workshop"))?;
    let changes = WorkshopChanges {
        title: new.title.clone(),
        room: new.room.clone(),
        trainer: new.trainer.clone(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        capacity: new.capacity,
        specialist_label: new.specialist_label,
    };
    if store::update_workshop(conn, id, &changes)? == 0 {
        return Err(AppError::Conflict(format!(
            "{} seats are already taken: the capacity cannot go below that",
            current.seats_taken
        )));
    }
    store::rename_workshop_checkpoint(conn, id, &checkpoint_name(new))?;
    effects
        .happened
        .extend(crate::registrations::service::fill_workshop_seats(
            conn, id,
        )?);
    let workshop = find_workshop(conn, id)?;
    effects.audit.push(
        Change::new("workshop.updated", "workshop", id).with(audit::diff(&current, &workshop)),
    );
    Ok(WorkshopView {
        seats_left: i64::from(workshop.capacity - workshop.seats_taken).max(0),
        workshop,
    })
}

/// A workshop and the id of its stop.
pub fn find_workshop(conn: &mut DbConnection, id: &str) -> Result<Workshop, AppError> {
    store::find_workshop(conn, id)?.ok_or(AppError::NotFound("workshop"))
}

/// True when no tour exists yet (the demo loader only fills an empty database).
pub fn is_empty(conn: &mut DbConnection) -> Result<bool, AppError> {
    Ok(store::count_tours(conn)? == 0)
}

/// Deletes a tour set up by mistake. Refused once any of its stops holds what people did.
pub fn delete_tour(
    conn: &mut DbConnection,
    id: &str,
    effects: &mut Effects,
) -> Result<(), AppError> {
    let tour = store::find_tour(conn, id)?.ok_or(AppError::NotFound("tour"))?;
    for stop in store::list_stops(conn, &tour.id)? {
        if store::stop_has_history(conn, &stop.id)? {
            return Err(kept_for_history(&format!(
                "{} has registrations or complaints",
                stop.city
            )));
        }
    }
    store::delete_tour(conn, &tour.id)?;
    effects.audit.push(
        Change::new("tour.deleted", "tour", &tour.id)
            .with(serde_json::json!({"slug": tour.slug, "name": tour.name})),
    );
    Ok(())
}

/// Deletes a stop set up by mistake. Refused once anyone registered or complained there.
pub fn delete_stop(
    conn: &mut DbConnection,
    id: &str,
    effects: &mut Effects,
) -> Result<String, AppError> {
    let stop = store::find_stop(conn, id)?.ok_or(AppError::NotFound("stop"))?;
    if store::stop_has_history(conn, &stop.id)? {
        return Err(kept_for_history(
            "this stop has registrations or complaints",
        ));
    }
    store::delete_stop(conn, &stop.id)?;
    effects.audit.push(
        Change::new("stop.deleted", "stop", &stop.id).with(serde_json::json!({
            "tour_id": stop.tour_id, "city": stop.city, "starts_at": stop.starts_at,
        })),
    );
    Ok(stop.tour_id)
}

/// Deletes a workshop set up by mistake. Refused once anyone chose it or was scanned there.
pub fn delete_workshop(
    conn: &mut DbConnection,
    id: &str,
    effects: &mut Effects,
) -> Result<String, AppError> {
    let workshop = store::find_workshop(conn, id)?.ok_or(AppError::NotFound("workshop"))?;
    if store::workshop_has_history(conn, &workshop.id)? {
        return Err(kept_for_history(
            "people chose this workshop or were scanned at it",
        ));
    }
    store::delete_workshop(conn, &workshop.id)?;
    effects.audit.push(
        Change::new("workshop.deleted", "workshop", &workshop.id).with(serde_json::json!({
            "stop_id": workshop.stop_id, "title": workshop.title,
        })),
    );
    Ok(workshop.stop_id)
}

/// What happened stays: a set-up that people used is changed, not deleted.
fn kept_for_history(what: &str) -> AppError {
    AppError::Conflict(format!(
        "{what}: it is kept as the record of what happened (change it instead)"
    ))
}

/// The use case behind every set-up change (a tour, a stop, a workshop, created, changed or
/// deleted): `change` runs in one transaction, noting what it caused (more seats promote people
/// waiting) and what it changed, which is written to the audit log as made by `actor` in that
/// same transaction; then the scanners are told — checkpoints, rooms and time zones may have
/// changed. API and pages both go through here.
pub async fn change_setup<T, F>(
    pool: &DbPool,
    events: &Dispatcher,
    actor: Actor,
    change: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &mut Effects) -> Result<T, AppError> + Send + 'static,
{
    let (changed, mut happened) = db::transaction(pool, move |conn| {
        let mut effects = Effects::default();
        let changed = change(conn, &mut effects)?;
        for entry in effects.audit {
            audit::record(conn, Some(&actor), entry)?;
        }
        crate::freshness::bump(conn, crate::freshness::Topic::Setup)?;
        Ok((changed, effects.happened))
    })
    .await?;
    happened.push(DomainEvent::SetupChanged);
    events.publish(happened);
    Ok(changed)
}
