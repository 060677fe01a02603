//! Registering someone: the stop, its tour and workshops read once (`StopFacts`), checks with
//! reads only (so that a refusal leaves nothing to undo), then the writes — the seat first, the
//! row with its status, the e-mail, the enrolments, the webhook events. New registrations that
//! arrive together are decided in one transaction by the registrations' writer (`Registrar`),
//! with statements shared by the group: a group of eight costs about as many round trips as
//! one. The answer is made of what was written and what was read for the group: nothing is
//! read back after the commit.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDateTime, SubsecRound};

use super::domain::{NewRegistration, RegistrationStatus, Slot, Source, check_workshop_choice};
use super::messages::Event;
use super::service::{RegistrationView, queue_mails, registration_open, slots};
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

/// Whether this person may register at this stop, from what the group read of it: online
/// only while registration is open on a published tour, workshops that are the stop's and do
/// not overlap. (One live registration per e-mail is checked for the whole group at once, in
/// [`decide`].) Returns the language of the person's e-mails.
fn check(
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
    Ok(locale)
}

/// Registers someone for a stop and workshops in the caller's transaction (walk-ins, the demo
/// tour): a group of one, decided as the writer decides any group. Returns the row as written.
pub fn register(
    conn: &mut DbConnection,
    stop_id: &str,
    new: &NewRegistration,
    source: Source,
    now: NaiveDateTime,
) -> Result<Registration, AppError> {
    let item = RegistrationItem {
        stop_id: stop_id.to_owned(),
        new: new.clone(),
        source,
    };
    let answer = decide(conn, &[&item], now)?
        .pop()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("a registration without an answer")))?;
    Ok(answer?.registration)
}

/// Decides a group of registrations in the caller's transaction, each as if after the ones
/// before it: one answer per item, in order. A refusal (a 4xx: an e-mail already registered,
/// a closed stop) is decided with reads only and is that registration's answer; the others
/// stand. A failed write is an `Err`, which fails the group.
///
/// The group shares its statements: the stop, its tour and workshops read once; the e-mails
/// looked up together; the stop's seats taken with one update when the group fits (one by
/// one, in arrival order, only when it does not); the rows and their e-mails written with one
/// insert each. Only workshops and webhooks cost statements per registration.
fn decide(
    conn: &mut DbConnection,
    items: &[&RegistrationItem],
    now: NaiveDateTime,
) -> Result<Vec<Result<RegistrationView, AppError>>, AppError> {
    use actix_web::ResponseError;
    let refused = |e: AppError| {
        if e.status_code().is_client_error() {
            Ok(Err(e))
        } else {
            Err(e)
        }
    };
    // As the database keeps it (microseconds), so that the answer shows what a read would.
    let written_at = now.trunc_subsecs(6);
    let subscribers = webhooks::subscribers(conn, EventType::RegistrationCreated)?;

    // Checks with what is read of each stop.
    let mut stops: HashMap<&str, StopFacts> = HashMap::new();
    let mut checked: Vec<Result<Locale, AppError>> = Vec::with_capacity(items.len());
    for item in items {
        let stop_id = item.stop_id.as_str();
        if !stops.contains_key(stop_id) {
            match StopFacts::read(conn, stop_id) {
                Ok(facts) => {
                    stops.insert(stop_id, facts);
                }
                Err(e) => {
                    checked.push(refused(e)?);
                    continue;
                }
            }
        }
        let facts = stops.get(stop_id).ok_or(AppError::NotFound("stop"))?;
        checked.push(match check(facts, &item.new, item.source, now) {
            Ok(locale) => Ok(locale),
            Err(e) => refused(e)?,
        });
    }

    // One live registration per e-mail and stop: those already registered, then the second of
    // two in this group. Stops in the order of their ids, as their seats are taken below.
    let mut accepted: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if checked[i].is_ok() {
            accepted.entry(item.stop_id.as_str()).or_default().push(i);
        }
    }
    for (stop_id, indices) in &mut accepted {
        let emails: Vec<&str> = indices
            .iter()
            .map(|&i| items[i].new.email.as_ref())
            .collect();
        let mut registered: HashSet<String> = store::live_emails(conn, stop_id, &emails)?
            .into_iter()
            .collect();
        indices.retain(|&i| {
            let fresh = registered.insert(items[i].new.email.to_string());
            if !fresh {
                checked[i] = Err(already_registered());
            }
            fresh
        });
    }

    // The seats, then the rows written once with their status.
    let mut confirmed = vec![false; items.len()];
    for (stop_id, indices) in &accepted {
        let count = i32::try_from(indices.len()).unwrap_or(i32::MAX);
        if count > 0 && store::take_stop_seats(conn, stop_id, count)? {
            indices.iter().for_each(|&i| confirmed[i] = true);
        } else {
            // Fewer seats left than people: the first ones take them, the others wait.
            for &i in indices {
                confirmed[i] = store::take_stop_seat(conn, stop_id)?;
            }
        }
    }
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Ok(locale) = &checked[i] {
            rows.push(registration_row(item, confirmed[i], *locale, written_at));
        }
    }
    // The unique index is the last word when two requests with one e-mail race.
    store::insert_registrations(conn, &rows).map_err(|e| {
        if db::is_unique_violation(&e) {
            already_registered()
        } else {
            e.into()
        }
    })?;
    queue_mails(conn, &rows, Event::Registered)?;

    // Workshops and webhooks, registration by registration; then the answers.
    let mut rows = rows.into_iter();
    let mut answers = Vec::with_capacity(items.len());
    for (item, checked) in items.iter().zip(checked) {
        let answer = match checked {
            Ok(_) => {
                let registration = rows.next().ok_or_else(|| {
                    AppError::Unexpected(anyhow::anyhow!("a registration without its row"))
                })?;
                let facts = stops
                    .get(item.stop_id.as_str())
                    .ok_or(AppError::NotFound("stop"))?;
                let workshops = enrol(conn, facts, &registration, &item.new, written_at)?;
                if !subscribers.is_empty() {
                    let data = webhooks::payload::registration(conn, &registration.id)?;
                    for endpoint in &subscribers {
                        webhooks::queue_for(
                            conn,
                            &endpoint.id,
                            EventType::RegistrationCreated.as_str(),
                            &data,
                        )?;
                    }
                }
                Ok(view(facts, registration, workshops)?)
            }
            Err(e) => Err(e),
        };
        answers.push(answer);
    }
    Ok(answers)
}

/// The row of a registration that passed the checks, with its status.
fn registration_row(
    item: &RegistrationItem,
    confirmed: bool,
    locale: Locale,
    now: NaiveDateTime,
) -> Registration {
    let new = &item.new;
    Registration {
        id: RegistrationId::generate(),
        stop_id: item.stop_id.as_str().into(),
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
        source: item.source.as_str().to_owned(),
        consent_at: now,
        created_at: now,
        updated_at: now,
        cancelled_at: None,
        partner_type: new.partner_type.clone(),
    }
}

/// Enrols a registration just written in the workshops it chose: a workshop seat is taken only
/// with a stop seat; otherwise the enrolment waits in line. Returns the workshops by start.
fn enrol(
    conn: &mut DbConnection,
    facts: &StopFacts,
    registration: &Registration,
    new: &NewRegistration,
    now: NaiveDateTime,
) -> Result<Vec<EnrolledWorkshop>, AppError> {
    let confirmed = registration.status == RegistrationStatus::Confirmed;
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
    workshops.sort_by_key(|w| w.workshop.starts_at);
    Ok(workshops)
}

/// The answer: the registration as written, with its stop, tour and workshops as read for the
/// group (their seat counts are from before it).
fn view(
    facts: &StopFacts,
    registration: Registration,
    workshops: Vec<EnrolledWorkshop>,
) -> Result<RegistrationView, AppError> {
    let tour = facts.tour.as_ref().ok_or(AppError::NotFound("tour"))?;
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

    /// See [`decide`]: a refusal is that registration's answer and leaves nothing to undo; a
    /// failed write fails the group, whose registrations are then decided again alone.
    fn decide(
        &self,
        conn: &mut DbConnection,
        items: &[&RegistrationItem],
    ) -> Result<Vec<Result<RegistrationView, AppError>>, AppError> {
        decide(conn, items, time::now())
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
