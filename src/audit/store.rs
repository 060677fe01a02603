//! The audit table: insert and read, nothing else (the log is append-only).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::audit_log;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
// `None` written as NULL (the columns have no other default) rather than `DEFAULT`: an insert
// whose text depends on its values is one diesel never keeps prepared, and on SQLite a
// multi-row insert with `DEFAULT` becomes a statement per row.
#[diesel(treat_none_as_default_value = false)]
pub struct Entry {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub details: String,
}

pub fn insert(conn: &mut DbConnection, entry: &Entry) -> QueryResult<usize> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// An actor's e-mail or id; `system` for the entries roadshow made itself.
    pub actor: Option<String>,
    /// An action (`tour.created`) or a target type and its dot (`tour.`).
    pub action: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub target_id: Option<String>,
}

/// Entries matching `filter`, newest first, at most `limit`.
pub fn list(conn: &mut DbConnection, filter: &Filter, limit: i64) -> QueryResult<Vec<Entry>> {
    let mut query = audit_log::table.into_boxed();
    match filter.actor.as_deref() {
        Some("system") => query = query.filter(audit_log::actor_id.is_null()),
        Some(actor) => {
            query = query.filter(
                audit_log::actor_email
                    .eq(actor.to_lowercase())
                    .or(audit_log::actor_id.eq(actor.to_owned())),
            )
        }
        None => {}
    }
    match filter.action.as_deref() {
        Some(prefix) if prefix.ends_with('.') => {
            query = query.filter(audit_log::action.like(format!("{prefix}%")))
        }
        Some(action) => query = query.filter(audit_log::action.eq(action.to_owned())),
        None => {}
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::at.ge(since));
    }
    if let Some(target) = filter.target_id.as_deref() {
        query = query.filter(audit_log::target_id.eq(target.to_owned()));
    }
    query
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)
}

/// The actions recorded so far, for the page's filter.
pub fn actions(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    audit_log::table
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action.asc())
        .load(conn)
}
