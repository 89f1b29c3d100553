//! The admin desk's overview: people, displays, tokens, audit log. Changes are made by the
//! services ([`crate::people::service`], [`crate::server::tokens`]).

use chrono::{DateTime, Utc};

use super::{AdminOverview, AuditRow, SalesRoleRow, TokenRow, UserRow};
use crate::auth::AccessRole;
use crate::error::AppError;
use crate::on_db;
use crate::server::db::Db;

#[derive(sqlx::FromRow)]
struct UserDb {
    id: i64,
    email: String,
    name: String,
    access_role: String,
    team: Option<String>,
    sales_role: Option<String>,
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
        "SELECT u.id, u.email, u.name, u.access_role, t.name AS team, r.key AS sales_role, u.active FROM users u \
        LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN sales_roles r ON r.id = u.sales_role_id \
        ORDER BY u.active DESC, u.name";
    const TOKENS: &str =
        "SELECT id, name, scopes, created_at, revoked_at FROM api_tokens ORDER BY id DESC";
    const TEAMS: &str = "SELECT name FROM teams ORDER BY name";
    const AUDIT: &str = "SELECT id, at, actor, action, entity, before_json, after_json FROM audit_log ORDER BY id DESC LIMIT 200";
    let teams: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(TEAMS).fetch_all(pool).await)?;
    let (u, t, a): (Vec<UserDb>, Vec<TokenDb>, Vec<AuditDb>) = on_db!(db, |pool| {
        let u = sqlx::query_as(USERS).fetch_all(pool).await?;
        let t = sqlx::query_as(TOKENS).fetch_all(pool).await?;
        let a = sqlx::query_as(AUDIT).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((u, t, a))
    })?;
    let sales_roles = crate::people::service::sales_roles(db)
        .await?
        .into_iter()
        .map(|r| SalesRoleRow {
            key: r.key,
            name: r.name,
            is_default: r.is_default,
        })
        .collect();
    Ok(AdminOverview {
        teams,
        sales_roles,
        users: u
            .into_iter()
            .map(|u| UserRow {
                id: u.id,
                email: u.email,
                name: u.name,
                role: AccessRole::parse(&u.access_role).unwrap_or(AccessRole::Rep),
                team: u.team,
                sales_role: u.sales_role,
                active: u.active,
            })
            .collect(),
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
