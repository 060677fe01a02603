//! Erasure (GDPR article 17): what has not happened yet is cancelled (seats freed, the waitlist
//! promoted, as any cancellation); then the person's names, e-mail, company, job title and free
//! text are replaced by a pseudonym everywhere they are held — registrations, feedback,
//! complaints and their history, e-mails and webhook deliveries still held. Every row stays,
//! with its statuses, sizes, partner types, scores and times, so every figure stays the same.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Change};
use crate::db::schema::{
    complaint_events, complaints, feedback, outbox, registrations, stops, webhook_deliveries,
};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent};
use crate::registrations::domain::RegistrationStatus;
use crate::registrations::store::Registration;

/// The domain of the addresses erased people get: `.invalid` can never receive mail.
pub const ERASED_DOMAIN: &str = "erased.invalid";

/// What an erasure did, by kind of row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// The pseudonym now standing for the person.
    pub pseudonym: String,
    /// Rows changed, by kind: `registrations`, `cancelled`, `feedback`, `complaints`,
    /// `complaint_history`, `emails`, `webhook_deliveries`.
    pub erased: BTreeMap<&'static str, usize>,
}

/// The audit log's name for a person: a hash of their address, so that the log (which is never
/// rewritten) does not hold the address itself, yet an admin who knows it can find the entries.
pub fn person_key(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("person:{hex}")
}

/// The values to replace in free text, longest first (a full name before its parts), and what
/// each becomes. Short values (one or two letters) are left alone: they would eat into words.
fn replacements(people: &[Registration], email: &str, pseudonym: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = vec![(email.to_owned(), pseudonymous_email(pseudonym))];
    for r in people {
        pairs.push((
            format!("{} {}", r.first_name, r.last_name),
            pseudonym.to_owned(),
        ));
        pairs.push((
            format!("{} {}", r.last_name, r.first_name),
            pseudonym.to_owned(),
        ));
        pairs.push((r.first_name.clone(), pseudonym.to_owned()));
        pairs.push((r.last_name.clone(), pseudonym.to_owned()));
        pairs.push((r.company.clone(), pseudonym.to_owned()));
        pairs.push((r.job_title.clone(), String::new()));
        pairs.push((r.partner_id.clone(), String::new()));
    }
    pairs.retain(|(from, _)| from.trim().chars().count() >= 3);
    pairs.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then(a.0.cmp(&b.0))
    });
    pairs.dedup_by(|a, b| a.0 == b.0);
    pairs
}

fn pseudonymous_email(pseudonym: &str) -> String {
    format!("{pseudonym}@{ERASED_DOMAIN}")
}

/// `text` with every occurrence of `needle` replaced by `with`, letter case ignored.
fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return text.to_owned();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let mut matched = 0;
        let mut lowered = Vec::with_capacity(needle.len());
        while i + matched < chars.len() && lowered.len() < needle.len() {
            lowered.extend(chars[i + matched].1.to_lowercase());
            matched += 1;
        }
        if lowered == needle {
            out.push_str(with);
            i += matched;
        } else {
            out.push(chars[i].1);
            i += 1;
        }
    }
    out
}

/// Free text with the person's values replaced.
fn scrub_text(text: &str, pairs: &[(String, String)]) -> String {
    pairs.iter().fold(text.to_owned(), |t, (from, to)| {
        replace_ignoring_case(&t, from, to)
    })
}

/// A JSON document with the person's values replaced in every string it holds.
fn scrub_json(value: &mut Value, pairs: &[(String, String)]) {
    match value {
        Value::String(s) => *s = scrub_text(s, pairs),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_json(v, pairs)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_json(v, pairs)),
        _ => {}
    }
}

/// A stored JSON text scrubbed (text that is not JSON is scrubbed as text).
fn scrub_stored(stored: &str, pairs: &[(String, String)]) -> String {
    match serde_json::from_str::<Value>(stored) {
        Ok(mut value) => {
            scrub_json(&mut value, pairs);
            value.to_string()
        }
        Err(_) => scrub_text(stored, pairs),
    }
}

/// Why data is erased, as the audit log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The person asked (through an admin, or from their manage page).
    Request,
    /// Their stops ended longer ago than the retention setting.
    Retention,
}

/// Erases `email` everywhere, in the caller's transaction. `Ok(None)` when nothing is held.
/// Returns what was done and what the cancellations caused (promotions), to publish.
pub fn erase(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
    actor: Option<&Actor>,
) -> Result<Option<(Erased, Vec<DomainEvent>)>, AppError> {
    let email = email.trim().to_lowercase();
    let people: Vec<Registration> = registrations::table
        .filter(registrations::email.eq(&email))
        .select(Registration::as_select())
        .load(conn)?;
    let mailed: i64 = outbox::table
        .filter(outbox::recipient.eq(&email))
        .count()
        .get_result(conn)?;
    if people.is_empty() && mailed == 0 {
        return Ok(None);
    }
    erase_held(conn, &email, people, Reason::Request, now, actor).map(Some)
}

/// Pseudonymises the registrations `ids` of `email` (their stops are over), and what tells of
/// them — not the person's other registrations, nor e-mails that do not name these.
pub fn erase_registrations(
    conn: &mut DbConnection,
    email: &str,
    ids: &[String],
    now: NaiveDateTime,
) -> Result<Erased, AppError> {
    let people: Vec<Registration> = registrations::table
        .filter(registrations::id.eq_any(ids))
        .filter(registrations::email.eq(email))
        .select(Registration::as_select())
        .load(conn)?;
    erase_held(conn, email, people, Reason::Retention, now, None).map(|(erased, _)| erased)
}

fn erase_held(
    conn: &mut DbConnection,
    email: &str,
    people: Vec<Registration>,
    reason: Reason,
    now: NaiveDateTime,
    actor: Option<&Actor>,
) -> Result<(Erased, Vec<DomainEvent>), AppError> {
    let email = email.to_owned();
    let whole_person = reason == Reason::Request;
    let ids: Vec<String> = people.iter().map(|r| r.id.to_string()).collect();
    let pseudonym = format!("anon-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let pairs = replacements(&people, &email, &pseudonym);
    let mut erased: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut happened = Vec::new();

    // 1. What has not happened yet is cancelled, as the person would have: seats freed, the
    //    waitlist promoted, webhooks told.
    for r in &people {
        if r.status == RegistrationStatus::Cancelled {
            continue;
        }
        let starts_at: NaiveDateTime = stops::table
            .find(r.stop_id.as_ref() as &str)
            .select(stops::starts_at)
            .first(conn)?;
        if starts_at > now {
            happened.extend(crate::registrations::service::cancel(
                conn,
                r.id.as_ref(),
                now,
            )?);
            *erased.entry("cancelled").or_default() += 1;
        }
    }

    // 2. The registrations keep their statuses, sizes, partner types and times.
    let n = diesel::update(registrations::table.filter(registrations::id.eq_any(&ids)))
        .set((
            registrations::first_name.eq("Anon"),
            registrations::last_name.eq(&pseudonym),
            registrations::email.eq(pseudonymous_email(&pseudonym)),
            registrations::company.eq(&pseudonym),
            registrations::job_title.eq(""),
            registrations::partner_id.eq(""),
            registrations::updated_at.eq(now),
        ))
        .execute(conn)?;
    erased.insert("registrations", n);

    // 3. Feedback keeps its scores; its comment goes, and with it any quote picked from it.
    let n = diesel::update(feedback::table.filter(feedback::registration_id.eq_any(&ids)))
        .set((feedback::comment.eq(""), feedback::quote_selected.eq(false)))
        .execute(conn)?;
    erased.insert("feedback", n);

    // 4. Complaints tied to the person keep their theme, status, owner and dates.
    // Summary, detail and company are the person's account: they go whole. The resolution is
    // what staff did: it stays, the person's names in it replaced.
    let held: Vec<(String, String)> = complaints::table
        .filter(complaints::registration_id.eq_any(&ids))
        .select((complaints::id, complaints::resolution))
        .load(conn)?;
    for (id, resolution) in &held {
        diesel::update(complaints::table.find(id))
            .set((
                complaints::summary.eq(format!("[{pseudonym}]")),
                complaints::detail.eq(""),
                complaints::company.eq(&pseudonym),
                complaints::resolution.eq(scrub_text(resolution, &pairs)),
            ))
            .execute(conn)?;
    }
    erased.insert("complaints", held.len());
    let complaint_ids: Vec<&String> = held.iter().map(|c| &c.0).collect();
    let history: Vec<(String, String, String, String)> = complaint_events::table
        .filter(complaint_events::complaint_id.eq_any(&complaint_ids))
        .select((
            complaint_events::id,
            complaint_events::field,
            complaint_events::old_value,
            complaint_events::new_value,
        ))
        .load(conn)?;
    let mut changed = 0;
    for (id, field, old, new) in history {
        // The person's own words go whole; other text keeps what staff wrote, names replaced.
        let (old2, new2) = if matches!(field.as_str(), "summary" | "detail" | "company") {
            (String::new(), String::new())
        } else {
            (scrub_text(&old, &pairs), scrub_text(&new, &pairs))
        };
        if old2 != old || new2 != new {
            diesel::update(complaint_events::table.find(&id))
                .set((
                    complaint_events::old_value.eq(old2),
                    complaint_events::new_value.eq(new2),
                ))
                .execute(conn)?;
            changed += 1;
        }
    }
    erased.insert("complaint_history", changed);

    // 5. E-mails (the cancellations' included): those to the person are never sent now; any
    //    that mention them are scrubbed.
    let mut mails: Vec<(String, String, String)> = if whole_person {
        outbox::table
            .filter(
                outbox::recipient.eq(&email).or(outbox::payload
                    .like(format!("%{}%", like_escaped(&email)))
                    .escape('\\')),
            )
            .select((outbox::id, outbox::recipient, outbox::payload))
            .load(conn)?
    } else {
        Vec::new()
    };
    for id in &ids {
        let mentioning: Vec<(String, String, String)> = outbox::table
            .filter(
                outbox::payload
                    .like(format!("%{}%", like_escaped(id)))
                    .escape('\\'),
            )
            .select((outbox::id, outbox::recipient, outbox::payload))
            .load(conn)?;
        mails.extend(mentioning);
    }
    mails.sort();
    mails.dedup();
    for (id, recipient, payload) in &mails {
        let scrubbed = scrub_stored(payload, &pairs);
        if *recipient == email {
            diesel::update(outbox::table.find(id))
                .set((
                    outbox::recipient.eq(pseudonymous_email(&pseudonym)),
                    outbox::payload.eq(scrubbed),
                ))
                .execute(conn)?;
            diesel::update(outbox::table.find(id).filter(outbox::status.eq("pending")))
                .set((
                    outbox::status.eq("failed"),
                    outbox::locked_until.eq(None::<NaiveDateTime>),
                    outbox::last_error.eq("not sent: the person's data was erased"),
                ))
                .execute(conn)?;
        } else {
            diesel::update(outbox::table.find(id))
                .set(outbox::payload.eq(scrubbed))
                .execute(conn)?;
        }
    }
    erased.insert("emails", mails.len());

    // 6. Webhook deliveries still held (sent or not) carry the registration as it was.
    let mut deliveries = 0;
    let mut needles = ids.clone();
    if whole_person {
        needles.push(email.clone());
    }
    let mut seen: Vec<String> = Vec::new();
    for needle in &needles {
        let found: Vec<(String, String)> = webhook_deliveries::table
            .filter(
                webhook_deliveries::body
                    .like(format!("%{}%", like_escaped(needle)))
                    .escape('\\'),
            )
            .select((webhook_deliveries::id, webhook_deliveries::body))
            .load(conn)?;
        for (id, body) in found {
            if seen.contains(&id) {
                continue;
            }
            diesel::update(webhook_deliveries::table.find(&id))
                .set(webhook_deliveries::body.eq(scrub_stored(&body, &pairs)))
                .execute(conn)?;
            seen.push(id);
            deliveries += 1;
        }
    }
    erased.insert("webhook_deliveries", deliveries);

    let summary = Erased { pseudonym, erased };
    audit::record(
        conn,
        actor,
        Change::new("person.erased", "person", person_key(&email)).with(serde_json::json!({
            "reason": match reason { Reason::Request => "request", Reason::Retention => "retention" },
            "pseudonym": summary.pseudonym,
            "erased": summary.erased,
        })),
    )?;
    Ok((summary, happened))
}

/// `text` with LIKE's wildcards escaped (by `\`).
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The use case "erase this person" (the API, the admin page, the attendee's own request and
/// the retention job): one transaction; the promotions it caused are published after it.
/// 404 when nothing is held.
pub async fn erase_person(
    pool: &DbPool,
    events: &Dispatcher,
    email: String,
    actor: Option<Actor>,
) -> Result<Erased, AppError> {
    let (erased, happened) = db::transaction(pool, move |conn| {
        erase(conn, &email, crate::time::now(), actor.as_ref())?.ok_or(AppError::NotFound("person"))
    })
    .await?;
    events.publish(happened);
    tracing::info!(pseudonym = %erased.pseudonym, "person erased");
    Ok(erased)
}

/// A registration whose person is not erased yet: 404 when unknown, 409 when erased.
fn not_yet_erased(conn: &mut DbConnection, id: &str) -> Result<Registration, AppError> {
    let registration = crate::registrations::store::find_registration(conn, id)?
        .ok_or(AppError::NotFound("registration"))?;
    if registration.email.ends_with(ERASED_DOMAIN) {
        return Err(AppError::Conflict("these data are already erased".into()));
    }
    Ok(registration)
}

/// The use case "erase me" asked from the manage page: an e-mail with a link that confirms it
/// goes to the registration's address (the person who holds the mailbox decides).
pub async fn ask_erasure(
    pool: &DbPool,
    events: &Dispatcher,
    registration_id: String,
) -> Result<(), AppError> {
    db::transaction(pool, move |conn| {
        let registration = not_yet_erased(conn, &registration_id)?;
        let mail = super::messages::ErasureMail { registration_id };
        crate::email::queue(conn, &registration.email, &mail)?;
        Ok(())
    })
    .await?;
    events.publish([DomainEvent::ErasureAsked]);
    Ok(())
}

/// The use case "erase me" confirmed by the e-mailed link: the person of that registration is
/// erased everywhere, as an admin would (no one signed in: roadshow is the actor).
pub async fn erase_confirmed(
    pool: &DbPool,
    events: &Dispatcher,
    registration_id: String,
) -> Result<Erased, AppError> {
    let email = db::run(pool, move |conn| {
        let registration = not_yet_erased(conn, &registration_id)?;
        Ok(registration.email)
    })
    .await?;
    erase_person(pool, events, email, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_ignores_case_and_accents_stay_whole() {
        assert_eq!(
            replace_ignoring_case("Appeler ZOÉ Kléber puis zoé", "Zoé", "X"),
            "Appeler X Kléber puis X"
        );
        assert_eq!(replace_ignoring_case("abc", "", "X"), "abc");
        assert_eq!(replace_ignoring_case("", "abc", "X"), "");
    }

    #[test]
    fn json_strings_are_scrubbed_and_the_shape_kept() {
        let pairs = vec![
            ("Jean Dupont".to_owned(), "anon-1".to_owned()),
            ("Dupont".to_owned(), "anon-1".to_owned()),
        ];
        let stored = r#"{"name":"Jean Dupont","n":3,"notes":["voir M. DUPONT"]}"#;
        let scrubbed: Value = serde_json::from_str(&scrub_stored(stored, &pairs)).unwrap();
        assert_eq!(
            scrubbed,
            serde_json::json!({"name": "anon-1", "n": 3, "notes": ["voir M. anon-1"]})
        );
    }

    #[test]
    fn a_person_key_does_not_show_the_address_and_ignores_case() {
        let key = person_key("Zoe@Example.com ");
        assert_eq!(key, person_key("zoe@example.com"));
        assert!(!key.contains("zoe"));
    }
}
