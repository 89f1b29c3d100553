//! The admin desk: users, sales roles, API tokens and the audit log. Admins only.

pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::AccessRole;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::people::service::{self as people, NewPerson, PersonChange};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: AccessRole,
    pub team: Option<String>,
    /// The sales role's key; `None` when the person is not scored.
    pub sales_role: Option<String>,
    pub active: bool,
}

/// A sales role as the pickers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesRoleRow {
    pub key: String,
    pub name: String,
    pub is_default: bool,
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
    pub sales_roles: Vec<SalesRoleRow>,
    pub users: Vec<UserRow>,
    pub api_tokens: Vec<TokenRow>,
    pub audit: Vec<AuditRow>,
}

/// A secret shown once, right after it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub name: String,
    pub secret: String,
}

#[server(endpoint = "admin_overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    crate::server::respond(async move {
        crate::auth::session::require_admin().await?;
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
    sales_role: Option<String>,
    password: String,
) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let new = NewPerson {
            email,
            name,
            role: Some(role),
            team: Some(team),
            sales_role,
            password: Some(password),
        };
        people::create_person(&state.db, &state.live, &admin.email, new).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_set_active")]
pub async fn admin_set_active(id: i64, active: bool) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        if admin.id == id && !active {
            return Err(AppError::BadRequest(
                "You cannot deactivate your own account.".into(),
            ));
        }
        let state = crate::server::state::app_state()?;
        let change = PersonChange::Active(active);
        people::change_person(&state.db, &state.live, &admin.email, id, change).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_set_role")]
pub async fn admin_set_role(id: i64, role: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let role = AccessRole::parse(&role)
            .ok_or_else(|| AppError::BadRequest("Choose a role.".into()))?;
        if admin.id == id && role != AccessRole::Admin {
            return Err(AppError::BadRequest(
                "You cannot remove your own admin role.".into(),
            ));
        }
        let state = crate::server::state::app_state()?;
        let change = PersonChange::Role(role);
        people::change_person(&state.db, &state.live, &admin.email, id, change).await?;
        Ok(())
    })
    .await
}

/// Moves a person to another team (an empty name: no team).
#[server(endpoint = "admin_set_team")]
pub async fn admin_set_team(id: i64, team: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let change = PersonChange::Team(team);
        people::change_person(&state.db, &state.live, &admin.email, id, change).await?;
        Ok(())
    })
    .await
}

/// Gives a person a sales role (a key), or none with an empty key (no longer scored).
#[server(endpoint = "admin_set_sales_role")]
pub async fn admin_set_sales_role(id: i64, sales_role: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let change = PersonChange::SalesRole(sales_role);
        people::change_person(&state.db, &state.live, &admin.email, id, change).await?;
        Ok(())
    })
    .await
}

/// Creates a sales role or renames one; `make_default` makes it the role new reps get.
#[server(endpoint = "admin_put_sales_role")]
pub async fn admin_put_sales_role(
    key: String,
    name: String,
    make_default: Option<String>,
) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let key = key.trim().to_lowercase();
        let name = Some(name.as_str()).filter(|n| !n.trim().is_empty());
        let make_default = make_default.is_some();
        people::put_sales_role(
            &state.db,
            &state.live,
            &admin.email,
            &key,
            name,
            make_default,
        )
        .await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_reset_password")]
pub async fn admin_reset_password(id: i64, password: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let change = PersonChange::Password(password);
        people::change_person(&state.db, &state.live, &admin.email, id, change).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "admin_create_api_token")]
pub async fn admin_create_api_token(
    name: String,
    scopes: Vec<String>,
) -> Result<NewSecret, AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
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
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        crate::server::tokens::revoke(&state.db, &state.live, &admin.email, &kind, id).await?;
        Ok(())
    })
    .await
}
