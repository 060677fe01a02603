//! Database access: one diesel code path over SQLite and PostgreSQL, chosen by `DATABASE_URL`.

pub mod backup;
pub mod checkpoint;
pub mod group_commit;
pub mod liveness;
pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;
use crate::error::AppError;

/// A connection to either backend. Queries written once against this enum run on both; the few
/// statements that differ match on the variant inside the area's `store.rs`.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend of [`DbConnection`], for queries boxed before they are run (dynamic filters).
pub type Backend = <DbConnection as diesel::Connection>::Backend;

/// The connection pool shared by all handlers and workers.
#[derive(Clone)]
pub struct DbPool {
    pool: r2d2::Pool<ConnectionManager>,
    /// SQLite has one writer at a time. Queuing this process's writers on a lock, rather than
    /// letting each spin in SQLite's busy handler (which sleeps up to 100 ms between tries),
    /// keeps the latency tail short. Other processes on the same file still meet the busy timeout.
    sqlite_writer: Option<std::sync::Arc<std::sync::Mutex<()>>>,
    /// SQLite's WAL checkpoints, off the writers' path (see `checkpoint`).
    checkpointer: Option<checkpoint::Checkpointer>,
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbPool")
            .field("state", &self.pool.state())
            .finish()
    }
}

impl DbPool {
    /// A connection from the pool (waits up to the connection timeout).
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, r2d2::PoolError> {
        self.pool.get()
    }

    /// Runs `work` in one write transaction on this thread (which may block): what
    /// [`transaction`] does on the blocking pool.
    pub fn write_blocking<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self
            .get()
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        self.write_on(&mut conn, work)
    }

    /// What [`Self::write_blocking`] does, on a connection of this pool that the caller holds
    /// (a group-commit writer keeps one): on SQLite in this process's writer turn, after which
    /// the checkpoint thread is nudged.
    pub fn write_on<T>(
        &self,
        conn: &mut DbConnection,
        work: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        // A poisoned lock only means another writer panicked; the database is still consistent.
        let _turn = self
            .sqlite_writer
            .as_ref()
            .map(|lock| lock.lock().unwrap_or_else(|e| e.into_inner()));
        let written = write_transaction(conn, work);
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.nudge();
        }
        written
    }

    /// SQLite WAL checkpoints run off the writers' path since the start (0 on PostgreSQL).
    pub fn checkpoints(&self) -> u64 {
        self.checkpointer.as_ref().map_or(0, |c| c.checkpoints())
    }

    /// Open and idle connections, for metrics.
    pub fn state(&self) -> r2d2::State {
        self.pool.state()
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Opens connections of the backend named by the URL scheme (no trial and error, real errors).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => SqliteConnection::establish(path)
                .map(DbConnection::Sqlite)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    /// Tested as it leaves the pool (PostgreSQL only, see `build_pool`), unless it answered a
    /// moment ago (see `liveness`).
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        if liveness_of(conn).is_some_and(|l| l.recently_alive()) {
            return Ok(());
        }
        r2d2::R2D2Connection::ping(conn).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking()
            || r2d2::R2D2Connection::is_broken(conn)
            || liveness_of(conn).is_some_and(|l| l.lost())
    }
}

/// What the pool knows of a PostgreSQL connection's health (none for SQLite: a file does not
/// go away).
fn liveness_of(conn: &mut DbConnection) -> Option<&liveness::Liveness> {
    match conn {
        DbConnection::Pg(c) => c.instrumentation().downcast_ref(),
        DbConnection::Sqlite(_) => None,
    }
}

/// Set on every pooled connection as it opens. SQLite: WAL so that readers never wait for the
/// writer, a busy timeout so concurrent writers queue instead of failing, foreign keys on, and
/// checkpoints left to the pool's checkpoint thread (see `checkpoint`), temporary b-trees and
/// statement journals in memory (a statement writing many rows journals more than SQLite's 64 KiB
/// before spilling to a file, which was then created, written and unlinked at every commit).
/// PostgreSQL: a watch on its statements, so that the pool need not test it each time.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        match conn {
            DbConnection::Sqlite(c) => c
                .batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA wal_autocheckpoint = {}; PRAGMA temp_store = MEMORY;",
                    checkpoint::SAFETY_NET_PAGES
                ))
                .map_err(r2d2::Error::QueryError)?,
            DbConnection::Pg(c) => c.set_instrumentation(liveness::Liveness::new()),
        }
        Ok(())
    }
}

/// Builds the pool. SQLite serialises writers anyway, so a small pool is enough there.
pub fn build_pool(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<DbPool> {
    let max_size = match url {
        DatabaseUrl::Sqlite(_) => max_size.min(8),
        DatabaseUrl::Postgres(_) => max_size,
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        // A PostgreSQL connection can go stale (server restart): test it when it leaves the
        // pool, unless it answered a moment ago. A SQLite file cannot.
        .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(ConnectionManager { url: url.clone() })?;
    let sqlite_writer = matches!(url, DatabaseUrl::Sqlite(_)).then(Default::default);
    let checkpointer = match url {
        DatabaseUrl::Sqlite(path) => Some(checkpoint::Checkpointer::start(path)?),
        DatabaseUrl::Postgres(_) => None,
    };
    Ok(DbPool {
        pool,
        sqlite_writer,
        checkpointer,
    })
}

/// Runs the pending migrations of the connection's backend; returns the versions applied.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let migrations = match conn {
        DbConnection::Pg(_) => PG_MIGRATIONS,
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
    };
    let applied = conn
        .run_pending_migrations(migrations)
        .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Runs blocking diesel work on the thread pool so that it never stalls the async workers.
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool
            .get()
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database task failed: {e}")))?
}

/// Runs `work` in one transaction; an `Err` rolls everything back.
pub async fn transaction<T, F>(pool: &DbPool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || pool.write_blocking(work))
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database task failed: {e}")))?
}

/// A transaction that will write. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write
/// lock first: a deferred transaction that reads and then writes fails at once with "database
/// is locked" when another writer got in between, whereas an immediate one waits its turn
/// (busy timeout). PostgreSQL's row locks need no such care.
pub fn write_transaction<T, F>(conn: &mut DbConnection, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    match conn {
        DbConnection::Pg(_) => conn.transaction(work),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = work(conn);
            let DbConnection::Sqlite(inner) = conn else {
                unreachable!("the variant does not change during a transaction")
            };
            match result {
                Ok(value) => {
                    AnsiTransactionManager::commit_transaction(inner)?;
                    Ok(value)
                }
                Err(e) => {
                    AnsiTransactionManager::rollback_transaction(inner)?;
                    Err(e)
                }
            }
        }
    }
}

/// True when the error is a unique-constraint violation (a duplicate that becomes a 409).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// `column IN (SELECT value FROM json_each(?))` on SQLite: the values bound as one JSON array.
/// The statement's text is then the same whatever their number, and diesel keeps it prepared
/// (see [`any_of!`]). Diesel's `eq_any` on SQLite binds each value on its own, so that SQLite
/// compiled a new statement for every group of scans; a `dsl::sql` fragment is never kept.
#[derive(Debug, Clone)]
pub struct InJsonList<C> {
    column: C,
    list: String,
}

impl<C> InJsonList<C> {
    pub fn new(column: C, values: &[&str]) -> Self {
        // A list of strings always serialises; the empty list would only find nothing.
        let list = serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned());
        Self { column, list }
    }
}

impl<C: diesel::Expression> diesel::Expression for InJsonList<C> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C> diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for InJsonList<C>
where
    C: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> diesel::QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<diesel::sql_types::Text, _>(&self.list)?;
        out.push_sql("))");
        Ok(())
    }
}

/// Known by its type, as diesel's own expressions are: the list is a bound value, not SQL.
impl<C: diesel::query_builder::QueryId> diesel::query_builder::QueryId for InJsonList<C> {
    type QueryId = InJsonList<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C, QS> diesel::AppearsOnTable<QS> for InJsonList<C> where C: diesel::AppearsOnTable<QS> {}

impl<C: diesel::expression::ValidGrouping<()>> diesel::expression::ValidGrouping<()>
    for InJsonList<C>
{
    type IsAggregate = C::IsAggregate;
}

/// Runs `$query` with `$listed` standing for `$column IN $values` (a slice of `&str`), on the
/// connection `$c` of either backend, bound so that the statement stays prepared whatever the
/// number of values: an array on PostgreSQL (`= ANY($1)`), a JSON array on SQLite
/// ([`InJsonList`]). For the reads that take a group of scans or search results at once.
#[macro_export]
macro_rules! any_of {
    ($conn:expr, $column:expr, $values:expr, |$c:ident, $listed:ident| $query:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => {
                let $listed = $column.eq_any($values.iter().copied());
                $query
            }
            $crate::db::DbConnection::Sqlite($c) => {
                let $listed = $crate::db::InJsonList::new($column, $values);
                $query
            }
        }
    };
}
pub use any_of;

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;
    use diesel::query_builder::{QueryFragment, QueryId};
    use schema::badge_keys;

    #[test]
    fn a_json_list_finds_its_values_in_a_statement_diesel_keeps() {
        let mut conn = DbConnection::Sqlite(
            SqliteConnection::establish(":memory:").expect("an in-memory database"),
        );
        run_migrations(&mut conn).expect("migrated");
        for kid in ["k1", "k2", "k3"] {
            diesel::insert_into(badge_keys::table)
                .values((
                    badge_keys::kid.eq(kid),
                    badge_keys::public_key.eq("-"),
                    badge_keys::created_at.eq(crate::time::now()),
                ))
                .execute(&mut conn)
                .expect("inserted");
        }
        let found = |conn: &mut DbConnection, kids: &[&str]| -> Vec<String> {
            any_of!(conn, badge_keys::kid, kids, |c, listed| badge_keys::table
                .filter(listed)
                .select(badge_keys::kid)
                .order(badge_keys::kid)
                .load(c))
            .expect("read")
        };
        assert_eq!(found(&mut conn, &["k3", "k1", "nobody"]), ["k1", "k3"]);
        assert_eq!(found(&mut conn, &["k2"]), ["k2"]);
        assert!(found(&mut conn, &[]).is_empty());
        assert_eq!(found(&mut conn, &["\"k1\"", "k1'--"]), Vec::<String>::new());

        // Known by its type and safe to keep: diesel prepares it once per connection, whatever
        // the number of values (diesel's own `eq_any` on SQLite is neither).
        let query = badge_keys::table
            .filter(InJsonList::new(badge_keys::kid, &["k1", "k2"]))
            .select(badge_keys::kid);
        fn has_static_id<Q: QueryId>(_: &Q) -> bool {
            Q::query_id().is_some()
        }
        assert!(has_static_id(&query));
        let backend = diesel::sqlite::Sqlite;
        assert!(
            QueryFragment::<diesel::sqlite::Sqlite>::is_safe_to_cache_prepared(&query, &backend)
                .expect("walked")
        );
        let with_eq_any = badge_keys::table
            .filter(badge_keys::kid.eq_any(["k1", "k2"]))
            .select(badge_keys::kid);
        assert!(
            !QueryFragment::<diesel::sqlite::Sqlite>::is_safe_to_cache_prepared(
                &with_eq_any,
                &backend
            )
            .expect("walked")
        );
    }
}
