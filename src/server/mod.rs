//! Everything that only runs on the server: database, sessions, HTTP wiring, CLI helpers.

pub mod assets;
pub mod audit;
pub mod backup;
pub mod db;
pub mod generate;
pub mod http;
pub mod http_error;
pub mod org;
pub mod packed;
pub mod page_reads;
pub mod secrets;
pub mod seed;
pub mod state;
pub mod tokens;

use crate::error::AppError;

/// Runs a server function's body and gives an error its HTTP status (401, 403, 404…), so
/// that scripts and tests see what happened. Plain form posts (no JavaScript) keep the
/// redirect back to the form that Leptos gives them.
pub async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        if !is_form_post().await {
            if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(
                    axum::http::StatusCode::from_u16(e.status_code())
                        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
    }
    result
}

/// Whether the current server function was called by a plain HTML form (no JavaScript): the
/// browser then asks for HTML and follows the redirect it is answered with.
pub async fn is_form_post() -> bool {
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Keeps the current server function's reply out of every cache (a secret shown once).
pub fn no_store() {
    if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        opts.insert_header(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
}
