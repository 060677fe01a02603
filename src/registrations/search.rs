//! Finding an attendee while a queue waits: a word index of each registration (last name,
//! first name, company, e-mail), folded so that "kleber" finds "Kléber" and "ZOE" finds "Zoé",
//! searched by word prefix through the primary key of `search_words` on both backends. Every
//! searched word must start a word of the registration ("dupont alsace" finds Claire Dupont of
//! Alsace Entreprises); a last name equal to a searched word comes first, then by name.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
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
/// Words counted at most to choose the term that leads a search.
const COUNT_CAP: usize = 5000;
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
    /// The folded "last first" name: the order of the people who share a word.
    pub sort_key: String,
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
    let name_of = |wanted: Field| {
        fields
            .iter()
            .find(|(field, _)| *field == wanted)
            .map(|(_, text)| words(text).join(" "))
            .unwrap_or_default()
    };
    let sort_key = format!("{} {}", name_of(Field::LastName), name_of(Field::FirstName));
    let mut rows: Vec<SearchWord> = fields
        .into_iter()
        .flat_map(|(field, text)| {
            let sort_key = &sort_key;
            words(text).into_iter().map(move |word| SearchWord {
                stop_id: stop_id.clone(),
                word,
                sort_key: sort_key.clone(),
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
    #[diesel(sql_type = Text)]
    sort_key: String,
}

/// Up to `limit` registrations of a stop with a word starting with each of `terms` (from
/// [`terms`]): those whose last name is one of the terms first, by name; then the others by
/// the word matched and by name. No terms: the first registrations by name.
///
/// Each step reads the primary key in the order shown and stops after a screenful, so its cost
/// does not grow with the number of people who match ("mar" at a stop of 50,000).
pub fn find(
    conn: &mut DbConnection,
    stop_id: &str,
    terms: &[String],
    limit: i64,
) -> QueryResult<Vec<Registration>> {
    let limit = usize::try_from(limit.clamp(0, 200)).unwrap_or(0);
    if terms.is_empty() {
        return registrations::table
            .filter(registrations::stop_id.eq(stop_id))
            .order((registrations::last_name, registrations::first_name))
            .limit(limit as i64)
            .select(Registration::as_select())
            .load(conn);
    }
    // The term with the fewest words leads the scan; a term that starts no word ends it.
    let mut rarest = (0, usize::MAX);
    for (i, term) in terms.iter().enumerate() {
        let count = count_starting(conn, stop_id, term)?;
        if count == 0 {
            return Ok(Vec::new());
        }
        if count < rarest.1 {
            rarest = (i, count);
        }
    }
    let mut ids = exact_last_names(conn, stop_id, terms, limit)?;
    if ids.len() < limit {
        starting_words(conn, stop_id, terms, rarest.0, limit, &mut ids)?;
    }
    let mut found: Vec<Registration> = registrations::table
        .filter(registrations::id.eq_any(&ids))
        .select(Registration::as_select())
        .load(conn)?;
    found.sort_by_key(|r| ids.iter().position(|id| r.id == *id));
    Ok(found)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    words: i64,
}

/// How many words of the stop start with `term`, counted up to [`COUNT_CAP`]: enough to tell a
/// rare term from a common one at the cost of one short range read.
fn count_starting(conn: &mut DbConnection, stop_id: &str, term: &str) -> QueryResult<usize> {
    let mut sql = Sql::default();
    let stop = sql.text(stop_id);
    let (from, to) = sql.prefix(term);
    sql.push(&format!(
        "SELECT COUNT(*) AS words FROM (SELECT 1 FROM search_words \
         WHERE stop_id = {stop} AND word >= {from} AND word < {to} LIMIT {COUNT_CAP}) capped"
    ));
    let counted: Vec<Count> = sql.query().load(conn)?;
    Ok(counted
        .first()
        .map_or(0, |c| usize::try_from(c.words).unwrap_or(0)))
}

/// People whose last name is one of the terms and who have the other terms too, by name.
fn exact_last_names(
    conn: &mut DbConnection,
    stop_id: &str,
    terms: &[String],
    limit: usize,
) -> QueryResult<Vec<String>> {
    let mut found: Vec<Found> = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let mut sql = Sql::default();
        let stop = sql.text(stop_id);
        let word = sql.text(term);
        sql.push(&format!(
            "SELECT registration_id, sort_key FROM search_words w \
             WHERE w.stop_id = {stop} AND w.word = {word} AND w.field = {last}",
            last = Field::LastName as i32
        ));
        sql.also_starting(&stop, terms, Some(i));
        sql.push(" ORDER BY w.sort_key, w.registration_id");
        sql.limit(limit, 0);
        found.extend(sql.load(conn)?);
    }
    found.sort_by(|a, b| (&a.sort_key, &a.registration_id).cmp(&(&b.sort_key, &b.registration_id)));
    let mut ids: Vec<String> = Vec::new();
    for f in found {
        if !ids.contains(&f.registration_id) {
            ids.push(f.registration_id);
        }
    }
    ids.truncate(limit);
    Ok(ids)
}

/// Appends to `ids` the people with a word starting with each term, by the word matched and by
/// name: the `driver` term's range of the primary key (the rarest term's), read in order, each
/// row kept if its registration has the other terms too. One person can hold several words of the range, so
/// the rows come a few screenfuls at a time until `limit` people are found.
fn starting_words(
    conn: &mut DbConnection,
    stop_id: &str,
    terms: &[String],
    driver: usize,
    limit: usize,
    ids: &mut Vec<String>,
) -> QueryResult<()> {
    let Some(term) = terms.get(driver) else {
        return Ok(());
    };
    // A screenful and a few more rows: most people hold a word of the range once.
    let page = limit + 8;
    for round in 0..16 {
        let mut sql = Sql::default();
        let stop = sql.text(stop_id);
        let (from, to) = sql.prefix(term);
        sql.push(&format!(
            "SELECT registration_id, sort_key FROM search_words w \
             WHERE w.stop_id = {stop} AND w.word >= {from} AND w.word < {to}"
        ));
        sql.also_starting(&stop, terms, Some(driver));
        sql.push(" ORDER BY w.word, w.sort_key, w.registration_id");
        sql.limit(page, round * page);
        let rows = sql.load(conn)?;
        let complete = rows.len() < page;
        for row in rows {
            if ids.len() < limit && !ids.contains(&row.registration_id) {
                ids.push(row.registration_id);
            }
        }
        if complete || ids.len() >= limit {
            break;
        }
    }
    Ok(())
}

/// A statement with `$n` placeholders numbered in the order they first appear, which is what
/// SQLite needs to read `$n` as the n-th bind, and PostgreSQL reads natively.
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Sql {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn text(&mut self, value: &str) -> String {
        self.binds.push(Bind::Text(value.to_owned()));
        format!("${}", self.binds.len())
    }

    /// The bounds of the words starting with `term`: [term, term + the last character).
    fn prefix(&mut self, term: &str) -> (String, String) {
        let mut end = term.to_owned();
        end.push(AFTER_PREFIX);
        (self.text(term), self.text(&end))
    }

    /// Keeps the rows of `w` whose registration has a word starting with every term but `but`
    /// (the stop named too, so that the probe is one seek of `search_words_registration`).
    fn also_starting(&mut self, stop: &str, terms: &[String], but: Option<usize>) {
        for (j, other) in terms.iter().enumerate() {
            if Some(j) == but {
                continue;
            }
            let (from, to) = self.prefix(other);
            self.push(&format!(
                " AND EXISTS (SELECT 1 FROM search_words o \
                 WHERE o.registration_id = w.registration_id AND o.stop_id = {stop} \
                 AND o.word >= {from} AND o.word < {to})"
            ));
        }
    }

    fn limit(&mut self, limit: usize, offset: usize) {
        let (limit, offset) = (limit as i64, offset as i64);
        self.binds.push(Bind::Int(limit));
        self.binds.push(Bind::Int(offset));
        let n = self.binds.len();
        self.push(&format!(" LIMIT ${} OFFSET ${n}", n - 1));
    }

    fn query(
        self,
    ) -> diesel::query_builder::BoxedSqlQuery<
        'static,
        crate::db::Backend,
        diesel::query_builder::SqlQuery,
    > {
        let mut query = diesel::sql_query(self.text).into_boxed::<crate::db::Backend>();
        for bind in self.binds {
            query = match bind {
                Bind::Text(value) => query.bind::<Text, _>(value),
                Bind::Int(value) => query.bind::<BigInt, _>(value),
            };
        }
        query
    }

    fn load(self, conn: &mut DbConnection) -> QueryResult<Vec<Found>> {
        self.query().load(conn)
    }
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
