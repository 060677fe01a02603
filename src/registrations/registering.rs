//! Registering someone: the stop, its tour and workshops read once (`StopFacts`), a check with
//! reads only (so that a refusal leaves nothing to undo), then the writes — the seat first, the
//! row with its status, the e-mail, the enrolments, the webhook events. New registrations that
//! arrive together are decided in one transaction by the registrations' writer (`Registrar`).
//! The answer is made of what was written and what was read for the group: nothing is read
//! back after the commit.

use std::collections::HashMap;

use chrono::{NaiveDateTime, SubsecRound};

use super::domain::{NewRegistration, RegistrationStatus, Slot, Source, check_workshop_choice};
use super::messages::Event;
use super::service::{RegistrationView, queue_mail, registration_open, slots};
use super::store::{self, Enrolment, Registration};
use super::view::EnrolledWorkshop;
use crate::db::group_commit::GroupCommit;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent};
use crate::i18n::Locale;
use crate::ids::RegistrationId;
use crate::time;
use crate::tours::store::{self as tours_store, Stop, Tour, Workshop};
use crate::webhooks::{self, EventType};

/// What registering at a stop needs to know of it, and what its answers show of it: read once
/// for a group of registrations.
#[derive(Debug)]
pub struct StopFacts {
    stop: Stop,
    tour: Option<Tour>,
    workshops: Vec<Workshop>,
    slots: Vec<Slot>,
}

impl StopFacts {
    pub fn read(conn: &mut DbConnection, stop_id: &str) -> Result<Self, AppError> {
        let stop = tours_store::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
        let tour = tours_store::find_tour(conn, &stop.tour_id)?;
        let workshops = tours_store::list_workshops(conn, stop_id)?;
        Ok(Self {
            slots: slots(&workshops),
            stop,
            tour,
            workshops,
        })
    }

    /// Online registration needs a published tour: a draft's stops are not there for the public.
    fn tour_public(&self) -> bool {
        self.tour.as_ref().is_some_and(|t| t.is_public())
    }
}

/// Whether this person may register at this stop (reads only, so that a refusal leaves
/// nothing to undo): online only while registration is open on a published tour, workshops
/// that are the stop's and do not overlap, one live registration per e-mail.
fn check(
    conn: &mut DbConnection,
    facts: &StopFacts,
    new: &NewRegistration,
    source: Source,
    now: NaiveDateTime,
) -> Result<Locale, AppError> {
    let tour = facts.tour.as_ref().ok_or(AppError::NotFound("tour"))?;
    if source == Source::Online {
        if !facts.tour_public() {
            return Err(AppError::NotFound("stop"));
        }
        if !registration_open(&facts.stop, now) {
            return Err(AppError::Conflict(if now >= facts.stop.ends_at {
                "this stop is over".into()
            } else {
                "registration is closed".into()
            }));
        }
    }
    // The tour's language, for people who did not choose one.
    let locale = new
        .locale
        .unwrap_or_else(|| Locale::parse(&tour.default_locale).unwrap_or_default());
    check_workshop_choice(&new.workshops, &facts.slots)?;
    if store::find_live_by_email(conn, &facts.stop.id, new.email.as_ref())?.is_some() {
        return Err(already_registered());
    }
    Ok(locale)
}

/// Registers someone for a stop and workshops. The stop seat and each workshop seat are taken
/// if free; otherwise the registration or the enrolment waits in line. Returns the row as
/// written.
pub fn register(
    conn: &mut DbConnection,
    stop_id: &str,
    new: &NewRegistration,
    source: Source,
    now: NaiveDateTime,
) -> Result<Registration, AppError> {
    let facts = StopFacts::read(conn, stop_id)?;
    let locale = check(conn, &facts, new, source, now)?;
    let subscribers = webhooks::subscribers(conn, EventType::RegistrationCreated)?;
    let written = write_registration(conn, &facts, new, source, locale, now, &subscribers)?;
    Ok(written.registration)
}

/// The writes of a registration that passed `check`; returns the registration as written, with
/// its stop, tour and workshops as read for the group (their seat counts are from before it).
fn write_registration(
    conn: &mut DbConnection,
    facts: &StopFacts,
    new: &NewRegistration,
    source: Source,
    locale: Locale,
    now: NaiveDateTime,
    subscribers: &[webhooks::store::Endpoint],
) -> Result<RegistrationView, AppError> {
    let tour = facts.tour.as_ref().ok_or(AppError::NotFound("tour"))?;
    // As the database keeps it (microseconds), so that the answer shows what a read would.
    let now = now.trunc_subsecs(6);
    // The seat first, so that the row is written once with its status. The seat counter is a
    // hot row that every registration of the stop locks until its commit; registrations are
    // decided together by one writer (see `Registrar`), so its lock costs one commit a group.
    let confirmed = store::take_stop_seat(conn, &facts.stop.id)?;
    let registration = Registration {
        id: RegistrationId::generate(),
        stop_id: facts.stop.id.as_str().into(),
        status: if confirmed {
            RegistrationStatus::Confirmed
        } else {
            RegistrationStatus::Waitlisted
        },
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        email: new.email.to_string(),
        company: new.company.clone(),
        job_title: new.job_title.clone(),
        company_size: new.company_size.clone(),
        partner_id: new.partner_id.clone(),
        locale: locale.code().to_owned(),
        source: source.as_str().to_owned(),
        consent_at: now,
        created_at: now,
        updated_at: now,
        cancelled_at: None,
        partner_type: new.partner_type.clone(),
    };
    // The unique index is the last word when two requests with one e-mail race.
    store::insert_registration(conn, &registration).map_err(|e| {
        if db::is_unique_violation(&e) {
            already_registered()
        } else {
            e.into()
        }
    })?;
    queue_mail(conn, &registration, Event::Registered)?;
    let mut workshops = Vec::with_capacity(new.workshops.len());
    for workshop_id in &new.workshops {
        let status = if confirmed && store::take_workshop_seat(conn, workshop_id)? {
            RegistrationStatus::Confirmed
        } else {
            RegistrationStatus::Waitlisted
        };
        // `check` made sure that each is one of the stop's.
        if let Some(workshop) = facts.workshops.iter().find(|w| *workshop_id == w.id) {
            workshops.push(EnrolledWorkshop {
                workshop: workshop.clone(),
                status,
            });
        }
        store::insert_enrolment(
            conn,
            &Enrolment {
                registration_id: registration.id.clone(),
                workshop_id: workshop_id.clone(),
                status,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    if !subscribers.is_empty() {
        let data = webhooks::payload::registration(conn, &registration.id)?;
        for endpoint in subscribers {
            webhooks::queue_for(
                conn,
                &endpoint.id,
                EventType::RegistrationCreated.as_str(),
                &data,
            )?;
        }
    }
    workshops.sort_by_key(|w| w.workshop.starts_at);
    Ok(RegistrationView {
        registration,
        timezone: facts.stop.timezone.tz(),
        stop: facts.stop.clone(),
        tour_name: tour.name.clone(),
        tour_slug: tour.slug.clone(),
        workshops,
    })
}

fn already_registered() -> AppError {
    AppError::Conflict(
        "this e-mail is already registered for this stop; the confirmation e-mail can be sent again".into(),
    )
}

/// A registration submitted to the registrations' writer.
#[derive(Debug)]
pub struct RegistrationItem {
    pub stop_id: String,
    pub new: NewRegistration,
    pub source: Source,
}

/// The registrations' writer (group commit): registrations that arrive at the same moment share
/// one transaction, so that a stop's seat counter — a row every registration of the stop locks
/// until its commit — is held for one WAL flush per group instead of one per registration.
/// A registration refused (an e-mail already registered, a closed stop) is refused before it
/// writes anything, and the others of its group stand.
#[derive(Debug, Default)]
pub struct Registrar;

impl crate::db::group_commit::Decide for Registrar {
    type Item = RegistrationItem;
    type Decided = Result<RegistrationView, AppError>;

    /// Each registration is checked with reads only, then written: a refusal (a 4xx) is that
    /// registration's answer and leaves nothing to undo, while a failed write fails the group,
    /// whose registrations are then decided again alone. The stop, its tour and workshops and
    /// the webhook endpoints are read once for the group.
    fn decide(
        &self,
        conn: &mut DbConnection,
        items: &[&RegistrationItem],
    ) -> Result<Vec<Result<RegistrationView, AppError>>, AppError> {
        use actix_web::ResponseError;
        let refused = |e: AppError| {
            if e.status_code().is_client_error() {
                Ok(Err(e))
            } else {
                Err(e)
            }
        };
        let now = time::now();
        let subscribers = webhooks::subscribers(conn, EventType::RegistrationCreated)?;
        let mut stops: HashMap<String, StopFacts> = HashMap::new();
        let mut answers = Vec::with_capacity(items.len());
        for item in items {
            if !stops.contains_key(&item.stop_id) {
                match StopFacts::read(conn, &item.stop_id) {
                    Ok(facts) => {
                        stops.insert(item.stop_id.clone(), facts);
                    }
                    Err(e) => {
                        answers.push(refused(e)?);
                        continue;
                    }
                }
            }
            let facts = stops.get(&item.stop_id).ok_or(AppError::NotFound("stop"))?;
            let answer = match check(conn, facts, &item.new, item.source, now) {
                Ok(locale) => Ok(write_registration(
                    conn,
                    facts,
                    &item.new,
                    item.source,
                    locale,
                    now,
                    &subscribers,
                )?),
                Err(e) => refused(e)?,
            };
            answers.push(answer);
        }
        Ok(answers)
    }
}

/// The use case "register" (the public form and the API): what was typed in, the registration
/// as committed out. The input is checked before the transaction, so that nothing a client
/// sends is looked at while a write lock is held; the registration is decided with those
/// arriving at the same moment (see [`Registrar`]), which also makes its answer.
pub async fn register_attendee(
    writer: &GroupCommit<Registrar>,
    events: &Dispatcher,
    stop_id: String,
    raw: super::domain::RawRegistration,
    source: Source,
) -> Result<RegistrationView, AppError> {
    let new = NewRegistration::parse(raw)?;
    let item = RegistrationItem {
        stop_id,
        new,
        source,
    };
    let view = writer.decide(vec![item]).await?.pop().ok_or_else(|| {
        AppError::Unexpected(anyhow::anyhow!("a registration without an answer"))
    })??;
    events.publish([DomainEvent::Registered {
        registration_id: view.registration.id.to_string(),
        status: view.registration.status,
    }]);
    tracing::info!(registration_id = %view.registration.id, status = %view.registration.status, "registered");
    Ok(view)
}
