//! `POST /api/v1/activities` and `/activities/batch`: activities from a CRM or a dialler,
//! upserted on `(source, external_id)`, scored through the same daily rollups as the app.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Ingest;
use super::error::ApiError;
use super::ingest::{self, ActivityBatchResult, ActivityResult};
use crate::activities::service::{self as activities, ActivityInput};
use crate::error::AppError;
use crate::server::state::AppState;

/// The batch body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBatch {
    /// 1 to 10,000 activities, written all together or not at all.
    pub items: Vec<ActivityInput>,
}

async fn handle(
    state: &AppState,
    caller: &super::auth::ApiCaller,
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
    let parsed: Vec<(Option<i64>, ActivityInput)> = ingest::items_of(&prepared.body, batch)?
        .into_iter()
        .filter_map(|(i, v)| activities::parse(v, i, &mut errors).map(|a| (i, a)))
        .collect();
    let writes = AppError::gather(activities::resolve(db, parsed).await, &mut errors)?;
    ingest::reject_if_any(errors)?;
    let claim = prepared.claim.as_ref();
    let outcome = crate::idempotency::write_all(
        db,
        &state.live,
        &crate::sources::Writer::Token(caller.token_id),
        claim,
        &writes,
        ingest::activity_response(batch),
    )
    .await?;
    ingest::purge_later(db, claim);
    ingest::finish(claim, outcome)
}

/// Records one activity (or updates it: see `source` + `external_id`).
#[utoipa::path(
    post,
    path = "/api/v1/activities",
    tag = "activities",
    request_body(content = ActivityInput, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 201, description = "Created", body = ActivityResult),
        (status = 200, description = "Updated the activity with the same source and external_id", body = ActivityResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_activity(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(
        &state,
        &caller,
        "POST /api/v1/activities",
        false,
        &headers,
        body,
    )
    .await
}

/// Records up to 10,000 activities in one transaction: all of them, or none when any item
/// is invalid (every problem is listed with its item index).
#[utoipa::path(
    post,
    path = "/api/v1/activities/batch",
    tag = "activities",
    request_body(content = ActivityBatch, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 200, description = "Every item written", body = ActivityBatchResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large or more than 10,000 items", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid items (nothing written), or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_activities_batch(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(
        &state,
        &caller,
        "POST /api/v1/activities/batch",
        true,
        &headers,
        body,
    )
    .await
}
