//! Recording and working complaints; every change is an event in the history.

use crate::webhooks::{self, EventType};
use chrono::NaiveDateTime;

use super::domain::{ComplaintStatus, ComplaintTheme};
use super::messages::ResolvedMail;
use super::store::{self, Complaint, ComplaintEvent};
use crate::audit::{self, Actor, Change};
use crate::auth::policy::CurrentUser;
use crate::db::{self, DbConnection, DbPool};
use crate::error::{AppError, FieldErrors};
use crate::events::{Dispatcher, DomainEvent};
use crate::validation::{multiline_text, optional_text, required_text};

/// A complaint to record.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub stop_id: String,
    /// The theme, or what is said of a word that is none (a form's), reported with the other
    /// fields' problems.
    pub theme: Result<ComplaintTheme, String>,
    pub summary: String,
    pub detail: Option<String>,
    pub company: Option<String>,
    pub registration_id: Option<String>,
    pub feedback_id: Option<String>,
    /// The reseller wants to hear the outcome (needs `registration_id`, for the address).
    pub notify_reseller: bool,
}

/// What marketing changes.
#[derive(Debug, Clone, Default)]
pub struct ComplaintChanges {
    /// The new status, or what is said of a word that is none (reported with the others).
    pub status: Option<Result<ComplaintStatus, String>>,
    pub owner: Option<String>,
    pub resolution: Option<String>,
    /// `YYYY-MM-DD`, or empty to clear.
    pub due_on: Option<String>,
    /// A note added to the history.
    pub comment: Option<String>,
}

fn event(
    complaint_id: &str,
    actor: &str,
    field: &str,
    old: &str,
    new: &str,
    at: NaiveDateTime,
) -> ComplaintEvent {
    ComplaintEvent {
        id: uuid::Uuid::new_v4().to_string(),
        complaint_id: complaint_id.to_owned(),
        at,
        actor: actor.to_owned(),
        field: field.to_owned(),
        old_value: old.to_owned(),
        new_value: new.to_owned(),
    }
}

/// Records a complaint (open) and its first history line.
pub fn record(
    conn: &mut DbConnection,
    new: NewComplaint,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Complaint, AppError> {
    let mut errors = FieldErrors::new();
    let theme = new
        .theme
        .map_err(|message| errors.add("theme", message))
        .ok();
    let summary = required_text(&mut errors, "summary", &new.summary, 300);
    let detail = multiline_text(&mut errors, "detail", new.detail.as_deref(), 5000);
    let company = optional_text(&mut errors, "company", new.company.as_deref(), 200);
    let Some(theme) = theme.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    crate::tours::store::find_stop(conn, &new.stop_id)?.ok_or(AppError::NotFound("stop"))?;
    if let Some(registration_id) = &new.registration_id {
        let registration =
            crate::registrations::store::find_registration(conn, registration_id)?
                .ok_or_else(|| AppError::invalid("registration_id", "names no registration"))?;
        if registration.stop_id != new.stop_id {
            return Err(AppError::invalid(
                "registration_id",
                "is a registration of another stop",
            ));
        }
    }
    let complaint = Complaint {
        id: uuid::Uuid::new_v4().to_string(),
        stop_id: new.stop_id,
        theme,
        summary,
        detail,
        company,
        registration_id: new.registration_id,
        feedback_id: new.feedback_id,
        status: ComplaintStatus::Open,
        owner: String::new(),
        resolution: String::new(),
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
        due_on: None,
        notify_reseller: new.notify_reseller,
    };
    store::insert(conn, complaint.clone())?;
    let created = ComplaintStatus::Open.as_str();
    store::insert_event(
        conn,
        &event(&complaint.id, actor, "created", "", created, now),
    )?;
    webhooks::queue(conn, EventType::ComplaintCreated, |conn| {
        webhooks::payload::complaint(conn, &complaint.id)
    })?;
    Ok(complaint)
}

/// A history line per field that changed, `(field, old, new)`.
fn write_history(
    conn: &mut DbConnection,
    id: &str,
    actor: &str,
    fields: &[(&str, &String, &String)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for (i, (field, old, new)) in fields.iter().filter(|(_, old, new)| old != new).enumerate() {
        // One change, several lines: a microsecond apart, so that the history reads in order.
        let at = now + chrono::Duration::microseconds(i64::try_from(i).unwrap_or(0));
        store::insert_event(conn, &event(id, actor, field, old, new, at))?;
    }
    Ok(())
}

/// Applies marketing's changes; each changed field becomes a history line. `resolved` needs a
/// resolution note (given now or already there).
pub fn change(
    conn: &mut DbConnection,
    id: &str,
    changes: ComplaintChanges,
    actor: &str,
    now: NaiveDateTime,
) -> Result<Complaint, AppError> {
    let current = store::find(conn, id)?.ok_or(AppError::NotFound("complaint"))?;
    let mut errors = FieldErrors::new();
    let status = match changes.status {
        Some(Ok(status)) => status,
        Some(Err(message)) => {
            errors.add("status", message);
            current.status
        }
        None => current.status,
    };
    let owner = match changes.owner.as_deref() {
        Some(o) => optional_text(&mut errors, "owner", Some(o), 200),
        None => current.owner.clone(),
    };
    let resolution = match changes.resolution.as_deref() {
        Some(r) => multiline_text(&mut errors, "resolution", Some(r), 5000),
        None => current.resolution.clone(),
    };
    if status.is_resolved() && resolution.is_empty() {
        errors.add("resolution", "v.resolution_required");
    }
    let due_on = match changes.due_on.as_deref().map(str::trim) {
        None => current.due_on,
        Some("") => None,
        Some(day) => match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                errors.add("due_on", "must be a date, YYYY-MM-DD");
                current.due_on
            }
        },
    };
    let comment = multiline_text(&mut errors, "comment", changes.comment.as_deref(), 2000);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let (old_due, new_due) = (day(current.due_on), day(due_on));
    let no_comment = String::new();
    let (old_status, new_status) = (current.status.to_string(), status.to_string());
    let changed = [
        ("status", &old_status, &new_status),
        ("owner", &current.owner, &owner),
        ("due_on", &old_due, &new_due),
        ("resolution", &current.resolution, &resolution),
        ("comment", &no_comment, &comment),
    ];
    write_history(conn, id, actor, &changed, now)?;
    store::update(conn, id, status, &owner, &resolution, due_on, now)?;
    // The reseller asked to hear the outcome: tell them once, when it is resolved.
    if status.is_resolved()
        && !current.status.is_resolved()
        && current.notify_reseller
        && let Some(registration_id) = &current.registration_id
        && let Some(registration) =
            crate::registrations::store::find_registration(conn, registration_id)?
    {
        let payload = ResolvedMail {
            complaint_id: id.to_owned(),
        };
        crate::email::queue(conn, &registration.email, &payload)?;
    }
    webhooks::queue(conn, EventType::ComplaintUpdated, |conn| {
        webhooks::payload::complaint(conn, id)
    })?;
    store::find(conn, id)?.ok_or(AppError::NotFound("complaint"))
}

/// What working a complaint changed, for the audit log: statuses, owner and dates as they were
/// and became; for the resolution, that it changed (its text may name the reseller, and the log
/// is never rewritten by an erasure).
fn complaint_diff(before: &Complaint, after: &Complaint) -> serde_json::Value {
    let mut changed = serde_json::Map::new();
    let mut note = |field: &str, from: String, to: String| {
        if from != to {
            changed.insert(
                field.to_owned(),
                serde_json::json!({"from": from, "to": to}),
            );
        }
    };
    note(
        "status",
        before.status.to_string(),
        after.status.to_string(),
    );
    note("owner", before.owner.clone(), after.owner.clone());
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    note("due_on", day(before.due_on), day(after.due_on));
    if before.resolution != after.resolution {
        changed.insert("resolution".into(), serde_json::json!({"changed": true}));
    }
    serde_json::Value::Object(changed)
}

/// The use case "record a complaint" (staff on site, marketing after a call): its transaction,
/// then `answer` read in it (the API's full answer, or nothing for a page).
pub async fn record_complaint<R, F>(
    pool: &DbPool,
    events: &Dispatcher,
    new: NewComplaint,
    user: &CurrentUser,
    answer: F,
) -> Result<R, AppError>
where
    R: Send + 'static,
    F: FnOnce(&mut DbConnection, Complaint) -> Result<R, AppError> + Send + 'static,
{
    let (name, actor) = (user.name.clone(), Actor::from(user));
    let (complaint_id, answered) = db::transaction(pool, move |conn| {
        let complaint = record(conn, new, &name, crate::time::now())?;
        // What the complaint says is the reseller's: the log keeps where and what about.
        audit::record(
            conn,
            Some(&actor),
            Change::new("complaint.created", "complaint", &complaint.id).with(serde_json::json!({
                "stop_id": complaint.stop_id,
                "theme": complaint.theme.to_string(),
                "registration_id": complaint.registration_id,
                "notify_reseller": complaint.notify_reseller,
            })),
        )?;
        Ok((complaint.id.clone(), answer(conn, complaint)?))
    })
    .await?;
    events.publish([DomainEvent::ComplaintRecorded { complaint_id }]);
    Ok(answered)
}

/// The use case "work a complaint" (marketing): the changes in one transaction, then what
/// follows — the reseller's e-mail, queued when it is resolved, leaves at once.
pub async fn work_complaint<R, F>(
    pool: &DbPool,
    events: &Dispatcher,
    id: String,
    changes: ComplaintChanges,
    user: &CurrentUser,
    answer: F,
) -> Result<R, AppError>
where
    R: Send + 'static,
    F: FnOnce(&mut DbConnection, Complaint) -> Result<R, AppError> + Send + 'static,
{
    let (name, actor) = (user.name.clone(), Actor::from(user));
    let (changed, answered) = db::transaction(pool, move |conn| {
        let before = store::find(conn, &id)?.ok_or(AppError::NotFound("complaint"))?;
        let complaint = change(conn, &id, changes, &name, crate::time::now())?;
        audit::record(
            conn,
            Some(&actor),
            Change::new("complaint.updated", "complaint", &id)
                .with(complaint_diff(&before, &complaint)),
        )?;
        let changed = DomainEvent::ComplaintChanged {
            complaint_id: complaint.id.clone(),
            status: complaint.status,
        };
        Ok((changed, answer(conn, complaint)?))
    })
    .await?;
    // The reseller's e-mail, queued when it is resolved, leaves at once.
    events.publish([changed]);
    Ok(answered)
}
