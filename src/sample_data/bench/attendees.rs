//! A stop's attendees: registrations, enrolments, scans at the door, outcomes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::{Batch, OutcomeRow, RegistrationRow, ScanRow};
use super::tour::StopPlan;
use super::units::{days, minutes_i64, seconds, to_i32};
use super::{
    AFTERNOON_PERCENT, ATTENDEES_PER_BATCH, CONFIRMED_PERCENT, LABEL_PERCENT, LICENSING_PERCENT,
    Rates, Summary, WAITLISTED_PERCENT,
};
use crate::checkin::store::CheckIn;
use crate::db::DbConnection;
use crate::db::schema::{stops, workshops};
use crate::error::AppError;
use crate::registrations::domain::RegistrationStatus;
use crate::registrations::domain::{COMPANY_SIZES, PARTNER_TYPES};
use crate::registrations::store::Enrolment;
use crate::sample_data::dice::{Dice, index};
use crate::sample_data::names::{COMPANY_STEMS, FIRST_NAMES, JOB_TITLES, LAST_NAMES};
use crate::tours::store::Checkpoint;

/// Brands that resellers put before their trade: "Atlas Réseaux Lyon".
const COMPANY_PREFIXES: &[&str] = &[
    "Alpha", "Nova", "Atlas", "Delta", "Horizon", "Pixel", "Orion", "Vertex", "Azur", "Cap",
];

/// Writes a stop's attendees and what followed, then sets the stop's and workshops' seat
/// counters. Returns the counts (in a [`Summary`] without ids or times).
///
/// Each batch is a transaction of its own. Every registration's triggers update the stop's
/// few counter and search rows; PostgreSQL cannot prune a row's versions while the
/// transaction that wrote them is open, so in one transaction per stop each update walked a
/// chain as long as the stop had rows so far, and a load of 2,000,000 crawled.
pub(super) fn write_attendees(
    conn: &mut DbConnection,
    plan: &StopPlan,
    rates: &Rates,
    dice: &mut Dice,
    serial: &mut u64,
) -> Result<Summary, AppError> {
    let mut rows = StopRows {
        plan,
        rates,
        batch: Batch::default(),
        counts: Summary::default(),
        seats: [0; 4],
        quotes: 0,
    };
    for n in 0..plan.registrations {
        *serial += 1;
        rows.attendee(dice, *serial);
        if (n + 1) % ATTENDEES_PER_BATCH == 0 {
            crate::db::write_transaction(conn, |conn| Ok(rows.batch.write(conn)?))?;
        }
    }
    crate::db::write_transaction(conn, |conn| Ok(rows.batch.write(conn)?))?;
    let StopRows {
        mut counts, seats, ..
    } = rows;
    let confirmed = to_i32(counts.confirmed)?;
    crate::db::write_transaction(conn, |conn| write_seats(conn, plan, confirmed, seats))?;
    counts.registrations = plan.registrations;
    Ok(counts)
}

/// Sets the stop's and its workshops' capacities and seats taken to what was written.
fn write_seats(
    conn: &mut DbConnection,
    plan: &StopPlan,
    confirmed: i32,
    seats: [u64; 4],
) -> Result<(), AppError> {
    diesel::update(stops::table.find(&plan.stop.id))
        .set((
            // A full house: that is why some wait.
            stops::capacity.eq(confirmed.max(1)),
            stops::seats_taken.eq(confirmed),
            // The feedback e-mails count as sent: the server must not e-mail the whole tour.
            stops::feedback_requested_at.eq(plan.stop.ends_at),
        ))
        .execute(conn)?;
    for (workshop, taken) in plan.workshops.iter().zip(seats) {
        let taken = to_i32(taken)?;
        diesel::update(workshops::table.find(&workshop.id))
            .set((
                // Rooms rounded up to the next ten seats.
                workshops::capacity.eq((taken / 10 + 1) * 10),
                workshops::seats_taken.eq(taken),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A stop's attendees being generated: the rows not written yet, and the running counts.
pub(super) struct StopRows<'a> {
    pub(super) plan: &'a StopPlan,
    pub(super) rates: &'a Rates,
    pub(super) batch: Batch,
    pub(super) counts: Summary,
    /// Confirmed enrolments per workshop, in the plan's order.
    pub(super) seats: [u64; 4],
    /// Feedback comments picked as quotes.
    pub(super) quotes: u32,
}

/// A registration as drawn, before its row is written.
struct Registered {
    id: String,
    status: RegistrationStatus,
    walk_in: bool,
    created_at: NaiveDateTime,
    cancelled_at: Option<NaiveDateTime>,
}

impl StopRows<'_> {
    /// One attendee: the registration, and if confirmed the enrolments, the scans at the door,
    /// feedback, a complaint, an outcome.
    fn attendee(&mut self, dice: &mut Dice, serial: u64) {
        let (plan, rates) = (self.plan, self.rates);
        let stop = &plan.stop;
        let registration_id = dice.uuid();
        let status = match dice.next(100) {
            n if n < CONFIRMED_PERCENT => RegistrationStatus::Confirmed,
            n if n < CONFIRMED_PERCENT + WAITLISTED_PERCENT => RegistrationStatus::Waitlisted,
            _ => RegistrationStatus::Cancelled,
        };
        let confirmed = status == RegistrationStatus::Confirmed;
        let present = confirmed && dice.chance(rates.entrance);
        // Arrivals crowd 8:00–9:30 local, peaking around 8:45; a few come late.
        let arrival = if dice.next(100) < 6 {
            plan.local(9 * 60 + 30 + dice.next(90))
        } else {
            plan.local(8 * 60 + (dice.next(90) + dice.next(91)) / 2)
        } + seconds(dice.next(60));
        // A few register at the door on the day; the others over the six weeks before.
        let walk_in = present && dice.next(100) < 4;
        let created_at = if walk_in {
            arrival - seconds(90)
        } else {
            stop.starts_at - minutes_i64(60 + dice.next(42 * 24 * 60))
        };
        let cancelled_at = (status == RegistrationStatus::Cancelled).then(|| {
            let before_start = (stop.starts_at - created_at).num_minutes().max(1);
            created_at + minutes_i64(dice.next(u64::try_from(before_start).unwrap_or(1)))
        });
        let registered = Registered {
            id: registration_id.clone(),
            status,
            walk_in,
            created_at,
            cancelled_at,
        };
        let company = self.registration(dice, serial, registered);
        if !confirmed {
            return;
        }
        self.counts.confirmed += 1;
        let chosen = self.enrol(dice, &registration_id, created_at);
        if !present {
            return;
        }
        let in_label_workshop = self.scan_in(dice, &registration_id, arrival, &chosen);
        self.feedback_of(dice, &registration_id, &company);
        self.outcome_of(
            dice,
            registration_id,
            in_label_workshop,
            chosen.contains(&0),
        );
    }

    /// The registration row, with the attendee's name and company; returns the company.
    fn registration(&mut self, dice: &mut Dice, serial: u64, registered: Registered) -> String {
        let plan = self.plan;
        let stop = &plan.stop;
        let Registered {
            id,
            status,
            walk_in,
            created_at,
            cancelled_at,
        } = registered;
        let first = dice.next(FIRST_NAMES.len() as u64);
        let last = dice.next(LAST_NAMES.len() as u64);
        let prefix = dice.pick(COMPANY_PREFIXES);
        let stem = dice.pick(COMPANY_STEMS);
        let first_name = FIRST_NAMES[index(first, FIRST_NAMES.len())];
        let last_name = LAST_NAMES[index(last, LAST_NAMES.len())];
        let company = format!("{prefix} {stem} {}", stop.city);
        self.batch.registrations.push(RegistrationRow {
            id,
            stop_id: stop.id.as_str().into(),
            status: status.as_str(),
            first_name,
            last_name,
            // The serial makes every address unique; the rest keeps it readable.
            email: format!(
                "{}.{}.{serial}@{}-{}.example",
                first_name.to_lowercase(),
                last_name.to_lowercase(),
                prefix.to_lowercase(),
                plan.city_slug
            ),
            company: company.clone(),
            job_title: dice.pick(JOB_TITLES),
            company_size: dice.pick(COMPANY_SIZES),
            partner_id: format!("P-{:05}", dice.next(99_999)),
            locale: if dice.next(100) < 92 { "fr" } else { "en" },
            source: if walk_in { "walk_in" } else { "online" },
            consent_at: created_at,
            created_at,
            updated_at: cancelled_at.unwrap_or(created_at),
            cancelled_at,
            // Mostly resellers, as at the real stops.
            partner_type: PARTNER_TYPES[match dice.next(100) {
                0..=54 => 0,
                55..=74 => 1,
                75..=84 => 2,
                85..=94 => 3,
                _ => 4,
            }],
        });
        company
    }

    /// A confirmed attendee's workshops, as indexes into the plan's workshops.
    fn enrol(
        &mut self,
        dice: &mut Dice,
        registration_id: &str,
        created_at: NaiveDateTime,
    ) -> Vec<usize> {
        let mut chosen = Vec::new();
        if dice.next(100) < LABEL_PERCENT {
            chosen.push(0);
        }
        if dice.next(100) < AFTERNOON_PERCENT {
            chosen.push(1 + index(dice.next(2), 2));
        }
        if dice.next(100) < LICENSING_PERCENT {
            chosen.push(3);
        }
        for &w in &chosen {
            self.seats[w] += 1;
            self.batch.enrolments.push(Enrolment {
                registration_id: registration_id.into(),
                workshop_id: self.plan.workshops[w].id.as_str().into(),
                status: RegistrationStatus::Confirmed,
                created_at,
                updated_at: created_at,
            });
        }
        self.counts.enrolments += chosen.len() as u64;
        chosen
    }

    /// The scans of an attendee who came: the entrance, then some of their workshops' doors.
    /// Returns whether they were scanned into the label workshop.
    fn scan_in(
        &mut self,
        dice: &mut Dice,
        registration_id: &str,
        arrival: NaiveDateTime,
        chosen: &[usize],
    ) -> bool {
        let (plan, rates) = (self.plan, self.rates);
        let stop = &plan.stop;
        let scan = |batch: &mut Batch, checkpoint: &Checkpoint, at: NaiveDateTime, id: String| {
            batch.scans.push(ScanRow {
                id: id.clone(),
                stop_id: stop.id.as_str().into(),
                checkpoint_id: checkpoint.id.as_str().into(),
                registration_id: Some(registration_id.to_owned()),
                result: "ok",
                user_id: None,
                device_id: None,
                scanned_at: at,
                received_at: at,
            });
            batch.check_ins.push(CheckIn {
                checkpoint_id: checkpoint.id.as_str().into(),
                registration_id: registration_id.into(),
                stop_id: stop.id.as_str().into(),
                scan_id: id,
                scanned_at: at,
            });
        };
        scan(&mut self.batch, &plan.entrance, arrival, dice.uuid());
        self.counts.entrance_scans += 1;
        let mut in_label_workshop = false;
        for &w in chosen {
            if dice.chance(rates.workshop_scan) {
                let at = plan.workshops[w].starts_at
                    - minutes_i64(dice.next(15))
                    - seconds(dice.next(60));
                scan(
                    &mut self.batch,
                    &plan.workshop_checkpoints[w],
                    at,
                    dice.uuid(),
                );
                self.counts.workshop_scans += 1;
                in_label_workshop |= plan.workshops[w].specialist_label;
            }
        }
        in_label_workshop
    }

    /// Certification starts mostly among those who sat the label workshop.
    fn outcome_of(
        &mut self,
        dice: &mut Dice,
        registration_id: String,
        in_label_workshop: bool,
        enrolled_in_label: bool,
    ) {
        let plan = self.plan;
        let outcome_percent = if in_label_workshop {
            35
        } else if enrolled_in_label {
            4
        } else {
            1
        };
        if dice.next(100) < outcome_percent {
            let first_day = plan.day + days(3);
            let window = (plan.last_outcome_day - first_day).num_days() + 1;
            let occurred_on = (first_day + days(dice.next(u64::try_from(window).unwrap_or(1))))
                .min(plan.last_outcome_day);
            self.batch.outcomes.push(OutcomeRow {
                id: dice.uuid(),
                registration_id,
                stop_id: plan.stop.id.clone(),
                kind: "certification_started",
                occurred_on,
                recorded_by: "CRM import",
                created_at: (occurred_on + days(1)).and_time(chrono::NaiveTime::MIN),
            });
            self.counts.outcomes += 1;
        }
    }
}
