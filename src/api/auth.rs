//! Bearer API tokens for `/api/v1`: who is calling and whether their scopes allow the route.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use chrono::{Duration, Utc};

use super::error::ApiError;
use super::repo;
use crate::server::secrets::hash_token;
use crate::server::state::AppState;

/// What a route needs. `admin` implies both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ingest,
    Read,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ingest => "ingest",
            Scope::Read => "read",
            Scope::Admin => "admin",
        }
    }
}

/// A valid, unrevoked token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: i64,
    pub scopes: Vec<String>,
}

impl ApiCaller {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes
            .iter()
            .any(|s| s == scope.as_str() || s == "admin")
    }
}

/// A caller whose token has the `ingest` scope (write routes).
#[derive(Debug, Clone)]
pub struct Ingest(pub ApiCaller);

/// A caller whose token has the `read` scope (read routes).
#[derive(Debug, Clone)]
pub struct Read(pub ApiCaller);

/// A caller whose token has the `admin` scope (configuration routes).
#[derive(Debug, Clone)]
pub struct Admin(pub ApiCaller);

/// `last_used_at` is written at most this often per token, so a busy integration does not
/// turn every read into a write.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthenticated("Send an API token as `Authorization: Bearer <token>`.")
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthenticated("The Authorization header is not valid text."))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthenticated(
            "Send an API token as `Authorization: Bearer <token>`.",
        )),
    }
}

async fn authorize(parts: &Parts, state: &AppState, scope: Scope) -> Result<ApiCaller, ApiError> {
    let token = bearer(parts)?;
    let found = repo::token_by_hash(&state.db, &hash_token(token)).await?;
    let Some(found) = found else {
        return Err(ApiError::unauthenticated(
            "This API token is not valid (revoked or mistyped).",
        ));
    };
    let now = Utc::now();
    if found
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_RESOLUTION)
    {
        // Off the request path: on SQLite this write may wait behind a long batch.
        let db = state.db.clone();
        let id = found.id;
        tokio::spawn(async move {
            if let Err(e) = repo::touch_token(&db, id, now).await {
                tracing::warn!(error = %e.message, token_id = id, "could not record API token use");
            }
        });
    }
    let caller = ApiCaller {
        token_id: found.id,
        scopes: found
            .scopes
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if !caller.allows(scope) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!(
                "This API token lacks the '{}' scope this route needs.",
                scope.as_str()
            ),
        ));
    }
    Ok(caller)
}

impl FromRequestParts<AppState> for Ingest {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authorize(parts, state, Scope::Ingest).await.map(Ingest)
    }
}

impl FromRequestParts<AppState> for Read {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authorize(parts, state, Scope::Read).await.map(Read)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authorize(parts, state, Scope::Admin).await.map(Admin)
    }
}
