//! Bearer API tokens for `/api/v1`: who is calling and whether their scopes allow the route.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::server::state::AppState;

pub use crate::server::tokens::{ApiCaller, Scope};

/// A caller whose token has the `ingest` scope (write routes).
#[derive(Debug, Clone)]
pub struct Ingest(pub ApiCaller);

/// A caller whose token has the `read` scope (read routes).
#[derive(Debug, Clone)]
pub struct Read(pub ApiCaller);

/// A caller whose token has the `admin` scope (configuration routes).
#[derive(Debug, Clone)]
pub struct Admin(pub ApiCaller);

async fn authorize(parts: &Parts, state: &AppState, scope: Scope) -> Result<ApiCaller, ApiError> {
    crate::server::tokens::authorize_bearer(&state.db, &parts.headers, scope).await
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
