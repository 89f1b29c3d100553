//! Organisation settings, and what a new organisation starts with; the settings area of the
//! manager's desk (admins).

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The settings form as the desk fills it: percentages as typed (`"120"`, `"87.5"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub org_name: String,
    pub time_zone: String,
    pub fiscal_year_start_month: i64,
    pub currency: String,
    pub band_outstanding: String,
    pub band_on_track: String,
    pub band_at_risk: String,
    pub composite_cap: String,
    /// The organisation's lost reasons, one a line.
    pub lost_reasons: String,
    /// Every IANA zone name, for the time zone picker.
    pub zones: Vec<String>,
}

/// The three band thresholds as typed, in percent (form fields `bands[outstanding]`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandsText {
    pub outstanding: String,
    pub on_track: String,
    pub at_risk: String,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsSavedView {
    /// Activities that moved to another local day because the time zone changed.
    pub activities_redated: i64,
}

/// The settings as the form shows them. Admins only.
#[server(endpoint = "settings_desk")]
pub async fn get_settings_desk() -> Result<SettingsForm, AppError> {
    crate::server::respond(async move {
        crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        service::form(&state.db).await
    })
    .await
}

/// Saves the whole settings form (percentages with at most two decimals). Admins only.
#[server(endpoint = "admin_save_settings")]
pub async fn admin_save_settings(
    org_name: String,
    time_zone: String,
    fiscal_year_start_month: String,
    currency: String,
    bands: BandsText,
    composite_cap: String,
) -> Result<SettingsSavedView, AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let mut errors = Vec::new();
        let draft = service::SettingsDraft {
            org_name: Some(org_name),
            time_zone: Some(time_zone),
            fiscal_year_start_month: Some(fiscal_year_start_month.trim().parse().unwrap_or(0)),
            currency: Some(currency),
            band_thresholds: service::parse_bands(
                &bands.outstanding,
                &bands.on_track,
                &bands.at_risk,
                &mut errors,
            ),
            composite_cap_bp: service::parse_percent("composite_cap", &composite_cap, &mut errors),
            working_weekdays: None,
        };
        let saved =
            service::put_settings_with(&state.db, &state.live, &admin.email, draft, errors).await?;
        Ok(SettingsSavedView {
            activities_redated: saved.activities_redated,
        })
    })
    .await
}

/// Replaces the organisation's lost reasons (one a line), which reps pick from when they
/// log a lost deal. Admins only.
#[server(endpoint = "admin_save_lost_reasons")]
pub async fn admin_save_lost_reasons(lost_reasons: String) -> Result<Vec<String>, AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        crate::deals::service::put_lost_reasons(&state.db, &state.live, &admin.email, &lost_reasons)
            .await
    })
    .await
}
