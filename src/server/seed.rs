//! The demo organisation: three teams, 24 reps in three sales roles, a year of activity and
//! deals with believable seasonality. Seeded from a fixed number, so the same day always
//! gives the same data; written only into an empty database.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::db::Db;
use super::secrets::hash_password;
use super::{org, users};
use crate::error::AppError;
use crate::on_db;
use crate::scoring::{default_activity_types, Metric};

pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.pacesetter.test";
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-password";
pub const DEMO_REP_EMAIL: &str = "sam.rivera@demo.pacesetter.test";
pub const DEMO_PASSWORD: &str = "demo-rep-password";
pub const DEMO_TIME_ZONE: &str = "Europe/London";

const TEAMS: [&str; 3] = ["Atlas", "Borealis", "Cascade"];
const ROLES: [(&str, &str); 3] = [
    ("sdr", "SDR"),
    ("ae", "Account Executive"),
    ("field", "Field Rep"),
];
/// Per team: 3 SDRs, 3 AEs, 2 field reps.
const ROLE_MIX: [usize; 8] = [0, 0, 0, 1, 1, 1, 2, 2];
const NAMES: [&str; 24] = [
    "Sam Rivera",
    "Priya Shah",
    "Tom Becker",
    "Lena Novak",
    "Marcus Reid",
    "Aiko Tanaka",
    "Diego Alvarez",
    "Hannah Cole",
    "Omar Haddad",
    "Julia Weiss",
    "Kofi Mensah",
    "Nora Lindqvist",
    "Ravi Patel",
    "Emma Dubois",
    "Lucas Costa",
    "Grace Okafor",
    "Felix Wagner",
    "Mei Chen",
    "Jonas Berg",
    "Sofia Rossi",
    "Ethan Brooks",
    "Amara Nwosu",
    "Leo Fischer",
    "Chloe Martin",
];
const LOST_REASONS: [&str; 5] = ["Price", "Competitor", "No decision", "Timing", "Budget"];
const OPEN_STAGES: [(&str, i64); 4] = [
    ("Qualification", 10),
    ("Discovery", 25),
    ("Proposal", 50),
    ("Negotiation", 75),
];
const ICONS: [(&str, &str); 7] = [
    ("call", "📞"),
    ("email", "✉️"),
    ("meeting", "🤝"),
    ("visit", "🚗"),
    ("check_in", "✅"),
    ("demo", "🖥️"),
    ("proposal", "📄"),
];

/// Mean units per working day by role (SDR, AE, field) for each default type, in order.
const DAILY_MEAN: [[f64; 3]; 7] = [
    [18.0, 7.0, 4.0],  // call
    [22.0, 12.0, 4.0], // email
    [1.0, 2.5, 1.2],   // meeting
    [0.0, 0.2, 2.8],   // visit
    [0.0, 0.0, 3.5],   // check-in
    [0.4, 1.2, 0.3],   // demo
    [0.0, 0.7, 0.4],   // proposal
];

pub struct SeedSummary {
    pub reps: usize,
    pub activities: usize,
    pub deals: usize,
}

pub async fn is_empty(db: &Db) -> Result<bool, AppError> {
    let n: i64 = on_db!(db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await)?;
    Ok(n == 0)
}

/// A quieter August and late December, like real sales teams.
fn seasonality(d: NaiveDate) -> f64 {
    match (d.month(), d.day()) {
        (8, _) => 0.55,
        (12, day) if day >= 20 => 0.3,
        (7, day) if day >= 20 => 0.8,
        _ => 1.0,
    }
}

/// Poisson-distributed count with the given mean (Knuth's method; means here are small).
fn poisson(rng: &mut StdRng, mean: f64) -> i64 {
    if mean <= 0.0 {
        return 0;
    }
    let l = (-mean).exp();
    let (mut k, mut p) = (0i64, 1.0f64);
    loop {
        p *= rng.gen::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

struct ActivityRow {
    rep_id: i64,
    type_id: i64,
    occurred_at: chrono::DateTime<Utc>,
    local_date: NaiveDate,
    quantity: i64,
    duration: Option<i64>,
}

struct DealRow {
    rep_id: i64,
    name: String,
    account: String,
    amount: i64,
    stage: String,
    probability: i64,
    status: &'static str,
    lost_reason: Option<&'static str>,
    new_customer: bool,
    created_on: NaiveDate,
    expected_close: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
}

/// Seeds the demo organisation into an empty database with a year of data up to `now`
/// (nothing later than `now`, so today's list holds only what already happened).
pub async fn seed_demo(db: &Db, now: chrono::DateTime<Utc>) -> Result<SeedSummary, AppError> {
    let mut rng = StdRng::seed_from_u64(0x5EED_2026);
    org::ensure(db, "Northwind Demo Sales", DEMO_TIME_ZONE).await?;
    on_db!(db, |pool| sqlx::query(
        "UPDATE settings SET org_name = $1, time_zone = $2 WHERE id = 1"
    )
    .bind("Northwind Demo Sales")
    .bind(DEMO_TIME_ZONE)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    let tz: chrono_tz::Tz = DEMO_TIME_ZONE.parse().unwrap_or(chrono_tz::UTC);
    let now_local = now.with_timezone(&tz).naive_local();
    let today = now_local.date();

    // Teams, sales roles, people.
    let mut team_ids = Vec::new();
    for t in TEAMS {
        team_ids.push(
            users::team_id(db, t, true)
                .await?
                .ok_or(AppError::Internal)?,
        );
    }
    let mut role_ids = Vec::new();
    for (key, name) in ROLES {
        let id: i64 = on_db!(db, |pool| sqlx::query_scalar(
            "INSERT INTO sales_roles (key, name) VALUES ($1, $2) RETURNING id"
        )
        .bind(key)
        .bind(name)
        .fetch_one(pool)
        .await)?;
        role_ids.push(id);
    }
    let admin_hash = hash_password(DEMO_ADMIN_PASSWORD).map_err(|_| AppError::Internal)?;
    let rep_hash = hash_password(DEMO_PASSWORD).map_err(|_| AppError::Internal)?;
    let insert_user = "INSERT INTO users (email, name, password_hash, access_role, team_id, sales_role_id, active, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7)";
    let insert_rep = "INSERT INTO users (email, name, password_hash, access_role, team_id, sales_role_id, active, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) RETURNING id";
    on_db!(db, |pool| sqlx::query(insert_user)
        .bind(DEMO_ADMIN_EMAIL)
        .bind("Avery Admin")
        .bind(&admin_hash)
        .bind("admin")
        .bind(None::<i64>)
        .bind(None::<i64>)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    for (i, team) in TEAMS.iter().enumerate() {
        let email = format!("manager.{}@demo.pacesetter.test", team.to_lowercase());
        let name = format!("{team} Manager");
        on_db!(db, |pool| sqlx::query(insert_user)
            .bind(&email)
            .bind(&name)
            .bind(&rep_hash)
            .bind("manager")
            .bind(team_ids[i])
            .bind(None::<i64>)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
    }
    // (rep id, role index, skill factor)
    let mut reps: Vec<(i64, usize, f64)> = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let team = team_ids[i / 8];
        let role = ROLE_MIX[i % 8];
        let email = format!(
            "{}@demo.pacesetter.test",
            name.to_lowercase().replace(' ', ".")
        );
        let id: i64 = on_db!(db, |pool| sqlx::query_scalar(insert_rep)
            .bind(&email)
            .bind(*name)
            .bind(&rep_hash)
            .bind("rep")
            .bind(team)
            .bind(role_ids[role])
            .bind(now)
            .fetch_one(pool)
            .await)?;
        reps.push((id, role, rng.gen_range(0.6..1.4)));
    }

    // Activity types with a year of weight history: calls were worth 2 until three months ago.
    let first_month =
        NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).ok_or(AppError::Internal)?;
    let call_change = first_of_month_back(today, 3);
    let mut type_ids = Vec::new();
    let mut type_ids_by_key = Vec::new();
    for (i, (rule, weight)) in default_activity_types().into_iter().enumerate() {
        let icon = ICONS
            .iter()
            .find(|(k, _)| *k == rule.key)
            .map(|(_, g)| *g)
            .unwrap_or("•");
        let daily_cap = (rule.key == "email").then_some(40i64);
        let id: i64 = on_db!(db, |pool| {
            sqlx::query_scalar(
            "INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, min_duration_seconds, sort_order, active) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, TRUE) RETURNING id"
        )
        .bind(&rule.key)
        .bind(&rule.label)
        .bind(icon)
        .bind(rule.leading)
        .bind(daily_cap)
        .bind(i as i64)
        .fetch_one(pool)
        .await
        })?;
        let mut versions = vec![(first_month, weight.0)];
        if rule.key == "call" {
            versions = vec![(first_month, 200), (call_change, weight.0)];
        }
        for (from, w) in versions {
            on_db!(db, |pool| {
                sqlx::query(
                "INSERT INTO weight_versions (activity_type_id, effective_from, weight_hundredths, created_at) VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(from)
            .bind(w)
            .bind(now)
            .execute(pool)
            .await.map(|r| r.rows_affected())
            })?;
        }
        type_ids.push(id);
        type_ids_by_key.push((rule.key.clone(), id));
    }

    // Holidays and absences.
    let holidays: Vec<NaiveDate> = [(1, 1), (5, 1), (12, 25), (12, 26)]
        .iter()
        .flat_map(|(m, d)| {
            [today.year() - 1, today.year()].map(|y| NaiveDate::from_ymd_opt(y, *m, *d))
        })
        .flatten()
        .filter(|d| *d >= first_month && *d <= today + Duration::days(60))
        .collect();
    for d in &holidays {
        on_db!(db, |pool| sqlx::query(
            "INSERT INTO holidays (day, name) VALUES ($1, $2)"
        )
        .bind(*d)
        .bind("Public holiday")
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let mut absences: Vec<(i64, NaiveDate, NaiveDate)> = Vec::new();
    for (i, (rep, _, _)) in reps.iter().enumerate().filter(|(i, _)| i % 5 == 2) {
        let start = today - Duration::days(rng.gen_range(20..300));
        absences.push((*rep, start, start + Duration::days(4 + (i as i64 % 3) * 3)));
    }
    for (rep, start, end) in &absences {
        on_db!(db, |pool| sqlx::query(
            "INSERT INTO absences (user_id, start_date, end_date) VALUES ($1, $2, $3)"
        )
        .bind(*rep)
        .bind(*start)
        .bind(*end)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    }

    // A year of activities, working days only.
    let mut activities: Vec<ActivityRow> = Vec::new();
    let mut day = first_month;
    while day <= today {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && !holidays.contains(&day) {
            for &(rep, role, skill) in &reps {
                if absences
                    .iter()
                    .any(|(r, s, e)| *r == rep && day >= *s && day <= *e)
                {
                    continue;
                }
                let mood = rng.gen_range(0.7..1.3);
                for (t, means) in DAILY_MEAN.iter().enumerate() {
                    let n = poisson(&mut rng, means[role] * skill * mood * seasonality(day));
                    if n == 0 {
                        continue;
                    }
                    let batch = t == 1; // emails arrive from the mail sync as one row a day
                    let rows = if batch { 1 } else { n };
                    for _ in 0..rows {
                        let minute = rng.gen_range(8 * 60..18 * 60);
                        let local = day.and_time(
                            NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)
                                .unwrap_or_default(),
                        );
                        if local > now_local {
                            continue; // not yet happened today
                        }
                        let occurred_at = tz
                            .from_local_datetime(&local)
                            .earliest()
                            .map(|d| d.with_timezone(&Utc))
                            .unwrap_or_else(|| Utc.from_utc_datetime(&local));
                        activities.push(ActivityRow {
                            rep_id: rep,
                            type_id: type_ids[t],
                            occurred_at,
                            local_date: day,
                            quantity: if batch { n } else { 1 },
                            duration: (t == 0).then(|| rng.gen_range(40..900)),
                        });
                    }
                }
            }
        }
        day += Duration::days(1);
    }

    // Deals: AEs and field reps sell, SDRs open a few.
    let mut deals: Vec<DealRow> = Vec::new();
    let accounts = [
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
        "Stark",
        "Wayne",
        "Wonka",
        "Soylent",
        "Tyrell",
        "Cyberdyne",
        "Aperture",
    ];
    for &(rep, role, skill) in &reps {
        let per_month = [0.5, 4.0, 3.0][role] * skill;
        let (lo, hi) = [(2_000, 12_000), (8_000, 90_000), (1_500, 25_000)][role];
        let n = (per_month * 12.0).round() as i64;
        for k in 0..n {
            let created_on = first_month
                + Duration::days(rng.gen_range(0..(today - first_month).num_days().max(1)));
            let account = accounts[rng.gen_range(0..accounts.len())];
            let amount = rng.gen_range(lo..hi) as i64 * 100;
            let cycle = rng.gen_range(12..110);
            let close = created_on + Duration::days(cycle);
            let roll: f64 = rng.gen();
            let (status, stage, probability, lost_reason, closed_on, expected_close) =
                if close <= today && roll < 0.38 * skill.min(1.2) {
                    (
                        "won",
                        "Won".to_string(),
                        100,
                        None,
                        Some(close),
                        Some(close),
                    )
                } else if close <= today && roll < 0.8 {
                    (
                        "lost",
                        "Lost".to_string(),
                        0,
                        Some(LOST_REASONS[rng.gen_range(0..LOST_REASONS.len())]),
                        Some(close),
                        Some(close),
                    )
                } else {
                    let (stage, p) = OPEN_STAGES[rng.gen_range(0..OPEN_STAGES.len())];
                    let expected = today + Duration::days(rng.gen_range(5..120));
                    ("open", stage.to_string(), p, None, None, Some(expected))
                };
            deals.push(DealRow {
                rep_id: rep,
                name: format!(
                    "{account} — {} #{}",
                    ["Platform", "Expansion", "Renewal", "Pilot"][k as usize % 4],
                    k + 1
                ),
                account: account.to_string(),
                amount,
                stage,
                probability,
                status,
                lost_reason,
                new_customer: rng.gen_bool(0.35),
                created_on,
                expected_close,
                closed_on,
            });
        }
    }

    write_activities(db, &activities).await?;
    write_deals(db, &deals).await?;
    write_targets(db, &role_ids, &reps, &type_ids_by_key, first_month, today).await?;
    write_scorecards(db, &role_ids, &type_ids_by_key).await?;
    Ok(SeedSummary {
        reps: reps.len(),
        activities: activities.len(),
        deals: deals.len(),
    })
}

fn first_of_month_back(today: NaiveDate, months: i32) -> NaiveDate {
    let total = today.year() * 12 + today.month0() as i32 - months;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(today)
}

const CHUNK: usize = 400;

async fn write_activities(db: &Db, rows: &[ActivityRow]) -> Result<(), AppError> {
    let mut rollups: BTreeMap<(i64, NaiveDate, i64), (i64, i64)> = BTreeMap::new();
    for a in rows {
        let e = rollups
            .entry((a.rep_id, a.local_date, a.type_id))
            .or_default();
        e.0 += a.quantity;
        e.1 += a.duration.unwrap_or(0);
    }
    let rollups: Vec<_> = rollups.into_iter().collect();
    let created = Utc::now();
    crate::in_write_tx!(db, |tx| {
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, duration_seconds, qualifies, source, created_at) ",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.rep_id)
                    .push_bind(a.type_id)
                    .push_bind(a.occurred_at)
                    .push_bind(a.local_date)
                    .push_bind(a.quantity)
                    .push_bind(a.duration)
                    .push_bind(true)
                    .push_bind("demo")
                    .push_bind(created);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in rollups.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) ");
            qb.push_values(chunk, |mut b, ((rep, date, t), (units, dur))| {
                b.push_bind(*rep)
                    .push_bind(*date)
                    .push_bind(*t)
                    .push_bind(*units)
                    .push_bind(*dur);
            });
            qb.build().execute(&mut *tx).await?;
        }
    });
    Ok(())
}

async fn write_deals(db: &Db, rows: &[DealRow]) -> Result<(), AppError> {
    let now = Utc::now();
    crate::in_write_tx!(db, |tx| {
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, lost_reason, \
                 new_customer, created_on, expected_close, closed_on, source, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, d| {
                b.push_bind(d.rep_id)
                    .push_bind(&d.name)
                    .push_bind(&d.account)
                    .push_bind(d.amount)
                    .push_bind("EUR")
                    .push_bind(&d.stage)
                    .push_bind(d.probability)
                    .push_bind(d.status)
                    .push_bind(d.lost_reason)
                    .push_bind(d.new_customer)
                    .push_bind(d.created_on)
                    .push_bind(d.expected_close)
                    .push_bind(d.closed_on)
                    .push_bind("demo")
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
        }
    });
    Ok(())
}

/// Monthly role targets for the year and the next two months, and a few personal overrides.
async fn write_targets(
    db: &Db,
    role_ids: &[i64],
    reps: &[(i64, usize, f64)],
    type_ids_by_key: &[(String, i64)],
    first_month: NaiveDate,
    today: NaiveDate,
) -> Result<(), AppError> {
    let count = |key: &str| {
        type_ids_by_key
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, id)| {
                Metric::ActivityCount {
                    activity_type_id: *id,
                }
                .key()
            })
            .ok_or(AppError::Internal)
    };
    // (metric, per role SDR/AE/field); points in hundredths, money in cents, counts as is.
    let per_role: Vec<(String, [i64; 3])> = vec![
        ("activity_score".to_string(), [150_000, 100_000, 100_000]),
        ("turnover_won".to_string(), [0, 9_000_000, 2_500_000]),
        ("deals_won".to_string(), [1, 2, 2]),
        (count("call")?, [340, 0, 0]),
        (count("meeting")?, [20, 0, 0]),
        (count("demo")?, [0, 22, 0]),
        (count("proposal")?, [0, 13, 0]),
        (count("visit")?, [0, 0, 50]),
        (count("check_in")?, [0, 0, 65]),
    ];
    let mut rows: Vec<(&str, &str, i64, NaiveDate, i64)> = Vec::new();
    let mut month = first_month;
    let last = first_of_month_back(today, -2);
    while month <= last {
        for (metric, values) in &per_role {
            for (r, v) in values.iter().enumerate() {
                if *v > 0 {
                    rows.push((metric, "role", role_ids[r], month, *v));
                }
            }
        }
        // The strongest rep of each role carries a stretch target.
        for (rep, role, skill) in reps {
            if *skill > 1.3 {
                rows.push((
                    "activity_score",
                    "rep",
                    *rep,
                    month,
                    per_role[0].1[*role] * 13 / 10,
                ));
            }
        }
        month = first_of_month_back(month, -1);
    }
    crate::in_write_tx!(db, |tx| {
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO targets (metric, scope, subject_id, month, value) ",
            );
            qb.push_values(chunk, |mut b, (metric, scope, subject, month, value)| {
                b.push_bind(*metric)
                    .push_bind(*scope)
                    .push_bind(*subject)
                    .push_bind(*month)
                    .push_bind(*value);
            });
            qb.build().execute(&mut *tx).await?;
        }
    });
    Ok(())
}

/// Stores each role's scorecard with the scoring module's own metric keys
/// (`activity_count:<type id>`), as the admin API does.
async fn write_scorecards(
    db: &Db,
    role_ids: &[i64],
    type_ids_by_key: &[(String, i64)],
) -> Result<(), AppError> {
    let count = |key: &str| -> Result<String, AppError> {
        type_ids_by_key
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, id)| {
                Metric::ActivityCount {
                    activity_type_id: *id,
                }
                .key()
            })
            .ok_or(AppError::Internal)
    };
    let cards: [Vec<(String, bool, i64)>; 3] = [
        vec![
            (Metric::ActivityScore.key(), true, 2),
            (count("call")?, true, 1),
            (count("meeting")?, true, 2),
            (Metric::DealsWon.key(), false, 1),
        ],
        vec![
            (count("demo")?, true, 2),
            (count("proposal")?, true, 1),
            (Metric::ActivityScore.key(), true, 1),
            (Metric::TurnoverWon.key(), false, 3),
        ],
        vec![
            (count("visit")?, true, 2),
            (count("check_in")?, true, 1),
            (Metric::TurnoverWon.key(), false, 2),
        ],
    ];
    for (r, card) in cards.iter().enumerate() {
        for (i, (metric, leading, weight)) in card.iter().enumerate() {
            on_db!(db, |pool| {
                sqlx::query(
                "INSERT INTO scorecard_metrics (sales_role_id, metric, is_leading, weight, sort_order) VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(role_ids[r])
            .bind(metric.as_str())
            .bind(*leading)
            .bind(*weight)
            .bind(i as i64)
            .execute(pool)
            .await.map(|r| r.rows_affected())
            })?;
        }
    }
    Ok(())
}
