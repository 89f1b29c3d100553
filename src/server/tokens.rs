//! TV display tokens and API tokens: long random secrets, stored hashed, named, revocable.

use axum::http::{header, HeaderMap, StatusCode};
use chrono::{DateTime, Duration, Utc};

use super::audit;
use super::db::Db;
use super::http_error::ApiError;
use super::secrets::{hash_token, new_token};
use crate::error::AppError;
use crate::on_db;

/// What an API token may do. `admin` implies the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Admin,
    Ingest,
    Read,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Ingest, Scope::Read, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ingest => "ingest",
            Scope::Read => "read",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

/// Parses `ingest,read` into a sorted, de-duplicated list of known scopes, as stored.
pub fn parse_scopes(s: &str) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some(scope) = Scope::parse(part) else {
            let known: Vec<&str> = Scope::ALL.iter().map(|c| c.as_str()).collect();
            return Err(AppError::BadRequest(format!(
                "Unknown scope '{part}'; expected some of: {}.",
                known.join(", ")
            )));
        };
        if !out.iter().any(|p| p == scope.as_str()) {
            out.push(scope.as_str().to_string());
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

/// Creates a TV display of the whole organisation with the default slides; returns
/// `(id, token)`. The token is shown once and never stored.
pub async fn create_display(db: &Db, actor: &str, name: &str) -> Result<(i64, String), AppError> {
    let draft = crate::displays::service::DisplayDraft::named(name.trim());
    crate::displays::service::create(db, actor, &draft).await
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

/// Revokes a TV display (`kind = "display"`) or an API token (`"api_token"`): it stops
/// working on the next request, and open displays go dark at the live notice.
pub async fn revoke(
    db: &Db,
    live: &crate::live::Live,
    actor: &str,
    kind: &str,
    id: i64,
) -> Result<(), AppError> {
    let table = match kind {
        "display" => "displays",
        "api_token" => "api_tokens",
        _ => return Err(AppError::BadRequest("Unknown kind of token.".into())),
    };
    let sql = format!("UPDATE {table} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL");
    let mut tx = db.begin_write().await?;
    let n = crate::on_tx!(&mut tx, |c| sqlx::query(&sql)
        .bind(Utc::now())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(AppError::NotFound("That active token".into()));
    }
    audit::record_in(
        &mut tx,
        actor,
        "revoke",
        &format!("{kind}:{id}"),
        Some(serde_json::json!({ "revoked": false })),
        Some(serde_json::json!({ "revoked": true })),
    )
    .await?;
    tx.commit().await?;
    live.changed(crate::live::LiveKind::Tokens).await;
    Ok(())
}

/// Creates an API token; returns `(id, token)`.
pub async fn create_api_token(
    db: &Db,
    actor: &str,
    name: &str,
    scopes: &[String],
) -> Result<(i64, String), AppError> {
    let name = check_name(name)?;
    let scopes = parse_scopes(&scopes.join(","))?.join(",");
    let (token, hash) = new_token();
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

/// A valid, unrevoked API token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: i64,
    pub scopes: Vec<Scope>,
}

impl ApiCaller {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes
            .iter()
            .any(|s| *s == scope || *s == Scope::Admin)
    }
}

/// `last_used_at` is written at most this often per token, so a busy integration does not
/// turn every read into a write.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
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

#[derive(Debug, Clone, sqlx::FromRow)]
struct TokenRow {
    id: i64,
    scopes: String,
    last_used_at: Option<DateTime<Utc>>,
}

/// The caller behind the request's bearer token, if its scopes allow `scope`.
pub async fn authorize_bearer(
    db: &Db,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<ApiCaller, ApiError> {
    let token = bearer(headers)?;
    const SQL: &str = "SELECT id, scopes, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
    let found: Option<TokenRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(hash_token(token))
        .fetch_optional(pool)
        .await)?;
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
        let db = db.clone();
        let id = found.id;
        tokio::spawn(async move {
            let touched = on_db!(&db, |pool| sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"
            )
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()));
            if let Err(e) = touched {
                tracing::warn!(error = %e, token_id = id, "could not record API token use");
            }
        });
    }
    let caller = ApiCaller {
        token_id: found.id,
        scopes: found.scopes.split(',').filter_map(Scope::parse).collect(),
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
