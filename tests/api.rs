//! The integration API end to end over HTTP, on a real SQLite file and a real PostgreSQL
//! server: tokens and scopes, idempotent retries, upserts that keep scores exact, all-or-
//! nothing batches, concurrent retries, the error shape, the leaderboard and the OpenAPI document.

mod common;

use common::{exec, fixture, scalar, Engine, TestApp};
use pacesetter::server::db::Db;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

on_both_engines!(
    one_integration_cannot_rewrite_another,
    tokens_are_required_and_scopes_enforced,
    idempotent_retry_replays_the_first_response,
    reusing_a_key_with_another_body_is_refused,
    upserts_update_and_the_score_counts_once,
    a_batch_mixing_new_and_known_records_stores_what_one_by_one_would,
    deals_are_created_and_upserted,
    a_batch_with_one_bad_item_writes_nothing,
    a_full_batch_is_written_and_a_larger_one_refused,
    concurrent_retries_with_one_key_write_one_row,
    concurrent_upserts_of_one_record_write_one_row,
    malformed_json_and_wrong_content_type_are_refused,
    unknown_rep_and_type_are_named,
    oversized_body_is_refused_with_413,
    leaderboard_ranks_by_period_and_team,
    openapi_document_covers_every_route,
    random_json_never_fails_the_server_nor_writes_part,
    admin_sets_activity_types_and_versioned_weights,
    admin_creates_users,
    admin_changes_settings_and_scores_follow_the_time_zone,
    admin_sets_targets_all_or_nothing,
);

const JUNE: &str = "2025-06-10T10:00:00Z";

async fn token(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    pacesetter::server::tokens::create_api_token(&app.db, "test", "integration", &scopes)
        .await
        .expect("token")
        .1
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    Reply {
        status,
        headers,
        body,
    }
}

async fn post_raw(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Vec<u8>,
    content_type: Option<&str>,
    key: Option<&str>,
) -> Reply {
    let mut req = reqwest::Client::new()
        .post(app.at(path))
        .bearer_auth(token)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    reply(req.send().await.expect("request")).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value, key: Option<&str>) -> Reply {
    post_raw(
        app,
        token,
        path,
        body.to_string().into_bytes(),
        Some("application/json"),
        key,
    )
    .await
}

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    reply(
        reqwest::Client::new()
            .get(app.at(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request"),
    )
    .await
}

fn call(rep: &str, at: &str) -> Value {
    json!({"rep_email": rep, "type": "call", "occurred_at": at})
}

/// A rep's activity score (hundredths) in June 2025, from the API's own leaderboard.
async fn june_score(app: &TestApp, token: &str, email: &str) -> i64 {
    score_on(app, token, email, "2025-06-10").await
}

async fn score_on(app: &TestApp, token: &str, email: &str, date: &str) -> i64 {
    let r = get(
        app,
        token,
        &format!("/api/v1/leaderboard?metric=activity_score&period=month&date={date}"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let entry = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["rep_email"] == email)
        .cloned();
    entry.unwrap_or_else(|| panic!("{email} not on the board: {}", r.body))["value"]
        .as_i64()
        .unwrap()
}

/// Rollups must always equal the sum of live, qualifying activities.
async fn rollups_match_activities(db: &Db) {
    let rolled = scalar(
        db,
        "SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) FROM daily_rollups",
    )
    .await;
    let raw = scalar(db, "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM activities WHERE qualifies = TRUE AND deleted_at IS NULL").await;
    assert_eq!(
        rolled, raw,
        "daily rollups drifted from the activities they sum"
    );
}

fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
    assert!(r.body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(r.body["error"]["details"].is_array());
}

async fn tokens_are_required_and_scopes_enforced(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ingest = token(&app, &["ingest"]).await;
    let read = token(&app, &["read"]).await;
    let admin = token(&app, &["admin"]).await;
    let body = call("ada@example.com", JUNE);

    let none = reply(
        reqwest::Client::new()
            .post(app.at("/api/v1/activities"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&none, 401, "unauthenticated");
    assert_eq!(none.headers["www-authenticate"], "Bearer");
    let basic = reply(
        reqwest::Client::new()
            .post(app.at("/api/v1/activities"))
            .basic_auth("x", Some(&ingest))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&basic, 401, "unauthenticated");
    assert_error(
        &post(&app, "not-a-real-token", "/api/v1/activities", &body, None).await,
        401,
        "unauthenticated",
    );
    assert_error(
        &get(&app, "", "/api/v1/leaderboard").await,
        401,
        "unauthenticated",
    );

    // Wrong scope: 403 both ways; nothing written.
    assert_error(
        &post(&app, &read, "/api/v1/activities", &body, None).await,
        403,
        "insufficient_scope",
    );
    assert_error(
        &post(
            &app,
            &read,
            "/api/v1/deals/batch",
            &json!({"items": []}),
            None,
        )
        .await,
        403,
        "insufficient_scope",
    );
    assert_error(
        &get(&app, &ingest, "/api/v1/leaderboard").await,
        403,
        "insufficient_scope",
    );
    assert_eq!(app.count("activities").await, 0);

    // The right scopes, and admin for both; use is recorded.
    assert_eq!(
        post(&app, &ingest, "/api/v1/activities", &body, None)
            .await
            .status,
        201
    );
    assert_eq!(
        post(&app, &admin, "/api/v1/activities", &body, None)
            .await
            .status,
        201
    );
    assert_eq!(get(&app, &read, "/api/v1/leaderboard").await.status, 200);
    assert_eq!(get(&app, &admin, "/api/v1/leaderboard").await.status, 200);
    let mut used = 0;
    for _ in 0..50 {
        used = scalar(
            &app.db,
            "SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL",
        )
        .await;
        if used == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(used, 3, "last_used_at is set on the tokens that were used");

    // A revoked token stops working at once, and the error never echoes it.
    exec(
        &app.db,
        "UPDATE api_tokens SET revoked_at = created_at WHERE scopes = 'ingest'",
    )
    .await;
    let revoked = post(&app, &ingest, "/api/v1/activities", &body, None).await;
    assert_error(&revoked, 401, "unauthenticated");
    assert!(!revoked.body.to_string().contains(&ingest));
    assert_eq!(app.count("activities").await, 2);
}

async fn idempotent_retry_replays_the_first_response(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest", "read"]).await;
    let body = call("ada@example.com", JUNE);
    let first = post(&app, &t, "/api/v1/activities", &body, Some("retry-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    assert_eq!(first.body["outcome"], "created");
    for _ in 0..3 {
        let again = post(&app, &t, "/api/v1/activities", &body, Some("retry-1")).await;
        assert_eq!(again.status, 201);
        assert_eq!(
            again.body, first.body,
            "the replay is the stored first response"
        );
        assert_eq!(again.headers["idempotent-replayed"], "true");
    }
    assert_eq!(app.count("activities").await, 1);
    assert_eq!(june_score(&app, &t, "ada@example.com").await, 300);

    // A batch replays the same way; a new key is a new request.
    let batch = json!({"items": [call("ben@example.com", JUNE), call("ben@example.com", JUNE)]});
    let b1 = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &batch,
        Some("retry-2"),
    )
    .await;
    let b2 = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &batch,
        Some("retry-2"),
    )
    .await;
    assert_eq!((b1.status, b2.status), (200, 200));
    assert_eq!(b1.body, b2.body);
    assert_eq!(b1.body["created"], 2);
    assert_eq!(app.count("activities").await, 3);
    assert_eq!(
        post(&app, &t, "/api/v1/activities", &body, Some("retry-3"))
            .await
            .status,
        201
    );
    assert_eq!(app.count("activities").await, 4);

    // A failed request does not burn its key: fixed and resent, it is written once.
    let bad = json!({"rep_email": "ada@example.com", "type": "nope", "occurred_at": JUNE});
    assert_error(
        &post(&app, &t, "/api/v1/activities", &bad, Some("retry-4")).await,
        422,
        "validation_failed",
    );
    assert_eq!(app.count("activities").await, 4);

    // Keys belong to their token: another token's same key is its own request.
    let other = token(&app, &["ingest"]).await;
    assert_eq!(
        post(&app, &other, "/api/v1/activities", &body, Some("retry-1"))
            .await
            .status,
        201
    );
    assert_eq!(app.count("activities").await, 5);
    rollups_match_activities(&app.db).await;
}

async fn reusing_a_key_with_another_body_is_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    assert_eq!(
        post(
            &app,
            &t,
            "/api/v1/activities",
            &call("ada@example.com", JUNE),
            Some("k")
        )
        .await
        .status,
        201
    );
    let other = post(
        &app,
        &t,
        "/api/v1/activities",
        &call("ben@example.com", JUNE),
        Some("k"),
    )
    .await;
    assert_error(&other, 422, "idempotency_key_reused");
    // Same body on another route is another request too.
    let elsewhere = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &call("ada@example.com", JUNE),
        Some("k"),
    )
    .await;
    assert_error(&elsewhere, 422, "idempotency_key_reused");
    assert_eq!(app.count("activities").await, 1);
    let bad_key = post(
        &app,
        &t,
        "/api/v1/activities",
        &call("ada@example.com", JUNE),
        Some(&"x".repeat(300)),
    )
    .await;
    assert_error(&bad_key, 400, "invalid_idempotency_key");
}

async fn upserts_update_and_the_score_counts_once(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let t = token(&app, &["ingest", "read"]).await;
    let mut a = json!({"rep_email": "ada@example.com", "type": "call", "occurred_at": JUNE, "quantity": 2,
        "source": "crm", "external_id": "A-1", "note": "first"});
    let first = post(&app, &t, "/api/v1/activities", &a, None).await;
    assert_eq!(first.status, 201);
    assert_eq!(june_score(&app, &t, "ada@example.com").await, 600);

    a["quantity"] = json!(3);
    let second = post(&app, &t, "/api/v1/activities", &a, None).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["outcome"], "updated");
    assert_eq!(second.body["id"], first.body["id"]);
    assert_eq!(app.count("activities").await, 1);
    assert_eq!(
        june_score(&app, &t, "ada@example.com").await,
        900,
        "3 calls once, not 2 + 3"
    );

    // Another type (email: 1 point, capped at 2 a day) and another rep.
    a["type"] = json!("email");
    a["rep_email"] = json!("ben@example.com");
    a["quantity"] = json!(5);
    assert_eq!(
        post(&app, &t, "/api/v1/activities", &a, None).await.status,
        200
    );
    assert_eq!(june_score(&app, &t, "ada@example.com").await, 0);
    assert_eq!(june_score(&app, &t, "ben@example.com").await, 200);

    // Moved to July: June loses it, July has it.
    a["occurred_at"] = json!("2025-07-01T09:00:00Z");
    assert_eq!(
        post(&app, &t, "/api/v1/activities", &a, None).await.status,
        200
    );
    assert_eq!(june_score(&app, &t, "ben@example.com").await, 0);
    assert_eq!(
        score_on(&app, &t, "ben@example.com", "2025-07-15").await,
        200
    );

    // The same record twice in one batch: the last one wins, still one row.
    let mut b = a.clone();
    b["quantity"] = json!(1);
    let batch = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &json!({"items": [a, b]}),
        None,
    )
    .await;
    assert_eq!(batch.status, 200, "{}", batch.body);
    assert_eq!(batch.body["updated"], 2);
    assert_eq!(app.count("activities").await, 1);
    assert_eq!(
        score_on(&app, &t, "ben@example.com", "2025-07-15").await,
        100
    );

    // Too short for the type's minimum: kept, does not count; long enough again: counts.
    exec(
        &app.db,
        "UPDATE activity_types SET min_duration_seconds = 60 WHERE key = 'call'",
    )
    .await;
    let mut c = json!({"rep_email": "cy@example.com", "type": "call", "occurred_at": JUNE, "duration_seconds": 20,
        "source": "dialler", "external_id": "c-9"});
    let short = post(&app, &t, "/api/v1/activities", &c, None).await;
    assert_eq!(short.body["counts"], false);
    assert_eq!(june_score(&app, &t, "cy@example.com").await, 0);
    c["duration_seconds"] = json!(75);
    let long = post(&app, &t, "/api/v1/activities", &c, None).await;
    assert_eq!(long.body["counts"], true);
    assert_eq!(june_score(&app, &t, "cy@example.com").await, 300);

    // Deleted in the app: an upsert updates it but does not bring it back.
    let id = long.body["id"].as_i64().unwrap();
    let mut tx = app.db.begin_write().await.unwrap();
    let deleted = pacesetter::activities::store::delete(&mut tx, f.cy, id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(deleted.is_some());
    c["duration_seconds"] = json!(90);
    let dead = post(&app, &t, "/api/v1/activities", &c, None).await;
    assert_eq!(
        (dead.status, dead.body["counts"].clone()),
        (200, json!(false))
    );
    assert_eq!(june_score(&app, &t, "cy@example.com").await, 0);
    rollups_match_activities(&app.db).await;
}

async fn deals_are_created_and_upserted(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    let mut d = json!({"rep_email": "ada@example.com", "name": "Acme renewal", "amount": 125000, "currency": "eur",
        "stage": "Proposal", "probability": 50, "expected_close": "2025-07-31", "created_on": "2025-05-02",
        "source": "crm", "external_id": "D-7"});
    let first = post(&app, &t, "/api/v1/deals", &d, Some("deal-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    d["status"] = json!("won");
    d["closed_on"] = json!("2025-06-20");
    d["stage"] = json!(null);
    d["probability"] = json!(null);
    let won = post(&app, &t, "/api/v1/deals", &d, Some("deal-2")).await;
    assert_eq!(won.status, 200, "{}", won.body);
    assert_eq!(won.body["id"], first.body["id"]);
    assert_eq!(app.count("deals").await, 1);
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM deals WHERE status = 'won' AND probability = 100 AND stage = 'Won' AND currency = 'EUR' AND amount_minor = 125000").await, 1);

    let batch = json!({"items": [
        {"rep_email": "ben@example.com", "name": "B1", "amount": 1000, "currency": "USD", "probability": 10},
        {"rep_email": "ben@example.com", "name": "B2", "amount": 2000, "currency": "USD", "status": "lost",
         "lost_reason": "Price", "closed_on": "2025-06-01"},
        {"rep_email": "cy@example.com", "name": "C1", "amount": 3000, "currency": "USD", "status": "won"}
    ]});
    let refused = post(&app, &t, "/api/v1/deals/batch", &batch, None).await;
    assert_error(&refused, 422, "validation_failed");
    assert_eq!(refused.body["error"]["details"][0]["index"], 2);
    assert_eq!(refused.body["error"]["details"][0]["field"], "closed_on");
    assert_eq!(app.count("deals").await, 1);
    let mut batch = batch;
    batch["items"][2]["closed_on"] = json!("2025-06-03");
    let ok = post(&app, &t, "/api/v1/deals/batch", &batch, None).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["created"], 3);
    assert_eq!(app.count("deals").await, 4);
}

async fn a_batch_with_one_bad_item_writes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    let mut items: Vec<Value> = (0..5).map(|_| call("ada@example.com", JUNE)).collect();
    items[3]["type"] = json!("foo");
    let r = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &json!({ "items": items }),
        Some("b"),
    )
    .await;
    assert_error(&r, 422, "validation_failed");
    let details = r.body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{}", r.body);
    assert_eq!(details[0]["index"], 3);
    assert_eq!(details[0]["field"], "type");
    assert!(details[0]["message"].as_str().unwrap().contains("'foo'"));
    assert_eq!(app.count("activities").await, 0);
    assert_eq!(app.count("daily_rollups").await, 0);

    // Several problems in several items are all listed.
    items[3]["type"] = json!("call");
    items[0]["quantity"] = json!(0);
    items[4] = json!("not an object");
    items[2]["colour"] = json!("red");
    let r = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &json!({ "items": items }),
        None,
    )
    .await;
    let got: Vec<(i64, String)> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["index"].as_i64().unwrap(),
                d["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, "quantity".to_string()),
            (2, "colour".to_string()),
            (4, "items".to_string())
        ]
    );
    assert_eq!(app.count("activities").await, 0);
}

async fn a_full_batch_is_written_and_a_larger_one_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest", "read"]).await;
    let reps = ["ada@example.com", "ben@example.com", "cy@example.com"];
    let items: Vec<Value> = (0..10_000)
        .map(|i| {
            json!({"rep_email": reps[i % 3], "type": "call", "occurred_at": JUNE,
                   "source": "bulk", "external_id": format!("x{i}")})
        })
        .collect();
    let mut too_many = items.clone();
    too_many.push(call("ada@example.com", JUNE));
    assert_error(
        &post(
            &app,
            &t,
            "/api/v1/activities/batch",
            &json!({ "items": too_many }),
            None,
        )
        .await,
        413,
        "batch_too_large",
    );
    assert_eq!(app.count("activities").await, 0);

    let r = post(
        &app,
        &t,
        "/api/v1/activities/batch",
        &json!({ "items": items }),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["created"], 10_000);
    assert_eq!(r.body["items"][9_999]["index"], 9_999);
    assert_eq!(app.count("activities").await, 10_000);
    assert_eq!(june_score(&app, &t, "ada@example.com").await, 3334 * 300);
    rollups_match_activities(&app.db).await;
}

async fn concurrent_retries_with_one_key_write_one_row(engine: Engine) {
    let app = std::sync::Arc::new(TestApp::start(engine).await);
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    let body = json!({"items": [call("ada@example.com", JUNE), call("ben@example.com", JUNE)]});
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, t, body) = (app.clone(), t.clone(), body.clone());
            tokio::spawn(async move {
                post(
                    &app,
                    &t,
                    "/api/v1/activities/batch",
                    &body,
                    Some("same-key"),
                )
                .await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    assert!(
        replies.iter().all(|r| r.status == 200),
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, r.body.clone()))
            .collect::<Vec<_>>()
    );
    assert!(
        replies.iter().all(|r| r.body == replies[0].body),
        "every retry gets the one stored answer"
    );
    let fresh = replies
        .iter()
        .filter(|r| r.headers.get("idempotent-replayed").is_none())
        .count();
    assert_eq!(fresh, 1, "one request wrote, the others replayed");
    assert_eq!(app.count("activities").await, 2);
    assert_eq!(app.count("idempotency_keys").await, 1);
    rollups_match_activities(&app.db).await;
}

async fn concurrent_upserts_of_one_record_write_one_row(engine: Engine) {
    let app = std::sync::Arc::new(TestApp::start(engine).await);
    fixture(&app).await;
    let t = token(&app, &["ingest", "read"]).await;
    let tasks: Vec<_> = (1..=6)
        .map(|q| {
            let (app, t) = (app.clone(), t.clone());
            tokio::spawn(async move {
                let body = json!({"rep_email": "ada@example.com", "type": "call", "occurred_at": JUNE,
                    "quantity": q, "source": "crm", "external_id": "same"});
                post(&app, &t, "/api/v1/activities", &body, None).await
            })
        })
        .collect();
    for task in tasks {
        let r = task.await.unwrap();
        assert!(
            r.status == 200 || r.status == 201,
            "{} {}",
            r.status,
            r.body
        );
    }
    assert_eq!(app.count("activities").await, 1);
    let q = scalar(&app.db, "SELECT quantity FROM activities").await;
    assert_eq!(
        june_score(&app, &t, "ada@example.com").await,
        q * 300,
        "the score is the last write, once"
    );
    rollups_match_activities(&app.db).await;
}

async fn malformed_json_and_wrong_content_type_are_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    for path in [
        "/api/v1/activities",
        "/api/v1/activities/batch",
        "/api/v1/deals",
        "/api/v1/deals/batch",
    ] {
        let r = post_raw(
            &app,
            &t,
            path,
            b"{\"items\": [".to_vec(),
            Some("application/json"),
            None,
        )
        .await;
        assert_error(&r, 400, "malformed_json");
        let r = post_raw(&app, &t, path, b"".to_vec(), Some("application/json"), None).await;
        assert_error(&r, 400, "malformed_json");
        let valid = call("ada@example.com", JUNE).to_string().into_bytes();
        let r = post_raw(&app, &t, path, valid.clone(), Some("text/plain"), None).await;
        assert_error(&r, 415, "unsupported_media_type");
        let r = post_raw(&app, &t, path, valid, None, None).await;
        assert_error(&r, 415, "unsupported_media_type");
    }
    let r = post_raw(
        &app,
        &t,
        "/api/v1/activities",
        b"rep_email=ada".to_vec(),
        Some("application/x-www-form-urlencoded"),
        None,
    )
    .await;
    assert_error(&r, 415, "unsupported_media_type");
    // Valid JSON of the wrong shape is a validation error naming what is wrong.
    let r = post(&app, &t, "/api/v1/activities/batch", &json!([1, 2]), None).await;
    assert_error(&r, 422, "validation_failed");
    assert_eq!(r.body["error"]["details"][0]["field"], "items");
    let r = post(&app, &t, "/api/v1/activities", &json!("call"), None).await;
    assert_error(&r, 422, "validation_failed");
    assert_eq!(r.body["error"]["details"][0]["field"], "body");
    // Unknown routes and methods under /api/v1 answer in the same shape.
    assert_error(
        &get(&app, &t, "/api/v1/nothing-here").await,
        404,
        "not_found",
    );
    assert_error(
        &get(&app, &t, "/api/v1/activities").await,
        405,
        "method_not_allowed",
    );
    assert_eq!(app.count("activities").await, 0);
}

async fn unknown_rep_and_type_are_named(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    let r = post(
        &app,
        &t,
        "/api/v1/activities",
        &json!({"rep_email": "nobody@example.com", "type": "telepathy", "occurred_at": JUNE}),
        None,
    )
    .await;
    assert_error(&r, 422, "validation_failed");
    let details = r.body["error"]["details"].as_array().unwrap();
    let fields: Vec<&str> = details
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rep_email", "type"]);
    assert!(details[0]["message"]
        .as_str()
        .unwrap()
        .contains("nobody@example.com"));
    assert!(details[1]["message"]
        .as_str()
        .unwrap()
        .contains("'telepathy'"));
    assert!(
        details[0].get("index").is_none(),
        "a single write has no item index"
    );

    // A manager has no sales role, a deactivated rep no longer scores; emails are case-blind.
    let r = post(
        &app,
        &t,
        "/api/v1/activities",
        &call("mia@example.com", JUNE),
        None,
    )
    .await;
    assert!(r.body["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no sales role"));
    exec(
        &app.db,
        "UPDATE users SET active = FALSE WHERE email = 'ben@example.com'",
    )
    .await;
    let r = post(
        &app,
        &t,
        "/api/v1/activities",
        &call("ben@example.com", JUNE),
        None,
    )
    .await;
    assert!(r.body["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("deactivated"));
    assert_eq!(
        post(
            &app,
            &t,
            "/api/v1/activities",
            &call("ADA@Example.com", JUNE),
            None
        )
        .await
        .status,
        201
    );

    // Missing and mistyped fields; a future date.
    let r = post(
        &app,
        &t,
        "/api/v1/activities",
        &json!({"type": "call", "occurred_at": "2025-06-10 10:00", "quantity": "2"}),
        None,
    )
    .await;
    let fields: Vec<&str> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rep_email", "occurred_at", "quantity"]);
    let r = post(
        &app,
        &t,
        "/api/v1/activities",
        &call("ada@example.com", "2999-01-01T00:00:00Z"),
        None,
    )
    .await;
    assert_eq!(r.body["error"]["details"][0]["field"], "occurred_at");
    let r = post(&app, &t, "/api/v1/deals", &json!({"rep_email": "ghost@example.com", "name": "X", "amount": 1, "currency": "EUR", "probability": 5}), None).await;
    assert_error(&r, 422, "validation_failed");
    assert_eq!(r.body["error"]["details"][0]["field"], "rep_email");
    assert_eq!(app.count("activities").await, 1);
    assert_eq!(app.count("deals").await, 0);
}

/// A raw HTTP/1.1 POST: the body is written from its own task because the server may
/// answer (and close) before reading it all, as it does for a body over the limit.
async fn raw_post(
    app: &TestApp,
    token: &str,
    path: &str,
    extra_head: &str,
    body: Vec<u8>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.url.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nConnection: close\r\n{extra_head}\r\n"
    );
    let writer = tokio::spawn(async move {
        if wr.write_all(head.as_bytes()).await.is_ok() {
            let _ = wr.write_all(&body).await;
        }
    });
    let mut raw = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), rd.read_to_end(&mut raw))
        .await
        .expect("the server answers")
        .ok();
    writer.abort();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

async fn oversized_body_is_refused_with_413(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    let over = 8 * 1024 * 1024 + 1024;

    // Streamed (chunked): the API reads up to the limit and answers in its error shape.
    let mut chunked = Vec::new();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..over / chunk.len() + 1 {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(&chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    // The server answers and closes while the client may still be sending; when the
    // close resets the connection before the answer is read, the client saw nothing
    // (status 0) and tries again, as a real client would.
    let mut answer = (0, String::new());
    for _ in 0..5 {
        answer = raw_post(
            &app,
            &t,
            "/api/v1/activities/batch",
            "Transfer-Encoding: chunked\r\n",
            chunked.clone(),
        )
        .await;
        if answer.0 != 0 {
            break;
        }
    }
    let (status, body) = answer;
    assert_eq!(status, 413, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert_eq!(body["error"]["code"], "payload_too_large");

    // Announced by Content-Length: refused before a byte of the body is read.
    let (status, _) = raw_post(
        &app,
        &t,
        "/api/v1/activities",
        &format!("Content-Length: {over}\r\n"),
        // The length alone is enough to refuse; sending no body avoids the reset race.
        Vec::new(),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(app.count("activities").await, 0);
}

async fn leaderboard_ranks_by_period_and_team(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest", "read"]).await;
    let items = json!({"items": [
        {"rep_email": "ada@example.com", "type": "call", "occurred_at": JUNE, "quantity": 2},
        {"rep_email": "cy@example.com", "type": "call", "occurred_at": "2025-06-30T23:59:00Z", "quantity": 2},
        {"rep_email": "ben@example.com", "type": "email", "occurred_at": JUNE, "quantity": 9},
        {"rep_email": "ben@example.com", "type": "call", "occurred_at": "2025-07-01T00:00:00Z", "quantity": 10}
    ]});
    assert_eq!(
        post(&app, &t, "/api/v1/activities/batch", &items, None)
            .await
            .status,
        200
    );

    let r = get(
        &app,
        &t,
        "/api/v1/leaderboard?metric=activity_score&period=month&date=2025-06-10",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["metric"], "activity_score");
    assert_eq!(r.body["period"]["kind"], "month");
    assert_eq!(r.body["period"]["start"], "2025-06-01");
    assert_eq!(r.body["period"]["end"], "2025-06-30");
    assert_eq!(r.body["period"]["closed"], true);
    let rows: Vec<(i64, &str, i64)> = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rank"].as_i64().unwrap(),
                e["rep_email"].as_str().unwrap(),
                e["value"].as_i64().unwrap(),
            )
        })
        .collect();
    // Ada and Cy tie at 6.00 and share rank 1; Ben's 9 emails are capped at 2 a day.
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[0].0, rows[1].0), (1, 1));
    assert_eq!(rows[2], (3, "ben@example.com", 200));
    let ada = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["rep_email"] == "ada@example.com")
        .unwrap();
    assert_eq!(ada["rep_name"], "Ada Lovelace");
    assert_eq!(ada["team"], "Alpha");
    assert_eq!(ada["display"], "6.00");
    assert_eq!(ada["activity_index_tenths"], 100);

    let team = get(
        &app,
        &t,
        "/api/v1/leaderboard?period=month&date=2025-06-10&team=Alpha",
    )
    .await;
    let emails: Vec<&str> = team.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rep_email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ada@example.com", "ben@example.com"]);
    let week = get(&app, &t, "/api/v1/leaderboard?period=week&date=2025-07-01").await;
    assert_eq!(week.body["period"]["start"], "2025-06-30");
    let top = &week.body["entries"][0];
    assert_eq!(
        (top["rep_email"].as_str(), top["value"].as_i64()),
        (Some("ben@example.com"), Some(3000))
    );

    assert_error(
        &get(&app, &t, "/api/v1/leaderboard?period=fortnight").await,
        400,
        "bad_request",
    );
    assert_error(
        &get(&app, &t, "/api/v1/leaderboard?metric=vibes").await,
        400,
        "unknown_metric",
    );
    assert_error(
        &get(&app, &t, "/api/v1/leaderboard?date=10/06/2025").await,
        400,
        "invalid_date",
    );
    assert_error(
        &get(&app, &t, "/api/v1/leaderboard?team=Gamma").await,
        404,
        "not_found",
    );
    assert_error(
        &get(&app, &t, "/api/v1/leaderboard?team=%00").await,
        404,
        "not_found",
    );
    let today = get(&app, &t, "/api/v1/leaderboard").await;
    assert_eq!(
        (today.status, today.body["period"]["kind"].as_str()),
        (200, Some("month"))
    );
}

async fn openapi_document_covers_every_route(engine: Engine) {
    let app = TestApp::start(engine).await;
    let res = reqwest::get(app.at("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let doc: Value = res.json().await.unwrap();
    // CI (or a person) can have the document written out to check it with a validator.
    if let Ok(path) = std::env::var("PACESETTER_OPENAPI_OUT") {
        std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap())
            .expect("write the OpenAPI document");
    }
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routes = [
        ("/api/v1/activities", "post", Some("ingest")),
        ("/api/v1/activities/batch", "post", Some("ingest")),
        ("/api/v1/deals", "post", Some("ingest")),
        ("/api/v1/deals/batch", "post", Some("ingest")),
        ("/api/v1/leaderboard", "get", Some("read")),
        ("/api/v1/reps/{email}/scorecard", "get", Some("read")),
        ("/api/v1/activity-types/{key}", "put", Some("admin")),
        ("/api/v1/users", "post", Some("admin")),
        ("/api/v1/users/{email}", "patch", Some("admin")),
        ("/api/v1/sales-roles/{key}", "put", Some("admin")),
        ("/api/v1/settings", "put", Some("admin")),
        ("/api/v1/targets", "put", Some("admin")),
        ("/api/v1/openapi.json", "get", None),
    ];
    let mut documented = 0;
    for ops in doc["paths"].as_object().unwrap().values() {
        documented += ops.as_object().unwrap().len();
    }
    assert_eq!(documented, routes.len(), "every operation is listed here");
    for (path, method, scope) in routes {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is documented");
        if let Some(scope) = scope {
            assert_eq!(op["security"][0]["bearer"][0], scope, "{path}");
            assert!(op["responses"]["401"].is_object(), "{path}");
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let activity = &doc["components"]["schemas"]["ActivityInput"];
    assert!(activity["properties"]["type"].is_object());
    let required: Vec<&str> = activity["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(required.contains(&"rep_email") && !required.contains(&"quantity"));
}

// ---------------------------------------------------------------------------------------
// Property: whatever JSON arrives, the answer is never a 500 and a batch is written whole
// or not at all.
// ---------------------------------------------------------------------------------------

const FIELD_NAMES: [&str; 10] = [
    "rep_email",
    "type",
    "occurred_at",
    "quantity",
    "duration_seconds",
    "note",
    "account",
    "source",
    "external_id",
    "items",
];

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "call", "email", "foo", "", " ", "\u{0}", "ada@example.com", "BEN@example.com", "mia@example.com",
            "nobody@example.com", "2025-06-10T10:00:00Z", "2025-06-10", "2999-01-01T00:00:00Z", "crm", "x1",
        ])
        .prop_map(str::to_string),
        1 => ".{0,12}",
        1 => "\\PC{200,260}",
        1 => Just("a\u{0}b".to_string()),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-3i64..8).prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(FIELD_NAMES.to_vec()).prop_map(str::to_string),
                    "[a-z_]{1,10}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid activity with a few fields dropped or replaced by anything.
fn arb_item() -> impl Strategy<Value = Value> {
    let base = (
        prop::sample::select(vec!["ada@example.com", "ben@example.com", "cy@example.com"]),
        prop::sample::select(vec!["call", "email"]),
        1i64..4,
        prop::option::of((prop::sample::select(vec!["crm", "dialler"]), 0i64..3)),
    )
        .prop_map(|(rep, kind, q, key)| {
            let mut item =
                json!({"rep_email": rep, "type": kind, "occurred_at": JUNE, "quantity": q});
            if let Some((source, id)) = key {
                item["source"] = json!(source);
                item["external_id"] = json!(format!("e{id}"));
            }
            item
        });
    // Mostly a plain string or number in a known field: that is what gets past parsing
    // and reaches the database, where the engines differ.
    let value = prop_oneof![
        3 => arb_string().prop_map(Value::String),
        1 => (-2i64..100_000).prop_map(|n| json!(n)),
        1 => arb_json(),
    ];
    let mutation = (
        prop::sample::select(FIELD_NAMES.to_vec()),
        prop::option::of(value),
    );
    (base, prop::collection::vec(mutation, 0..2)).prop_map(|(mut item, mutations)| {
        for (field, value) in mutations {
            let obj = item.as_object_mut().expect("object");
            match value {
                Some(v) => obj.insert(field.to_string(), v),
                None => obj.remove(field),
            };
        }
        item
    })
}

fn arb_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => arb_json(),
        1 => prop::collection::vec(arb_json(), 0..4).prop_map(|items| json!({ "items": items })),
        4 => prop::collection::vec(prop_oneof![12 => arb_item(), 1 => arb_json()], 1..5).prop_map(|items| json!({ "items": items })),
    ]
}

async fn totals(db: &Db) -> (i64, i64) {
    (
        scalar(db, "SELECT COUNT(*) FROM activities").await,
        scalar(
            db,
            "SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) FROM daily_rollups",
        )
        .await,
    )
}

async fn check_random_body(app: &TestApp, token: &str, body: &Value) -> Result<(), TestCaseError> {
    let before = totals(&app.db).await;
    let r = post(app, token, "/api/v1/activities/batch", body, None).await;
    let after = totals(&app.db).await;
    prop_assert!(
        [200u16, 400, 413, 415, 422].contains(&r.status),
        "status {} for {}: {}",
        r.status,
        body,
        r.body
    );
    if r.status == 200 {
        let n = body["items"].as_array().map(|a| a.len()).unwrap_or(0);
        let results = r.body["items"].as_array().cloned().unwrap_or_default();
        prop_assert_eq!(results.len(), n, "one result per item");
        let created = results.iter().filter(|i| i["outcome"] == "created").count() as i64;
        prop_assert_eq!(after.0 - before.0, created, "rows added = items created");
    } else {
        prop_assert!(
            r.body["error"]["code"].is_string(),
            "error shape: {}",
            r.body
        );
        prop_assert_eq!(after, before, "a refused batch writes nothing: {}", r.body);
    }
    let raw = scalar(&app.db, "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM activities WHERE qualifies = TRUE AND deleted_at IS NULL").await;
    prop_assert_eq!(after.1, raw, "rollups equal the live activities they sum");
    Ok(())
}

async fn random_json_never_fails_the_server_nor_writes_part(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let t = token(&app, &["ingest"]).await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    });
    let result = tokio::task::block_in_place(|| {
        runner.run(&arb_body(), |body| {
            handle.block_on(check_random_body(&app, &t, &body))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let written = app.count("activities").await;
    assert!(
        written > 0,
        "the generator also makes valid batches, and they were written"
    );
}

// ---------------------------------------------------------------------------------------
// Admin scope: configuring a deployment from a script.
// ---------------------------------------------------------------------------------------

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> Reply {
    let req = reqwest::Client::new()
        .put(app.at(path))
        .bearer_auth(token)
        .json(body);
    reply(req.send().await.expect("request")).await
}

fn fields_of(r: &Reply) -> Vec<(Option<i64>, String)> {
    r.body["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {}", r.body))
        .iter()
        .map(|d| {
            (
                d["index"].as_i64(),
                d["field"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn admin_sets_activity_types_and_versioned_weights(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = token(&app, &["admin"]).await;
    let ingest = token(&app, &["ingest", "read"]).await;
    let demo = json!({"label": "Demo", "icon": "D", "weight": 8, "effective_from": "2025-01-01"});
    assert_error(
        &put(&app, &ingest, "/api/v1/activity-types/demo", &demo).await,
        403,
        "insufficient_scope",
    );

    let created = put(&app, &admin, "/api/v1/activity-types/demo", &demo).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["weights"],
        json!([{"effective_from": "2025-01-01", "weight_hundredths": 800}])
    );
    assert_eq!(created.body["leading"], true);
    let at = |day: &str| json!({"rep_email": "ada@example.com", "type": "demo", "occurred_at": format!("2025-06-{day}T10:00:00Z")});
    assert_eq!(
        post(&app, &ingest, "/api/v1/activities", &at("10"), None)
            .await
            .status,
        201
    );
    assert_eq!(june_score(&app, &ingest, "ada@example.com").await, 800);

    // A new weight from 15 June: the activity of the 10th keeps 8 points, later ones get 10.5.
    let changed = put(
        &app,
        &admin,
        "/api/v1/activity-types/demo",
        &json!({"weight": "10.5", "effective_from": "2025-06-15"}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        changed.body["label"], "Demo",
        "fields left out keep their value"
    );
    assert_eq!(changed.body["weights"].as_array().unwrap().len(), 2);
    assert_eq!(
        post(&app, &ingest, "/api/v1/activities", &at("20"), None)
            .await
            .status,
        201
    );
    assert_eq!(
        june_score(&app, &ingest, "ada@example.com").await,
        800 + 1050
    );

    // A cap of 1 a day, then removed with null.
    let capped = put(
        &app,
        &admin,
        "/api/v1/activity-types/demo",
        &json!({"daily_cap": 1}),
    )
    .await;
    assert_eq!(capped.body["daily_cap"], 1);
    assert_eq!(
        post(&app, &ingest, "/api/v1/activities", &at("20"), None)
            .await
            .status,
        201
    );
    assert_eq!(
        june_score(&app, &ingest, "ada@example.com").await,
        800 + 1050
    );
    let uncapped = put(
        &app,
        &admin,
        "/api/v1/activity-types/demo",
        &json!({"daily_cap": null}),
    )
    .await;
    assert_eq!(uncapped.body["daily_cap"], Value::Null);
    assert_eq!(
        june_score(&app, &ingest, "ada@example.com").await,
        800 + 2 * 1050
    );

    // Deactivated: no longer accepted by ingestion.
    assert_eq!(
        put(
            &app,
            &admin,
            "/api/v1/activity-types/demo",
            &json!({"active": false})
        )
        .await
        .status,
        200
    );
    let refused = post(&app, &ingest, "/api/v1/activities", &at("21"), None).await;
    assert_eq!(fields_of(&refused), [(None, "type".to_string())]);

    let bad = put(
        &app,
        &admin,
        "/api/v1/activity-types/Bad-Key",
        &json!({"label": "X", "weight": 1}),
    )
    .await;
    assert_eq!(fields_of(&bad), [(None, "key".to_string())]);
    let bad = put(
        &app,
        &admin,
        "/api/v1/activity-types/fax",
        &json!({"label": "Fax"}),
    )
    .await;
    assert_eq!(fields_of(&bad), [(None, "weight".to_string())]);
    let bad = put(
        &app,
        &admin,
        "/api/v1/activity-types/fax",
        &json!({"label": "Fax", "weight": 1.234, "colour": 1}),
    )
    .await;
    let mut got = fields_of(&bad);
    got.sort();
    assert_eq!(
        got,
        [(None, "colour".to_string()), (None, "weight".to_string())]
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM activity_types WHERE key = 'fax'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'activity_type:demo'"
        )
        .await,
        5
    );
}

async fn admin_creates_users(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = token(&app, &["admin"]).await;
    let body = json!({"email": " New.Rep@Example.com", "name": "New Rep", "team": "Gamma", "sales_role": "sdr",
        "password": "long-enough-password"});
    let r = post(&app, &admin, "/api/v1/users", &body, None).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["email"], "new.rep@example.com");
    assert_eq!(
        (r.body["role"].as_str(), r.body["team"].as_str()),
        (Some("rep"), Some("Gamma"))
    );
    assert!(!r.body.to_string().contains("long-enough-password"));
    let signed_in = app
        .sign_in(&app.client(), "new.rep@example.com", "long-enough-password")
        .await;
    assert!(signed_in.status().is_success() || signed_in.status().is_redirection());
    // A new rep with a sales role scores at once.
    let t = token(&app, &["ingest"]).await;
    assert_eq!(
        post(
            &app,
            &t,
            "/api/v1/activities",
            &call("new.rep@example.com", JUNE),
            None
        )
        .await
        .status,
        201
    );

    assert_error(
        &post(&app, &admin, "/api/v1/users", &body, None).await,
        409,
        "conflict",
    );
    let bad = json!({"email": "nope", "name": "", "role": "boss", "sales_role": "ae", "password": "short"});
    let r = post(&app, &admin, "/api/v1/users", &bad, None).await;
    let mut got: Vec<String> = fields_of(&r).into_iter().map(|(_, f)| f).collect();
    got.sort();
    assert_eq!(got, ["email", "name", "password", "role", "sales_role"]);
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM users").await, 6);
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM audit_log WHERE entity LIKE 'user:%' AND actor LIKE 'api_token:%'").await, 1);
}

async fn admin_changes_settings_and_scores_follow_the_time_zone(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = token(&app, &["admin"]).await;
    // 20:00 UTC on 30 June is already 1 July in Auckland (UTC+12 in winter).
    let late = json!({"items": [
        call("ada@example.com", "2025-06-30T20:00:00Z"),
        call("ben@example.com", "2025-06-10T10:00:00Z")
    ]});
    assert_eq!(
        post(&app, &admin, "/api/v1/activities/batch", &late, None)
            .await
            .status,
        200
    );
    assert_eq!(june_score(&app, &admin, "ada@example.com").await, 300);

    let r = put(&app, &admin, "/api/v1/settings", &json!({"time_zone": "Pacific/Auckland", "fiscal_year_start_month": 4,
        "working_weekdays": [5, 1, 2, 3, 4, 1], "band_thresholds": {"outstanding": 125, "on_track": "100", "at_risk": 87.5},
        "composite_cap": 150})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["time_zone"], "Pacific/Auckland");
    assert_eq!(r.body["activities_redated"], 1);
    assert_eq!(r.body["working_weekdays"], json!([1, 2, 3, 4, 5]));
    assert_eq!(
        (
            r.body["band_outstanding_bp"].as_i64(),
            r.body["band_at_risk_bp"].as_i64()
        ),
        (Some(12_500), Some(8_750))
    );
    assert_eq!(
        r.body["org_name"], "Test Org",
        "fields left out keep their value"
    );
    assert_eq!(june_score(&app, &admin, "ada@example.com").await, 0);
    assert_eq!(
        score_on(&app, &admin, "ada@example.com", "2025-07-15").await,
        300
    );
    assert_eq!(june_score(&app, &admin, "ben@example.com").await, 300);
    rollups_match_activities(&app.db).await;
    // New activities are dated in the new zone too.
    assert_eq!(
        post(
            &app,
            &admin,
            "/api/v1/activities",
            &call("cy@example.com", "2025-06-30T20:00:00Z"),
            None
        )
        .await
        .status,
        201
    );
    assert_eq!(
        score_on(&app, &admin, "cy@example.com", "2025-07-15").await,
        300
    );
    // Quarters follow the fiscal year start (April): 15 July is in Q2, July–September.
    let q = get(
        &app,
        &admin,
        "/api/v1/leaderboard?period=quarter&date=2025-07-15",
    )
    .await;
    assert_eq!(
        (
            q.body["period"]["start"].as_str(),
            q.body["period"]["end"].as_str()
        ),
        (Some("2025-07-01"), Some("2025-09-30"))
    );

    let bad = put(&app, &admin, "/api/v1/settings", &json!({"time_zone": "Mars/Olympus", "fiscal_year_start_month": 13,
        "working_weekdays": [], "band_thresholds": {"outstanding": 80, "on_track": 100, "at_risk": 90}})).await;
    let mut got: Vec<String> = fields_of(&bad).into_iter().map(|(_, f)| f).collect();
    got.sort();
    assert_eq!(
        got,
        [
            "band_thresholds",
            "fiscal_year_start_month",
            "time_zone",
            "working_weekdays"
        ]
    );
    let bad = put(
        &app,
        &admin,
        "/api/v1/settings",
        &json!({"band_thresholds": {"outstanding": 120}}),
    )
    .await;
    let mut got: Vec<String> = fields_of(&bad).into_iter().map(|(_, f)| f).collect();
    got.sort();
    assert_eq!(got, ["band_thresholds.at_risk", "band_thresholds.on_track"]);
    let settings = pacesetter::server::org::load(&app.db).await.unwrap();
    assert_eq!(
        (
            settings.time_zone.as_str(),
            settings.fiscal_year_start_month
        ),
        ("Pacific/Auckland", 4)
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'settings'"
        )
        .await,
        1
    );
}

async fn admin_sets_targets_all_or_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = token(&app, &["admin"]).await;
    let mut items = json!([
        {"metric": "activity_score", "rep_email": "ada@example.com", "month": "2025-06", "value": 100_000},
        {"metric": "activity_count:call", "role": "sdr", "month": "2025-06-01", "value": 40},
        {"metric": "turnover_won", "role": "sdr", "month": "2025-07", "value": 5_000_000}
    ]);
    let r = put(&app, &admin, "/api/v1/targets", &json!({ "items": items })).await;
    assert_eq!(
        (r.status, r.body["set"].as_i64()),
        (200, Some(3)),
        "{}",
        r.body
    );
    items[0]["value"] = json!(120_000);
    assert_eq!(
        put(&app, &admin, "/api/v1/targets", &json!({ "items": items }))
            .await
            .status,
        200
    );
    assert_eq!(
        app.count("targets").await,
        3,
        "setting the same target again updates it"
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT value FROM targets WHERE metric = 'activity_score'"
        )
        .await,
        120_000
    );
    let call_id = scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'call'").await;
    assert_eq!(
        scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM targets WHERE metric = 'activity_count:{call_id}'")
        )
        .await,
        1
    );

    let bad = json!({"items": [
        {"metric": "activity_score", "rep_email": "ada@example.com", "month": "2025-08", "value": 1},
        {"metric": "vibes", "rep_email": "ghost@example.com", "month": "June", "value": -1},
        {"metric": "deals_won", "rep_email": "ada@example.com", "role": "sdr", "month": "2025-08", "value": 2}
    ]});
    let r = put(&app, &admin, "/api/v1/targets", &bad).await;
    assert_error(&r, 422, "validation_failed");
    assert_eq!(
        fields_of(&r),
        [
            (Some(1), "metric".to_string()),
            (Some(1), "rep_email".to_string()),
            (Some(1), "month".to_string()),
            (Some(1), "value".to_string()),
            (Some(2), "rep_email".to_string()),
        ]
    );
    assert_eq!(
        app.count("targets").await,
        3,
        "nothing of a refused batch is set"
    );
}

/// A source belongs to the integration that first wrote it: another token sending the same
/// `(source, external_id)` is refused and changes nothing; the owner may still move its
/// record to another rep, and that is audited.
async fn one_integration_cannot_rewrite_another(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let dialler = token(&app, &["ingest", "read"]).await;
    let rogue = token(&app, &["ingest"]).await;
    let mut record = json!({"rep_email": "ada@example.com", "type": "call", "occurred_at": JUNE,
        "source": "dialler", "external_id": "c-1001"});
    assert_eq!(
        post(&app, &dialler, "/api/v1/activities", &record, None)
            .await
            .status,
        201
    );
    let mut hijack = record.clone();
    hijack["rep_email"] = json!("ben@example.com");
    hijack["quantity"] = json!(1_000_000);
    let refused = post(&app, &rogue, "/api/v1/activities", &hijack, None).await;
    assert_error(&refused, 409, "conflict");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'dialler'"),
        "{}",
        refused.body
    );
    let batch = json!({"items": [call("ben@example.com", JUNE), hijack.clone()]});
    assert_error(
        &post(&app, &rogue, "/api/v1/activities/batch", &batch, None).await,
        409,
        "conflict",
    );
    assert_eq!(june_score(&app, &dialler, "ada@example.com").await, 300);
    assert_eq!(
        june_score(&app, &dialler, "ben@example.com").await,
        0,
        "nothing of the batch was written"
    );

    let deal = json!({"rep_email": "ada@example.com", "name": "Acme", "amount": 100, "currency": "EUR",
        "probability": 50, "source": "crm", "external_id": "D-1"});
    assert_eq!(
        post(&app, &dialler, "/api/v1/deals", &deal, None)
            .await
            .status,
        201
    );
    assert_error(
        &post(&app, &rogue, "/api/v1/deals", &deal, None).await,
        409,
        "conflict",
    );

    // The owner moves its own record to Ben: allowed, and the audit log says so.
    record["rep_email"] = json!("ben@example.com");
    assert_eq!(
        post(&app, &dialler, "/api/v1/activities", &record, None)
            .await
            .status,
        200
    );
    assert_eq!(june_score(&app, &dialler, "ben@example.com").await, 300);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'reassign' AND actor LIKE 'api_token:%'"
        )
        .await,
        1
    );
}

/// Every row of `activities` and `daily_rollups`, as one text each (for comparing two
/// databases on the same engine).
async fn stored_rows(app: &TestApp) -> (String, String) {
    let activities = "SELECT COALESCE(string_agg(r, ',' ORDER BY r), '') FROM (SELECT \
        CAST(rep_id AS TEXT) || ' ' || CAST(activity_type_id AS TEXT) || ' ' || \
        CAST(occurred_at AS TEXT) || ' ' || CAST(local_date AS TEXT) || ' ' || \
        CAST(quantity AS TEXT) || ' ' || COALESCE(source, '-') || ' ' || \
        COALESCE(external_id, '-') || ' ' || COALESCE(note, '-') AS r FROM activities) t";
    let rollups = "SELECT COALESCE(string_agg(r, ',' ORDER BY r), '') FROM (SELECT \
        CAST(rep_id AS TEXT) || ' ' || CAST(local_date AS TEXT) || ' ' || \
        CAST(activity_type_id AS TEXT) || ' ' || CAST(units AS TEXT) || ' ' || \
        CAST(duration_seconds AS TEXT) AS r FROM daily_rollups WHERE units <> 0) t";
    let read = |sql: &'static str| async move {
        pacesetter::on_db!(&app.db, |pool| sqlx::query_scalar::<_, String>(sql)
            .fetch_one(pool)
            .await)
        .expect("rows")
    };
    (read(activities).await, read(rollups).await)
}

/// The batch path stores new records many to a statement. A batch mixing new keys (more
/// than one statement holds), a key already stored (an update), a key repeated in the batch
/// (the last wins) and a record without a key stores exactly what sending the same items
/// one by one stores, on a second organisation set up the same way.
async fn a_batch_mixing_new_and_known_records_stores_what_one_by_one_would(engine: Engine) {
    let item = |email: &str, at: &str, quantity: i64, key: Option<String>| {
        let mut v = json!({"rep_email": email, "type": "call", "occurred_at": at,
            "quantity": quantity, "note": format!("q{quantity}")});
        if let Some(k) = key {
            v["source"] = json!("crm");
            v["external_id"] = json!(k);
        }
        v
    };
    let first = vec![
        item("ada@example.com", JUNE, 1, Some("k1".into())),
        item("ben@example.com", JUNE, 1, Some("k2".into())),
    ];
    let mut second = vec![
        item(
            "ada@example.com",
            "2025-06-11T10:00:00Z",
            3,
            Some("k1".into()),
        ),
        item(
            "ben@example.com",
            "2025-06-11T09:00:00Z",
            2,
            Some("k3".into()),
        ),
        item("cy@example.com", JUNE, 1, Some("k4".into())),
        item(
            "cy@example.com",
            "2025-06-12T10:00:00Z",
            5,
            Some("k4".into()),
        ),
        item("ada@example.com", JUNE, 4, None),
    ];
    for i in 0..450 {
        let at = format!("2025-06-{:02}T{:02}:00:00Z", 1 + i % 28, 8 + i % 9);
        second.push(item(
            "ben@example.com",
            &at,
            1 + (i % 3) as i64,
            Some(format!("n-{i}")),
        ));
    }

    let batched = TestApp::start(engine).await;
    fixture(&batched).await;
    let t = token(&batched, &["ingest"]).await;
    let one = post(
        &batched,
        &t,
        "/api/v1/activities/batch",
        &json!({"items": first}),
        None,
    )
    .await;
    assert_eq!(one.status, 200, "{}", one.body);
    let two = post(
        &batched,
        &t,
        "/api/v1/activities/batch",
        &json!({"items": second}),
        None,
    )
    .await;
    assert_eq!(two.status, 200, "{}", two.body);
    // k3, k4 (first), the one without a key and the 450: created; k1 and k4 (again): updated.
    assert_eq!(
        (two.body["created"].as_i64(), two.body["updated"].as_i64()),
        (Some(453), Some(2))
    );

    let single = TestApp::start(engine).await;
    fixture(&single).await;
    let t1 = token(&single, &["ingest"]).await;
    for it in first.iter().chain(&second) {
        let r = post(&single, &t1, "/api/v1/activities", it, None).await;
        assert!(
            r.status == 200 || r.status == 201,
            "{} {}",
            r.status,
            r.body
        );
    }

    assert_eq!(batched.count("activities").await, 2 + 3 + 450);
    let (a, r) = stored_rows(&batched).await;
    assert_eq!((a.clone(), r), stored_rows(&single).await);
    assert!(
        a.contains(" 3 crm k1 q3") && a.contains(" 5 crm k4 q5"),
        "{a}"
    );
    common::assert_rollups_agree(&batched.db).await;
    // The same batch again: every record is known now, nothing is added.
    let again = post(
        &batched,
        &t,
        "/api/v1/activities/batch",
        &json!({"items": second}),
        None,
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(batched.count("activities").await, 2 + 3 + 450 + 1);
    common::assert_rollups_agree(&batched.db).await;
}
