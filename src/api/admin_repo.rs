//! SQL of the admin-scope API routes: activity types and their weight versions, settings
//! (with the re-dating a time zone change needs), monthly targets. Every change is written
//! to the audit log in its own transaction.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::error::ApiError;
use crate::on_db;
use crate::server::db::Db;

const AUDIT: &str =
    "INSERT INTO audit_log (at, actor, action, entity, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6)";

/// An activity type as stored (what the audit log records before and after a change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TypeState {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub icon: String,
    #[sqlx(rename = "is_leading")]
    pub leading: bool,
    pub daily_cap: Option<i64>,
    pub active: bool,
}

/// What to store for a type; `weight` is `(effective_from, hundredths)`.
#[derive(Debug, Clone)]
pub struct TypeChange {
    pub key: String,
    pub label: String,
    pub icon: String,
    pub leading: bool,
    pub daily_cap: Option<i64>,
    pub active: bool,
    pub weight: Option<(NaiveDate, i64)>,
}

const LOCK_TYPE: &str = "UPDATE activity_types SET key = key WHERE key = $1 \
    RETURNING id, key, label, icon, is_leading, daily_cap, active";
const INSERT_TYPE: &str =
    "INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, sort_order, active) \
    VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM activity_types), $6) \
    ON CONFLICT (key) DO NOTHING RETURNING id";
const UPDATE_TYPE: &str =
    "UPDATE activity_types SET label = $1, icon = $2, is_leading = $3, daily_cap = $4, active = $5 WHERE id = $6";
const SET_WEIGHT: &str = "INSERT INTO weight_versions (activity_type_id, effective_from, weight_hundredths, created_at) \
    VALUES ($1, $2, $3, $4) ON CONFLICT (activity_type_id, effective_from) DO UPDATE SET \
    weight_hundredths = excluded.weight_hundredths";

/// The type with this key, if any.
pub async fn activity_type(db: &Db, key: &str) -> Result<Option<TypeState>, ApiError> {
    const SQL: &str = "SELECT id, key, label, icon, is_leading, daily_cap, active FROM activity_types WHERE key = $1";
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(key)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// A weight version as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WeightView {
    pub effective_from: NaiveDate,
    /// Points in hundredths (`300` = 3.00 points per counted unit).
    pub weight_hundredths: i64,
}

pub async fn weights_of(db: &Db, type_id: i64) -> Result<Vec<WeightView>, ApiError> {
    const SQL: &str = "SELECT effective_from, weight_hundredths FROM weight_versions \
        WHERE activity_type_id = $1 ORDER BY effective_from";
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(type_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Creates or updates a type (and sets one weight version); `(state, created)`.
pub async fn put_activity_type(
    db: &Db,
    actor: &str,
    c: &TypeChange,
) -> Result<(TypeState, bool), ApiError> {
    let now = Utc::now();
    let out = crate::in_write_tx!(db, |tx| {
        let before: Option<TypeState> = sqlx::query_as(LOCK_TYPE)
            .bind(&c.key)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match &before {
            Some(b) => {
                sqlx::query(UPDATE_TYPE)
                    .bind(&c.label)
                    .bind(&c.icon)
                    .bind(c.leading)
                    .bind(c.daily_cap)
                    .bind(c.active)
                    .bind(b.id)
                    .execute(&mut *tx)
                    .await?;
                b.id
            }
            None => {
                let id: Option<i64> = sqlx::query_scalar(INSERT_TYPE)
                    .bind(&c.key)
                    .bind(&c.label)
                    .bind(&c.icon)
                    .bind(c.leading)
                    .bind(c.daily_cap)
                    .bind(c.active)
                    .fetch_optional(&mut *tx)
                    .await?;
                id.ok_or_else(|| {
                    ApiError::new(
                        axum::http::StatusCode::CONFLICT,
                        "conflict",
                        "The activity type was created by another request at the same moment. Retry the request.",
                    )
                })?
            }
        };
        if let Some((from, hundredths)) = c.weight {
            sqlx::query(SET_WEIGHT)
                .bind(id)
                .bind(from)
                .bind(hundredths)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let after = TypeState {
            id,
            key: c.key.clone(),
            label: c.label.clone(),
            icon: c.icon.clone(),
            leading: c.leading,
            daily_cap: c.daily_cap,
            active: c.active,
        };
        let mut after_json = serde_json::to_value(&after).unwrap_or_default();
        if let Some((from, hundredths)) = c.weight {
            after_json["weight"] =
                serde_json::json!({ "effective_from": from, "weight_hundredths": hundredths });
        }
        sqlx::query(AUDIT)
            .bind(now)
            .bind(actor)
            .bind(if before.is_some() { "update" } else { "create" })
            .bind(format!("activity_type:{}", c.key))
            .bind(
                before
                    .as_ref()
                    .map(|b| serde_json::to_string(b).unwrap_or_default()),
            )
            .bind(Some(after_json.to_string()))
            .execute(&mut *tx)
            .await?;
        (after, before.is_none())
    });
    Ok(out)
}

/// The settings row as the API writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsWrite {
    pub org_name: String,
    pub time_zone: String,
    pub fiscal_year_start_month: i64,
    pub working_weekdays: String,
    pub band_outstanding_bp: i64,
    pub band_on_track_bp: i64,
    pub band_at_risk_bp: i64,
    pub composite_cap_bp: i64,
}

const PUT_SETTINGS: &str = "INSERT INTO settings (id, org_name, time_zone, fiscal_year_start_month, working_weekdays, \
    band_outstanding_bp, band_on_track_bp, band_at_risk_bp, composite_cap_bp) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (id) DO UPDATE SET org_name = excluded.org_name, time_zone = excluded.time_zone, \
    fiscal_year_start_month = excluded.fiscal_year_start_month, working_weekdays = excluded.working_weekdays, \
    band_outstanding_bp = excluded.band_outstanding_bp, band_on_track_bp = excluded.band_on_track_bp, \
    band_at_risk_bp = excluded.band_at_risk_bp, composite_cap_bp = excluded.composite_cap_bp";
const ACTIVITY_DATES: &str = "SELECT id, occurred_at, local_date FROM activities";
const REDATE: &str = "UPDATE activities SET local_date = $1 WHERE id = $2";
const CLEAR_ROLLUPS: &str = "DELETE FROM daily_rollups";
const REBUILD_ROLLUPS: &str =
    "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) \
    SELECT rep_id, local_date, activity_type_id, CAST(SUM(quantity) AS BIGINT), \
    CAST(SUM(COALESCE(duration_seconds, 0)) AS BIGINT) FROM activities \
    WHERE qualifies = TRUE AND deleted_at IS NULL GROUP BY rep_id, local_date, activity_type_id";

/// Writes the settings. When the time zone changes, every activity's local date is
/// recomputed and the rollups rebuilt from the activities, in the same transaction, so
/// scores never mix two zones. Returns how many activities moved to another local day.
pub async fn put_settings(
    db: &Db,
    actor: &str,
    before: &SettingsWrite,
    after: &SettingsWrite,
    new_zone: Option<Tz>,
) -> Result<i64, ApiError> {
    let now = Utc::now();
    let moved = crate::in_write_tx!(db, |tx| {
        sqlx::query(PUT_SETTINGS)
            .bind(&after.org_name)
            .bind(&after.time_zone)
            .bind(after.fiscal_year_start_month)
            .bind(&after.working_weekdays)
            .bind(after.band_outstanding_bp)
            .bind(after.band_on_track_bp)
            .bind(after.band_at_risk_bp)
            .bind(after.composite_cap_bp)
            .execute(&mut *tx)
            .await?;
        let mut moved = 0i64;
        if let Some(tz) = new_zone {
            let rows: Vec<(i64, DateTime<Utc>, NaiveDate)> =
                sqlx::query_as(ACTIVITY_DATES).fetch_all(&mut *tx).await?;
            for (id, at, old) in rows {
                let local = at.with_timezone(&tz).date_naive();
                if local != old {
                    sqlx::query(REDATE)
                        .bind(local)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    moved += 1;
                }
            }
            if moved > 0 {
                sqlx::query(CLEAR_ROLLUPS).execute(&mut *tx).await?;
                sqlx::query(REBUILD_ROLLUPS).execute(&mut *tx).await?;
            }
        }
        sqlx::query(AUDIT)
            .bind(now)
            .bind(actor)
            .bind("update")
            .bind("settings")
            .bind(Some(serde_json::to_string(before).unwrap_or_default()))
            .bind(Some(serde_json::to_string(after).unwrap_or_default()))
            .execute(&mut *tx)
            .await?;
        moved
    });
    Ok(moved)
}

/// One monthly target row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetWrite {
    pub metric: String,
    /// `rep` or `role`.
    pub scope: &'static str,
    pub subject_id: i64,
    /// First day of the month.
    pub month: NaiveDate,
    pub value: i64,
}

const PUT_TARGET: &str =
    "INSERT INTO targets (metric, scope, subject_id, month, value) VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (metric, scope, subject_id, month) DO UPDATE SET value = excluded.value";

/// Sets every target, or none, in one transaction; returns how many rows were set.
pub async fn put_targets(db: &Db, actor: &str, rows: &[TargetWrite]) -> Result<i64, ApiError> {
    let now = Utc::now();
    crate::in_write_tx!(db, |tx| {
        for r in rows {
            sqlx::query(PUT_TARGET)
                .bind(&r.metric)
                .bind(r.scope)
                .bind(r.subject_id)
                .bind(r.month)
                .bind(r.value)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(AUDIT)
            .bind(now)
            .bind(actor)
            .bind("update")
            .bind("targets")
            .bind(None::<String>)
            .bind(Some(serde_json::to_string(rows).unwrap_or_default()))
            .execute(&mut *tx)
            .await?;
    });
    Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
}

/// `(id, key)` of every sales role.
pub async fn sales_roles(db: &Db) -> Result<Vec<(i64, String)>, ApiError> {
    let rows = on_db!(db, |pool| sqlx::query_as("SELECT id, key FROM sales_roles")
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}
