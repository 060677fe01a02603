//! The e-mail that confirms an attendee's own request to be erased: a link that erases when
//! followed (the manage link alone is not enough — it may have been forwarded).

use std::sync::Arc;

use askama::Template;
use lettre::Message;
use lettre::message::SinglePart;
use serde::{Deserialize, Serialize};

use crate::email::Mail;
use crate::email::messages::{header_text, sender};
use crate::i18n::Locale;
use crate::registrations::messages::{attendee, load_view};
use crate::state::AppState;

/// The purpose of the links this e-mail holds (`BadgeKeys::link_token`).
pub const ERASE_LINK: &str = "erase";

/// The outbox payload of that e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErasureMail {
    pub registration_id: String,
}

#[derive(Template)]
#[template(path = "email/erasure_confirmation.txt")]
struct ErasureText<'a> {
    tr: Locale,
    first_name: &'a str,
    link: &'a str,
}

impl Mail for ErasureMail {
    const KIND: &'static str = "erasure_confirmation";

    async fn build(self, state: Arc<AppState>) -> anyhow::Result<Message> {
        let link = state.settings.url(&format!(
            "/erase/{}",
            state.badges.link_token(ERASE_LINK, &self.registration_id)
        ));
        let view = load_view(&state, self.registration_id).await?;
        let tr = view.locale();
        let r = &view.registration;
        let text = ErasureText {
            tr,
            first_name: &r.first_name,
            link: &link,
        }
        .render()?;
        let subject =
            crate::email::messages::subject(tr, &view.tour_name, tr.t("erase.mail_subject"));
        Ok(Message::builder()
            .from(sender(&state.settings)?)
            .to(attendee(r)?)
            .subject(header_text(&subject))
            .singlepart(SinglePart::plain(text))?)
    }
}
