//! The door's floor. On a copy of a roadshow SQLite database (its schema, its triggers, a stop's
//! registrations), writes what a group of scans at the entrance must write before it is
//! answered: a check-in row and a scan row per scan, in one transaction per group, with
//! prepared statements and nothing else: no HTTP, no JSON, no diesel. Parts are added one at a
//! time, so that each line shows what it costs. Prints the process's CPU time per scan.
//!
//!     door-floor DATABASE GROUP SCANS

use std::time::Instant;

use ed25519_dalek::{Signer, SigningKey};
use rusqlite::{Connection, params};

/// The process's CPU time (user + system) so far, in seconds, from /proc.
fn cpu_seconds() -> Result<f64, Box<dyn std::error::Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let after_name = stat.rsplit_once(") ").ok_or("no /proc/self/stat")?.1;
    let fields: Vec<&str> = after_name.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

struct Part {
    label: &'static str,
    check_ins: bool,
    scans: bool,
    foreign_keys: bool,
    counters: bool,
    read: bool,
}

const PARTS: [Part; 7] = [
    Part {
        label: "a transaction per group, nothing written",
        check_ins: false,
        scans: false,
        foreign_keys: false,
        counters: false,
        read: false,
    },
    Part {
        label: "the check-in row",
        check_ins: true,
        scans: false,
        foreign_keys: false,
        counters: false,
        read: false,
    },
    Part {
        label: "the scan row",
        check_ins: false,
        scans: true,
        foreign_keys: false,
        counters: false,
        read: false,
    },
    Part {
        label: "both rows",
        check_ins: true,
        scans: true,
        foreign_keys: false,
        counters: false,
        read: false,
    },
    Part {
        label: "both rows, foreign keys checked",
        check_ins: true,
        scans: true,
        foreign_keys: true,
        counters: false,
        read: false,
    },
    Part {
        label: "  + the counters (roadshow's triggers)",
        check_ins: true,
        scans: true,
        foreign_keys: true,
        counters: true,
        read: false,
    },
    Part {
        label: "  + the group's registrations read",
        check_ins: true,
        scans: true,
        foreign_keys: true,
        counters: true,
        read: true,
    },
];

fn run(
    source: &str,
    group: usize,
    count: usize,
    part: &Part,
) -> Result<f64, Box<dyn std::error::Error>> {
    // What the server left in its WAL goes into the file first: the copy is of the file alone.
    Connection::open(source)?.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    let copy = format!("{source}.floor");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{copy}{ext}"));
    }
    std::fs::copy(source, &copy)?;
    let db = Connection::open(&copy)?;
    // roadshow's connection settings (src/db/mod.rs); checkpoints stay in this thread, as they
    // cost the machine the same wherever they run.
    db.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;
         PRAGMA foreign_keys = {};",
        if part.foreign_keys { "ON" } else { "OFF" }
    ))?;
    if !part.counters {
        let triggers: Vec<String> = db
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'check_ins'",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for trigger in triggers {
            db.execute_batch(&format!("DROP TRIGGER {trigger}"))?;
        }
    }
    let (stop, checkpoint): (String, String) = db.query_row(
        "SELECT c.stop_id, c.id FROM checkpoints c JOIN registrations r ON r.stop_id = c.stop_id
          WHERE c.kind = 'entrance' GROUP BY c.id ORDER BY count(*) DESC LIMIT 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    // The badges in an order unrelated to the registrations' ids, as at a door.
    let ids: Vec<String> = db
        .prepare(
            "SELECT id FROM registrations WHERE stop_id = ?1
              AND id NOT IN (SELECT registration_id FROM check_ins WHERE checkpoint_id = ?2)
              ORDER BY substr(id, 30) LIMIT ?3",
        )?
        .query_map(params![stop, checkpoint, count as i64], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err("no registration left to scan".into());
    }
    let at = "2030-01-01 09:31:07.123456";
    let (cpu_before, started) = (cpu_seconds()?, Instant::now());
    for badges in ids.chunks(group) {
        db.execute_batch("BEGIN IMMEDIATE")?;
        if part.read {
            let list = format!("[\"{}\"]", badges.join("\",\""));
            let mut read = db.prepare_cached(
                "SELECT * FROM registrations WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = read.query([&list])?;
            while rows.next()?.is_some() {}
        }
        for registration in badges {
            let scan_id = uuid::Uuid::now_v7().to_string();
            if part.check_ins {
                db.prepare_cached(
                    "INSERT INTO check_ins (checkpoint_id, registration_id, stop_id, scan_id, scanned_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )?
                .execute(params![checkpoint, registration, stop, scan_id, at])?;
            }
            if part.scans {
                db.prepare_cached(
                    "INSERT INTO scans (id, stop_id, checkpoint_id, registration_id, result, user_id,
                                        device_id, scanned_at, received_at)
                     VALUES (?1, ?2, ?3, ?4, 'ok', NULL, NULL, ?5, ?5) ON CONFLICT DO NOTHING",
                )?
                .execute(params![scan_id, stop, checkpoint, registration, at])?;
            }
        }
        db.execute_batch("COMMIT")?;
    }
    let cpu = cpu_seconds()? - cpu_before;
    let wall = started.elapsed().as_secs_f64();
    drop(db);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{copy}{ext}"));
    }
    let per_scan = cpu * 1e6 / ids.len() as f64;
    println!(
        "{:44} {:7.1} µs CPU per scan ({:.1} wall)",
        part.label,
        per_scan,
        wall * 1e6 / ids.len() as f64
    );
    Ok(per_scan)
}

/// What checking a badge by signing its 29 bytes again costs (roadshow's check for its own key).
fn badge_check() -> Result<f64, Box<dyn std::error::Error>> {
    let key = SigningKey::from_bytes(&[7; 32]);
    let mut message = [0u8; 29];
    let rounds = 20_000u32;
    let cpu_before = cpu_seconds()?;
    let mut kept = 0u8;
    for i in 0..rounds {
        message[..4].copy_from_slice(&i.to_le_bytes());
        kept ^= key.sign(&message).to_bytes()[0];
    }
    let per_badge = (cpu_seconds()? - cpu_before) * 1e6 / f64::from(rounds);
    println!(
        "{:44} {:7.1} µs CPU per badge ({kept:02x})",
        "a badge checked by signing it again", per_badge
    );
    Ok(per_badge)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, database, group, count] = args.as_slice() else {
        return Err("usage: door-floor DATABASE GROUP SCANS".into());
    };
    let (group, count): (usize, usize) = (group.parse()?, count.parse()?);
    println!(
        "SQLite {}, groups of {group}, {count} scans at one entrance",
        rusqlite::version()
    );
    let mut figures = Vec::new();
    for part in &PARTS {
        figures.push(run(database, group, count, part)?);
    }
    let badge = badge_check()?;
    // For bench/door-floor.sh: both rows with foreign keys, with the counters, and the badge.
    println!("FLOOR {:.1} {:.1} {:.1}", figures[4], figures[5], badge);
    Ok(())
}
