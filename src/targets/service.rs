//! The one home of monthly targets: what a target is (metric × rep or role × month), the
//! metric keys they accept, and setting many at once (all or nothing, audited, announced).
//! `PUT /api/v1/targets` and the CSV import call the same functions.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value};

use super::{CellEdit, MetricOption, RepRow, RoleRow, SavedProfile, TargetDesk, TargetsSaved};
use crate::auth::session::User;
use crate::auth::AccessRole;
use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scoring::{
    fiscal_year_first_month, fiscal_year_of, parse_target_entry, ActivityTypeRule, Metric,
    SeasonalityPreset, SeasonalityProfile, YearMonth,
};
use crate::server::db::Db;
use crate::server::{audit, org};
use crate::{activity_types, on_tx, people};

/// Largest target value (in the metric's unit).
pub const MAX_VALUE: i64 = 1_000_000_000_000_000;

/// One monthly target as a door received it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
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

pub const FIELDS: [&str; 5] = ["metric", "rep_email", "role", "month", "value"];

/// One monthly target row as stored.
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

/// A metric as typed → the key stored with a target; `None` for anything that is not a
/// metric of the catalogue. The one reading of metric keys, shared with the scorecards
/// ([`crate::scorecard::repo::parse_metric_key`]).
pub fn metric_key(s: &str, types: &[ActivityTypeRule]) -> Option<String> {
    crate::scorecard::repo::parse_metric_key(s.trim(), types).map(Metric::key)
}

/// `YYYY-MM` (or `YYYY-MM-01`) → the month's first day.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.strip_suffix("-01").filter(|m| m.len() == 7).unwrap_or(s);
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .ok()
        .filter(|d| (1970..=9999).contains(&d.year()))
}

/// Reads one target record, naming every bad field.
pub fn parse(
    value: &Value,
    index: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<TargetInput> {
    crate::fields::read(value, index, &FIELDS, errors, |f| {
        let metric = f.required_text("metric", 80);
        let rep_email = f.text("rep_email", 254);
        let role = f.text("role", 60);
        let month = f.required_text("month", 10);
        // The range is checked with the other rules, so every problem is named at once.
        let value = f.int("value", i64::MIN, i64::MAX);
        if value.is_none() && !f.is_present("value") {
            f.fail("value", "is required");
        }
        Some(TargetInput {
            metric: metric?,
            rep_email,
            role,
            month: month?,
            value: value?,
        })
    })
}

/// Resolves targets (metric key, rep or role, month); every problem is named with the
/// item's index and nothing is returned unless all are good.
pub async fn resolve(
    db: &Db,
    items: Vec<(Option<i64>, TargetInput)>,
) -> Result<Vec<TargetWrite>, AppError> {
    let types = activity_types::service::activity_types(db).await?;
    let roles: HashMap<String, i64> = people::service::sales_roles(db)
        .await?
        .into_iter()
        .map(|r| (r.key, r.id))
        .collect();
    let accounts = people::service::accounts(db).await?;
    let mut errors = Vec::new();
    let mut rows = Vec::with_capacity(items.len());
    let mut first: HashMap<(String, &'static str, i64, NaiveDate), i64> = HashMap::new();
    for (index, t) in items {
        let before = errors.len();
        let metric = metric_key(&t.metric, &types);
        if metric.is_none() {
            errors.push(
                FieldError::new("metric", format!("unknown metric '{}'", t.metric)).at(index),
            );
        }
        let subject = match (&t.rep_email, &t.role) {
            (Some(email), None) => match people::service::resolve_rep(&accounts, email) {
                Ok(id) => Some(("rep", id)),
                Err(m) => {
                    errors.push(FieldError::new("rep_email", m).at(index));
                    None
                }
            },
            (None, Some(key)) => match roles.get(key.trim()) {
                Some(id) => Some(("role", *id)),
                None => {
                    errors.push(
                        FieldError::new("role", format!("unknown sales role '{key}'")).at(index),
                    );
                    None
                }
            },
            _ => {
                errors
                    .push(FieldError::new("rep_email", "give either rep_email or role").at(index));
                None
            }
        };
        let month = parse_month(&t.month);
        if month.is_none() {
            errors.push(FieldError::new("month", "must be a month YYYY-MM").at(index));
        }
        if t.value < 0 {
            errors.push(FieldError::new("value", "must not be negative").at(index));
        } else if t.value > MAX_VALUE {
            errors.push(FieldError::new("value", format!("must be at most {MAX_VALUE}")).at(index));
        }
        if errors.len() > before {
            continue;
        }
        if let (Some(metric), Some((scope, subject_id)), Some(month)) = (metric, subject, month) {
            let seen_at = first.insert(
                (metric.clone(), scope, subject_id, month),
                index.unwrap_or(0),
            );
            if let Some(line) = seen_at {
                errors.push(
                    FieldError::new(
                        "month",
                        format!("the same target is set twice (first at {line})"),
                    )
                    .at(index),
                );
                continue;
            }
            rows.push(TargetWrite {
                metric,
                scope,
                subject_id,
                month,
                value: t.value,
            });
        }
    }
    AppError::check(errors)?;
    Ok(rows)
}

const PUT_TARGET: &str =
    "INSERT INTO targets (metric, scope, subject_id, month, value) VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (metric, scope, subject_id, month) DO UPDATE SET value = excluded.value";

/// How many of these targets would be new (the rest change an existing value).
pub async fn count_new(db: &Db, rows: &[TargetWrite]) -> Result<usize, AppError> {
    let existing: Vec<(String, String, i64, NaiveDate)> =
        crate::on_db!(db, |pool| sqlx::query_as(
            "SELECT metric, scope, subject_id, month FROM targets"
        )
        .fetch_all(pool)
        .await)?;
    let existing: std::collections::HashSet<_> = existing.into_iter().collect();
    Ok(rows
        .iter()
        .filter(|w| {
            !existing.contains(&(w.metric.clone(), w.scope.to_string(), w.subject_id, w.month))
        })
        .count())
}

/// A target to remove (the month then falls back to the role default, or to none).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TargetKey {
    pub metric: String,
    /// `rep` or `role`.
    pub scope: &'static str,
    pub subject_id: i64,
    pub month: NaiveDate,
}

impl TargetWrite {
    pub fn key(&self) -> TargetKey {
        TargetKey {
            metric: self.metric.clone(),
            scope: self.scope,
            subject_id: self.subject_id,
            month: self.month,
        }
    }
}

/// How the audit log names a target: `activity_score rep 12 2027-03`, so that an entry
/// reads as the targets that changed, each before → after.
fn audit_key(metric: &str, scope: &str, subject_id: i64, month: NaiveDate) -> String {
    format!("{metric} {scope} {subject_id} {}", month.format("%Y-%m"))
}

/// What [`change_targets`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetChange {
    pub set: i64,
    /// Targets removed that existed.
    pub cleared: i64,
}

/// Sets every target, or none, in one transaction with its audit entry; returns how many.
pub async fn put_targets(
    db: &Db,
    live: &Live,
    actor: &str,
    rows: &[TargetWrite],
) -> Result<i64, AppError> {
    Ok(change_targets(db, live, actor, rows, &[]).await?.set)
}

const DELETE_TARGET: &str =
    "DELETE FROM targets WHERE metric = $1 AND scope = $2 AND subject_id = $3 AND month = $4";
const TARGETS_OF_METRIC: &str =
    "SELECT scope, subject_id, month, value FROM targets WHERE metric = $1";

/// Sets `set` and removes `clear`, all or nothing, in one transaction with one audit entry
/// (every touched target before → after), then announces the change.
pub async fn change_targets(
    db: &Db,
    live: &Live,
    actor: &str,
    set: &[TargetWrite],
    clear: &[TargetKey],
) -> Result<TargetChange, AppError> {
    let mut tx = db.begin_write().await?;
    // What the touched targets were, read inside the transaction that changes them.
    let mut metrics: Vec<&str> = set
        .iter()
        .map(|r| r.metric.as_str())
        .chain(clear.iter().map(|k| k.metric.as_str()))
        .collect();
    metrics.sort_unstable();
    metrics.dedup();
    let mut existing: HashMap<(&str, String, i64, NaiveDate), i64> = HashMap::new();
    for metric in &metrics {
        let rows: Vec<(String, i64, NaiveDate, i64)> =
            on_tx!(&mut tx, |c| sqlx::query_as(TARGETS_OF_METRIC)
                .bind(*metric)
                .fetch_all(c)
                .await)?;
        for (scope, subject, month, value) in rows {
            existing.insert((metric, scope, subject, month), value);
        }
    }
    let was = |metric: &str, scope: &str, subject_id: i64, month: NaiveDate| {
        existing
            .get(&(metric, scope.to_string(), subject_id, month))
            .copied()
    };
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    for r in set {
        on_tx!(&mut tx, |c| sqlx::query(PUT_TARGET)
            .bind(&r.metric)
            .bind(r.scope)
            .bind(r.subject_id)
            .bind(r.month)
            .bind(r.value)
            .execute(c)
            .await
            .map(|_| ()))?;
        let key = audit_key(&r.metric, r.scope, r.subject_id, r.month);
        before.insert(
            key.clone(),
            json!(was(&r.metric, r.scope, r.subject_id, r.month)),
        );
        after.insert(key, json!(r.value));
    }
    let mut cleared = 0_i64;
    for k in clear {
        let Some(old) = was(&k.metric, k.scope, k.subject_id, k.month) else {
            continue;
        };
        on_tx!(&mut tx, |c| sqlx::query(DELETE_TARGET)
            .bind(&k.metric)
            .bind(k.scope)
            .bind(k.subject_id)
            .bind(k.month)
            .execute(c)
            .await
            .map(|_| ()))?;
        cleared += 1;
        let key = audit_key(&k.metric, k.scope, k.subject_id, k.month);
        before.insert(key.clone(), json!(old));
        after.insert(key, Value::Null);
    }
    audit::record_in(
        &mut tx,
        actor,
        "update",
        "targets",
        Some(Value::Object(before)),
        Some(Value::Object(after)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(TargetChange {
        set: i64::try_from(set.len()).unwrap_or(i64::MAX),
        cleared,
    })
}

// ---------------------------------------------------------------------------------------
// The targets desk
// ---------------------------------------------------------------------------------------

/// Most cells one save may carry (a full year for 1,000 reps is 12,000).
pub const MAX_DESK_EDITS: usize = 20_000;
/// Longest name of a saved seasonality profile.
pub const MAX_PROFILE_NAME: usize = 60;

/// Managers and admins use the targets desk; reps do not.
fn require_desk(user: &User) -> Result<(), AppError> {
    match user.role() {
        AccessRole::Admin | AccessRole::Manager => Ok(()),
        AccessRole::Rep => Err(AppError::Forbidden),
    }
}

/// Whether `editor` may set or remove a target of `scope` whose subject is in `team`:
/// an admin any; a manager only their own team's reps' own targets.
pub fn may_edit(editor: &User, scope: &str, team: Option<i64>) -> bool {
    match editor.role() {
        AccessRole::Admin => true,
        AccessRole::Manager => scope == "rep" && editor.team_id.is_some() && editor.team_id == team,
        AccessRole::Rep => false,
    }
}

/// A metric as the desk asks for it (`""` = activity score), read by the same rule as
/// every other door.
fn desk_metric(metric: &str, types: &[ActivityTypeRule]) -> Result<Metric, AppError> {
    let metric = if metric.trim().is_empty() {
        "activity_score"
    } else {
        metric
    };
    metric_key(metric, types)
        .and_then(|k| k.parse::<Metric>().ok())
        .ok_or_else(|| AppError::invalid("metric", format!("unknown metric '{metric}'")))
}

fn option_of(metric: Metric, types: &[ActivityTypeRule]) -> MetricOption {
    MetricOption {
        key: metric.key(),
        label: metric.label(types),
        unit: metric.unit(),
    }
}

#[derive(sqlx::FromRow)]
struct DeskRepRow {
    id: i64,
    name: String,
    email: String,
    team_id: Option<i64>,
    team: Option<String>,
    role_id: i64,
    role_name: String,
}

const DESK_REPS: &str = "SELECT u.id, u.name, u.email, u.team_id, t.name AS team, \
    r.id AS role_id, r.name AS role_name \
    FROM users u JOIN sales_roles r ON r.id = u.sales_role_id \
    LEFT JOIN teams t ON t.id = u.team_id \
    WHERE u.active = TRUE \
    ORDER BY CASE WHEN t.name IS NULL THEN 1 ELSE 0 END, t.name, r.name, u.name, u.id";

/// The targets desk for `viewer`: one metric, the 12 months of one fiscal year, the role
/// defaults and the reps they may see (a manager: their own team's).
pub async fn desk(
    db: &Db,
    viewer: &User,
    metric: &str,
    fiscal_year: &str,
) -> Result<TargetDesk, AppError> {
    require_desk(viewer)?;
    let settings = org::load(db).await?;
    let start = settings.fiscal_start();
    let current = fiscal_year_of(settings.today(), start);
    let types = activity_types::service::activity_types(db).await?;
    let metric = desk_metric(metric, &types)?;
    let year = match fiscal_year.trim() {
        "" => current,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| AppError::invalid("year", "must be a fiscal year such as 2027"))?,
    };
    let first = fiscal_year_first_month(year, start);
    let months: Vec<YearMonth> = (0..12).map(|i| first.plus_months(i)).collect();
    let column = |d: NaiveDate| months.iter().position(|m| *m == YearMonth::of(d));
    let rows: Vec<(String, i64, NaiveDate, i64)> = crate::on_db!(db, |pool| sqlx::query_as(
        "SELECT scope, subject_id, month, value FROM targets \
         WHERE metric = $1 AND month >= $2 AND month <= $3"
    )
    .bind(metric.key())
    .bind(months[0].first_day())
    .bind(months[11].first_day())
    .fetch_all(pool)
    .await)?;
    let mut values: HashMap<(String, i64), Vec<Option<i64>>> = HashMap::new();
    for (scope, subject, month, value) in rows {
        if let Some(i) = column(month) {
            values
                .entry((scope, subject))
                .or_insert_with(|| vec![None; 12])[i] = Some(value);
        }
    }
    let mut take = |scope: &str, id: i64| {
        values
            .remove(&(scope.to_string(), id))
            .unwrap_or_else(|| vec![None; 12])
    };
    let roles = people::service::sales_roles(db)
        .await?
        .into_iter()
        .map(|r| RoleRow {
            values: take("role", r.id),
            id: r.id,
            key: r.key,
            name: r.name,
        })
        .collect();
    let reps: Vec<DeskRepRow> =
        crate::on_db!(db, |pool| sqlx::query_as(DESK_REPS).fetch_all(pool).await)?;
    let reps = reps
        .into_iter()
        .filter(|r| viewer.role() == AccessRole::Admin || may_edit(viewer, "rep", r.team_id))
        .map(|r| RepRow {
            values: take("rep", r.id),
            id: r.id,
            name: r.name,
            email: r.email,
            team: r.team,
            role_id: r.role_id,
            role_name: r.role_name,
        })
        .collect();
    Ok(TargetDesk {
        viewer_role: viewer.role(),
        viewer_team: viewer.team_name.clone(),
        may_edit_roles: viewer.role() == AccessRole::Admin,
        metric: option_of(metric, &types),
        metrics: Metric::catalogue(&types)
            .into_iter()
            .map(|m| option_of(m, &types))
            .collect(),
        fiscal_year: year,
        fiscal_years: (current - 2..=current + 2).collect(),
        fiscal_start_month: start,
        months,
        roles,
        reps,
        profiles: seasonality_profiles(db).await?,
    })
}

/// Saves the edited cells of one metric from the desk, all or nothing: each value is read
/// as typed (an empty cell removes the target), then resolved by the same rules as the API
/// and the CSV import. Every bad cell is named, with its position in `edits` as its index.
/// A manager may touch only their own team's reps; anything else is refused whole (403).
pub async fn save_from_desk(
    db: &Db,
    live: &Live,
    editor: &User,
    metric: &str,
    edits: Vec<CellEdit>,
) -> Result<TargetsSaved, AppError> {
    require_desk(editor)?;
    if edits.len() > MAX_DESK_EDITS {
        return Err(AppError::invalid(
            "edits",
            format!("save at most {MAX_DESK_EDITS} cells at once"),
        ));
    }
    let types = activity_types::service::activity_types(db).await?;
    let unit = desk_metric(metric, &types)?.unit();
    // Who each named rep is, to check the editor's reach before anything is read further.
    let people: Vec<(String, Option<i64>, String)> = crate::on_db!(db, |pool| sqlx::query_as(
        "SELECT email, team_id, name FROM users"
    )
    .fetch_all(pool)
    .await)?;
    let people: HashMap<String, (Option<i64>, String)> = people
        .into_iter()
        .map(|(email, team, name)| (email.to_lowercase(), (team, name)))
        .collect();
    for e in &edits {
        let allowed = match (&e.rep_email, &e.role) {
            (Some(email), None) => people
                .get(&email.trim().to_lowercase())
                .is_some_and(|(team, _)| may_edit(editor, "rep", *team)),
            _ => may_edit(editor, "role", None),
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
    }
    let mut errors = Vec::new();
    let mut clears = Vec::with_capacity(edits.len());
    let mut items = Vec::with_capacity(edits.len());
    for (i, e) in edits.iter().enumerate() {
        let index = Some(i64::try_from(i).unwrap_or(i64::MAX));
        let value = if e.value.trim().is_empty() {
            clears.push(true);
            0
        } else {
            clears.push(false);
            parse_target_entry(unit, &e.value).unwrap_or_else(|err| {
                errors.push(
                    FieldError::new("value", format!("{err} ('{}')", e.value.trim())).at(index),
                );
                0
            })
        };
        items.push((
            index,
            TargetInput {
                metric: metric.to_string(),
                rep_email: e.rep_email.clone(),
                role: e.role.clone(),
                month: e.month.clone(),
                value,
            },
        ));
    }
    let rows = AppError::gather(resolve(db, items).await, &mut errors);
    if !errors.is_empty() {
        // Name each cell as the grid shows it: "Ada Lovelace, March 2027: is not a number".
        for err in &mut errors {
            let Some(e) = err.index.and_then(|i| edits.get(usize::try_from(i).ok()?)) else {
                continue;
            };
            let who = match (&e.rep_email, &e.role) {
                (Some(email), _) => people
                    .get(&email.trim().to_lowercase())
                    .map(|(_, name)| name.clone())
                    .unwrap_or_else(|| email.clone()),
                (None, Some(role)) => format!("{role} default"),
                (None, None) => "a cell".to_string(),
            };
            let cell = match parse_month(&e.month) {
                Some(m) => super::grid::cell_name(&who, YearMonth::of(m)),
                None => format!("{who}, {}", e.month),
            };
            err.message = format!("{cell}: {}", err.message);
        }
        return Err(AppError::Invalid(errors));
    }
    let rows = rows?;
    let (clear, set): (Vec<_>, Vec<_>) =
        rows.into_iter().zip(clears).partition(|(_, clear)| *clear);
    let clear: Vec<TargetKey> = clear.into_iter().map(|(r, _)| r.key()).collect();
    let set: Vec<TargetWrite> = set.into_iter().map(|(r, _)| r).collect();
    let done = change_targets(db, live, &editor.email, &set, &clear).await?;
    Ok(TargetsSaved {
        set: done.set,
        cleared: done.cleared,
    })
}

/// The saved seasonality profiles, by name. A stored row that cannot be read is skipped.
pub async fn seasonality_profiles(db: &Db) -> Result<Vec<SavedProfile>, AppError> {
    let rows: Vec<(String, String)> = crate::on_db!(db, |pool| sqlx::query_as(
        "SELECT name, percents FROM seasonality_profiles ORDER BY name"
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, percents)| {
            SeasonalityProfile::from_stored(&percents).map(|profile| SavedProfile { name, profile })
        })
        .collect())
}

/// Saves a named profile from 12 typed percentages (month 1 of the fiscal year first)
/// that must sum to 100; a profile of the same name is replaced. Audited before → after.
pub async fn put_seasonality_profile(
    db: &Db,
    live: &Live,
    actor: &str,
    name: &str,
    percents: &[String],
) -> Result<SavedProfile, AppError> {
    let name = name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > MAX_PROFILE_NAME {
        errors.push(FieldError::new(
            "name",
            format!("must be 1 to {MAX_PROFILE_NAME} characters"),
        ));
    } else if SeasonalityPreset::ALL
        .iter()
        .any(|p| p.label().eq_ignore_ascii_case(name))
    {
        errors.push(FieldError::new(
            "name",
            format!("'{name}' is a built-in profile; choose another name"),
        ));
    }
    let profile = SeasonalityProfile::parse_percents(percents)
        .map_err(|e| errors.push(FieldError::new("percents", e.to_string())))
        .ok();
    AppError::check(errors)?;
    let profile = profile.ok_or(AppError::Internal)?;
    let mut tx = db.begin_write().await?;
    let old: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT percents FROM seasonality_profiles WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    let stored = profile.to_stored();
    if old.is_some() {
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE seasonality_profiles SET percents = $1 WHERE name = $2"
        )
        .bind(&stored)
        .bind(name)
        .execute(c)
        .await
        .map(|_| ()))?;
    } else {
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO seasonality_profiles (name, percents, created_at) VALUES ($1, $2, $3)"
        )
        .bind(name)
        .bind(&stored)
        .bind(chrono::Utc::now())
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    let as_percents = |bp: &str| {
        SeasonalityProfile::from_stored(bp)
            .map(|p| json!({ "percents": p.percent_texts().join(" / ") }))
    };
    audit::record_in(
        &mut tx,
        actor,
        if old.is_some() { "update" } else { "create" },
        &format!("seasonality_profile:{name}"),
        old.as_deref().and_then(as_percents),
        as_percents(&stored),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(SavedProfile {
        name: name.to_string(),
        profile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_keys_accept_type_keys_and_ids() {
        let types = vec![ActivityTypeRule {
            id: 4,
            key: "call".into(),
            label: "Call".into(),
            icon: String::new(),
            leading: true,
            daily_cap: None,
            min_duration_seconds: None,
        }];
        let key = |s| metric_key(s, &types);
        assert_eq!(key("activity_score").as_deref(), Some("activity_score"));
        assert_eq!(
            key("activity_count:call").as_deref(),
            Some("activity_count:4")
        );
        // The same older spelling the scorecards accept.
        assert_eq!(key("count:call").as_deref(), Some("activity_count:4"));
        assert_eq!(key("call_time:4").as_deref(), Some("call_time:4"));
        assert_eq!(key("activity_count:fax"), None);
        assert_eq!(key("happiness"), None);
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2026-03"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(
            parse_month("2026-03-01"),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("March"), None);
    }
}
