//! The feedback e-mails — the request after the day and the one reminder — typed as
//! [`FeedbackMail`] and rendered here from `templates/email/feedback.*`: a one-time link to the
//! form and an unsubscribe link.

use std::sync::Arc;

use askama::Template;
use lettre::Message;
use lettre::message::MultiPart;
use serde::{Deserialize, Serialize};

use crate::badge::BadgeKeys;
use crate::config::Settings;
use crate::email::Mail;
use crate::email::messages::{header_text, sender};
use crate::i18n::Locale;
use crate::registrations::messages::{attendee, load_view};
use crate::registrations::service::RegistrationView;
use crate::state::AppState;
use crate::time::display_date;

/// The outbox payload of a feedback e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedbackMail {
    pub registration_id: String,
    /// The one reminder, rather than the first request.
    #[serde(default)]
    pub reminder: bool,
}

impl Mail for FeedbackMail {
    const KIND: &'static str = "feedback";

    async fn build(self, state: Arc<AppState>) -> anyhow::Result<Message> {
        let view = load_view(&state, self.registration_id).await?;
        feedback_email(&state.settings, &state.badges, &view, self.reminder)
    }
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
    let subject = crate::email::messages::subject(
        tr,
        &format!("{} – {}", view.tour_name, view.stop.city),
        tr.t(if reminder {
            "feedback.subject_reminder"
        } else {
            "feedback.subject"
        }),
    );
    Ok(Message::builder()
        .from(sender(settings)?)
        .to(attendee(r)?)
        .subject(header_text(&subject))
        .multipart(MultiPart::alternative_plain_html(
            FeedbackText { m: &message }.render()?,
            FeedbackHtml { m: &message }.render()?,
        ))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_payload_keeps_its_shape_and_rows_without_reminder_are_requests() {
        let stored = r#"{"registration_id":"r1","reminder":true}"#;
        let mail = FeedbackMail {
            registration_id: "r1".into(),
            reminder: true,
        };
        assert_eq!(serde_json::to_string(&mail).expect("json"), stored);
        let old: FeedbackMail =
            serde_json::from_str(r#"{"registration_id":"r1"}"#).expect("readable");
        assert!(!old.reminder);
        assert_eq!(FeedbackMail::KIND, "feedback");
    }
}
