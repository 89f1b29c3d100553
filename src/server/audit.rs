//! The audit log: who changed what, when, before → after. Never holds secrets.

use chrono::Utc;

use super::db::Db;
use crate::error::AppError;
use crate::on_db;

pub async fn record(
    db: &Db,
    actor: &str,
    action: &str,
    entity: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    on_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(Utc::now())
    .bind(actor)
    .bind(action)
    .bind(entity)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(pool)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
