//! A database outage on PostgreSQL, made real from the test: the app's connections are cut
//! and the database refuses writes (read-only). The API answers 503 with `Retry-After`, the
//! quick log answers 503 with the error the page shows as "Can't save right now…" (the
//! phone keeps the tap queued on that answer), nothing is half-written, and when the database is back the app
//! recovers by itself, without a restart; the write retried with its key counts once.

mod common;

use std::time::Duration;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use pacesetter::server::db::Db;
use serde_json::json;

/// Cuts every connection of the app to its database; `read_only` decides what the
/// connections it opens next may do.
async fn outage(app: &TestApp, read_only: bool) {
    let Db::Postgres(pool) = &app.db else {
        unreachable!("PostgreSQL only")
    };
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    let admin = sqlx::PgPool::connect(&common::postgres_admin_url())
        .await
        .unwrap();
    let setting = if read_only { "on" } else { "off" };
    sqlx::query(&format!(
        "ALTER DATABASE {name} SET default_transaction_read_only = {setting}"
    ))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&name)
    .execute(&admin)
    .await
    .unwrap();
    admin.close().await;
}

fn call_body(external_id: &str) -> serde_json::Value {
    json!({
        "rep_email": "ada@example.com",
        "type": "call",
        "occurred_at": "2026-06-10T09:00:00Z",
        "source": "crm",
        "external_id": external_id,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_answers_503_and_recovers_by_itself() {
    if common::postgres_skipped() {
        return;
    }
    let app = TestApp::start(Engine::Postgres).await;
    fixture(&app).await;
    let token = pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "outage",
        &["ingest".to_string()],
    )
    .await
    .unwrap()
    .1;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let api = reqwest::Client::new();
    let before = app.count("activities").await;

    outage(&app, true).await;
    // The health check says so (a load balancer takes the instance out).
    let mut degraded = false;
    for _ in 0..3 {
        let health = reqwest::get(app.at("/healthz")).await.unwrap();
        if health.status() == 503 {
            let body: serde_json::Value = health.json().await.unwrap();
            assert_eq!(body["status"], "degraded", "{body}");
            degraded = true;
            break;
        }
    }
    assert!(degraded, "/healthz did not report the outage");
    // Every write is refused the same way while the database cannot take it (the first
    // may meet a connection that was cut, the next a read-only one: both are the outage).
    for attempt in 0..3 {
        let res = api
            .post(app.at("/api/v1/activities"))
            .bearer_auth(&token)
            .json(&call_body("outage-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 503, "attempt {attempt}");
        assert_eq!(
            res.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{body}");

        let res = app
            .call(
                &ada,
                "log_activity",
                &[("type_key", "call"), ("client_key", "outage-tap-1")],
            )
            .await;
        assert_eq!(res.status(), 503, "attempt {attempt}");
        // The page reads the error the server function sends and shows its words.
        let text = res.text().await.unwrap();
        let error: pacesetter::error::AppError =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not an error: {text}"));
        assert!(
            error.to_string().starts_with("Can't save right now"),
            "{error}"
        );
    }

    // The database is back: the same requests succeed without restarting the app, and
    // their retries count once.
    outage(&app, false).await;
    let mut recovered = false;
    for _ in 0..50 {
        let res = api
            .post(app.at("/api/v1/activities"))
            .bearer_auth(&token)
            .json(&call_body("outage-1"))
            .send()
            .await
            .unwrap();
        if res.status().is_success() {
            recovered = true;
            break;
        }
        assert_eq!(res.status(), 503);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the API did not recover");
    for _ in 0..2 {
        let res = app
            .call(
                &ada,
                "log_activity",
                &[("type_key", "call"), ("client_key", "outage-tap-1")],
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let res = api
            .post(app.at("/api/v1/activities"))
            .bearer_auth(&token)
            .json(&call_body("outage-1"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
    assert_eq!(app.count("activities").await, before + 2);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM activities WHERE external_id = 'outage-1' OR client_key = 'outage-tap-1'"
        )
        .await,
        2
    );
    let health = reqwest::get(app.at("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
}
