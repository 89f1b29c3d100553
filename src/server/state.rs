//! What every request handler and server function can reach: options, database, settings.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::db::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    /// Mark the session cookie `Secure` (set when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Live updates to open pages and TV displays.
    pub live: crate::live::Live,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function or component rendered on the server.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the reactive context");
        crate::error::AppError::Internal
    })
}
