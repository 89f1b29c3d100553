//! Reads behind a scorecard: the rep, their role's template, targets, calendar, absences, deals.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::error::AppError;
use crate::on_db;
use crate::scoring::{
    Absence, ActivityTypeRule, Deal, DealStatus, Indicator, Metric, Money, MonthlyTarget,
    ScorecardMetric, TargetOwner, WorkCalendar, YearMonth,
};
use crate::server::db::Db;

/// The person a scorecard is for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub sales_role_id: Option<i64>,
    pub role_name: Option<String>,
}

pub async fn rep(db: &Db, rep_id: i64) -> Result<Option<RepRow>, AppError> {
    const SQL: &str = "SELECT u.id, u.name, u.email, u.team_id, u.sales_role_id, r.name AS role_name \
        FROM users u LEFT JOIN sales_roles r ON r.id = u.sales_role_id WHERE u.id = $1 AND u.active = TRUE";
    let row = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// The id of the active account with this (already normalised) email.
pub async fn rep_id_by_email(db: &Db, email: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT id FROM users WHERE email = $1 AND active = TRUE";
    let id = on_db!(db, |pool| sqlx::query_scalar(SQL)
        .bind(email)
        .fetch_optional(pool)
        .await)?;
    Ok(id)
}

/// Reads a stored metric key. The scoring module's own keys (`activity_count:3`) are the
/// stored form; a type named by its key (`activity_count:call`, or the older `count:call`)
/// is accepted too, so hand-entered rows still resolve. `None` for anything else.
pub fn parse_metric_key(key: &str, types: &[ActivityTypeRule]) -> Option<Metric> {
    if let Ok(m) = key.parse::<Metric>() {
        return Some(m);
    }
    let (base, type_key) = key.trim().split_once(':')?;
    let activity_type_id = types.iter().find(|t| t.key == type_key.trim())?.id;
    match base.trim() {
        "activity_count" | "count" => Some(Metric::ActivityCount { activity_type_id }),
        "call_time" => Some(Metric::CallTime { activity_type_id }),
        _ => None,
    }
}

#[derive(Clone, sqlx::FromRow)]
struct TemplateRow {
    metric: String,
    is_leading: bool,
    weight: i64,
}

/// A role's scorecard metrics in their display order. Rows whose metric cannot be read are
/// left out (and logged) rather than failing the whole scorecard.
pub async fn template_metrics(
    db: &Db,
    sales_role_id: i64,
    types: &[ActivityTypeRule],
) -> Result<Vec<ScorecardMetric>, AppError> {
    const SQL: &str = "SELECT metric, is_leading, weight FROM scorecard_metrics \
        WHERE sales_role_id = $1 ORDER BY sort_order, id";
    let read = async {
        let rows: Vec<TemplateRow> = on_db!(db, |pool| sqlx::query_as(SQL)
            .bind(sales_role_id)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    };
    let rows =
        crate::server::page_reads::config(format!("metrics of role {sales_role_id}"), read).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let Some(metric) = parse_metric_key(&r.metric, types) else {
                tracing::warn!(metric = %r.metric, sales_role_id, "unknown scorecard metric skipped");
                return None;
            };
            Some(ScorecardMetric {
                metric,
                indicator: if r.is_leading {
                    Indicator::Leading
                } else {
                    Indicator::Lagging
                },
                weight: r.weight,
            })
        })
        .collect())
}

/// A `targets` row as read, for any query that selects its five columns.
#[derive(sqlx::FromRow)]
pub(crate) struct TargetRow {
    pub(crate) metric: String,
    pub(crate) scope: String,
    pub(crate) subject_id: i64,
    pub(crate) month: NaiveDate,
    pub(crate) value: i64,
}

impl TargetRow {
    /// The rows as targets; a row naming a metric or scope this build does not know is
    /// skipped (an activity type since removed).
    pub(crate) fn read_all(rows: Vec<TargetRow>, types: &[ActivityTypeRule]) -> Vec<MonthlyTarget> {
        rows.into_iter()
            .filter_map(|r| {
                let metric = parse_metric_key(&r.metric, types)?;
                let owner = match r.scope.as_str() {
                    "rep" => TargetOwner::Rep(r.subject_id),
                    "role" => TargetOwner::Role(r.subject_id),
                    _ => return None,
                };
                Some(MonthlyTarget {
                    metric,
                    owner,
                    month: YearMonth::of(r.month),
                    value: r.value,
                })
            })
            .collect()
    }
}

/// The rep's own monthly targets and their role's defaults for the months from `from` to
/// `to` (first days), ready for a `TargetBook`.
pub async fn targets(
    db: &Db,
    rep_id: i64,
    sales_role_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    types: &[ActivityTypeRule],
) -> Result<Vec<MonthlyTarget>, AppError> {
    const SQL: &str = "SELECT metric, scope, subject_id, month, value FROM targets \
        WHERE month >= $1 AND month <= $2 \
        AND ((scope = 'rep' AND subject_id = $3) OR (scope = 'role' AND subject_id = $4))";
    let rows: Vec<TargetRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(from)
        .bind(to)
        .bind(rep_id)
        .bind(sales_role_id)
        .fetch_all(pool)
        .await)?;
    Ok(TargetRow::read_all(rows, types))
}

/// `"1,2,3,4,5"` (ISO weekdays, Monday = 1) → Monday-first flags. Unreadable parts are
/// ignored; a setting that names no day at all falls back to Monday–Friday.
pub fn parse_working_weekdays(s: &str) -> [bool; 7] {
    let mut days = [false; 7];
    for part in s.split(',') {
        if let Ok(d) = part.trim().parse::<usize>() {
            if (1..=7).contains(&d) {
                days[d - 1] = true;
            }
        }
    }
    if days.iter().any(|d| *d) {
        days
    } else {
        WorkCalendar::default().working_weekdays
    }
}

/// The organisation's calendar with the holidays between two dates (inclusive).
pub async fn calendar(
    db: &Db,
    working_weekdays: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<WorkCalendar, AppError> {
    const SQL: &str = "SELECT day FROM holidays WHERE day >= $1 AND day <= $2";
    let read = async {
        let days: Vec<NaiveDate> = on_db!(db, |pool| sqlx::query_scalar(SQL)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await)?;
        Ok(days)
    };
    let days = crate::server::page_reads::config(format!("holidays {from} {to}"), read).await?;
    Ok(WorkCalendar::new(
        parse_working_weekdays(working_weekdays),
        days.into_iter().collect::<BTreeSet<_>>(),
    ))
}

#[derive(sqlx::FromRow)]
struct AbsenceRow {
    user_id: i64,
    start_date: NaiveDate,
    end_date: NaiveDate,
}

/// The rep's absences that overlap `from..=to`.
pub async fn absences(
    db: &Db,
    rep_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Absence>, AppError> {
    const SQL: &str = "SELECT user_id, start_date, end_date FROM absences \
        WHERE user_id = $1 AND start_date <= $2 AND end_date >= $3";
    let rows: Vec<AbsenceRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .bind(to)
        .bind(from)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| Absence {
            rep_id: r.user_id,
            start: r.start_date,
            end: r.end_date,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DealRow {
    id: i64,
    rep_id: i64,
    amount_minor: i64,
    status: String,
    stage: String,
    probability: i64,
    created_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    expected_close: Option<NaiveDate>,
    lost_reason: Option<String>,
    new_customer: bool,
}

/// Every deal of the rep; the metrics pick those of the period (by close date, or by
/// expected close for the pipeline).
pub async fn deals(db: &Db, rep_id: i64) -> Result<Vec<Deal>, AppError> {
    const SQL: &str = "SELECT id, rep_id, amount_minor, status, stage, probability, created_on, \
        closed_on, expected_close, lost_reason, new_customer FROM deals WHERE rep_id = $1";
    let rows: Vec<DealRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .fetch_all(pool)
        .await)?;
    Ok(to_deals(rows))
}

/// Every deal of the reps of one team (or of everyone): what a team's board and the TV's
/// pipeline read.
pub async fn team_deals(db: &Db, team_id: Option<i64>) -> Result<Vec<Deal>, AppError> {
    const SQL: &str = "SELECT d.id, d.rep_id, d.amount_minor, d.status, d.stage, d.probability, \
        d.created_on, d.closed_on, d.expected_close, d.lost_reason, d.new_customer \
        FROM deals d JOIN users u ON u.id = d.rep_id WHERE ($1 IS NULL OR u.team_id = $1)";
    let rows: Vec<DealRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    Ok(to_deals(rows))
}

fn to_deals(rows: Vec<DealRow>) -> Vec<Deal> {
    rows.into_iter()
        .filter_map(|r| {
            let status = match r.status.as_str() {
                "open" => DealStatus::Open,
                "won" => DealStatus::Won,
                "lost" => DealStatus::Lost,
                _ => return None,
            };
            Some(Deal {
                id: r.id,
                rep_id: r.rep_id,
                amount: Money(r.amount_minor),
                status,
                stage: r.stage,
                probability: r.probability,
                created_on: r.created_on,
                closed_on: r.closed_on,
                expected_close: r.expected_close,
                lost_reason: r.lost_reason,
                new_customer: r.new_customer,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> ActivityTypeRule {
        ActivityTypeRule {
            id: 4,
            key: "call".into(),
            label: "Call".into(),
            icon: "C".into(),
            leading: true,
            daily_cap: None,
            min_duration_seconds: None,
        }
    }

    #[test]
    fn metric_keys_by_id_or_type_key() {
        let types = [call()];
        let count = Some(Metric::ActivityCount {
            activity_type_id: 4,
        });
        assert_eq!(parse_metric_key("activity_count:4", &types), count);
        assert_eq!(parse_metric_key("activity_count:call", &types), count);
        assert_eq!(parse_metric_key("count:call", &types), count);
        assert_eq!(
            parse_metric_key("call_time:call", &types),
            Some(Metric::CallTime {
                activity_type_id: 4
            })
        );
        assert_eq!(
            parse_metric_key("turnover_won", &types),
            Some(Metric::TurnoverWon)
        );
        assert_eq!(parse_metric_key("count:fax", &types), None);
        assert_eq!(parse_metric_key("happiness", &types), None);
    }

    #[test]
    fn working_weekdays_setting() {
        assert_eq!(
            parse_working_weekdays("1,2,3,4,5"),
            [true, true, true, true, true, false, false]
        );
        assert_eq!(
            parse_working_weekdays(" 1, 3,7,9,x"),
            [true, false, true, false, false, false, true]
        );
        assert_eq!(
            parse_working_weekdays(""),
            [true, true, true, true, true, false, false]
        );
    }
}
