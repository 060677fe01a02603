//! Pieces every message shares: header values made safe from stored text, the sender and an
//! addressee's mailbox. Each message itself is typed and rendered by the area that owns it
//! (`<area>/messages.rs`), from `templates/email/`.

use lettre::message::Mailbox;

use crate::config::Settings;
use crate::i18n::Locale;

/// A header value from stored text: every control character (line breaks above all, which
/// would end the header) becomes a space. Fields are checked when typed; this also covers rows
/// written before that check, so that no stored value can break or inject a header.
pub fn header_text(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if crate::validation::breaks_a_line(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An addressee: the display name made safe for a header, the address parsed (an address that
/// does not parse fails this message only).
pub fn mailbox(name: &str, address: &str) -> anyhow::Result<Mailbox> {
    let name = header_text(name);
    Ok(Mailbox::new(
        (!name.is_empty()).then_some(name),
        address.trim().parse()?,
    ))
}

/// The sender of every message (`ROADSHOW_MAIL_FROM`).
pub fn sender(settings: &Settings) -> anyhow::Result<Mailbox> {
    Ok(settings.mail_from.parse()?)
}

/// A subject line: where, then what, with the colon each language writes ("Lyon : inscription
/// confirmée", "Lyon: registration confirmed").
pub fn subject(locale: Locale, place: &str, what: &str) -> String {
    match locale {
        Locale::Fr => format!("{place}\u{a0}: {what}"),
        Locale::En => format!("{place}: {what}"),
    }
}
