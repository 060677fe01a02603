//! SQLite's WAL checkpoints on a thread of their own. By default the connection that commits
//! past 1,000 pages of WAL copies them into the database file before its commit returns; here
//! that connection is the one writer every scan and registration waits on, so the copy stalled
//! them all (the door's p99) and took the writer's time. Instead, each write transaction of the
//! pool nudges this thread, which waits a few milliseconds for more to gather and then runs a
//! passive checkpoint: it copies what no reader still needs and never blocks the writer. The
//! connections keep an automatic checkpoint far above, as a safety net.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

/// How long a nudge waits for others: checkpoints small enough to be quick, few enough to
/// cost little.
const GATHER: Duration = Duration::from_millis(5);

/// WAL pages past which a committing connection checkpoints by itself (the default is 1,000):
/// reached only if this thread falls behind or stops.
pub const SAFETY_NET_PAGES: u32 = 10_000;

/// The handle to the checkpoint thread: it ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct Checkpointer {
    nudge: mpsc::SyncSender<()>,
    done: Arc<AtomicU64>,
}

impl Checkpointer {
    /// Starts the thread for the database at `path`.
    pub fn start(path: &str) -> std::io::Result<Self> {
        let (nudge, nudged) = mpsc::sync_channel(1);
        let done = Arc::new(AtomicU64::new(0));
        let (path, counted) = (path.to_owned(), Arc::clone(&done));
        std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || run(&path, &nudged, &counted))?;
        Ok(Self { nudge, done })
    }

    /// Says that a write was committed. Never waits: a nudge already pending stands for this one.
    pub fn nudge(&self) {
        let _ = self.nudge.try_send(());
    }

    /// Checkpoints run since the start.
    pub fn checkpoints(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
}

fn run(path: &str, nudged: &mpsc::Receiver<()>, done: &AtomicU64) {
    let mut conn = match SqliteConnection::establish(path) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "WAL checkpoints left to the writers: no connection");
            return;
        }
    };
    while nudged.recv().is_ok() {
        std::thread::sleep(GATHER);
        while nudged.try_recv().is_ok() {}
        match conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
            Ok(()) => {
                done.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a commit leaves in the WAL reaches the database file through the thread alone:
    /// the writing connection, still open, never checkpoints by itself below the safety net.
    #[test]
    fn a_nudge_copies_the_wal_into_the_database_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("checkpoint.db");
        let path = path.to_str().expect("utf-8 path");
        let mut writer = SqliteConnection::establish(path).expect("sqlite");
        writer
            .batch_execute(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES};
                 CREATE TABLE t (x TEXT);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
                 INSERT INTO t SELECT hex(randomblob(500)) FROM n;"
            ))
            .expect("written");
        let file = || std::fs::metadata(path).expect("database file").len();
        let before = file();
        let checkpointer = Checkpointer::start(path).expect("started");
        checkpointer.nudge();
        for _ in 0..500 {
            if checkpointer.checkpoints() > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(checkpointer.checkpoints(), 1);
        // A thousand rows of 1,000 characters: a megabyte moved from the WAL into the file.
        assert!(file() >= before + 1_000_000, "{before} → {}", file());
        drop(writer);
    }
}
