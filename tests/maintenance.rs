//! The operator's maintenance commands, on SQLite and PostgreSQL: `verify-rollups` finds
//! every planted difference between the rollups and the raw activities (and `--repair`
//! mends them); `backup` copies a SQLite database while writes continue, and the copy opens
//! with every write it acknowledged before the backup began.

mod common;

use std::process::{Command, Output};

use common::{exec, fixture, scalar, Engine, TestApp};
use pacesetter::activities::verify::{
    month_differences, pack_differences, repair_rollups, rollup_differences,
};
use pacesetter::server::db::Db;
use serde_json::json;

on_both_engines!(
    verify_rollups_finds_every_planted_difference,
    month_totals_follow_every_write_and_score_as_the_days_do,
);

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
    send_batch(app, token, items).await;
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

/// Sends `items` to the batch route with `token`.
async fn send_batch(app: &TestApp, token: &str, items: Vec<serde_json::Value>) {
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

/// Changes the `call` type through the API.
async fn put_call(app: &TestApp, token: &str, body: serde_json::Value) {
    let res = reqwest::Client::new()
        .put(app.at("/api/v1/activity-types/call"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("put type");
    let status = res.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        res.text().await.unwrap()
    );
}

/// The month totals equal a recount from the raw activities, and the scores read from them
/// (whole months) and the days (the rest) equal the scores of every day, for months, a
/// quarter, a year and a window that starts and ends mid-month.
async fn assert_months_score_as_days(app: &TestApp) {
    use pacesetter::activities::repo;
    use pacesetter::activity_types::service::{scoring_types, weight_table};
    use pacesetter::scoring::{activity_scores, Period, PeriodKind};
    common::assert_rollups_agree(&app.db).await;
    let db = &app.db;
    let types = scoring_types(db).await.unwrap();
    let weights = weight_table(db).await.unwrap();
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let periods = [
        Period::containing(PeriodKind::Month, day(4, 1), 1),
        Period::containing(PeriodKind::Month, day(5, 1), 1),
        Period::containing(PeriodKind::Quarter, day(5, 1), 1),
        Period::containing(PeriodKind::Year, day(5, 1), 1),
        Period {
            kind: PeriodKind::Last60,
            start: day(4, 10),
            end: day(6, 20),
        },
    ];
    let mut scored = 0;
    for p in periods {
        let days = repo::rollups(db, p.start, p.end, None).await.unwrap();
        let nonzero = |m: std::collections::BTreeMap<i64, pacesetter::scoring::Points>| {
            m.into_iter()
                .filter(|(_, v)| !v.is_zero())
                .collect::<Vec<_>>()
        };
        let expected = nonzero(activity_scores(&days, &types, &weights, &p));
        // Month totals read while the configuration is (the leaderboard's way).
        let config = async { Ok((types.clone(), weights.clone())) };
        let (_, _, got) = repo::period_scores(db, &p, config).await.unwrap();
        assert_eq!(nonzero(got), expected, "{p:?}");
        scored += expected.len();
    }
    assert!(scored > 0, "some scores to compare");
}

/// Month totals follow every write: a batch across three months with a capped type, the
/// same records moved to other days, months and reps, deletes, cap changes, a weight from
/// the middle of a month. A planted difference is found by `verify-rollups` and repaired.
async fn month_totals_follow_every_write_and_score_as_the_days_do(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let token = pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "months",
        &["ingest".to_string(), "admin".to_string()],
    )
    .await
    .expect("token")
    .1;
    put_call(&app, &token, json!({"daily_cap": 3})).await;
    let reps = ["ada@example.com", "ben@example.com"];
    let items = |shift: u64, turn: usize| -> Vec<serde_json::Value> {
        (0..120u64)
            .map(|i| {
                let date = chrono::NaiveDate::from_ymd_opt(2026, 4, 1)
                    .unwrap()
                    .checked_add_days(chrono::Days::new((i * 13 + shift) % 91))
                    .unwrap();
                // Accounts (one written with spaces around it) change on the second round.
                let account = [Some("Acme"), Some(" Acme "), Some("Globex"), None]
                    [((i + shift) % 4) as usize];
                json!({
                    // Every fourth record changes rep on the second round.
                    "rep_email": reps[(i as usize + turn * usize::from(i % 4 == 0)) % 2],
                    "type": if i % 3 == 0 { "email" } else { "call" },
                    "occurred_at": format!("{date}T{:02}:00:00Z", 8 + i % 9),
                    "quantity": 1 + (i + shift) % 5,
                    "account": account,
                    "source": "crm",
                    "external_id": format!("m-{i}"),
                })
            })
            .collect()
    };
    send_batch(&app, &token, items(0, 0)).await;
    assert_months_score_as_days(&app).await;
    // The same records again: other days (some in other months), quantities and reps.
    send_batch(&app, &token, items(20, 1)).await;
    assert_months_score_as_days(&app).await;

    let gone: Vec<(i64, i64)> = match &app.db {
        Db::Sqlite(p) => sqlx::query_as("SELECT id, rep_id FROM activities WHERE id % 5 = 0")
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_as("SELECT id, rep_id FROM activities WHERE id % 5 = 0")
            .fetch_all(p)
            .await
            .unwrap(),
    };
    assert!(!gone.is_empty());
    let mut tx = app.db.begin_write().await.unwrap();
    for (id, rep) in gone {
        pacesetter::activities::store::delete(&mut tx, rep, id)
            .await
            .unwrap()
            .expect("deleted");
    }
    tx.commit().await.unwrap();
    assert_months_score_as_days(&app).await;

    // A rep's edits: another account, none, or no longer qualifying.
    let edited: Vec<(i64, i64, Option<i64>)> = match &app.db {
        Db::Sqlite(p) => sqlx::query_as("SELECT id, rep_id, duration_seconds FROM activities WHERE deleted_at IS NULL AND id % 7 = 1")
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_as("SELECT id, rep_id, duration_seconds FROM activities WHERE deleted_at IS NULL AND id % 7 = 1")
            .fetch_all(p)
            .await
            .unwrap(),
    };
    assert!(edited.len() > 3);
    let mut tx = app.db.begin_write().await.unwrap();
    for (n, (id, rep, duration_seconds)) in edited.into_iter().enumerate() {
        let details = pacesetter::activities::store::ActivityDetails {
            duration_seconds,
            qualifies: n % 3 != 2,
            note: None,
            account: [Some("Initech".to_string()), None, Some("Acme".to_string())][n % 3].clone(),
        };
        pacesetter::activities::store::edit(&mut tx, rep, id, &details)
            .await
            .unwrap()
            .expect("edited");
    }
    tx.commit().await.unwrap();
    assert_months_score_as_days(&app).await;
    let accounts = scalar(
        &app.db,
        "SELECT COUNT(DISTINCT account) FROM account_months",
    )
    .await;
    assert_eq!(accounts, 3, "Acme, Globex and Initech");

    put_call(&app, &token, json!({"daily_cap": 1})).await;
    assert_months_score_as_days(&app).await;
    put_call(&app, &token, json!({"daily_cap": null})).await;
    assert_months_score_as_days(&app).await;
    put_call(
        &app,
        &token,
        json!({"weight": 7, "effective_from": "2026-05-15"}),
    )
    .await;
    assert_months_score_as_days(&app).await;

    let email = scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'email'").await;
    let planted = format!(
        "UPDATE monthly_rollups SET counted_units = counted_units + 2 \
         WHERE rep_id = {} AND month = '2026-05-01' AND activity_type_id = {email}",
        f.ada
    );
    exec(&app.db, &planted).await;
    let found = month_differences(&app.db).await.unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].stored.counted_units,
        found[0].raw.counted_units + 2
    );
    assert_eq!(rollup_differences(&app.db).await.unwrap(), vec![]);
    let out = pacesetter(&app.database_url, &["verify-rollups"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("in 2026-05"), "{}", text(&out));
    let out = pacesetter(&app.database_url, &["verify-rollups", "--repair"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("repaired 1"), "{}", text(&out));
    assert_months_score_as_days(&app).await;

    // An account month total planted wrong (and one missing) is found and repaired.
    exec(
        &app.db,
        "UPDATE account_months SET last_day = 31 WHERE account = 'Globex'",
    )
    .await;
    exec(
        &app.db,
        "DELETE FROM account_months WHERE account = 'Initech'",
    )
    .await;
    let found = pacesetter::activities::verify::account_differences(&app.db)
        .await
        .unwrap();
    assert!(found.len() >= 2, "{found:#?}");
    assert!(found
        .iter()
        .any(|d| d.key.2 == "Initech" && d.stored.is_none()));
    let out = pacesetter(&app.database_url, &["verify-rollups", "--repair"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("on account \"Globex\""),
        "{}",
        text(&out)
    );
    assert_months_score_as_days(&app).await;

    // A rep's month pack (what the team view reads) planted wrong, and one missing, are
    // found and repaired.
    let april = format!("rep_id = {} AND month = '2026-04-01'", f.ada);
    let may = format!("rep_id = {} AND month = '2026-05-01'", f.ben);
    for pair in [&april, &may] {
        let sql = format!("SELECT COUNT(*) FROM account_month_packs WHERE {pair}");
        assert_eq!(scalar(&app.db, &sql).await, 1, "{pair}");
    }
    let wrong = format!("{} 1 1 1 4:Nope", f.ada);
    exec(
        &app.db,
        &format!("UPDATE account_month_packs SET packed = '{wrong}' WHERE {april}"),
    )
    .await;
    exec(
        &app.db,
        &format!("DELETE FROM account_month_packs WHERE {may}"),
    )
    .await;
    let found = pack_differences(&app.db).await.unwrap();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].rep_id, f.ada);
    assert_eq!(found[0].stored.as_deref(), Some(wrong.as_str()));
    assert!(found[1].rep_id == f.ben && found[1].stored.is_none() && found[1].packed.is_some());
    let out = pacesetter(&app.database_url, &["verify-rollups"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("account pack 1 entries"),
        "{}",
        text(&out)
    );
    let out = pacesetter(&app.database_url, &["verify-rollups", "--repair"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("repaired 2"), "{}", text(&out));
    assert_eq!(pack_differences(&app.db).await.unwrap(), vec![]);
    assert_months_score_as_days(&app).await;
}
