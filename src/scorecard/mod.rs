//! A rep's role scorecard: each metric's actual, target, expected-to-date, pace and band, and the composite.

pub mod desk;
pub mod page;
#[cfg(feature = "ssr")]
pub mod progress;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod template;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::{
    absences_of, display_percent, what_it_takes, working_days_left, Band, Indicator, Metric,
    MetricUnit, ScorecardInputs, ScorecardTemplate, WhatItTakes,
};

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
    /// The rep's working days from today (included) to the period's end: 0 once closed.
    pub working_days_left: i64,
    /// Whether today is one of the rep's working days (not a weekend, holiday or absence).
    pub works_today: bool,
    pub lines: Vec<ScorecardLineView>,
    /// Σ wᵢ × min(paceᵢ, cap) / Σ wᵢ: `"104%"` or `"n/a"`.
    pub composite: String,
    pub composite_bp: Option<i64>,
    pub composite_band: BandView,
    /// The most one metric's pace counts for in the composite: `"150%"`.
    pub pace_cap: String,
}

impl ScorecardView {
    /// The card of one rep as shown, computed from its inputs with `template`: on the
    /// server for `/me` and the API, in the browser for the scorecard editor's preview.
    pub fn build(
        rep_name: &str,
        rep_email: &str,
        role: Option<String>,
        inputs: &ScorecardInputs,
        template: &ScorecardTemplate,
    ) -> ScorecardView {
        let card = inputs.scorecard(template);
        let period = &inputs.period;
        let absences = absences_of(inputs.rep_id, &inputs.absences);
        let types = &inputs.types;
        let lines = card
            .lines
            .iter()
            .map(|l| {
                let unit = l.metric.unit();
                let fmt = |v: Option<i64>| {
                    v.map(|v| unit.format(v))
                        .unwrap_or_else(|| NOT_AVAILABLE.to_string())
                };
                ScorecardLineView {
                    metric: l.metric.key(),
                    label: l.metric.label(types),
                    indicator: match l.indicator {
                        Indicator::Leading => "leading".into(),
                        Indicator::Lagging => "lagging".into(),
                    },
                    weight: l.weight,
                    unit: unit_key(unit).into(),
                    actual: fmt(l.actual),
                    actual_raw: l.actual,
                    target: fmt(l.target),
                    target_raw: l.target,
                    expected_to_date: fmt(l.expected_to_date),
                    expected_to_date_raw: l.expected_to_date,
                    attainment: display_percent(l.attainment),
                    attainment_bp: l.attainment.map(|p| p.0),
                    pace: display_percent(l.pace),
                    pace_bp: l.pace.map(|p| p.0),
                    band: BandView::of(l.band),
                }
            })
            .collect();
        ScorecardView {
            rep_id: inputs.rep_id,
            rep_name: rep_name.to_string(),
            rep_email: rep_email.to_string(),
            role,
            period_kind: period.kind.as_str().to_string(),
            period_label: period.label(),
            period_start: period.start,
            period_end: period.end,
            closed: card.closed,
            working_days: card.working_days.total,
            working_days_elapsed: card.working_days.elapsed,
            working_days_left: working_days_left(period, inputs.today, &inputs.calendar, &absences),
            works_today: inputs.calendar.is_working_day_for(inputs.today, &absences),
            lines,
            composite: display_percent(card.composite),
            composite_bp: card.composite.map(|p| p.0),
            composite_band: BandView::of(card.composite_band),
            pace_cap: card.pace_cap.display(),
        }
    }
}

/// What one line of a scorecard still needs, in words, for its card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatItTakesLine {
    /// "2 more a day until the 30th (13 to go in 8 working days)."
    pub text: String,
    /// Behind pace (pace under 100 %): the card says so.
    pub behind: bool,
    pub reached: bool,
}

impl ScorecardView {
    /// What `line` still needs per remaining working day to reach its target, computed by
    /// [`crate::scoring::what_it_takes`] from the card's own figures (in the browser whenever
    /// the card is drawn there). `None` for ratios, lower-is-better metrics, lines without a
    /// target, and closed periods.
    pub fn what_it_takes(&self, line: &ScorecardLineView) -> Option<WhatItTakesLine> {
        if self.closed {
            return None;
        }
        let metric: Metric = line.metric.parse().ok()?;
        let w = what_it_takes(
            metric,
            line.actual_raw,
            line.target_raw,
            self.working_days_left,
        )?;
        Some(WhatItTakesLine {
            text: w.sentence(metric.unit(), self.period_end, self.works_today),
            behind: line.pace_bp.is_some_and(|p| p < 10_000),
            reached: w == WhatItTakes::Reached,
        })
    }
}

fn unit_key(unit: MetricUnit) -> &'static str {
    match unit {
        MetricUnit::Points => "points",
        MetricUnit::Money => "money",
        MetricUnit::Count => "count",
        MetricUnit::Seconds => "seconds",
        MetricUnit::BasisPoints => "basis_points",
        MetricUnit::DayTenths => "day_tenths",
    }
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

/// One metric of a role's scorecard as stored and as edited: the metric's key
/// (`activity_score`, `activity_count:3`, or by type key `activity_count:call`), leading
/// or lagging, and its weight in the composite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateLine {
    pub metric: String,
    pub leading: bool,
    pub weight: i64,
}

/// A sales role with its scorecard and the reps who have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTemplate {
    pub key: String,
    pub name: String,
    pub lines: Vec<TemplateLine>,
    /// `(rep id, name)`: whose scorecard the editor can preview.
    pub reps: Vec<(i64, String)>,
}

/// What the scorecard editor offers: every role, and the metric catalogue
/// `(key, label, leading by default)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardDesk {
    pub roles: Vec<RoleTemplate>,
    pub catalogue: Vec<(String, String, bool)>,
}

/// A rep's scorecard inputs for the current month, for the editor's live preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewInputs {
    pub rep_name: String,
    pub rep_email: String,
    pub role: Option<String>,
    pub inputs: ScorecardInputs,
    /// The role's saved template, with the organisation's pace cap.
    pub template: ScorecardTemplate,
}

/// The scorecard editor's data. Admins only.
#[server(endpoint = "scorecard_desk")]
pub async fn get_scorecard_desk() -> Result<ScorecardDesk, AppError> {
    crate::server::respond(async move {
        crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        service::desk(&state.db).await
    })
    .await
}

/// What a rep's current-month scorecard is computed from, so the editor can recompute it
/// in the browser for a draft template. Admins only.
#[server(endpoint = "scorecard_preview")]
pub async fn get_scorecard_preview(rep_id: i64) -> Result<PreviewInputs, AppError> {
    crate::server::respond(async move {
        crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        service::preview_inputs(&state.db, rep_id).await
    })
    .await
}

/// Replaces the scorecard of the sales role `role` (all lines at once). Admins only.
#[server(endpoint = "admin_put_scorecard")]
pub async fn admin_put_scorecard(role: String, lines: Vec<TemplateLine>) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        template::put_template(&state.db, &state.live, &admin.email, role.trim(), &lines).await?;
        Ok(())
    })
    .await
}
