//! The public leaderboard: activity score ranking for a period, for signed-in users and TVs.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::{Period, Points};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    pub rank: i32,
    pub rep_id: i64,
    pub name: String,
    pub team: Option<String>,
    pub points: Points,
    /// Activity Index in tenths (0–100 is 0.0–10.0).
    pub index_tenths: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub org_name: String,
    pub period: Period,
    pub period_label: String,
    pub entries: Vec<LeaderboardEntry>,
}

/// The activity-score leaderboard for the period of `period` kind containing today.
#[server(endpoint = "leaderboard")]
pub async fn get_leaderboard(period: String) -> Result<Leaderboard, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        crate::auth::session::require_user().await?;
        service::leaderboard(&state.db, &period, None).await
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
