//! A registration as its pages, answers and e-mails show it: with its stop, tour, time zone and
//! workshops. Read-only, below the service and the messages.

use chrono_tz::Tz;

use super::domain::RegistrationStatus;
use super::store::{self, Registration};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::tours::store::{self as tours_store, Stop, Workshop};

/// A workshop of a registration, with the enrolment's status.
#[derive(Debug, Clone)]
pub struct EnrolledWorkshop {
    pub workshop: Workshop,
    pub status: RegistrationStatus,
}

/// A registration with its stop, tour and workshops.
#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub registration: Registration,
    pub stop: Stop,
    pub timezone: Tz,
    pub tour_name: String,
    pub tour_slug: String,
    pub workshops: Vec<EnrolledWorkshop>,
}

impl RegistrationView {
    /// The attendee's language.
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.registration.locale).unwrap_or_default()
    }
}

/// A registration with everything its pages and e-mails show.
pub fn registration_view(conn: &mut DbConnection, id: &str) -> Result<RegistrationView, AppError> {
    let registration =
        store::find_registration(conn, id)?.ok_or(AppError::NotFound("registration"))?;
    let stop =
        tours_store::find_stop(conn, &registration.stop_id)?.ok_or(AppError::NotFound("stop"))?;
    let tour = tours_store::find_tour(conn, &stop.tour_id)?.ok_or(AppError::NotFound("tour"))?;
    let timezone = stop.timezone.tz();
    let enrolments = store::list_enrolments(conn, id)?;
    let mut workshops: Vec<EnrolledWorkshop> = tours_store::list_workshops(conn, &stop.id)?
        .into_iter()
        .filter_map(|workshop| {
            let status = enrolments
                .iter()
                .find(|e| e.workshop_id == workshop.id && e.status.is_live())?
                .status;
            Some(EnrolledWorkshop { workshop, status })
        })
        .collect();
    workshops.sort_by_key(|w| w.workshop.starts_at);
    Ok(RegistrationView {
        registration,
        stop,
        timezone,
        tour_name: tour.name,
        tour_slug: tour.slug,
        workshops,
    })
}

/// A registration's own fields as JSON for other systems (a webhook's data, a person's
/// export): ids, status, the attendee's fields, times in UTC.
pub fn registration_json(r: &Registration) -> serde_json::Value {
    let utc = |at: chrono::NaiveDateTime| {
        at.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    serde_json::json!({
        "id": r.id,
        "stop_id": r.stop_id,
        "status": r.status.as_str(),
        "first_name": r.first_name,
        "last_name": r.last_name,
        "email": r.email,
        "company": r.company,
        "job_title": r.job_title,
        "company_size": r.company_size,
        "partner_id": r.partner_id,
        "partner_type": r.partner_type,
        "locale": r.locale,
        "source": r.source,
        "consent_at": utc(r.consent_at),
        "created_at": utc(r.created_at),
        "cancelled_at": r.cancelled_at.map(utc),
    })
}
