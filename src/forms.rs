//! Forms posted without JavaScript (before the WebAssembly has loaded, or with it off): the
//! browser goes back to the page with a short readable `?done=` code after a save, or after
//! a refusal with `?failed=<form>` while what was typed and the problems travel in a
//! short-lived cookie that the page reads once. Nothing encoded ends up in the address bar.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A form that the server refused on a plain post, as the page shows it again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedForm {
    /// Which form on the page (its id), e.g. `won`.
    pub form: String,
    /// What was typed, by field name.
    pub values: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
    /// The refusal in words when it is not about one field.
    pub message: Option<String>,
}

impl ReturnedForm {
    /// What was typed in `field` when this is the refused `form`.
    pub fn value(returned: &Option<ReturnedForm>, form: &str, field: &str) -> Option<String> {
        returned
            .as_ref()
            .filter(|r| r.form == form)
            .and_then(|r| r.values.iter().find(|(k, _)| k == field))
            .map(|(_, v)| v.clone())
    }

    /// The problems of `form` when it is the refused one.
    pub fn errors_of(returned: &Option<ReturnedForm>, form: &str) -> Vec<FieldError> {
        returned
            .as_ref()
            .filter(|r| r.form == form)
            .map(|r| r.errors.clone())
            .unwrap_or_default()
    }

    /// The refusal in words for `form`: its message, or a summary of its field problems.
    pub fn message_of(returned: &Option<ReturnedForm>, form: &str) -> Option<String> {
        let r = returned.as_ref().filter(|r| r.form == form)?;
        r.message.clone().or_else(|| {
            (!r.errors.is_empty())
                .then(|| "Nothing was saved: correct the fields marked below.".to_string())
        })
    }
}

/// Percent-encodes one query-string value (RFC 3986 unreserved characters stay).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fresh retry key for each tap or form, so a retried request is stored once but two taps
/// (or two deals) count twice. On the server it is the key of the plain form (no
/// JavaScript) being rendered: submitting that form twice stores one record.
pub fn new_client_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let a = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        let b = js_sys::Date::now() as u64;
        format!("{b:x}-{a:x}")
    }
    #[cfg(feature = "ssr")]
    {
        let a: u64 = rand::random::<u64>() >> 11;
        let b = chrono::Utc::now().timestamp_millis();
        format!("{b:x}-{a:x}")
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    {
        String::new()
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use axum::http::header::{ACCEPT, COOKIE, SET_COOKIE};
    use axum::http::request::Parts;
    use axum::http::HeaderValue;
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use super::ReturnedForm;
    use crate::error::AppError;

    const COOKIE_NAME: &str = "pacesetter_form";
    /// Long enough for the redirect to be followed, short enough to be forgotten.
    const MAX_AGE_SECONDS: i64 = 120;
    /// Browsers keep cookies up to about 4 KB; a form that does not fit comes back empty.
    const MAX_COOKIE: usize = 3800;

    /// Whether the current request is a plain HTML form post (not the browser bundle).
    pub fn is_plain_post() -> bool {
        use_context::<Parts>().is_some_and(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }

    fn secure() -> bool {
        match (crate::server::state::app_state(), use_context::<Parts>()) {
            (Ok(state), Some(parts)) => state.secure_cookies_for(&parts.headers),
            _ => false,
        }
    }

    fn set_cookie(value: &str, max_age: i64) {
        let cookie = format!(
            "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
            if secure() { "; Secure" } else { "" }
        );
        if let (Some(opts), Ok(v)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(&cookie),
        ) {
            opts.append_header(SET_COOKIE, v);
        }
    }

    /// After a server function behind a form ran: on a plain post, sends the browser back
    /// to `back` — with `?done=<done>` after a save, or with `?failed=<form>` and the typed
    /// `values` kept for the page after a refusal. The browser bundle gets the result as it is.
    pub fn finish<T>(
        result: Result<T, AppError>,
        back: &str,
        form: &str,
        values: &[(&str, &str)],
        done: &str,
    ) -> Result<T, AppError> {
        if !is_plain_post() {
            return result;
        }
        match &result {
            Ok(_) => leptos_axum::redirect(&format!("{back}?done={done}")),
            Err(AppError::Unauthenticated) => {
                leptos_axum::redirect(&format!("/login?next={}", super::encode_query_value(back)))
            }
            Err(e) => {
                let returned = ReturnedForm {
                    form: form.to_string(),
                    values: values
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    errors: match e {
                        AppError::Invalid(errors) => errors.clone(),
                        _ => Vec::new(),
                    },
                    message: (!matches!(e, AppError::Invalid(_))).then(|| e.to_string()),
                };
                let encoded = serde_json::to_vec(&returned)
                    .map(hex::encode)
                    .unwrap_or_default();
                if encoded.len() <= MAX_COOKIE {
                    set_cookie(&encoded, MAX_AGE_SECONDS);
                }
                leptos_axum::redirect(&format!("{back}?failed={form}#{form}"));
            }
        }
        result
    }

    /// The form the server refused on the plain post that led here, read once (the cookie
    /// is cleared on this response).
    pub fn take_returned() -> Option<ReturnedForm> {
        let parts = use_context::<Parts>()?;
        let value = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .map(|(_, value)| value.to_string())?;
        set_cookie("", 0);
        let bytes = hex::decode(value).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}
