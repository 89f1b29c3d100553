//! The operator's maintenance commands, on SQLite and PostgreSQL: `verify-rollups` finds
//! every planted difference between the rollups and the raw activities (and `--repair`
//! mends them); `backup` copies a SQLite database while writes continue, and the copy opens
//! with every write it acknowledged before the backup began.

mod common;

use std::process::{Command, Output};

use common::{exec, fixture, scalar, Engine, TestApp};
use pacesetter::activities::verify::{repair_rollups, rollup_differences};
use pacesetter::server::db::Db;
use serde_json::json;

on_both_engines!(verify_rollups_finds_every_planted_difference);

fn pacesetter(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run pacesetter")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn ingest_token(app: &TestApp) -> String {
    pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "maintenance",
        &["ingest".to_string()],
    )
    .await
    .expect("token")
    .1
}

/// Sends a batch of `n` calls for Ada through the integration API, each with its own
/// external id (`tag`-i), and checks they were acknowledged.
async fn send_calls(app: &TestApp, token: &str, tag: &str, n: usize) {
    let items: Vec<_> = (0..n)
        .map(|i| {
            json!({
                "rep_email": "ada@example.com",
                "type": "call",
                "occurred_at": format!("2026-06-{:02}T10:00:00Z", 1 + i % 28),
                "quantity": 1 + (i % 3),
                "duration_seconds": 60,
                "source": "crm",
                "external_id": format!("{tag}-{i}"),
            })
        })
        .collect();
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/activities/batch"))
        .bearer_auth(token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .expect("batch");
    let status = res.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        res.text().await.unwrap()
    );
}

async fn verify_rollups_finds_every_planted_difference(engine: Engine) {
    if engine == Engine::Postgres && common::postgres_skipped() {
        return;
    }
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let token = ingest_token(&app).await;
    send_calls(&app, &token, "v", 40).await;
    assert_eq!(rollup_differences(&app.db).await.unwrap(), vec![]);
    let out = pacesetter(&app.database_url, &["verify-rollups"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("agree"), "{}", text(&out));

    // Three kinds of drift: a rollup off by one, a rollup row missing, a phantom row.
    let (call, email): (i64, i64) = (
        scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'call'").await,
        scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'email'").await,
    );
    exec(
        &app.db,
        &format!(
            "UPDATE daily_rollups SET units = units + 1 WHERE rep_id = {} AND local_date = '2026-06-02'",
            f.ada
        ),
    )
    .await;
    exec(
        &app.db,
        &format!(
            "DELETE FROM daily_rollups WHERE rep_id = {} AND local_date = '2026-06-03' AND activity_type_id = {call}",
            f.ada
        ),
    )
    .await;
    exec(&app.db, &format!("INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) VALUES ({}, '2026-06-04', {email}, 5, 0)", f.ben)).await;

    let found = rollup_differences(&app.db).await.unwrap();
    assert_eq!(found.len(), 3, "{found:#?}");
    let off = &found
        .iter()
        .find(|d| d.rep_id == f.ada && d.local_date.to_string() == "2026-06-02")
        .expect("the off-by-one day");
    assert_eq!(off.stored_units, off.raw_units + 1);
    let missing = found
        .iter()
        .find(|d| d.local_date.to_string() == "2026-06-03")
        .expect("the missing row");
    assert_eq!((missing.stored_units, missing.stored_seconds), (0, 0));
    assert!(missing.raw_units > 0 && missing.raw_seconds > 0);
    let phantom = found.iter().find(|d| d.rep_id == f.ben).expect("phantom");
    assert_eq!((phantom.stored_units, phantom.raw_units), (5, 0));

    // The command reports each of them and fails; `--repair` mends them; all agree again.
    let out = pacesetter(&app.database_url, &["verify-rollups"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    for day in ["2026-06-02", "2026-06-03", "2026-06-04"] {
        assert!(report.contains(day), "{day} missing from: {report}");
    }
    assert!(report.contains("3 differences"), "{report}");
    let out = pacesetter(&app.database_url, &["verify-rollups", "--repair"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("repaired 3"), "{}", text(&out));
    assert_eq!(rollup_differences(&app.db).await.unwrap(), vec![]);
    assert_eq!(repair_rollups(&app.db).await.unwrap(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_while_writes_continue() {
    let app = TestApp::start(Engine::Sqlite).await;
    fixture(&app).await;
    let token = ingest_token(&app).await;
    send_calls(&app, &token, "before", 50).await;
    let before = app.count("activities").await;

    // Writes keep coming while the backup runs.
    let writer = {
        let (url, token) = (app.url.clone(), token.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..60 {
                let res = client
                    .post(format!("{url}/api/v1/activities"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "rep_email": "ben@example.com",
                        "type": "call",
                        "occurred_at": "2026-06-10T09:00:00Z",
                        "source": "crm",
                        "external_id": format!("during-{i}"),
                    }))
                    .send()
                    .await
                    .expect("write during backup");
                assert!(res.status().is_success(), "{}", res.status());
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copies/pacesetter-backup.db");
    let file_arg = file.display().to_string();
    let out = tokio::task::spawn_blocking({
        let url = app.database_url.clone();
        let file_arg = file_arg.clone();
        move || pacesetter(&url, &["backup", &file_arg])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&file_arg), "{}", text(&out));
    writer.await.unwrap();
    let after = app.count("activities").await;

    // The copy is a whole database: it opens, passes SQLite's integrity check, its rollups
    // agree with its activities, and it holds every write acknowledged before it began.
    let copy = Db::open(&format!("sqlite://{file_arg}"))
        .await
        .expect("open the copy");
    let Db::Sqlite(pool) = &copy else {
        unreachable!()
    };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(rollup_differences(&copy).await.unwrap(), vec![]);
    let copied = scalar(&copy, "SELECT COUNT(*) FROM activities").await;
    assert!(
        (before..=after).contains(&copied),
        "{before} <= {copied} <= {after}"
    );

    // A backup never overwrites a file.
    let again = pacesetter(&app.database_url, &["backup", &file_arg]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_points_to_pg_dump() {
    if common::postgres_skipped() {
        return;
    }
    let app = TestApp::start(Engine::Postgres).await;
    let out = pacesetter(&app.database_url, &["backup", "/tmp/never-written.db"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
}
