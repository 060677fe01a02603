//! Deciding the scans of one group commit together: the same decisions as `service::decide` run
//! one after the other, made with a handful of set-based statements for the whole group — the
//! registrations in one read, the check-ins in one insert (whose primary key still decides who
//! is first), the scans in one insert — instead of a round trip per scan per statement.
//!
//! The few groups that this cannot decide exactly as one-by-one would (a scan id already
//! recorded or repeated in the group, a badge scanned twice at one checkpoint in the group) are
//! seen before anything is written and decided one by one instead.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::cache::{CheckpointCache, KnownCheckpoint};
use super::domain::{self, ScanRequest, ScanTimeRejection, Verdict};
use super::service::{self, LATE_AFTER_SECONDS, ScanOutcome};
use super::store::{self, CheckIn, CheckpointRow, Scan};
use crate::auth::CurrentUser;
use crate::badge::{BadgeClaims, BadgeKeys};
use crate::db::DbConnection;
use crate::db::group_commit::Decide;
use crate::error::AppError;
use crate::ids::RegistrationId;
use crate::registrations::store::{self as registrations_store, Registration};
use crate::webhooks::{self, EventType};

/// One scan submitted to the door's writer, with who made it and its badge already checked
/// (the signature is checked by the request's thread, not by the writer).
#[derive(Debug, Clone)]
pub struct ScanItem {
    pub actor: Arc<CurrentUser>,
    pub scan: ScanRequest,
    pub claims: Option<BadgeClaims>,
}

/// The door's writer: decides the scans of a group commit.
#[derive(Debug)]
pub struct ScanDecider {
    pub keys: Arc<BadgeKeys>,
    pub checkpoints: Arc<CheckpointCache>,
}

impl Decide for ScanDecider {
    type Item = ScanItem;
    type Decided = ScanOutcome;

    fn decide(
        &self,
        conn: &mut DbConnection,
        items: &[&ScanItem],
    ) -> Result<Vec<ScanOutcome>, AppError> {
        let now = crate::time::now();
        match self.prepare(conn, items, now)? {
            Some(pending) => write(conn, pending, now),
            None => items
                .iter()
                .map(|item| {
                    service::decide(
                        conn,
                        &self.keys,
                        &self.checkpoints,
                        &item.actor,
                        &item.scan,
                        now,
                    )
                })
                .collect(),
        }
    }
}

/// A scan judged but not yet written.
struct Pending<'a> {
    item: &'a ScanItem,
    checkpoint: CheckpointRow,
    timezone: Tz,
    /// The time believed (the check-in's), and the time the device claimed (the scan row's).
    scanned_at: NaiveDateTime,
    claimed_at: NaiveDateTime,
    time_rejected: Option<ScanTimeRejection>,
    verdict: Verdict,
    registration: Option<Registration>,
    first_scanned_at: Option<NaiveDateTime>,
}

impl Pending<'_> {
    /// The check-in this scan makes if it is `ok`.
    fn check_in(&self) -> Option<CheckIn> {
        self.registration.as_ref().map(|r| CheckIn {
            checkpoint_id: self.checkpoint.id.clone(),
            registration_id: r.id.clone(),
            stop_id: self.checkpoint.stop_id.clone(),
            scan_id: self.item.scan.scan_id.clone(),
            scanned_at: self.scanned_at,
        })
    }
}

impl ScanDecider {
    /// Judges every scan of the group with reads only; `None` when the group must be decided
    /// one by one (see the module's comment).
    fn prepare<'a>(
        &self,
        conn: &mut DbConnection,
        items: &[&'a ScanItem],
        now: NaiveDateTime,
    ) -> Result<Option<Vec<Pending<'a>>>, AppError> {
        let mut ids = HashSet::with_capacity(items.len());
        if !items
            .iter()
            .all(|item| ids.insert(item.scan.scan_id.as_str()))
        {
            return Ok(None);
        }
        let from_clients: Vec<&str> = items
            .iter()
            .filter(|item| item.scan.scan_id_from_client)
            .map(|item| item.scan.scan_id.as_str())
            .collect();
        if !store::known_scan_ids(conn, &from_clients)?.is_empty() {
            return Ok(None);
        }
        let badge_ids: Vec<&str> = items
            .iter()
            .filter_map(|item| item.claims.as_ref())
            .map(|claims| claims.registration_id.as_str())
            .collect();
        let registrations: HashMap<String, Registration> =
            registrations_store::find_registrations(conn, &badge_ids)?
                .into_iter()
                .map(|r| (r.id.to_string(), r))
                .collect();
        let mut pending = Vec::with_capacity(items.len());
        for item in items {
            let named = self.checkpoints.get(conn, &item.scan.checkpoint_id)?;
            item.actor.may_scan_at(&named.row.stop_id)?;
            let (scanned_at, time_rejected) =
                domain::scan_time(item.scan.scanned_at, named.stop_starts_at, now);
            let KnownCheckpoint {
                row: checkpoint,
                timezone,
                ..
            } = self.checkpoints.in_room_at(conn, named, scanned_at)?;
            pending.push(Pending {
                item,
                checkpoint,
                timezone,
                scanned_at,
                claimed_at: item.scan.scanned_at.map_or(now, |t| t.min(now)),
                time_rejected,
                verdict: Verdict::InvalidToken,
                registration: None,
                first_scanned_at: None,
            });
        }
        // Workshop doors ask whether each person holds a seat: one read for the group.
        let at_workshops: Vec<&str> = pending
            .iter()
            .filter(|p| p.checkpoint.workshop_id.is_some())
            .filter_map(|p| p.item.claims.as_ref())
            .map(|claims| claims.registration_id.as_str())
            .collect();
        let seats: HashSet<(String, String)> = store::confirmed_enrolments_of(conn, &at_workshops)?
            .into_iter()
            .collect();
        let mut admitted = HashSet::new();
        for p in &mut pending {
            let Some(claims) = &p.item.claims else {
                continue;
            };
            // A registration named by two badges of the group goes to each (a clone).
            let registration = registrations.get(claims.registration_id.as_str()).cloned();
            let (verdict, registration) =
                service::verdict(&p.checkpoint, claims, registration, |r, w| {
                    Ok(seats.contains(&(r.to_string(), w.to_string())))
                })?;
            if verdict == Verdict::Ok
                && let Some(r) = &registration
                && !admitted.insert((p.checkpoint.id.clone(), r.id.clone()))
            {
                // The same badge twice at one checkpoint in one group: one by one, so that
                // the second is the duplicate of the first, whatever their claimed times.
                return Ok(None);
            }
            p.verdict = verdict;
            p.registration = registration;
        }
        Ok(Some(pending))
    }
}

/// Writes a judged group: its check-ins, the webhook events of the new ones, its scans.
fn write(
    conn: &mut DbConnection,
    mut pending: Vec<Pending<'_>>,
    now: NaiveDateTime,
) -> Result<Vec<ScanOutcome>, AppError> {
    let mut check_ins: Vec<CheckIn> = pending
        .iter()
        .filter(|p| p.verdict == Verdict::Ok)
        .filter_map(Pending::check_in)
        .collect();
    // By stop: on PostgreSQL each check-in first takes its stop's turn (see the migration
    // `check_ins_in_turn`), and two groups take them in one order, so neither waits on the other.
    check_ins.sort_by(|a, b| a.stop_id.as_str().cmp(b.stop_id.as_str()));
    let inserted = store::insert_check_ins(conn, &check_ins)?;
    if inserted < check_ins.len() {
        mark_already_checked_in(conn, &mut pending)?;
    }
    queue_webhooks(conn, &pending)?;
    let scans: Vec<Scan> = pending
        .iter()
        .map(|p| Scan {
            id: p.item.scan.scan_id.clone(),
            stop_id: p.checkpoint.stop_id.clone(),
            checkpoint_id: p.checkpoint.id.clone(),
            registration_id: p.registration.as_ref().map(|r| r.id.clone()),
            result: p.verdict.as_str().to_owned(),
            user_id: Some(p.item.actor.id.clone()),
            device_id: p
                .item
                .actor
                .device
                .as_ref()
                .map(|d| d.id.clone())
                .or_else(|| p.item.scan.device_id.clone()),
            scanned_at: p.claimed_at,
            received_at: now,
        })
        .collect();
    if store::insert_scans(conn, &scans)? < scans.len() {
        // Another process recorded one of these scan ids since they were read. Rolled back,
        // each submitter's scans are decided again alone and find it: a resend, answered as
        // the first was.
        return Err(AppError::Unavailable(
            "a scan was recorded twice at once; try again".into(),
        ));
    }
    // What the answers list of each person scanned: one read for the group.
    let people: Vec<&str> = pending
        .iter()
        .filter_map(|p| p.registration.as_ref().map(|r| r.id.as_str()))
        .collect();
    let workshops = store::workshops_of(conn, &people)?;
    Ok(pending
        .into_iter()
        .map(|p| {
            let late = (now - p.scanned_at).num_seconds();
            ScanOutcome {
                workshops: p
                    .registration
                    .as_ref()
                    .and_then(|r| workshops.get(r.id.as_str()))
                    .cloned()
                    .unwrap_or_default(),
                timezone: p.timezone,
                verdict: p.verdict,
                scan_id: p.item.scan.scan_id.clone(),
                registration: p.registration,
                first_scanned_at: p.first_scanned_at,
                checkpoint: p.checkpoint,
                replayed: false,
                late_by_seconds: (late > LATE_AFTER_SECONDS).then_some(late),
                time_rejected: p.time_rejected,
            }
        })
        .collect())
}

/// The `ok` scans whose badge was already checked in at their checkpoint (the insert added
/// nothing for them) become duplicates; an earlier one (an offline scan synced late) moves the
/// check-in to its time, as `service::decide` does.
fn mark_already_checked_in(
    conn: &mut DbConnection,
    pending: &mut [Pending<'_>],
) -> Result<(), AppError> {
    let ids: Vec<&str> = pending
        .iter()
        .filter(|p| p.verdict == Verdict::Ok)
        .filter_map(|p| p.registration.as_ref().map(|r| r.id.as_str()))
        .collect();
    let existing: HashMap<(String, RegistrationId), CheckIn> =
        store::check_ins_of_registrations(conn, &ids)?
            .into_iter()
            .map(|c| ((c.checkpoint_id.to_string(), c.registration_id.clone()), c))
            .collect();
    for p in pending.iter_mut().filter(|p| p.verdict == Verdict::Ok) {
        let Some(ours) = p.check_in() else {
            continue;
        };
        let key = (ours.checkpoint_id.to_string(), ours.registration_id.clone());
        let Some(first) = existing.get(&key) else {
            continue;
        };
        if first.scan_id == ours.scan_id {
            continue;
        }
        if p.scanned_at < first.scanned_at {
            store::move_check_in_earlier(conn, &ours)?;
        }
        p.verdict = Verdict::AlreadyCheckedIn;
        p.first_scanned_at = Some(first.scanned_at.min(p.scanned_at));
    }
    Ok(())
}

/// Queues `checkin.created` for the group's new check-ins, reading the endpoints once.
fn queue_webhooks(conn: &mut DbConnection, pending: &[Pending<'_>]) -> Result<(), AppError> {
    if !pending.iter().any(|p| p.verdict == Verdict::Ok) {
        return Ok(());
    }
    let endpoints = webhooks::subscribers(conn, EventType::CheckInCreated)?;
    if endpoints.is_empty() {
        return Ok(());
    }
    for p in pending.iter().filter(|p| p.verdict == Verdict::Ok) {
        let (Some(check_in), Some(registration)) = (p.check_in(), &p.registration) else {
            continue;
        };
        let data = webhooks::payload::check_in(&check_in, &p.checkpoint, registration);
        for endpoint in &endpoints {
            webhooks::queue_for(
                conn,
                &endpoint.id,
                EventType::CheckInCreated.as_str(),
                &data,
            )?;
        }
    }
    Ok(())
}
