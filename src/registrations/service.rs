//! Registration operations: one transaction each (registering itself is in `registering`:
//! those arriving together share one), seats taken and given back only through the
//! conditional updates of `store`, the waitlist promoted in arrival order, and every message
//! queued in the same transaction as the change it reports.

use chrono::NaiveDateTime;

use super::domain::RegistrationStatus;
use super::domain::{Slot, check_workshop_choice};
pub use super::messages::Event;
use super::messages::RegistrationMail;
use super::store::{self, Enrolment, Registration};
pub use super::view::{EnrolledWorkshop, RegistrationView, registration_view};
use crate::db::{self, DbConnection, DbPool};
use crate::email;
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent};
use crate::i18n::Locale;
use crate::ids::{RegistrationId, WorkshopId};
use crate::time;
use crate::tours::store::{self as tours_store, Stop, Workshop};
use crate::webhooks::{self, EventType};

pub use super::domain::Source;
pub use super::registering::{Registrar, RegistrationItem, StopFacts, register, register_attendee};

pub(super) fn queue_mail(
    conn: &mut DbConnection,
    registration: &Registration,
    event: Event,
) -> Result<bool, AppError> {
    Ok(queue_mails(conn, std::slice::from_ref(registration), event)? == 1)
}

/// Queues the e-mail of `event` to each of these registrations in one statement (demo
/// attendees get none); returns how many were queued.
pub(super) fn queue_mails(
    conn: &mut DbConnection,
    registrations: &[Registration],
    event: Event,
) -> Result<usize, AppError> {
    let messages: Vec<(&str, RegistrationMail)> = registrations
        .iter()
        .filter(|r| r.source != Source::Demo.as_str())
        .map(|r| {
            let mail = RegistrationMail {
                registration_id: r.id.to_string(),
                event,
            };
            (r.email.as_str(), mail)
        })
        .collect();
    Ok(email::queue_all(conn, &messages)?.len())
}

/// The language of a stop's tour, the default for its attendees' e-mails.
pub fn default_locale(conn: &mut DbConnection, stop_id: &str) -> Result<Locale, AppError> {
    let stop = tours_store::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    let tour = tours_store::find_tour(conn, &stop.tour_id)?.ok_or(AppError::NotFound("tour"))?;
    Ok(Locale::parse(&tour.default_locale).unwrap_or_default())
}

/// True while the public may register: before the closing time and before the stop ends.
pub fn registration_open(stop: &Stop, now: NaiveDateTime) -> bool {
    let closes = stop
        .registration_closes_at
        .unwrap_or(stop.ends_at)
        .min(stop.ends_at);
    now < closes
}

pub(super) fn slots(workshops: &[Workshop]) -> Vec<Slot> {
    workshops
        .iter()
        .map(|w| Slot {
            id: w.id.clone(),
            starts_at: w.starts_at,
            ends_at: w.ends_at,
        })
        .collect()
}

/// Enrols in a workshop: a seat if the registration holds a stop seat and one is free.
fn enrol(
    conn: &mut DbConnection,
    registration_id: &RegistrationId,
    workshop_id: &WorkshopId,
    registration_confirmed: bool,
    now: NaiveDateTime,
) -> Result<RegistrationStatus, AppError> {
    let status = if registration_confirmed && store::take_workshop_seat(conn, workshop_id)? {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waitlisted
    };
    let existing = store::list_enrolments(conn, registration_id)?
        .into_iter()
        .find(|e| &e.workshop_id == workshop_id);
    match existing {
        // Chosen again after being dropped: the row comes back.
        Some(e) => {
            store::update_enrolment(conn, registration_id, workshop_id, e.status, status, now)?;
        }
        None => {
            store::insert_enrolment(
                conn,
                &Enrolment {
                    registration_id: registration_id.to_owned(),
                    workshop_id: workshop_id.to_owned(),
                    status,
                    created_at: now,
                    updated_at: now,
                },
            )?;
        }
    }
    Ok(status)
}

/// Replaces the workshops of a live registration. Dropped seats go to the next in line.
/// Returns what happened, to publish once committed.
pub fn change_workshops(
    conn: &mut DbConnection,
    id: &str,
    chosen: &[WorkshopId],
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    let registration =
        store::find_registration(conn, id)?.ok_or(AppError::NotFound("registration"))?;
    if registration.status == RegistrationStatus::Cancelled {
        return Err(AppError::Conflict("this registration is cancelled".into()));
    }
    let stop =
        tours_store::find_stop(conn, &registration.stop_id)?.ok_or(AppError::NotFound("stop"))?;
    if now >= stop.ends_at {
        return Err(AppError::Conflict("this stop is over".into()));
    }
    // `chosen` comes from `domain::workshop_choice`: bounded, without repeats.
    let unique = chosen;
    let offered = tours_store::list_workshops(conn, &stop.id)?;
    check_workshop_choice(unique, &slots(&offered))?;
    let current = store::list_enrolments(conn, id)?;
    let mut freed = Vec::new();
    for enrolment in current
        .iter()
        .filter(|e| e.status != RegistrationStatus::Cancelled)
    {
        if !unique.contains(&enrolment.workshop_id) {
            store::update_enrolment(
                conn,
                &registration.id,
                &enrolment.workshop_id,
                enrolment.status,
                RegistrationStatus::Cancelled,
                now,
            )?;
            if enrolment.status == RegistrationStatus::Confirmed {
                store::release_workshop_seat(conn, &enrolment.workshop_id)?;
                freed.push(enrolment.workshop_id.clone());
            }
        }
    }
    let confirmed = registration.status == RegistrationStatus::Confirmed;
    for workshop_id in unique {
        let live = current
            .iter()
            .any(|e| &e.workshop_id == workshop_id && e.status != RegistrationStatus::Cancelled);
        if !live {
            enrol(conn, &registration.id, workshop_id, confirmed, now)?;
        }
    }
    let mut happened = vec![DomainEvent::WorkshopsChanged {
        registration_id: registration.id.to_string(),
    }];
    for workshop_id in freed {
        happened.extend(fill_workshop_seats(conn, &workshop_id)?);
    }
    queue_mail(conn, &registration, Event::Updated)?;
    Ok(happened)
}

/// Cancels a registration (idempotent): its seats go to the next people in line. Returns
/// what happened (nothing when it was already cancelled), to publish once committed.
pub fn cancel(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> Result<Vec<DomainEvent>, AppError> {
    let registration =
        store::find_registration(conn, id)?.ok_or(AppError::NotFound("registration"))?;
    if registration.status == RegistrationStatus::Cancelled {
        return Ok(Vec::new());
    }
    // After the day, a cancellation would rewrite what happened (the check-in would vanish
    // from the figures) and promote someone to a seat at a past event: refused, like a change.
    let stop =
        tours_store::find_stop(conn, &registration.stop_id)?.ok_or(AppError::NotFound("stop"))?;
    if now >= stop.ends_at {
        return Err(AppError::Conflict("this stop is over".into()));
    }
    if store::update_status(
        conn,
        id,
        registration.status,
        RegistrationStatus::Cancelled,
        now,
    )? == 0
    {
        return Err(AppError::Conflict(
            "this registration changed meanwhile; try again".into(),
        ));
    }
    // Someone who cancels is no longer an attendee: their check-ins go (the scans stay, as the
    // record of what happened at the door), so that counts of check-ins are counts of people.
    store::remove_check_ins(conn, id)?;
    let mut freed = Vec::new();
    for enrolment in store::list_enrolments(conn, id)?
        .into_iter()
        .filter(|e| e.status != RegistrationStatus::Cancelled)
    {
        store::update_enrolment(
            conn,
            &registration.id,
            &enrolment.workshop_id,
            enrolment.status,
            RegistrationStatus::Cancelled,
            now,
        )?;
        if enrolment.status == RegistrationStatus::Confirmed {
            store::release_workshop_seat(conn, &enrolment.workshop_id)?;
            freed.push(enrolment.workshop_id);
        }
    }
    let mut happened = vec![DomainEvent::Cancelled {
        registration_id: registration.id.to_string(),
    }];
    // Workshop seats first go to confirmed attendees already waiting for them; only then is
    // the stop's waitlist promoted, so nobody jumps the workshop queue by being promoted.
    for workshop_id in freed {
        happened.extend(fill_workshop_seats(conn, &workshop_id)?);
    }
    if registration.status == RegistrationStatus::Confirmed {
        store::release_stop_seat(conn, &registration.stop_id)?;
        happened.extend(fill_stop_seats(conn, &registration.stop_id)?);
    }
    queue_mail(conn, &registration, Event::Cancelled)?;
    webhooks::queue(conn, EventType::RegistrationCancelled, |conn| {
        webhooks::payload::registration(conn, &registration.id)
    })?;
    Ok(happened)
}

/// Gives every free stop seat to the waitlist, first come first served, and tells each person.
/// Returns the promotions made.
pub fn fill_stop_seats(
    conn: &mut DbConnection,
    stop_id: &str,
) -> Result<Vec<DomainEvent>, AppError> {
    let now = time::now();
    let mut promoted = Vec::new();
    loop {
        let Some(next) = store::first_waitlisted(conn, stop_id)? else {
            return Ok(promoted);
        };
        if !store::take_stop_seat(conn, stop_id)? {
            return Ok(promoted);
        }
        if store::update_status(
            conn,
            &next.id,
            RegistrationStatus::Waitlisted,
            RegistrationStatus::Confirmed,
            now,
        )? == 0
        {
            // Someone else moved this person meanwhile: give the seat back and look again.
            store::release_stop_seat(conn, stop_id)?;
            continue;
        }
        // Their workshop choices now compete for seats too.
        for enrolment in store::list_enrolments(conn, &next.id)?
            .into_iter()
            .filter(|e| e.status == RegistrationStatus::Waitlisted)
        {
            if store::take_workshop_seat(conn, &enrolment.workshop_id)? {
                store::update_enrolment(
                    conn,
                    &next.id,
                    &enrolment.workshop_id,
                    RegistrationStatus::Waitlisted,
                    RegistrationStatus::Confirmed,
                    now,
                )?;
            }
        }
        queue_mail(conn, &next, Event::Promoted)?;
        webhooks::queue(conn, EventType::RegistrationPromoted, |conn| {
            webhooks::payload::promotion(conn, &next.id, None)
        })?;
        promoted.push(DomainEvent::Promoted {
            registration_id: next.id.into(),
            workshop_id: None,
        });
    }
}

/// Gives every free workshop seat to confirmed attendees waiting for it, and tells each.
/// Returns the promotions made.
pub fn fill_workshop_seats(
    conn: &mut DbConnection,
    workshop_id: &str,
) -> Result<Vec<DomainEvent>, AppError> {
    let now = time::now();
    let workshop = WorkshopId::from(workshop_id);
    let mut promoted = Vec::new();
    loop {
        let Some(next) = store::first_waitlisted_enrolment(conn, workshop_id)? else {
            return Ok(promoted);
        };
        if !store::take_workshop_seat(conn, workshop_id)? {
            return Ok(promoted);
        }
        if store::update_enrolment(
            conn,
            &next.registration_id,
            &workshop,
            RegistrationStatus::Waitlisted,
            RegistrationStatus::Confirmed,
            now,
        )? == 0
        {
            store::release_workshop_seat(conn, workshop_id)?;
            continue;
        }
        if let Some(registration) = store::find_registration(conn, &next.registration_id)? {
            queue_mail(conn, &registration, Event::WorkshopPromoted)?;
        }
        webhooks::queue(conn, EventType::RegistrationPromoted, |conn| {
            webhooks::payload::promotion(conn, &next.registration_id, Some(workshop_id))
        })?;
        promoted.push(DomainEvent::Promoted {
            registration_id: next.registration_id.into(),
            workshop_id: Some(workshop_id.to_owned()),
        });
    }
}

/// Queues the confirmation again for a live registration of `email` at the stop. Says nothing
/// about whether one exists, so that the endpoint cannot be used to probe addresses.
pub fn resend(conn: &mut DbConnection, stop_id: &str, email: &str) -> Result<(), AppError> {
    tours_store::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    if let Some(registration) =
        store::find_live_by_email(conn, stop_id, &email.trim().to_lowercase())?
    {
        queue_mail(conn, &registration, Event::Resent)?;
    }
    Ok(())
}

// ---- the use cases: each opens its transaction and publishes what happened ----

/// The use case "change my workshops" (the manage page and the API).
pub async fn change_attendee_workshops(
    pool: &DbPool,
    events: &Dispatcher,
    id: String,
    chosen: Vec<WorkshopId>,
) -> Result<RegistrationView, AppError> {
    let (view, happened) = db::transaction(pool, move |conn| {
        let happened = change_workshops(conn, &id, &chosen, time::now())?;
        Ok((registration_view(conn, &id)?, happened))
    })
    .await?;
    events.publish(happened);
    Ok(view)
}

/// The use case "cancel my registration" (the manage page and the API).
pub async fn cancel_registration(
    pool: &DbPool,
    events: &Dispatcher,
    id: String,
) -> Result<RegistrationView, AppError> {
    let (view, happened) = db::transaction(pool, move |conn| {
        let happened = cancel(conn, &id, time::now())?;
        Ok((registration_view(conn, &id)?, happened))
    })
    .await?;
    events.publish(happened);
    tracing::info!(registration_id = %view.registration.id, "registration cancelled");
    Ok(view)
}

/// The use case "send my confirmation again" (the form's duplicate notice and the API).
pub async fn resend_confirmation(
    pool: &DbPool,
    events: &Dispatcher,
    stop_id: String,
    email: String,
) -> Result<(), AppError> {
    db::transaction(pool, move |conn| resend(conn, &stop_id, &email)).await?;
    events.publish([DomainEvent::ConfirmationResent]);
    Ok(())
}
