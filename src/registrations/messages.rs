//! The e-mails about a registration — confirmed or waitlisted, changed, cancelled, promoted,
//! sent again — typed as [`RegistrationMail`] and rendered here from
//! `templates/email/registration.*`: localised, multipart text + HTML, the QR badge inline, the
//! day as an `.ics` attachment, and the private manage link.

use std::sync::Arc;

use askama::Template;
use chrono::{TimeZone, Utc};
use icalendar::{Calendar, Component, EventLike};
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use serde::{Deserialize, Serialize};

use super::domain::RegistrationStatus;
use super::store::Registration;
use super::view::{RegistrationView, registration_view};
use crate::badge::{self, BadgeKeys};
use crate::config::Settings;
use crate::db;
use crate::email::Mail;
use crate::email::messages::{header_text, mailbox, sender};
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::{display_date, display_time};

/// What an e-mail about a registration reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Registered,
    Promoted,
    WorkshopPromoted,
    Updated,
    Cancelled,
    Resent,
    /// Days before the stop (`reminders`), or marketing's announcement to the whole stop.
    Reminder,
}

/// The outbox payload of a registration e-mail: the message is rendered at sending time from
/// the registration as it is then.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationMail {
    pub registration_id: String,
    pub event: Event,
}

impl Mail for RegistrationMail {
    const KIND: &'static str = "registration";

    async fn build(self, state: Arc<AppState>) -> anyhow::Result<Message> {
        let view = load_view(&state, self.registration_id).await?;
        registration_email(&state.settings, &state.badges, &view, self.event)
    }
}

/// The registration as it is now, for a message about it (feedback and complaints use it too).
pub async fn load_view(
    state: &AppState,
    registration_id: String,
) -> anyhow::Result<RegistrationView> {
    db::run(&state.pool, move |conn| {
        registration_view(conn, &registration_id)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The attendee as an addressee (display name made safe for a header).
pub fn attendee(r: &Registration) -> anyhow::Result<Mailbox> {
    mailbox(&format!("{} {}", r.first_name, r.last_name), &r.email)
}

/// A workshop line of a message.
pub struct MailWorkshop {
    pub title: String,
    pub time: String,
    pub room: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "email/registration.txt")]
struct RegistrationText<'a> {
    m: &'a RegistrationMessage,
}

#[derive(Template)]
#[template(path = "email/registration.html")]
struct RegistrationHtml<'a> {
    m: &'a RegistrationMessage,
}

/// Everything a registration e-mail says.
pub struct RegistrationMessage {
    pub tr: Locale,
    pub headline: String,
    pub first_name: String,
    pub tour_name: String,
    pub city: String,
    pub venue: String,
    pub address: String,
    pub date: String,
    pub hours: String,
    pub status: String,
    pub workshops: Vec<MailWorkshop>,
    pub manage_url: String,
    pub badge_url: String,
    pub show_badge: bool,
    pub cancelled: bool,
}

fn subject_key(event: Event, status: RegistrationStatus) -> &'static str {
    match (event, status) {
        (_, RegistrationStatus::Cancelled) => "mail.subject.cancelled",
        (Event::Registered | Event::Resent, RegistrationStatus::Waitlisted) => {
            "mail.subject.waitlisted"
        }
        (Event::Registered, _) => "mail.subject.confirmed",
        (Event::Resent, _) => "mail.subject.resent",
        (Event::Reminder, _) => "mail.subject.reminder",
        (Event::Promoted, _) => "mail.subject.promoted",
        (Event::WorkshopPromoted, _) => "mail.subject.workshop_promoted",
        (Event::Updated | Event::Cancelled, _) => "mail.subject.updated",
    }
}

fn headline_key(event: Event, status: RegistrationStatus) -> &'static str {
    match (event, status) {
        (_, RegistrationStatus::Cancelled) => "mail.event.cancelled",
        (Event::Registered | Event::Resent, RegistrationStatus::Waitlisted) => {
            "mail.event.waitlisted"
        }
        (Event::Registered, _) => "mail.event.confirmed",
        (Event::Resent, _) => "mail.event.resent",
        (Event::Reminder, _) => "mail.event.reminder",
        (Event::Promoted, _) => "mail.event.promoted",
        (Event::WorkshopPromoted, _) => "mail.event.workshop_promoted",
        (Event::Updated | Event::Cancelled, _) => "mail.event.updated",
    }
}

fn status_key(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Confirmed => "status.confirmed",
        RegistrationStatus::Waitlisted => "status.waitlisted",
        RegistrationStatus::Cancelled => "status.cancelled",
    }
}

/// The link that manages a registration.
pub fn manage_url(settings: &Settings, keys: &BadgeKeys, registration_id: &str) -> String {
    settings.url(&format!(
        "/manage/{}",
        keys.link_token("manage", registration_id)
    ))
}

/// Builds the registration e-mail for `view` as it is now.
pub fn registration_email(
    settings: &Settings,
    keys: &BadgeKeys,
    view: &RegistrationView,
    event: Event,
) -> anyhow::Result<Message> {
    let r = &view.registration;
    let token = keys.sign(&r.stop_id, &r.id)?;
    let message = registration_message(settings, keys, view, event, &token);
    // Each e-mail says what it is about: a promotion is not a second "confirmed".
    let subject = crate::email::messages::subject(
        message.tr,
        &format!("{} – {}, {}", view.tour_name, view.stop.city, message.date),
        message.tr.t(subject_key(event, r.status)),
    );
    let text = RegistrationText { m: &message }.render()?;
    let html = RegistrationHtml { m: &message }.render()?;
    let html_part = if message.show_badge {
        let png = badge::qr_png(&token)?;
        MultiPart::related()
            .singlepart(SinglePart::html(html))
            .singlepart(
                Attachment::new_inline("badge".to_owned())
                    .body(png, ContentType::parse("image/png")?),
            )
    } else {
        MultiPart::related().singlepart(SinglePart::html(html))
    };
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .multipart(html_part);
    let mut mixed = MultiPart::mixed().multipart(body);
    // A cancellation carries the calendar's cancellation, so that the day leaves the
    // attendee's calendar too.
    mixed = mixed.singlepart(Attachment::new("rencontre.ics".to_owned()).body(
        calendar(view, &message.manage_url),
        ContentType::parse(calendar_type(view))?,
    ));
    Ok(Message::builder()
        .from(sender(settings)?)
        .to(attendee(r)?)
        .subject(header_text(&subject))
        .multipart(mixed)?)
}

/// What the e-mail says, in the attendee's language and the stop's time zone.
fn registration_message(
    settings: &Settings,
    keys: &BadgeKeys,
    view: &RegistrationView,
    event: Event,
    token: &str,
) -> RegistrationMessage {
    let tr = view.locale();
    let r = &view.registration;
    let tz = view.timezone;
    RegistrationMessage {
        tr,
        headline: tr.t(headline_key(event, r.status)).to_owned(),
        first_name: r.first_name.clone(),
        tour_name: view.tour_name.clone(),
        city: view.stop.city.clone(),
        venue: view.stop.venue.clone(),
        address: view.stop.address.clone(),
        date: display_date(view.stop.starts_at, tz, tr),
        hours: format!(
            "{}–{}",
            display_time(view.stop.starts_at, tz),
            display_time(view.stop.ends_at, tz)
        ),
        status: tr.t(status_key(r.status)).to_owned(),
        workshops: view
            .workshops
            .iter()
            .map(|w| MailWorkshop {
                title: w.workshop.title.clone(),
                time: format!(
                    "{}–{}",
                    display_time(w.workshop.starts_at, tz),
                    display_time(w.workshop.ends_at, tz)
                ),
                room: w.workshop.room.clone(),
                status: tr.t(status_key(w.status)).to_owned(),
            })
            .collect(),
        manage_url: manage_url(settings, keys, &r.id),
        badge_url: settings.url(&format!("/api/v1/badges/{token}/qr.png")),
        show_badge: r.status == RegistrationStatus::Confirmed,
        cancelled: r.status == RegistrationStatus::Cancelled,
    }
}

/// The day as an iCalendar event. Times are UTC instants (`…Z`), which every calendar shows in
/// the reader's own zone without needing the stop's zone rules.
pub fn calendar(view: &RegistrationView, manage_url: &str) -> String {
    let location = if view.stop.address.is_empty() {
        view.stop.venue.clone()
    } else {
        format!("{}, {}", view.stop.venue, view.stop.address)
    };
    let cancelled = view.registration.status == RegistrationStatus::Cancelled;
    let mut event = icalendar::Event::new();
    event
        .uid(&format!("{}@roadshow", view.registration.id))
        .summary(&format!("{} – {}", view.tour_name, view.stop.city))
        .location(&location)
        .description(manage_url)
        .starts(Utc.from_utc_datetime(&view.stop.starts_at))
        .ends(Utc.from_utc_datetime(&view.stop.ends_at));
    let mut calendar = Calendar::new();
    calendar.name(&view.tour_name);
    if cancelled {
        // The same UID, cancelled with a later sequence: a calendar that imported the day
        // removes it (RFC 5546).
        event.status(icalendar::EventStatus::Cancelled).sequence(1);
        calendar.append_property(("METHOD", "CANCEL"));
    } else {
        calendar.append_property(("METHOD", "PUBLISH"));
    }
    calendar.push(event.done()).done().to_string()
}

/// The calendar part's content type, whose `method` matches the calendar's.
fn calendar_type(view: &RegistrationView) -> &'static str {
    if view.registration.status == RegistrationStatus::Cancelled {
        "text/calendar; charset=utf-8; method=CANCEL"
    } else {
        "text/calendar; charset=utf-8; method=PUBLISH"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_payload_keeps_its_shape_so_queued_rows_stay_readable() {
        let mail = RegistrationMail {
            registration_id: "r1".into(),
            event: Event::WorkshopPromoted,
        };
        let stored = r#"{"registration_id":"r1","event":"workshop_promoted"}"#;
        assert_eq!(serde_json::to_string(&mail).expect("json"), stored);
        let read: RegistrationMail = serde_json::from_str(stored).expect("readable");
        assert_eq!(read.event, Event::WorkshopPromoted);
        assert_eq!(RegistrationMail::KIND, "registration");
    }
}
