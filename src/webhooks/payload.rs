//! The `data` of each event: the ids and the fields a CRM needs, read in the transaction of the
//! change, so that the event says what was true when it happened.

use chrono::{NaiveDateTime, SecondsFormat};
use serde_json::{Value, json};

use crate::db::DbConnection;
use crate::error::AppError;

fn utc(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A registration with its stop and tour, as a CRM files a lead.
pub fn registration(conn: &mut DbConnection, id: &str) -> Result<Value, AppError> {
    let r = crate::registrations::store::find_registration(conn, id)?
        .ok_or(AppError::NotFound("registration"))?;
    let stop =
        crate::tours::store::find_stop(conn, &r.stop_id)?.ok_or(AppError::NotFound("stop"))?;
    let mut data = crate::registrations::view::registration_json(&r);
    data["tour_id"] = json!(stop.tour_id);
    data["city"] = json!(stop.city);
    data["stop_starts_at"] = json!(utc(stop.starts_at));
    Ok(data)
}

/// A registration given a seat, at the stop or in `workshop_id`.
pub fn promotion(
    conn: &mut DbConnection,
    registration_id: &str,
    workshop_id: Option<&str>,
) -> Result<Value, AppError> {
    let mut data = registration(conn, registration_id)?;
    data["workshop_id"] = json!(workshop_id);
    Ok(data)
}

/// A feedback answer.
pub fn feedback(conn: &mut DbConnection, id: &str) -> Result<Value, AppError> {
    use crate::db::schema::feedback;
    use diesel::prelude::*;
    let (registration_id, stop_id, overall, trainers, content, nps, comment, submitted_at): (
        String,
        String,
        i32,
        i32,
        i32,
        i32,
        String,
        NaiveDateTime,
    ) = feedback::table
        .find(id)
        .select((
            feedback::registration_id,
            feedback::stop_id,
            feedback::overall,
            feedback::trainers,
            feedback::content,
            feedback::nps,
            feedback::comment,
            feedback::submitted_at,
        ))
        .first(conn)?;
    Ok(json!({
        "id": id,
        "registration_id": registration_id,
        "stop_id": stop_id,
        "overall": overall,
        "trainers": trainers,
        "content": content,
        "nps": nps,
        "comment": comment,
        "submitted_at": utc(submitted_at),
    }))
}

/// A complaint as it stands.
pub fn complaint(conn: &mut DbConnection, id: &str) -> Result<Value, AppError> {
    let c = crate::complaints::store::find(conn, id)?.ok_or(AppError::NotFound("complaint"))?;
    Ok(json!({
        "id": c.id,
        "stop_id": c.stop_id,
        "theme": c.theme.to_string(),
        "status": c.status.to_string(),
        "summary": c.summary,
        "company": c.company,
        "registration_id": c.registration_id,
        "feedback_id": c.feedback_id,
        "owner": c.owner,
        "resolution": c.resolution,
        "due_on": c.due_on,
        "created_at": utc(c.created_at),
        "updated_at": utc(c.updated_at),
    }))
}

/// A check-in, from what the decision had in hand (nothing more is read at the door).
pub fn check_in(
    check_in: &crate::checkin::store::CheckIn,
    checkpoint: &crate::checkin::store::CheckpointRow,
    registration: &crate::registrations::store::Registration,
) -> Value {
    json!({
        "scan_id": check_in.scan_id,
        "stop_id": check_in.stop_id,
        "checkpoint_id": check_in.checkpoint_id,
        "checkpoint_kind": checkpoint.kind,
        "workshop_id": checkpoint.workshop_id,
        "registration_id": check_in.registration_id,
        "scanned_at": utc(check_in.scanned_at),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "company": registration.company,
    })
}
