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

/// The slides the TV can play. A display's other chosen slides are skipped by the
/// rotation until they are built: most improved, personal bests, weighted pipeline.
pub fn playable(slide: Slide) -> bool {
    matches!(
        slide,
        Slide::Ranking | Slide::Scorecards | Slide::TeamRace | Slide::RecentWins | Slide::Turnover
    )
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
        service::show(&state.db, &display).await
    })
    .await
}
