//! Who is signed in, signing in and out, and the access roles (rep, manager, admin; see docs/rules.md).

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
    let back = next.clone();
    let result = crate::server::respond(async move {
        use crate::auth::session;
        use crate::server::{secrets, state::app_state};
        let state = app_state()?;
        let email = email.trim().to_lowercase();
        if email.is_empty() || password.is_empty() {
            return Err(AppError::BadRequest(
                "Enter your email and password.".into(),
            ));
        }
        let headers: axum::http::HeaderMap = leptos_axum::extract()
            .await
            .map_err(|_| AppError::Internal)?;
        let client = throttle::client_address().await;
        let now = chrono::Utc::now();
        let row = crate::auth::session::credentials(&state.db, &email).await?;
        // A device this account signed in from before is counted on its own, so nobody can
        // lock the owner out by guessing wrong on purpose.
        let subject = match (&row, throttle::device_token_from_headers(&headers)) {
            (Some((id, Some(hash))), Some(token)) => throttle::known_device(&token, *id, hash),
            _ => None,
        }
        .unwrap_or_else(|| throttle::Subject::Account(email.clone()));
        let claim = throttle::claim(&state.db, &subject, &client, now).await?;

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
        let (user_id, hash) = match (ok, row) {
            (true, Some((id, Some(hash)))) => (id, hash),
            // The claim stays: it is the failure.
            _ => return Err(AppError::Unauthorized("Wrong email or password.".into())),
        };
        throttle::succeeded(&state.db, claim).await?;
        let sid = session::create_session(&state.db, user_id, now).await?;
        let secure = state.secure_cookies_for(&headers);
        session::set_session_cookie(&sid, secure);
        if let Some(token) = throttle::new_device_token(user_id, &hash) {
            throttle::set_device_cookie(&token, secure);
        }
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(())
    })
    .await;
    // A plain form post comes back to the sign-in page with a short code, not the error
    // encoded into the address.
    if let Err(e) = &result {
        if crate::forms::is_plain_post() {
            leptos_axum::redirect(&format!(
                "/login?error={}&next={}",
                sign_in_error_code(e),
                crate::forms::encode_query_value(&safe_next(back.as_deref()))
            ));
        }
    }
    result
}

/// The short code a refused plain sign-in post comes back with (`/login?error=wrong`).
pub fn sign_in_error_code(e: &AppError) -> &'static str {
    match e {
        AppError::Unauthorized(_) => "wrong",
        AppError::TooManyRequests(_) => "throttled",
        AppError::BadRequest(_) => "missing",
        _ => "failed",
    }
}

/// What the sign-in page says for a `?error=` code.
pub fn sign_in_error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "wrong" => "Wrong email or password.",
        "throttled" => "Too many failed sign-in attempts. Wait 15 minutes and try again.",
        "missing" => "Enter your email and password.",
        "failed" => "Sign-in failed. Please try again.",
        _ => return None,
    })
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
        session::set_session_cookie("", state.secure_cookies_for(&headers));
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// Where to go after sign-in when `next` is missing or not a safe local path.
pub const DEFAULT_NEXT: &str = "/me";

/// Only local paths are followed after sign-in (no open redirect to another site), and
/// only ones that are safe to put in a `Location` header as they are. Browsers drop tabs
/// and newlines from URLs and read `\\` as `/`, so `/\t/evil.example` would become
/// `//evil.example`: any control or whitespace character, any backslash and any `//` in
/// the path (`/.//evil.example` normalises to `//evil.example`) send the user to
/// [`DEFAULT_NEXT`] instead.
pub fn safe_next(next: Option<&str>) -> String {
    fn is_local_path(p: &str) -> bool {
        let path = p.split(['?', '#']).next().unwrap_or_default();
        p.starts_with('/')
            && !path.contains("//")
            && !p
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    }
    match next {
        Some(p) if is_local_path(p) => p.to_string(),
        _ => DEFAULT_NEXT.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_only_follows_local_paths() {
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("/me?x=1")), "/me?x=1");
        assert_eq!(safe_next(Some("/admin#tokens")), "/admin#tokens");
        assert_eq!(
            safe_next(Some("/me?back=https://x.example/")),
            "/me?back=https://x.example/"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/me");
        assert_eq!(safe_next(Some("https://evil.example")), "/me");
        assert_eq!(safe_next(Some("/\\evil.example")), "/me");
        assert_eq!(safe_next(Some("")), "/me");
        assert_eq!(safe_next(Some("me")), "/me");
        assert_eq!(safe_next(None), "/me");
    }

    /// Decodes `%XX` escapes as the query string parser does for `?next=`.
    fn percent_decoded(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match (
                b[i],
                s.get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok()),
            ) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).expect("UTF-8")
    }

    /// `?next=` values that would leave the site, once a browser drops tabs and newlines
    /// and reads `\\` as `/`, or that cannot go in a `Location` header at all.
    #[test]
    fn next_refuses_what_a_browser_would_turn_into_another_site() {
        for hostile in [
            "%2F%09%2Fevil.example%2Fphish",
            "%2F%0A%2Fevil.example%2Fphish",
            "%2F%0D%2Fevil.example%2Fphish",
            "%09%2F%2Fevil.example",
            "%2F%09%5Cevil.example",
            "%2F%20%2Fevil.example",
            "%2F%C2%A0%2Fevil.example",    // no-break space
            "%2F%E3%80%80%2Fevil.example", // ideographic space
            "%2F%01",                      // once panicked building the header
            "%2F%7F",
            "%2F%C2%85%2Fevil.example", // NEL, a C1 control
            "%2F.%2F%2Fevil.example",   // normalises to //evil.example
            "%2F%5C%2Fevil.example",
            "%5C%5Cevil.example",
        ] {
            let next = percent_decoded(hostile);
            assert_eq!(safe_next(Some(&next)), DEFAULT_NEXT, "{hostile} = {next:?}");
        }
        assert_eq!(
            safe_next(Some(&percent_decoded("%2Fadmin%3Ftab%3D1"))),
            "/admin?tab=1"
        );
    }
}
