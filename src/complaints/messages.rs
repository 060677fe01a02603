//! The e-mail telling a reseller who asked for it that their complaint is resolved, typed as
//! [`ResolvedMail`] and rendered here from `templates/email/complaint_resolved.txt`.

use std::sync::Arc;

use askama::Template;
use lettre::Message;
use lettre::message::SinglePart;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::db;
use crate::email::Mail;
use crate::email::messages::{header_text, sender};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::registrations::messages::{attendee, load_view};
use crate::registrations::service::RegistrationView;
use crate::state::AppState;

/// The outbox payload of that e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResolvedMail {
    pub complaint_id: String,
}

impl Mail for ResolvedMail {
    const KIND: &'static str = "complaint_resolved";

    async fn build(self, state: Arc<AppState>) -> anyhow::Result<Message> {
        let complaint = db::run(&state.pool, move |conn| {
            super::store::find(conn, &self.complaint_id)?.ok_or(AppError::NotFound("complaint"))
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let registration_id = complaint
            .registration_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("{}", AppError::NotFound("registration")))?;
        let view = load_view(&state, registration_id).await?;
        complaint_resolved_email(
            &state.settings,
            &view,
            &complaint.summary,
            &complaint.resolution,
        )
    }
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
    let subject = crate::email::messages::subject(
        tr,
        &format!("{} – {}", view.tour_name, view.stop.city),
        tr.t("complaint.resolved_subject"),
    );
    Ok(Message::builder()
        .from(sender(settings)?)
        .to(attendee(r)?)
        .subject(header_text(&subject))
        .singlepart(SinglePart::plain(text))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_payload_keeps_its_shape() {
        let stored = r#"{"complaint_id":"c1"}"#;
        let mail = ResolvedMail {
            complaint_id: "c1".into(),
        };
        assert_eq!(serde_json::to_string(&mail).expect("json"), stored);
        let read: ResolvedMail = serde_json::from_str(stored).expect("readable");
        assert_eq!(read.complaint_id, "c1");
        assert_eq!(ResolvedMail::KIND, "complaint_resolved");
    }
}
