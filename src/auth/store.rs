//! Rows and queries for users, API tokens and sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{api_tokens, devices, sessions, stops, users};

/// A stored account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_user(conn: &mut DbConnection, row: &NewUserRow<'_>) -> QueryResult<usize> {
    diesel::insert_into(users::table).values(row).execute(conn)
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn count_users(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn insert_api_token(conn: &mut DbConnection, row: &NewApiToken<'_>) -> QueryResult<usize> {
    diesel::insert_into(api_tokens::table)
        .values(row)
        .execute(conn)
}

/// The user owning a live (unexpired, unrevoked) token.
pub fn find_user_by_token_hash(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(User, NaiveDateTime)>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::expires_at.gt(now))
        .filter(api_tokens::revoked_at.is_null())
        .select((User::as_select(), api_tokens::expires_at))
        .first(conn)
        .optional()
}

pub fn insert_session(conn: &mut DbConnection, row: &NewSession<'_>) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
}

/// The user of a live session.
pub fn find_user_by_session(
    conn: &mut DbConnection,
    id_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id_hash.eq(id_hash))
        .filter(sessions::expires_at.gt(now))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn delete_session(conn: &mut DbConnection, id_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::id_hash.eq(id_hash))).execute(conn)
}

/// Drops expired sessions, so that the table does not grow forever.
pub fn delete_expired_sessions(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

pub fn insert_device(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    stop_id: &str,
    name: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(devices::table)
        .values((
            devices::id.eq(id),
            devices::user_id.eq(user_id),
            devices::stop_id.eq(stop_id),
            devices::name.eq(name),
            devices::token_hash.eq(token_hash),
            devices::created_at.eq(now),
        ))
        .execute(conn)
}

/// The user, device id, stop and stop end of a live device token: unrevoked, and its stop
/// ended after `ended_after` (a device is for one stop's day, not forever).
pub fn find_user_by_device_token(
    conn: &mut DbConnection,
    token_hash: &str,
    ended_after: NaiveDateTime,
) -> QueryResult<Option<(User, String, String, NaiveDateTime)>> {
    devices::table
        .inner_join(users::table)
        .inner_join(stops::table)
        .filter(devices::token_hash.eq(token_hash))
        .filter(devices::revoked_at.is_null())
        .filter(stops::ends_at.gt(ended_after))
        .select((
            User::as_select(),
            devices::id,
            devices::stop_id,
            stops::ends_at,
        ))
        .first(conn)
        .optional()
}

/// A scanner device as listed for admins.
#[derive(Debug, Clone, Queryable)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub user_name: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn list_devices(conn: &mut DbConnection, stop_id: &str) -> QueryResult<Vec<DeviceRow>> {
    devices::table
        .inner_join(users::table)
        .filter(devices::stop_id.eq(stop_id))
        .order(devices::created_at.desc())
        .select((
            devices::id,
            devices::name,
            users::name,
            devices::created_at,
            devices::revoked_at,
        ))
        .load(conn)
}

/// Revokes a device; 0 rows when unknown or already revoked.
pub fn revoke_device(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        devices::table
            .find(id)
            .filter(devices::revoked_at.is_null()),
    )
    .set(devices::revoked_at.eq(now))
    .execute(conn)
}
