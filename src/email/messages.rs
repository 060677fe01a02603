//! Messages rendered from `templates/email/`: localised, multipart text + HTML, the QR badge
//! inline, the day as an `.ics` attachment, and the private manage link.

use askama::Template;
use chrono::{TimeZone, Utc};
use icalendar::{Calendar, Component, EventLike};
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::badge::{self, BadgeKeys};
use crate::config::Settings;
use crate::i18n::Locale;
use crate::registrations::domain::RegistrationStatus;
use crate::registrations::service::{Event, RegistrationView};
use crate::time::{display_date, display_time};

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

fn headline_key(event: Event, status: &str) -> &'static str {
    match (event, status) {
        (_, "cancelled") => "mail.event.cancelled",
        (Event::Registered | Event::Resent, "waitlisted") => "mail.event.waitlisted",
        (Event::Registered, _) => "mail.event.confirmed",
        (Event::Resent, _) => "mail.event.resent",
        (Event::Promoted, _) => "mail.event.promoted",
        (Event::WorkshopPromoted, _) => "mail.event.workshop_promoted",
        (Event::Updated | Event::Cancelled, _) => "mail.event.updated",
    }
}

fn status_key(status: &str) -> &'static str {
    match status {
        "confirmed" => "status.confirmed",
        "waitlisted" => "status.waitlisted",
        _ => "status.cancelled",
    }
}

/// The link that manages a registration.
pub fn manage_url(settings: &Settings, keys: &BadgeKeys, registration_id: &str) -> String {
    settings.url(&format!(
        "/manage/{}",
        keys.link_token("manage", registration_id)
    ))
}

/// A header value from stored text: every control character (line breaks above all, which
/// would end the header) becomes a space. Fields are checked when typed; this also covers rows
/// written before that check, so that no stored value can break or inject a header.
pub fn header_text(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if crate::validation::is_single_line(c.encode_utf8(&mut [0; 4])) {
                c
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The attendee as an addressee: the display name made safe for a header, the address parsed
/// (an address that does not parse fails this message only).
fn recipient(r: &crate::registrations::store::Registration) -> anyhow::Result<Mailbox> {
    let name = header_text(&format!("{} {}", r.first_name, r.last_name));
    Ok(Mailbox::new(
        (!name.is_empty()).then_some(name),
        r.email.trim().parse()?,
    ))
}

/// Builds the registration e-mail for `view` as it is now.
pub fn registration_email(
    settings: &Settings,
    keys: &BadgeKeys,
    view: &RegistrationView,
    event: Event,
) -> anyhow::Result<Message> {
    let tr = view.locale();
    let r = &view.registration;
    let tz = view.timezone;
    let token = keys.sign(&view.stop.id, &r.id)?;
    let message = RegistrationMessage {
        tr,
        headline: tr.t(headline_key(event, r.status.as_str())).to_owned(),
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
        status: tr.t(status_key(r.status.as_str())).to_owned(),
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
                status: tr.t(status_key(w.status.as_str())).to_owned(),
            })
            .collect(),
        manage_url: manage_url(settings, keys, &r.id),
        badge_url: settings.url(&format!("/api/v1/badges/{token}/qr.png")),
        show_badge: r.status == RegistrationStatus::Confirmed,
        cancelled: r.status == RegistrationStatus::Cancelled,
    };
    let subject = format!(
        "{} – {}, {} : {}",
        view.tour_name,
        view.stop.city,
        message.date,
        tr.t(status_key(r.status.as_str()))
    );
    let text = RegistrationText { m: &message }.render()?;
    let html = RegistrationHtml { m: &message }.render()?;

    let from: Mailbox = settings.mail_from.parse()?;
    let to = recipient(r)?;
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
    if r.status != RegistrationStatus::Cancelled {
        mixed = mixed.singlepart(Attachment::new("rencontre.ics".to_owned()).body(
            calendar(view, &message.manage_url),
            ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")?,
        ));
    }
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject(header_text(&subject))
        .multipart(mixed)?)
}

/// The day as an iCalendar event. Times are UTC instants (`…Z`), which every calendar shows in
/// the reader's own zone without needing the stop's zone rules.
pub fn calendar(view: &RegistrationView, manage_url: &str) -> String {
    let location = if view.stop.address.is_empty() {
        view.stop.venue.clone()
    } else {
        format!("{}, {}", view.stop.venue, view.stop.address)
    };
    let event = icalendar::Event::new()
        .uid(&format!("{}@roadshow", view.registration.id))
        .summary(&format!("{} – {}", view.tour_name, view.stop.city))
        .location(&location)
        .description(manage_url)
        .starts(Utc.from_utc_datetime(&view.stop.starts_at))
        .ends(Utc.from_utc_datetime(&view.stop.ends_at))
        .done();
    Calendar::new()
        .name(&view.tour_name)
        .push(event)
        .done()
        .to_string()
}

#[derive(Template)]
#[template(path = "email/feedback.txt")]
struct FeedbackText<'a> {
    m: &'a FeedbackMessage,
}

#[derive(Template)]
#[template(path = "email/feedback.html")]
struct FeedbackHtml<'a> {
    m: &'a FeedbackMessage,
}

/// What a feedback request says.
pub struct FeedbackMessage {
    pub tr: Locale,
    pub first_name: String,
    pub tour_name: String,
    pub city: String,
    pub date: String,
    pub form_url: String,
    pub unsubscribe_url: String,
    pub reminder: bool,
}

/// The feedback request e-mail: a one-time link to the form.
pub fn feedback_email(
    settings: &Settings,
    keys: &BadgeKeys,
    view: &RegistrationView,
    reminder: bool,
) -> anyhow::Result<Message> {
    let tr = view.locale();
    let r = &view.registration;
    let message = FeedbackMessage {
        tr,
        first_name: r.first_name.clone(),
        tour_name: view.tour_name.clone(),
        city: view.stop.city.clone(),
        date: display_date(view.stop.starts_at, view.timezone, tr),
        form_url: settings.url(&format!("/feedback/{}", keys.link_token("feedback", &r.id))),
        unsubscribe_url: settings.url(&format!(
            "/feedback/{}/unsubscribe",
            keys.link_token("feedback", &r.id)
        )),
        reminder,
    };
    let subject = format!(
        "{} – {} : {}",
        view.tour_name,
        view.stop.city,
        tr.t(if reminder {
            "feedback.subject_reminder"
        } else {
            "feedback.subject"
        })
    );
    let to = recipient(r)?;
    Ok(Message::builder()
        .from(settings.mail_from.parse::<Mailbox>()?)
        .to(to)
        .subject(header_text(&subject))
        .multipart(MultiPart::alternative_plain_html(
            FeedbackText { m: &message }.render()?,
            FeedbackHtml { m: &message }.render()?,
        ))?)
}

#[derive(Template)]
#[template(path = "email/complaint_resolved.txt")]
struct ResolvedText<'a> {
    tr: Locale,
    first_name: &'a str,
    summary: &'a str,
    resolution: &'a str,
}

/// Tells a reseller who asked for it what came of their complaint.
pub fn complaint_resolved_email(
    settings: &Settings,
    view: &RegistrationView,
    summary: &str,
    resolution: &str,
) -> anyhow::Result<Message> {
    let tr = view.locale();
    let r = &view.registration;
    let text = ResolvedText {
        tr,
        first_name: &r.first_name,
        summary,
        resolution,
    }
    .render()?;
    let subject = format!(
        "{} – {} : {}",
        view.tour_name,
        view.stop.city,
        tr.t("complaint.resolved_subject")
    );
    let to = recipient(r)?;
    Ok(Message::builder()
        .from(settings.mail_from.parse::<Mailbox>()?)
        .to(to)
        .subject(header_text(&subject))
        .singlepart(SinglePart::plain(text))?)
}
