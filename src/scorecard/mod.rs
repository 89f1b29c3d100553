//! A rep's role scorecard: each metric's actual, target, expected-to-date, pace and band, and the composite.

pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::Band;

pub use page::ScorecardPanel;

/// Shown wherever a figure is undefined (no target, absent all period, nothing closed…).
pub const NOT_AVAILABLE: &str = "n/a";

/// A band as shown: `key` is `outstanding`, `on_track`, `at_risk`, `needs_intervention`, or
/// `n/a`; `label` is "Outstanding" … or "n/a".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BandView {
    pub key: String,
    pub label: String,
}

impl BandView {
    pub fn of(band: Option<Band>) -> BandView {
        match band {
            Some(b) => BandView {
                key: b.key().to_string(),
                label: b.label().to_string(),
            },
            None => BandView {
                key: NOT_AVAILABLE.to_string(),
                label: NOT_AVAILABLE.to_string(),
            },
        }
    }

    /// The CSS classes of its badge: `band band-on_track`, or `band band-none` for "n/a".
    pub fn css_class(&self) -> String {
        let known = Band::ALL.iter().any(|b| b.key() == self.key);
        format!("band band-{}", if known { &self.key } else { "none" })
    }
}

/// One scorecard line. Every figure comes twice: formatted for people (`"n/a"` when
/// undefined) and raw in the metric's fixed-point unit (`null` when undefined).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScorecardLineView {
    /// The stored metric key: `activity_score`, `activity_count:3`, `turnover_won`…
    pub metric: String,
    /// "Activity score", "Call count", "Turnover won"…
    pub label: String,
    /// `leading` or `lagging`.
    pub indicator: String,
    /// Weight in the composite (only ratios between weights matter).
    pub weight: i64,
    /// The unit of the raw figures: `points` (hundredths), `money` (minor units), `count`,
    /// `seconds`, `basis_points`, `day_tenths`.
    pub unit: String,
    pub actual: String,
    pub actual_raw: Option<i64>,
    pub target: String,
    pub target_raw: Option<i64>,
    pub expected_to_date: String,
    pub expected_to_date_raw: Option<i64>,
    /// actual / target, uncapped: `"180%"`.
    pub attainment: String,
    /// In basis points (10 000 = 100 %).
    pub attainment_bp: Option<i64>,
    /// actual / expected-to-date, uncapped.
    pub pace: String,
    pub pace_bp: Option<i64>,
    /// On pace while the period is open, on attainment once it is closed.
    pub band: BandView,
}

/// A rep's scorecard for one period, as the browser and the API receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScorecardView {
    pub rep_id: i64,
    pub rep_name: String,
    pub rep_email: String,
    /// The rep's sales role ("SDR"…); `null` for an account without one (no scorecard).
    pub role: Option<String>,
    /// `day`, `week`, `month`, `quarter`, `year`, `last_7`…
    pub period_kind: String,
    /// "November 2026", "Week 48, 2026"…
    pub period_label: String,
    pub period_start: NaiveDate,
    /// Inclusive.
    pub period_end: NaiveDate,
    /// True once the period's last day has passed: bands then follow attainment.
    pub closed: bool,
    /// The rep's working days in the period (organisation calendar minus their absences)…
    pub working_days: i64,
    /// …and how many of them have elapsed, today included.
    pub working_days_elapsed: i64,
    pub lines: Vec<ScorecardLineView>,
    /// Σ wᵢ × min(paceᵢ, cap) / Σ wᵢ: `"104%"` or `"n/a"`.
    pub composite: String,
    pub composite_bp: Option<i64>,
    pub composite_band: BandView,
    /// The most one metric's pace counts for in the composite: `"150%"`.
    pub pace_cap: String,
}

/// The scorecard of the signed-in user for the current period of `period` (`month`,
/// `week`…). Managers may pass `rep_id` for a rep of their own team, admins for anyone;
/// anyone else asking for another person's scorecard is refused.
#[server(endpoint = "scorecard")]
pub async fn get_scorecard(period: String, rep_id: Option<i64>) -> Result<ScorecardView, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let kind = crate::leaderboard::service::parse_period_kind(&period)?;
        let rep = service::viewable_rep(&state.db, &user, rep_id.unwrap_or(user.id)).await?;
        let today = crate::server::org::load(&state.db).await?.today();
        service::scorecard_of(&state.db, &rep, kind, today).await
    })
    .await
}
