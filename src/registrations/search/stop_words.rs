//! One stop's folded words in memory: every word of every registration in one ordered set, so
//! that the words starting with a prefix are one range of it, already in the order shown (by
//! word, then by name), and a search stops after a screenful however many people match.
//!
//! Reading a range is what a search does most, so an entry keeps its word inline (up to 24
//! bytes) and the first two letters of all its registration's words as bits: most people
//! without a search's other words are passed over without leaving the entry.
//!
//! Each person is also kept as a search shows them ([`Shown`]), so that an answer is read from
//! memory rather than from the registrations' table.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use compact_str::CompactString;

use super::{Field, Shown, words};

/// Words counted at most to choose the term that leads a search: enough to tell a rare term
/// from a common one without walking all of a common one's range.
const COUNT_CAP: usize = 5000;

/// One word of one registration. The derived order is the order of a search's answers (the
/// first four fields are unique together, so the last two never decide it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    word: CompactString,
    /// The folded "last first" name: the order of the people who share a word.
    sort_key: Arc<str>,
    registration_id: Arc<str>,
    field: Field,
    /// [`start_bit`] of each of the registration's words.
    starts: u64,
    /// All the registration's words, shared by its entries.
    words: Arc<[CompactString]>,
}

impl Entry {
    /// Whether the registration has a word starting with every term but the `but`-th.
    fn has_all(&self, terms: &[String], but: usize) -> bool {
        terms.iter().enumerate().all(|(i, term)| {
            i == but
                || (self.starts & start_bit(term) == start_bit(term)
                    && self
                        .words
                        .iter()
                        .any(|word| word.starts_with(term.as_str())))
        })
    }
}

/// A bit standing for a word's first two characters (none for a shorter word, which any word
/// may start with).
fn start_bit(word: &str) -> u64 {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) => 1 << ((u32::from(a).wrapping_mul(31) ^ u32::from(b)) % 64),
        _ => 0,
    }
}

/// What it takes to find a registration's entries again, to remove them, and the registration
/// as an answer shows it.
#[derive(Debug)]
struct Person {
    shown: Arc<Shown>,
    sort_key: Arc<str>,
    by_field: Vec<(CompactString, Field)>,
    starts: u64,
    words: Arc<[CompactString]>,
}

impl Person {
    fn entries(&self, id: &Arc<str>) -> impl Iterator<Item = Entry> + '_ {
        let id = Arc::clone(id);
        self.by_field.iter().map(move |(word, field)| Entry {
            word: word.clone(),
            sort_key: Arc::clone(&self.sort_key),
            registration_id: Arc::clone(&id),
            field: *field,
            starts: self.starts,
            words: Arc::clone(&self.words),
        })
    }
}

/// The searchable words of one stop's registrations.
#[derive(Debug, Default)]
pub struct StopWords {
    entries: BTreeSet<Entry>,
    people: HashMap<Arc<str>, Person>,
}

impl StopWords {
    /// The words of many registrations at once: sorted once, then built in one pass.
    pub fn of(registrations: impl IntoIterator<Item = Shown>) -> Self {
        let mut people = HashMap::new();
        let mut all = Vec::new();
        for shown in registrations {
            let id: Arc<str> = shown.id.as_str().into();
            let person = person(shown);
            all.extend(person.entries(&id));
            people.insert(id, person);
        }
        Self {
            entries: all.into_iter().collect(),
            people,
        }
    }

    /// Adds a registration's words, replacing those it had.
    pub fn put(&mut self, shown: Shown) {
        self.remove(shown.id.as_str());
        let id: Arc<str> = shown.id.as_str().into();
        let person = person(shown);
        self.entries.extend(person.entries(&id));
        self.people.insert(id, person);
    }

    /// The registration `id` as a search shows it, if the stop has it.
    pub fn shown(&self, id: &str) -> Option<Arc<Shown>> {
        self.people.get(id).map(|person| Arc::clone(&person.shown))
    }

    /// Removes a registration's words, if it had any.
    pub fn remove(&mut self, registration_id: &str) {
        if let Some((id, person)) = self.people.remove_entry(registration_id) {
            for entry in person.entries(&id) {
                self.entries.remove(&entry);
            }
        }
    }

    /// The ids of up to `limit` registrations with a word starting with each of `terms` (see
    /// [`super::terms`]; none: nobody): those whose last name is one of the terms first, by
    /// name; then the others by the word matched and by name.
    pub fn find(&self, terms: &[String], limit: usize) -> Vec<Arc<str>> {
        // The term with the fewest words leads; a term that starts no word ends the search.
        let mut driver = 0;
        if terms.len() > 1 {
            let mut fewest = usize::MAX;
            for (i, term) in terms.iter().enumerate() {
                let count = self.starting(term).take(COUNT_CAP).count();
                if count == 0 {
                    return Vec::new();
                }
                if count < fewest {
                    (driver, fewest) = (i, count);
                }
            }
        }
        let Some(leading) = terms.get(driver) else {
            return Vec::new();
        };
        // Each term's exact last names are already by name: a screenful of each, merged.
        let mut exact: Vec<&Entry> = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            exact.extend(
                self.starting(term)
                    .take_while(|e| *e.word == **term)
                    .filter(|e| e.field == Field::LastName && e.has_all(terms, i))
                    .take(limit),
            );
        }
        exact.sort_by(|a, b| {
            (&a.sort_key, &a.registration_id).cmp(&(&b.sort_key, &b.registration_id))
        });
        let mut found: Vec<Arc<str>> = Vec::with_capacity(limit);
        let others = self.starting(leading).filter(|e| e.has_all(terms, driver));
        for entry in exact.into_iter().chain(others) {
            if found.len() >= limit {
                break;
            }
            if !found.contains(&entry.registration_id) {
                found.push(Arc::clone(&entry.registration_id));
            }
        }
        found
    }

    /// The entries whose word starts with `prefix`, in order.
    fn starting<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        let first = Entry {
            word: prefix.into(),
            sort_key: Arc::from(""),
            registration_id: Arc::from(""),
            field: Field::LastName,
            starts: 0,
            words: Arc::new([]),
        };
        self.entries
            .range(first..)
            .take_while(move |e| e.word.starts_with(prefix))
    }
}

/// A registration's words: one entry per distinct word and field.
fn person(shown: Shown) -> Person {
    let folded = [
        (Field::LastName, words(&shown.last_name)),
        (Field::FirstName, words(&shown.first_name)),
        (Field::Company, words(&shown.company)),
        (Field::Email, words(&shown.email)),
    ];
    let name_of = |wanted: Field| {
        folded
            .iter()
            .find(|(field, _)| *field == wanted)
            .map(|(_, words)| words.join(" "))
            .unwrap_or_default()
    };
    let sort_key: Arc<str> =
        format!("{} {}", name_of(Field::LastName), name_of(Field::FirstName)).into();
    let mut by_field: Vec<(CompactString, Field)> = folded
        .iter()
        .flat_map(|(field, words)| {
            words
                .iter()
                .map(|w| (CompactString::from(w.as_str()), *field))
        })
        .collect();
    by_field.sort_unstable();
    by_field.dedup();
    by_field.shrink_to_fit();
    let mut all: Vec<CompactString> = by_field.iter().map(|(w, _)| w.clone()).collect();
    all.dedup();
    Person {
        shown: Arc::new(shown),
        sort_key,
        starts: all.iter().fold(0, |bits, word| bits | start_bit(word)),
        words: all.into(),
        by_field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registrations::domain::RegistrationStatus;
    use crate::registrations::search::terms;

    fn person(id: &str, last: &str, first: &str, company: &str) -> Shown {
        Shown {
            id: id.to_owned().into(),
            stop_id: "stop".to_owned().into(),
            status: RegistrationStatus::Confirmed,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: format!("{first}@example.fr"),
            company: company.to_owned(),
        }
    }

    fn stop() -> StopWords {
        StopWords::of([
            person("1", "Kléber", "Zoé", "Brasserie Dupont"),
            person("2", "Dupont", "Jean", "Alsace Entreprises"),
            person("3", "Dupontel", "Claire", "Strasbourg Conseil"),
            person("4", "Dupont", "Anne", "Conseil 67"),
        ])
    }

    fn ids(stop: &StopWords, query: &str, limit: usize) -> Vec<String> {
        stop.find(&terms(query), limit)
            .iter()
            .map(|id| id.to_string())
            .collect()
    }

    #[test]
    fn exact_last_names_come_first_then_words_by_name() {
        let stop = stop();
        // Anne and Jean Dupont by name; then Brasserie Dupont (word "dupont") before Dupontel.
        assert_eq!(ids(&stop, "dupont", 10), ["4", "2", "1", "3"]);
        assert_eq!(ids(&stop, "dupont", 2), ["4", "2"]);
        assert_eq!(ids(&stop, "conseil dup", 10), ["4", "3"]);
        assert!(ids(&stop, "dupont nobody", 10).is_empty());
        assert!(ids(&stop, "", 10).is_empty());
    }

    #[test]
    fn a_changed_or_removed_registration_is_found_by_its_new_words_only() {
        let mut stop = stop();
        stop.put(person("2", "Meyer", "Jean", "Alsace Entreprises"));
        assert_eq!(ids(&stop, "meyer", 10), ["2"]);
        assert_eq!(
            stop.shown("2").map(|p| p.last_name.clone()).as_deref(),
            Some("Meyer")
        );
        assert_eq!(ids(&stop, "dupont", 10), ["4", "1", "3"]);
        stop.remove("4");
        stop.remove("4");
        assert_eq!(ids(&stop, "dupont", 10), ["1", "3"]);
        assert!(stop.shown("4").is_none());
        assert_eq!(stop.people.len(), 3);
        let held: usize = stop.people.values().map(|p| p.by_field.len()).sum();
        assert_eq!(stop.entries.len(), held, "no entry of the removed is left");
    }
}
