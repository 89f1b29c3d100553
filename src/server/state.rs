//! What every request handler and server function can reach: options, database, settings.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::db::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    /// Always mark cookies `Secure` (`--secure-cookies`). They are also `Secure` when the
    /// public URL is `https` or a request arrived over HTTPS ([`AppState::secure_cookies_for`]).
    pub secure_cookies: bool,
    /// `scheme://host[:port]` users reach the app at (`--public-url`), when configured: the
    /// only origin the cross-site check accepts.
    pub public_origin: Option<String>,
    /// Live updates to open pages and TV displays.
    pub live: crate::live::Live,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// Whether cookies set on this response get `Secure`: when told so, when the public URL
    /// is `https`, or when a proxy says the request came over HTTPS.
    pub fn secure_cookies_for(&self, headers: &axum::http::HeaderMap) -> bool {
        self.secure_cookies
            || self
                .public_origin
                .as_deref()
                .is_some_and(|o| o.starts_with("https://"))
            || forwarded_proto(headers) == Some("https")
    }
}

/// The scheme a TLS-terminating proxy says the client used (`X-Forwarded-Proto`, first hop).
pub fn forwarded_proto(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
}

/// The origin (`scheme://host[:port]`, lower case, default port dropped) of an absolute
/// `http`/`https` URL, or `None` when it is not one.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty()
        || authority.contains('@')
        || !authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

/// The state, from inside a server function or component rendered on the server.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the reactive context");
        crate::error::AppError::Internal
    })
}
