//! Checkpoints in memory: every scan names one, and they hardly ever change (only a renamed
//! workshop room renames its checkpoint), so the hot path does not read them from the database.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use super::store::{self, CheckpointRow};
use crate::db::DbConnection;
use crate::error::AppError;

/// A checkpoint, its stop's time zone and start (which bounds the scan times a device may claim).
#[derive(Debug, Clone)]
pub struct KnownCheckpoint {
    pub row: CheckpointRow,
    pub timezone: Tz,
    pub stop_starts_at: NaiveDateTime,
}

/// Checkpoints read once, kept for the life of the process.
#[derive(Debug, Default)]
pub struct CheckpointCache {
    known: RwLock<HashMap<String, KnownCheckpoint>>,
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
        let found = KnownCheckpoint {
            row,
            timezone,
            stop_starts_at: stop.starts_at,
        };
        if let Ok(mut known) = self.known.write() {
            known.insert(id.to_owned(), found.clone());
        }
        Ok(found)
    }

    /// Forgets everything (a stop's time zone or start, or a room's name changed).
    pub fn clear(&self) {
        if let Ok(mut known) = self.known.write() {
            known.clear();
        }
    }
}
