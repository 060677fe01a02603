//! Deciding a scan: verify the badge, look the registration up, record the scan, and let the
//! check-ins table's primary key decide who is first — one `ok` per badge and checkpoint,
//! whatever the number of devices, requests or processes.

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDateTime;

use super::batch::{ScanDecider, ScanItem};
use super::cache::{CheckpointCache, KnownCheckpoint};
use super::domain::{self, ScanRequest, ScanTimeRejection, Verdict};
use super::store::{self, CheckIn, CheckpointRow, EnrolledWorkshop, Scan};
use crate::auth::CurrentUser;
use crate::badge::{self, BadgeClaims, BadgeKeys};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent, ScanDecided};
use crate::ids::{RegistrationId, WorkshopId};
use crate::registrations::domain::RegistrationStatus;
use crate::registrations::store::{self as registrations_store, Registration};
use crate::state::AppState;
use crate::tours::store::{self as tours_store, Stop, Workshop};

/// The answer to a scan.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// The stop's time zone, to show times.
    pub timezone: chrono_tz::Tz,
    pub verdict: Verdict,
    pub scan_id: String,
    pub registration: Option<Registration>,
    /// For `already_checked_in`: when the check-in that counts was scanned.
    pub first_scanned_at: Option<NaiveDateTime>,
    pub checkpoint: CheckpointRow,
    /// True when this was a resend of a scan already decided.
    pub replayed: bool,
    /// True for a scan seen offline and synced later.
    pub late_by_seconds: Option<i64>,
    /// Set when the device's claimed scan time was not believed (the arrival time counted).
    pub time_rejected: Option<ScanTimeRejection>,
    /// The workshops of the person scanned, read in the deciding transaction, so that the
    /// answer needs no read of its own.
    pub workshops: Vec<EnrolledWorkshop>,
}

impl ScanOutcome {
    /// Whether the answer says where the person should be instead (see [`elsewhere`]).
    fn turned_away(&self) -> bool {
        self.registration.is_some()
            && matches!(self.verdict, Verdict::WrongStop | Verdict::NotEnrolled)
    }
}

/// Offline scans older than this when they arrive count as synced late.
pub(super) const LATE_AFTER_SECONDS: i64 = 30;

/// Records a check-in, unless one exists: then this scan is the duplicate, whatever its device
/// showed offline, so that a badge gets exactly one `ok` per checkpoint; if it was seen earlier
/// (an offline scan synced late), the check-in keeps the earlier time, which is returned.
fn admit(conn: &mut DbConnection, check_in: &CheckIn) -> Result<Option<NaiveDateTime>, AppError> {
    if store::insert_check_in(conn, check_in)? == 1 {
        return Ok(None);
    }
    store::move_check_in_earlier(conn, check_in)?;
    let first = store::find_check_in(conn, &check_in.checkpoint_id, &check_in.registration_id)?;
    Ok(Some(first.map_or(check_in.scanned_at, |c| c.scanned_at)))
}

/// Decides and records one scan, in the caller's transaction.
pub fn decide(
    conn: &mut DbConnection,
    keys: &BadgeKeys,
    checkpoints: &CheckpointCache,
    actor: &CurrentUser,
    scan: &ScanRequest,
    now: NaiveDateTime,
) -> Result<ScanOutcome, AppError> {
    let named = checkpoints.get(conn, &scan.checkpoint_id)?;
    actor.may_scan_at(&named.row.stop_id)?;
    if scan.scan_id_from_client
        && let Some(previous) = store::find_scan(conn, &scan.scan_id)?
    {
        return replay(conn, checkpoints, actor, previous);
    }
    let (scanned_at, time_rejected) = domain::scan_time(scan.scanned_at, named.stop_starts_at, now);
    // A room's scanner follows the clock: decided at the workshop the room holds then.
    let KnownCheckpoint {
        row: checkpoint,
        timezone,
        ..
    } = checkpoints.in_room_at(conn, named, scanned_at)?;
    // The scan row keeps what the device claimed (clamped to now: clocks run ahead), so that a
    // rejected time stays auditable; the check-in and the charts use the time believed.
    let claimed_at = scan.scanned_at.map_or(now, |t| t.min(now));
    let (verdict, registration) = judge(conn, &checkpoint, keys.verify(&scan.token))?;
    let mut verdict = verdict;
    let mut first_scanned_at = None;
    if verdict == Verdict::Ok
        && let Some(registration) = &registration
    {
        let check_in = CheckIn {
            checkpoint_id: checkpoint.id.clone(),
            registration_id: registration.id.clone(),
            stop_id: checkpoint.stop_id.clone(),
            scan_id: scan.scan_id.clone(),
            scanned_at,
        };
        if let Some(first) = admit(conn, &check_in)? {
            verdict = Verdict::AlreadyCheckedIn;
            first_scanned_at = Some(first);
        } else {
            crate::webhooks::queue(conn, crate::webhooks::EventType::CheckInCreated, |_| {
                Ok(crate::webhooks::payload::check_in(
                    &check_in,
                    &checkpoint,
                    registration,
                ))
            })?;
        }
    }
    let row = Scan {
        id: scan.scan_id.clone(),
        stop_id: checkpoint.stop_id.clone(),
        checkpoint_id: checkpoint.id.clone(),
        registration_id: registration.as_ref().map(|r| r.id.clone()),
        result: verdict.as_str().to_owned(),
        user_id: Some(actor.id.clone()),
        device_id: actor
            .device
            .as_ref()
            .map(|d| d.id.clone())
            .or_else(|| scan.device_id.clone()),
        scanned_at: claimed_at,
        received_at: now,
    };
    if store::insert_scan(conn, &row)? == 0 {
        // The same scan_id arrived twice at once: the first answer stands.
        let previous = store::find_scan(conn, &scan.scan_id)?.ok_or(AppError::NotFound("scan"))?;
        return replay(conn, checkpoints, actor, previous);
    }
    let late = (now - scanned_at).num_seconds();
    Ok(ScanOutcome {
        timezone,
        verdict,
        scan_id: scan.scan_id.clone(),
        workshops: workshops_of(conn, registration.as_ref())?,
        registration,
        first_scanned_at,
        checkpoint,
        replayed: false,
        late_by_seconds: (late > LATE_AFTER_SECONDS).then_some(late),
        time_rejected,
    })
}

/// The workshops of one person scanned (none for a badge that named no one).
fn workshops_of(
    conn: &mut DbConnection,
    registration: Option<&Registration>,
) -> Result<Vec<EnrolledWorkshop>, AppError> {
    let Some(registration) = registration else {
        return Ok(Vec::new());
    };
    Ok(store::workshops_of(conn, &[registration.id.as_str()])?
        .remove(registration.id.as_str())
        .unwrap_or_default())
}

/// The verdict on a badge (its verified claims, if its signature held) at a checkpoint, before
/// the check-in itself.
fn judge(
    conn: &mut DbConnection,
    checkpoint: &CheckpointRow,
    claims: Option<BadgeClaims>,
) -> Result<(Verdict, Option<Registration>), AppError> {
    let Some(claims) = claims else {
        return Ok((Verdict::InvalidToken, None));
    };
    let registration = registrations_store::find_registration(conn, &claims.registration_id)?;
    verdict(
        checkpoint,
        &claims,
        registration,
        |registration, workshop| store::is_enrolled(conn, registration, workshop),
    )
}

/// The verdict on a badge whose claims are verified and whose registration (if it exists) is
/// read; `enrolled` tells whether a registration holds a seat in a workshop.
pub(super) fn verdict(
    checkpoint: &CheckpointRow,
    claims: &BadgeClaims,
    registration: Option<Registration>,
    enrolled: impl FnOnce(&RegistrationId, &WorkshopId) -> diesel::QueryResult<bool>,
) -> Result<(Verdict, Option<Registration>), AppError> {
    if claims.stop_prefix != badge::stop_prefix(&checkpoint.stop_id) {
        return Ok((Verdict::WrongStop, registration));
    }
    let Some(registration) = registration else {
        return Ok((Verdict::UnknownRegistration, None));
    };
    let verdict = if registration.stop_id != checkpoint.stop_id {
        Verdict::WrongStop
    } else if registration.status == RegistrationStatus::Cancelled {
        Verdict::Cancelled
    } else if registration.status == RegistrationStatus::Waitlisted {
        Verdict::Waitlisted
    } else if let Some(workshop_id) = &checkpoint.workshop_id
        && !enrolled(&registration.id, workshop_id)?
    {
        Verdict::NotEnrolled
    } else {
        Verdict::Ok
    };
    Ok((verdict, Some(registration)))
}

/// Where someone turned away should be instead, so that staff can say it.
#[derive(Debug, Clone, Default)]
pub struct Elsewhere {
    /// `not_enrolled`: the workshop this room holds…
    pub workshop: Option<Workshop>,
    /// …and the one the person is enrolled in at that time, if any (its room says where).
    pub enrolled_instead: Option<Workshop>,
    /// `wrong_stop`: the stop the badge is for, when it is one of this tour service's.
    pub badge_stop: Option<Stop>,
}

/// What to tell someone turned away (read after the decision; nothing for other verdicts).
fn elsewhere(conn: &mut DbConnection, outcome: &ScanOutcome) -> Result<Elsewhere, AppError> {
    let Some(registration) = &outcome.registration else {
        return Ok(Elsewhere::default());
    };
    match outcome.verdict {
        Verdict::WrongStop => Ok(Elsewhere {
            badge_stop: tours_store::find_stop(conn, &registration.stop_id)?,
            ..Elsewhere::default()
        }),
        Verdict::NotEnrolled => {
            let Some(here) = outcome.checkpoint.workshop_id.as_deref() else {
                return Ok(Elsewhere::default());
            };
            let enrolled: Vec<&str> = outcome
                .workshops
                .iter()
                .filter(|w| w.status == RegistrationStatus::Confirmed.as_str())
                .map(|w| w.workshop_id.as_str())
                .collect();
            let workshops = tours_store::list_workshops(conn, &registration.stop_id)?;
            let workshop = workshops.iter().find(|w| w.id == here).cloned();
            let enrolled_instead = workshop.as_ref().and_then(|here| {
                workshops
                    .iter()
                    .filter(|w| enrolled.contains(&w.id.as_str()))
                    .find(|w| w.starts_at < here.ends_at && here.starts_at < w.ends_at)
                    .cloned()
            });
            Ok(Elsewhere {
                workshop,
                enrolled_instead,
                badge_stop: None,
            })
        }
        _ => Ok(Elsewhere::default()),
    }
}

/// The stored answer to a resent `scan_id`. Scan ids are chosen by devices, so the id alone
/// proves nothing: the answer (a name, a company) goes only to a caller allowed at the stop
/// where the scan was made, and speaks of that scan's own checkpoint.
fn replay(
    conn: &mut DbConnection,
    checkpoints: &CheckpointCache,
    actor: &CurrentUser,
    previous: Scan,
) -> Result<ScanOutcome, AppError> {
    actor.may_scan_at(&previous.stop_id)?;
    let KnownCheckpoint {
        row: checkpoint,
        timezone,
        ..
    } = checkpoints.get(conn, &previous.checkpoint_id)?;
    let verdict = Verdict::parse(&previous.result).ok_or_else(|| {
        AppError::Unexpected(anyhow::anyhow!(
            "scan {} has an unknown result",
            previous.id
        ))
    })?;
    let registration = match &previous.registration_id {
        Some(id) => registrations_store::find_registration(conn, id)?,
        None => None,
    };
    let first_scanned_at = match (verdict, &registration) {
        (Verdict::AlreadyCheckedIn, Some(r)) => {
            store::find_check_in(conn, &checkpoint.id, &r.id)?.map(|c| c.scanned_at)
        }
        _ => None,
    };
    Ok(ScanOutcome {
        timezone,
        verdict,
        scan_id: previous.id,
        workshops: workshops_of(conn, registration.as_ref())?,
        registration,
        first_scanned_at,
        checkpoint,
        replayed: true,
        late_by_seconds: None,
        time_rejected: None,
    })
}

/// Undoes a mistaken `ok` scan: the check-in goes, the scan stays, the undo is recorded.
pub fn undo(
    conn: &mut DbConnection,
    actor: &CurrentUser,
    scan_id: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let scan = store::find_scan(conn, scan_id)?.ok_or(AppError::NotFound("scan"))?;
    actor.may_scan_at(&scan.stop_id)?;
    if store::delete_check_in_of_scan(conn, scan_id)? == 0 {
        return Err(AppError::Conflict(
            "this scan is not a check-in (nothing to undo)".into(),
        ));
    }
    store::insert_undo(conn, scan_id, &actor.id, now)?;
    Ok(())
}

/// What a checkpoint's counter shows: checked in / expected.
pub fn counts(conn: &mut DbConnection, checkpoint: &CheckpointRow) -> Result<(i64, i64), AppError> {
    let checked_in = store::count_check_ins(conn, &checkpoint.id)?;
    let expected = match &checkpoint.workshop_id {
        Some(workshop_id) => store::count_confirmed_enrolments(conn, workshop_id)?,
        None => store::count_confirmed(conn, &checkpoint.stop_id)?,
    };
    Ok((checked_in, expected))
}

/// Someone registered at the door: registered (e-mail queued) and checked in at the entrance,
/// in the caller's transaction. A full stop is a conflict, and the caller's rollback undoes the
/// registration. Returns `(registration id, entrance checkpoint id, full name)`.
pub fn walk_in(
    conn: &mut DbConnection,
    keys: &BadgeKeys,
    checkpoints: &CheckpointCache,
    actor: &CurrentUser,
    stop_id: &str,
    new: &crate::registrations::domain::NewRegistration,
    now: NaiveDateTime,
) -> Result<(String, String, String), AppError> {
    use crate::registrations::service as registrations;
    actor.may_scan_at(stop_id)?;
    let registration =
        registrations::register(conn, stop_id, new, registrations::Source::WalkIn, now)?;
    if registration.status != RegistrationStatus::Confirmed {
        return Err(AppError::Conflict(
            "the stop is full: no seat for a walk-in".into(),
        ));
    }
    let entrance = store::entrance_of(conn, stop_id)?.ok_or(AppError::NotFound("checkpoint"))?;
    let scan = ScanRequest {
        token: keys.sign(&registration.stop_id, &registration.id)?,
        checkpoint_id: entrance.id.clone(),
        scan_id: uuid::Uuid::now_v7().to_string(),
        scan_id_from_client: false,
        device_id: None,
        scanned_at: None,
    };
    decide(conn, keys, checkpoints, actor, &scan, now)?;
    Ok((
        registration.id.into(),
        entrance.id.into(),
        format!("{} {}", new.first_name, new.last_name),
    ))
}

/// What the door's use cases need: the database, the badge keys, the checkpoints in memory and
/// the dispatcher of what happened. Not the whole application state.
#[derive(Clone)]
pub struct Door {
    pub pool: DbPool,
    /// Decides scans arriving at the same moment in one transaction.
    pub writer: Arc<db::group_commit::GroupCommit<ScanDecider>>,
    pub keys: Arc<BadgeKeys>,
    pub checkpoints: Arc<CheckpointCache>,
    pub events: Dispatcher,
}

impl Door {
    /// The door's part of the application state.
    pub fn of(state: &AppState) -> Self {
        Self {
            pool: state.pool.clone(),
            writer: Arc::clone(&state.door_writer),
            keys: state.badges.clone(),
            checkpoints: state.checkpoints.clone(),
            events: state.events.clone(),
        }
    }
}

/// Scans decided in one transaction: a long offline queue is decided a few dozen at a time,
/// so that it never holds the write lock long enough to delay another door's scan.
pub const SCANS_PER_TRANSACTION: usize = 25;

/// The use case "check in": decides `scans` in order (each idempotent by its scan id) and
/// publishes each decision for the metrics. Each answer comes with where someone turned away
/// should be instead, read once the scans are committed; an `ok`, the common answer, needs
/// nothing more than the writer's outcome and is answered without another trip to the database.
pub async fn check_in(
    door: &Door,
    actor: &CurrentUser,
    scans: Vec<ScanRequest>,
) -> Result<Vec<(ScanOutcome, Elsewhere)>, AppError> {
    let actor = Arc::new(actor.clone());
    let mut answers = Vec::with_capacity(scans.len());
    for chunk in scans.chunks(SCANS_PER_TRANSACTION) {
        let started = Instant::now();
        // The signatures are checked here, on the request's thread, so that the writer only
        // reads and writes.
        let items: Vec<ScanItem> = chunk
            .iter()
            .map(|scan| ScanItem {
                actor: Arc::clone(&actor),
                claims: door.keys.verify(&scan.token),
                scan: scan.clone(),
            })
            .collect();
        // Decided with the scans of other doors that arrive at the same moment (group commit).
        let decided = door.writer.decide(items).await?;
        let decided_in = started.elapsed() / u32::try_from(decided.len().max(1)).unwrap_or(1);
        for outcome in &decided {
            // A resend answers as before and counts nothing new.
            if !outcome.replayed {
                door.events.publish([DomainEvent::Scanned(ScanDecided {
                    verdict: outcome.verdict,
                    decided_in,
                    late_by_seconds: outcome.late_by_seconds,
                    time_rejected: outcome.time_rejected,
                })]);
            }
        }
        if decided.iter().any(ScanOutcome::turned_away) {
            answers.extend(
                db::run(&door.pool, move |conn| {
                    decided
                        .into_iter()
                        .map(|outcome| {
                            let elsewhere = elsewhere(conn, &outcome)?;
                            Ok((outcome, elsewhere))
                        })
                        .collect::<Result<Vec<_>, AppError>>()
                })
                .await?,
            );
        } else {
            answers.extend(
                decided
                    .into_iter()
                    .map(|outcome| (outcome, Elsewhere::default())),
            );
        }
    }
    Ok(answers)
}

/// The use case "register someone at the door": registered (e-mail queued) and checked in at
/// the entrance in one transaction. Returns `(registration id, entrance id, full name)`.
pub async fn register_walk_in(
    door: &Door,
    actor: &CurrentUser,
    stop_id: String,
    new: crate::registrations::domain::NewRegistration,
) -> Result<(String, String, String), AppError> {
    let (keys, checkpoints, actor) = (door.keys.clone(), door.checkpoints.clone(), actor.clone());
    let walked_in = db::transaction(&door.pool, move |conn| {
        let walked_in = walk_in(
            conn,
            &keys,
            &checkpoints,
            &actor,
            &stop_id,
            &new,
            crate::time::now(),
        )?;
        crate::audit::record(
            conn,
            Some(&crate::audit::Actor::from(&actor)),
            crate::audit::Change::new("walk_in.registered", "registration", &walked_in.0)
                .with(serde_json::json!({"stop_id": stop_id})),
        )?;
        Ok(walked_in)
    })
    .await?;
    door.events.publish([DomainEvent::Registered {
        registration_id: walked_in.0.clone(),
        status: RegistrationStatus::Confirmed,
    }]);
    Ok(walked_in)
}

/// The use case "undo a mistaken check-in" (the scanner page and the API): the scan stays
/// recorded, the check-in goes.
pub async fn undo_check_in(
    door: &Door,
    actor: &CurrentUser,
    scan_id: String,
) -> Result<(), AppError> {
    let actor = actor.clone();
    db::transaction(&door.pool, move |conn| {
        undo(conn, &actor, &scan_id, crate::time::now())?;
        crate::audit::record(
            conn,
            Some(&crate::audit::Actor::from(&actor)),
            crate::audit::Change::new("check_in.undone", "scan", &scan_id),
        )
    })
    .await
}

/// A scanner device just registered, with its token (shown once).
#[derive(Debug)]
pub struct RegisteredDevice {
    pub id: String,
    pub stop_id: String,
    pub name: String,
    pub token: String,
}

/// The use case "register this phone as a scanner": a named device bound to one stop, whose
/// token has the scanner scope there only.
pub async fn register_scanner(
    pool: &DbPool,
    user: CurrentUser,
    stop_id: String,
    name: String,
) -> Result<RegisteredDevice, AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let name = crate::validation::required_text(&mut errors, "name", &name, 80);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    db::transaction(pool, move |conn| {
        crate::tours::store::find_stop(conn, &stop_id)?.ok_or(AppError::NotFound("stop"))?;
        let (id, token) = crate::auth::service::register_device(conn, &user, &stop_id, &name)?;
        crate::audit::record(
            conn,
            Some(&crate::audit::Actor::from(&user)),
            crate::audit::Change::new("device.registered", "device", &id)
                .with(serde_json::json!({"stop_id": stop_id, "name": name})),
        )?;
        tracing::info!(device_id = %id, stop_id = %stop_id, "scanner device registered");
        Ok(RegisteredDevice {
            id,
            stop_id,
            name,
            token,
        })
    })
    .await
}
