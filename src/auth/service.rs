//! Account operations shared by the CLI, the API and the pages.

use chrono::{Duration, NaiveDateTime, Utc};

pub use super::cache::{
    FAILED_LOGIN_WINDOW, LoginThrottle, MAX_FAILED_LOGINS, TOKEN_CACHE_TTL, TokenCache,
};
use super::policy::{CurrentUser, Role};
use super::{password, secret, store};
use crate::audit::{self, Actor, Change};
use crate::db::{self, DbConnection};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::validation::{EmailAddress, required_text};

/// A validated new account.
#[derive(Debug)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub password: String,
}

impl NewUser {
    /// Checks every field and reports all problems at once.
    pub fn parse(email: &str, name: &str, role: &str, password: &str) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let email = EmailAddress::parse(email);
        if email.is_none() {
            errors.add("email", "must be a valid e-mail address");
        }
        let name = required_text(&mut errors, "name", name, 200);
        let role = Role::parse(role);
        if role.is_none() {
            errors.add("role", "must be admin, marketing or staff");
        }
        if password.chars().count() < 8 {
            errors.add("password", "must have at least 8 characters");
        } else if password.len() > 1024 {
            errors.add("password", "v.too_long");
        }
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(Self {
                email,
                name,
                role,
                password: password.to_owned(),
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// Stores a new account (the CLI and the demo loader use this; roadshow is the actor in the
/// audit log, as no one is signed in). A taken e-mail is a conflict.
pub fn create_user(conn: &mut DbConnection, user: &NewUser) -> Result<String, AppError> {
    let id = uuid::Uuid::new_v4().to_string();
    let hash = password::hash(&user.password)?;
    let row = store::NewUserRow {
        id: &id,
        email: user.email.as_ref(),
        name: &user.name,
        role: user.role.as_str(),
        password_hash: &hash,
        created_at: Utc::now().naive_utc(),
    };
    store::insert_user(conn, &row).map_err(|e| {
        if db::is_unique_violation(&e) {
            AppError::Conflict("a user with this e-mail already exists".into())
        } else {
            e.into()
        }
    })?;
    audit::record(
        conn,
        None,
        Change::new("user.created", "user", &id)
            .with(serde_json::json!({"email": row.email, "role": row.role})),
    )?;
    Ok(id)
}

fn to_current(user: store::User) -> Result<CurrentUser, AppError> {
    let role = Role::parse(&user.role).ok_or_else(|| {
        AppError::Unexpected(anyhow::anyhow!("user {} has unknown role", user.id))
    })?;
    Ok(CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        role,
        device: None,
    })
}

/// Checks an e-mail and password. Unknown e-mail and wrong password give the same `None`,
/// after the same amount of hashing work. An account with too many recent failures is
/// refused (429) before any hashing, whatever the password.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password_attempt: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let email = email.trim().to_lowercase();
    if state
        .login_failures
        .locked(&email, std::time::Instant::now())
    {
        tracing::warn!("login refused: too many failed attempts on this account");
        return Err(AppError::TooManyRequests);
    }
    let attempt = password_attempt.to_owned();
    let typed = email.clone();
    let user = db::run(&state.pool, move |conn| {
        let user = store::find_user_by_email(conn, &typed)?;
        let stored = user
            .as_ref()
            .map_or(password::dummy_hash(), |u| u.password_hash.as_str());
        let matches = password::verify(&attempt, stored);
        match user {
            Some(user) if matches => Ok(Some(to_current(user)?)),
            _ => Ok(None),
        }
    })
    .await?;
    match &user {
        Some(_) => state.login_failures.succeeded(&email),
        None => state
            .login_failures
            .failed(&email, std::time::Instant::now()),
    }
    Ok(user)
}

/// A new bearer token for `user`: returns the secret (shown once) and its expiry.
pub async fn issue_token(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(String, NaiveDateTime), AppError> {
    let token = format!("rs_{}", secret::random_token());
    let token_hash = secret::hash_token(&token);
    let now = Utc::now().naive_utc();
    let expires_at = now + Duration::hours(state.settings.token_ttl_hours);
    let user_id = user.id.clone();
    let actor = Actor::from(user);
    db::transaction(&state.pool, move |conn| {
        let id = uuid::Uuid::new_v4().to_string();
        store::insert_api_token(
            conn,
            &store::NewApiToken {
                id: &id,
                user_id: &user_id,
                token_hash: &token_hash,
                created_at: now,
                expires_at,
            },
        )?;
        // A credential was made: who holds API access, and since when, is part of the record.
        audit::record(
            conn,
            Some(&actor),
            Change::new("token.created", "token", &id)
                .with(serde_json::json!({"expires_at": expires_at})),
        )?;
        Ok(())
    })
    .await?;
    Ok((token, expires_at))
}

/// Prefix of scanner device tokens (user tokens start with `rs_`).
pub const DEVICE_TOKEN_PREFIX: &str = "rsd_";

/// The user (or scanner device) behind a bearer token, if it is live.
pub async fn user_for_token(
    state: &AppState,
    token: String,
) -> Result<Option<CurrentUser>, AppError> {
    let token_hash = secret::hash_token(&token);
    if let Some(user) = state.tokens.get(&token_hash) {
        return Ok(Some(user));
    }
    let is_device = token.starts_with(DEVICE_TOKEN_PREFIX);
    let device_days = Duration::days(state.settings.device_token_days_after_stop);
    let hash = token_hash.clone();
    let found = db::run(&state.pool, move |conn| {
        let now = Utc::now().naive_utc();
        if is_device {
            return store::find_user_by_device_token(conn, &hash, now - device_days)?
                .map(|(user, device_id, stop_id, stop_ends_at)| {
                    let mut current = to_current(user)?;
                    current.device = Some(super::policy::DeviceBinding {
                        id: device_id,
                        stop_id,
                    });
                    // Never trusted past its expiry, as user tokens.
                    let left = (stop_ends_at + device_days - now)
                        .to_std()
                        .unwrap_or_default()
                        .min(TOKEN_CACHE_TTL);
                    Ok((current, left))
                })
                .transpose();
        }
        store::find_user_by_token_hash(conn, &hash, now)?
            .map(|(user, expires_at)| {
                // Never trusted past its expiry.
                let left = (expires_at - now)
                    .to_std()
                    .unwrap_or_default()
                    .min(TOKEN_CACHE_TTL);
                Ok((to_current(user)?, left))
            })
            .transpose()
    })
    .await?;
    Ok(found.map(|(user, ttl)| {
        state
            .tokens
            .put(token_hash, user.clone(), std::time::Instant::now() + ttl);
        user
    }))
}

/// A new scanner device for `user` at `stop_id`: returns `(device id, token)`; the token is
/// shown once and works with the scanner scope at that stop only, until an admin revokes the
/// device or `ROADSHOW_DEVICE_TOKEN_DAYS_AFTER_STOP` days after the stop ends.
pub fn register_device(
    conn: &mut DbConnection,
    user: &CurrentUser,
    stop_id: &str,
    name: &str,
) -> Result<(String, String), AppError> {
    let id = uuid::Uuid::new_v4().to_string();
    let token = format!("{DEVICE_TOKEN_PREFIX}{}", secret::random_token());
    store::insert_device(
        conn,
        &id,
        &user.id,
        stop_id,
        name,
        &secret::hash_token(&token),
        Utc::now().naive_utc(),
    )?;
    Ok((id, token))
}

/// Opens a page session; returns the cookie value.
pub async fn open_session(state: &AppState, user: &CurrentUser) -> Result<String, AppError> {
    let session = secret::random_token();
    let id_hash = secret::hash_token(&session);
    let now = Utc::now().naive_utc();
    let expires_at = now + Duration::hours(state.settings.session_ttl_hours);
    let user_id = user.id.clone();
    db::run(&state.pool, move |conn| {
        store::delete_expired_sessions(conn, now)?;
        store::insert_session(
            conn,
            &store::NewSession {
                id_hash: &id_hash,
                user_id: &user_id,
                created_at: now,
                expires_at,
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(session)
}

/// The user of a page session cookie, if it is live.
pub async fn user_for_session(
    state: &AppState,
    session: String,
) -> Result<Option<CurrentUser>, AppError> {
    let id_hash = secret::hash_token(&session);
    db::run(&state.pool, move |conn| {
        store::find_user_by_session(conn, &id_hash, Utc::now().naive_utc())?
            .map(to_current)
            .transpose()
    })
    .await
}

/// Ends a page session (logout).
pub async fn close_session(state: &AppState, session: String) -> Result<(), AppError> {
    let id_hash = secret::hash_token(&session);
    db::run(&state.pool, move |conn| {
        store::delete_session(conn, &id_hash)?;
        Ok(())
    })
    .await
}

/// The use case "revoke a device" (admin): its token is refused from the next request on, in
/// this process at once (the token cache is cleared by the event). 404 for an unknown device.
pub async fn revoke_device(
    pool: &crate::db::DbPool,
    events: &crate::events::Dispatcher,
    actor: Actor,
    id: String,
) -> Result<(), AppError> {
    let revoked = db::transaction(pool, move |conn| {
        let revoked = store::revoke_device(conn, &id, Utc::now().naive_utc())?;
        if revoked > 0 {
            audit::record(
                conn,
                Some(&actor),
                Change::new("device.revoked", "device", &id),
            )?;
            // Other processes drop the token they may hold in their cache.
            crate::freshness::bump(conn, crate::freshness::Topic::Credentials)?;
        }
        Ok(revoked)
    })
    .await?;
    events.publish([crate::events::DomainEvent::DeviceRevoked]);
    if revoked == 0 {
        return Err(AppError::NotFound("device"));
    }
    Ok(())
}
