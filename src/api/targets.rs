//! `PUT /api/v1/targets`: monthly targets from a script.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::ApiError;
use super::{actor, ingest, input, json_body};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::targets::service::{self as targets, TargetInput};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBatch {
    /// 1 to 10,000 targets, set all together or not at all.
    pub items: Vec<TargetInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetsSet {
    /// Rows created or changed.
    pub set: i64,
}

#[utoipa::path(
    put,
    path = "/api/v1/targets",
    tag = "configuration",
    request_body(content = TargetBatch, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Every target set", body = TargetsSet),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 413, description = "Body too large or more than 10,000 items", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid items (nothing set)", body = super::error::ErrorBody),
    )
)]
pub async fn put_targets(
    State(state): State<AppState>,
    Admin(caller): Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TargetsSet>, ApiError> {
    let db = &state.db;
    let body = json_body(&headers, body)?;
    let mut errors = Vec::new();
    let parsed: Vec<(Option<i64>, TargetInput)> = input::batch_items(&body)?
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let index = Some(i64::try_from(i).unwrap_or(i64::MAX));
            targets::parse(v, index, &mut errors).map(|t| (index, t))
        })
        .collect();
    let rows = AppError::gather(targets::resolve(db, parsed).await, &mut errors)?;
    ingest::reject_if_any(errors)?;
    let set = targets::put_targets(db, &state.live, &actor(&caller), &rows).await?;
    Ok(Json(TargetsSet { set }))
}
