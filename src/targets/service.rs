//! The one home of monthly targets: what a target is (metric × rep or role × month), the
//! metric keys they accept, and setting many at once (all or nothing, audited, announced).
//! `PUT /api/v1/targets` and the CSV import call the same functions.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scoring::{ActivityTypeRule, Metric};
use crate::server::audit;
use crate::server::db::Db;
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
        if !(0..=MAX_VALUE).contains(&t.value) {
            errors.push(FieldError::new("value", "must not be negative").at(index));
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

/// Sets every target, or none, in one transaction with its audit entry; returns how many.
pub async fn put_targets(
    db: &Db,
    live: &Live,
    actor: &str,
    rows: &[TargetWrite],
) -> Result<i64, AppError> {
    let mut tx = db.begin_write().await?;
    for r in rows {
        on_tx!(&mut tx, |c| sqlx::query(PUT_TARGET)
            .bind(&r.metric)
            .bind(r.scope)
            .bind(r.subject_id)
            .bind(r.month)
            .bind(r.value)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    audit::record_in(&mut tx, actor, "update", "targets", None, Some(json!(rows))).await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
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
