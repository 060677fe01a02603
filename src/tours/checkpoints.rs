//! How checkpoints are named to the people who pick one. Rooms are often shared ("Salle 1"
//! holds a workshop every hour), so a workshop's checkpoint is named by its room, its start and
//! its title, and the one running now (or about to start) is marked: picking the wrong room
//! turns away people who are enrolled.

use chrono::NaiveDateTime;

use super::domain::holds_room;
use super::service::StopView;
use crate::i18n::Locale;
use crate::time::display_time;

/// A checkpoint as staff choose it.
#[derive(Debug, Clone)]
pub struct CheckpointChoice {
    pub id: String,
    /// "Accueil", or the room ("Salle 1").
    pub place: String,
    /// For a workshop: its start in the stop's zone ("11:00"), else empty.
    pub time: String,
    /// For a workshop: its title, else empty.
    pub title: String,
    /// Whether this workshop is running, or starts within 15 minutes, at `now`.
    pub now: bool,
}

impl CheckpointChoice {
    /// One line: "Salle 1 — 11:00 Devenir Spécialiste PME", or "Accueil".
    pub fn label(&self) -> String {
        if self.time.is_empty() {
            self.place.clone()
        } else {
            format!("{} — {} {}", self.place, self.time, self.title)
        }
    }
}

/// The stop's checkpoints as staff choose them: the entrance first, then the workshops by
/// start time.
pub fn checkpoint_choices(
    view: &StopView,
    now: NaiveDateTime,
    tr: Locale,
) -> Vec<CheckpointChoice> {
    let tz = view.summary.timezone;
    let mut choices: Vec<(Option<NaiveDateTime>, CheckpointChoice)> = view
        .checkpoints
        .iter()
        .map(|checkpoint| {
            let workshop = checkpoint.workshop_id.as_ref().and_then(|id| {
                view.workshops
                    .iter()
                    .map(|w| &w.workshop)
                    .find(|w| &w.id == id)
            });
            match workshop {
                Some(w) => (
                    Some(w.starts_at),
                    CheckpointChoice {
                        id: checkpoint.id.clone(),
                        place: checkpoint.name.clone(),
                        time: display_time(w.starts_at, tz),
                        title: w.title.clone(),
                        now: holds_room(w.starts_at, w.ends_at, now),
                    },
                ),
                None => (
                    None,
                    CheckpointChoice {
                        id: checkpoint.id.clone(),
                        place: entrance_name(&checkpoint.name, tr),
                        time: String::new(),
                        title: String::new(),
                        now: false,
                    },
                ),
            }
        })
        .collect();
    choices.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.place.cmp(&b.1.place)));
    choices.into_iter().map(|(_, choice)| choice).collect()
}

/// The entrance in the page's language, unless it was given a name of its own.
fn entrance_name(stored: &str, tr: Locale) -> String {
    let default_names = [
        Locale::Fr.t("checkpoint.entrance"),
        Locale::En.t("checkpoint.entrance"),
    ];
    if stored.is_empty() || default_names.contains(&stored) {
        tr.t("checkpoint.entrance").to_owned()
    } else {
        stored.to_owned()
    }
}
