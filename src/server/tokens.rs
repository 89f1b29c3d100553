//! TV display tokens and API tokens: long random secrets, stored hashed, named, revocable.

use chrono::Utc;

use super::audit;
use super::db::Db;
use super::secrets::{hash_token, new_token};
use crate::error::AppError;
use crate::on_db;

pub const API_SCOPES: [&str; 3] = ["ingest", "read", "admin"];

/// Parses `ingest,read` into a sorted, de-duplicated list of known scopes.
pub fn parse_scopes(s: &str) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !API_SCOPES.contains(&part) {
            return Err(AppError::BadRequest(format!(
                "Unknown scope '{part}'; expected some of: {}.",
                API_SCOPES.join(", ")
            )));
        }
        if !out.iter().any(|p| p == part) {
            out.push(part.to_string());
        }
    }
    if out.is_empty() {
        return Err(AppError::BadRequest("Give at least one scope.".into()));
    }
    out.sort();
    Ok(out)
}

fn check_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "The name must have 1 to 100 characters.".into(),
        ));
    }
    Ok(name)
}

/// Creates a TV display; returns `(id, token)`. The token is shown once and never stored.
pub async fn create_display(db: &Db, actor: &str, name: &str) -> Result<(i64, String), AppError> {
    let name = check_name(name)?;
    let (token, hash) = new_token();
    let id: i64 = on_db!(db, |pool| sqlx::query_scalar(
        "INSERT INTO displays (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(name)
    .bind(&hash)
    .bind(Utc::now())
    .fetch_one(pool)
    .await)?;
    audit::record(
        db,
        actor,
        "create",
        &format!("display:{id}"),
        None,
        Some(serde_json::json!({ "name": name })),
    )
    .await?;
    Ok((id, token))
}

/// The display behind a token, if it exists and is not revoked.
pub async fn display_for_token(db: &Db, token: &str) -> Result<Option<i64>, AppError> {
    let hash = hash_token(token);
    let id: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM displays WHERE token_hash = $1 AND revoked_at IS NULL"
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await)?;
    Ok(id)
}

/// Creates an API token; returns `(id, token)`.
pub async fn create_api_token(
    db: &Db,
    actor: &str,
    name: &str,
    scopes: &[String],
) -> Result<(i64, String), AppError> {
    let name = check_name(name)?;
    let (token, hash) = new_token();
    let scopes = scopes.join(",");
    let id: i64 = on_db!(db, |pool| {
        sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(name)
    .bind(&hash)
    .bind(&scopes)
    .bind(Utc::now())
    .fetch_one(pool)
    .await
    })?;
    audit::record(
        db,
        actor,
        "create",
        &format!("api_token:{id}"),
        None,
        Some(serde_json::json!({ "name": name, "scopes": scopes })),
    )
    .await?;
    Ok((id, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_normalised() {
        assert_eq!(
            parse_scopes("read, ingest,read").unwrap(),
            vec!["ingest", "read"]
        );
        assert!(parse_scopes("read,write").is_err());
        assert!(parse_scopes(" , ").is_err());
    }
}
