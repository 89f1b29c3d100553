//! Sign-in throttling: failed attempts per account and per client address in a window.

use chrono::{DateTime, Duration, Utc};

use crate::error::AppError;
use crate::on_db;
use crate::server::db::Db;

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_CLIENT: i64 = 30;

/// The client's address as the server saw it ("unknown" when not served over TCP, as in tests).
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_string(),
    }
}

pub async fn check(db: &Db, email: &str, client: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let since = now - WINDOW;
    let (per_account, per_client): (i64, i64) = on_db!(db, |pool| {
        let a: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND at > $2",
        )
        .bind(email)
        .bind(since)
        .fetch_one(pool)
        .await?;
        let c: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE client = $1 AND at > $2",
        )
        .bind(client)
        .bind(since)
        .fetch_one(pool)
        .await?;
        Ok::<_, sqlx::Error>((a, c))
    })?;
    if per_account >= MAX_PER_ACCOUNT || per_client >= MAX_PER_CLIENT {
        return Err(AppError::TooManyRequests(
            "Too many failed sign-in attempts. Wait 15 minutes and try again.".into(),
        ));
    }
    Ok(())
}

pub async fn record_failure(
    db: &Db,
    email: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    on_db!(db, |pool| sqlx::query(
        "INSERT INTO sign_in_attempts (email, client, at) VALUES ($1, $2, $3)"
    )
    .bind(email)
    .bind(client)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn clear(db: &Db, email: &str) -> Result<(), AppError> {
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM sign_in_attempts WHERE email = $1"
    )
    .bind(email)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
