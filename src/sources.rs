//! Which integration owns which upsert source. Records are matched on `(source,
//! external_id)`; without an owner, a second integration could rewrite the first one's
//! records by sending the same key. The first API token to write a source claims it, in
//! the same transaction as the write; another token is refused with 409. People (an
//! admin's CSV import, the app itself) may write any source.

use chrono::Utc;

use crate::error::AppError;
use crate::on_tx;
use crate::server::db::Tx;

/// Who is writing records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    /// An integration, by its API token id.
    Token(i64),
    /// A person (or the app), as the audit log names them.
    Person(String),
}

impl Writer {
    /// How the audit log names the writer.
    pub fn actor(&self) -> String {
        match self {
            Writer::Token(id) => format!("api_token:{id}"),
            Writer::Person(who) => who.clone(),
        }
    }
}

/// Claims `source` for the writer's token, or refuses when another token owns it.
pub async fn claim(tx: &mut Tx, writer: &Writer, source: &str) -> Result<(), AppError> {
    let Writer::Token(token_id) = writer else {
        return Ok(());
    };
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO source_owners (source, token_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (source) DO NOTHING"
    )
    .bind(source)
    .bind(token_id)
    .bind(Utc::now())
    .execute(c)
    .await
    .map(|_| ()))?;
    let owner: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT token_id FROM source_owners WHERE source = $1"
    )
    .bind(source)
    .fetch_one(c)
    .await)?;
    if owner != *token_id {
        return Err(AppError::Conflict(format!(
            "The source '{source}' belongs to another integration (API token {owner}); nothing was written. \
             Send your records with a source of your own."
        )));
    }
    Ok(())
}
