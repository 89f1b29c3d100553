//! Admin-scope routes, so a deployment can be configured from a script: activity types and
//! their weights, users, organisation settings, monthly targets. Every change is audited.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::activities::{accounts_by_email, resolve_rep};
use super::admin_repo::{self, SettingsWrite, TargetWrite, TypeChange, WeightView};
use super::auth::Admin;
use super::error::{ApiError, FieldError};
use super::ingest;
use super::input::{self, Fields};
use super::repo;
use crate::auth::AccessRole;
use crate::scoring::{BandThresholds, Metric, Percent};
use crate::server::state::AppState;
use crate::server::{audit, org, users};

fn actor(caller: &super::auth::ApiCaller) -> String {
    format!("api_token:{}", caller.token_id)
}

/// A JSON body, read with the same checks as the write routes (415, 413, 400).
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let bytes = input::json_bytes(headers, body)?;
    input::parse_json(&bytes)
}

fn fields<'a>(body: &'a Value, known: &[&str]) -> Result<Fields<'a>, ApiError> {
    Fields::of(body, None, known).map_err(|e| ApiError::validation(vec![e]))
}

fn finish_fields(f: &mut Fields<'_>) -> Result<(), ApiError> {
    ingest::reject_if_any(std::mem::take(&mut f.errors))
}

// ---------------------------------------------------------------------------------------
// Activity types
// ---------------------------------------------------------------------------------------

/// Creates or changes an activity type. Fields left out keep their value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityTypeInput {
    /// Required to create a type.
    #[schema(max_length = 60, example = "Call")]
    pub label: Option<String>,
    /// Shown on the quick-log button (an emoji or a short text); default `•`.
    #[schema(max_length = 16)]
    pub icon: Option<String>,
    /// A leading indicator (effort) rather than an outcome; default true.
    pub leading: Option<bool>,
    /// Units per rep per day that score; `null` removes the cap.
    #[schema(minimum = 0, maximum = 100000)]
    pub daily_cap: Option<i64>,
    /// Points per counted unit, at most two decimals (`3`, `2.5`, `"0.75"`). Required to
    /// create a type. A new weight version: past activities keep the weight of their date.
    #[schema(value_type = Option<String>, example = "3.5")]
    pub weight: Option<Value>,
    /// The first local day the weight applies to; default the first day of the current
    /// month. Only with `weight`.
    pub effective_from: Option<NaiveDate>,
    /// False hides the type from logging and ingestion; its history still counts.
    pub active: Option<bool>,
}

const TYPE_FIELDS: [&str; 7] = [
    "label",
    "icon",
    "leading",
    "daily_cap",
    "weight",
    "effective_from",
    "active",
];
const MAX_WEIGHT: i64 = 10_000_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityTypeView {
    pub key: String,
    pub label: String,
    pub icon: String,
    pub leading: bool,
    pub daily_cap: Option<i64>,
    pub active: bool,
    /// Every weight version, oldest first.
    pub weights: Vec<WeightView>,
}

fn valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[utoipa::path(
    put,
    path = "/api/v1/activity-types/{key}",
    tag = "configuration",
    params(("key" = String, Path, description = "The type's key: lowercase letters, digits and `_`, e.g. `call`")),
    request_body(content = ActivityTypeInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = ActivityTypeView),
        (status = 200, description = "Updated", body = ActivityTypeView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 409, description = "Created concurrently; retry", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = super::error::ErrorBody),
    )
)]
pub async fn put_activity_type(
    State(state): State<AppState>,
    Admin(caller): Admin,
    key: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let Path(key) = key.map_err(|_| ApiError::not_found("No such activity type route."))?;
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &TYPE_FIELDS)?;
    if !valid_key(&key) {
        f.fail("key", "must have 1 to 40 lowercase letters, digits or _");
    }
    let label = f.text("label", 60);
    let icon = f.text("icon", 16);
    let leading = f.boolean("leading");
    let cap = f.int("daily_cap", 0, 100_000);
    let weight = f.hundredths("weight", 0, MAX_WEIGHT);
    let effective_from = f.date("effective_from");
    let active = f.boolean("active");
    if effective_from.is_some() && !f.is_present("weight") {
        f.fail("effective_from", "only goes with a weight");
    }
    let existing = if valid_key(&key) {
        admin_repo::activity_type(db, &key).await?
    } else {
        None
    };
    if existing.is_none() {
        if label.is_none() && !f.is_present("label") {
            f.fail("label", "is required to create an activity type");
        }
        if weight.is_none() && !f.is_present("weight") {
            f.fail("weight", "is required to create an activity type");
        }
    }
    finish_fields(&mut f)?;
    let settings = org::load(db).await?;
    let today = settings.today();
    let first_of_month = today.with_day(1).unwrap_or(today);
    let change = TypeChange {
        label: label
            .or_else(|| existing.as_ref().map(|e| e.label.clone()))
            .unwrap_or_else(|| key.clone()),
        icon: icon
            .or_else(|| existing.as_ref().map(|e| e.icon.clone()))
            .unwrap_or_else(|| "•".to_string()),
        leading: leading
            .or(existing.as_ref().map(|e| e.leading))
            .unwrap_or(true),
        daily_cap: if f.is_null("daily_cap") {
            None
        } else {
            cap.or(existing.as_ref().and_then(|e| e.daily_cap))
        },
        active: active
            .or(existing.as_ref().map(|e| e.active))
            .unwrap_or(true),
        weight: weight.map(|w| (effective_from.unwrap_or(first_of_month), w)),
        key,
    };
    let (stored, created) = admin_repo::put_activity_type(db, &actor(&caller), &change).await?;
    let view = ActivityTypeView {
        weights: admin_repo::weights_of(db, stored.id).await?,
        key: stored.key,
        label: stored.label,
        icon: stored.icon,
        leading: stored.leading,
        daily_cap: stored.daily_cap,
        active: stored.active,
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

// ---------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(max_length = 100)]
    pub name: String,
    /// `rep` (default), `manager` or `admin`.
    #[schema(example = "rep")]
    pub role: Option<String>,
    /// Team name; the team is created when it does not exist yet.
    #[schema(max_length = 100)]
    pub team: Option<String>,
    /// Sales role key (e.g. `sdr`): someone with a sales role has a score.
    pub sales_role: Option<String>,
    /// At least 10 characters; without one the user cannot sign in until an admin sets it.
    pub password: Option<String>,
}

const USER_FIELDS: [&str; 6] = ["email", "name", "role", "team", "sales_role", "password"];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub team: Option<String>,
    pub sales_role: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "configuration",
    request_body(content = UserInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 409, description = "A user with that email exists", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = super::error::ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    Admin(caller): Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &USER_FIELDS)?;
    let email = f.required_text("email", 254);
    let email = email.and_then(|e| match users::parse_email(&e) {
        Ok(e) => Some(e),
        Err(_) => {
            f.fail("email", "is not an email address");
            None
        }
    });
    let name = f.required_text("name", 100);
    let role = match f.text("role", 20) {
        None => Some(AccessRole::Rep),
        Some(r) => {
            let parsed = AccessRole::parse(&r);
            if parsed.is_none() {
                f.fail("role", "must be rep, manager or admin");
            }
            parsed
        }
    };
    let team = f.text("team", users::MAX_TEAM_NAME);
    let sales_role = f.text("sales_role", 60);
    let roles = admin_repo::sales_roles(db).await?;
    let sales_role_id = sales_role.as_ref().and_then(|key| {
        let id = roles.iter().find(|(_, k)| k == key).map(|(id, _)| *id);
        if id.is_none() {
            f.fail("sales_role", format!("unknown sales role '{key}'"));
        }
        id
    });
    // Not trimmed: a password is taken exactly as sent.
    let password = match body.get("password") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.chars().count() < users::MIN_PASSWORD_LEN => {
            f.fail(
                "password",
                format!("must have at least {} characters", users::MIN_PASSWORD_LEN),
            );
            None
        }
        Some(Value::String(p)) if p.chars().count() > 200 || p.contains('\0') => {
            f.fail("password", "must have at most 200 characters and no NUL");
            None
        }
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => {
            f.fail("password", "must be a string");
            None
        }
    };
    finish_fields(&mut f)?;
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            "is incomplete",
        )]));
    };
    let team_id = match &team {
        Some(t) => users::team_id(db, t, true).await?,
        None => None,
    };
    let id = users::create_user(
        db,
        users::NewUser {
            email: &email,
            name: &name,
            role,
            team_id,
            sales_role_id,
            password: password.as_deref(),
        },
    )
    .await?;
    let view = UserView {
        id,
        email,
        name,
        role: role.as_str().to_string(),
        team,
        sales_role,
    };
    audit::record(
        db,
        &actor(&caller),
        "create",
        &format!("user:{id}"),
        None,
        Some(serde_json::to_value(&view).unwrap_or_default()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

// ---------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------

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
}

const SETTINGS_FIELDS: [&str; 6] = [
    "org_name",
    "time_zone",
    "fiscal_year_start_month",
    "working_weekdays",
    "band_thresholds",
    "composite_cap",
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
    /// Activities that moved to another local day because the time zone changed.
    pub activities_redated: i64,
}

fn weekdays_text(days: &[i64]) -> String {
    days.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_weekdays(f: &mut Fields<'_>) -> Option<String> {
    let v = f.raw("working_weekdays")?;
    let days: Option<Vec<i64>> = v.as_array().and_then(|a| {
        a.iter()
            .map(|d| d.as_i64().filter(|d| (1..=7).contains(d)))
            .collect()
    });
    match days {
        Some(mut days) if !days.is_empty() => {
            days.sort_unstable();
            days.dedup();
            Some(weekdays_text(&days))
        }
        _ => {
            f.fail(
                "working_weekdays",
                "must be a non-empty list of ISO weekdays 1 (Monday) to 7 (Sunday)",
            );
            None
        }
    }
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
    let db = &state.db;
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &SETTINGS_FIELDS)?;
    let current = org::load(db).await?;
    let before = SettingsWrite {
        org_name: current.org_name.clone(),
        time_zone: current.time_zone.clone(),
        fiscal_year_start_month: current.fiscal_year_start_month,
        working_weekdays: current.working_weekdays.clone(),
        band_outstanding_bp: current.band_outstanding_bp,
        band_on_track_bp: current.band_on_track_bp,
        band_at_risk_bp: current.band_at_risk_bp,
        composite_cap_bp: current.composite_cap_bp,
    };
    let mut after = before.clone();
    if let Some(name) = f.text("org_name", 100) {
        after.org_name = name;
    }
    let mut new_zone = None;
    if let Some(zone) = f.text("time_zone", 64) {
        match zone.parse::<Tz>() {
            Ok(tz) => {
                if tz.name() != current.tz().name() {
                    new_zone = Some(tz);
                }
                after.time_zone = tz.name().to_string();
            }
            Err(_) => f.fail(
                "time_zone",
                format!("unknown time zone '{zone}'; use an IANA name such as Europe/London"),
            ),
        }
    }
    if let Some(m) = f.int("fiscal_year_start_month", 1, 12) {
        after.fiscal_year_start_month = m;
    }
    if let Some(days) = parse_weekdays(&mut f) {
        after.working_weekdays = days;
    }
    if let Some(bands) = f.raw("band_thresholds") {
        match Fields::of(bands, None, &["outstanding", "on_track", "at_risk"]) {
            Err(_) => f.fail(
                "band_thresholds",
                "must be an object {outstanding, on_track, at_risk}",
            ),
            Ok(mut b) => {
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
                if let (Some(o), Some(t), Some(r)) = (o, t, r) {
                    match BandThresholds::new(Percent(o), Percent(t), Percent(r)) {
                        Ok(_) => {
                            (
                                after.band_outstanding_bp,
                                after.band_on_track_bp,
                                after.band_at_risk_bp,
                            ) = (o, t, r);
                        }
                        Err(e) => f.fail("band_thresholds", e.to_string()),
                    }
                }
            }
        }
    }
    if let Some(cap) = f.hundredths("composite_cap", 10_000, 100_000) {
        after.composite_cap_bp = cap;
    }
    finish_fields(&mut f)?;
    let moved = admin_repo::put_settings(db, &actor(&caller), &before, &after, new_zone).await?;
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
        activities_redated: moved,
    }))
}

// ---------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------

/// One monthly target: for one rep (`rep_email`) or as a role's default (`role`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    /// A metric key: `activity_score`, `turnover_won`, `deals_won`, `win_rate`,
    /// `activity_count:<type key>`, `call_time:<type key>`…
    #[schema(example = "activity_score")]
    pub metric: String,
    pub rep_email: Option<String>,
    /// A sales role key; the default for every rep of that role without their own target.
    pub role: Option<String>,
    /// `YYYY-MM`.
    #[schema(example = "2026-03")]
    pub month: String,
    /// In the metric's unit: points and percentages in hundredths, money in minor units,
    /// counts in units, call time in seconds.
    #[schema(minimum = 0)]
    pub value: i64,
}

const TARGET_FIELDS: [&str; 5] = ["metric", "rep_email", "role", "month", "value"];

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBatch {
    /// 1 to 10,000 targets, set all together or not at all.
    pub items: Vec<TargetInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetsSet {
    /// Rows created or changed.
    pub set: i64,
}

/// `activity_count:call` (by key) or `activity_count:3` (by id) → the stored key.
fn metric_key(s: &str, type_ids: &HashMap<String, i64>) -> Option<String> {
    let s = s.trim();
    let resolved = match s.split_once(':') {
        Some((base, key)) if key.parse::<i64>().is_err() => {
            format!("{base}:{}", type_ids.get(key)?)
        }
        _ => s.to_string(),
    };
    resolved.parse::<Metric>().ok().map(Metric::key)
}

fn parse_month(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.strip_suffix("-01").filter(|m| m.len() == 7).unwrap_or(s);
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| (1970..=9999).contains(&d.year()))
}

/// Reads and resolves target items (metric, rep or role, month, value); every problem is
/// added to `errors` with the item's index. Shared by `PUT /targets` and the CSV import.
pub async fn resolve_targets(
    db: &crate::server::db::Db,
    items: &[(Option<i64>, &Value)],
    errors: &mut Vec<FieldError>,
) -> Result<Vec<TargetWrite>, ApiError> {
    let type_ids: HashMap<String, i64> = crate::activities::repo::activity_types(db)
        .await?
        .into_iter()
        .map(|t| (t.key, t.id))
        .collect();
    let roles: HashMap<String, i64> = admin_repo::sales_roles(db)
        .await?
        .into_iter()
        .map(|(id, k)| (k, id))
        .collect();
    let accounts = accounts_by_email(repo::accounts(db).await?);
    let mut rows = Vec::with_capacity(items.len());
    for &(index, item) in items {
        let mut f = match Fields::of(item, index, &TARGET_FIELDS) {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let metric = f.required_text("metric", 80).and_then(|m| {
            let key = metric_key(&m, &type_ids);
            if key.is_none() {
                f.fail("metric", format!("unknown metric '{m}'"));
            }
            key
        });
        let rep = f.text("rep_email", 254);
        let role = f.text("role", 60);
        let subject = match (rep, role) {
            (Some(email), None) => match resolve_rep(&accounts, &email) {
                Ok(id) => Some(("rep", id)),
                Err(m) => {
                    f.fail("rep_email", m);
                    None
                }
            },
            (None, Some(key)) => match roles.get(&key) {
                Some(id) => Some(("role", *id)),
                None => {
                    f.fail("role", format!("unknown sales role '{key}'"));
                    None
                }
            },
            _ => {
                f.fail("rep_email", "give either rep_email or role");
                None
            }
        };
        let month = f.required_text("month", 10).and_then(|m| {
            let d = parse_month(&m);
            if d.is_none() {
                f.fail("month", "must be a month YYYY-MM");
            }
            d
        });
        let value = f.int("value", 0, 1_000_000_000_000_000);
        if value.is_none() && !f.is_present("value") {
            f.fail("value", "is required");
        }
        match (metric, subject, month, value) {
            (Some(metric), Some((scope, subject_id)), Some(month), Some(value))
                if f.errors.is_empty() =>
            {
                rows.push(TargetWrite {
                    metric,
                    scope,
                    subject_id,
                    month,
                    value,
                })
            }
            _ if f.errors.is_empty() => f.incomplete(),
            _ => {}
        }
        errors.append(&mut f.errors);
    }
    Ok(rows)
}

#[utoipa::path(
    put,
    path = "/api/v1/targets",
    tag = "configuration",
    request_body(content = TargetBatch, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Every target set", body = TargetsSet),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 413, description = "Body too large or more than 10,000 items", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid items (nothing set)", body = super::error::ErrorBody),
    )
)]
pub async fn put_targets(
    State(state): State<AppState>,
    Admin(caller): Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TargetsSet>, ApiError> {
    let db = &state.db;
    let body = json_body(&headers, body)?;
    let items: Vec<(Option<i64>, &Value)> = input::batch_items(&body)?
        .iter()
        .enumerate()
        .map(|(i, v)| (Some(i64::try_from(i).unwrap_or(i64::MAX)), v))
        .collect();
    let mut errors = Vec::new();
    let rows = resolve_targets(db, &items, &mut errors).await?;
    ingest::reject_if_any(errors)?;
    let set = admin_repo::put_targets(db, &actor(&caller), &rows).await?;
    Ok(Json(TargetsSet { set }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_keys_accept_type_keys_and_ids() {
        let types = HashMap::from([("call".to_string(), 4)]);
        assert_eq!(
            metric_key("activity_score", &types).as_deref(),
            Some("activity_score")
        );
        assert_eq!(
            metric_key("activity_count:call", &types).as_deref(),
            Some("activity_count:4")
        );
        assert_eq!(
            metric_key("call_time:4", &types).as_deref(),
            Some("call_time:4")
        );
        assert_eq!(metric_key("activity_count:fax", &types), None);
        assert_eq!(metric_key("happiness", &types), None);
    }

    #[test]
    fn months_and_keys() {
        assert_eq!(parse_month("2026-03"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(
            parse_month("2026-03-01"),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("March"), None);
        assert!(valid_key("check_in"));
        assert!(!valid_key("Check-in"));
        assert!(!valid_key(""));
    }
}
