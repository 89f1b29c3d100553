//! Who is signed in, signing in and out, and the access roles of DESIGN.md.

pub mod page;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Access roles (what a person may do), distinct from sales roles (SDR, AE… which pick a scorecard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRole {
    Rep,
    Manager,
    Admin,
}

impl AccessRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessRole::Rep => "rep",
            AccessRole::Manager => "manager",
            AccessRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<AccessRole> {
        match s {
            "rep" => Some(AccessRole::Rep),
            "manager" => Some(AccessRole::Manager),
            "admin" => Some(AccessRole::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: AccessRole,
    pub team: Option<String>,
}

/// The signed-in user, or `None`.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<UserInfo>, AppError> {
    crate::server::respond(async move {
        Ok(crate::auth::session::current_user()
            .await?
            .map(|u| u.info()))
    })
    .await
}

/// Signs in with email and password; on success goes to `next` (a local path) or `/me`.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    crate::server::respond(async move {
        use crate::auth::session;
        use crate::server::{secrets, state::app_state};
        let state = app_state()?;
        let email = email.trim().to_lowercase();
        if email.is_empty() || password.is_empty() {
            return Err(AppError::BadRequest(
                "Enter your email and password.".into(),
            ));
        }
        let client = throttle::client_address().await;
        let now = chrono::Utc::now();
        throttle::check(&state.db, &email, &client, now).await?;

        let row = crate::auth::session::credentials(&state.db, &email).await?;
        let ok = match &row {
            Some((_, Some(hash))) => {
                let (password, hash) = (password.clone(), hash.clone());
                tokio::task::spawn_blocking(move || secrets::verify_password(&password, &hash))
                    .await
                    .unwrap_or(false)
            }
            _ => {
                let password = password.clone();
                let _ = tokio::task::spawn_blocking(move || secrets::dummy_verify(&password)).await;
                false
            }
        };
        let user_id = match (ok, row) {
            (true, Some((id, _))) => id,
            _ => {
                throttle::record_failure(&state.db, &email, &client, now).await?;
                return Err(AppError::Unauthorized("Wrong email or password.".into()));
            }
        };
        throttle::clear(&state.db, &email).await?;
        let sid = session::create_session(&state.db, user_id, now).await?;
        session::set_session_cookie(&sid, state.secure_cookies);
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::server::respond(async move {
        use crate::auth::session;
        use crate::server::state::app_state;
        let state = app_state()?;
        let headers: axum::http::HeaderMap = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        if let Some(sid) = session::session_id_from_headers(&headers) {
            session::delete_session(&state.db, &sid).await?;
        }
        session::set_session_cookie("", state.secure_cookies);
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// Only local paths are followed after sign-in (no open redirect to another site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/me".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_only_follows_local_paths() {
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("/me?x=1")), "/me?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/me");
        assert_eq!(safe_next(Some("https://evil.example")), "/me");
        assert_eq!(safe_next(Some("/\\evil.example")), "/me");
        assert_eq!(safe_next(None), "/me");
    }
}
