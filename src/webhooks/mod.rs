//! Webhooks, as the Standard Webhooks specification describes them: admins register endpoints
//! (a URL, a secret, the event types wanted); a use case queues an event for each endpoint that
//! wants it in its own transaction (`queue`), so that the change and its webhook are kept or
//! lost together; the background worker (`delivery`) signs and sends each one, at least once,
//! retrying with backoff, without ever holding up a request.

pub mod api;
pub mod delivery;
pub mod pages;
pub mod payload;
pub mod service;
mod signature;
pub mod store;
pub mod target;

use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::error::AppError;

/// The API's and the admin page's routes.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    api::routes(cfg);
    pages::routes(cfg);
}

/// What a webhook tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    /// A registration was made, online or at the door.
    #[serde(rename = "registration.created")]
    RegistrationCreated,
    /// A registration was cancelled.
    #[serde(rename = "registration.cancelled")]
    RegistrationCancelled,
    /// Someone waiting got a seat at the stop or in a workshop (`workshop_id`).
    #[serde(rename = "registration.promoted")]
    RegistrationPromoted,
    /// A badge was let in at a checkpoint (an `ok` scan).
    #[serde(rename = "checkin.created")]
    CheckInCreated,
    /// An attendee answered the feedback form.
    #[serde(rename = "feedback.submitted")]
    FeedbackSubmitted,
    /// A complaint was recorded.
    #[serde(rename = "complaint.created")]
    ComplaintCreated,
    /// A complaint's status, owner, resolution or due date changed.
    #[serde(rename = "complaint.updated")]
    ComplaintUpdated,
}

impl EventType {
    pub const ALL: [Self; 7] = [
        Self::RegistrationCreated,
        Self::RegistrationCancelled,
        Self::RegistrationPromoted,
        Self::CheckInCreated,
        Self::FeedbackSubmitted,
        Self::ComplaintCreated,
        Self::ComplaintUpdated,
    ];

    /// The type's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegistrationCreated => "registration.created",
            Self::RegistrationCancelled => "registration.cancelled",
            Self::RegistrationPromoted => "registration.promoted",
            Self::CheckInCreated => "checkin.created",
            Self::FeedbackSubmitted => "feedback.submitted",
            Self::ComplaintCreated => "complaint.created",
            Self::ComplaintUpdated => "complaint.updated",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// The type of the event an admin sends to try an endpoint; no endpoint subscribes to it.
pub const TEST_EVENT: &str = "webhook.test";

/// Queues an event of `event_type` for every endpoint that receives it, in the caller's
/// transaction. `data` is read only when some endpoint wants the event, so that a use case pays
/// one small read (the endpoints) when nobody listens.
pub fn queue(
    conn: &mut DbConnection,
    event_type: EventType,
    data: impl FnOnce(&mut DbConnection) -> Result<serde_json::Value, AppError>,
) -> Result<(), AppError> {
    let endpoints = subscribers(conn, event_type)?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let data = data(conn)?;
    for endpoint in endpoints {
        queue_for(conn, &endpoint.id, event_type.as_str(), &data)?;
    }
    Ok(())
}

/// The endpoints that receive `event_type`: read once for a group of events of that type (the
/// door's group commit) rather than once per event.
pub fn subscribers(
    conn: &mut DbConnection,
    event_type: EventType,
) -> Result<Vec<store::Endpoint>, AppError> {
    Ok(store::list_endpoints(conn)?
        .into_iter()
        .filter(|endpoint| endpoint.receives(event_type.as_str()))
        .collect())
}

/// Queues one event for one endpoint; returns its message id.
pub fn queue_for(
    conn: &mut DbConnection,
    endpoint_id: &str,
    event_type: &str,
    data: &serde_json::Value,
) -> Result<String, AppError> {
    let now = crate::time::now();
    let body = serde_json::json!({
        "type": event_type,
        "timestamp": now.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": data,
    })
    .to_string();
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    store::queue(conn, &id, endpoint_id, event_type, &body, now)?;
    Ok(id)
}
