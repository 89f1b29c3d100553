//! The server time of the team view's data (`/team`) for a 1,000-rep organisation on
//! SQLite, for last month (a whole month, whatever the day the bench runs): daily rollups
//! for 5 activity types (and their month totals), 8 raw activities per rep and day (half of
//! them on one of the rep's 60 accounts, and their account month totals), 30 deals per rep, monthly targets; one team of 50
//! (what its manager opens) and the whole organisation (what an admin opens), split into
//! the reads (one query per kind of data) and the scoring.
//!
//! `cargo bench --features ssr --bench team`

use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Days};
use pacesetter::auth::AccessRole;
use pacesetter::leaderboard::service::scope;
use pacesetter::live::Live;
use pacesetter::people::service::{create_person, put_sales_role, NewPerson};
use pacesetter::server::db::Db;
use pacesetter::server::org;
use pacesetter::team::service::{compute, load, team_view_as, Periods};

const REPS: usize = 1_000;
const TEAM_SIZE: usize = 50;
const TYPES: usize = 5;
const DEALS_PER_REP: usize = 30;
const ACTIVITIES_PER_DAY: usize = 8;
const BOOK: usize = 60;
const RUNS: usize = 7;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label:<52} min {:>9}  median {:>9}  max {:>9}",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

async fn exec(db: &Db, sql: &str) {
    pacesetter::on_db!(db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(200)]));
}

/// Inserts rows in batches of 500 (`values` are already-formatted tuples).
async fn insert(db: &Db, head: &str, values: Vec<String>) {
    for chunk in values.chunks(500) {
        exec(db, &format!("{head} VALUES {}", chunk.join(","))).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `TEAM_BENCH_KEEP=/path/bench.db` keeps the database there, to study its queries.
    let url = match std::env::var("TEAM_BENCH_KEEP") {
        Ok(path) => {
            let _ = std::fs::remove_file(&path);
            format!("sqlite://{path}")
        }
        Err(_) => format!("sqlite://{}/bench.db", dir.path().display()),
    };
    let db = Db::open(&url).await.expect("open");
    org::ensure(&db, "Bench", "UTC").await.expect("settings");
    let live = Live::announcer(&db);
    let role = put_sales_role(&db, &live, "bench", "sdr", Some("SDR"), true)
        .await
        .expect("role")
        .0
        .id;
    let started = Instant::now();
    let mut ids = Vec::with_capacity(REPS);
    for i in 0..REPS {
        let p = create_person(
            &db,
            &live,
            "bench",
            NewPerson {
                email: format!("rep{i}@bench.test"),
                name: format!("Rep {i:04}"),
                team: Some(format!("Team {:02}", i / TEAM_SIZE)),
                sales_role: Some("sdr".into()),
                ..NewPerson::default()
            },
        )
        .await
        .expect("rep");
        ids.push(p.id);
    }
    for t in 0..TYPES {
        exec(&db, &format!("INSERT INTO activity_types (key, label, icon, is_leading, daily_cap, sort_order, active) VALUES ('t{t}', 'Type {t}', 'T', TRUE, 20, {t}, TRUE)")).await;
        exec(&db, &format!("INSERT INTO weight_versions (activity_type_id, effective_from, weight_hundredths, created_at) SELECT id, '2000-01-01', {}, '2000-01-01T00:00:00Z' FROM activity_types WHERE key = 't{t}'", 100 * (t + 1))).await;
    }
    let type_ids: Vec<i64> = pacesetter::on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT id FROM activity_types ORDER BY sort_order"
    )
    .fetch_all(pool)
    .await)
    .expect("types");

    let today = org::load(&db).await.expect("settings").today();
    let last = today.with_day(1).expect("first") - Days::days(1);
    let first = last.with_day(1).expect("first");
    let month_start = first.to_string();
    let as_of = last.to_string();
    let (mut rollups, mut activities, mut deals, mut targets) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, rep) in ids.iter().enumerate() {
        let mut day = first;
        while day <= last {
            for (k, t) in type_ids.iter().enumerate() {
                let units = (i + k + day.day() as usize) % 7 + 1;
                rollups.push(format!("({rep}, '{day}', {t}, {units}, 0)"));
            }
            for a in 0..ACTIVITIES_PER_DAY {
                let account = if a % 2 == 0 {
                    format!(
                        "'Account {}'",
                        (i * 40 + (day.day() as usize * 7 + a) % BOOK) % 4000
                    )
                } else {
                    "NULL".to_string()
                };
                activities.push(format!(
                    "({rep}, {}, '{day}T{:02}:00:00Z', '{day}', 1, TRUE, {account}, '{day}T10:00:00Z')",
                    type_ids[a % TYPES],
                    8 + a
                ));
            }
            day += Days::days(1);
        }
        for d in 0..DEALS_PER_REP {
            let created = today - Days::days(20 + (d as i64 * 11) % 200);
            let (status, closed, expected, reason) = match d % 3 {
                0 => (
                    "won",
                    format!("'{}'", created + Days::days(15)),
                    "NULL".to_string(),
                    "NULL",
                ),
                1 => (
                    "lost",
                    format!("'{}'", created + Days::days(25)),
                    "NULL".to_string(),
                    "'price'",
                ),
                _ => (
                    "open",
                    "NULL".to_string(),
                    format!("'{}'", today + Days::days((d as i64 * 13) % 180)),
                    "NULL",
                ),
            };
            deals.push(format!(
                "({rep}, 'Deal {d}', 'Account {}', {}, 'EUR', 'Stage {}', 40, '{status}', {reason}, FALSE, '{created}', {expected}, {closed}, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
                (i * 40 + d % BOOK) % 4000,
                100_000 + (d as i64 * 7_919) % 900_000,
                d % 4
            ));
        }
        targets.push(format!(
            "('turnover_won', 'rep', {rep}, '{month_start}', 5000000)"
        ));
        for t in &type_ids {
            targets.push(format!(
                "('activity_count:{t}', 'rep', {rep}, '{month_start}', 100)"
            ));
        }
    }
    let counts = (rollups.len(), activities.len(), deals.len(), targets.len());
    insert(
        &db,
        "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds)",
        rollups,
    )
    .await;
    // The month totals, as every write keeps them beside the daily rollups.
    let mut tx = db.begin_write().await.expect("begin");
    pacesetter::activities::store::rebuild_months(&mut tx, None)
        .await
        .expect("month totals");
    tx.commit().await.expect("commit");
    insert(&db, "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, qualifies, account, created_at)", activities).await;
    // The account month totals, as every write keeps them.
    let mut tx = db.begin_write().await.expect("begin");
    pacesetter::activities::store::rebuild_account_months(&mut tx)
        .await
        .expect("account totals");
    tx.commit().await.expect("commit");
    insert(&db, "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, lost_reason, new_customer, created_on, expected_close, closed_on, created_at, updated_at)", deals).await;
    insert(
        &db,
        "INSERT INTO targets (metric, scope, subject_id, month, value)",
        targets,
    )
    .await;
    exec(&db, &format!("INSERT INTO targets (metric, scope, subject_id, month, value) VALUES ('turnover_won', 'role', {role}, '{month_start}', 1)")).await;
    println!(
        "setup: {REPS} reps, {} rollups, {} account activities, {} deals, {} targets in {}",
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        ms(started.elapsed())
    );

    println!("\nTeam view data (server time), SQLite, the month {first} to {last}:");
    for (label, team) in [
        ("one team (50 reps)", Some("Team 07")),
        ("whole organisation (1,000 reps)", None),
    ] {
        let date = Some(as_of.as_str());
        let view = team_view_as(&db, AccessRole::Admin, None, Some("month"), team, date)
            .await
            .expect("view");
        assert_eq!(
            view.reps.len(),
            if team.is_some() { TEAM_SIZE } else { REPS }
        );
        let mut whole = Vec::new();
        let mut reads = Vec::new();
        let mut scoring = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            team_view_as(&db, AccessRole::Admin, None, Some("month"), team, date)
                .await
                .expect("view");
            whole.push(t.elapsed());
            let s = scope(&db, Some("month"), date, team).await.expect("scope");
            let periods = Periods::of(&s);
            let t = Instant::now();
            let data = load(&db, &s, &periods).await.expect("load");
            reads.push(t.elapsed());
            let t = Instant::now();
            let v = compute(&s, team.map(str::to_string), &periods, &data);
            scoring.push(t.elapsed());
            assert_eq!(v.reps.len(), view.reps.len());
        }
        summary(&format!("{label}: team_view"), whole);
        println!(
            "{:<52} {:.0} KB as JSON (what the page carries for hydration)",
            format!("{label}: size"),
            serde_json::to_string(&view.clone().for_page())
                .map(|j| j.len())
                .unwrap_or(0) as f64
                / 1024.0
        );
        summary(&format!("{label}:   reads"), reads);
        summary(&format!("{label}:   scoring"), scoring);
    }
}
