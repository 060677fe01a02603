//! Feedback requests (queued e-mails to checked-in attendees, never twice) and submissions.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::messages::FeedbackMail;
use crate::complaints::domain::ComplaintTheme;
use crate::complaints::service::{NewComplaint, record};
use crate::db::schema::{check_ins, checkpoints, feedback, feedback_requests, registrations};
use crate::db::{self, DbConnection, DbPool};
use crate::error::{AppError, FieldErrors};
use crate::events::{Dispatcher, DomainEvent};
use crate::registrations::domain::RegistrationStatus;
use crate::validation::{bounded_list, multiline_text};

/// Queues one feedback e-mail per attendee checked in at the stop's entrance who has none yet;
/// returns how many were queued.
pub fn request(
    conn: &mut DbConnection,
    stop_id: &str,
    link_days: i64,
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
        .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
        .select((registrations::id, registrations::email))
        .load(conn)?;
    let mut queued = 0;
    for (registration_id, email) in present.into_iter().filter(|(id, _)| !already.contains(id)) {
        diesel::insert_into(feedback_requests::table)
            .values((
                feedback_requests::registration_id.eq(&registration_id),
                feedback_requests::stop_id.eq(stop_id),
                feedback_requests::requested_at.eq(now),
                feedback_requests::expires_at.eq(now + Duration::days(link_days)),
            ))
            .execute(conn)?;
        crate::email::queue(
            conn,
            &email,
            &FeedbackMail {
                registration_id,
                reminder: false,
            },
        )?;
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
    /// Tell me what comes of the subjects I ticked.
    pub notify_me: bool,
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

/// A checked answer: ratings in range, known themes without repeats, the comment's text.
#[derive(Debug, Clone)]
pub struct FeedbackAnswer {
    overall: i32,
    trainers: i32,
    content: i32,
    nps: i32,
    themes: Vec<ComplaintTheme>,
    comment: String,
    notify_me: bool,
}

impl FeedbackAnswer {
    /// Checks every field (linear in the input, no database): done before the transaction.
    pub fn parse(raw: RawFeedback) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let overall = rating(&mut errors, "overall", raw.overall, 5, 1);
        let trainers = rating(&mut errors, "trainers", raw.trainers, 5, 1);
        let content = rating(&mut errors, "content", raw.content, 5, 1);
        let nps = rating(&mut errors, "nps", raw.nps, 10, 0);
        let mut themes: Vec<ComplaintTheme> = Vec::new();
        // A few repeats are harmless; thousands only cost work.
        let most = 4 * ComplaintTheme::ALL.len();
        if bounded_list(&mut errors, "themes", &raw.themes, most) {
            for word in raw.themes {
                match ComplaintTheme::parse(&word) {
                    None => errors.add(
                        "themes",
                        format!("must be among {}", ComplaintTheme::words()),
                    ),
                    Some(theme) if !themes.contains(&theme) => themes.push(theme),
                    Some(_) => {}
                }
            }
        }
        let comment = multiline_text(&mut errors, "comment", raw.comment.as_deref(), 5000);
        errors.into_result(|| Self {
            overall,
            trainers,
            content,
            nps,
            themes,
            comment,
            notify_me: raw.notify_me,
        })
    }
}

/// Records a feedback (once per link) and opens a complaint per theme ticked. Returns the
/// feedback id and the complaints' ids.
pub fn submit(
    conn: &mut DbConnection,
    registration_id: &str,
    answer: FeedbackAnswer,
    now: NaiveDateTime,
) -> Result<(String, Vec<String>), AppError> {
    let FeedbackAnswer {
        overall,
        trainers,
        content,
        nps,
        themes,
        comment,
        notify_me,
    } = answer;
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
    let language = crate::i18n::Locale::parse(&registration.locale).unwrap_or_default();
    for theme in themes {
        let summary = complaint_summary(&comment, theme, language);
        let complaint = record(
            conn,
            NewComplaint {
                stop_id: registration.stop_id.to_string(),
                theme: Ok(theme),
                summary,
                detail: Some(comment.clone()),
                company: Some(registration.company.clone()),
                registration_id: Some(registration.id.to_string()),
                feedback_id: Some(id.clone()),
                notify_reseller: notify_me,
            },
            crate::complaints::domain::FEEDBACK_ACTOR,
            now,
        )?;
        complaints.push(complaint.id);
    }
    crate::webhooks::queue(
        conn,
        crate::webhooks::EventType::FeedbackSubmitted,
        |conn| {
            let mut data = crate::webhooks::payload::feedback(conn, &id)?;
            data["complaint_ids"] = serde_json::json!(complaints);
            Ok(data)
        },
    )?;
    Ok((id, complaints))
}

/// A complaint's summary: the comment's start, or without one, the theme in the attendee's
/// language (the tour's), which marketing reads.
fn complaint_summary(
    comment: &str,
    theme: ComplaintTheme,
    language: crate::i18n::Locale,
) -> String {
    if comment.is_empty() {
        format!(
            "{} {}",
            language.t("complaint.raised_in_feedback"),
            language.t(&format!("theme.{theme}"))
        )
    } else {
        comment.chars().take(300).collect()
    }
}

/// Stops that ended and were not asked yet: each is claimed by a conditional update (so that
/// several workers ask once) and its checked-in attendees are asked. Returns e-mails queued.
pub fn request_for_ended_stops(
    conn: &mut DbConnection,
    link_days: i64,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    use crate::db::schema::stops;
    let ended: Vec<String> = stops::table
        .filter(stops::ends_at.lt(now))
        .filter(stops::feedback_requested_at.is_null())
        .select(stops::id)
        .load(conn)?;
    let mut queued = 0;
    for stop_id in ended {
        let claimed = diesel::update(
            stops::table
                .find(&stop_id)
                .filter(stops::feedback_requested_at.is_null()),
        )
        .set(stops::feedback_requested_at.eq(now))
        .execute(conn)?;
        if claimed == 1 {
            queued += request(conn, &stop_id, link_days, now)?;
        }
    }
    Ok(queued)
}

/// Queues the one reminder to those asked more than `after_hours` ago who neither answered nor
/// unsubscribed, and whose link still works. Returns e-mails queued.
pub fn send_reminders(
    conn: &mut DbConnection,
    after_hours: i64,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let due: Vec<(String, String)> = feedback_requests::table
        .inner_join(registrations::table)
        .left_join(
            feedback::table.on(feedback::registration_id.eq(feedback_requests::registration_id)),
        )
        .filter(feedback_requests::reminded_at.is_null())
        .filter(feedback_requests::unsubscribed_at.is_null())
        .filter(feedback_requests::requested_at.le(now - Duration::hours(after_hours)))
        .filter(feedback_requests::expires_at.gt(now))
        .filter(feedback::id.nullable().is_null())
        .select((feedback_requests::registration_id, registrations::email))
        .load(conn)?;
    let mut queued = 0;
    for (registration_id, email) in due {
        let claimed = diesel::update(
            feedback_requests::table
                .find(&registration_id)
                .filter(feedback_requests::reminded_at.is_null()),
        )
        .set(feedback_requests::reminded_at.eq(now))
        .execute(conn)?;
        if claimed == 1 {
            crate::email::queue(
                conn,
                &email,
                &FeedbackMail {
                    registration_id,
                    reminder: true,
                },
            )?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Stops all further feedback e-mails to this attendee (the link in every one of them).
pub fn unsubscribe(
    conn: &mut DbConnection,
    registration_id: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let changed = diesel::update(feedback_requests::table.find(registration_id))
        .set(feedback_requests::unsubscribed_at.eq(now))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::NotFound("feedback request"));
    }
    Ok(())
}

/// The use case "ask for feedback now" (marketing, API): one e-mail per attendee checked in
/// who has none yet; returns how many were queued, which leave at once.
pub async fn ask_for_feedback(
    pool: &DbPool,
    events: &Dispatcher,
    stop_id: String,
    link_days: i64,
    actor: crate::audit::Actor,
) -> Result<usize, AppError> {
    let asked_at = stop_id.clone();
    let queued = db::transaction(pool, move |conn| {
        let queued = request(conn, &asked_at, link_days, crate::time::now())?;
        crate::audit::record(
            conn,
            Some(&actor),
            crate::audit::Change::new("feedback.requested", "stop", &asked_at)
                .with(serde_json::json!({"queued": queued})),
        )?;
        Ok(queued)
    })
    .await?;
    events.publish([DomainEvent::FeedbackRequested { stop_id, queued }]);
    Ok(queued)
}

/// The use case "answer the feedback form" (the form and the API): the answer checked before
/// the transaction, then recorded with a complaint per theme ticked.
pub async fn answer_feedback(
    pool: &DbPool,
    events: &Dispatcher,
    registration_id: String,
    raw: RawFeedback,
) -> Result<(String, Vec<String>), AppError> {
    let answer = FeedbackAnswer::parse(raw)?;
    let answered_by = registration_id.clone();
    let (id, complaints) = db::transaction(pool, move |conn| {
        submit(conn, &answered_by, answer, crate::time::now())
    })
    .await?;
    let raised = complaints
        .iter()
        .map(|complaint_id| DomainEvent::ComplaintRecorded {
            complaint_id: complaint_id.clone(),
        });
    events
        .publish(std::iter::once(DomainEvent::FeedbackSubmitted { registration_id }).chain(raised));
    Ok((id, complaints))
}
