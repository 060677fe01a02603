//! What attendees said afterwards: feedback requests and answers, complaints from answers.

use chrono::NaiveDateTime;

use super::attendees::StopRows;
use super::rows::{FeedbackRequestRow, FeedbackRow};
use super::tour::Mood;
use super::units::{days, minutes_i64, small, small_i64};
use crate::complaints::domain::{ComplaintStatus, ComplaintTheme};
use crate::complaints::store::{Complaint, ComplaintEvent};
use crate::sample_data::dice::Dice;
use crate::sample_data::names::{COMMENTS as SHARED_COMMENTS, OWNERS};

/// The comments heard everywhere, and two of the benchmark's own.
const COMMENTS: &[&str] = &[
    SHARED_COMMENTS[0],
    SHARED_COMMENTS[1],
    SHARED_COMMENTS[2],
    SHARED_COMMENTS[3],
    "On a à peine fini de maîtriser le principe que déjà les licences changent.",
    "Formateurs compétents, démonstrations claires.",
];
/// `(theme, summary, weight)` of complaints raised from feedback.
const COMPLAINT_THEMES: &[(ComplaintTheme, &str, u64)] = &[
    (
        ComplaintTheme::Trainers,
        "Formateur peu à l'aise avec son sujet",
        25,
    ),
    (
        ComplaintTheme::Licensing,
        "Programmes de licences trop changeants",
        30,
    ),
    (
        ComplaintTheme::Leads,
        "Pas de leads pour les partenaires certifiés",
        20,
    ),
    (
        ComplaintTheme::Logistics,
        "Salle trop petite, atelier complet",
        15,
    ),
    (
        ComplaintTheme::Other,
        "Remarque sur l'organisation de la journée",
        10,
    ),
];

/// A feedback answer that raises a complaint.
struct Answer<'a> {
    registration_id: &'a str,
    company: &'a str,
    feedback_id: String,
    comment: &'static str,
    submitted_at: NaiveDateTime,
}

impl StopRows<'_> {
    /// An attendee who came is asked for feedback; some answer; a few answers raise a complaint.
    pub(super) fn feedback_of(&mut self, dice: &mut Dice, registration_id: &str, company: &str) {
        let (plan, rates) = (self.plan, self.rates);
        let stop = &plan.stop;
        let requested_at = stop.ends_at + minutes_i64(15);
        let answered_at = dice.chance(rates.feedback).then(|| {
            // Most answer within two days, the others before the link expires.
            let after = if dice.next(100) < 70 {
                dice.next(48 * 60)
            } else {
                dice.next(10 * 24 * 60)
            };
            requested_at + minutes_i64(30 + after)
        });
        let reminder_due = requested_at + chrono::Duration::hours(72);
        self.batch.feedback_requests.push(FeedbackRequestRow {
            registration_id: registration_id.to_owned(),
            stop_id: stop.id.clone(),
            requested_at,
            expires_at: requested_at + chrono::Duration::days(30),
            // The one reminder went to those who had not answered after three days.
            reminded_at: match answered_at {
                Some(at) if at < reminder_due => None,
                _ => Some(reminder_due),
            },
            unsubscribed_at: None,
        });
        self.counts.feedback_requests += 1;
        if let Some(submitted_at) = answered_at {
            self.answer(dice, registration_id, company, submitted_at);
        }
    }

    /// An answer to the feedback form, and now and then a complaint from it.
    fn answer(
        &mut self,
        dice: &mut Dice,
        registration_id: &str,
        company: &str,
        submitted_at: NaiveDateTime,
    ) {
        let plan = self.plan;
        let stop = &plan.stop;
        let score = |dice: &mut Dice| -> i32 {
            let (low, spread) = match plan.mood {
                Mood::Good => (3, 3),
                Mood::Mixed => (2, 4),
                Mood::Bitter => (1, 3),
            };
            low + small(dice.next(spread))
        };
        let overall = score(dice);
        let trainers = score(dice);
        let content = score(dice);
        let nps = match plan.mood {
            Mood::Good => 6 + small(dice.next(5)),
            Mood::Mixed => 3 + small(dice.next(8)),
            Mood::Bitter => small(dice.next(8)),
        };
        // Four in ten leave a comment.
        let comment = if dice.next(100) < 40 {
            dice.pick(COMMENTS)
        } else {
            ""
        };
        // Marketing picks a few quotes per stop.
        let quote_selected = !comment.is_empty() && self.quotes < 3 && dice.next(100) < 2;
        self.quotes += u32::from(quote_selected);
        let feedback_id = dice.uuid();
        self.batch.feedback.push(FeedbackRow {
            id: feedback_id.clone(),
            registration_id: registration_id.to_owned(),
            stop_id: stop.id.clone(),
            overall,
            trainers,
            content,
            nps,
            comment,
            submitted_at,
            quote_selected,
        });
        self.counts.feedback += 1;
        let complaint_percent_x10 = if overall <= 2 { 50 } else { 5 };
        if dice.next(1000) >= complaint_percent_x10 {
            return;
        }
        let answer = Answer {
            registration_id,
            company,
            feedback_id,
            comment,
            submitted_at,
        };
        self.complaint(dice, &answer);
    }

    /// A complaint raised from `answer`, and how far marketing has got with it.
    fn complaint(&mut self, dice: &mut Dice, answer: &Answer<'_>) {
        let stop = &self.plan.stop;
        let submitted_at = answer.submitted_at;
        let (theme, summary) = pick_theme(dice);
        let id = dice.uuid();
        let (status, resolution) = match dice.next(100) {
            0..=34 => (ComplaintStatus::Open, ""),
            35..=64 => (ComplaintStatus::Acknowledged, ""),
            65..=89 => (
                ComplaintStatus::Resolved,
                "Réponse envoyée au partenaire avec la fiche récapitulative.",
            ),
            _ => (ComplaintStatus::WontFix, "Hors du périmètre de la tournée."),
        };
        let opened = status == ComplaintStatus::Open;
        let owner = if opened { "" } else { dice.pick(OWNERS) };
        let updated_at = if opened {
            submitted_at
        } else {
            submitted_at + chrono::Duration::hours(2 + small_i64(dice.next(240)))
        };
        self.batch.complaint_events.push(ComplaintEvent {
            id: dice.uuid(),
            complaint_id: id.clone(),
            at: submitted_at,
            actor: crate::complaints::domain::FEEDBACK_ACTOR.into(),
            field: "created".into(),
            old_value: String::new(),
            new_value: ComplaintStatus::Open.to_string(),
        });
        if !opened {
            self.batch.complaint_events.push(ComplaintEvent {
                id: dice.uuid(),
                complaint_id: id.clone(),
                at: updated_at,
                actor: owner.into(),
                field: "status".into(),
                old_value: ComplaintStatus::Open.to_string(),
                new_value: status.to_string(),
            });
        }
        self.batch.complaints.push(Complaint {
            id,
            stop_id: stop.id.clone(),
            theme,
            summary: summary.into(),
            detail: answer.comment.into(),
            company: answer.company.into(),
            registration_id: Some(answer.registration_id.to_owned()),
            feedback_id: Some(answer.feedback_id.clone()),
            status,
            owner: owner.into(),
            resolution: resolution.into(),
            created_by: crate::complaints::domain::FEEDBACK_ACTOR.into(),
            created_at: submitted_at,
            updated_at,
            due_on: (status == ComplaintStatus::Acknowledged)
                .then(|| submitted_at.date() + days(21)),
            notify_reseller: dice.next(100) < 30,
        });
        self.counts.complaints += 1;
    }
}

fn pick_theme(dice: &mut Dice) -> (ComplaintTheme, &'static str) {
    let total: u64 = COMPLAINT_THEMES.iter().map(|t| t.2).sum();
    let mut roll = dice.next(total);
    for (theme, summary, weight) in COMPLAINT_THEMES {
        if roll < *weight {
            return (*theme, summary);
        }
        roll -= weight;
    }
    (
        ComplaintTheme::Other,
        "Remarque sur l'organisation de la journée",
    )
}
