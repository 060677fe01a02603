//! Finding an attendee while a queue waits. Each registration's last name, first name, company
//! and e-mail are cut into words folded so that "kleber" finds "Kléber" and "ZOE" finds "Zoé";
//! every searched word must start a word of the registration ("dupont alsace" finds Claire
//! Dupont of Alsace Entreprises); a last name equal to a searched word comes first, then by name.
//!
//! The words of each searched stop are kept in memory ([`StopWords`], ordered so that a prefix
//! is a range), in every process that searches it, with each person as an answer shows them
//! ([`Shown`]); [`SearchIndex`] keeps them current from the numbered log of changes the
//! database's triggers write, so that several processes on one database all see every
//! registration, whichever process wrote it. Both backends behave alike: the database only
//! stores rows and the log.

mod index;
mod stop_words;

use diesel::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::db::schema::registrations;
use crate::ids::{RegistrationId, StopId};
use crate::registrations::domain::RegistrationStatus;

pub use index::{MAX_CATCH_UP, SearchIndex, cut_log};
pub use stop_words::StopWords;

/// Searched words beyond these are ignored: a name and a company are a few words.
pub const MAX_TERMS: usize = 6;
/// A word is indexed and searched on its first characters only.
const MAX_WORD_CHARS: usize = 48;
/// Where a word comes from; a last name equal to a searched word ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    LastName = 0,
    FirstName = 1,
    Company = 2,
    Email = 3,
}

/// A registration as a search shows it: its searched fields and its status. Kept in memory with
/// the words, and logged when any of them changes (see the migrations' `search_changes`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = registrations)]
pub struct Shown {
    pub id: RegistrationId,
    pub stop_id: StopId,
    #[diesel(deserialize_as = String)]
    pub status: RegistrationStatus,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
}

/// Lower case, then combining marks (accents) removed, the ligatures œ, æ and ß spelt out, the
/// letters with a stroke (ø, ł, đ) made plain, and anything that is not a letter or a digit
/// made a space.
pub fn fold(text: &str) -> String {
    // Most words are plain ASCII: no decomposition needed.
    if text.is_ascii() {
        return text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    ' '
                }
            })
            .collect();
    }
    let mut folded = String::with_capacity(text.len());
    for c in text.to_lowercase().nfd() {
        match c {
            c if is_combining_mark(c) => {}
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            'ß' => folded.push_str("ss"),
            'ø' => folded.push('o'),
            'ł' => folded.push('l'),
            'đ' => folded.push('d'),
            c if c.is_alphanumeric() => folded.push(c),
            _ => folded.push(' '),
        }
    }
    folded
}

/// The folded words of a text, each cut to its first characters.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .map(|word| word.chars().take(MAX_WORD_CHARS).collect())
        .collect()
}

/// The words searched for, without repeats, at most [`MAX_TERMS`].
pub fn terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in words(query) {
        if !terms.contains(&word) {
            terms.push(word);
        }
    }
    terms.truncate(MAX_TERMS);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_accents_and_ligatures() {
        assert_eq!(fold("Kléber"), "kleber");
        assert_eq!(fold("ZOÉ"), "zoe");
        assert_eq!(fold("Œuvre d'Ærø"), "oeuvre d aero");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(
            fold("claire.dupont@alsace-ent.fr"),
            "claire dupont alsace ent fr"
        );
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Jean-Marc O'NEIL 67"), "jean marc o neil 67");
        assert_eq!(terms("  Dupont  ALSACE dupont "), ["dupont", "alsace"]);
        assert!(terms("— ! —").is_empty());
    }
}
