//! The shared path of every write route: body checks, `Idempotency-Key` replay, and the
//! response (stored under the key in the write's own transaction).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::ApiCaller;
use super::error::{ApiError, FieldError};
use super::input;
use crate::idempotency::{self, Claim, StoredResponse, Upserted, WriteOutcome};
use crate::server::db::Db;

/// Set on a response replayed for a repeated `Idempotency-Key`.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
}

/// What happened to one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActivityResult {
    /// Position in the batch (absent for a single write).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    pub id: i64,
    pub outcome: Outcome,
    /// Whether it adds to the rep's score: false when shorter than its type's minimum
    /// duration, or when the activity was deleted in the app (an upsert does not revive it).
    pub counts: bool,
}

/// What happened to one deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DealResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    pub id: i64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityBatchResult {
    pub created: i64,
    pub updated: i64,
    /// One per item, in the order sent.
    pub items: Vec<ActivityResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealBatchResult {
    pub created: i64,
    pub updated: i64,
    pub items: Vec<DealResult>,
}

/// A write request whose body is JSON, checked before any database work.
pub struct Prepared {
    pub body: Value,
    pub claim: Option<Claim>,
}

/// Content type, size, `Idempotency-Key` (a known key replays here, before the body is
/// even parsed, so a retry gets its first answer even if the data has since become
/// invalid), then JSON syntax.
pub async fn prepare(
    db: &Db,
    caller: &ApiCaller,
    route: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Result<Prepared, Response>, ApiError> {
    let bytes = input::json_bytes(headers, body)?;
    let claim = match input::idempotency_key(headers)? {
        Some(key) => {
            let claim = Claim {
                token_id: caller.token_id,
                key,
                request_hash: input::request_hash(route, &bytes),
            };
            if let Some(stored) = idempotency::stored_response(db, &claim).await? {
                return replay(&claim, stored).map(Err);
            }
            Some(claim)
        }
        None => None,
    };
    let body = input::parse_json(&bytes)?;
    Ok(Ok(Prepared { body, claim }))
}

/// The stored answer for a repeated key, or 422 when the key came with another request.
fn replay(claim: &Claim, stored: StoredResponse) -> Result<Response, ApiError> {
    if stored.request_hash != claim.request_hash {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request; use a new key for a new request.",
        ));
    }
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| {
            tracing::error!(
                status = stored.status,
                "unusable status stored under an idempotency key"
            );
            ApiError::internal()
        })?;
    let mut res = (status, stored.response).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    Ok(res)
}

/// Turns a guarded write into the HTTP response (fresh or replayed).
pub fn finish(
    claim: Option<&Claim>,
    outcome: WriteOutcome<Upserted>,
) -> Result<Response, ApiError> {
    match outcome {
        WriteOutcome::Replay(stored) => match claim {
            Some(c) => replay(c, stored),
            None => Err(ApiError::internal()),
        },
        WriteOutcome::Done {
            status, response, ..
        } => {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            let mut res = (status, response).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(res)
        }
    }
}

/// After a write with a key, old keys are forgotten, off the request path.
pub fn purge_later(db: &Db, claim: Option<&Claim>) {
    if claim.is_some() {
        let db = db.clone();
        tokio::spawn(async move {
            if let Err(e) = idempotency::purge_old_keys(&db).await {
                tracing::warn!(error = %e, "could not purge old idempotency keys");
            }
        });
    }
}

fn outcome(u: &Upserted) -> Outcome {
    if u.created {
        Outcome::Created
    } else {
        Outcome::Updated
    }
}

fn json_text<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs cannot fail; an empty object is never sent anyway.
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string())
}

fn totals(results: &[Upserted]) -> (i64, i64) {
    let created = results.iter().filter(|r| r.created).count();
    (
        i64::try_from(created).unwrap_or(i64::MAX),
        i64::try_from(results.len() - created).unwrap_or(i64::MAX),
    )
}

/// 201 for a new record, 200 for an update.
fn single_status(results: &[Upserted]) -> i64 {
    if results.first().is_some_and(|r| r.created) {
        201
    } else {
        200
    }
}

pub fn activity_response(batch: bool) -> impl Fn(&[Upserted]) -> (i64, String) {
    move |results| {
        let item = |(i, u): (usize, &Upserted)| ActivityResult {
            index: batch.then(|| i64::try_from(i).unwrap_or(i64::MAX)),
            id: u.id,
            outcome: outcome(u),
            counts: u.counts,
        };
        if batch {
            let (created, updated) = totals(results);
            let items = results.iter().enumerate().map(item).collect();
            (
                200,
                json_text(&ActivityBatchResult {
                    created,
                    updated,
                    items,
                }),
            )
        } else {
            let first = results.iter().enumerate().map(item).next();
            (single_status(results), json_text(&first))
        }
    }
}

pub fn deal_response(batch: bool) -> impl Fn(&[Upserted]) -> (i64, String) {
    move |results| {
        let item = |(i, u): (usize, &Upserted)| DealResult {
            index: batch.then(|| i64::try_from(i).unwrap_or(i64::MAX)),
            id: u.id,
            outcome: outcome(u),
        };
        if batch {
            let (created, updated) = totals(results);
            let items = results.iter().enumerate().map(item).collect();
            (
                200,
                json_text(&DealBatchResult {
                    created,
                    updated,
                    items,
                }),
            )
        } else {
            let first = results.iter().enumerate().map(item).next();
            (single_status(results), json_text(&first))
        }
    }
}

/// The items of a request: the whole body for a single write, `items` for a batch, each
/// paired with its index (batches only).
pub fn items_of(body: &Value, batch: bool) -> Result<Vec<(Option<i64>, &Value)>, ApiError> {
    if batch {
        let items = input::batch_items(body)?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| (Some(i64::try_from(i).unwrap_or(i64::MAX)), v))
            .collect())
    } else {
        Ok(vec![(None, body)])
    }
}

/// 422 with every problem when any item has one; nothing is written then.
pub fn reject_if_any(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(errors))
}
