//! Benchmark 2 of "Speed at any size": batch ingest through the API against raw inserts of
//! the same rows in one process.
//!
//! Both sides start from a new organisation (default activity types and sales role) with
//! `INGEST_REPS` reps (default 100) on a fresh database, and write the same
//! `INGEST_ACTIVITIES` activities (default 100,000: a month of calls, emails, meetings … with
//! a source and an external id, as a CRM sends them):
//!
//! - **API**: `POST /api/v1/activities/batch` over HTTP to the app on a local port, 10,000
//!   items a request, one request at a time (what `pacesetter import` or a nightly sync
//!   does): JSON parsing, every field checked, reps and types resolved, each item upserted
//!   on its key, the daily rollups kept, one transaction and one live notice per batch.
//! - **raw**: `INSERT`s into `activities` (the same columns and values, bound parameters),
//!   10,000 rows a transaction, nothing else: one row a statement, then 500 rows a statement
//!   (the floor of what storing these rows costs through sqlx).
//!
//! Prints both rates and their ratio. `cargo bench --features ssr --bench ingest`; with
//! `TEST_POSTGRES_URL` set (`export TEST_POSTGRES_URL=$(scripts/postgres.sh | tail -n 1)`)
//! PostgreSQL too.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, Utc};
use common::{fresh_database, Engine, TestApp};
use pacesetter::live::Live;
use pacesetter::on_tx;
use pacesetter::people::service::{create_person, NewPerson};
use pacesetter::server::db::Db;
use serde_json::{json, Value};

const BATCH: usize = 10_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The activities both sides write: (rep index, type key, occurred_at, external id).
fn activities(
    reps: usize,
    n: usize,
    now: DateTime<Utc>,
) -> Vec<(usize, &'static str, DateTime<Utc>, String)> {
    const TYPES: [&str; 7] = [
        "call", "email", "meeting", "visit", "check_in", "demo", "proposal",
    ];
    (0..n)
        .map(|i| {
            let minutes = (i as i64 * 37) % (30 * 24 * 60);
            (
                i % reps,
                TYPES[(i / reps) % TYPES.len()],
                now - Span::minutes(10 + minutes),
                format!("bench-{i}"),
            )
        })
        .collect()
}

async fn people(db: &Db, reps: usize) {
    let live = Live::announcer(db);
    for r in 0..reps {
        create_person(
            db,
            &live,
            "bench",
            NewPerson {
                email: format!("rep{r}@bench.test"),
                name: format!("Rep {r:04}"),
                team: Some(format!("Team {}", r / 10)),
                ..NewPerson::default()
            },
        )
        .await
        .expect("rep");
    }
}

fn rate(n: usize, d: Duration) -> String {
    format!(
        "{:>9.0} activities/s ({:.2} s)",
        n as f64 / d.as_secs_f64(),
        d.as_secs_f64()
    )
}

async fn through_api(
    engine: Engine,
    reps: usize,
    rows: &[(usize, &str, DateTime<Utc>, String)],
) -> Duration {
    let app = TestApp::start_new_organisation(engine).await;
    people(&app.db, reps).await;
    let (_, token) = pacesetter::server::tokens::create_api_token(
        &app.db,
        "bench",
        "bench",
        &["ingest".to_string()],
    )
    .await
    .expect("token");
    let client = reqwest::Client::new();
    let bodies: Vec<Value> = rows
        .chunks(BATCH)
        .map(|chunk| {
            json!({ "items": chunk.iter().map(|(r, kind, at, key)| json!({
                "rep_email": format!("rep{r}@bench.test"),
                "type": kind,
                "occurred_at": at.to_rfc3339(),
                "source": "bench",
                "external_id": key,
            })).collect::<Vec<_>>() })
        })
        .collect();
    let started = Instant::now();
    for body in &bodies {
        let res = client
            .post(app.at("/api/v1/activities/batch"))
            .bearer_auth(&token)
            .json(body)
            .send()
            .await
            .expect("send");
        let status = res.status();
        assert!(
            status.is_success(),
            "{status}: {}",
            res.text().await.unwrap_or_default()
        );
    }
    let took = started.elapsed();
    assert_eq!(app.count("activities").await as usize, rows.len());
    took
}

/// `per_statement` rows a statement: 1 (one `INSERT` a row) or many (`VALUES (…), (…), …`).
async fn raw(
    engine: Engine,
    reps: usize,
    rows: &[(usize, &str, DateTime<Utc>, String)],
    per_statement: usize,
) -> Duration {
    let (url, _dir) = fresh_database(engine).await;
    let db = Db::open(&url).await.expect("open");
    pacesetter::settings::service::start_organisation(&db, "Pacesetter", "UTC")
        .await
        .expect("organisation");
    people(&db, reps).await;
    let rep_ids: Vec<i64> = pacesetter::on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE '%@bench.test' ORDER BY id"
    )
    .fetch_all(pool)
    .await)
    .expect("reps");
    let types: Vec<(i64, String)> = pacesetter::on_db!(&db, |pool| sqlx::query_as(
        "SELECT id, key FROM activity_types"
    )
    .fetch_all(pool)
    .await)
    .expect("types");
    let type_id = |key: &str| {
        types
            .iter()
            .find(|(_, k)| k == key)
            .map(|(id, _)| *id)
            .expect("type")
    };
    let started = Instant::now();
    for chunk in rows.chunks(BATCH) {
        let mut tx = db.begin_write().await.expect("begin");
        let now = Utc::now();
        for group in chunk.chunks(per_statement) {
            let values: Vec<String> = (0..group.len())
                .map(|i| {
                    let p = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, 1, TRUE, 'bench', ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        group.len() * 5 + 1
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, \
                 quantity, qualifies, source, external_id, created_at) VALUES {}",
                values.join(", ")
            );
            on_tx!(&mut tx, |c| {
                let mut q = sqlx::query(&sql);
                for (r, kind, at, key) in group {
                    q = q
                        .bind(rep_ids[*r])
                        .bind(type_id(kind))
                        .bind(*at)
                        .bind(at.date_naive())
                        .bind(key.as_str());
                }
                q.bind(now).execute(c).await.map(|_| ())
            })
            .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    started.elapsed()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let reps = env("INGEST_REPS", 100);
    let n = env("INGEST_ACTIVITIES", 100_000);
    let rows = activities(reps, n, Utc::now());
    let mut engines = vec![("SQLite", Engine::Sqlite)];
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        engines.push(("PostgreSQL", Engine::Postgres));
    }
    for (name, engine) in engines {
        println!("\n{name}: {n} activities for {reps} reps, batches of {BATCH}");
        let raw_took = raw(engine, reps, &rows, 1).await;
        let many_took = raw(engine, reps, &rows, 500).await;
        let api_took = through_api(engine, reps, &rows).await;
        let share = |raw: Duration| 100.0 * raw.as_secs_f64() / api_took.as_secs_f64();
        println!("  raw, one INSERT a row             {}", rate(n, raw_took));
        println!("  raw, 500 rows an INSERT           {}", rate(n, many_took));
        println!("  POST /api/v1/activities/batch     {}", rate(n, api_took));
        println!(
            "  API against raw: {:.0} % of one INSERT a row, {:.0} % of 500 rows an INSERT",
            share(raw_took),
            share(many_took)
        );
    }
}
