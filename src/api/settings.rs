//! `PUT /api/v1/settings`: the organisation's settings from a script.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::ApiError;
use super::{actor, fields, finish_fields, json_body};
use crate::fields::Fields;
use crate::server::state::AppState;
use crate::settings::service::{self as settings, SettingsDraft};

/// Percentages (at most two decimals, e.g. `120` or `"87.5"`), strictly decreasing.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BandThresholdsInput {
    #[schema(value_type = String, example = "120")]
    pub outstanding: Value,
    #[schema(value_type = String, example = "100")]
    pub on_track: Value,
    #[schema(value_type = String, example = "80")]
    pub at_risk: Value,
}

/// Fields left out keep their value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    #[schema(max_length = 100)]
    pub org_name: Option<String>,
    /// An IANA zone, e.g. `Europe/London`. Changing it moves every activity to its local
    /// day in the new zone (and rebuilds the scores) in the same transaction.
    pub time_zone: Option<String>,
    #[schema(minimum = 1, maximum = 12)]
    pub fiscal_year_start_month: Option<i64>,
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    #[schema(example = json!([1, 2, 3, 4, 5]))]
    pub working_weekdays: Option<Vec<i64>>,
    pub band_thresholds: Option<BandThresholdsInput>,
    /// The most one metric's pace counts for in a composite score, in percent (e.g. 150).
    #[schema(value_type = Option<String>, example = "150")]
    pub composite_cap: Option<Value>,
    /// ISO 4217 code of three letters (e.g. `EUR`), in which targets and turnover are shown.
    #[schema(min_length = 3, max_length = 3, example = "EUR")]
    pub currency: Option<String>,
}

const SETTINGS_FIELDS: [&str; 7] = [
    "org_name",
    "time_zone",
    "fiscal_year_start_month",
    "working_weekdays",
    "band_thresholds",
    "composite_cap",
    "currency",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SettingsView {
    pub org_name: String,
    pub time_zone: String,
    pub fiscal_year_start_month: i64,
    pub working_weekdays: Vec<i64>,
    /// Basis points: `12000` = 120 %.
    pub band_outstanding_bp: i64,
    pub band_on_track_bp: i64,
    pub band_at_risk_bp: i64,
    pub composite_cap_bp: i64,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
    /// Activities that moved to another local day because the time zone changed.
    pub activities_redated: i64,
}

/// ISO weekdays as sent: a list of whole numbers (the range is the service's rule).
fn parse_weekdays(f: &mut Fields<'_>) -> Option<Vec<i64>> {
    let v = f.raw("working_weekdays")?;
    let days: Option<Vec<i64>> = v
        .as_array()
        .and_then(|a| a.iter().map(|d| d.as_i64()).collect());
    if days.is_none() {
        f.fail(
            "working_weekdays",
            "must be a non-empty list of ISO weekdays 1 (Monday) to 7 (Sunday)",
        );
    }
    days
}

/// `{outstanding, on_track, at_risk}` as percentages → basis points.
fn parse_bands(f: &mut Fields<'_>) -> Option<(i64, i64, i64)> {
    let bands = f.raw("band_thresholds")?;
    let mut b = match Fields::of(bands, None, &["outstanding", "on_track", "at_risk"]) {
        Ok(b) => b,
        Err(_) => {
            f.fail(
                "band_thresholds",
                "must be an object {outstanding, on_track, at_risk}",
            );
            return None;
        }
    };
    let mut read = |name: &str| {
        let v = b.hundredths(name, 0, 100_000_000);
        if v.is_none() && !b.is_present(name) {
            b.fail(name, "is required");
        }
        v
    };
    let (o, t, r) = (read("outstanding"), read("on_track"), read("at_risk"));
    for e in b.errors.drain(..) {
        f.fail(&format!("band_thresholds.{}", e.field), e.message);
    }
    Some((o?, t?, r?))
}

#[utoipa::path(
    put,
    path = "/api/v1/settings",
    tag = "configuration",
    request_body(content = SettingsInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "The settings now in force", body = SettingsView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = super::error::ErrorBody),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    Admin(caller): Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SettingsView>, ApiError> {
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &SETTINGS_FIELDS)?;
    let draft = SettingsDraft {
        org_name: f.text("org_name", 200),
        time_zone: f.text("time_zone", 64),
        // Ranges and rules between fields are the service's: every one is named at once.
        fiscal_year_start_month: f.int("fiscal_year_start_month", i64::MIN, i64::MAX),
        working_weekdays: parse_weekdays(&mut f),
        band_thresholds: parse_bands(&mut f),
        composite_cap_bp: f.hundredths("composite_cap", i64::MIN, i64::MAX),
        currency: f.text("currency", 16),
    };
    finish_fields(&mut f)?;
    let saved = settings::put_settings(&state.db, &state.live, &actor(&caller), draft).await?;
    let after = saved.settings;
    Ok(Json(SettingsView {
        org_name: after.org_name,
        time_zone: after.time_zone,
        fiscal_year_start_month: after.fiscal_year_start_month,
        working_weekdays: after
            .working_weekdays
            .split(',')
            .filter_map(|d| d.trim().parse().ok())
            .collect(),
        band_outstanding_bp: after.band_outstanding_bp,
        band_on_track_bp: after.band_on_track_bp,
        band_at_risk_bp: after.band_at_risk_bp,
        composite_cap_bp: after.composite_cap_bp,
        currency: after.currency,
        activities_redated: saved.activities_redated,
    }))
}
