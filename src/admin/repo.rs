//! Admin reads and writes; every change goes to the audit log with before → after.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{AdminOverview, AuditRow, TokenRow, UserRow};
use crate::auth::AccessRole;
use crate::error::AppError;
use crate::on_db;
use crate::server::db::Db;
use crate::server::{audit, secrets, session, users};

#[derive(sqlx::FromRow)]
struct UserDb {
    id: i64,
    email: String,
    name: String,
    access_role: String,
    team: Option<String>,
    active: bool,
}

#[derive(sqlx::FromRow)]
struct TokenDb {
    id: i64,
    name: String,
    scopes: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct AuditDb {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    entity: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

fn token_row(t: TokenDb) -> TokenRow {
    TokenRow {
        id: t.id,
        name: t.name,
        scopes: t.scopes,
        created_at: t.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        revoked: t.revoked_at.is_some(),
    }
}

pub async fn overview(db: &Db) -> Result<AdminOverview, AppError> {
    const USERS: &str =
        "SELECT u.id, u.email, u.name, u.access_role, t.name AS team, u.active FROM users u \
        LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.active DESC, u.name";
    const DISPLAYS: &str =
        "SELECT id, name, '' AS scopes, created_at, revoked_at FROM displays ORDER BY id DESC";
    const TOKENS: &str =
        "SELECT id, name, scopes, created_at, revoked_at FROM api_tokens ORDER BY id DESC";
    const TEAMS: &str = "SELECT name FROM teams ORDER BY name";
    const AUDIT: &str = "SELECT id, at, actor, action, entity, before_json, after_json FROM audit_log ORDER BY id DESC LIMIT 200";
    let teams: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(TEAMS).fetch_all(pool).await)?;
    let (u, d, t, a): (Vec<UserDb>, Vec<TokenDb>, Vec<TokenDb>, Vec<AuditDb>) =
        on_db!(db, |pool| {
            let u = sqlx::query_as(USERS).fetch_all(pool).await?;
            let d = sqlx::query_as(DISPLAYS).fetch_all(pool).await?;
            let t = sqlx::query_as(TOKENS).fetch_all(pool).await?;
            let a = sqlx::query_as(AUDIT).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((u, d, t, a))
        })?;
    Ok(AdminOverview {
        teams,
        users: u
            .into_iter()
            .map(|u| UserRow {
                id: u.id,
                email: u.email,
                name: u.name,
                role: AccessRole::parse(&u.access_role).unwrap_or(AccessRole::Rep),
                team: u.team,
                active: u.active,
            })
            .collect(),
        displays: d.into_iter().map(token_row).collect(),
        api_tokens: t.into_iter().map(token_row).collect(),
        audit: a
            .into_iter()
            .map(|a| AuditRow {
                id: a.id,
                at: a.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                actor: a.actor,
                action: a.action,
                entity: a.entity,
                before: a.before_json,
                after: a.after_json,
            })
            .collect(),
    })
}

async fn user_snapshot(db: &Db, id: i64) -> Result<serde_json::Value, AppError> {
    const SQL: &str =
        "SELECT u.id, u.email, u.name, u.access_role, t.name AS team, u.active FROM users u \
        LEFT JOIN teams t ON t.id = u.team_id WHERE u.id = $1";
    let u: Option<UserDb> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    let u = u.ok_or_else(|| AppError::NotFound("That user".into()))?;
    Ok(
        json!({ "email": u.email, "name": u.name, "role": u.access_role, "team": u.team, "active": u.active }),
    )
}

pub async fn create_user(
    db: &Db,
    actor: &str,
    email: &str,
    name: &str,
    role: AccessRole,
    team: &str,
    password: &str,
) -> Result<(), AppError> {
    let team_id = users::team_by_name(db, team).await?;
    let id = users::create_user(
        db,
        users::NewUser {
            email,
            name,
            role,
            team_id,
            sales_role_id: None,
            password: Some(password),
        },
    )
    .await?;
    let after = user_snapshot(db, id).await?;
    audit::record(
        db,
        actor,
        "create",
        &format!("user:{id}"),
        None,
        Some(after),
    )
    .await
}

/// Records a change to a person: `before` as taken before it, and the person as now.
async fn audit_user_change(
    db: &Db,
    actor: &str,
    id: i64,
    action: &str,
    before: serde_json::Value,
) -> Result<(), AppError> {
    let after = user_snapshot(db, id).await?;
    audit::record(
        db,
        actor,
        action,
        &format!("user:{id}"),
        Some(before),
        Some(after),
    )
    .await
}

pub async fn set_active(db: &Db, actor: &str, id: i64, active: bool) -> Result<(), AppError> {
    let before = user_snapshot(db, id).await?;
    on_db!(db, |pool| sqlx::query(
        "UPDATE users SET active = $1 WHERE id = $2"
    )
    .bind(active)
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if !active {
        session::delete_user_sessions(db, id).await?;
    }
    audit_user_change(
        db,
        actor,
        id,
        if active { "activate" } else { "deactivate" },
        before,
    )
    .await
}

pub async fn set_role(db: &Db, actor: &str, id: i64, role: AccessRole) -> Result<(), AppError> {
    let before = user_snapshot(db, id).await?;
    on_db!(db, |pool| sqlx::query(
        "UPDATE users SET access_role = $1 WHERE id = $2"
    )
    .bind(role.as_str())
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    audit_user_change(db, actor, id, "change_role", before).await
}

/// Moves a person to a team (created when new), or out of any team with an empty name.
/// A manager's team decides whose scorecards they see, so this is audited like a role.
pub async fn set_team(db: &Db, actor: &str, id: i64, team: &str) -> Result<(), AppError> {
    let before = user_snapshot(db, id).await?;
    let team_id = users::team_by_name(db, team).await?;
    on_db!(db, |pool| sqlx::query(
        "UPDATE users SET team_id = $1 WHERE id = $2"
    )
    .bind(team_id)
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    audit_user_change(db, actor, id, "change_team", before).await
}

/// Sets a new password and ends every session of that user. The audit log records that
/// it happened, never the password or its hash.
pub async fn reset_password(db: &Db, actor: &str, id: i64, password: &str) -> Result<(), AppError> {
    user_snapshot(db, id).await?;
    if password.chars().count() < users::MIN_PASSWORD_LEN {
        return Err(AppError::BadRequest(format!(
            "The password must have at least {} characters.",
            users::MIN_PASSWORD_LEN
        )));
    }
    let hash = secrets::hash_password(password).map_err(|_| AppError::Internal)?;
    on_db!(db, |pool| sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE id = $2"
    )
    .bind(&hash)
    .bind(id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    session::delete_user_sessions(db, id).await?;
    audit::record(
        db,
        actor,
        "reset_password",
        &format!("user:{id}"),
        None,
        None,
    )
    .await
}

pub async fn revoke(db: &Db, actor: &str, kind: &str, id: i64) -> Result<(), AppError> {
    let table = match kind {
        "display" => "displays",
        "api_token" => "api_tokens",
        _ => return Err(AppError::BadRequest("Unknown kind of token.".into())),
    };
    let sql = format!("UPDATE {table} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL");
    let n = on_db!(db, |pool| sqlx::query(&sql)
        .bind(Utc::now())
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(AppError::NotFound("That active token".into()));
    }
    audit::record(
        db,
        actor,
        "revoke",
        &format!("{kind}:{id}"),
        Some(json!({ "revoked": false })),
        Some(json!({ "revoked": true })),
    )
    .await
}
