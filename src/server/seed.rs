//! The demo organisation: three teams, 24 reps in three sales roles, a year of activity and
//! deals with believable seasonality. Seeded from a fixed number, so the same day always
//! gives the same data; written only into an empty database.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::db::Db;
use crate::activities::store::{self, ActivityWrite};
use crate::activity_types::service::{self as activity_types, TypeDraft};
use crate::auth::AccessRole;
use crate::calendar::service as calendar;
use crate::deals::service::{self as deals, DealWrite};
use crate::error::AppError;
use crate::live::Live;
use crate::on_db;
use crate::people::service::{self as people, NewPerson};
use crate::scoring::Metric;
use crate::settings::service::{self as settings, SettingsDraft};
use crate::sources::Writer;
use crate::targets::service::{self as targets, TargetWrite};

/// Who the demo's changes are recorded as in the audit log.
const ACTOR: &str = "demo seed";

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
const OPEN_STAGES: [(&str, i64); 4] = crate::deals::PIPELINE_STAGES;
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

/// Seeds the demo organisation into an empty database with a year of data up to `now`
/// (nothing later than `now`, so today's list holds only what already happened).
pub async fn seed_demo(db: &Db, now: chrono::DateTime<Utc>) -> Result<SeedSummary, AppError> {
    let mut rng = StdRng::seed_from_u64(0x5EED_2026);
    let live = Live::announcer(db);
    settings::start_organisation(db, "Northwind Demo Sales", DEMO_TIME_ZONE).await?;
    settings::put_settings(
        db,
        &live,
        ACTOR,
        SettingsDraft {
            org_name: Some("Northwind Demo Sales".into()),
            time_zone: Some(DEMO_TIME_ZONE.into()),
            ..SettingsDraft::default()
        },
    )
    .await?;
    deals::put_lost_reasons(db, &live, ACTOR, &LOST_REASONS.join("\n")).await?;
    let tz: chrono_tz::Tz = DEMO_TIME_ZONE.parse().unwrap_or(chrono_tz::UTC);
    let now_local = now.with_timezone(&tz).naive_local();
    let today = now_local.date();

    // Sales roles and people, through the same service as every other door.
    let mut role_ids = Vec::new();
    for (key, name) in ROLES {
        let (role, _) = people::put_sales_role(db, &live, ACTOR, key, Some(name), false).await?;
        role_ids.push(role.id);
    }
    let person = |email: String,
                  name: String,
                  role: AccessRole,
                  team: Option<&str>,
                  sales_role: Option<&str>,
                  password: &str| NewPerson {
        email,
        name,
        role: Some(role.as_str().to_string()),
        team: team.map(str::to_string),
        sales_role: sales_role.map(str::to_string),
        password: Some(password.to_string()),
    };
    people::create_person(
        db,
        &live,
        ACTOR,
        person(
            DEMO_ADMIN_EMAIL.into(),
            "Avery Admin".into(),
            AccessRole::Admin,
            None,
            None,
            DEMO_ADMIN_PASSWORD,
        ),
    )
    .await?;
    for team in TEAMS {
        let email = format!("manager.{}@demo.pacesetter.test", team.to_lowercase());
        let name = format!("{team} Manager");
        people::create_person(
            db,
            &live,
            ACTOR,
            person(
                email,
                name,
                AccessRole::Manager,
                Some(team),
                None,
                DEMO_PASSWORD,
            ),
        )
        .await?;
    }
    // (rep id, role index, skill factor)
    let mut reps: Vec<(i64, usize, f64)> = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let team = TEAMS[i / 8];
        let role = ROLE_MIX[i % 8];
        let email = format!(
            "{}@demo.pacesetter.test",
            name.to_lowercase().replace(' ', ".")
        );
        let rep = people::create_person(
            db,
            &live,
            ACTOR,
            person(
                email,
                name.to_string(),
                AccessRole::Rep,
                Some(team),
                Some(ROLES[role].0),
                DEMO_PASSWORD,
            ),
        )
        .await?;
        reps.push((rep.id, role, rng.gen_range(0.6..1.4)));
    }

    // The organisation's default activity types, with a year of weight history: calls were
    // worth 2 until three months ago; emails count up to 40 a day.
    let first_month =
        NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).ok_or(AppError::Internal)?;
    let call_change = first_of_month_back(today, 3);
    for (key, draft) in [
        (
            "call",
            TypeDraft {
                weight: Some(200),
                effective_from: Some(first_month),
                ..TypeDraft::default()
            },
        ),
        (
            "call",
            TypeDraft {
                weight: Some(300),
                effective_from: Some(call_change),
                ..TypeDraft::default()
            },
        ),
        (
            "email",
            TypeDraft {
                daily_cap: Some(Some(40)),
                ..TypeDraft::default()
            },
        ),
    ] {
        activity_types::put_activity_type(db, &live, ACTOR, key, draft, today).await?;
    }
    let type_ids_by_key: Vec<(String, i64)> = activity_types::activity_types(db)
        .await?
        .into_iter()
        .map(|t| (t.key, t.id))
        .collect();
    let type_ids: Vec<i64> = [
        "call", "email", "meeting", "visit", "check_in", "demo", "proposal",
    ]
    .iter()
    .map(|k| {
        type_ids_by_key
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, id)| *id)
            .ok_or(AppError::Internal)
    })
    .collect::<Result<_, _>>()?;

    // Holidays and absences, through the calendar service like the desk.
    let holidays: Vec<(NaiveDate, &str)> = [
        (1, 1, "New Year's Day"),
        (5, 1, "Labour Day"),
        (12, 25, "Christmas Day"),
        (12, 26, "Boxing Day"),
    ]
    .iter()
    .flat_map(|(m, d, name)| {
        [today.year() - 1, today.year()]
            .map(|y| NaiveDate::from_ymd_opt(y, *m, *d).map(|day| (day, *name)))
    })
    .flatten()
    .filter(|(d, _)| *d >= first_month && *d <= today + Duration::days(60))
    .collect();
    for (day, name) in &holidays {
        calendar::add_holiday(db, &live, ACTOR, *day, name).await?;
    }
    let holidays: Vec<NaiveDate> = holidays.into_iter().map(|(d, _)| d).collect();
    let mut absences: Vec<(i64, NaiveDate, NaiveDate)> = Vec::new();
    for (i, (rep, _, _)) in reps.iter().enumerate().filter(|(i, _)| i % 5 == 2) {
        let start = today - Duration::days(rng.gen_range(20..300));
        absences.push((*rep, start, start + Duration::days(4 + (i as i64 % 3) * 3)));
    }
    for (i, (rep, start, end)) in absences.iter().enumerate() {
        let draft = calendar::AbsenceDraft {
            rep_id: *rep,
            start: *start,
            end: *end,
            reason: ["Annual leave", "Training", "Sick leave"][i % 3].to_string(),
        };
        calendar::add_absence(db, &live, ACTOR, calendar::Reach::Everyone, draft).await?;
    }

    // A year of activities, working days only.
    let mut activities: Vec<ActivityWrite> = Vec::new();
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
                        activities.push(ActivityWrite {
                            rep_id: rep,
                            activity_type_id: type_ids[t],
                            occurred_at,
                            local_date: day,
                            quantity: if batch { n } else { 1 },
                            duration_seconds: (t == 0).then(|| rng.gen_range(40..900)),
                            qualifies: true,
                            note: None,
                            account: None,
                            source: Some("demo".into()),
                            external_id: None,
                            client_key: None,
                        });
                    }
                }
            }
        }
        day += Duration::days(1);
    }

    // Deals: AEs and field reps sell, SDRs open a few.
    let mut deal_rows: Vec<DealWrite> = Vec::new();
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
            deal_rows.push(DealWrite {
                rep_id: rep,
                name: format!(
                    "{account} — {} #{}",
                    ["Platform", "Expansion", "Renewal", "Pilot"][k as usize % 4],
                    k + 1
                ),
                account: Some(account.to_string()),
                amount_minor: amount,
                currency: "EUR".into(),
                stage,
                probability,
                status,
                lost_reason: lost_reason.map(str::to_string),
                new_customer: rng.gen_bool(0.35),
                created_on,
                expected_close,
                closed_on,
                source: Some("demo".into()),
                external_id: None,
            });
        }
    }

    let mut tx = db.begin_write().await?;
    store::insert_bulk(&mut tx, &activities).await?;
    for d in &deal_rows {
        deals::write(&mut tx, &Writer::Person(ACTOR.into()), d).await?;
    }
    tx.commit().await?;
    write_targets(
        db,
        &live,
        &role_ids,
        &reps,
        &type_ids_by_key,
        first_month,
        today,
    )
    .await?;
    write_scorecards(db, &live).await?;
    Ok(SeedSummary {
        reps: reps.len(),
        activities: activities.len(),
        deals: deal_rows.len(),
    })
}

fn first_of_month_back(today: NaiveDate, months: i32) -> NaiveDate {
    let total = today.year() * 12 + today.month0() as i32 - months;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(today)
}

/// Monthly role targets for the year and the next two months, and a few personal overrides.
async fn write_targets(
    db: &Db,
    live: &Live,
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
    let mut rows: Vec<TargetWrite> = Vec::new();
    let mut month = first_month;
    let last = first_of_month_back(today, -2);
    while month <= last {
        for (metric, values) in &per_role {
            for (r, v) in values.iter().enumerate() {
                if *v > 0 {
                    rows.push(TargetWrite {
                        metric: metric.clone(),
                        scope: "role",
                        subject_id: role_ids[r],
                        month,
                        value: *v,
                    });
                }
            }
        }
        // The strongest rep of each role carries a stretch target.
        for (rep, role, skill) in reps {
            if *skill > 1.3 {
                rows.push(TargetWrite {
                    metric: Metric::ActivityScore.key(),
                    scope: "rep",
                    subject_id: *rep,
                    month,
                    value: per_role[0].1[*role] * 13 / 10,
                });
            }
        }
        month = first_of_month_back(month, -1);
    }
    targets::put_targets(db, live, ACTOR, &rows).await?;
    Ok(())
}

/// Each role's scorecard, through the same service as the desk.
async fn write_scorecards(db: &Db, live: &Live) -> Result<(), AppError> {
    use crate::scorecard::TemplateLine;
    let line = |metric: &str, leading: bool, weight: i64| TemplateLine {
        metric: metric.to_string(),
        leading,
        weight,
    };
    let cards: [Vec<TemplateLine>; 3] = [
        vec![
            line("activity_score", true, 2),
            line("activity_count:call", true, 1),
            line("activity_count:meeting", true, 2),
            line("deals_won", false, 1),
        ],
        vec![
            line("activity_count:demo", true, 2),
            line("activity_count:proposal", true, 1),
            line("activity_score", true, 1),
            line("turnover_won", false, 3),
        ],
        vec![
            line("activity_count:visit", true, 2),
            line("activity_count:check_in", true, 1),
            line("turnover_won", false, 2),
        ],
    ];
    for ((key, _), card) in ROLES.iter().zip(cards.iter()) {
        crate::scorecard::template::put_template(db, live, ACTOR, key, card).await?;
    }
    Ok(())
}
