//! The public leaderboard: the ranking of any catalogue metric (activity score by default)
//! for a period, the organisation or one team, for signed-in users, the API and TVs.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::{Period, Points};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    /// Standard competition ranking; reps whose value is "n/a" share the last rank.
    pub rank: i32,
    pub rep_id: i64,
    pub name: String,
    pub team: Option<String>,
    /// The rep's activity score (every board has it, whatever it ranks by).
    pub points: Points,
    /// For the activity score, the Activity Index in tenths (0–100 is 0.0–10.0); for any
    /// other metric the value as a share of the best one, in tenths (a bar's width).
    pub index_tenths: i32,
    /// The ranked value in the metric's unit; `None` for "n/a" (and for money on a
    /// private display).
    pub value: Option<i64>,
    /// The ranked value for people: "12.50", "EUR 1,200", "45%", "n/a".
    pub display: String,
}

/// A metric the boards can rank by: its key (for URLs and the API) and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricChoice {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub org_name: String,
    pub period: Period,
    pub period_label: String,
    pub entries: Vec<LeaderboardEntry>,
    /// The metric ranked, by key (`activity_score`, `deals_won`, `activity_count:3`…).
    pub metric: String,
    /// Its name: "Activity score", "Deals won"…
    pub metric_label: String,
    /// What the number is, in a sentence.
    pub explanation: String,
    /// The team ranked; `None` for the whole organisation.
    pub team: Option<String>,
    /// When the board was computed, organisation-local ("14:05:09").
    pub updated: String,
    /// Every metric a board can rank by, and every team: what the page offers.
    pub metrics: Vec<MetricChoice>,
    pub teams: Vec<String>,
}

/// The leaderboard of `metric` (default: activity score) for the period of `period` kind
/// containing today, for the organisation or the team named `team`.
#[server(endpoint = "leaderboard")]
pub async fn get_leaderboard(
    period: String,
    #[server(default)] metric: Option<String>,
    #[server(default)] team: Option<String>,
) -> Result<Leaderboard, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        crate::auth::session::require_user().await?;
        let scope = service::scope(&state.db, Some(&period), None, team.as_deref())
            .await
            .map_err(AppError::from)?;
        let metric = service::rank_metric(&state.db, metric.as_deref()).await?;
        service::ranking_memo(&state.db, &state.live, &scope, &metric).await
    })
    .await
}

/// The same leaderboard for a TV display, authorised by its display token instead of a
/// session, in the display's team scope. (The TV page itself reads [`crate::tv::tv_show`].)
#[server(endpoint = "tv_leaderboard")]
pub async fn tv_leaderboard(token: String, period: String) -> Result<Leaderboard, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let display = crate::displays::service::for_token(&state.db, &token)
            .await?
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "This display link is not valid (revoked or mistyped).".into(),
                )
            })?;
        service::leaderboard(&state.db, &period, display.team_id).await
    })
    .await
}

/// Formats an Activity Index given in tenths as "7.5".
pub fn format_index(tenths: i32) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}
