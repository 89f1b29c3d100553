//! `GET /api/v1/leaderboard`: the ranking of any catalogue metric, any period, the
//! organisation or one team; the same ranking the leaderboard page and the TV show.

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

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardQuery {
    /// What to rank by (default `activity_score`). Accepted: `activity_score`,
    /// `activity_count:<type>` and `call_time:<type>` (an activity type's id or key, e.g.
    /// `activity_count:call`), `turnover_won`, `deals_won`, `win_rate`, `deals_lost`,
    /// `lost_amount`, `new_customer_rate`, `average_deal_size`, `sales_cycle_length`
    /// (lower is better: ranked ascending), `weighted_pipeline`, `sales_velocity`, and
    /// `attainment` (composite scorecard attainment, paced to date). Anything else is a
    /// 400 `unknown_metric` listing the accepted keys.
    #[param(example = "deals_won")]
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
    /// The metric's value in its fixed-point unit, exact: hundredths of a point for
    /// `activity_score` (`1250` = 12.50), the currency's minor unit for money, seconds for
    /// call time, basis points for rates and attainment (`4500` = 45%), tenths of a day for
    /// cycle length, a plain number for counts. `null` when "n/a" (no closed deals for a
    /// win rate, no scorecard for attainment): those reps share the last rank.
    pub value: Option<i64>,
    /// The same, for display: `"12.50"`, `"EUR 1,200.00"`, `"45%"`, `"n/a"`.
    pub display: String,
    /// For `activity_score`, the Activity Index 0–10 in tenths (`75` = 7.5); for other
    /// metrics, the value as a share of the best value, in tenths (100 = the leader).
    pub activity_index_tenths: i32,
    /// The rep's activity score in hundredths of a point, whatever the metric.
    pub activity_score: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderboardView {
    /// The metric ranked, by key.
    pub metric: String,
    /// Its name: "Deals won".
    pub metric_label: String,
    /// What the number is, in a sentence.
    pub explanation: String,
    /// The team ranked; `null` for the whole organisation.
    pub team: Option<String>,
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
    let metric = board::rank_metric(db, q.metric.as_deref())
        .await
        .map_err(|e| match e {
            crate::error::AppError::BadRequest(m) => ApiError::bad_request("unknown_metric", m),
            other => other.into(),
        })?;
    let scope = board::scope(
        db,
        q.period.as_deref(),
        q.date.as_deref(),
        q.team.as_deref(),
    )
    .await?;
    let (team_id, today) = (scope.team_id, scope.settings.today());
    let period = scope.period();
    let board = board::ranking_memo(db, &state.live, &scope, &metric).await?;
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
            value: e.value,
            display: e.display.clone(),
            activity_index_tenths: e.index_tenths,
            activity_score: e.points.0,
        })
        .collect();
    Ok(Json(LeaderboardView {
        metric: board.metric.clone(),
        metric_label: board.metric_label.clone(),
        explanation: board.explanation.clone(),
        team: board.team.clone(),
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
