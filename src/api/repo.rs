//! SQL of the integration API: tokens, idempotency keys, and the upserts of activities (with
//! their rollups) and deals, each batch in one write transaction with its key claim.

use chrono::{DateTime, NaiveDate, Utc};

use super::error::ApiError;
use crate::activities::repo::add_to_rollup;
use crate::on_db;
use crate::server::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub scopes: String,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The unrevoked token with this hash.
pub async fn token_by_hash(db: &Db, token_hash: &str) -> Result<Option<TokenRow>, ApiError> {
    const SQL: &str = "SELECT id, scopes, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

pub async fn touch_token(db: &Db, token_id: i64, now: DateTime<Utc>) -> Result<(), ApiError> {
    const SQL: &str = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
    on_db!(db, |pool| sqlx::query(SQL)
        .bind(now)
        .bind(token_id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Who may be named as `rep_email`: every account, with what makes it scoreable.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepLookup {
    pub id: i64,
    pub email: String,
    pub active: bool,
    pub sales_role_id: Option<i64>,
}

pub async fn accounts(db: &Db) -> Result<Vec<RepLookup>, ApiError> {
    const SQL: &str = "SELECT id, email, active, sales_role_id FROM users";
    let rows = on_db!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await)?;
    Ok(rows)
}

/// An `Idempotency-Key` as one token used it for one request.
#[derive(Debug, Clone)]
pub struct Claim {
    pub token_id: i64,
    pub key: String,
    pub request_hash: String,
}

/// The response stored for a key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: i64,
    pub response: String,
}

const STORED: &str =
    "SELECT request_hash, status, response FROM idempotency_keys WHERE token_id = $1 AND idempotency_key = $2";
const CLAIM: &str = "INSERT INTO idempotency_keys (token_id, idempotency_key, request_hash, status, response, created_at) \
    VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (token_id, idempotency_key) DO NOTHING RETURNING id";
const STORE: &str = "UPDATE idempotency_keys SET status = $1, response = $2 WHERE id = $3";

/// Keys older than this are forgotten: a retry after a week is a new request.
pub const KEY_RETENTION_DAYS: i64 = 7;

/// The response already stored for a key (committed requests only).
pub async fn stored_response(db: &Db, claim: &Claim) -> Result<Option<StoredResponse>, ApiError> {
    let row = on_db!(db, |pool| sqlx::query_as(STORED)
        .bind(claim.token_id)
        .bind(&claim.key)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Forgets keys past their retention. Best effort, outside any write transaction.
pub async fn purge_old_keys(db: &Db) -> Result<(), ApiError> {
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

/// What a guarded write did.
#[derive(Debug, Clone)]
pub enum WriteOutcome<T> {
    /// The key had been used already (perhaps by a concurrent request that won the claim):
    /// nothing was written, this is what the first request stored.
    Replay(StoredResponse),
    Done {
        results: Vec<T>,
        status: i64,
        response: String,
    },
}

/// Created or updated, with the row id; `counts` is whether an activity adds to the score
/// (false when too short for its type's minimum duration, or deleted in the app).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    pub id: i64,
    pub created: bool,
    pub counts: bool,
}

/// Claims `$claim` inside the transaction `$tx`: `Some(stored)` when the key was already
/// claimed. On PostgreSQL a concurrent claim of the same key waits here until the other
/// transaction ends; on SQLite `BEGIN IMMEDIATE` has already put the writers in line.
macro_rules! claim_key {
    ($tx:ident, $claim:expr) => {{
        let c: &Claim = $claim;
        let claimed: Option<i64> = sqlx::query_scalar(CLAIM)
            .bind(c.token_id)
            .bind(&c.key)
            .bind(&c.request_hash)
            .bind(Utc::now())
            .fetch_optional(&mut *$tx)
            .await?;
        match claimed {
            Some(id) => Ok(id),
            None => {
                let stored: StoredResponse = sqlx::query_as(STORED)
                    .bind(c.token_id)
                    .bind(&c.key)
                    .fetch_one(&mut *$tx)
                    .await?;
                Err(stored)
            }
        }
    }};
}

/// Runs `$write` (an expression using `$tx`, giving a `Vec` of results) after claiming the
/// key, then stores the response built by `$respond` under the key, all in one transaction.
macro_rules! guarded_write {
    ($db:expr, $claim:expr, $respond:expr, |$tx:ident| $write:expr) => {{
        let claim: Option<&Claim> = $claim;
        crate::in_write_tx!($db, |$tx| {
            let claim_id = match claim {
                Some(c) => match claim_key!($tx, c) {
                    Ok(id) => Some(id),
                    // Dropping the transaction rolls it back.
                    Err(stored) => return Ok(WriteOutcome::Replay(stored)),
                },
                None => None,
            };
            let results = $write;
            let (status, response): (i64, String) = $respond(&results);
            if let Some(id) = claim_id {
                sqlx::query(STORE)
                    .bind(status)
                    .bind(&response)
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
            }
            WriteOutcome::Done {
                results,
                status,
                response,
            }
        })
    }};
}

/// An activity ready to store: every reference resolved, local date computed.
#[derive(Debug, Clone)]
pub struct ActivityWrite {
    pub rep_id: i64,
    pub activity_type_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub quantity: i64,
    pub duration_seconds: Option<i64>,
    pub qualifies: bool,
    pub note: Option<String>,
    pub account: Option<String>,
    pub source: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct StoredActivity {
    id: i64,
    rep_id: i64,
    activity_type_id: i64,
    local_date: NaiveDate,
    quantity: i64,
    duration_seconds: Option<i64>,
    qualifies: bool,
    deleted_at: Option<DateTime<Utc>>,
}

/// Locks the row (a no-op update) and returns it as it is now: on PostgreSQL a concurrent
/// upsert of the same record waits, then reads the committed values.
const LOCK_ACTIVITY: &str = "UPDATE activities SET external_id = external_id WHERE source = $1 AND external_id = $2 \
    RETURNING id, rep_id, activity_type_id, local_date, quantity, duration_seconds, qualifies, deleted_at";
const UPDATE_ACTIVITY: &str =
    "UPDATE activities SET rep_id = $1, activity_type_id = $2, occurred_at = $3, local_date = $4, \
    quantity = $5, duration_seconds = $6, qualifies = $7, note = $8, account = $9 WHERE id = $10";
const INSERT_ACTIVITY: &str = "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, \
    duration_seconds, qualifies, note, account, source, external_id, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (source, external_id) DO NOTHING RETURNING id";

/// Upserts one activity on `(source, external_id)` and corrects the daily rollups: the old
/// contribution out, the new one in. An activity deleted in the app stays deleted.
macro_rules! upsert_activity {
    ($tx:ident, $a:expr) => {{
        let a: &ActivityWrite = $a;
        let mut done: Option<Upserted> = None;
        // Twice at most: when a concurrent transaction inserts the same record between
        // the lock and the insert, the second round finds and updates it.
        for _ in 0..2 {
            if let (Some(source), Some(external_id)) = (&a.source, &a.external_id) {
                let old: Option<StoredActivity> =
                    sqlx::query_as(LOCK_ACTIVITY).bind(source).bind(external_id).fetch_optional(&mut *$tx).await?;
                if let Some(old) = old {
                    let live = old.deleted_at.is_none();
                    if live && old.qualifies {
                        add_to_rollup(
                            &mut $tx,
                            old.rep_id,
                            old.local_date,
                            old.activity_type_id,
                            -old.quantity,
                            -old.duration_seconds.unwrap_or(0),
                        )
                        .await?;
                    }
                    sqlx::query(UPDATE_ACTIVITY)
                        .bind(a.rep_id)
                        .bind(a.activity_type_id)
                        .bind(a.occurred_at)
                        .bind(a.local_date)
                        .bind(a.quantity)
                        .bind(a.duration_seconds)
                        .bind(a.qualifies)
                        .bind(&a.note)
                        .bind(&a.account)
                        .bind(old.id)
                        .execute(&mut *$tx)
                        .await?;
                    let counts = live && a.qualifies;
                    if counts {
                        add_to_rollup(&mut $tx, a.rep_id, a.local_date, a.activity_type_id, a.quantity, a.duration_seconds.unwrap_or(0))
                            .await?;
                    }
                    done = Some(Upserted { id: old.id, created: false, counts });
                    break;
                }
            }
            let id: Option<i64> = sqlx::query_scalar(INSERT_ACTIVITY)
                .bind(a.rep_id)
                .bind(a.activity_type_id)
                .bind(a.occurred_at)
                .bind(a.local_date)
                .bind(a.quantity)
                .bind(a.duration_seconds)
                .bind(a.qualifies)
                .bind(&a.note)
                .bind(&a.account)
                .bind(&a.source)
                .bind(&a.external_id)
                .bind(Utc::now())
                .fetch_optional(&mut *$tx)
                .await?;
            if let Some(id) = id {
                if a.qualifies {
                    add_to_rollup(&mut $tx, a.rep_id, a.local_date, a.activity_type_id, a.quantity, a.duration_seconds.unwrap_or(0))
                        .await?;
                }
                done = Some(Upserted { id, created: true, counts: a.qualifies });
                break;
            }
        }
        done.ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "conflict",
                "The same record was being written by another request; nothing was written. Retry the request.",
            )
        })?
    }};
}

/// Writes every activity, or none, in one transaction with the key claim.
pub async fn write_activities(
    db: &Db,
    claim: Option<&Claim>,
    items: &[ActivityWrite],
    respond: impl Fn(&[Upserted]) -> (i64, String),
) -> Result<WriteOutcome<Upserted>, ApiError> {
    let outcome = guarded_write!(db, claim, respond, |tx| {
        let mut results = Vec::with_capacity(items.len());
        for a in items {
            results.push(upsert_activity!(tx, a));
        }
        results
    });
    Ok(outcome)
}

/// A deal ready to store.
#[derive(Debug, Clone)]
pub struct DealWrite {
    pub rep_id: i64,
    pub name: String,
    pub account: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub stage: String,
    pub probability: i64,
    pub status: &'static str,
    pub lost_reason: Option<String>,
    pub new_customer: bool,
    pub created_on: NaiveDate,
    pub expected_close: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub source: Option<String>,
    pub external_id: Option<String>,
}

const LOCK_DEAL: &str = "UPDATE deals SET external_id = external_id WHERE source = $1 AND external_id = $2 RETURNING id";
const UPDATE_DEAL: &str = "UPDATE deals SET rep_id = $1, name = $2, account = $3, amount_minor = $4, currency = $5, \
    stage = $6, probability = $7, status = $8, lost_reason = $9, new_customer = $10, created_on = $11, \
    expected_close = $12, closed_on = $13, updated_at = $14 WHERE id = $15";
const INSERT_DEAL: &str = "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, \
    lost_reason, new_customer, created_on, expected_close, closed_on, source, external_id, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
    ON CONFLICT (source, external_id) DO NOTHING RETURNING id";

macro_rules! upsert_deal {
    ($tx:ident, $d:expr) => {{
        let d: &DealWrite = $d;
        let now = Utc::now();
        let mut done: Option<Upserted> = None;
        for _ in 0..2 {
            if let (Some(source), Some(external_id)) = (&d.source, &d.external_id) {
                let old: Option<i64> =
                    sqlx::query_scalar(LOCK_DEAL).bind(source).bind(external_id).fetch_optional(&mut *$tx).await?;
                if let Some(id) = old {
                    sqlx::query(UPDATE_DEAL)
                        .bind(d.rep_id)
                        .bind(&d.name)
                        .bind(&d.account)
                        .bind(d.amount_minor)
                        .bind(&d.currency)
                        .bind(&d.stage)
                        .bind(d.probability)
                        .bind(d.status)
                        .bind(&d.lost_reason)
                        .bind(d.new_customer)
                        .bind(d.created_on)
                        .bind(d.expected_close)
                        .bind(d.closed_on)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *$tx)
                        .await?;
                    done = Some(Upserted { id, created: false, counts: true });
                    break;
                }
            }
            let id: Option<i64> = sqlx::query_scalar(INSERT_DEAL)
                .bind(d.rep_id)
                .bind(&d.name)
                .bind(&d.account)
                .bind(d.amount_minor)
                .bind(&d.currency)
                .bind(&d.stage)
                .bind(d.probability)
                .bind(d.status)
                .bind(&d.lost_reason)
                .bind(d.new_customer)
                .bind(d.created_on)
                .bind(d.expected_close)
                .bind(d.closed_on)
                .bind(&d.source)
                .bind(&d.external_id)
                .bind(now)
                .fetch_optional(&mut *$tx)
                .await?;
            if let Some(id) = id {
                done = Some(Upserted { id, created: true, counts: true });
                break;
            }
        }
        done.ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "conflict",
                "The same record was being written by another request; nothing was written. Retry the request.",
            )
        })?
    }};
}

/// Writes every deal, or none, in one transaction with the key claim.
pub async fn write_deals(
    db: &Db,
    claim: Option<&Claim>,
    items: &[DealWrite],
    respond: impl Fn(&[Upserted]) -> (i64, String),
) -> Result<WriteOutcome<Upserted>, ApiError> {
    let outcome = guarded_write!(db, claim, respond, |tx| {
        let mut results = Vec::with_capacity(items.len());
        for d in items {
            results.push(upsert_deal!(tx, d));
        }
        results
    });
    Ok(outcome)
}
