//! The rep's own progress pages: the trend of their activity score against the team median
//! and their personal best (`/me/progress`), the weekly activity report (`/me/report`, also
//! as CSV) and their own activities by period (`/me/history`). The figures come from
//! [`crate::scorecard::progress`], which scores the rollups with the one scoring engine.

#[cfg(feature = "ssr")]
pub mod csv;
pub mod page;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::Points;

/// Most activities one history page lists.
pub const HISTORY_LIMIT: i64 = 200;

/// How many periods the trend shows.
pub const TREND_PERIODS: usize = 6;

/// One period of the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// "November 2026", "Week 48, 2026".
    pub label: String,
    /// For the chart's axis: "Nov", "W48".
    pub short_label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The rep's activity score in the period.
    pub score: Points,
    /// The median of the team's scores (everyone scored, the rep included, 0 for no activity).
    pub team_median: Option<Points>,
    /// The period is still running.
    pub current: bool,
}

/// A rep's last periods of activity score against the team median and their personal best.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trend {
    pub rep_name: String,
    /// `month` or `week`.
    pub kind: String,
    /// Whose median: "North", or "everyone" for a rep without a team.
    pub team_label: String,
    /// Oldest first, the current period last.
    pub points: Vec<TrendPoint>,
    /// The best closed period of the rep's whole history: label and score.
    pub personal_best: Option<(String, Points)>,
    /// The current period already beats the personal best.
    pub new_best: bool,
}

/// One activity type in the weekly report. Averages are per week of the 30-day window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    pub type_key: String,
    pub label: String,
    pub icon: String,
    /// Counted units this week (over a daily cap or too short: not counted).
    pub week_count: i64,
    pub week_points: Points,
    /// Counted units of the 30 days × 7 / 30, in hundredths ("4.67").
    pub average_count_hundredths: i64,
    pub average_points: Points,
}

/// This week against the average week of the last 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyReport {
    pub rep_name: String,
    /// "Week 49, 2026".
    pub week_label: String,
    pub week_start: NaiveDate,
    /// This week so far ends today.
    pub today: NaiveDate,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    pub lines: Vec<ReportLine>,
    pub week_total: Points,
    pub average_total: Points,
}

/// One of the rep's own activities, as listed by period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub id: i64,
    pub date: NaiveDate,
    /// Local time, "14:05".
    pub time: String,
    pub label: String,
    pub icon: String,
    pub quantity: i64,
    /// False when too short to count.
    pub counts: bool,
    pub note: String,
    pub account: String,
}

/// The periods the history can show: `(key, label)`.
pub const HISTORY_PERIODS: [(&str, &str); 4] = [
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
];

/// A rep's own activities of one period, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// `this_week`, `last_week`, `this_month` or `last_month`.
    pub period: String,
    /// "Week 48, 2026 (23–29 Nov)".
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The latest activities (at most [`HISTORY_LIMIT`]).
    pub items: Vec<HistoryItem>,
    /// Activities in the period, all of them (the list may show fewer).
    pub total_activities: i64,
    /// Units logged in the period (all of them, counted or not).
    pub total_units: i64,
}

/// The trend of the signed-in rep (or, for a manager or admin, `rep_id` whom they may see),
/// by `period` (`month` or `week`).
#[server(endpoint = "my_trend")]
pub async fn get_my_trend(period: String, rep_id: Option<i64>) -> Result<Trend, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let rep =
            crate::scorecard::service::viewable_rep(&state.db, &user, rep_id.unwrap_or(user.id))
                .await?;
        crate::scorecard::progress::trend(&state.db, &rep, &period).await
    })
    .await
}

/// The weekly activity report of the signed-in rep (or of `rep_id`, as for the scorecard).
#[server(endpoint = "my_report")]
pub async fn get_my_report(rep_id: Option<i64>) -> Result<WeeklyReport, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let rep =
            crate::scorecard::service::viewable_rep(&state.db, &user, rep_id.unwrap_or(user.id))
                .await?;
        crate::scorecard::progress::weekly_report(&state.db, &rep).await
    })
    .await
}

/// The signed-in rep's own activities of `period` (see [`HISTORY_PERIODS`]).
#[server(endpoint = "my_history")]
pub async fn get_my_history(period: String) -> Result<History, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let rep = crate::scorecard::service::viewable_rep(&state.db, &user, user.id).await?;
        crate::scorecard::progress::history(&state.db, &rep, &period).await
    })
    .await
}
