//! Reads of activities for scoring and for the rep's own list: daily rollups and a day's
//! live activities. Writes are in [`super::store`].

use chrono::NaiveDate;

use super::store::ActivityRow;
use crate::error::AppError;
use crate::on_db;
use crate::scoring::DailyRollup;
use crate::server::db::Db;

/// A `daily_rollups` row as read, for any query that selects its five columns.
#[derive(sqlx::FromRow)]
pub(crate) struct RollupRow {
    rep_id: i64,
    local_date: NaiveDate,
    activity_type_id: i64,
    units: i64,
    duration_seconds: i64,
}

impl From<RollupRow> for DailyRollup {
    fn from(r: RollupRow) -> Self {
        DailyRollup {
            rep_id: r.rep_id,
            date: r.local_date,
            activity_type_id: r.activity_type_id,
            units: r.units,
            duration_seconds: r.duration_seconds,
        }
    }
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
    const ALL: &str =
        "SELECT rep_id, local_date, activity_type_id, units, duration_seconds FROM daily_rollups \
        WHERE local_date >= $1 AND local_date <= $2";
    const ONE: &str =
        "SELECT rep_id, local_date, activity_type_id, units, duration_seconds FROM daily_rollups \
        WHERE rep_id = $1 AND local_date >= $2 AND local_date <= $3";
    let rows: Vec<RollupRow> = match rep_id {
        Some(id) => on_db!(db, |pool| sqlx::query_as(ONE)
            .bind(id)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await)?,
        None => on_db!(db, |pool| sqlx::query_as(ALL)
            .bind(start)
            .bind(end)
            .fetch_all(pool)
            .await)?,
    };
    Ok(rows.into_iter().map(DailyRollup::from).collect())
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
