//! Signed-in users: server-side sessions in the database behind an opaque cookie.
//!
//! The cookie holds a random 256-bit id; the database stores only its SHA-256, so a copy
//! of the database does not let anyone sign in. Sessions end at sign-out, after
//! [`IDLE_TIMEOUT`] without use, after [`ABSOLUTE_TIMEOUT`], and when the account is
//! deactivated (the lookup joins on `users.active`).

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use chrono::{DateTime, Duration, Utc};
use leptos_axum::ResponseOptions;

use super::{AccessRole, UserInfo};
use crate::error::AppError;
use crate::on_db;
use crate::server::db::Db;
use crate::server::secrets::{hash_token, new_token};

pub const COOKIE_NAME: &str = "ps_session";
pub const IDLE_TIMEOUT: Duration = Duration::days(7);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(30);
/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
const TOUCH_EVERY: Duration = Duration::minutes(5);

/// The signed-in user as the server sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub access_role: String,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub sales_role_id: Option<i64>,
}

impl User {
    pub fn role(&self) -> AccessRole {
        AccessRole::parse(&self.access_role).unwrap_or(AccessRole::Rep)
    }

    pub fn info(&self) -> UserInfo {
        UserInfo {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            team: self.team_name.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    email: String,
    name: String,
    access_role: String,
    team_id: Option<i64>,
    team_name: Option<String>,
    sales_role_id: Option<i64>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

pub fn session_id_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// Looks up the live session behind a cookie value, expiring it when it is too old.
pub async fn user_for_session(
    db: &Db,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>, AppError> {
    let hash = hash_token(session_id);
    const SQL: &str =
        "SELECT u.id, u.email, u.name, u.access_role, u.team_id, t.name AS team_name, \
        u.sales_role_id, s.created_at, s.last_seen_at \
        FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN teams t ON t.id = u.team_id \
        WHERE s.id_hash = $1 AND u.active = TRUE";
    let row: Option<SessionRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(&hash)
        .fetch_optional(pool)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    if now - row.last_seen_at > IDLE_TIMEOUT || now - row.created_at > ABSOLUTE_TIMEOUT {
        on_db!(db, |pool| sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1"
        )
        .bind(&hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        return Ok(None);
    }
    if now - row.last_seen_at > TOUCH_EVERY {
        on_db!(db, |pool| sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2"
        )
        .bind(now)
        .bind(&hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(Some(User {
        id: row.id,
        email: row.email,
        name: row.name,
        access_role: row.access_role,
        team_id: row.team_id,
        team_name: row.team_name,
        sales_role_id: row.sales_role_id,
    }))
}

/// Creates a session and returns the cookie value. A fresh id every sign-in (rotation).
pub async fn create_session(db: &Db, user_id: i64, now: DateTime<Utc>) -> Result<String, AppError> {
    let (id, hash) = new_token();
    on_db!(db, |pool| sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)"
    )
    .bind(&hash)
    .bind(user_id)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

pub async fn delete_session(db: &Db, session_id: &str) -> Result<(), AppError> {
    let hash = hash_token(session_id);
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE id_hash = $1"
    )
    .bind(&hash)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a user (password change, deactivation).
pub async fn delete_user_sessions(db: &Db, user_id: i64) -> Result<(), AppError> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub fn session_cookie(value: &str, secure: bool) -> String {
    let max_age = if value.is_empty() {
        0
    } else {
        ABSOLUTE_TIMEOUT.num_seconds()
    };
    format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Sets (or, with an empty value, clears) the session cookie on the current response.
pub fn set_session_cookie(value: &str, secure: bool) {
    if let Some(opts) = leptos::prelude::use_context::<ResponseOptions>() {
        if let Ok(v) = HeaderValue::from_str(&session_cookie(value, secure)) {
            opts.append_header(SET_COOKIE, v);
        }
    }
}

/// The user behind the current request, if signed in. For server functions and SSR.
pub async fn current_user() -> Result<Option<User>, AppError> {
    crate::server::page_reads::once(|r| r.user.clone(), read_current_user()).await
}

async fn read_current_user() -> Result<Option<User>, AppError> {
    let state = crate::server::state::app_state()?;
    let headers: HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    match session_id_from_headers(&headers) {
        Some(id) => user_for_session(&state.db, &id, Utc::now()).await,
        None => Ok(None),
    }
}

pub async fn require_user() -> Result<User, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in admin, or 403 for anyone else (401 when not signed in).
pub async fn require_admin() -> Result<User, AppError> {
    let user = require_user().await?;
    if user.role() != AccessRole::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// `(user id, password hash)` of an active account, by email.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(i64, Option<String>)>, AppError> {
    if email.contains('\0') {
        // no stored email holds it (PostgreSQL cannot even be asked): an unknown account
        return Ok(None);
    }
    let row: Option<(i64, Option<String>)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, password_hash FROM users WHERE email = $1 AND active = TRUE"
    )
    .bind(email)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}
