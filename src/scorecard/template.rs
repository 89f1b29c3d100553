//! The one home of role scorecard templates: which metrics a role's scorecard shows,
//! leading or lagging, with which weight. The desk, a new organisation's default role and
//! the demo seed all write through here.

use serde_json::json;

use super::repo::parse_metric_key;
use super::TemplateLine;
use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scoring::{Metric, ScorecardMetric};
use crate::server::audit;
use crate::server::db::{Db, Tx};
use crate::{on_db, on_tx};

/// At most this many metrics on one scorecard (six are recommended).
pub const MAX_LINES: usize = 12;
/// Weights are small whole numbers: only their ratios matter.
pub const MAX_WEIGHT: i64 = 100;

/// Checks a draft template: every metric known (by the catalogue's key or by type key,
/// `activity_count:call`), no metric twice, weights 1 to 100. Problems name the line.
pub fn check(
    lines: &[TemplateLine],
    types: &[crate::scoring::ActivityTypeRule],
) -> Result<Vec<ScorecardMetric>, AppError> {
    let mut errors = Vec::new();
    if lines.len() > MAX_LINES {
        errors.push(FieldError::new(
            "lines",
            format!("a scorecard has at most {MAX_LINES} metrics"),
        ));
    }
    let mut seen: Vec<Metric> = Vec::new();
    let mut metrics = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let at = Some(i as i64);
        let metric = parse_metric_key(&line.metric, types);
        match metric {
            None => errors.push(
                FieldError::new("metric", format!("“{}” is not a known metric", line.metric))
                    .at(at),
            ),
            Some(m) if seen.contains(&m) => errors.push(
                FieldError::new(
                    "metric",
                    format!("{} is already on the scorecard", m.label(types)),
                )
                .at(at),
            ),
            Some(m) => seen.push(m),
        }
        if !(1..=MAX_WEIGHT).contains(&line.weight) {
            errors.push(
                FieldError::new(
                    "weight",
                    format!("must be a whole number from 1 to {MAX_WEIGHT}"),
                )
                .at(at),
            );
        }
        if let Some(m) = metric {
            metrics.push(ScorecardMetric {
                metric: m,
                indicator: if line.leading {
                    crate::scoring::Indicator::Leading
                } else {
                    crate::scoring::Indicator::Lagging
                },
                weight: line.weight,
            });
        }
    }
    AppError::check(errors)?;
    Ok(metrics)
}

/// A role's template as stored, in order.
pub async fn lines_of(db: &Db, role_id: i64) -> Result<Vec<TemplateLine>, AppError> {
    const SQL: &str = "SELECT metric, is_leading, weight FROM scorecard_metrics \
        WHERE sales_role_id = $1 ORDER BY sort_order, id";
    let rows: Vec<(String, bool, i64)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(role_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(metric, leading, weight)| TemplateLine {
            metric,
            leading,
            weight,
        })
        .collect())
}

/// Replaces a role's template inside `tx` (checked metrics, stored with the catalogue's own
/// keys). Returns what was there before.
pub async fn write(
    tx: &mut Tx,
    role_id: i64,
    metrics: &[ScorecardMetric],
) -> Result<Vec<TemplateLine>, AppError> {
    const BEFORE: &str = "SELECT metric, is_leading, weight FROM scorecard_metrics \
        WHERE sales_role_id = $1 ORDER BY sort_order, id";
    let before: Vec<(String, bool, i64)> = on_tx!(tx, |c| sqlx::query_as(BEFORE)
        .bind(role_id)
        .fetch_all(c)
        .await)?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM scorecard_metrics WHERE sales_role_id = $1"
    )
    .bind(role_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for (i, m) in metrics.iter().enumerate() {
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO scorecard_metrics (sales_role_id, metric, is_leading, weight, sort_order) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(role_id)
        .bind(m.metric.key())
        .bind(m.indicator == crate::scoring::Indicator::Leading)
        .bind(m.weight)
        .bind(i as i64)
        .execute(c)
        .await
        .map(|_| ())
        })?;
    }
    Ok(before
        .into_iter()
        .map(|(metric, leading, weight)| TemplateLine {
            metric,
            leading,
            weight,
        })
        .collect())
}

/// Sets the scorecard of the sales role `role_key`: checked, written, audited (before →
/// after) in one transaction, then announced so open scorecards recompute.
pub async fn put_template(
    db: &Db,
    live: &Live,
    actor: &str,
    role_key: &str,
    lines: &[TemplateLine],
) -> Result<Vec<TemplateLine>, AppError> {
    let types = crate::activity_types::service::scoring_types(db).await?;
    let metrics = check(lines, &types)?;
    let mut tx = db.begin_write().await?;
    let role_id: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "UPDATE sales_roles SET key = key WHERE key = $1 RETURNING id"
    )
    .bind(role_key)
    .fetch_optional(c)
    .await)?;
    let role_id = role_id.ok_or_else(|| AppError::NotFound("Sales role".into()))?;
    let before = write(&mut tx, role_id, &metrics).await?;
    let after: Vec<TemplateLine> = metrics
        .iter()
        .map(|m| TemplateLine {
            metric: m.metric.key(),
            leading: m.indicator == crate::scoring::Indicator::Leading,
            weight: m.weight,
        })
        .collect();
    audit::record_in(
        &mut tx,
        actor,
        "update",
        &format!("scorecard:{role_key}"),
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(after)
}
