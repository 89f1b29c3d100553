//! Monthly targets per metric, rep or role, and the targets area of the manager's desk: a
//! grid of reps × the months of a fiscal year, filled from an annual figure × a seasonality
//! profile in the browser, saved in one batch.

pub mod grid;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::AccessRole;
use crate::error::AppError;
use crate::scoring::{MetricUnit, SeasonalityProfile, YearMonth};

/// A metric the grid can show, from the catalogue the targets service accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricOption {
    /// The stored key (`activity_score`, `activity_count:3`…).
    pub key: String,
    pub label: String,
    pub unit: MetricUnit,
}

/// A sales role's default targets: what every rep of the role has unless they have their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    /// One per month of the fiscal year; `None` when no default is set.
    pub values: Vec<Option<i64>>,
}

/// A rep's own targets (overrides of their role's default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The team's name, `None` for reps without a team.
    pub team: Option<String>,
    pub role_id: i64,
    pub role_name: String,
    /// One per month of the fiscal year; `None` where the role default applies.
    pub values: Vec<Option<i64>>,
}

/// A seasonality profile an admin saved under a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedProfile {
    pub name: String,
    pub profile: SeasonalityProfile,
}

/// Everything the targets desk shows for one metric and one fiscal year, loaded once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetDesk {
    pub viewer_role: AccessRole,
    /// The manager's own team (managers see and edit only its reps).
    pub viewer_team: Option<String>,
    /// Role defaults are the admin's to set; managers see them read-only.
    pub may_edit_roles: bool,
    pub metric: MetricOption,
    pub metrics: Vec<MetricOption>,
    pub fiscal_year: i32,
    /// The fiscal years offered in the picker.
    pub fiscal_years: Vec<i32>,
    pub fiscal_start_month: u32,
    /// The 12 months of the fiscal year, in order.
    pub months: Vec<YearMonth>,
    pub roles: Vec<RoleRow>,
    /// Grouped by team, then sales role, then name.
    pub reps: Vec<RepRow>,
    pub profiles: Vec<SavedProfile>,
}

/// One cell of the grid as typed: a rep's own target (`rep_email`) or a role default
/// (`role`, the sales role key), a month `YYYY-MM`, and the value as typed in the metric's
/// entry unit (see [`crate::scoring::entry_scale`]); an empty value removes the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CellEdit {
    #[serde(default)]
    pub rep_email: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    pub month: String,
    #[serde(default)]
    pub value: String,
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetsSaved {
    pub set: i64,
    pub cleared: i64,
}

/// The targets desk for a metric key (empty: activity score) and a fiscal year (empty: the
/// current one). Managers and admins.
#[server(endpoint = "target_desk")]
pub async fn get_target_desk(metric: String, year: String) -> Result<TargetDesk, AppError> {
    crate::server::respond(async move {
        let user = crate::auth::session::require_user().await?;
        let state = crate::server::state::app_state()?;
        service::desk(&state.db, &user, &metric, &year).await
    })
    .await
}

/// Saves edited cells of one metric, all or none. A manager may set only their own team's
/// reps' targets; role defaults are for admins.
#[server(endpoint = "save_targets")]
pub async fn save_targets(metric: String, edits: Vec<CellEdit>) -> Result<TargetsSaved, AppError> {
    crate::server::respond(async move {
        let user = crate::auth::session::require_user().await?;
        let state = crate::server::state::app_state()?;
        service::save_from_desk(&state.db, &state.live, &user, &metric, edits).await
    })
    .await
}

/// Saves (or replaces) a named seasonality profile: 12 percentages summing to 100, month 1
/// of the fiscal year first. Admins only.
#[server(endpoint = "save_seasonality_profile")]
pub async fn save_seasonality_profile(
    name: String,
    percents: Vec<String>,
) -> Result<SavedProfile, AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        service::put_seasonality_profile(&state.db, &state.live, &admin.email, &name, &percents)
            .await
    })
    .await
}
