//! A new organisation, as `pacesetter serve` makes it on an empty database without `--demo`:
//! it can score people added through any door at once, and the same bad input gets the same
//! error whichever door it came through. On SQLite and PostgreSQL.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{Duration, Utc};
use common::{Engine, TestApp, PASSWORD};
use serde_json::{json, Value};

on_both_engines!(
    a_new_organisation_scores_reps_added_through_every_door,
    the_same_bad_input_gets_the_same_error_through_every_door,
    sales_roles_are_created_renamed_and_assigned,
    an_activity_late_in_the_evening_counts_on_its_local_day,
);

async fn api(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = match method {
        "GET" => client.get(app.at(path)),
        "PUT" => client.put(app.at(path)),
        "PATCH" => client.patch(app.at(path)),
        _ => client.post(app.at(path)),
    }
    .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Runs the real `pacesetter` command against the app's database.
fn cli(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .arg("--database")
        .arg(&app.database_url)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pacesetter");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn admin_token(app: &TestApp) -> String {
    let scopes = vec!["admin".to_string()];
    pacesetter::server::tokens::create_api_token(&app.db, "test", "setup", &scopes)
        .await
        .expect("token")
        .1
}

fn call_now(email: &str) -> Value {
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    json!({"rep_email": email, "type": "call", "occurred_at": at})
}

async fn a_new_organisation_scores_reps_added_through_every_door(engine: Engine) {
    let app = TestApp::start_new_organisation(engine).await;
    assert_eq!(
        app.count("activity_types").await,
        7,
        "DESIGN.md's default types"
    );
    assert_eq!(app.count("sales_roles").await, 1, "one default sales role");
    assert!(
        app.count("scorecard_metrics").await >= 3,
        "with a default scorecard"
    );
    let token = admin_token(&app).await;

    // The command line.
    let (ok, out) = cli(
        &app,
        &[
            "create-user",
            "--email",
            "cli.rep@example.com",
            "--name",
            "Cli Rep",
            "--role",
            "rep",
            "--password-stdin",
        ],
        PASSWORD,
    );
    assert!(ok, "{out}");
    assert!(out.contains("sales role rep"), "{out}");
    let (ok, out) = cli(
        &app,
        &[
            "create-user",
            "--email",
            "boss@example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--password-stdin",
        ],
        PASSWORD,
    );
    assert!(ok, "{out}");

    // The integration API.
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "api.rep@example.com", "name": "Api Rep"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["sales_role"], "rep");

    // The admin page, signed in as the admin made on the command line.
    let boss = app.signed_in("boss@example.com", PASSWORD).await;
    let res = app
        .call(
            &boss,
            "admin_create_user",
            &[
                ("email", "page.rep@example.com"),
                ("name", "Page Rep"),
                ("role", "rep"),
                ("team", ""),
                ("sales_role", ""),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // Each logs an activity: two through the API, one by a tap on their phone.
    for email in ["cli.rep@example.com", "api.rep@example.com"] {
        let (status, body) = api(
            &app,
            &token,
            "POST",
            "/api/v1/activities",
            Some(call_now(email)),
        )
        .await;
        assert_eq!(status, 201, "{email}: {body}");
    }
    let page_rep = app.signed_in("page.rep@example.com", PASSWORD).await;
    let res = app
        .call(&page_rep, "log_activity", &[("type_key", "call")])
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // All three are ranked, with a call's default 3 points; the admin is not.
    let (status, board) = api(
        &app,
        &token,
        "GET",
        "/api/v1/leaderboard?metric=activity_score&period=month",
        None,
    )
    .await;
    assert_eq!(status, 200, "{board}");
    let entries = board["entries"].as_array().unwrap();
    for email in [
        "cli.rep@example.com",
        "api.rep@example.com",
        "page.rep@example.com",
    ] {
        let e = entries
            .iter()
            .find(|e| e["rep_email"] == email)
            .unwrap_or_else(|| panic!("{email} is not ranked: {board}"));
        assert_eq!(e["value"], 300, "{email}: {board}");
    }
    assert!(entries.iter().all(|e| e["rep_email"] != "boss@example.com"));
}

async fn the_same_bad_input_gets_the_same_error_through_every_door(engine: Engine) {
    let app = TestApp::start_new_organisation(engine).await;
    let token = admin_token(&app).await;
    api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "ada@example.com", "name": "Ada", "password": PASSWORD})),
    )
    .await;
    api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "root@example.com", "name": "Root", "role": "admin", "password": PASSWORD})),
    )
    .await;
    let root = app.signed_in("root@example.com", PASSWORD).await;

    // An unknown activity type: the API and the CSV import name the same field and reason.
    let mut bad = call_now("ada@example.com");
    bad["type"] = json!("fax");
    let (status, body) = api(&app, &token, "POST", "/api/v1/activities", Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "type");
    let reason = body["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(reason, "unknown activity type 'fax'");
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let csv = format!("rep_email,type,occurred_at\nada@example.com,fax,{at}\n");
    let res = app
        .call(
            &root,
            "admin_import_csv",
            &[("kind", "activities"), ("csv", &csv), ("dry_run", "false")],
        )
        .await;
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["errors"][0]["line"], 2, "{report}");
    assert_eq!(report["errors"][0]["message"], format!("type: {reason}"));

    // An activity in the future is refused the same way by both.
    let mut later = call_now("ada@example.com");
    later["occurred_at"] = json!((Utc::now() + Duration::hours(23)).to_rfc3339());
    let (status, body) = api(&app, &token, "POST", "/api/v1/activities", Some(later)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "occurred_at");

    // A person who exists already: 409 through the API and through the admin page.
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "ADA@example.com", "name": "Ada again"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let res = app
        .call(
            &root,
            "admin_create_user",
            &[
                ("email", "ada@example.com"),
                ("name", "Ada again"),
                ("role", "rep"),
                ("team", ""),
                ("sales_role", ""),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);

    // A name too long: the same field error through both (the API used to be the only one
    // to check it).
    let long = "n".repeat(101);
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "long@example.com", "name": long})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "name");
    let res = app
        .call(
            &root,
            "admin_create_user",
            &[
                ("email", "long@example.com"),
                ("name", &long),
                ("role", "rep"),
                ("team", ""),
                ("sales_role", ""),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert_eq!(app.count("users").await, 2, "nothing half-made");
}

async fn sales_roles_are_created_renamed_and_assigned(engine: Engine) {
    let app = TestApp::start_new_organisation(engine).await;
    let token = admin_token(&app).await;
    let (status, body) = api(
        &app,
        &token,
        "PUT",
        "/api/v1/sales-roles/ae",
        Some(json!({"name": "Account Exec"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = api(
        &app,
        &token,
        "PUT",
        "/api/v1/sales-roles/ae",
        Some(json!({"name": "Account Executive", "default": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["default"], true);
    let (status, body) = api(
        &app,
        &token,
        "PUT",
        "/api/v1/sales-roles/BAD KEY",
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // A rep created now gets the new default; a manager gets none until given one.
    let (_, rep) = api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "new@example.com", "name": "New Rep"})),
    )
    .await;
    assert_eq!(rep["sales_role"], "ae");
    let (_, mgr) = api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "mgr@example.com", "name": "Manager", "role": "manager"})),
    )
    .await;
    assert_eq!(mgr["sales_role"], Value::Null);
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        "/api/v1/users/mgr@example.com",
        Some(json!({"sales_role": "rep"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sales_role"], "rep");
    let (status, body) = api(
        &app,
        &token,
        "PATCH",
        "/api/v1/users/mgr@example.com",
        Some(json!({"sales_role": "nope"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    // The command line sees and changes the same roles.
    let (ok, out) = cli(
        &app,
        &[
            "sales-roles",
            "put",
            "--key",
            "field",
            "--name",
            "Field Rep",
        ],
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = cli(&app, &["sales-roles", "list"], "");
    assert!(ok, "{out}");
    assert!(out.contains("ae\tAccount Executive\tdefault"), "{out}");
    assert!(out.contains("field\tField Rep"), "{out}");
    // Every change is in the audit log.
    assert!(
        common::scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity LIKE 'sales_role:%'"
        )
        .await
            >= 3
    );
}

/// The time zone decides the day: 23:30 in New York on 15 January is 04:30 UTC on the 16th,
/// and counts on the 15th, through the same conversion every door uses.
async fn an_activity_late_in_the_evening_counts_on_its_local_day(engine: Engine) {
    let app = TestApp::start_new_organisation(engine).await;
    let token = admin_token(&app).await;
    let (status, body) = api(
        &app,
        &token,
        "PUT",
        "/api/v1/settings",
        Some(json!({"time_zone": "America/New_York"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    api(
        &app,
        &token,
        "POST",
        "/api/v1/users",
        Some(json!({"email": "ny@example.com", "name": "New York Rep"})),
    )
    .await;
    let (status, body) = api(
        &app,
        &token,
        "POST",
        "/api/v1/activities",
        Some(json!({"rep_email": "ny@example.com", "type": "call", "occurred_at": "2025-01-15T23:30:00-05:00"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let stored = common::scalar(
        &app.db,
        "SELECT COUNT(*) FROM activities WHERE local_date = '2025-01-15'",
    )
    .await;
    assert_eq!(stored, 1, "stored on its local day");
    let day = |date: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let (_, board) = api(
                app,
                &token,
                "GET",
                &format!("/api/v1/leaderboard?metric=activity_score&period=day&date={date}"),
                None,
            )
            .await;
            board["entries"][0]["value"].as_i64().unwrap_or(-1)
        }
    };
    assert_eq!(day("2025-01-15").await, 300);
    assert_eq!(day("2025-01-16").await, 0);
}
