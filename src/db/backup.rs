//! `roadshow backup PATH`: a consistent copy of an SQLite database taken while roadshow serves
//! (`VACUUM INTO` reads one snapshot; writers go on, WAL mode). PostgreSQL has its own tools,
//! which know more than roadshow could: the command says which.

use std::path::Path;

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use super::DbConnection;

/// How to back a PostgreSQL database up, as the command and the README say.
pub const POSTGRES_WAY: &str = "on PostgreSQL, use the server's tools: \
    `pg_dump --format=custom --file=roadshow.dump \"$DATABASE_URL\"` (consistent while roadshow \
    serves), restored with `pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" \
    roadshow.dump`; or the managed service's snapshots and point-in-time recovery";

/// Writes a copy of the database to `path` (a new file); returns its size in bytes.
pub fn backup(conn: &mut DbConnection, path: &Path) -> anyhow::Result<u64> {
    match conn {
        DbConnection::Sqlite(sqlite) => {
            if path.exists() {
                anyhow::bail!("{} exists already: choose a new file", path.display());
            }
            let target = path
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("the path is not UTF-8: {}", path.display()))?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(target)
                .execute(sqlite)?;
            Ok(std::fs::metadata(path)?.len())
        }
        DbConnection::Pg(_) => anyhow::bail!("{POSTGRES_WAY}"),
    }
}
