//! The demo's feedback answers, and the complaints they raised.

use diesel::prelude::*;

use crate::complaints::domain::{ComplaintStatus, ComplaintTheme};
use crate::complaints::service::{ComplaintChanges, change};
use crate::db::DbConnection;
use crate::db::schema::{check_ins, checkpoints, feedback_requests};
use crate::error::AppError;
use crate::feedback::service::{FeedbackAnswer, RawFeedback, submit};
use crate::sample_data::dice::Dice;
use crate::sample_data::names::COMMENTS;
use crate::tours::store::Stop;

/// The article's quote, heard in Strasbourg.
const QUOTE: &str = "On a à peine fini de maîtriser le principe que déjà Microsoft en change.";

/// What resellers said after a past stop: about half of those present answer; Strasbourg is
/// clearly worse (trainers, licensing, the article's quote), and some complaints have already
/// been acknowledged or resolved. No e-mail is queued.
pub(super) fn feedback_crowd(
    conn: &mut DbConnection,
    stop: &Stop,
    seed: u64,
) -> Result<(), AppError> {
    let mut dice = Dice(seed.wrapping_mul(7_727).wrapping_add(11));
    let bitter = stop.city == "Strasbourg";
    let present: Vec<String> = check_ins::table
        .inner_join(checkpoints::table)
        .filter(check_ins::stop_id.eq(&stop.id))
        .filter(checkpoints::kind.eq("entrance"))
        .select(check_ins::registration_id)
        .load(conn)?;
    let mut complaints = Vec::new();
    for (n, registration_id) in present.iter().enumerate() {
        diesel::insert_into(feedback_requests::table)
            .values((
                feedback_requests::registration_id.eq(registration_id),
                feedback_requests::stop_id.eq(&stop.id),
                feedback_requests::requested_at.eq(stop.ends_at),
                feedback_requests::expires_at.eq(stop.ends_at + chrono::Duration::days(30)),
            ))
            .execute(conn)?;
        if dice.next(100) >= 55 {
            continue;
        }
        let raw = answer(&mut dice, bitter, n);
        let at =
            stop.ends_at + chrono::Duration::hours(2 + i64::try_from(dice.next(70)).unwrap_or(0));
        let (_, opened) = submit(conn, registration_id, FeedbackAnswer::parse(raw)?, at)?;
        complaints.extend(opened);
    }
    follow_up(conn, stop, &complaints)
}

/// The `n`-th attendee's answer: in Strasbourg every ninth quotes the article, others blame
/// the trainers, and scores are lower.
fn answer(dice: &mut Dice, bitter: bool, n: usize) -> RawFeedback {
    let score = |dice: &mut Dice, low: bool| -> i64 {
        if low {
            1 + i64::try_from(dice.next(3)).unwrap_or(0)
        } else {
            3 + i64::try_from(dice.next(3)).unwrap_or(0)
        }
    };
    let mut themes = Vec::new();
    let comment = if bitter && n.is_multiple_of(9) {
        themes.push(ComplaintTheme::Licensing.to_string());
        QUOTE.to_owned()
    } else if bitter && dice.next(100) < 35 {
        themes.push(ComplaintTheme::Trainers.to_string());
        "Les formateurs ne maîtrisaient pas leur sujet.".to_owned()
    } else {
        if dice.next(100) < 6 {
            themes.push(ComplaintTheme::Leads.to_string());
        }
        // One in three leaves no comment (a roll of 4 or 5).
        let roll = usize::try_from(dice.next(6)).unwrap_or(0);
        COMMENTS.get(roll).copied().unwrap_or("").to_owned()
    };
    let low_overall = bitter && dice.next(100) < 60;
    RawFeedback {
        overall: Some(score(dice, low_overall)),
        trainers: Some(score(dice, bitter)),
        content: Some(score(dice, false)),
        nps: Some(if bitter {
            i64::try_from(dice.next(8)).unwrap_or(0)
        } else {
            5 + i64::try_from(dice.next(6)).unwrap_or(0)
        }),
        themes,
        comment: Some(comment),
        notify_me: false,
    }
}

/// Marketing has started on the complaints: a third acknowledged with an owner, a sixth
/// resolved.
fn follow_up(conn: &mut DbConnection, stop: &Stop, complaints: &[String]) -> Result<(), AppError> {
    for (i, id) in complaints.iter().enumerate() {
        let changes = match i % 6 {
            0 | 1 => ComplaintChanges {
                status: Some(Ok(ComplaintStatus::Acknowledged)),
                owner: Some("Bertrand Launay".into()),
                due_on: Some("2026-12-15".into()),
                comment: Some("Promis à l'étape : on revient vers vous.".into()),
                ..ComplaintChanges::default()
            },
            2 => ComplaintChanges {
                status: Some(Ok(ComplaintStatus::Resolved)),
                owner: Some("Michel Cordani".into()),
                resolution: Some(
                    "Fiche récapitulative des programmes de licences envoyée aux partenaires."
                        .into(),
                ),
                ..ComplaintChanges::default()
            },
            _ => continue,
        };
        change(
            conn,
            id,
            changes,
            "Michel Cordani",
            stop.ends_at + chrono::Duration::days(5),
        )?;
    }
    Ok(())
}
