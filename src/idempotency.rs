//! Idempotency keys: a key one API token used for one request, claimed in the same
//! transaction as the write it guards and holding the response to replay on a retry.

use chrono::Utc;

use std::future::Future;

use crate::error::AppError;
use crate::live::{Live, LiveKind};
use crate::server::db::{Db, Tx};
use crate::sources::Writer;
use crate::{on_db, on_tx};

/// Keys older than this are forgotten: a retry after a week is a new request.
pub const KEY_RETENTION_DAYS: i64 = 7;

/// An `Idempotency-Key` as one token used it for one request.
#[derive(Debug, Clone)]
pub struct Claim {
    pub token_id: i64,
    pub key: String,
    /// What makes two requests "the same": route and exact body.
    pub request_hash: String,
}

/// The response stored for a key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: i64,
    pub response: String,
}

/// What a write did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    pub id: i64,
    /// False when the record existed (updated, or a retried tap that changed nothing).
    pub created: bool,
    /// Whether it adds to the rep's score (see [`crate::activities::store::counts`]);
    /// always true for deals.
    pub counts: bool,
    /// A deal that this write made won (new as won, or changed to won): celebrated live.
    pub newly_won: bool,
}

/// A record that a guarded batch writes (an activity, a deal): its service's one write.
pub trait Record: Sync {
    /// What changed, for the live notice.
    const KIND: LiveKind;

    /// The upsert source, when the record has one (see [`crate::sources`]).
    fn source(&self) -> Option<&str>;

    fn write<'a>(
        &'a self,
        tx: &'a mut Tx,
        writer: &'a Writer,
    ) -> impl Future<Output = Result<Upserted, AppError>> + Send + 'a;

    /// Writes `records` with the outcome of [`Record::write`] on each in turn (the results in
    /// the same order); a kind may store many at once.
    fn write_many<'a>(
        records: &'a [Self],
        tx: &'a mut Tx,
        writer: &'a Writer,
    ) -> impl Future<Output = Result<Vec<Upserted>, AppError>> + Send + 'a
    where
        Self: Sized,
    {
        async move {
            let mut results = Vec::with_capacity(records.len());
            for r in records {
                results.push(r.write(tx, writer).await?);
            }
            Ok(results)
        }
    }
}

/// Writes every record, or none, in one transaction with the idempotency key (when one is
/// given, a retry replays the first answer) and the claim of each source for the writer,
/// then announces the change.
pub async fn write_all<R, F>(
    db: &Db,
    live: &Live,
    writer: &Writer,
    claim: Option<&Claim>,
    records: &[R],
    respond: F,
) -> Result<WriteOutcome<Upserted>, AppError>
where
    R: Record,
    F: Fn(&[Upserted]) -> (i64, String),
{
    let mut guard = match begin(db, claim).await? {
        Begun::Replay(stored) => return Ok(WriteOutcome::Replay(stored)),
        Begun::Open(guard) => guard,
    };
    let mut sources: Vec<&str> = records.iter().filter_map(|r| r.source()).collect();
    sources.sort_unstable();
    sources.dedup();
    for source in sources {
        crate::sources::claim(&mut guard.tx, writer, source).await?;
    }
    let results = R::write_many(records, &mut guard.tx, writer).await?;
    let won: Vec<i64> = results
        .iter()
        .filter(|u| u.newly_won)
        .map(|u| u.id)
        .collect();
    let outcome = guard.finish(results, respond).await?;
    live.changed(R::KIND).await;
    if !won.is_empty() {
        crate::deals::service::announce_wins(db, live, &won).await;
    }
    Ok(outcome)
}

/// What a guarded write did.
#[derive(Debug, Clone)]
pub enum WriteOutcome<T> {
    /// The key had been used already (perhaps by a concurrent request that won the claim):
    /// nothing was written; this is what the first request stored.
    Replay(StoredResponse),
    Done {
        results: Vec<T>,
        status: i64,
        response: String,
    },
}

/// A write transaction that has claimed its key (or has none).
pub struct Guard {
    pub tx: Tx,
    claim_id: Option<i64>,
}

/// Either the open transaction to write in, or the stored answer of an earlier request.
pub enum Begun {
    Open(Guard),
    Replay(StoredResponse),
}

const STORED: &str =
    "SELECT request_hash, status, response FROM idempotency_keys WHERE token_id = $1 AND idempotency_key = $2";
const CLAIM: &str = "INSERT INTO idempotency_keys (token_id, idempotency_key, request_hash, status, response, created_at) \
    VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (token_id, idempotency_key) DO NOTHING RETURNING id";
const STORE: &str = "UPDATE idempotency_keys SET status = $1, response = $2 WHERE id = $3";

/// The response already stored for a key (committed requests only).
pub async fn stored_response(db: &Db, claim: &Claim) -> Result<Option<StoredResponse>, AppError> {
    let row = on_db!(db, |pool| sqlx::query_as(STORED)
        .bind(claim.token_id)
        .bind(&claim.key)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Begins a write transaction and claims the key in it. On PostgreSQL a concurrent claim
/// of the same key waits here until the other transaction ends; on SQLite `BEGIN
/// IMMEDIATE` has already put the writers in line.
pub async fn begin(db: &Db, claim: Option<&Claim>) -> Result<Begun, AppError> {
    let mut tx = db.begin_write().await?;
    let Some(c) = claim else {
        return Ok(Begun::Open(Guard { tx, claim_id: None }));
    };
    let claimed: Option<i64> = on_tx!(&mut tx, |conn| sqlx::query_scalar(CLAIM)
        .bind(c.token_id)
        .bind(&c.key)
        .bind(&c.request_hash)
        .bind(Utc::now())
        .fetch_optional(conn)
        .await)?;
    match claimed {
        Some(id) => Ok(Begun::Open(Guard {
            tx,
            claim_id: Some(id),
        })),
        None => {
            let stored: StoredResponse = on_tx!(&mut tx, |conn| sqlx::query_as(STORED)
                .bind(c.token_id)
                .bind(&c.key)
                .fetch_one(conn)
                .await)?;
            // Dropping the transaction rolls it back.
            Ok(Begun::Replay(stored))
        }
    }
}

impl Guard {
    /// Stores the response built by `respond` under the key and commits.
    pub async fn finish<T>(
        mut self,
        results: Vec<T>,
        respond: impl Fn(&[T]) -> (i64, String),
    ) -> Result<WriteOutcome<T>, AppError> {
        let (status, response) = respond(&results);
        if let Some(id) = self.claim_id {
            on_tx!(&mut self.tx, |conn| sqlx::query(STORE)
                .bind(status)
                .bind(&response)
                .bind(id)
                .execute(conn)
                .await
                .map(|_| ()))?;
        }
        self.tx.commit().await?;
        Ok(WriteOutcome::Done {
            results,
            status,
            response,
        })
    }
}

/// Forgets keys past their retention. Best effort, outside any write transaction.
pub async fn purge_old_keys(db: &Db) -> Result<(), AppError> {
    let cutoff = Utc::now() - chrono::Duration::days(KEY_RETENTION_DAYS);
    on_db!(db, |pool| sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < $1"
    )
    .bind(cutoff)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}
