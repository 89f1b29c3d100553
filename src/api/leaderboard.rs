//! `GET /api/v1/leaderboard`: the activity-score ranking of any period, as the TV shows it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Read;
use super::error::ApiError;
use crate::leaderboard::service as board;

use crate::server::state::AppState;

/// The only metric ranked so far.
const ACTIVITY_SCORE: &str = "activity_score";

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardQuery {
    /// What to rank by; `activity_score` (the default).
    #[param(example = "activity_score")]
    pub metric: Option<String>,
    /// `day`, `week`, `month` (default), `quarter`, `year` (fiscal), or a rolling window
    /// `last_7`, `last_30`, `last_60`, `last_90` ending on `date`.
    #[param(example = "month")]
    pub period: Option<String>,
    /// Any day of the period (`YYYY-MM-DD`, organisation-local); defaults to today.
    #[param(example = "2026-03-15")]
    pub date: Option<String>,
    /// Only this team's reps (by team name); the Activity Index is then relative to the team.
    pub team: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    /// `day`, `week`, `month`, `quarter`, `year`, `last_7`…
    pub kind: String,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
    /// For people: "March 2026", "Q1 2026"…
    pub label: String,
    /// True once its last day has passed (rolling windows never close).
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderboardEntryView {
    /// Standard competition ranking: ties share a rank ("1, 2, 2, 4").
    pub rank: i32,
    pub rep_email: String,
    pub rep_name: String,
    pub team: Option<String>,
    /// Activity score in hundredths of a point (`1250` = 12.50 points), exact.
    pub value: i64,
    /// The same, for display: `"12.50"`.
    pub display: String,
    /// Activity Index 0–10 in tenths (`75` = 7.5).
    pub activity_index_tenths: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderboardView {
    pub metric: String,
    pub period: PeriodView,
    pub entries: Vec<LeaderboardEntryView>,
}

/// Ranks every scored rep for the period containing `date`.
#[utoipa::path(
    get,
    path = "/api/v1/leaderboard",
    tag = "leaderboards",
    params(LeaderboardQuery),
    security(("bearer" = ["read"])),
    responses(
        (status = 200, description = "The ranking", body = LeaderboardView),
        (status = 400, description = "Unknown metric or period, or a bad date", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the read scope", body = super::error::ErrorBody),
        (status = 404, description = "No team of that name", body = super::error::ErrorBody),
    )
)]
pub async fn get_leaderboard(
    State(state): State<AppState>,
    _caller: Read,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<Json<LeaderboardView>, ApiError> {
    let Query(q) = query.map_err(|_| {
        ApiError::bad_request("invalid_query", "The query string could not be read.")
    })?;
    let db = &state.db;
    let metric = q
        .metric
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or(ACTIVITY_SCORE);
    if metric != ACTIVITY_SCORE {
        return Err(ApiError::bad_request(
            "unknown_metric",
            format!("Unknown metric '{metric}'; leaderboards rank by: {ACTIVITY_SCORE}."),
        ));
    }
    let scope = board::scope(
        db,
        q.period.as_deref(),
        q.date.as_deref(),
        q.team.as_deref(),
    )
    .await?;
    let (settings, team_id, today) = (&scope.settings, scope.team_id, scope.settings.today());
    let period = scope.period();
    let board = board::leaderboard_for(db, &settings.org_name, period, team_id).await?;
    let reps = board::reps(db, team_id).await?;
    let entries = board
        .entries
        .iter()
        .map(|e| LeaderboardEntryView {
            rank: e.rank,
            rep_email: reps
                .iter()
                .find(|r| r.id == e.rep_id)
                .map(|r| r.email.clone())
                .unwrap_or_default(),
            rep_name: e.name.clone(),
            team: e.team.clone(),
            value: e.points.0,
            display: e.points.display(),
            activity_index_tenths: e.index_tenths,
        })
        .collect();
    Ok(Json(LeaderboardView {
        metric: ACTIVITY_SCORE.to_string(),
        period: PeriodView {
            kind: period.kind.as_str().to_string(),
            start: period.start,
            end: period.end,
            label: period.label(),
            closed: period.is_closed(today),
        },
        entries,
    }))
}
