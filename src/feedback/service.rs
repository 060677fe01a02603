//! Feedback requests (queued e-mails to checked-in attendees, never twice) and submissions.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::complaints::service::{NewComplaint, THEMES, record};
use crate::db::DbConnection;
use crate::db::schema::{check_ins, checkpoints, feedback, feedback_requests, registrations};
use crate::error::{AppError, FieldErrors};
use crate::validation::optional_text;

/// The outbox `kind` of feedback e-mails.
pub const MAIL_KIND: &str = "feedback";
/// How long a feedback link works.
pub const LINK_DAYS: i64 = 30;

/// The outbox payload of a feedback e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedbackMail {
    pub registration_id: String,
}

/// Queues one feedback e-mail per attendee checked in at the stop's entrance who has none yet;
/// returns how many were queued.
pub fn request(
    conn: &mut DbConnection,
    stop_id: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    crate::tours::store::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    let already: Vec<String> = feedback_requests::table
        .filter(feedback_requests::stop_id.eq(stop_id))
        .select(feedback_requests::registration_id)
        .load(conn)?;
    let present: Vec<(String, String)> = check_ins::table
        .inner_join(checkpoints::table)
        .inner_join(registrations::table)
        .filter(check_ins::stop_id.eq(stop_id))
        .filter(checkpoints::kind.eq("entrance"))
        .filter(registrations::status.eq("confirmed"))
        .select((registrations::id, registrations::email))
        .load(conn)?;
    let mut queued = 0;
    for (registration_id, email) in present.into_iter().filter(|(id, _)| !already.contains(id)) {
        diesel::insert_into(feedback_requests::table)
            .values((
                feedback_requests::registration_id.eq(&registration_id),
                feedback_requests::stop_id.eq(stop_id),
                feedback_requests::requested_at.eq(now),
                feedback_requests::expires_at.eq(now + Duration::days(LINK_DAYS)),
            ))
            .execute(conn)?;
        crate::email::enqueue(conn, MAIL_KIND, &email, &FeedbackMail { registration_id })?;
        queued += 1;
    }
    Ok(queued)
}

/// What an attendee answered.
#[derive(Debug, Clone, Default)]
pub struct RawFeedback {
    pub overall: Option<i64>,
    pub trainers: Option<i64>,
    pub content: Option<i64>,
    pub nps: Option<i64>,
    pub themes: Vec<String>,
    pub comment: Option<String>,
}

fn rating(errors: &mut FieldErrors, field: &str, value: Option<i64>, max: i64, min: i64) -> i32 {
    match value {
        Some(v) if (min..=max).contains(&v) => i32::try_from(v).unwrap_or(0),
        Some(_) => {
            errors.add(field, format!("must be between {min} and {max}"));
            0
        }
        None => {
            errors.add(field, "v.required");
            0
        }
    }
}

/// Records a feedback (once per link) and opens a complaint per theme ticked. Returns the
/// feedback id and the complaints' ids.
pub fn submit(
    conn: &mut DbConnection,
    registration_id: &str,
    raw: RawFeedback,
    now: NaiveDateTime,
) -> Result<(String, Vec<String>), AppError> {
    let mut errors = FieldErrors::new();
    let overall = rating(&mut errors, "overall", raw.overall, 5, 1);
    let trainers = rating(&mut errors, "trainers", raw.trainers, 5, 1);
    let content = rating(&mut errors, "content", raw.content, 5, 1);
    let nps = rating(&mut errors, "nps", raw.nps, 10, 0);
    let mut themes: Vec<String> = Vec::new();
    for theme in raw.themes {
        if !THEMES.contains(&theme.as_str()) {
            errors.add(
                "themes",
                "must be among trainers, licensing, leads, logistics, other",
            );
        } else if !themes.contains(&theme) {
            themes.push(theme);
        }
    }
    let comment = optional_text(&mut errors, "comment", raw.comment.as_deref(), 5000);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let expires_at: NaiveDateTime = feedback_requests::table
        .find(registration_id)
        .select(feedback_requests::expires_at)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound("feedback request"))?;
    if now > expires_at {
        return Err(AppError::Conflict("this feedback link has expired".into()));
    }
    let registration = crate::registrations::store::find_registration(conn, registration_id)?
        .ok_or(AppError::NotFound("registration"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = diesel::insert_into(feedback::table)
        .values((
            feedback::id.eq(&id),
            feedback::registration_id.eq(registration_id),
            feedback::stop_id.eq(&registration.stop_id),
            feedback::overall.eq(overall),
            feedback::trainers.eq(trainers),
            feedback::content.eq(content),
            feedback::nps.eq(nps),
            feedback::comment.eq(&comment),
            feedback::submitted_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::Conflict("this feedback was already sent".into()));
        }
        other => {
            other?;
        }
    }
    let mut complaints = Vec::new();
    for theme in themes {
        let summary = if comment.is_empty() {
            format!("Raised in feedback: {theme}")
        } else {
            comment.chars().take(300).collect()
        };
        let complaint = record(
            conn,
            NewComplaint {
                stop_id: registration.stop_id.clone(),
                theme,
                summary,
                detail: Some(comment.clone()),
                company: Some(registration.company.clone()),
                registration_id: Some(registration.id.clone()),
                feedback_id: Some(id.clone()),
            },
            "feedback form",
            now,
        )?;
        complaints.push(complaint.id);
    }
    Ok((id, complaints))
}
