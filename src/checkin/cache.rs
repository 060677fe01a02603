//! Checkpoints in memory: every scan names one, and they hardly ever change (only a renamed
//! workshop room renames its checkpoint), so the hot path does not read them from the database.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono_tz::Tz;

use super::store::{self, CheckpointRow};
use crate::db::DbConnection;
use crate::error::AppError;

/// A checkpoint and its stop's time zone.
#[derive(Debug, Clone)]
pub struct KnownCheckpoint {
    pub row: CheckpointRow,
    pub timezone: Tz,
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
        let timezone = crate::tours::store::find_stop(conn, &row.stop_id)?
            .and_then(|s| crate::time::parse_timezone(&s.timezone))
            .unwrap_or(chrono_tz::UTC);
        let found = KnownCheckpoint { row, timezone };
        if let Ok(mut known) = self.known.write() {
            known.insert(id.to_owned(), found.clone());
        }
        Ok(found)
    }

    /// Forgets everything (a stop's time zone or a room's name changed).
    pub fn clear(&self) {
        if let Ok(mut known) = self.known.write() {
            known.clear();
        }
    }
}
