//! Activities as stored: the one write path (a tap, an upsert by `(source, external_id)`, a
//! delete, a rep's edit, a bulk load, a re-dating) and the one rollup rule. The quick log, the integration
//! API, the CSV import, the demo seed and the time-zone setting all write through here, in
//! the caller's transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::AppError;
use crate::idempotency::{Record, Upserted};
use crate::live::LiveKind;
use crate::on_tx;
use crate::scoring::months;
use crate::server::db::Tx;
use crate::sources::Writer;

/// The rollup rule: an activity adds its quantity (and duration) to its rep's day only when
/// it qualifies (long enough for its type's minimum duration) and is not deleted.
pub fn counts(qualifies: bool, deleted: bool) -> bool {
    qualifies && !deleted
}

/// [`counts`] as SQL, for recounting the rollups from the raw rows. Keep the two together.
pub const COUNTS_SQL: &str = "qualifies = TRUE AND deleted_at IS NULL";

/// The account an activity counts on in account coverage: the account it names, trimmed
/// (none when blank). Account coverage counts what the rollups count ([`counts`]).
pub fn account_key(account: Option<&str>) -> Option<&str> {
    account.map(str::trim).filter(|a| !a.is_empty())
}

/// A row of the account month totals: (month, rep, account, type).
pub type AccountMonthKey = (NaiveDate, i64, String, i64);

/// Account month totals ([`months::account_month_totals`]) of counted activities, each
/// given as (rep, local date, type, account, quantity), on their [`account_key`]: those
/// without an account are left out.
pub fn account_month_totals<'a>(
    counted: impl IntoIterator<Item = (i64, NaiveDate, i64, Option<&'a str>, i64)>,
) -> BTreeMap<AccountMonthKey, (i64, NaiveDate)> {
    months::account_month_totals(counted.into_iter().filter_map(
        |(rep, date, t, account, quantity)| {
            account_key(account).map(|a| (date, rep, a.to_string(), t, quantity))
        },
    ))
}

/// An activity ready to store: every reference resolved, the local date computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityWrite {
    pub rep_id: i64,
    pub activity_type_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub quantity: i64,
    pub duration_seconds: Option<i64>,
    pub qualifies: bool,
    pub note: Option<String>,
    pub account: Option<String>,
    /// With `external_id`, the upsert key of an integration's record.
    pub source: Option<String>,
    pub external_id: Option<String>,
    /// A tap's retry key on the rep's device: the same key twice stores one activity.
    pub client_key: Option<String>,
}

const ROLLUP_ADD: &str = "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rep_id, local_date, activity_type_id) DO UPDATE SET \
    units = daily_rollups.units + excluded.units, duration_seconds = daily_rollups.duration_seconds + excluded.duration_seconds \
    RETURNING units";
const MONTH_ADD: &str =
    "INSERT INTO monthly_rollups (month, rep_id, activity_type_id, units, counted_units) ";
const MONTH_ADD_CONFLICT: &str = " ON CONFLICT (month, rep_id, activity_type_id) DO UPDATE SET \
    units = monthly_rollups.units + excluded.units, \
    counted_units = monthly_rollups.counted_units + excluded.counted_units";

/// What days going from one total to another change in their months (see
/// [`crate::scoring::months`]): (month, rep, type) → (units, counted units).
type MonthChanges = BTreeMap<(NaiveDate, i64, i64), (i64, i64)>;

/// Records that the day (`rep_id`, `date`, type with `daily_cap`) went from `before` to
/// `after` units.
fn day_changed(
    changes: &mut MonthChanges,
    (rep_id, date, activity_type_id): (i64, NaiveDate, i64),
    daily_cap: Option<i64>,
    before: i64,
    after: i64,
) {
    let (units, counted) = months::month_change(daily_cap, before, after);
    let e = changes
        .entry((months::month_of(date), rep_id, activity_type_id))
        .or_default();
    e.0 += units;
    e.1 += counted;
}

/// Adds `changes` to the month totals, many to a statement.
async fn add_to_months(tx: &mut Tx, changes: &MonthChanges) -> Result<(), AppError> {
    let rows: Vec<_> = changes
        .iter()
        .filter(|(_, (u, c))| *u != 0 || *c != 0)
        .collect();
    for chunk in rows.chunks(BULK_CHUNK) {
        on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(MONTH_ADD);
            qb.push_values(chunk, |mut b, ((month, rep, t), (units, counted))| {
                b.push_bind(*month)
                    .push_bind(*rep)
                    .push_bind(*t)
                    .push_bind(*units)
                    .push_bind(*counted);
            });
            qb.push(MONTH_ADD_CONFLICT);
            qb.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

const ACCOUNT_MONTH_ADD: &str =
    "INSERT INTO account_months (month, rep_id, account, activity_type_id, units, last_day) ";
const ACCOUNT_MONTH_ADD_CONFLICT: &str = " ON CONFLICT (rep_id, month, account, activity_type_id) DO UPDATE SET \
    units = account_months.units + excluded.units, last_day = CASE \
    WHEN account_months.last_day >= excluded.last_day THEN account_months.last_day ELSE excluded.last_day END";

/// A rep's month of account totals as one row of `account_month_packs` (migration 0013):
/// the totals' packed entries joined by ',' in the order of account and type. Followed by
/// a `WHERE` on (month, rep) and [`ACCOUNT_PACKS_GROUP`]. The packs are derived from the
/// totals here only; `verify-rollups` compares them with this.
pub const ACCOUNT_PACKS_SQL: &str = "SELECT month, rep_id, \
    string_agg(packed, ',' ORDER BY account, activity_type_id) FROM account_months";
pub const ACCOUNT_PACKS_GROUP: &str = " GROUP BY month, rep_id";

/// Rewrites the packs of the reps' months `pairs` (month, rep) from their account month
/// totals ([`ACCOUNT_PACKS_SQL`]; none when they have none left), many to a statement.
async fn repack_account_months(
    tx: &mut Tx,
    pairs: &BTreeSet<(NaiveDate, i64)>,
) -> Result<(), AppError> {
    let pairs: Vec<_> = pairs.iter().collect();
    let insert =
        format!("INSERT INTO account_month_packs (month, rep_id, packed) {ACCOUNT_PACKS_SQL}");
    let steps = [
        ("DELETE FROM account_month_packs", ""),
        (insert.as_str(), ACCOUNT_PACKS_GROUP),
    ];
    for chunk in pairs.chunks(BULK_CHUNK) {
        for (head, tail) in steps {
            on_tx!(tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(format!("{head} WHERE (month, rep_id) IN ("));
                qb.push_values(chunk, |mut b, (month, rep)| {
                    b.push_bind(*month).push_bind(*rep);
                });
                qb.push(format!("){tail}"));
                qb.build().execute(c).await.map(|_| ())
            })?;
        }
    }
    Ok(())
}

/// Adds new activities' account month totals (`totals`, see [`account_month_totals`]) to
/// the stored ones, many to a statement, and repacks their reps' months.
async fn add_to_account_months(
    tx: &mut Tx,
    totals: &BTreeMap<AccountMonthKey, (i64, NaiveDate)>,
) -> Result<(), AppError> {
    let rows: Vec<_> = totals.iter().collect();
    for chunk in rows.chunks(BULK_CHUNK) {
        on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(ACCOUNT_MONTH_ADD);
            qb.push_values(chunk, |mut b, ((month, rep, account, t), (units, last))| {
                b.push_bind(*month)
                    .push_bind(*rep)
                    .push_bind(account.clone())
                    .push_bind(*t)
                    .push_bind(*units)
                    .push_bind(i64::from(last.day()));
            });
            qb.push(ACCOUNT_MONTH_ADD_CONFLICT);
            qb.build().execute(c).await.map(|_| ())
        })?;
    }
    let pairs = totals
        .keys()
        .map(|(month, rep, _, _)| (*month, *rep))
        .collect();
    repack_account_months(tx, &pairs).await
}

/// Recounts one account month total from the raw activities (after an activity on it
/// changed or went away: a last day cannot be taken back from a total). Its rep's month is
/// then repacked by the caller ([`repack_account_months`]).
async fn recount_account_month(tx: &mut Tx, key: &AccountMonthKey) -> Result<(), AppError> {
    let raw = format!(
        "SELECT CAST(SUM(quantity) AS BIGINT), MAX(local_date) FROM activities \
         WHERE rep_id = $1 AND local_date >= $2 AND local_date <= $3 AND activity_type_id = $4 \
         AND account IS NOT NULL AND TRIM(account) = $5 AND {COUNTS_SQL}"
    );
    const SET: &str =
        "INSERT INTO account_months (month, rep_id, account, activity_type_id, units, last_day) \
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (rep_id, month, account, activity_type_id) \
        DO UPDATE SET units = excluded.units, last_day = excluded.last_day";
    const CLEAR: &str =
        "DELETE FROM account_months WHERE month = $1 AND rep_id = $2 AND account = $3 \
        AND activity_type_id = $4";
    let (month, rep, account, t) = key;
    let (units, last): (Option<i64>, Option<NaiveDate>) = on_tx!(tx, |c| sqlx::query_as(&raw)
        .bind(*rep)
        .bind(*month)
        .bind(months::month_end(*month))
        .bind(*t)
        .bind(account)
        .fetch_one(c)
        .await)?;
    match (units.filter(|u| *u > 0), last) {
        (Some(units), Some(last)) => on_tx!(tx, |c| sqlx::query(SET)
            .bind(*month)
            .bind(*rep)
            .bind(account)
            .bind(*t)
            .bind(units)
            .bind(i64::from(last.day()))
            .execute(c)
            .await
            .map(|_| ()))?,
        _ => on_tx!(tx, |c| sqlx::query(CLEAR)
            .bind(*month)
            .bind(*rep)
            .bind(account)
            .bind(*t)
            .execute(c)
            .await
            .map(|_| ()))?,
    }
    Ok(())
}

/// Rebuilds every account month total from the raw activities (with a recount of the
/// rollups; after a time-zone change moved activities to other days).
pub async fn rebuild_account_months(tx: &mut Tx) -> Result<(), AppError> {
    let raw = format!(
        "SELECT rep_id, local_date, activity_type_id, TRIM(account), CAST(SUM(quantity) AS BIGINT) \
         FROM activities WHERE account IS NOT NULL AND {COUNTS_SQL} \
         GROUP BY rep_id, local_date, activity_type_id, TRIM(account)"
    );
    let rows: Vec<(i64, NaiveDate, i64, String, i64)> =
        on_tx!(tx, |c| sqlx::query_as(&raw).fetch_all(c).await)?;
    for table in ["account_month_packs", "account_months"] {
        on_tx!(tx, |c| sqlx::query(&format!("DELETE FROM {table}"))
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    let totals = account_month_totals(
        rows.iter()
            .map(|(rep, date, t, account, q)| (*rep, *date, *t, Some(account.as_str()), *q)),
    );
    add_to_account_months(tx, &totals).await
}

/// Every activity type's daily cap.
async fn daily_caps(tx: &mut Tx) -> Result<HashMap<i64, Option<i64>>, AppError> {
    let caps: Vec<(i64, Option<i64>)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, daily_cap FROM activity_types"
    )
    .fetch_all(c)
    .await)?;
    Ok(caps.into_iter().collect())
}

/// Rebuilds the month totals (of one type, or all) from the daily rollups: after a
/// recount, or when a type's daily cap changes.
pub async fn rebuild_months(tx: &mut Tx, activity_type_id: Option<i64>) -> Result<(), AppError> {
    const DAYS: &str = "SELECT rep_id, local_date, activity_type_id, units FROM daily_rollups \
        WHERE (CAST($1 AS BIGINT) IS NULL OR activity_type_id = $1)";
    const CLEAR: &str =
        "DELETE FROM monthly_rollups WHERE (CAST($1 AS BIGINT) IS NULL OR activity_type_id = $1)";
    let caps = daily_caps(tx).await?;
    let days: Vec<(i64, NaiveDate, i64, i64)> = on_tx!(tx, |c| sqlx::query_as(DAYS)
        .bind(activity_type_id)
        .fetch_all(c)
        .await)?;
    on_tx!(tx, |c| sqlx::query(CLEAR)
        .bind(activity_type_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    let mut changes = MonthChanges::new();
    for (rep, date, t, units) in days {
        let cap = caps.get(&t).copied().flatten();
        day_changed(&mut changes, (rep, date, t), cap, 0, units);
    }
    add_to_months(tx, &changes).await
}

/// What one counted activity adds to its rep's day in the rollups, and the account it
/// counts on ([`account_key`]).
#[derive(Debug, Clone)]
struct Share {
    rep_id: i64,
    local_date: NaiveDate,
    activity_type_id: i64,
    quantity: i64,
    duration_seconds: Option<i64>,
    account: Option<String>,
}

/// The share of an activity with these fields, `None` when the rule says it does not count.
macro_rules! share_of {
    ($a:expr, $deleted:expr) => {
        counts($a.qualifies, $deleted).then_some(Share {
            rep_id: $a.rep_id,
            local_date: $a.local_date,
            activity_type_id: $a.activity_type_id,
            quantity: $a.quantity,
            duration_seconds: $a.duration_seconds,
            account: account_key($a.account.as_deref()).map(str::to_string),
        })
    };
}

/// Moves the rollups from what an activity added before a change to what it adds after
/// it (`None` on a side where it does not count: not stored yet, deleted, not qualifying),
/// and recounts the account month totals it counted or counts on (the row is written).
async fn reshare(tx: &mut Tx, before: Option<Share>, after: Option<Share>) -> Result<(), AppError> {
    const CAP: &str = "SELECT daily_cap FROM activity_types WHERE id = $1";
    let mut changes = MonthChanges::new();
    let mut accounts: Vec<AccountMonthKey> = Vec::new();
    for (sign, share) in [(-1, before), (1, after)] {
        let Some(s) = share else { continue };
        if let Some(account) = &s.account {
            let key = (
                months::month_of(s.local_date),
                s.rep_id,
                account.clone(),
                s.activity_type_id,
            );
            if !accounts.contains(&key) {
                accounts.push(key);
            }
        }
        let quantity = sign * s.quantity;
        let now: i64 = on_tx!(tx, |c| sqlx::query_scalar(ROLLUP_ADD)
            .bind(s.rep_id)
            .bind(s.local_date)
            .bind(s.activity_type_id)
            .bind(quantity)
            .bind(sign * s.duration_seconds.unwrap_or(0))
            .fetch_one(c)
            .await)?;
        let cap: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(CAP)
            .bind(s.activity_type_id)
            .fetch_optional(c)
            .await)?
        .flatten();
        let day = (s.rep_id, s.local_date, s.activity_type_id);
        day_changed(&mut changes, day, cap, now - quantity, now);
    }
    add_to_months(tx, &changes).await?;
    for key in &accounts {
        recount_account_month(tx, key).await?;
    }
    let pairs = accounts
        .iter()
        .map(|(month, rep, _, _)| (*month, *rep))
        .collect();
    repack_account_months(tx, &pairs).await
}

#[derive(Debug, sqlx::FromRow)]
struct Stored {
    id: i64,
    rep_id: i64,
    activity_type_id: i64,
    local_date: NaiveDate,
    quantity: i64,
    duration_seconds: Option<i64>,
    qualifies: bool,
    deleted_at: Option<DateTime<Utc>>,
    account: Option<String>,
}

const INSERT: &str = "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, \
    duration_seconds, qualifies, note, account, source, external_id, client_key, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING id";
const BY_CLIENT_KEY: &str = "SELECT id FROM activities WHERE rep_id = $1 AND client_key = $2";
/// Locks the row (a no-op update) and returns it as it is now: on PostgreSQL a concurrent
/// upsert of the same record waits, then reads the committed values.
const LOCK_BY_SOURCE: &str = "UPDATE activities SET external_id = external_id WHERE source = $1 AND external_id = $2 \
    RETURNING id, rep_id, activity_type_id, local_date, quantity, duration_seconds, qualifies, deleted_at, account";
const UPDATE: &str =
    "UPDATE activities SET rep_id = $1, activity_type_id = $2, occurred_at = $3, local_date = $4, \
    quantity = $5, duration_seconds = $6, qualifies = $7, note = $8, account = $9 WHERE id = $10";

/// Inserts a new row; `None` when a unique key (client key, or source and external id) is
/// already taken.
async fn insert(tx: &mut Tx, a: &ActivityWrite) -> Result<Option<i64>, AppError> {
    let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(INSERT)
        .bind(a.rep_id)
        .bind(a.activity_type_id)
        .bind(a.occurred_at)
        .bind(a.local_date)
        .bind(a.quantity)
        .bind(a.duration_seconds)
        .bind(a.qualifies)
        .bind(&a.note)
        .bind(&a.account)
        .bind(&a.source)
        .bind(&a.external_id)
        .bind(&a.client_key)
        .bind(Utc::now())
        .fetch_optional(c)
        .await)?;
    if id.is_some() {
        reshare(tx, None, share_of!(a, false)).await?;
    }
    Ok(id)
}

/// Writes one activity in the caller's transaction, correcting the daily rollups:
///
/// * with a `client_key` (a tap): stored once; a retry with the same key changes nothing;
/// * with `source` and `external_id` (an integration's record): created, or updated in
///   place with the old contribution taken out and the new one put in; an activity deleted
///   in the app stays deleted;
/// * with neither: a new activity.
pub async fn write(tx: &mut Tx, writer: &Writer, a: &ActivityWrite) -> Result<Upserted, AppError> {
    if let Some(key) = &a.client_key {
        if let Some(id) = insert(tx, a).await? {
            return Ok(Upserted {
                id,
                created: true,
                counts: a.qualifies,
                newly_won: false,
            });
        }
        let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(BY_CLIENT_KEY)
            .bind(a.rep_id)
            .bind(key)
            .fetch_one(c)
            .await)?;
        return Ok(Upserted {
            id,
            created: false,
            counts: a.qualifies,
            newly_won: false,
        });
    }
    // Twice at most: when a concurrent transaction inserts the same record between the
    // lock and the insert, the second round finds and updates it.
    for _ in 0..2 {
        if let (Some(source), Some(external_id)) = (&a.source, &a.external_id) {
            let old: Option<Stored> = on_tx!(tx, |c| sqlx::query_as(LOCK_BY_SOURCE)
                .bind(source)
                .bind(external_id)
                .fetch_optional(c)
                .await)?;
            if let Some(old) = old {
                if old.rep_id != a.rep_id {
                    audit_reassign(tx, writer, "activity", old.id, old.rep_id, a.rep_id).await?;
                }
                let deleted = old.deleted_at.is_some();
                on_tx!(tx, |c| sqlx::query(UPDATE)
                    .bind(a.rep_id)
                    .bind(a.activity_type_id)
                    .bind(a.occurred_at)
                    .bind(a.local_date)
                    .bind(a.quantity)
                    .bind(a.duration_seconds)
                    .bind(a.qualifies)
                    .bind(&a.note)
                    .bind(&a.account)
                    .bind(old.id)
                    .execute(c)
                    .await
                    .map(|_| ()))?;
                let now = share_of!(a, deleted);
                let counts = now.is_some();
                reshare(tx, share_of!(old, deleted), now).await?;
                return Ok(Upserted {
                    id: old.id,
                    created: false,
                    counts,
                    newly_won: false,
                });
            }
        }
        if let Some(id) = insert(tx, a).await? {
            return Ok(Upserted {
                id,
                created: true,
                counts: a.qualifies,
                newly_won: false,
            });
        }
    }
    Err(AppError::Conflict(
        "The same record was being written by another request; nothing was written. Retry the request."
            .into(),
    ))
}

impl Record for ActivityWrite {
    const KIND: LiveKind = LiveKind::Activity;

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn write<'a>(
        &'a self,
        tx: &'a mut Tx,
        writer: &'a Writer,
    ) -> impl std::future::Future<Output = Result<Upserted, AppError>> + Send + 'a {
        write(tx, writer, self)
    }

    fn write_many<'a>(
        records: &'a [Self],
        tx: &'a mut Tx,
        writer: &'a Writer,
    ) -> impl std::future::Future<Output = Result<Vec<Upserted>, AppError>> + Send + 'a {
        write_many(tx, writer, records)
    }
}

/// Writes many activities in the caller's transaction with the outcome of [`write`] on each
/// in turn. An integration's records whose key (`source`, `external_id`) appears once in
/// the batch are inserted many to a statement with their rollups summed ([`insert_new`]);
/// those whose key is taken (stored already, or by a concurrent request) and the others go
/// one by one through [`write`]: taps, records without a key, keys repeated in the batch. Different keys never touch the same row, so the
/// order between the two groups changes nothing. (One statement a record was 4,653
/// activities/s through the batch API on SQLite: `cargo bench --features ssr --bench ingest`.)
pub async fn write_many(
    tx: &mut Tx,
    writer: &Writer,
    rows: &[ActivityWrite],
) -> Result<Vec<Upserted>, AppError> {
    use std::collections::HashMap;
    fn key_of(a: &ActivityWrite) -> Option<(&str, &str)> {
        match (&a.client_key, &a.source, &a.external_id) {
            (None, Some(s), Some(e)) => Some((s.as_str(), e.as_str())),
            _ => None,
        }
    }
    let mut times: HashMap<(&str, &str), usize> = HashMap::new();
    for k in rows.iter().filter_map(key_of) {
        *times.entry(k).or_default() += 1;
    }
    let fresh: Vec<usize> = (0..rows.len())
        .filter(|&i| key_of(&rows[i]).is_some_and(|k| times[&k] == 1))
        .collect();
    // A key stored already makes its insert do nothing: that record then goes one by one
    // (an update). Asking first which keys are stored cost more on PostgreSQL than it saved:
    // a list of 400 keys was planned as a scan of the table (1 s a query at 100,000 rows).
    let mut results: Vec<Option<Upserted>> = vec![None; rows.len()];
    let inserted = insert_new(tx, rows, &fresh).await?;
    let by_key: HashMap<(&str, &str), usize> = fresh
        .iter()
        .filter_map(|&i| key_of(&rows[i]).map(|k| (k, i)))
        .collect();
    for (id, source, external_id) in inserted {
        if let Some(&i) = by_key.get(&(source.as_str(), external_id.as_str())) {
            results[i] = Some(Upserted {
                id,
                created: true,
                counts: rows[i].qualifies,
                newly_won: false,
            });
        }
    }
    for (i, a) in rows.iter().enumerate() {
        if results[i].is_none() {
            results[i] = Some(write(tx, writer, a).await?);
        }
    }
    Ok(results.into_iter().flatten().collect())
}

/// Inserts `rows[i]` for each `i` of `pick` many to a statement, skipping any whose key is
/// taken (stored already, or meanwhile by a concurrent request: `ON CONFLICT DO NOTHING`), and adds what those inserted count to the
/// rollups, summed by rep, day and type. Returns `(id, source, external_id)` of each row
/// inserted.
async fn insert_new(
    tx: &mut Tx,
    rows: &[ActivityWrite],
    pick: &[usize],
) -> Result<Vec<(i64, String, String)>, AppError> {
    let created = Utc::now();
    let mut inserted: Vec<(i64, String, String)> = Vec::with_capacity(pick.len());
    for chunk in pick.chunks(BULK_CHUNK) {
        let got: Vec<(i64, String, String)> = on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, \
                 duration_seconds, qualifies, note, account, source, external_id, created_at) ",
            );
            qb.push_values(chunk, |mut b, &i| {
                let a = &rows[i];
                b.push_bind(a.rep_id)
                    .push_bind(a.activity_type_id)
                    .push_bind(a.occurred_at)
                    .push_bind(a.local_date)
                    .push_bind(a.quantity)
                    .push_bind(a.duration_seconds)
                    .push_bind(a.qualifies)
                    .push_bind(a.note.clone())
                    .push_bind(a.account.clone())
                    .push_bind(a.source.clone())
                    .push_bind(a.external_id.clone())
                    .push_bind(created);
            });
            qb.push(" ON CONFLICT DO NOTHING RETURNING id, source, external_id");
            qb.build_query_as().fetch_all(c).await
        })?;
        inserted.extend(got);
    }
    let keys: std::collections::HashSet<(&str, &str)> = inserted
        .iter()
        .map(|(_, s, e)| (s.as_str(), e.as_str()))
        .collect();
    let counted: Vec<ActivityWrite> = pick
        .iter()
        .map(|&i| &rows[i])
        .filter(|a| match (&a.source, &a.external_id) {
            (Some(s), Some(e)) => keys.contains(&(s.as_str(), e.as_str())),
            _ => false,
        })
        .cloned()
        .collect();
    add_rollups(tx, &counted).await?;
    Ok(inserted)
}

/// Records that a record moved to another rep: it changes whose score it counts for.
pub(crate) async fn audit_reassign(
    tx: &mut Tx,
    writer: &Writer,
    kind: &str,
    id: i64,
    from_rep: i64,
    to_rep: i64,
) -> Result<(), AppError> {
    crate::server::audit::record_in(
        tx,
        &writer.actor(),
        "reassign",
        &format!("{kind}:{id}"),
        Some(serde_json::json!({ "rep_id": from_rep })),
        Some(serde_json::json!({ "rep_id": to_rep })),
    )
    .await
}

/// A live activity as stored.
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
    pub note: Option<String>,
    pub account: Option<String>,
}

/// What a rep may change on a logged activity: the details, not its type, time or rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDetails {
    pub duration_seconds: Option<i64>,
    pub qualifies: bool,
    pub note: Option<String>,
    pub account: Option<String>,
}

/// Changes a live activity of `rep_id`, moving its rollup contribution by the same rule
/// (a call made long enough starts to count); `None` when there is no such live activity.
pub async fn edit(
    tx: &mut Tx,
    rep_id: i64,
    id: i64,
    d: &ActivityDetails,
) -> Result<Option<ActivityRow>, AppError> {
    const OLD: &str = "SELECT id, rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies, note, account \
        FROM activities WHERE id = $1 AND rep_id = $2 AND deleted_at IS NULL";
    const SET: &str = "UPDATE activities SET duration_seconds = $1, qualifies = $2, note = $3, account = $4 WHERE id = $5";
    let old: Option<ActivityRow> = on_tx!(tx, |c| sqlx::query_as(OLD)
        .bind(id)
        .bind(rep_id)
        .fetch_optional(c)
        .await)?;
    let Some(old) = old else { return Ok(None) };
    on_tx!(tx, |c| sqlx::query(SET)
        .bind(d.duration_seconds)
        .bind(d.qualifies)
        .bind(&d.note)
        .bind(&d.account)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    let new = ActivityRow {
        duration_seconds: d.duration_seconds,
        qualifies: d.qualifies,
        note: d.note.clone(),
        account: d.account.clone(),
        ..old.clone()
    };
    reshare(tx, share_of!(old, false), share_of!(new, false)).await?;
    Ok(Some(new))
}

/// Soft-deletes a live activity of `rep_id` and takes it out of its rollup; `None` when
/// there is no such live activity (already deleted, or someone else's).
pub async fn delete(tx: &mut Tx, rep_id: i64, id: i64) -> Result<Option<ActivityRow>, AppError> {
    const MARK: &str = "UPDATE activities SET deleted_at = $1 WHERE id = $2 AND rep_id = $3 AND deleted_at IS NULL \
        RETURNING id, rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies, note, account";
    let row: Option<ActivityRow> = on_tx!(tx, |c| sqlx::query_as(MARK)
        .bind(Utc::now())
        .bind(id)
        .bind(rep_id)
        .fetch_optional(c)
        .await)?;
    if let Some(r) = &row {
        // It counted until now if it qualified (it was live).
        reshare(tx, share_of!(r, false), None).await?;
    }
    Ok(row)
}

const BULK_CHUNK: usize = 400;

/// Stores many new activities (no keys to match) at once, with their rollups summed by the
/// same rule: the demo seed's year of data, or a data generator's millions.
pub async fn insert_bulk(tx: &mut Tx, rows: &[ActivityWrite]) -> Result<(), AppError> {
    let created = Utc::now();
    for chunk in rows.chunks(BULK_CHUNK) {
        on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, \
                 duration_seconds, qualifies, note, account, source, external_id, created_at) ",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.rep_id)
                    .push_bind(a.activity_type_id)
                    .push_bind(a.occurred_at)
                    .push_bind(a.local_date)
                    .push_bind(a.quantity)
                    .push_bind(a.duration_seconds)
                    .push_bind(a.qualifies)
                    .push_bind(a.note.clone())
                    .push_bind(a.account.clone())
                    .push_bind(a.source.clone())
                    .push_bind(a.external_id.clone())
                    .push_bind(created);
            });
            qb.build().execute(c).await.map(|_| ())
        })?;
    }
    add_rollups(tx, rows).await
}

/// Adds what the new activities `rows` count (the rollup rule) to the rollups, summed by
/// rep, day and type, many to a statement.
async fn add_rollups(tx: &mut Tx, rows: &[ActivityWrite]) -> Result<(), AppError> {
    let mut days: BTreeMap<(i64, NaiveDate, i64), (i64, i64)> = BTreeMap::new();
    for a in rows.iter().filter(|a| counts(a.qualifies, false)) {
        let e = days
            .entry((a.rep_id, a.local_date, a.activity_type_id))
            .or_default();
        e.0 += a.quantity;
        e.1 += a.duration_seconds.unwrap_or(0);
    }
    let added_to: HashMap<(i64, NaiveDate, i64), i64> =
        days.iter().map(|(k, (units, _))| (*k, *units)).collect();
    let days: Vec<_> = days.into_iter().collect();
    let caps = daily_caps(tx).await?;
    let mut changes = MonthChanges::new();
    for chunk in days.chunks(BULK_CHUNK) {
        let totals: Vec<(i64, NaiveDate, i64, i64)> = on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) ",
            );
            qb.push_values(chunk, |mut b, ((rep, date, t), (units, dur))| {
                b.push_bind(*rep)
                    .push_bind(*date)
                    .push_bind(*t)
                    .push_bind(*units)
                    .push_bind(*dur);
            });
            qb.push(
                " ON CONFLICT (rep_id, local_date, activity_type_id) DO UPDATE SET \
                 units = daily_rollups.units + excluded.units, \
                 duration_seconds = daily_rollups.duration_seconds + excluded.duration_seconds \
                 RETURNING rep_id, local_date, activity_type_id, units",
            );
            qb.build_query_as().fetch_all(c).await
        })?;
        for (rep, date, t, now) in totals {
            let added = added_to.get(&(rep, date, t)).copied().unwrap_or(0);
            let cap = caps.get(&t).copied().flatten();
            day_changed(&mut changes, (rep, date, t), cap, now - added, now);
        }
    }
    add_to_months(tx, &changes).await?;
    let accounts =
        account_month_totals(rows.iter().filter(|a| counts(a.qualifies, false)).map(|a| {
            let account = a.account.as_deref();
            (
                a.rep_id,
                a.local_date,
                a.activity_type_id,
                account,
                a.quantity,
            )
        }));
    add_to_account_months(tx, &accounts).await
}

/// Moves every activity to its local day in `tz` and, when any moved, recounts the rollups
/// from the raw rows, in the caller's transaction (so scores never mix two zones). Returns
/// how many activities moved.
pub async fn redate_all(tx: &mut Tx, tz: Tz) -> Result<i64, AppError> {
    const DATES: &str = "SELECT id, occurred_at, local_date FROM activities";
    const REDATE: &str = "UPDATE activities SET local_date = $1 WHERE id = $2";
    let rows: Vec<(i64, DateTime<Utc>, NaiveDate)> =
        on_tx!(tx, |c| sqlx::query_as(DATES).fetch_all(c).await)?;
    let mut moved = 0i64;
    for (id, at, old) in rows {
        let local = at.with_timezone(&tz).date_naive();
        if local != old {
            on_tx!(tx, |c| sqlx::query(REDATE)
                .bind(local)
                .bind(id)
                .execute(c)
                .await
                .map(|_| ()))?;
            moved += 1;
        }
    }
    if moved > 0 {
        recount_rollups(tx).await?;
    }
    Ok(moved)
}

/// Rebuilds every daily rollup from the raw activities with [`COUNTS_SQL`].
pub async fn recount_rollups(tx: &mut Tx) -> Result<(), AppError> {
    let rebuild = format!(
        "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) \
         SELECT rep_id, local_date, activity_type_id, CAST(SUM(quantity) AS BIGINT), \
         CAST(SUM(COALESCE(duration_seconds, 0)) AS BIGINT) FROM activities \
         WHERE {COUNTS_SQL} GROUP BY rep_id, local_date, activity_type_id"
    );
    on_tx!(tx, |c| sqlx::query("DELETE FROM daily_rollups")
        .execute(c)
        .await
        .map(|_| ()))?;
    on_tx!(tx, |c| sqlx::query(&rebuild).execute(c).await.map(|_| ()))?;
    rebuild_months(tx, None).await?;
    rebuild_account_months(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_qualifying_live_activities_count() {
        assert!(counts(true, false));
        assert!(!counts(false, false));
        assert!(!counts(true, true));
        assert!(!counts(false, true));
        assert!(
            COUNTS_SQL.contains("qualifies = TRUE") && COUNTS_SQL.contains("deleted_at IS NULL")
        );
    }
}
