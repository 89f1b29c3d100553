//! The operator's check that the daily rollups and the month totals say what the raw
//! activities say: every (rep, day, type) recounted from the raw rows with the rollup rule
//! ([`COUNTS_SQL`]) and compared with the stored rollup, in one read; every (month, rep,
//! type) summed from that recount with the daily cap ([`month_totals`]) and compared with the
//! stored total; every account month total of account coverage recounted from the raw rows
//! ([`account_month_totals`]) and compared; every rep's month pack of those totals packed
//! again from them ([`ACCOUNT_PACKS_SQL`]) and compared; and the repair, which rebuilds them
//! all.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::store::{
    account_month_totals, recount_rollups, AccountMonthKey, ACCOUNT_PACKS_GROUP, ACCOUNT_PACKS_SQL,
    COUNTS_SQL,
};
use crate::error::AppError;
use crate::on_db;
use crate::scoring::{month_totals, DailyRollup, MonthRollup};
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

/// One (month, rep, type) where the stored month total and the one recounted from the raw
/// activities (day by day, with the type's daily cap as it is now) disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthDifference {
    pub stored: MonthRollup,
    pub raw: MonthRollup,
}

impl std::fmt::Display for MonthDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rep {} in {} type {}: month total {} units / {} counted, raw activities {} units / {} counted",
            self.stored.rep_id,
            self.stored.month.format("%Y-%m"),
            self.stored.activity_type_id,
            self.stored.units,
            self.stored.counted_units,
            self.raw.units,
            self.raw.counted_units
        )
    }
}

/// Every difference between the month totals and a recount from the raw activities,
/// ordered by month, rep and type. Empty when they agree.
pub async fn month_differences(db: &Db) -> Result<Vec<MonthDifference>, AppError> {
    let raw_days = format!(
        "SELECT rep_id, local_date, activity_type_id, CAST(SUM(quantity) AS BIGINT) \
         FROM activities WHERE {COUNTS_SQL} GROUP BY rep_id, local_date, activity_type_id"
    );
    const STORED: &str =
        "SELECT month, rep_id, activity_type_id, units, counted_units FROM monthly_rollups";
    const CAPS: &str = "SELECT id, daily_cap FROM activity_types";
    let days: Vec<(i64, NaiveDate, i64, i64)> =
        on_db!(db, |pool| sqlx::query_as(&raw_days).fetch_all(pool).await)?;
    let stored: Vec<(NaiveDate, i64, i64, i64, i64)> =
        on_db!(db, |pool| sqlx::query_as(STORED).fetch_all(pool).await)?;
    let caps: HashMap<i64, Option<i64>> =
        on_db!(db, |pool| sqlx::query_as(CAPS).fetch_all(pool).await)?
            .into_iter()
            .collect();
    let days: Vec<DailyRollup> = days
        .into_iter()
        .map(|(rep_id, date, activity_type_id, units)| DailyRollup {
            rep_id,
            date,
            activity_type_id,
            units,
            duration_seconds: 0,
        })
        .collect();
    let key = |m: &MonthRollup| (m.month, m.rep_id, m.activity_type_id);
    // (month, rep, type) → (stored, recounted)
    type Pair = (Option<MonthRollup>, Option<MonthRollup>);
    let mut both: BTreeMap<(NaiveDate, i64, i64), Pair> = BTreeMap::new();
    for m in month_totals(&days, |t| caps.get(&t).copied().flatten()) {
        both.entry(key(&m)).or_default().1 = Some(m);
    }
    for (month, rep_id, activity_type_id, units, counted_units) in stored {
        let m = MonthRollup {
            rep_id,
            month,
            activity_type_id,
            units,
            counted_units,
        };
        both.entry(key(&m)).or_default().0 = Some(m);
    }
    let zero = |(month, rep_id, activity_type_id): (NaiveDate, i64, i64)| MonthRollup {
        rep_id,
        month,
        activity_type_id,
        units: 0,
        counted_units: 0,
    };
    Ok(both
        .into_iter()
        .filter_map(|(k, (stored, raw))| {
            let stored = stored.unwrap_or_else(|| zero(k));
            let raw = raw.unwrap_or_else(|| zero(k));
            let same = (stored.units, stored.counted_units) == (raw.units, raw.counted_units);
            (!same).then_some(MonthDifference { stored, raw })
        })
        .collect())
}

/// One (month, rep, account, type) where the stored account month total (units, last day
/// of the month) and the recount from the raw activities disagree (a missing row reads as
/// no units and no day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDifference {
    pub key: AccountMonthKey,
    pub stored: Option<(i64, i64)>,
    pub raw: Option<(i64, i64)>,
}

impl std::fmt::Display for AccountDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (month, rep, account, t) = &self.key;
        let show = |v: Option<(i64, i64)>| match v {
            Some((units, day)) => format!("{units} units, last on day {day}"),
            None => "nothing".to_string(),
        };
        write!(
            f,
            "rep {rep} in {} type {t} on account {account:?}: account total {}, raw activities {}",
            month.format("%Y-%m"),
            show(self.stored),
            show(self.raw)
        )
    }
}

/// Every difference between the account month totals and a recount from the raw
/// activities, ordered by month, rep, account and type. Empty when they agree.
pub async fn account_differences(db: &Db) -> Result<Vec<AccountDifference>, AppError> {
    let raw = format!(
        "SELECT rep_id, local_date, activity_type_id, account, quantity FROM activities \
         WHERE account IS NOT NULL AND {COUNTS_SQL}"
    );
    const STORED: &str =
        "SELECT month, rep_id, account, activity_type_id, units, last_day FROM account_months";
    let rows: Vec<(i64, NaiveDate, i64, String, i64)> =
        on_db!(db, |pool| sqlx::query_as(&raw).fetch_all(pool).await)?;
    let stored: Vec<(NaiveDate, i64, String, i64, i64, i64)> =
        on_db!(db, |pool| sqlx::query_as(STORED).fetch_all(pool).await)?;
    type Pair = (Option<(i64, i64)>, Option<(i64, i64)>);
    let mut both: BTreeMap<AccountMonthKey, Pair> = BTreeMap::new();
    let raw = account_month_totals(
        rows.iter()
            .map(|(rep, date, t, account, q)| (*rep, *date, *t, Some(account.as_str()), *q)),
    );
    for (key, (units, last)) in raw {
        both.entry(key).or_default().1 = Some((units, i64::from(last.day())));
    }
    for (month, rep, account, t, units, day) in stored {
        both.entry((month, rep, account, t)).or_default().0 = Some((units, day));
    }
    Ok(both
        .into_iter()
        .filter(|(_, (stored, raw))| stored != raw)
        .map(|(key, (stored, raw))| AccountDifference { key, stored, raw })
        .collect())
}

/// One (month, rep) whose stored pack of account month totals is not those totals packed
/// again (`None`: no pack, or no totals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackDifference {
    pub month: NaiveDate,
    pub rep_id: i64,
    pub stored: Option<String>,
    pub packed: Option<String>,
}

impl std::fmt::Display for PackDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<String>| match v {
            Some(p) => format!("{} entries", p.split(',').count()),
            None => "nothing".to_string(),
        };
        write!(
            f,
            "rep {} in {}: account pack {}, account totals {}",
            self.rep_id,
            self.month.format("%Y-%m"),
            show(&self.stored),
            show(&self.packed)
        )
    }
}

/// Every (month, rep) whose account pack differs from its account month totals packed
/// again, ordered by month and rep. Empty when they agree.
pub async fn pack_differences(db: &Db) -> Result<Vec<PackDifference>, AppError> {
    const STORED: &str = "SELECT month, rep_id, packed FROM account_month_packs";
    let packed = format!("{ACCOUNT_PACKS_SQL}{ACCOUNT_PACKS_GROUP}");
    type Packs = Vec<(NaiveDate, i64, String)>;
    let stored: Packs = on_db!(db, |pool| sqlx::query_as(STORED).fetch_all(pool).await)?;
    let packed: Packs = on_db!(db, |pool| sqlx::query_as(&packed).fetch_all(pool).await)?;
    let mut both: BTreeMap<(NaiveDate, i64), (Option<String>, Option<String>)> = BTreeMap::new();
    for (month, rep, p) in stored {
        both.entry((month, rep)).or_default().0 = Some(p);
    }
    for (month, rep, p) in packed {
        both.entry((month, rep)).or_default().1 = Some(p);
    }
    Ok(both
        .into_iter()
        .filter(|(_, (stored, packed))| stored != packed)
        .map(|((month, rep_id), (stored, packed))| PackDifference {
            month,
            rep_id,
            stored,
            packed,
        })
        .collect())
}

/// A difference of a daily rollup, of a month total, of an account month total or of a
/// rep's month pack of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    Day(RollupDifference),
    Month(MonthDifference),
    Account(AccountDifference),
    Pack(PackDifference),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Day(d) => d.fmt(f),
            Difference::Month(m) => m.fmt(f),
            Difference::Account(a) => a.fmt(f),
            Difference::Pack(p) => p.fmt(f),
        }
    }
}

/// Every difference of the daily rollups, then of the month totals, then of the account
/// month totals, then of their packs.
pub async fn differences(db: &Db) -> Result<Vec<Difference>, AppError> {
    let mut found: Vec<Difference> = rollup_differences(db)
        .await?
        .into_iter()
        .map(Difference::Day)
        .collect();
    found.extend(
        month_differences(db)
            .await?
            .into_iter()
            .map(Difference::Month),
    );
    found.extend(
        account_differences(db)
            .await?
            .into_iter()
            .map(Difference::Account),
    );
    found.extend(
        pack_differences(db)
            .await?
            .into_iter()
            .map(Difference::Pack),
    );
    Ok(found)
}

/// Rebuilds every daily rollup, month total, account month total and pack from the raw activities (in one
/// transaction: readers see the old rollups or the new ones, never a mix). Returns the
/// differences it repaired.
pub async fn repair_rollups(db: &Db) -> Result<Vec<Difference>, AppError> {
    let mut tx = db.begin_write().await?;
    let found = differences(db).await?;
    if !found.is_empty() {
        recount_rollups(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(found)
}
