//! Accounts and teams as stored: lookups for sign-in and creation for the CLI, seed and admin.

use chrono::Utc;

use super::db::Db;
use super::secrets::hash_password;
use crate::auth::AccessRole;
use crate::error::AppError;
use crate::on_db;

/// `(user id, password hash)` of an active account, by email.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(i64, Option<String>)>, AppError> {
    let row: Option<(i64, Option<String>)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, password_hash FROM users WHERE email = $1 AND active = TRUE"
    )
    .bind(email)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

pub async fn team_id(db: &Db, name: &str, create: bool) -> Result<Option<i64>, AppError> {
    if create {
        on_db!(db, |pool| sqlx::query(
            "INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
        )
        .bind(name)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let id: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM teams WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(pool)
    .await)?;
    Ok(id)
}

/// The longest team name accepted anywhere (admin page, API, import).
pub const MAX_TEAM_NAME: usize = 100;

/// The team a person is put in from a typed name: none for a blank name, otherwise the
/// team of that name, created when new. Too long a name is refused before anything is made.
pub async fn team_by_name(db: &Db, name: &str) -> Result<Option<i64>, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_TEAM_NAME {
        return Err(AppError::BadRequest(format!(
            "A team name has at most {MAX_TEAM_NAME} characters."
        )));
    }
    team_id(db, name, true).await
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: AccessRole,
    pub team_id: Option<i64>,
    pub sales_role_id: Option<i64>,
    pub password: Option<&'a str>,
}

pub const MIN_PASSWORD_LEN: usize = 10;

/// Checks an email address enough to catch typos; the real check is that mail arrives.
pub fn parse_email(email: &str) -> Result<String, AppError> {
    let e = email.trim().to_lowercase();
    match e.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace) =>
        {
            Ok(e)
        }
        _ => Err(AppError::BadRequest(format!(
            "'{}' is not an email address.",
            email.trim()
        ))),
    }
}

pub async fn create_user(db: &Db, new: NewUser<'_>) -> Result<i64, AppError> {
    let email = parse_email(new.email)?;
    if new.name.trim().is_empty() {
        return Err(AppError::BadRequest("The name must not be empty.".into()));
    }
    let hash = match new.password {
        Some(p) if p.chars().count() < MIN_PASSWORD_LEN => {
            return Err(AppError::BadRequest(format!(
                "The password must have at least {MIN_PASSWORD_LEN} characters."
            )))
        }
        Some(p) => Some(hash_password(p).map_err(|_| AppError::Internal)?),
        None => None,
    };
    let id: Option<i64> = on_db!(db, |pool| {
        sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, access_role, team_id, sales_role_id, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) ON CONFLICT (email) DO NOTHING RETURNING id"
    )
    .bind(&email)
    .bind(new.name.trim())
    .bind(hash)
    .bind(new.role.as_str())
    .bind(new.team_id)
    .bind(new.sales_role_id)
    .bind(Utc::now())
    .fetch_optional(pool)
    .await
    })?;
    id.ok_or_else(|| AppError::Conflict(format!("A user with email {email} already exists.")))
}
