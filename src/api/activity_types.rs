//! `PUT /api/v1/activity-types/{key}`: activity types and their weights from a script.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::ApiError;
use super::{actor, fields, finish_fields, json_body};
use crate::activity_types::service::{
    self as types, TypeDraft, WeightView, MAX_DAILY_CAP, MAX_MIN_DURATION, MAX_WEIGHT,
};
use crate::server::org;
use crate::server::state::AppState;

/// Creates or changes an activity type. Fields left out keep their value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypeInput {
    /// Required to create a type.
    #[schema(max_length = 60, example = "Call")]
    pub label: Option<String>,
    /// Shown on the quick-log button (an emoji or a short text); default `•`.
    #[schema(max_length = 16)]
    pub icon: Option<String>,
    /// A leading indicator (effort) rather than an outcome; default true.
    pub leading: Option<bool>,
    /// Units per rep per day that score; `null` removes the cap.
    #[schema(minimum = 0, maximum = 100000)]
    pub daily_cap: Option<i64>,
    /// An activity shorter than this many seconds does not score (a dialled number is not a
    /// call); `null` removes the minimum.
    #[schema(minimum = 1, maximum = 43200)]
    pub min_duration_seconds: Option<i64>,
    /// Points per counted unit, at most two decimals (`3`, `2.5`, `"0.75"`). Required to
    /// create a type. A new weight version: past activities keep the weight of their date.
    #[schema(value_type = Option<String>, example = "3.5")]
    pub weight: Option<Value>,
    /// The first local day the weight applies to; default the first day of the current
    /// month. Only with `weight`.
    pub effective_from: Option<NaiveDate>,
    /// False hides the type from logging and ingestion; its history still counts.
    pub active: Option<bool>,
}

const TYPE_FIELDS: [&str; 8] = [
    "label",
    "icon",
    "leading",
    "daily_cap",
    "min_duration_seconds",
    "weight",
    "effective_from",
    "active",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityTypeView {
    pub key: String,
    pub label: String,
    pub icon: String,
    pub leading: bool,
    pub daily_cap: Option<i64>,
    pub min_duration_seconds: Option<i64>,
    pub active: bool,
    /// Every weight version, oldest first.
    pub weights: Vec<WeightView>,
}

#[utoipa::path(
    put,
    path = "/api/v1/activity-types/{key}",
    tag = "configuration",
    params(("key" = String, Path, description = "The type's key: lowercase letters, digits and `_`, e.g. `call`")),
    request_body(content = ActivityTypeInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = ActivityTypeView),
        (status = 200, description = "Updated", body = ActivityTypeView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 409, description = "Created concurrently; retry", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = super::error::ErrorBody),
    )
)]
pub async fn put_activity_type(
    State(state): State<AppState>,
    Admin(caller): Admin,
    key: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let Path(key) = key.map_err(|_| ApiError::not_found("No such activity type route."))?;
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &TYPE_FIELDS)?;
    let draft = TypeDraft {
        label: f.text("label", 60),
        icon: f.text("icon", 16),
        leading: f.boolean("leading"),
        daily_cap: if f.is_null("daily_cap") {
            Some(None)
        } else {
            f.int("daily_cap", 0, MAX_DAILY_CAP).map(Some)
        },
        min_duration_seconds: if f.is_null("min_duration_seconds") {
            Some(None)
        } else {
            f.int("min_duration_seconds", 1, MAX_MIN_DURATION).map(Some)
        },
        must_be_new: false,
        weight: f.hundredths("weight", 0, MAX_WEIGHT),
        effective_from: f.date("effective_from"),
        active: f.boolean("active"),
    };
    finish_fields(&mut f)?;
    let today = org::load(db).await?.today();
    let (stored, created) =
        types::put_activity_type(db, &state.live, &actor(&caller), &key, draft, today).await?;
    let view = ActivityTypeView {
        weights: types::weights_of(db, stored.id).await?,
        key: stored.key,
        label: stored.label,
        icon: stored.icon,
        leading: stored.leading,
        daily_cap: stored.daily_cap,
        min_duration_seconds: stored.min_duration_seconds,
        active: stored.active,
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}
