//! The data generator (`pacesetter generate`): a large, realistic organisation in an empty
//! database, to measure speed at scale. People go through the people service, activities
//! through the one bulk write path of the activity store (rollups kept by its rule), deals
//! through the deals service and targets through the targets service, like every other door.
//!
//! What it makes: teams of 25 reps on the organisation's default sales role; for each rep a
//! book of 60 accounts; `days` days of activity up to today on working days (Monday to
//! Friday), with quieter Augusts and late Decembers, spread over the activity types in a
//! realistic mix (mostly calls and emails, few proposals), half of it on an account; about
//! two deals a rep a month (won, lost or open); and monthly targets for the role.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::db::Db;
use crate::activities::store::{self, ActivityWrite};
use crate::deals::service::{self as deals, DealWrite};
use crate::error::AppError;
use crate::live::Live;
use crate::people::service::{self as people, NewPerson};
use crate::scoring::Metric;
use crate::sources::Writer;
use crate::targets::service::{self as targets, TargetWrite};

const ACTOR: &str = "generator";
const SOURCE: &str = "generator";
const TEAM_SIZE: usize = 25;
const BOOK: usize = 60;
/// Activities written per transaction (and per progress line).
const CHUNK: usize = 50_000;
/// The share of each activity type by key; types not named get the rest evenly.
const MIX: [(&str, f64); 7] = [
    ("call", 0.45),
    ("email", 0.25),
    ("meeting", 0.09),
    ("check_in", 0.07),
    ("visit", 0.06),
    ("demo", 0.05),
    ("proposal", 0.03),
];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub reps: usize,
    pub activities: u64,
    pub days: u32,
    pub seed: u64,
}

/// Where the generator is, for a progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Generated {
    pub reps: usize,
    pub teams: usize,
    pub activities: u64,
    pub deals: usize,
    pub targets: usize,
}

/// A quieter August and late December.
fn seasonality(d: NaiveDate) -> f64 {
    match (d.month(), d.day()) {
        (8, _) => 0.55,
        (12, day) if day >= 20 => 0.3,
        _ => 1.0,
    }
}

fn working(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Fills an empty organisation (no people yet) following `plan`, calling `progress` as it
/// goes. Refuses a database that already has people: it never mixes with real data.
pub async fn generate(
    db: &Db,
    plan: Plan,
    mut progress: impl FnMut(Progress),
) -> Result<Generated, AppError> {
    if plan.reps == 0 {
        return Err(AppError::invalid("reps", "at least 1 rep"));
    }
    if plan.days == 0 || plan.days > 3660 {
        return Err(AppError::invalid("days", "between 1 and 3660 days"));
    }
    if !super::seed::is_empty(db).await? {
        return Err(AppError::Conflict(
            "This database already has people; the generator only fills an empty one.".into(),
        ));
    }
    let live = Live::announcer(db);
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let settings = super::org::load(db).await?;
    let tz = settings.tz();
    let today = settings.today();
    let types = crate::activity_types::service::scoring_types(db).await?;
    if types.is_empty() {
        return Err(AppError::BadRequest(
            "The organisation has no activity types to generate activity for.".into(),
        ));
    }
    let default_role = people::sales_roles(db)
        .await?
        .into_iter()
        .find(|r| r.is_default)
        .ok_or_else(|| {
            AppError::BadRequest("The organisation has no default sales role.".into())
        })?;

    // People.
    let mut reps = Vec::with_capacity(plan.reps);
    for i in 0..plan.reps {
        let person = people::create_person(
            db,
            &live,
            ACTOR,
            NewPerson {
                email: format!("rep{i:05}@generated.pacesetter.test"),
                name: format!("Rep {i:05}"),
                role: Some("rep".into()),
                team: Some(format!("Team {:03}", i / TEAM_SIZE + 1)),
                sales_role: Some(default_role.key.clone()),
                password: None,
            },
        )
        .await?;
        reps.push(person.id);
        if (i + 1) % 250 == 0 || i + 1 == plan.reps {
            progress(Progress {
                stage: "reps",
                done: (i + 1) as u64,
                total: plan.reps as u64,
            });
        }
    }

    // Activities: the mean per rep and working day that gives the total asked for.
    let first = today - Duration::days(i64::from(plan.days) - 1);
    let days: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| *d <= today)
        .filter(|d| working(*d))
        .collect();
    let weight_sum: f64 = days.iter().map(|d| seasonality(*d)).sum::<f64>().max(1e-9);
    let per_unit = plan.activities as f64 / (weight_sum * plan.reps as f64);
    let mix: Vec<f64> = types
        .iter()
        .map(|t| {
            MIX.iter()
                .find(|(k, _)| *k == t.key)
                .map(|(_, w)| *w)
                .unwrap_or(0.05)
        })
        .collect();
    let mix_total: f64 = mix.iter().sum();
    let mut written: u64 = 0;
    let mut buffer: Vec<ActivityWrite> = Vec::with_capacity(CHUNK);
    for (di, day) in days.iter().enumerate() {
        let mean = per_unit * seasonality(*day);
        for (ri, rep) in reps.iter().enumerate() {
            // Whole activities: the remainder of the mean is a chance of one more.
            let mut n = mean.floor() as u64;
            if rng.gen::<f64>() < mean.fract() {
                n += 1;
            }
            // The last day tops up to the exact total.
            if di + 1 == days.len() && ri + 1 == reps.len() {
                let planned = written + buffer.len() as u64 + n;
                if planned < plan.activities {
                    n += plan.activities - planned;
                }
            }
            for _ in 0..n {
                if written + buffer.len() as u64 >= plan.activities {
                    break;
                }
                let mut pick = rng.gen::<f64>() * mix_total;
                let mut t = 0;
                while t + 1 < types.len() && pick >= mix[t] {
                    pick -= mix[t];
                    t += 1;
                }
                let rule = &types[t];
                let duration = (rule.key == "call" || rule.min_duration_seconds.is_some())
                    .then(|| rng.gen_range(30..1200));
                let local = day.and_hms_opt(rng.gen_range(8..18), rng.gen_range(0..60), 0);
                let occurred_at = local
                    .and_then(|l| tz.from_local_datetime(&l).earliest())
                    .map(|d| d.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(Default::default())));
                let account = rng.gen_bool(0.5).then(|| {
                    format!(
                        "Account {:05}",
                        (ri * 40 + rng.gen_range(0..BOOK)) % (plan.reps * 4).max(BOOK)
                    )
                });
                buffer.push(ActivityWrite {
                    rep_id: *rep,
                    activity_type_id: rule.id,
                    occurred_at,
                    local_date: *day,
                    quantity: 1,
                    duration_seconds: duration,
                    qualifies: rule.qualifies(duration),
                    note: None,
                    account,
                    source: Some(SOURCE.into()),
                    external_id: None,
                    client_key: None,
                });
                if buffer.len() == CHUNK {
                    written += flush(db, &mut buffer).await?;
                    progress(Progress {
                        stage: "activities",
                        done: written,
                        total: plan.activities,
                    });
                }
            }
        }
    }
    written += flush(db, &mut buffer).await?;
    progress(Progress {
        stage: "activities",
        done: written,
        total: plan.activities,
    });

    // Deals: about two a rep a month, through the deals service's write.
    let months = (f64::from(plan.days) / 30.4).max(1.0);
    let mut deal_rows: Vec<DealWrite> = Vec::new();
    for (ri, rep) in reps.iter().enumerate() {
        let n = (2.0 * months).round() as i64;
        for k in 0..n {
            let created_on = first + Duration::days(rng.gen_range(0..i64::from(plan.days)));
            let close = created_on + Duration::days(rng.gen_range(10..120));
            let roll: f64 = rng.gen();
            let amount = rng.gen_range(1_000..60_000) as i64 * 100;
            let (status, stage, probability, lost_reason, closed_on, expected) =
                if close <= today && roll < 0.35 {
                    ("won", "Won", 100, None, Some(close), Some(close))
                } else if close <= today && roll < 0.8 {
                    ("lost", "Lost", 0, Some("Price"), Some(close), Some(close))
                } else {
                    let (stage, p) = crate::deals::PIPELINE_STAGES
                        [rng.gen_range(0..crate::deals::PIPELINE_STAGES.len())];
                    let expected = today + Duration::days(rng.gen_range(5..180));
                    ("open", stage, p, None, None, Some(expected))
                };
            deal_rows.push(DealWrite {
                rep_id: *rep,
                name: format!("Deal {k} of rep {ri}"),
                account: Some(format!(
                    "Account {:05}",
                    (ri * 40 + rng.gen_range(0..BOOK)) % (plan.reps * 4).max(BOOK)
                )),
                amount_minor: amount,
                currency: settings.currency.clone(),
                stage: stage.to_string(),
                probability,
                status,
                lost_reason: lost_reason.map(str::to_string),
                new_customer: rng.gen_bool(0.3),
                created_on,
                expected_close: expected,
                closed_on,
                source: Some(SOURCE.into()),
                external_id: None,
            });
        }
    }
    for (i, chunk) in deal_rows.chunks(5_000).enumerate() {
        let mut tx = db.begin_write().await?;
        for d in chunk {
            deals::write(&mut tx, &Writer::Person(ACTOR.into()), d).await?;
        }
        tx.commit().await?;
        progress(Progress {
            stage: "deals",
            done: ((i + 1) * 5_000).min(deal_rows.len()) as u64,
            total: deal_rows.len() as u64,
        });
    }

    // Targets of the default role, every month of the span and the next two.
    let mut target_rows = Vec::new();
    let mut month = first.with_day(1).unwrap_or(first);
    let end = (today + Duration::days(62)).with_day(1).unwrap_or(today);
    let per_day = per_unit * 21.0;
    while month <= end {
        target_rows.push(TargetWrite {
            metric: Metric::TurnoverWon.key(),
            scope: "role",
            subject_id: default_role.id,
            month,
            value: 2_000_000,
        });
        for (t, share) in types.iter().zip(&mix) {
            let value = (per_day * share / mix_total).round() as i64;
            if value > 0 {
                target_rows.push(TargetWrite {
                    metric: Metric::ActivityCount {
                        activity_type_id: t.id,
                    }
                    .key(),
                    scope: "role",
                    subject_id: default_role.id,
                    month,
                    value,
                });
            }
        }
        month = (month + Duration::days(32))
            .with_day(1)
            .unwrap_or(end + Duration::days(1));
    }
    targets::put_targets(db, &live, ACTOR, &target_rows).await?;
    live.changed(crate::live::LiveKind::Activity).await;
    Ok(Generated {
        reps: reps.len(),
        teams: plan.reps.div_ceil(TEAM_SIZE),
        activities: written,
        deals: deal_rows.len(),
        targets: target_rows.len(),
    })
}

/// Writes the buffered activities in one transaction through the store's bulk path.
async fn flush(db: &Db, buffer: &mut Vec<ActivityWrite>) -> Result<u64, AppError> {
    if buffer.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    store::insert_bulk(&mut tx, buffer).await?;
    tx.commit().await?;
    let n = buffer.len() as u64;
    buffer.clear();
    Ok(n)
}
