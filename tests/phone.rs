//! The rep's phone: a rep changes or deletes their own activities of today, and only those;
//! a bad edit names its fields and changes nothing. On SQLite and PostgreSQL.

mod common;

use common::{exec, fixture, scalar, Engine, TestApp, PASSWORD};

on_both_engines!(
    a_rep_edits_and_deletes_own_activity_of_today,
    a_long_enough_call_starts_to_count,
);

/// What a rep may change on an activity, as one comparable line.
async fn details(app: &TestApp, id: &str) -> (i64, i64, i64) {
    (
        scalar(&app.db, &format!("SELECT COALESCE(duration_seconds, -1) FROM activities WHERE id = {id}")).await,
        scalar(&app.db, &format!("SELECT CAST(LENGTH(COALESCE(note, '')) + LENGTH(COALESCE(account, '')) AS BIGINT) FROM activities WHERE id = {id}")).await,
        scalar(&app.db, "SELECT COALESCE(CAST(SUM(units) AS BIGINT), 0) FROM daily_rollups").await,
    )
}

async fn log(app: &TestApp, client: &reqwest::Client, key: &str) -> String {
    let res = app.call(client, "log_activity", &[("type_key", key)]).await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    v["id"].as_i64().unwrap().to_string()
}

async fn a_rep_edits_and_deletes_own_activity_of_today(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let id = log(&app, &ada, "call").await;
    let edit = |id: &str, note: &str, minutes: &str, account: &str| {
        vec![
            ("id", id.to_string()),
            ("note", note.to_string()),
            ("duration_minutes", minutes.to_string()),
            ("account", account.to_string()),
        ]
    };
    let call = |client: &reqwest::Client, args: Vec<(&'static str, String)>| {
        let args: Vec<(&str, String)> = args;
        let client = client.clone();
        let url = app.at("/api/edit_activity");
        async move { client.post(url).form(&args).send().await.unwrap() }
    };

    let res = call(&ada, edit(&id, " Spoke to the CFO ", "12", "Acme")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let note: String = match &app.db {
        pacesetter::server::db::Db::Sqlite(p) => {
            sqlx::query_scalar(&format!("SELECT note FROM activities WHERE id = {id}"))
                .fetch_one(p)
                .await
                .unwrap()
        }
        pacesetter::server::db::Db::Postgres(p) => {
            sqlx::query_scalar(&format!("SELECT note FROM activities WHERE id = {id}"))
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(note, "Spoke to the CFO", "stored trimmed");
    let saved = details(&app, &id).await;
    assert_eq!(saved.0, 12 * 60);
    assert_eq!(saved.2, 1, "the call still counts once");

    // Bad fields are each named; nothing changes.
    let res = call(
        &ada,
        edit(&id, &"x".repeat(501), "twelve", &"y".repeat(201)),
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    for field in ["note", "duration_minutes", "account"] {
        assert!(body.contains(field), "{field}: {body}");
    }
    let res = call(&ada, edit(&id, "", "-3", "")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("duration_minutes"));
    assert_eq!(details(&app, &id).await, saved);

    // Ben can neither change nor delete Ada's activity.
    let res = call(&ben, edit(&id, "mine now", "1", "")).await;
    assert_eq!(res.status(), 404);
    let res = app
        .call(&ben, "delete_activity", &[("id", id.as_str())])
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(details(&app, &id).await, saved);
    assert_eq!(app.count("activities WHERE deleted_at IS NULL").await, 1);

    // Blanks clear the details.
    let res = call(&ada, edit(&id, "", "", "")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(details(&app, &id).await, (-1, 0, 1));

    // Every activity of today is Ada's to edit, not only the latest ten.
    let mut ids = vec![id.clone()];
    for _ in 0..11 {
        ids.push(log(&app, &ada, "call").await);
    }
    let score: serde_json::Value = app
        .call(&ada, "my_score", &[("period", "month")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(score["today"].as_array().unwrap().len(), 12);
    let res = call(&ada, edit(&ids[0], "first of the day", "", "")).await;
    assert_eq!(res.status(), 200);

    // Yesterday's is not today's any more.
    exec(
        &app.db,
        &format!(
            "UPDATE activities SET local_date = '2000-01-03' WHERE id = {}",
            ids[1]
        ),
    )
    .await;
    let res = call(&ada, edit(&ids[1], "late fix", "", "")).await;
    assert_eq!(res.status(), 404);

    // Ada deletes one of hers: it stops counting; a second delete or an edit finds nothing.
    let units = details(&app, &id).await.2;
    let res = app
        .call(&ada, "delete_activity", &[("id", id.as_str())])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(details(&app, &id).await.2, units - 1);
    let res = app
        .call(&ada, "delete_activity", &[("id", id.as_str())])
        .await;
    assert_eq!(res.status(), 404);
    let res = call(&ada, edit(&id, "gone", "", "")).await;
    assert_eq!(res.status(), 404);
}

async fn a_long_enough_call_starts_to_count(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    exec(
        &app.db,
        "UPDATE activity_types SET min_duration_seconds = 120 WHERE key = 'call'",
    )
    .await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let id = log(&app, &ada, "call").await;
    let units = || {
        scalar(
            &app.db,
            "SELECT COALESCE(CAST(SUM(units) AS BIGINT), 0) FROM daily_rollups",
        )
    };
    assert_eq!(units().await, 0, "a tapped call has no duration yet");
    let set = |m: &'static str| {
        let id = id.clone();
        let ada = ada.clone();
        let url = app.at("/api/edit_activity");
        async move {
            ada.post(url)
                .form(&[
                    ("id", id.as_str()),
                    ("note", ""),
                    ("duration_minutes", m),
                    ("account", ""),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(set("1").await, 200);
    assert_eq!(units().await, 0, "one minute is too short");
    assert_eq!(set("2").await, 200);
    assert_eq!(units().await, 1, "two minutes count");
    assert_eq!(set("").await, 200);
    assert_eq!(units().await, 0, "no duration, no count");
}
