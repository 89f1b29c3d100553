//! The admin desk: users, TV displays, API tokens and the audit log. Admins only.

pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::AccessRole;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: AccessRole,
    pub team: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    /// Empty for TV displays.
    pub scopes: String,
    pub created_at: String,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    /// Every team name, for the team pickers.
    pub teams: Vec<String>,
    pub users: Vec<UserRow>,
    pub displays: Vec<TokenRow>,
    pub api_tokens: Vec<TokenRow>,
    pub audit: Vec<AuditRow>,
}

/// A secret shown once, right after it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub name: String,
    pub secret: String,
}

#[cfg(feature = "ssr")]
async fn require_admin() -> Result<crate::server::session::User, AppError> {
    let user = crate::server::session::require_user().await?;
    if user.role() != AccessRole::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

#[server(endpoint = "admin_overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    crate::server::respond(async move {
        require_admin().await?;
        let state = crate::server::state::app_state()?;
        repo::overview(&state.db).await
    })
    .await
}

#[server(endpoint = "admin_create_user")]
pub async fn admin_create_user(
    email: String,
    name: String,
    role: String,
    team: String,
    password: String,
) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let state = crate::server::state::app_state()?;
        let role = AccessRole::parse(&role)
            .ok_or_else(|| AppError::BadRequest("Choose a role.".into()))?;
        repo::create_user(
            &state.db,
            &admin.email,
            &email,
            &name,
            role,
            team.trim(),
            &password,
        )
        .await?;
        state.live.changed("users").await;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_set_active")]
pub async fn admin_set_active(id: i64, active: bool) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        if admin.id == id && !active {
            return Err(AppError::BadRequest(
                "You cannot deactivate your own account.".into(),
            ));
        }
        let state = crate::server::state::app_state()?;
        repo::set_active(&state.db, &admin.email, id, active).await?;
        state.live.changed("users").await;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_set_role")]
pub async fn admin_set_role(id: i64, role: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let role = AccessRole::parse(&role)
            .ok_or_else(|| AppError::BadRequest("Choose a role.".into()))?;
        if admin.id == id && role != AccessRole::Admin {
            return Err(AppError::BadRequest(
                "You cannot remove your own admin role.".into(),
            ));
        }
        let state = crate::server::state::app_state()?;
        repo::set_role(&state.db, &admin.email, id, role).await?;
        state.live.changed("users").await;
        Ok(())
    })
    .await
}

/// Moves a person to another team (an empty name: no team).
#[server(endpoint = "admin_set_team")]
pub async fn admin_set_team(id: i64, team: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let state = crate::server::state::app_state()?;
        repo::set_team(&state.db, &admin.email, id, &team).await?;
        state.live.changed("users").await;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_reset_password")]
pub async fn admin_reset_password(id: i64, password: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let state = crate::server::state::app_state()?;
        repo::reset_password(&state.db, &admin.email, id, &password).await
    })
    .await
}

#[server(endpoint = "admin_create_display")]
pub async fn admin_create_display(name: String) -> Result<NewSecret, AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let state = crate::server::state::app_state()?;
        let (_, token) =
            crate::server::tokens::create_display(&state.db, &admin.email, &name).await?;
        crate::server::no_store();
        Ok(NewSecret {
            name: name.trim().to_string(),
            secret: format!("/tv/{token}"),
        })
    })
    .await
}

#[server(endpoint = "admin_create_api_token")]
pub async fn admin_create_api_token(
    name: String,
    scopes: Vec<String>,
) -> Result<NewSecret, AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let state = crate::server::state::app_state()?;
        let scopes = crate::server::tokens::parse_scopes(&scopes.join(","))?;
        let (_, token) =
            crate::server::tokens::create_api_token(&state.db, &admin.email, &name, &scopes)
                .await?;
        crate::server::no_store();
        Ok(NewSecret {
            name: name.trim().to_string(),
            secret: token,
        })
    })
    .await
}

/// Revokes a TV display (`kind = "display"`) or an API token (`kind = "api_token"`): it stops
/// working on the next request.
#[server(endpoint = "admin_revoke")]
pub async fn admin_revoke(kind: String, id: i64) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = require_admin().await?;
        let state = crate::server::state::app_state()?;
        repo::revoke(&state.db, &admin.email, &kind, id).await?;
        state.live.changed("users").await;
        Ok(())
    })
    .await
}
