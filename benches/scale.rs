//! Speed at scale, side by side in one run, on organisations made by the data generator
//! (`pacesetter generate`): SQLite, and PostgreSQL too when `TEST_POSTGRES_URL` is set.
//!
//! Every figure is for last month, whole.
//!
//! 1. The month leaderboard of `SCALE_REPS` reps (default 1,000) with 20,000 activities and
//!    with `SCALE_ACTIVITIES` (default 10,000,000): the rollup path (the leaderboard
//!    service, what every page and the API call) against a plain `GROUP BY` over the raw
//!    activities of the month on the same database. The rollup path should not grow with
//!    the raw volume; the ratio is printed.
//! 2. The cost of each page's data as the organisation grows (`SCALE_SIZES`, default
//!    10,100,1000; about 2,000 activities a rep over a year): the month leaderboard, the
//!    team view of one team of 25 and of the whole organisation.
//!
//! `cargo bench --features ssr --bench scale`
//! (`SCALE_ACTIVITIES=2000000` for a quicker run; `SCALE_SIZES=10,100,1000,5000` for the
//! full table.)

use std::time::{Duration, Instant};

use chrono::Datelike;

use pacesetter::auth::AccessRole;
use pacesetter::leaderboard::service::leaderboard_for;
use pacesetter::scoring::{Period, PeriodKind};
use pacesetter::server::db::Db;
use pacesetter::server::generate::{generate, Plan};
use pacesetter::settings::service::start_organisation;
use pacesetter::team::service::team_view_as;

const RUNS: usize = 9;
const WARM_UPS: usize = 5;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median of `RUNS` timed calls, after `WARM_UPS` untimed ones: a server runs on warm
/// pooled connections, and a page's reads run several at once, so the pool opens several;
/// on each new one PostgreSQL loads its catalog caches and sqlx prepares each statement once
/// (with one warm-up those first statements were among the timed runs).
async fn median<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..WARM_UPS {
        f().await;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[RUNS / 2]
}

/// The name of the PostgreSQL database of [`fresh`] with this tag.
fn pg_name(tag: &str) -> String {
    format!("pacesetter_scale_{tag}_{}", std::process::id())
}

/// A fresh, empty database on the engine, with the new organisation's defaults.
async fn fresh(engine: &str, tag: &str) -> (Db, Option<tempfile::TempDir>) {
    let (url, dir) = if engine == "sqlite" {
        let dir = tempfile::tempdir().expect("temp dir");
        (
            format!("sqlite://{}/scale.db", dir.path().display()),
            Some(dir),
        )
    } else {
        let admin = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL");
        let name = pg_name(tag);
        let pool = sqlx::PgPool::connect(&admin).await.expect("postgres");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&pool)
            .await
            .expect("drop");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("create");
        let base = admin.rsplit_once('/').expect("URL").0.to_string();
        (format!("{base}/{name}"), None)
    };
    let db = Db::open(&url).await.expect("open");
    start_organisation(&db, "Scale", "UTC")
        .await
        .expect("organisation");
    (db, dir)
}

/// Closes a database of [`fresh`] and, on PostgreSQL, drops it (ten million activities
/// take gigabytes).
async fn drop_fresh(engine: &str, tag: &str, db: Db) {
    match db {
        Db::Sqlite(pool) => pool.close().await,
        Db::Postgres(pool) => pool.close().await,
    }
    if engine != "sqlite" {
        let admin = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL");
        let pool = sqlx::PgPool::connect(&admin).await.expect("postgres");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {}", pg_name(tag)))
            .execute(&pool)
            .await
            .expect("drop");
    }
}

async fn fill(db: &Db, reps: usize, activities: u64) {
    let started = Instant::now();
    let made = generate(
        db,
        Plan {
            reps,
            activities,
            days: 365,
            seed: 7,
        },
        |_| {},
    )
    .await
    .expect("generate");
    let secs = started.elapsed().as_secs_f64();
    if let Db::Postgres(pool) = db {
        // What autovacuum does a minute after a bulk load: statistics for the planner, and
        // the visibility map that lets a month's totals be read from their index alone.
        sqlx::query("VACUUM ANALYZE")
            .execute(pool)
            .await
            .expect("vacuum");
        // And writes the gigabytes it dirtied now rather than during the timed reads (the
        // checkpointer flushes them in the background for minutes; a server reads data
        // written long before). Needs `pg_checkpoint` (scripts/postgres.sh grants it).
        if let Err(e) = sqlx::query("CHECKPOINT").execute(pool).await {
            println!("  (no CHECKPOINT after the load: {e})");
        }
    }
    println!(
        "  generated {} reps, {} activities, {} deals in {secs:.1} s ({:.0} activities/s)",
        made.reps,
        made.activities,
        made.deals,
        made.activities as f64 / secs
    );
}

/// Last month, whole (whatever the day the bench runs).
fn last_month() -> Period {
    let today = chrono::Utc::now().date_naive();
    let last = today.with_day0(0).expect("first") - chrono::Duration::days(1);
    Period::containing(PeriodKind::Month, last, 1)
}

/// The month leaderboard through the leaderboard service (the rollup path).
async fn board(db: &Db) {
    let b = leaderboard_for(db, "Scale", last_month(), None)
        .await
        .expect("board");
    std::hint::black_box(b);
}

/// The plain `GROUP BY` over raw activities: units per rep and type of the month, the
/// weights applied afterwards (the generator's types have one weight each).
async fn raw_group_by(db: &Db) {
    let month = last_month();
    let (first, today) = (month.start, month.end);
    let sql = "SELECT a.rep_id, a.activity_type_id, CAST(SUM(a.quantity) AS BIGINT) \
               FROM activities a WHERE a.local_date >= $1 AND a.local_date <= $2 \
               AND a.qualifies = TRUE AND a.deleted_at IS NULL \
               GROUP BY a.rep_id, a.activity_type_id";
    let rows: Vec<(i64, i64, i64)> = pacesetter::on_db!(db, |pool| sqlx::query_as(sql)
        .bind(first)
        .bind(today)
        .fetch_all(pool)
        .await)
    .expect("raw");
    std::hint::black_box(rows);
}

async fn rollups_vs_raw(engine: &str) {
    let reps: usize = env_or("SCALE_REPS", 1_000);
    let big: u64 = env_or("SCALE_ACTIVITIES", 10_000_000);
    println!("\n1. Month leaderboard, {reps} reps, {engine}: rollup path against GROUP BY over raw activities");
    println!(
        "{:>12}  {:>14}  {:>16}  {:>8}",
        "activities", "rollups (ms)", "raw GROUP BY (ms)", "ratio"
    );
    for activities in [20_000u64, big] {
        let tag = format!("lb{activities}");
        let (db, _dir) = fresh(engine, &tag).await;
        fill(&db, reps, activities).await;
        let lb = median(|| board(&db)).await;
        let raw = median(|| raw_group_by(&db)).await;
        println!(
            "{activities:>12}  {:>14.2}  {:>16.2}  {:>7.1}×",
            ms(lb),
            ms(raw),
            ms(raw) / ms(lb).max(0.001)
        );
        drop_fresh(engine, &tag, db).await;
    }
}

async fn page_costs(engine: &str) {
    let sizes: Vec<usize> = std::env::var("SCALE_SIZES")
        .unwrap_or_else(|_| "10,100,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "\n2. Server time of each page's data by organisation size, {engine} (median of {RUNS}):"
    );
    println!(
        "{:>6}  {:>11}  {:>16}  {:>15}  {:>15}",
        "reps", "activities", "leaderboard (ms)", "one team (ms)", "whole org (ms)"
    );
    for reps in sizes {
        let activities = reps as u64 * 2_000;
        let tag = format!("p{reps}");
        let (db, _dir) = fresh(engine, &tag).await;
        fill(&db, reps, activities).await;
        let lb = median(|| board(&db)).await;
        let date = last_month().end.to_string();
        let date = Some(date.as_str());
        let team = median(|| async {
            let v = team_view_as(
                &db,
                AccessRole::Admin,
                None,
                Some("month"),
                Some("Team 001"),
                date,
            )
            .await
            .expect("team");
            std::hint::black_box(v);
        })
        .await;
        let org = median(|| async {
            let v = team_view_as(&db, AccessRole::Admin, None, Some("month"), None, date)
                .await
                .expect("org");
            std::hint::black_box(v);
        })
        .await;
        println!(
            "{reps:>6}  {activities:>11}  {:>16.2}  {:>15.2}  {:>15.2}",
            ms(lb),
            ms(team),
            ms(org)
        );
        drop_fresh(engine, &tag, db).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // SQLite, and PostgreSQL with `TEST_POSTGRES_URL`; `SCALE_ENGINES=postgres` (or `sqlite`)
    // runs one of them only.
    let mut engines = vec!["sqlite"];
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        engines.push("postgres");
    }
    if let Ok(only) = std::env::var("SCALE_ENGINES") {
        engines.retain(|e| only.split(',').any(|o| o.trim() == *e));
    }
    for engine in engines {
        rollups_vs_raw(engine).await;
        page_costs(engine).await;
    }
}
