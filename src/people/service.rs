//! Gathers what is held about a person: their registrations (with workshops), the scans and
//! check-ins of their badges, their feedback, the complaints tied to their registrations, the
//! outcomes recorded for them, and the e-mails queued to their address (not their text).

use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use diesel::prelude::*;
use serde_json::{Value, json};

use super::erasure::person_key;
use crate::audit::{self, Actor, Change};
use crate::db::schema::{
    check_ins, complaints, enrolments, feedback, outbox, outcomes, registrations, scans,
};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::registrations::store::Registration;

fn utc(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Everything held about `email` (case and surrounding spaces ignored); `None` when nothing is.
pub fn gather(conn: &mut DbConnection, email: &str) -> Result<Option<Value>, AppError> {
    let email = email.trim().to_lowercase();
    let people: Vec<Registration> = registrations::table
        .filter(registrations::email.eq(&email))
        .order(registrations::created_at.asc())
        .select(Registration::as_select())
        .load(conn)?;
    let ids: Vec<String> = people.iter().map(|r| r.id.to_string()).collect();
    let emails: Vec<(String, String, String, NaiveDateTime, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::recipient.eq(&email))
        .order(outbox::created_at.asc())
        .select((
            outbox::id,
            outbox::kind,
            outbox::status,
            outbox::created_at,
            outbox::sent_at,
        ))
        .load(conn)?;
    if people.is_empty() && emails.is_empty() {
        return Ok(None);
    }
    let mut registrations_held = Vec::new();
    for r in &people {
        let workshops: Vec<(String, String)> = enrolments::table
            .filter(enrolments::registration_id.eq(r.id.as_ref() as &str))
            .select((enrolments::workshop_id, enrolments::status))
            .load(conn)?;
        let mut held = crate::registrations::view::registration_json(r);
        held["workshops"] = workshops
            .into_iter()
            .map(|(id, status)| json!({"workshop_id": id, "status": status}))
            .collect();
        registrations_held.push(held);
    }
    let scans_held: Vec<(String, String, String, String, NaiveDateTime)> = scans::table
        .filter(scans::registration_id.eq_any(&ids))
        .order(scans::scanned_at.asc())
        .select((
            scans::id,
            scans::stop_id,
            scans::checkpoint_id,
            scans::result,
            scans::scanned_at,
        ))
        .load(conn)?;
    let check_ins_held: Vec<(String, String, NaiveDateTime)> = check_ins::table
        .filter(check_ins::registration_id.eq_any(&ids))
        .select((
            check_ins::checkpoint_id,
            check_ins::stop_id,
            check_ins::scanned_at,
        ))
        .load(conn)?;
    type FeedbackRow = (String, String, i32, i32, i32, i32, String, NaiveDateTime);
    let feedback_held: Vec<FeedbackRow> = feedback::table
        .filter(feedback::registration_id.eq_any(&ids))
        .select((
            feedback::id,
            feedback::stop_id,
            feedback::overall,
            feedback::trainers,
            feedback::content,
            feedback::nps,
            feedback::comment,
            feedback::submitted_at,
        ))
        .load(conn)?;
    type ComplaintRow = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
    );
    let complaints_held: Vec<ComplaintRow> = complaints::table
        .filter(complaints::registration_id.eq_any(&ids))
        .select((
            complaints::id,
            complaints::stop_id,
            complaints::theme,
            complaints::summary,
            complaints::detail,
            complaints::status,
            complaints::resolution,
            complaints::created_at,
        ))
        .load(conn)?;
    let outcomes_held: Vec<(String, String, String, NaiveDate)> = outcomes::table
        .filter(outcomes::registration_id.eq_any(&ids))
        .select((
            outcomes::id,
            outcomes::stop_id,
            outcomes::kind,
            outcomes::occurred_on,
        ))
        .load(conn)?;
    Ok(Some(json!({
        "email": email,
        "registrations": registrations_held,
        "scans": scans_held.into_iter().map(|(id, stop_id, checkpoint_id, result, at)| json!({
            "id": id, "stop_id": stop_id, "checkpoint_id": checkpoint_id, "result": result, "scanned_at": utc(at),
        })).collect::<Vec<_>>(),
        "check_ins": check_ins_held.into_iter().map(|(checkpoint_id, stop_id, at)| json!({
            "checkpoint_id": checkpoint_id, "stop_id": stop_id, "scanned_at": utc(at),
        })).collect::<Vec<_>>(),
        "feedback": feedback_held.into_iter().map(|(id, stop_id, overall, trainers, content, nps, comment, at)| json!({
            "id": id, "stop_id": stop_id, "overall": overall, "trainers": trainers, "content": content,
            "nps": nps, "comment": comment, "submitted_at": utc(at),
        })).collect::<Vec<_>>(),
        "complaints": complaints_held.into_iter().map(|(id, stop_id, theme, summary, detail, status, resolution, at)| json!({
            "id": id, "stop_id": stop_id, "theme": theme, "summary": summary, "detail": detail,
            "status": status, "resolution": resolution, "created_at": utc(at),
        })).collect::<Vec<_>>(),
        "outcomes": outcomes_held.into_iter().map(|(id, stop_id, kind, on)| json!({
            "id": id, "stop_id": stop_id, "kind": kind, "occurred_on": on,
        })).collect::<Vec<_>>(),
        "emails": emails.into_iter().map(|(id, kind, status, at, sent)| json!({
            "id": id, "kind": kind, "status": status, "queued_at": utc(at), "sent_at": sent.map(utc),
        })).collect::<Vec<_>>(),
    })))
}

/// What is held about an address, to look at (not handed over: not recorded); 404 when nothing.
pub async fn look_up(pool: &DbPool, email: String) -> Result<Value, AppError> {
    db::run(pool, move |conn| gather(conn, &email))
        .await?
        .ok_or(AppError::NotFound("person"))
}

/// The use case "hand over what we hold about this address" (admins); 404 when nothing. Handing it
/// over is recorded in the audit log, under the person's key rather than their address.
pub async fn export(pool: &DbPool, email: String, actor: Actor) -> Result<Value, AppError> {
    db::transaction(pool, move |conn| {
        let held = gather(conn, &email)?.ok_or(AppError::NotFound("person"))?;
        let kinds: serde_json::Map<String, Value> = held
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(kind, rows)| rows.as_array().map(|r| (kind.clone(), json!(r.len()))))
            .collect();
        audit::record(
            conn,
            Some(&actor),
            Change::new("person.exported", "person", person_key(&email)).with(Value::Object(kinds)),
        )?;
        Ok(held)
    })
    .await
}
