//! The audit log: who changed what, when, before → after. Never holds secrets. Services
//! write the entry in the same transaction as the change it records.

use chrono::Utc;

use super::db::{Db, Tx};
use crate::error::AppError;
use crate::on_tx;

/// Records a change inside the transaction that makes it.
pub async fn record_in(
    tx: &mut Tx,
    actor: &str,
    action: &str,
    entity: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO audit_log (at, actor, action, entity, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(Utc::now())
    .bind(actor)
    .bind(action)
    .bind(entity)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Records something that is not itself a database change (an import's summary).
pub async fn record(
    db: &Db,
    actor: &str,
    action: &str,
    entity: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    record_in(&mut tx, actor, action, entity, before, after).await?;
    tx.commit().await?;
    Ok(())
}
