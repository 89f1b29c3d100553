//! `GET /api/v1/reps/{email}/scorecard`: one rep's role scorecard for any period.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Read;
use super::error::ApiError;
use crate::leaderboard::service as board;
use crate::scorecard::{repo, service, ScorecardView};
use crate::server::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// `day`, `week`, `month` (default), `quarter`, `year` (fiscal), or a rolling window
    /// `last_7`, `last_30`, `last_60`, `last_90` ending on `date`.
    #[param(example = "month")]
    pub period: Option<String>,
    /// Any day of the period (`YYYY-MM-DD`, organisation-local); defaults to today.
    #[param(example = "2026-03-15")]
    pub date: Option<String>,
}

/// Every metric of the rep's role scorecard: actual, target, expected to date, attainment,
/// pace and band, then the composite. Figures that are undefined (no target, absent all
/// period) read `"n/a"` with a `null` raw value.
#[utoipa::path(
    get,
    path = "/api/v1/reps/{email}/scorecard",
    tag = "scorecards",
    params(
        ("email" = String, Path, description = "The rep's email address"),
        ScorecardQuery
    ),
    security(("bearer" = ["read"])),
    responses(
        (status = 200, description = "The scorecard", body = ScorecardView),
        (status = 400, description = "Unknown period, or a bad date", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the read scope", body = super::error::ErrorBody),
        (status = 404, description = "No active account with that email", body = super::error::ErrorBody),
    )
)]
pub async fn get_rep_scorecard(
    State(state): State<AppState>,
    _caller: Read,
    Path(email): Path<String>,
    query: Result<Query<ScorecardQuery>, QueryRejection>,
) -> Result<Json<ScorecardView>, ApiError> {
    let Query(q) = query.map_err(|_| {
        ApiError::bad_request("invalid_query", "The query string could not be read.")
    })?;
    let db = &state.db;
    let scope = board::scope(db, q.period.as_deref(), q.date.as_deref(), None).await?;
    let (kind, date) = (scope.kind, scope.date);
    let unknown = || ApiError::not_found("No active account with that email.");
    // An address no account can have is not looked up (PostgreSQL refuses NUL in text).
    let email = crate::people::service::parse_email(&email)
        .ok()
        .filter(|e| !e.contains('\0') && e.chars().count() <= 320)
        .ok_or_else(unknown)?;
    let rep_id = repo::rep_id_by_email(db, &email)
        .await?
        .ok_or_else(unknown)?;
    let view = service::rep_scorecard(db, rep_id, kind, date).await?;
    Ok(Json(view))
}
