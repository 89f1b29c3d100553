//! `POST /api/v1/deals` and `/deals/batch`: pipeline and closed deals from a CRM, upserted on
//! `(source, external_id)`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::{ApiCaller, Ingest};
use super::error::ApiError;
use super::ingest::{self, DealBatchResult, DealResult};
use crate::deals::service::{self as deals, DealInput};
use crate::error::AppError;
use crate::server::state::AppState;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealBatch {
    /// 1 to 10,000 deals, written all together or not at all.
    pub items: Vec<DealInput>,
}

async fn handle(
    state: &AppState,
    caller: &ApiCaller,
    route: &str,
    batch: bool,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let prepared = match ingest::prepare(db, caller, route, headers, body).await? {
        Ok(p) => p,
        Err(replayed) => return Ok(replayed),
    };
    let mut errors = Vec::new();
    let parsed: Vec<(Option<i64>, DealInput)> = ingest::items_of(&prepared.body, batch)?
        .into_iter()
        .filter_map(|(i, v)| deals::parse(v, i, &mut errors).map(|d| (i, d)))
        .collect();
    let writes = AppError::gather(deals::resolve(db, parsed).await, &mut errors)?;
    ingest::reject_if_any(errors)?;
    let claim = prepared.claim.as_ref();
    let outcome = crate::idempotency::write_all(
        db,
        &state.live,
        &crate::sources::Writer::Token(caller.token_id),
        claim,
        &writes,
        ingest::deal_response(batch),
    )
    .await?;
    ingest::purge_later(db, claim);
    ingest::finish(claim, outcome)
}

/// Records one deal (or updates it: see `source` + `external_id`).
#[utoipa::path(
    post,
    path = "/api/v1/deals",
    tag = "deals",
    request_body(content = DealInput, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 201, description = "Created", body = DealResult),
        (status = 200, description = "Updated the deal with the same source and external_id", body = DealResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_deal(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(&state, &caller, "POST /api/v1/deals", false, &headers, body).await
}

/// Records up to 10,000 deals in one transaction: all of them, or none when any item is
/// invalid (every problem is listed with its item index).
#[utoipa::path(
    post,
    path = "/api/v1/deals/batch",
    tag = "deals",
    request_body(content = DealBatch, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 200, description = "Every item written", body = DealBatchResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large or more than 10,000 items", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid items (nothing written), or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_deals_batch(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(
        &state,
        &caller,
        "POST /api/v1/deals/batch",
        true,
        &headers,
        body,
    )
    .await
}
