//! Sign-in throttling: each attempt claims a slot per account (or known device) and per
//! client address before its password is checked, and failed claims stay counted for
//! [`WINDOW`].
//!
//! The rules (README, "Security"):
//! - An attempt is refused (429, no password checked) when its account has
//!   [`MAX_PER_ACCOUNT`] failed attempts in the window, or its client address has
//!   [`MAX_PER_CLIENT`]. Counting and claiming happen in one serialised transaction, so
//!   requests sent together cannot all get past the check.
//! - A success removes only its own claim; failures that arrived with it stay counted.
//! - A device that signed in to the account before carries a known-device cookie. Its
//!   attempts are counted against that device ([`MAX_PER_ACCOUNT`] failures in the window)
//!   and the address, not the account: guessing wrong on purpose locks the guesser out,
//!   never the account's owner on their own phone or laptop.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::server::db::Db;
use crate::{on_db, on_tx};

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_CLIENT: i64 = 30;

/// The known-device cookie: sent only to the sign-in server function.
pub const DEVICE_COOKIE: &str = "ps_device";
const DEVICE_COOKIE_PATH: &str = "/api/sign_in";
const DEVICE_MAX_AGE: Duration = Duration::days(400);

/// The client's address as the server saw it ("unknown" when not served over TCP, as in tests).
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_string(),
    }
}

/// What an attempt is counted against besides its client address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The account (the email as typed, whether or not it exists).
    Account(String),
    /// A device that signed in to the account before.
    KnownDevice(String),
}

impl Subject {
    /// The key stored in `sign_in_attempts.email`: the email, or `device:<hash>`, which
    /// no email can be. A NUL typed in the email is stored as U+FFFD (PostgreSQL cannot
    /// store NUL; no account's email holds either).
    fn key(&self) -> std::borrow::Cow<'_, str> {
        let (Subject::Account(email) | Subject::KnownDevice(email)) = self;
        if email.contains('\0') {
            std::borrow::Cow::Owned(email.replace('\0', "\u{fffd}"))
        } else {
            std::borrow::Cow::Borrowed(email)
        }
    }
}

/// An attempt that got a slot; a failure leaves it counted, a success gives it back.
#[derive(Debug, Clone, Copy)]
pub struct Claim(i64);

fn too_many() -> AppError {
    AppError::TooManyRequests(
        "Too many failed sign-in attempts. Wait 15 minutes and try again.".into(),
    )
}

/// Claims an attempt slot, before any password is checked. Counting and inserting run in
/// one write transaction: SQLite's `BEGIN IMMEDIATE` admits one writer at a time, and on
/// PostgreSQL advisory locks on the subject and the address (taken in a fixed order)
/// queue the claims that share either.
pub async fn claim(
    db: &Db,
    subject: &Subject,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Claim, AppError> {
    const LOCK: &str = "SELECT pg_advisory_xact_lock(h) FROM \
        (VALUES (hashtext('sign-in:' || $1)), (hashtext('sign-in-client:' || $2))) AS l(h) ORDER BY h";
    const COUNT_SUBJECT: &str =
        "SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND at > $2";
    const COUNT_CLIENT: &str =
        "SELECT COUNT(*) FROM sign_in_attempts WHERE client = $1 AND at > $2";
    const INSERT: &str =
        "INSERT INTO sign_in_attempts (email, client, at) VALUES ($1, $2, $3) RETURNING id";
    let since = now - WINDOW;
    let key_text = subject.key();
    let key: &str = &key_text;
    let postgres = matches!(db, Db::Postgres(_));
    let mut tx = db.begin_write().await?;
    if postgres {
        on_tx!(&mut tx, |c| sqlx::query(LOCK)
            .bind(key)
            .bind(client)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    let per_subject: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(COUNT_SUBJECT)
        .bind(key)
        .bind(since)
        .fetch_one(c)
        .await)?;
    let per_client: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(COUNT_CLIENT)
        .bind(client)
        .bind(since)
        .fetch_one(c)
        .await)?;
    if per_subject >= MAX_PER_ACCOUNT || per_client >= MAX_PER_CLIENT {
        // Dropping the transaction rolls it back: a refused attempt claims nothing.
        return Err(too_many());
    }
    let id: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT)
        .bind(key)
        .bind(client)
        .bind(now)
        .fetch_one(c)
        .await)?;
    tx.commit().await?;
    Ok(Claim(id))
}

/// The password was right: the attempt was not a failure. Other attempts stay counted.
pub async fn succeeded(db: &Db, claim: Claim) -> Result<(), AppError> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM sign_in_attempts WHERE id = $1"
    )
    .bind(claim.0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A signature of `nonce` for the user, keyed by the user's stored password hash: only
/// the server can make one, and changing the password voids every one made before.
fn device_mac(user_id: i64, password_hash: &str, nonce: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(password_hash.as_bytes()).ok()?;
    mac.update(format!("pacesetter known device\n{user_id}\n{nonce}").as_bytes());
    Some(mac)
}

/// A new known-device cookie value for the user who just signed in.
pub fn new_device_token(user_id: i64, password_hash: &str) -> Option<String> {
    let (nonce, _) = crate::server::secrets::new_token();
    let mac = device_mac(user_id, password_hash, &nonce)?;
    Some(format!(
        "{nonce}.{}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// The device's own subject when `token` is a known-device cookie this server gave the
/// user (checked in constant time), or `None`.
pub fn known_device(token: &str, user_id: i64, password_hash: &str) -> Option<Subject> {
    let (nonce, tag) = token.split_once('.')?;
    let tag = hex::decode(tag).ok()?;
    device_mac(user_id, password_hash, nonce)?
        .verify_slice(&tag)
        .ok()?;
    let device = hex::encode(Sha256::digest(nonce.as_bytes()));
    Some(Subject::KnownDevice(format!("device:{}", &device[..32])))
}

/// The known-device cookie sent with the request, if any.
pub fn device_token_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == DEVICE_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// Sets the known-device cookie on the current response.
pub fn set_device_cookie(token: &str, secure: bool) {
    use axum::http::{header::SET_COOKIE, HeaderValue};
    let cookie = format!(
        "{DEVICE_COOKIE}={token}; Path={DEVICE_COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age={}{}",
        DEVICE_MAX_AGE.num_seconds(),
        if secure { "; Secure" } else { "" }
    );
    if let (Some(opts), Ok(v)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        opts.append_header(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_token_works_only_for_its_user_and_password() {
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
        let token = new_device_token(7, hash).unwrap();
        let Some(Subject::KnownDevice(key)) = known_device(&token, 7, hash) else {
            panic!("own token refused");
        };
        assert!(key.starts_with("device:") && !key.contains('@'));
        assert_eq!(
            known_device(&token, 7, hash),
            Some(Subject::KnownDevice(key))
        );
        assert_eq!(known_device(&token, 8, hash), None, "another user");
        assert_eq!(
            known_device(&token, 7, "$argon2id$new"),
            None,
            "password changed"
        );
        let (nonce, _) = token.split_once('.').unwrap();
        assert_eq!(known_device(&format!("{nonce}.00"), 7, hash), None);
        assert_eq!(known_device("garbage", 7, hash), None);
        assert_ne!(
            new_device_token(7, hash),
            Some(token),
            "a fresh nonce each time"
        );
    }
}
