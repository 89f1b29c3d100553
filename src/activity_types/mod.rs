//! Activity types and their versioned weights: the weights area of the manager's desk, with
//! an impact preview computed in the browser by the shared scoring engine.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::{ImpactInputs, Points};

/// An activity type as the desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeRow {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub icon: String,
    pub leading: bool,
    pub daily_cap: Option<i64>,
    pub min_duration_seconds: Option<i64>,
    pub active: bool,
    /// The weight in force today (`None` before the first version).
    pub weight_now: Option<Points>,
    /// Every version, oldest first: `(in force from, points per unit)`.
    pub history: Vec<(NaiveDate, Points)>,
}

/// What the weights desk shows and what its preview computes with, loaded once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightDesk {
    pub types: Vec<TypeRow>,
    /// `(rep id, name)` of everyone ranked.
    pub names: Vec<(i64, String)>,
    pub period_label: String,
    /// The default first day of a new weight: the start of the current period.
    pub default_from: NaiveDate,
    pub inputs: ImpactInputs,
}

/// The weights desk: every type with its weight history, and the current period's
/// rollups for the preview. Admins only.
#[server(endpoint = "weight_desk")]
pub async fn get_weight_desk() -> Result<WeightDesk, AppError> {
    crate::server::respond(async move {
        crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        service::desk(&state.db).await
    })
    .await
}

/// Sets a new weight for a type from a day on (`weight` in points, e.g. "3.5"; the day
/// `YYYY-MM-DD`). Activities before that day keep the weight they had.
#[server(endpoint = "admin_set_weight")]
pub async fn admin_set_weight(
    key: String,
    weight: String,
    effective_from: String,
) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let mut errors = Vec::new();
        let weight = Points::parse(weight.trim())
            .map_err(|e| {
                errors.push(crate::error::FieldError::new(
                    "weight",
                    format!("must be a number of points with at most two decimals ({e})"),
                ))
            })
            .ok();
        let from = NaiveDate::parse_from_str(effective_from.trim(), "%Y-%m-%d")
            .map_err(|_| {
                errors.push(crate::error::FieldError::new(
                    "effective_from",
                    "must be a date YYYY-MM-DD",
                ))
            })
            .ok();
        AppError::check(errors)?;
        let draft = service::TypeDraft {
            weight: weight.map(|w| w.0),
            effective_from: from,
            ..service::TypeDraft::default()
        };
        let today = crate::server::org::load(&state.db).await?.today();
        service::put_activity_type(
            &state.db,
            &state.live,
            &admin.email,
            key.trim(),
            draft,
            today,
        )
        .await?;
        Ok(())
    })
    .await
}

/// What the type forms of the desk post: every value as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeForm {
    pub key: String,
    pub label: String,
    pub icon: String,
    /// "leading" or "lagging".
    pub kind: String,
    /// Units per day that score; empty for no cap.
    pub daily_cap: String,
    /// Minutes; empty for no minimum.
    pub min_minutes: String,
    /// Points per unit (new types only).
    #[serde(default)]
    pub weight: String,
    /// "true" / "false" (existing types only; empty keeps it).
    #[serde(default)]
    pub active: String,
}

/// Adds an activity type with its first weight, in force from the start of the current
/// month. A key already in use is refused (rename or reactivate that type instead).
#[server(endpoint = "admin_add_type")]
pub async fn admin_add_type(form: TypeForm) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let draft = service::parse_form(&form, true)?;
        let today = crate::server::org::load(&state.db).await?.today();
        let key = form.key.trim();
        service::put_activity_type(&state.db, &state.live, &admin.email, key, draft, today).await?;
        Ok(())
    })
    .await
}

/// Renames, re-icons, re-caps, retires or reactivates a type. Its weights and history stay.
#[server(endpoint = "admin_edit_type")]
pub async fn admin_edit_type(form: TypeForm) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let draft = service::parse_form(&form, false)?;
        let today = crate::server::org::load(&state.db).await?.today();
        let key = form.key.trim();
        service::put_activity_type(&state.db, &state.live, &admin.email, key, draft, today).await?;
        Ok(())
    })
    .await
}
