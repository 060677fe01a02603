//! Finding an attendee while a queue waits: a word index of each registration (last name,
//! first name, company, e-mail), folded so that "kleber" finds "Kléber" and "ZOE" finds "Zoé",
//! searched by word prefix through the primary key of `search_words` on both backends. Every
//! searched word must start a word of the registration ("dupont alsace" finds Claire Dupont of
//! Alsace Entreprises); a last name equal to a searched word comes first, then by name.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::store::Registration;
use crate::db::DbConnection;
use crate::db::schema::{registrations, search_words};
use crate::ids::{RegistrationId, StopId};

/// Searched words beyond these are ignored: a name and a company are a few words.
pub const MAX_TERMS: usize = 6;
/// A word is indexed and searched on its first characters only.
const MAX_WORD_CHARS: usize = 48;
/// Above any character a word can continue with: the end of a prefix's range.
const AFTER_PREFIX: char = char::MAX;

/// Where a word comes from; stored as its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    LastName = 0,
    FirstName = 1,
    Company = 2,
    Email = 3,
}

/// Lower case, then combining marks (accents) removed, the ligatures œ, æ and ß spelt out, the
/// letters with a stroke (ø, ł, đ) made plain, and anything that is not a letter or a digit
/// made a space.
pub fn fold(text: &str) -> String {
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

/// One indexed word of a registration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Insertable)]
#[diesel(table_name = search_words)]
pub struct SearchWord {
    pub stop_id: StopId,
    pub word: String,
    pub registration_id: RegistrationId,
    pub field: i32,
}

/// The index rows of a registration, without repeats.
pub fn words_of(registration: &Registration) -> Vec<SearchWord> {
    words_of_fields(
        &registration.stop_id,
        &registration.id,
        [
            (Field::LastName, &registration.last_name),
            (Field::FirstName, &registration.first_name),
            (Field::Company, &registration.company),
            (Field::Email, &registration.email),
        ],
    )
}

/// The index rows of a registration's searchable fields, without repeats.
pub fn words_of_fields(
    stop_id: &StopId,
    registration_id: &RegistrationId,
    fields: [(Field, &str); 4],
) -> Vec<SearchWord> {
    let mut rows: Vec<SearchWord> = fields
        .into_iter()
        .flat_map(|(field, text)| {
            words(text).into_iter().map(move |word| SearchWord {
                stop_id: stop_id.clone(),
                word,
                registration_id: registration_id.clone(),
                field: field as i32,
            })
        })
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// Writes index rows, a few hundred per statement (multi-row inserts do not compile through
/// the connection enum, hence the match).
pub fn insert_words(conn: &mut DbConnection, rows: &[SearchWord]) -> QueryResult<usize> {
    let mut written = 0;
    for chunk in rows.chunks(200) {
        written += match conn {
            DbConnection::Pg(c) => diesel::insert_into(search_words::table)
                .values(chunk.to_vec())
                .execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(search_words::table)
                .values(chunk.to_vec())
                .execute(c)?,
        };
    }
    Ok(written)
}

/// Indexes one new registration, in its transaction.
pub fn index(conn: &mut DbConnection, registration: &Registration) -> QueryResult<usize> {
    insert_words(conn, &words_of(registration))
}

/// Indexes the registrations that have no words yet: those written before the index existed.
/// Runs after the migrations; a no-op (one indexed query) once they are all indexed.
pub fn index_missing(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut indexed = 0;
    loop {
        let batch: Vec<Registration> = registrations::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                search_words::table.filter(search_words::registration_id.eq(registrations::id)),
            )))
            .limit(1000)
            .select(Registration::as_select())
            .load(conn)?;
        if batch.is_empty() {
            return Ok(indexed);
        }
        let rows: Vec<SearchWord> = batch.iter().flat_map(words_of).collect();
        conn.transaction(|conn| insert_words(conn, &rows))?;
        indexed += batch.len();
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    registration_id: String,
}

/// Up to `limit` registrations of a stop with a word starting with each of `terms` (from
/// [`terms`]), a last name equal to one of them first, then by last and first name. No terms:
/// the first registrations by name.
pub fn find(
    conn: &mut DbConnection,
    stop_id: &str,
    terms: &[String],
    limit: i64,
) -> QueryResult<Vec<Registration>> {
    if terms.is_empty() {
        return registrations::table
            .filter(registrations::stop_id.eq(stop_id))
            .order((registrations::last_name, registrations::first_name))
            .limit(limit)
            .select(Registration::as_select())
            .load(conn);
    }
    let ids = matching_ids(conn, stop_id, terms, limit)?;
    let mut found: Vec<Registration> = registrations::table
        .filter(registrations::id.eq_any(&ids))
        .select(Registration::as_select())
        .load(conn)?;
    found.sort_by_key(|r| ids.iter().position(|id| r.id == *id));
    Ok(found)
}

/// The ranked ids, in one statement: for each term the range of the primary key that holds
/// the words it starts (intersected), then the exact last names first. Placeholders are `$n`,
/// which both backends read.
fn matching_ids(
    conn: &mut DbConnection,
    stop_id: &str,
    terms: &[String],
    limit: i64,
) -> QueryResult<Vec<String>> {
    let range = |n: usize| {
        format!(
            "SELECT registration_id FROM search_words \
             WHERE stop_id = $1 AND word >= ${} AND word < ${}",
            2 * n + 2,
            2 * n + 3
        )
    };
    let hits = match terms.len() {
        1 => format!("SELECT DISTINCT registration_id FROM ({}) one", range(0)),
        n => (0..n).map(range).collect::<Vec<_>>().join(" INTERSECT "),
    };
    let exact = (0..terms.len())
        .map(|n| format!("${}", 2 * n + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT h.registration_id FROM ({hits}) h \
         JOIN registrations r ON r.id = h.registration_id \
         ORDER BY CASE WHEN EXISTS (SELECT 1 FROM search_words e \
             WHERE e.stop_id = $1 AND e.word IN ({exact}) \
             AND e.registration_id = h.registration_id AND e.field = {last}) THEN 0 ELSE 1 END, \
         r.last_name, r.first_name, r.id \
         LIMIT ${limit_at}",
        last = Field::LastName as i32,
        limit_at = 2 * terms.len() + 2,
    );
    let mut query = diesel::sql_query(sql)
        .into_boxed::<crate::db::Backend>()
        .bind::<Text, _>(stop_id.to_owned());
    for term in terms {
        let mut end = term.clone();
        end.push(AFTER_PREFIX);
        query = query.bind::<Text, _>(term.clone()).bind::<Text, _>(end);
    }
    let limit = i32::try_from(limit.clamp(0, 1000)).unwrap_or(1000);
    let found: Vec<Found> = query.bind::<Integer, _>(limit).load(conn)?;
    Ok(found.into_iter().map(|f| f.registration_id).collect())
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
        assert_eq!(terms("  Dupont  ALSACE dupont "), ["dupont", "alsace"]);
        assert!(terms("— ! —").is_empty());
    }
}
