//! Checkpoints in memory: every scan names one, and they hardly ever change (only a renamed
//! workshop room renames its checkpoint), so the hot path does not read them from the database.
//!
//! A workshop's checkpoint is also its room's: one room often holds a workshop every hour, and a
//! phone left on "Salle 1 — 09:00" must not turn away the 11:00 workshop's people. A scan made
//! outside the workshop's own time is decided at the workshop its room holds at that time.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::store::{self, CheckpointRow};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::tours::domain::holds_room;

/// A checkpoint, its stop's time zone and start (which bounds the scan times a device may claim).
#[derive(Debug, Clone)]
pub struct KnownCheckpoint {
    pub row: CheckpointRow,
    pub timezone: Tz,
    pub stop_starts_at: NaiveDateTime,
    /// For a workshop in a named room: the room, and the workshop's times.
    room: Option<RoomTime>,
}

#[derive(Debug, Clone)]
struct RoomTime {
    room: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
}

/// Checkpoints read once, kept until the tours' set-up changes (see `freshness`).
#[derive(Debug, Default)]
pub struct CheckpointCache {
    known: RwLock<HashMap<String, KnownCheckpoint>>,
    /// Stops' time zones, for the door's answers that show times (its search).
    zones: RwLock<HashMap<String, Tz>>,
}

impl CheckpointCache {
    /// The checkpoint `id`, from memory or else from the database; 404 when unknown.
    pub fn get(&self, conn: &mut DbConnection, id: &str) -> Result<KnownCheckpoint, AppError> {
        if let Some(found) = self
            .known
            .read()
            .ok()
            .and_then(|known| known.get(id).cloned())
        {
            return Ok(found);
        }
        let row = store::find_checkpoint(conn, id)?.ok_or(AppError::NotFound("checkpoint"))?;
        let stop = crate::tours::store::find_stop(conn, &row.stop_id)?
            .ok_or(AppError::NotFound("stop"))?;
        let timezone = stop.timezone.tz();
        let workshop = match &row.workshop_id {
            Some(workshop_id) => crate::tours::store::find_workshop(conn, workshop_id)?,
            None => None,
        };
        let found = KnownCheckpoint {
            row,
            timezone,
            stop_starts_at: stop.starts_at,
            room: workshop
                .filter(|w| !w.room.trim().is_empty())
                .map(|w| RoomTime {
                    room: w.room,
                    starts_at: w.starts_at,
                    ends_at: w.ends_at,
                }),
        };
        if let Ok(mut known) = self.known.write() {
            known.insert(id.to_owned(), found.clone());
        }
        Ok(found)
    }

    /// The checkpoint a scan at `known` made at `at` is for: itself, unless it is a workshop's
    /// room scanned outside that workshop's time while the room holds another workshop.
    pub fn in_room_at(
        &self,
        conn: &mut DbConnection,
        known: KnownCheckpoint,
        at: NaiveDateTime,
    ) -> Result<KnownCheckpoint, AppError> {
        let Some(slot) = &known.room else {
            return Ok(known);
        };
        if holds_room(slot.starts_at, slot.ends_at, at) {
            return Ok(known);
        }
        match store::checkpoint_in_room_at(conn, &known.row.stop_id, &slot.room, at)? {
            Some(row) => self.get(conn, &row.id),
            None => Ok(known),
        }
    }

    /// The time zone of the stop `stop_id`, from memory or else from the database; 404 when
    /// unknown.
    pub fn stop_zone(&self, conn: &mut DbConnection, stop_id: &str) -> Result<Tz, AppError> {
        if let Some(zone) = self
            .zones
            .read()
            .ok()
            .and_then(|zones| zones.get(stop_id).copied())
        {
            return Ok(zone);
        }
        let zone = crate::tours::store::find_stop(conn, stop_id)?
            .ok_or(AppError::NotFound("stop"))?
            .timezone
            .tz();
        if let Ok(mut zones) = self.zones.write() {
            zones.insert(stop_id.to_owned(), zone);
        }
        Ok(zone)
    }

    /// Forgets everything (a stop's time zone or start, or a room's name changed).
    pub fn clear(&self) {
        if let Ok(mut known) = self.known.write() {
            known.clear();
        }
        if let Ok(mut zones) = self.zones.write() {
            zones.clear();
        }
    }
}
