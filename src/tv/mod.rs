//! The office TV: everything a display's slide rotation shows, read in one call with the
//! display's token (its team scope and privacy applied on the server), and the page that
//! plays the rotation.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::displays::Slide;
use crate::error::AppError;
use crate::leaderboard::LeaderboardEntry;
use crate::scorecard::BandView;
use crate::scoring::Points;

/// Ranking and scorecard rows per page: 12 fit a 1080p screen at TV type sizes.
pub const ROWS_PER_PAGE: usize = 12;
/// Won deals on the recent wins slide.
pub const RECENT_WINS: usize = 8;

/// Reps on the most improved and personal bests slides (one screen each).
pub const TOP_ROWS: usize = 12;
/// Months on the weighted pipeline chart: this one and the five after.
pub const PIPELINE_MONTHS: i64 = 6;

/// The slides the TV can play: every slide is built.
pub fn playable(slide: Slide) -> bool {
    Slide::ALL.contains(&slide)
}

/// A rep whose activity score went up against the same days of the previous period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvImproved {
    pub rep_id: i64,
    pub name: String,
    pub rank: i32,
    /// Points this period so far, whole: "42".
    pub current: String,
    /// Points over the same days of the previous period: "30".
    pub previous: String,
    /// "+12".
    pub change: String,
    /// "+40%", or "new" when there was nothing to compare with.
    pub change_pct: String,
}

/// A rep whose activity score this period already beats their best earlier month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvBest {
    pub rep_id: i64,
    pub name: String,
    /// Points this period so far: "61".
    pub current: String,
    /// The record beaten: "48".
    pub record: String,
    /// When it was set: "Sep 2026".
    pub record_period: String,
    /// "+27%".
    pub margin: String,
}

/// One month of the weighted pipeline. In privacy mode no amount: the bar is the month's
/// share of the six months' weighted pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvPipelineMonth {
    /// "Dec 2026".
    pub month: String,
    /// Open deals expected to close that month.
    pub deals: i64,
    /// Σ amount × probability, "EUR 12,500"; `None` in privacy mode.
    pub weighted: Option<String>,
    /// The bar's height in tenths of the unit of [`TvShow::pipeline_format`] (thousands or
    /// millions of the currency, or in privacy mode percent of the six months).
    pub bar_tenths: i64,
    /// The same in words, for the text alternative: "EUR 12,500 in 3 deals", "34% in 3 deals".
    pub label: String,
}

/// One rep's scorecard attainment: the composite and its band (no money).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvScorecard {
    pub rep_id: i64,
    pub name: String,
    /// "104%" or "n/a".
    pub composite: String,
    pub composite_bp: Option<i64>,
    pub band: BandView,
}

/// A won deal. `amount` is `None` in privacy mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvWin {
    pub rep: String,
    pub account: String,
    pub closed_on: String,
    pub amount: Option<String>,
}

/// Turnover won against objective for the period. In privacy mode only the percentage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvTurnover {
    /// Attainment in basis points; `None` when there is no objective.
    pub attainment_bp: Option<i64>,
    /// "82%" or "n/a".
    pub attainment: String,
    pub won: Option<String>,
    pub objective: Option<String>,
}

/// A team's total activity score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvTeam {
    pub name: String,
    pub points: Points,
    pub reps: i64,
}

/// Everything the display's rotation shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvShow {
    pub org_name: String,
    pub display_name: String,
    /// The team shown; `None` for the whole organisation.
    pub team: Option<String>,
    pub period_label: String,
    /// The slides played, in order (only [`playable`] ones; never empty).
    pub slides: Vec<Slide>,
    pub seconds_per_slide: i64,
    pub privacy: bool,
    pub ranking: Vec<LeaderboardEntry>,
    pub scorecards: Vec<TvScorecard>,
    pub teams: Vec<TvTeam>,
    pub wins: Vec<TvWin>,
    pub turnover: TvTurnover,
    /// What the ranking slide ranks by: "Activity score", "Deals won"…
    pub ranking_label: String,
    /// Whether it ranks by activity score (with the Activity Index), or another metric.
    pub ranking_is_activity: bool,
    pub improved: Vec<TvImproved>,
    /// "1–20 Nov against 1–20 Oct".
    pub improved_compared: String,
    pub bests: Vec<TvBest>,
    /// "beats their best month of the last 6".
    pub bests_rule: String,
    pub pipeline: Vec<TvPipelineMonth>,
    /// The chart's bar label, an ECharts formatter: "EUR {c}k", "{c}%".
    pub pipeline_format: String,
    /// The six months' total: "EUR 84,000 weighted in 17 open deals" (no amount in privacy).
    pub pipeline_total: String,
    /// Play a chime with the celebration of a won deal.
    pub sound: bool,
    /// The server's build: when a refetch brings another one, the page reloads itself.
    pub build: String,
}

/// What a TV display shows, authorised by its display token (no session).
#[server(endpoint = "tv_show")]
pub async fn get_tv_show(token: String) -> Result<TvShow, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let display = crate::displays::service::for_token(&state.db, &token)
            .await?
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "This display link is not valid (revoked or mistyped).".into(),
                )
            })?;
        service::show_memo(&state.db, &state.live, &display).await
    })
    .await
}
