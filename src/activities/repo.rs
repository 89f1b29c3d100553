//! Activities as stored, and the inputs scoring reads: types, weight versions, daily rollups.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::AppError;
use crate::on_db;
use crate::scoring::{ActivityTypeRule, DailyRollup, Points, WeightTable, WeightVersion};
use crate::server::db::Db;

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

pub async fn activity_types(db: &Db) -> Result<Vec<ActivityTypeRule>, AppError> {
    const SQL: &str = "SELECT id, key, label, icon, is_leading, daily_cap, min_duration_seconds \
        FROM activity_types WHERE active = TRUE ORDER BY sort_order, id";
    let rows: Vec<TypeRow> = on_db!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await)?;
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

pub async fn weight_table(db: &Db) -> Result<WeightTable, AppError> {
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

#[derive(sqlx::FromRow)]
struct RollupRow {
    rep_id: i64,
    local_date: NaiveDate,
    activity_type_id: i64,
    units: i64,
    duration_seconds: i64,
}

/// Daily rollups between two local dates (inclusive), optionally for one rep.
pub async fn rollups(
    db: &Db,
    start: NaiveDate,
    end: NaiveDate,
    rep_id: Option<i64>,
) -> Result<Vec<DailyRollup>, AppError> {
    const SQL: &str =
        "SELECT rep_id, local_date, activity_type_id, units, duration_seconds FROM daily_rollups \
        WHERE local_date >= $1 AND local_date <= $2 AND ($3 IS NULL OR rep_id = $3)";
    let rows: Vec<RollupRow> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(start)
        .bind(end)
        .bind(rep_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| DailyRollup {
            rep_id: r.rep_id,
            date: r.local_date,
            activity_type_id: r.activity_type_id,
            units: r.units,
            duration_seconds: r.duration_seconds,
        })
        .collect())
}

pub struct NewActivity<'a> {
    pub rep_id: i64,
    pub activity_type_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub quantity: i64,
    pub duration_seconds: Option<i64>,
    pub qualifies: bool,
    pub note: Option<&'a str>,
    pub account: Option<&'a str>,
    pub client_key: Option<&'a str>,
}

/// What a write did: a new row, or the row an earlier try with the same key made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created(i64),
    AlreadyThere(i64),
}

/// Inserts an activity and updates its daily rollup in one transaction. A repeated
/// `client_key` for the same rep changes nothing and returns the first row.
pub async fn insert_activity(db: &Db, a: &NewActivity<'_>) -> Result<Written, AppError> {
    const INSERT: &str = "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, \
        duration_seconds, qualifies, note, account, client_key, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (rep_id, client_key) DO NOTHING RETURNING id";
    const EXISTING: &str = "SELECT id FROM activities WHERE rep_id = $1 AND client_key = $2";
    let written = crate::in_write_tx!(db, |tx| {
        let id: Option<i64> = sqlx::query_scalar(INSERT)
            .bind(a.rep_id)
            .bind(a.activity_type_id)
            .bind(a.occurred_at)
            .bind(a.local_date)
            .bind(a.quantity)
            .bind(a.duration_seconds)
            .bind(a.qualifies)
            .bind(a.note)
            .bind(a.account)
            .bind(a.client_key)
            .bind(Utc::now())
            .fetch_optional(&mut *tx)
            .await?;
        match id {
            Some(id) => {
                if a.qualifies {
                    add_to_rollup(
                        &mut tx,
                        a.rep_id,
                        a.local_date,
                        a.activity_type_id,
                        a.quantity,
                        a.duration_seconds.unwrap_or(0),
                    )
                    .await?;
                }
                Written::Created(id)
            }
            None => {
                let id: i64 = sqlx::query_scalar(EXISTING)
                    .bind(a.rep_id)
                    .bind(a.client_key)
                    .fetch_one(&mut *tx)
                    .await?;
                Written::AlreadyThere(id)
            }
        }
    });
    Ok(written)
}

const ROLLUP_ADD: &str = "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rep_id, local_date, activity_type_id) DO UPDATE SET \
    units = daily_rollups.units + excluded.units, duration_seconds = daily_rollups.duration_seconds + excluded.duration_seconds";

/// Adds (or with negative numbers, removes) units to a rep's day. Generic over the engine
/// so inserts and deletes share one statement.
pub async fn add_to_rollup<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    rep_id: i64,
    date: NaiveDate,
    type_id: i64,
    units: i64,
    duration_seconds: i64,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> NaiveDate: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
{
    sqlx::query::<DB>(ROLLUP_ADD)
        .bind(rep_id)
        .bind(date)
        .bind(type_id)
        .bind(units)
        .bind(duration_seconds)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub rep_id: i64,
    pub activity_type_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub quantity: i64,
    pub duration_seconds: Option<i64>,
    pub qualifies: bool,
}

pub async fn rep_activities_on(
    db: &Db,
    rep_id: i64,
    date: NaiveDate,
) -> Result<Vec<ActivityRow>, AppError> {
    const SQL: &str = "SELECT id, rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies \
        FROM activities WHERE rep_id = $1 AND local_date = $2 AND deleted_at IS NULL ORDER BY occurred_at DESC, id DESC";
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(rep_id)
        .bind(date)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Soft-deletes an activity of `rep_id` and takes it out of its rollup. `false` when there
/// is no such live activity (already deleted, or someone else's).
pub async fn delete_activity(
    db: &Db,
    rep_id: i64,
    id: i64,
) -> Result<Option<ActivityRow>, AppError> {
    const MARK: &str = "UPDATE activities SET deleted_at = $1 WHERE id = $2 AND rep_id = $3 AND deleted_at IS NULL \
        RETURNING id, rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies";
    let row = crate::in_write_tx!(db, |tx| {
        let row: Option<ActivityRow> = sqlx::query_as(MARK)
            .bind(Utc::now())
            .bind(id)
            .bind(rep_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = &row {
            if r.qualifies {
                add_to_rollup(
                    &mut tx,
                    r.rep_id,
                    r.local_date,
                    r.activity_type_id,
                    -r.quantity,
                    -r.duration_seconds.unwrap_or(0),
                )
                .await?;
            }
        }
        row
    });
    Ok(row)
}
