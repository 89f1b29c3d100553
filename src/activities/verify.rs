//! The operator's check that the daily rollups say what the raw activities say: every
//! (rep, day, type) recounted from the raw rows with the rollup rule ([`COUNTS_SQL`]) and
//! compared with the stored rollup, in one read; and the repair, which rebuilds them.

use chrono::NaiveDate;

use super::store::{recount_rollups, COUNTS_SQL};
use crate::error::AppError;
use crate::on_db;
use crate::server::db::Db;

/// One (rep, day, type) where the stored rollup and the recount from raw rows disagree
/// (a missing row on either side reads as zero).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RollupDifference {
    pub rep_id: i64,
    pub local_date: NaiveDate,
    pub activity_type_id: i64,
    pub stored_units: i64,
    pub stored_seconds: i64,
    pub raw_units: i64,
    pub raw_seconds: i64,
}

impl std::fmt::Display for RollupDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rep {} on {} type {}: rollup {} units / {} s, raw activities {} units / {} s",
            self.rep_id,
            self.local_date,
            self.activity_type_id,
            self.stored_units,
            self.stored_seconds,
            self.raw_units,
            self.raw_seconds
        )
    }
}

/// Every difference between the daily rollups and a recount from the raw activities,
/// ordered by rep, day and type. Empty when they agree.
pub async fn rollup_differences(db: &Db) -> Result<Vec<RollupDifference>, AppError> {
    let sql = format!(
        "WITH raw AS (SELECT rep_id, local_date, activity_type_id, \
           CAST(SUM(quantity) AS BIGINT) AS units, \
           CAST(SUM(COALESCE(duration_seconds, 0)) AS BIGINT) AS seconds \
           FROM activities WHERE {COUNTS_SQL} GROUP BY rep_id, local_date, activity_type_id) \
         SELECT COALESCE(r.rep_id, s.rep_id) AS rep_id, \
           COALESCE(r.local_date, s.local_date) AS local_date, \
           COALESCE(r.activity_type_id, s.activity_type_id) AS activity_type_id, \
           CAST(COALESCE(s.units, 0) AS BIGINT) AS stored_units, \
           CAST(COALESCE(s.duration_seconds, 0) AS BIGINT) AS stored_seconds, \
           CAST(COALESCE(r.units, 0) AS BIGINT) AS raw_units, \
           CAST(COALESCE(r.seconds, 0) AS BIGINT) AS raw_seconds \
         FROM raw r FULL OUTER JOIN daily_rollups s \
           ON s.rep_id = r.rep_id AND s.local_date = r.local_date \
           AND s.activity_type_id = r.activity_type_id \
         WHERE COALESCE(s.units, 0) <> COALESCE(r.units, 0) \
           OR COALESCE(s.duration_seconds, 0) <> COALESCE(r.seconds, 0) \
         ORDER BY 1, 2, 3"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
    Ok(rows)
}

/// Rebuilds every daily rollup from the raw activities (in one transaction: readers see the
/// old rollups or the new ones, never a mix). Returns the differences it repaired.
pub async fn repair_rollups(db: &Db) -> Result<Vec<RollupDifference>, AppError> {
    let mut tx = db.begin_write().await?;
    let found = rollup_differences(db).await?;
    if !found.is_empty() {
        recount_rollups(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(found)
}
