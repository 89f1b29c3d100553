//! The one home of activity types and their versioned weights: reading them for scoring,
//! creating and changing them (audited, announced), and the defaults a new organisation
//! starts with.

use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scoring::{
    default_activity_types, ActivityTypeRule, Points, WeightTable, WeightVersion,
};
use crate::server::audit;
use crate::server::db::{Db, Tx};
use crate::{on_db, on_tx};

/// Most points one unit may be worth, in hundredths.
pub const MAX_WEIGHT: i64 = 10_000_000;
pub const MAX_DAILY_CAP: i64 = 100_000;
/// The first day of the default weights of a new organisation: early enough that every
/// activity it will ever import is scored.
const DEFAULTS_FROM: (i32, u32, u32) = (2000, 1, 1);

#[derive(sqlx::FromRow)]
struct TypeRow {
    id: i64,
    key: String,
    label: String,
    icon: String,
    is_leading: bool,
    daily_cap: Option<i64>,
    min_duration_seconds: Option<i64>,
}

/// The active types, in their display order: what can be logged and ingested.
pub async fn activity_types(db: &Db) -> Result<Vec<ActivityTypeRule>, AppError> {
    crate::server::page_reads::config("active types", types_where(db, "WHERE active = TRUE")).await
}

/// Every type, retired ones too: what scores are computed with, so that a retired type's
/// history still counts.
pub async fn scoring_types(db: &Db) -> Result<Vec<ActivityTypeRule>, AppError> {
    crate::server::page_reads::config("scoring types", types_where(db, "")).await
}

async fn types_where(db: &Db, filter: &str) -> Result<Vec<ActivityTypeRule>, AppError> {
    let sql = format!(
        "SELECT id, key, label, icon, is_leading, daily_cap, min_duration_seconds \
         FROM activity_types {filter} ORDER BY sort_order, id"
    );
    let rows: Vec<TypeRow> = on_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ActivityTypeRule {
            id: r.id,
            key: r.key,
            label: r.label,
            icon: r.icon,
            leading: r.is_leading,
            daily_cap: r.daily_cap,
            min_duration_seconds: r.min_duration_seconds,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct WeightRow {
    id: i64,
    activity_type_id: i64,
    effective_from: NaiveDate,
    weight_hundredths: i64,
}

/// Every weight version of every type.
pub async fn weight_table(db: &Db) -> Result<WeightTable, AppError> {
    crate::server::page_reads::config("weights", read_weights(db)).await
}

async fn read_weights(db: &Db) -> Result<WeightTable, AppError> {
    const SQL: &str =
        "SELECT id, activity_type_id, effective_from, weight_hundredths FROM weight_versions";
    let rows: Vec<WeightRow> = on_db!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await)?;
    Ok(WeightTable::new(
        rows.into_iter()
            .map(|r| WeightVersion {
                id: r.id,
                activity_type_id: r.activity_type_id,
                effective_from: r.effective_from,
                weight: Points(r.weight_hundredths),
            })
            .collect(),
    ))
}

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
    pub min_duration_seconds: Option<i64>,
    pub active: bool,
}

/// A weight version as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WeightView {
    pub effective_from: NaiveDate,
    /// Points in hundredths (`300` = 3.00 points per counted unit).
    pub weight_hundredths: i64,
}

/// A change to a type; fields left `None` keep their value (or take the default when
/// the type is new).
#[derive(Debug, Clone, Default)]
pub struct TypeDraft {
    pub label: Option<String>,
    pub icon: Option<String>,
    pub leading: Option<bool>,
    /// `Some(None)` removes the cap.
    pub daily_cap: Option<Option<i64>>,
    /// `Some(None)` removes the minimum duration.
    pub min_duration_seconds: Option<Option<i64>>,
    /// Refuse when the key already exists (the desk's "add a type"); an API `PUT` upserts.
    pub must_be_new: bool,
    /// Points per counted unit in hundredths: a new weight version.
    pub weight: Option<i64>,
    /// The first local day of the new weight; default the first day of the current month.
    pub effective_from: Option<NaiveDate>,
    /// False retires the type: it leaves quick-log and ingestion; its history still counts.
    pub active: Option<bool>,
}

/// A type key: 1 to 40 lowercase letters, digits or `_`.
pub fn valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

const LOCK_TYPE: &str = "UPDATE activity_types SET key = key WHERE key = $1 \
    RETURNING id, key, label, icon, is_leading, daily_cap, min_duration_seconds, active";
const INSERT_TYPE: &str =
    "INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, min_duration_seconds, sort_order, active) \
    VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM activity_types), $7) \
    ON CONFLICT (key) DO NOTHING RETURNING id";
const UPDATE_TYPE: &str =
    "UPDATE activity_types SET label = $1, icon = $2, is_leading = $3, daily_cap = $4, \
    min_duration_seconds = $5, active = $6 WHERE id = $7";

/// The longest minimum duration a type may ask for: a working day.
pub const MAX_MIN_DURATION: i64 = 12 * 3600;
const SET_WEIGHT: &str = "INSERT INTO weight_versions (activity_type_id, effective_from, weight_hundredths, created_at) \
    VALUES ($1, $2, $3, $4) ON CONFLICT (activity_type_id, effective_from) DO UPDATE SET \
    weight_hundredths = excluded.weight_hundredths";

async fn set_weight(
    tx: &mut Tx,
    type_id: i64,
    from: NaiveDate,
    hundredths: i64,
) -> Result<(), AppError> {
    on_tx!(tx, |c| sqlx::query(SET_WEIGHT)
        .bind(type_id)
        .bind(from)
        .bind(hundredths)
        .bind(Utc::now())
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Reads the desk's type form (every value as typed) into a draft: field errors name the
/// form's fields. `new` asks for a weight and refuses a key in use.
pub fn parse_form(form: &super::TypeForm, new: bool) -> Result<TypeDraft, AppError> {
    let mut errors = Vec::new();
    let optional_int = |field: &str, raw: &str, scale: i64, errors: &mut Vec<FieldError>| {
        let raw = raw.trim();
        if raw.is_empty() {
            return Some(None);
        }
        match raw.parse::<i64>() {
            Ok(n) => Some(Some(n.saturating_mul(scale))),
            Err(_) => {
                errors.push(FieldError::new(
                    field,
                    "must be a whole number, or empty for none",
                ));
                None
            }
        }
    };
    let daily_cap = optional_int("daily_cap", &form.daily_cap, 1, &mut errors);
    let min_duration_seconds = optional_int("min_minutes", &form.min_minutes, 60, &mut errors)
        .filter(|d| {
            let ok = d.is_none_or(|s| (60..=MAX_MIN_DURATION).contains(&s));
            if !ok {
                errors.push(FieldError::new(
                    "min_minutes",
                    "must be between 1 and 720 minutes",
                ));
            }
            ok
        });
    let leading = match form.kind.as_str() {
        "leading" => Some(true),
        "lagging" => Some(false),
        _ => {
            errors.push(FieldError::new("kind", "must be leading or lagging"));
            None
        }
    };
    let weight = if new {
        match Points::parse(form.weight.trim()) {
            Ok(w) => Some(w.0),
            Err(e) => {
                errors.push(FieldError::new(
                    "weight",
                    format!("must be a number of points with at most two decimals ({e})"),
                ));
                None
            }
        }
    } else {
        None
    };
    let active = match form.active.as_str() {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.push(FieldError::new("active", "must be true or false"));
            None
        }
    };
    AppError::check(errors)?;
    Ok(TypeDraft {
        label: Some(form.label.clone()),
        icon: Some(form.icon.clone()),
        leading,
        daily_cap,
        min_duration_seconds,
        must_be_new: new,
        weight,
        effective_from: None,
        active,
    })
}

/// Creates or changes a type (and sets one weight version when a weight is given),
/// audited in the same transaction and announced. Returns the type and whether it was new.
pub async fn put_activity_type(
    db: &Db,
    live: &Live,
    actor: &str,
    key: &str,
    draft: TypeDraft,
    today: NaiveDate,
) -> Result<(TypeState, bool), AppError> {
    let mut errors = Vec::new();
    if !valid_key(key) {
        errors.push(FieldError::new(
            "key",
            "must have 1 to 40 lowercase letters, digits or _",
        ));
    }
    if draft
        .label
        .as_deref()
        .is_some_and(|l| l.trim().is_empty() || l.trim().chars().count() > 60)
    {
        errors.push(FieldError::new("label", "must have 1 to 60 characters"));
    }
    if draft
        .icon
        .as_deref()
        .is_some_and(|i| i.trim().is_empty() || i.trim().chars().count() > 16)
    {
        errors.push(FieldError::new(
            "icon",
            "must have 1 to 16 characters (an emoji will do)",
        ));
    }
    if let Some(Some(d)) = draft.min_duration_seconds {
        if !(1..=MAX_MIN_DURATION).contains(&d) {
            errors.push(FieldError::new(
                "min_duration_seconds",
                "must be between 1 second and 12 hours",
            ));
        }
    }
    if let Some(w) = draft.weight {
        if !(0..=MAX_WEIGHT).contains(&w) {
            errors.push(FieldError::new("weight", "must be between 0 and 100000"));
        }
    }
    if let Some(Some(cap)) = draft.daily_cap {
        if !(0..=MAX_DAILY_CAP).contains(&cap) {
            errors.push(FieldError::new("daily_cap", "must be between 0 and 100000"));
        }
    }
    if draft.effective_from.is_some() && draft.weight.is_none() {
        errors.push(FieldError::new("effective_from", "only goes with a weight"));
    }
    AppError::check(errors)?;
    let mut tx = db.begin_write().await?;
    let before: Option<TypeState> = on_tx!(&mut tx, |c| sqlx::query_as(LOCK_TYPE)
        .bind(key)
        .fetch_optional(c)
        .await)?;
    if let (true, Some(existing)) = (draft.must_be_new, &before) {
        return Err(AppError::invalid(
            "key",
            format!(
                "is already used by the type “{}”{}",
                existing.label,
                if existing.active {
                    ""
                } else {
                    " (retired: reactivate it instead)"
                }
            ),
        ));
    }
    if before.is_none() {
        let mut missing = Vec::new();
        if draft.label.is_none() {
            missing.push(FieldError::new(
                "label",
                "is required to create an activity type",
            ));
        }
        if draft.weight.is_none() {
            missing.push(FieldError::new(
                "weight",
                "is required to create an activity type",
            ));
        }
        AppError::check(missing)?;
    }
    let b = before.as_ref();
    let after = TypeState {
        id: b.map(|b| b.id).unwrap_or_default(),
        key: key.to_string(),
        label: draft
            .label
            .map(|l| l.trim().to_string())
            .or_else(|| b.map(|b| b.label.clone()))
            .unwrap_or_else(|| key.to_string()),
        icon: draft
            .icon
            .map(|i| i.trim().to_string())
            .or_else(|| b.map(|b| b.icon.clone()))
            .unwrap_or_else(|| "•".to_string()),
        leading: draft.leading.or(b.map(|b| b.leading)).unwrap_or(true),
        daily_cap: match draft.daily_cap {
            Some(cap) => cap,
            None => b.and_then(|b| b.daily_cap),
        },
        min_duration_seconds: match draft.min_duration_seconds {
            Some(d) => d,
            None => b.and_then(|b| b.min_duration_seconds),
        },
        active: draft.active.or(b.map(|b| b.active)).unwrap_or(true),
    };
    let id = match b {
        Some(b) => {
            on_tx!(&mut tx, |c| sqlx::query(UPDATE_TYPE)
                .bind(&after.label)
                .bind(&after.icon)
                .bind(after.leading)
                .bind(after.daily_cap)
                .bind(after.min_duration_seconds)
                .bind(after.active)
                .bind(b.id)
                .execute(c)
                .await
                .map(|_| ()))?;
            if b.daily_cap != after.daily_cap {
                // The month totals sum what passed the cap day by day.
                crate::activities::store::rebuild_months(&mut tx, Some(b.id)).await?;
            }
            b.id
        }
        None => {
            let id: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(INSERT_TYPE)
                .bind(&after.key)
                .bind(&after.label)
                .bind(&after.icon)
                .bind(after.leading)
                .bind(after.daily_cap)
                .bind(after.min_duration_seconds)
                .bind(after.active)
                .fetch_optional(c)
                .await)?;
            id.ok_or_else(|| {
                AppError::Conflict(
                    "The activity type was created by another request at the same moment. Retry the request."
                        .into(),
                )
            })?
        }
    };
    let after = TypeState { id, ..after };
    let mut after_json = json!(after);
    if let Some(hundredths) = draft.weight {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let from = draft.effective_from.unwrap_or(first_of_month);
        set_weight(&mut tx, id, from, hundredths).await?;
        after_json["weight"] = json!({ "effective_from": from, "weight_hundredths": hundredths });
    }
    audit::record_in(
        &mut tx,
        actor,
        if before.is_some() { "update" } else { "create" },
        &format!("activity_type:{key}"),
        before.as_ref().map(|b| json!(b)),
        Some(after_json),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok((after, before.is_none()))
}

/// Every weight version of a type, oldest first.
pub async fn weights_of(db: &Db, type_id: i64) -> Result<Vec<WeightView>, AppError> {
    const SQL: &str = "SELECT effective_from, weight_hundredths FROM weight_versions \
        WHERE activity_type_id = $1 ORDER BY effective_from";
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(type_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The icon shown on a default type's quick-log button.
fn default_icon(key: &str) -> &'static str {
    match key {
        "call" => "📞",
        "email" => "✉️",
        "meeting" => "🤝",
        "visit" => "🚗",
        "check_in" => "✅",
        "demo" => "🖥️",
        "proposal" => "📄",
        _ => "•",
    }
}

/// Creates the default types and weights of a new organisation (docs/rules.md lists them) in the
/// caller's transaction; returns `(key, id)` of each.
pub async fn create_defaults(tx: &mut Tx) -> Result<Vec<(String, i64)>, AppError> {
    let from = NaiveDate::from_ymd_opt(DEFAULTS_FROM.0, DEFAULTS_FROM.1, DEFAULTS_FROM.2)
        .ok_or(AppError::Internal)?;
    let mut ids = Vec::new();
    for (i, (rule, weight)) in default_activity_types().into_iter().enumerate() {
        let id: i64 = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, min_duration_seconds, sort_order, active) \
             VALUES ($1, $2, $3, $4, NULL, NULL, $5, TRUE) RETURNING id"
        )
        .bind(&rule.key)
        .bind(&rule.label)
        .bind(default_icon(&rule.key))
        .bind(rule.leading)
        .bind(i64::try_from(i).unwrap_or(0))
        .fetch_one(c)
        .await
        })?;
        set_weight(tx, id, from, weight.0).await?;
        ids.push((rule.key, id));
    }
    Ok(ids)
}

/// The weights desk: every type (retired ones too) with its history, and the current
/// month's leaderboard inputs for the impact preview.
pub async fn desk(db: &Db) -> Result<super::WeightDesk, AppError> {
    const ALL: &str =
        "SELECT id, key, label, icon, is_leading, daily_cap, min_duration_seconds, active \
        FROM activity_types ORDER BY active DESC, sort_order, id";
    let settings = crate::server::org::load(db).await?;
    let today = settings.today();
    let period = crate::scoring::Period::containing(
        crate::scoring::PeriodKind::Month,
        today,
        settings.fiscal_start(),
    );
    let stored: Vec<TypeState> = on_db!(db, |pool| sqlx::query_as(ALL).fetch_all(pool).await)?;
    let weights = weight_table(db).await?;
    let types = stored
        .into_iter()
        .map(|t| {
            let mut history: Vec<(NaiveDate, Points)> = weights
                .versions()
                .filter(|v| v.activity_type_id == t.id)
                .map(|v| (v.effective_from, v.weight))
                .collect();
            history.sort();
            super::TypeRow {
                weight_now: weights.weight_on(t.id, today).map(|w| w.weight),
                id: t.id,
                key: t.key,
                label: t.label,
                icon: t.icon,
                leading: t.leading,
                daily_cap: t.daily_cap,
                min_duration_seconds: t.min_duration_seconds,
                active: t.active,
                history,
            }
        })
        .collect();
    let reps = crate::leaderboard::service::reps(db, None).await?;
    let rollups = crate::activities::repo::rollups(db, period.start, period.end, None).await?;
    Ok(super::WeightDesk {
        types,
        names: reps.iter().map(|r| (r.id, r.name.clone())).collect(),
        period_label: period.label(),
        default_from: period.start,
        inputs: crate::scoring::ImpactInputs {
            period,
            roster: reps.iter().map(|r| r.id).collect(),
            types: scoring_types(db).await?,
            weights,
            rollups,
        },
    })
}
