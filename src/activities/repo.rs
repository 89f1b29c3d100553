//! Reads of activities for scoring and for the rep's own list: daily rollups and a day's
//! live activities. Writes are in [`super::store`].

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::store::ActivityRow;
use crate::error::AppError;
use crate::on_db;
use crate::scoring::{
    read_plan, scores_from_months, ActivityTypeRule, DailyRollup, MonthRollup, Period, Points,
    ReadPlan, WeightTable,
};
use crate::server::db::Db;

/// Daily rollups as read: one row per org-local day, that day's rows packed into one string
/// (see [`crate::server::packed`]).
#[derive(sqlx::FromRow)]
pub(crate) struct PackedDay {
    local_date: NaiveDate,
    packed: String,
}

/// The select list of a packed read of `daily_rollups r`, grouped by `r.local_date`.
pub(crate) fn packed_rollups() -> String {
    use crate::server::packed::{agg, Field};
    format!(
        "r.local_date, {} AS packed",
        agg(&[
            ("r.rep_id", Field::Plain),
            ("r.activity_type_id", Field::Plain),
            ("r.units", Field::Plain),
            ("r.duration_seconds", Field::Plain),
        ])
    )
}

/// Unpacks [`PackedDay`] rows into rollups.
pub(crate) fn unpack_rollups(days: Vec<PackedDay>) -> Result<Vec<DailyRollup>, AppError> {
    let mut out = Vec::new();
    for day in &days {
        crate::server::packed::read_all(
            &day.packed,
            "daily rollups",
            |r| {
                Some(DailyRollup {
                    rep_id: r.int()?,
                    date: day.local_date,
                    activity_type_id: r.int()?,
                    units: r.int()?,
                    duration_seconds: r.int()?,
                })
            },
            &mut out,
        )?;
    }
    Ok(out)
}

/// Daily rollups between two local dates (inclusive), optionally for one rep.
pub async fn rollups(
    db: &Db,
    start: NaiveDate,
    end: NaiveDate,
    rep_id: Option<i64>,
) -> Result<Vec<DailyRollup>, AppError> {
    // Two statements, so that one rep's rows are read by the key (rep, day, type) and never
    // by scanning everyone's rows of the period.
    let packed = packed_rollups();
    let all = format!(
        "SELECT {packed} FROM daily_rollups r \
         WHERE r.local_date >= $1 AND r.local_date <= $2 GROUP BY r.local_date"
    );
    let one = format!(
        "SELECT {packed} FROM daily_rollups r \
         WHERE r.rep_id = $1 AND r.local_date >= $2 AND r.local_date <= $3 GROUP BY r.local_date"
    );
    let rows: Vec<PackedDay> = match rep_id {
        Some(id) => on_db!(db, |pool| sqlx::query_as(&one)
            .bind(id)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await)?,
        None => on_db!(db, |pool| sqlx::query_as(&all)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await)?,
    };
    unpack_rollups(rows)
}

/// The select list of a packed read of `monthly_rollups m`, grouped by `m.month` (read as
/// [`PackedDay`] rows: the month's first day and its rows). Each row keeps its own entry (the `packed` column, migration 0010): the rep, the type,
/// the units and the counted units, read back by [`unpack_months`].
pub(crate) fn packed_months() -> String {
    "m.month AS local_date, string_agg(m.packed, ',') AS packed".to_string()
}

/// Unpacks [`packed_months`] rows into month totals.
pub(crate) fn unpack_months(months: Vec<PackedDay>) -> Result<Vec<MonthRollup>, AppError> {
    let mut out = Vec::new();
    for m in &months {
        crate::server::packed::read_all(
            &m.packed,
            "month totals",
            |r| {
                Some(MonthRollup {
                    rep_id: r.int()?,
                    month: m.local_date,
                    activity_type_id: r.int()?,
                    units: r.int()?,
                    counted_units: r.int()?,
                })
            },
            &mut out,
        )?;
    }
    Ok(out)
}

/// Month totals of the months from `first` to `last` (first days), packed one string a
/// month as the daily rollups are.
pub async fn month_rollups(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<MonthRollup>, AppError> {
    let sql = format!(
        "SELECT {} FROM monthly_rollups m WHERE m.month >= $1 AND m.month <= $2 GROUP BY m.month",
        packed_months()
    );
    let months: Vec<PackedDay> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await)?;
    unpack_months(months)
}

/// The Activity Score of every rep over `period`, with the types and weights `config` reads:
/// whole months from their month totals, the other days from the daily rollups
/// ([`crate::scoring::read_plan`]), so what a board of a month, a quarter or a year reads
/// does not grow with the activities logged. The month totals of every whole month are read
/// while `config` is (a weight only ever takes a month out of the plan); then the days the
/// weights' plan reads by day (the edges, and a month where a weight changes, whose total is
/// dropped): one round trip fewer than reading the configuration first.
pub async fn period_scores<C>(
    db: &Db,
    period: &Period,
    config: C,
) -> Result<(Vec<ActivityTypeRule>, WeightTable, BTreeMap<i64, Points>), AppError>
where
    C: std::future::Future<Output = Result<(Vec<ActivityTypeRule>, WeightTable), AppError>>,
{
    let every_month = read_plan(period, &WeightTable::default());
    let totals = async {
        match (every_month.months.first(), every_month.months.last()) {
            (Some(first), Some(last)) => month_rollups(db, *first, *last).await,
            _ => Ok(Vec::new()),
        }
    };
    let ((types, weights), totals) = tokio::try_join!(config, totals)?;
    let (months, days) = read_by_plan(
        &read_plan(period, &weights),
        move |_, _| async move { Ok(totals) },
        |start, end| rollups(db, start, end, None),
        |m: &MonthRollup| m.month,
    )
    .await?;
    let scores = scores_from_months(&months, &days, &types, &weights, period);
    Ok((types, weights, scores))
}

/// What a [`ReadPlan`] says to read: the month totals of its whole months (`months` reads
/// the months from the first to the last; those in between that the plan reads by day are
/// dropped, each total's month told by `month_of`) and the rows of each of its stretches of
/// days (`days`). The reads are the caller's, for its scope.
pub async fn read_by_plan<TM, TD, M, D>(
    plan: &ReadPlan,
    months: impl FnOnce(NaiveDate, NaiveDate) -> M,
    mut days: impl FnMut(NaiveDate, NaiveDate) -> D,
    month_of: impl Fn(&TM) -> NaiveDate,
) -> Result<(Vec<TM>, Vec<TD>), AppError>
where
    M: std::future::Future<Output = Result<Vec<TM>, AppError>>,
    D: std::future::Future<Output = Result<Vec<TD>, AppError>>,
{
    let totals = match (plan.months.first(), plan.months.last()) {
        (Some(first), Some(last)) => months(*first, *last)
            .await?
            .into_iter()
            .filter(|m| plan.months.contains(&month_of(m)))
            .collect(),
        _ => Vec::new(),
    };
    let mut rows = Vec::new();
    for (start, end) in &plan.days {
        rows.extend(days(*start, *end).await?);
    }
    Ok((totals, rows))
}

pub async fn rep_activities_on(
    db: &Db,
    rep_id: i64,
    date: NaiveDate,
) -> Result<Vec<ActivityRow>, AppError> {
    const SQL: &str = "SELECT id, rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies, note, account \
        FROM activities WHERE rep_id = $1 AND local_date = $2 AND deleted_at IS NULL ORDER BY occurred_at DESC, id DESC";
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .bind(date)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// A rep's live activities between two local dates (inclusive), newest first, at most `limit`.
pub async fn rep_activities_between(
    db: &Db,
    rep_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    limit: i64,
) -> Result<Vec<ActivityRow>, AppError> {
    let sql = format!(
        "SELECT id, rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies, note, account \
        FROM activities WHERE rep_id = $1 AND local_date >= $2 AND local_date <= $3 AND deleted_at IS NULL \
        ORDER BY occurred_at DESC, id DESC LIMIT {}", limit.max(0)
    );
    let rows = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(rep_id)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// The first local date with a rollup of this rep (their history starts there).
pub async fn first_rollup_date(db: &Db, rep_id: i64) -> Result<Option<NaiveDate>, AppError> {
    const SQL: &str =
        "SELECT local_date FROM daily_rollups WHERE rep_id = $1 ORDER BY local_date LIMIT 1";
    let row: Option<(NaiveDate,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|r| r.0))
}

/// How many live activities a rep has between two local dates (inclusive), and their units.
pub async fn rep_activity_totals(
    db: &Db,
    rep_id: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<(i64, i64), AppError> {
    const SQL: &str = "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS units \
        FROM activities WHERE rep_id = $1 AND local_date >= $2 AND local_date <= $3 AND deleted_at IS NULL";
    let row: (i64, i64) = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .bind(start)
        .bind(end)
        .fetch_one(pool)
        .await)?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_rollups_unpack_and_refuse_garbage() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let day = |packed: &str| PackedDay {
            local_date: date,
            packed: packed.to_string(),
        };
        let rows = unpack_rollups(vec![day("1 2 3 4,5 6 -7 9223372036854775807")]).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[1].rep_id, rows[1].activity_type_id, rows[1].units),
            (5, 6, -7)
        );
        assert_eq!(rows[1].duration_seconds, i64::MAX);
        assert_eq!(rows[0].date, date);
        assert!(unpack_rollups(vec![day("1 2 3")]).is_err());
        assert!(unpack_rollups(vec![day("1 2 x 4")]).is_err());
    }

    /// The entry each month total keeps (migration 0010's generated column) is what
    /// [`unpack_months`] reads, on both engines.
    #[test]
    fn the_stored_month_entry_is_what_is_unpacked() {
        use crate::server::packed::{entry, Field::Plain};
        let entry = entry(&[
            ("rep_id", Plain),
            ("activity_type_id", Plain),
            ("units", Plain),
            ("counted_units", Plain),
        ]);
        let column = format!("packed TEXT GENERATED ALWAYS AS ({entry}) STORED");
        for migration in [
            include_str!("../../migrations/sqlite/0010_packed_months.sql"),
            include_str!("../../migrations/postgres/0010_packed_months.sql"),
        ] {
            assert!(migration.contains(&column), "{column}");
        }
        let date = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let months = unpack_months(vec![PackedDay {
            local_date: date,
            packed: "1 2 30 25,3 4 5 5".to_string(),
        }])
        .unwrap();
        assert_eq!(
            (
                months[0].rep_id,
                months[0].activity_type_id,
                months[0].units,
                months[0].counted_units
            ),
            (1, 2, 30, 25)
        );
        assert_eq!(months[1].month, date);
    }
}
