//! Rankings by any metric of the catalogue, for the organisation or one team, through every
//! door that shows one: `GET /api/v1/leaderboard`, the leaderboard page's server function and
//! the TV's ranking slide. Hand-computed values, on SQLite and PostgreSQL.

mod common;

use chrono::Utc;
use common::{fixture, Engine, TestApp, PASSWORD};
use serde_json::{json, Value};

on_both_engines!(
    the_api_ranks_by_any_metric_with_hand_computed_values,
    the_page_and_the_tv_rank_by_a_metric_and_a_team,
    unknown_metrics_are_a_clear_400,
);

async fn token(app: &TestApp, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    pacesetter::server::tokens::create_api_token(&app.db, "test", "t", &scopes)
        .await
        .unwrap()
        .1
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) {
    let res = reqwest::Client::new()
        .post(app.at(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .get(app.at(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// March 2026: Ada 3 calls + 4 emails on one day (cap 2: 2 count), Ben 1 call + 1 email,
/// Cy 2 calls. Ada won 10,000 (9 days) and lost 2,000; Ben won 3,000 and 2,000 (10 days
/// each); Cy lost 5,000 and has 8,000 open at 50 % expected on 25 March.
async fn march(app: &TestApp) {
    let ingest = token(app, &["ingest"]).await;
    let mut items = Vec::new();
    let mut act = |rep: &str, kind: &str, n: usize, day: u32| {
        for i in 0..n {
            items.push(
                json!({"rep_email": format!("{rep}@example.com"), "type": kind,
                "occurred_at": format!("2026-03-{day:02}T1{i}:00:00Z")}),
            );
        }
    };
    act("ada", "call", 3, 2);
    act("ada", "email", 4, 3);
    act("ben", "call", 1, 4);
    act("ben", "email", 1, 4);
    act("cy", "call", 2, 5);
    post(
        app,
        &ingest,
        "/api/v1/activities/batch",
        json!({ "items": items }),
    )
    .await;
    let deal = |rep: &str, name: &str, amount: i64, status: &str, created: &str, closed: &str| {
        json!({"rep_email": format!("{rep}@example.com"), "name": name, "amount": amount,
            "currency": "EUR", "status": status, "created_on": created, "closed_on": closed})
    };
    let deals = json!({"items": [
        deal("ada", "A1", 1_000_000, "won", "2026-03-01", "2026-03-10"),
        deal("ada", "A2", 200_000, "lost", "2026-03-01", "2026-03-12"),
        deal("ben", "B1", 300_000, "won", "2026-02-23", "2026-03-05"),
        deal("ben", "B2", 200_000, "won", "2026-03-10", "2026-03-20"),
        deal("cy", "C1", 500_000, "lost", "2026-03-01", "2026-03-15"),
        {"rep_email": "cy@example.com", "name": "C2", "amount": 800_000, "currency": "EUR",
         "status": "open", "probability": 50, "created_on": "2026-03-01", "expected_close": "2026-03-25"},
    ]});
    post(app, &ingest, "/api/v1/deals/batch", deals).await;
}

/// `(name, rank, value, display)` of every entry.
fn rows(board: &Value) -> Vec<(String, i64, Option<i64>, String)> {
    board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rep_name"].as_str().unwrap().to_string(),
                e["rank"].as_i64().unwrap(),
                e["value"].as_i64(),
                e["display"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn r(
    name: &str,
    rank: i64,
    value: Option<i64>,
    display: &str,
) -> (String, i64, Option<i64>, String) {
    (name.to_string(), rank, value, display.to_string())
}

async fn the_api_ranks_by_any_metric_with_hand_computed_values(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    march(&app).await;
    let read = token(&app, &["read"]).await;
    let board = |metric: &str, team: &str| {
        let team = if team.is_empty() {
            String::new()
        } else {
            format!("&team={team}")
        };
        format!("/api/v1/leaderboard?period=month&date=2026-03-15&metric={metric}{team}")
    };
    let (ada, ben, cy) = ("Ada Lovelace", "Ben Okri", "Cy Twombly");

    let (s, b) = get(&app, &read, &board("activity_score", "")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["metric"], "activity_score");
    assert_eq!(b["metric_label"], "Activity score");
    assert!(b["explanation"].as_str().unwrap().contains("points"), "{b}");
    // 3×3 + 2×1 = 11; 2×3 = 6; 3 + 1 = 4.
    assert_eq!(
        rows(&b),
        vec![
            r(ada, 1, Some(1100), "11.00"),
            r(cy, 2, Some(600), "6.00"),
            r(ben, 3, Some(400), "4.00")
        ]
    );
    assert_eq!(b["entries"][0]["activity_index_tenths"], 100);
    assert_eq!(b["entries"][2]["activity_index_tenths"], 36); // 4 / 11

    let (_, b) = get(&app, &read, &board("activity_count:call", "")).await;
    assert_eq!(b["metric_label"], "Call count");
    assert_eq!(
        rows(&b),
        vec![
            r(ada, 1, Some(3), "3"),
            r(cy, 2, Some(2), "2"),
            r(ben, 3, Some(1), "1")
        ]
    );
    // By type key or id alike; the daily cap of 2 emails holds.
    let (_, b) = get(&app, &read, &board("activity_count:email", "")).await;
    assert_eq!(
        rows(&b),
        vec![
            r(ada, 1, Some(2), "2"),
            r(ben, 2, Some(1), "1"),
            r(cy, 3, Some(0), "0")
        ]
    );

    let (_, b) = get(&app, &read, &board("turnover_won", "")).await;
    assert_eq!(
        rows(&b),
        vec![
            r(ada, 1, Some(1_000_000), "EUR 10,000.00"),
            r(ben, 2, Some(500_000), "EUR 5,000.00"),
            r(cy, 3, Some(0), "EUR 0.00")
        ]
    );
    // The activity score rides along, whatever the metric.
    assert_eq!(b["entries"][0]["activity_score"], 1100);
    assert_eq!(b["entries"][1]["activity_index_tenths"], 50);

    let (_, b) = get(&app, &read, &board("deals_won", "")).await;
    assert_eq!(
        rows(&b),
        vec![
            r(ben, 1, Some(2), "2"),
            r(ada, 2, Some(1), "1"),
            r(cy, 3, Some(0), "0")
        ]
    );

    let (_, b) = get(&app, &read, &board("win_rate", "")).await;
    assert_eq!(
        rows(&b),
        vec![
            r(ben, 1, Some(10_000), "100%"),
            r(ada, 2, Some(5_000), "50%"),
            r(cy, 3, Some(0), "0%")
        ]
    );

    // Lower is better: 9 days beats 10; Cy won nothing: n/a, last.
    let (_, b) = get(&app, &read, &board("sales_cycle_length", "")).await;
    assert_eq!(
        rows(&b),
        vec![
            r(ada, 1, Some(90), "9.0 days"),
            r(ben, 2, Some(100), "10.0 days"),
            r(cy, 3, None, "n/a")
        ]
    );
    assert!(b["explanation"]
        .as_str()
        .unwrap()
        .contains("Lower is better"));

    let (_, b) = get(&app, &read, &board("weighted_pipeline", "")).await;
    assert_eq!(b["entries"][0]["rep_name"], cy);
    assert_eq!(b["entries"][0]["value"], 400_000);

    // One team: only its reps, ranked among themselves.
    let (_, b) = get(&app, &read, &board("win_rate", "Alpha")).await;
    assert_eq!(b["team"], "Alpha");
    assert_eq!(
        rows(&b),
        vec![
            r(ben, 1, Some(10_000), "100%"),
            r(ada, 2, Some(5_000), "50%")
        ]
    );
    let (_, b) = get(&app, &read, &board("turnover_won", "Beta")).await;
    assert_eq!(rows(&b), vec![r(cy, 1, Some(0), "EUR 0.00")]);

    // No role scorecard in the fixture: attainment is n/a for everyone, all last.
    let (s, b) = get(&app, &read, &board("attainment", "")).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["value"].is_null() && e["display"] == "n/a" && e["rank"] == 1));
}

async fn the_page_and_the_tv_rank_by_a_metric_and_a_team(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ingest = token(&app, &["ingest"]).await;
    let today = Utc::now().date_naive().to_string();
    let won = |rep: &str, name: &str, amount: i64| {
        json!({"rep_email": format!("{rep}@example.com"), "name": name, "amount": amount,
            "currency": "EUR", "status": "won", "created_on": today, "closed_on": today})
    };
    post(
        &app,
        &ingest,
        "/api/v1/deals/batch",
        json!({"items": [won("ada", "A", 100_000), won("ben", "B", 50_000), won("ben", "B2", 60_000), won("cy", "C", 900_000)]}),
    )
    .await;
    let rep = app.signed_in("ben@example.com", PASSWORD).await;

    // The page's door: deals won in team Alpha.
    let res = app
        .call(
            &rep,
            "leaderboard",
            &[
                ("period", "month"),
                ("metric", "deals_won"),
                ("team", "Alpha"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let b: pacesetter::leaderboard::Leaderboard = res.json().await.unwrap();
    assert_eq!(
        (b.metric.as_str(), b.metric_label.as_str()),
        ("deals_won", "Deals won")
    );
    assert_eq!(b.team.as_deref(), Some("Alpha"));
    assert!(!b.explanation.is_empty() && b.updated.len() == 8, "{b:?}");
    assert_eq!(
        b.entries
            .iter()
            .map(|e| (e.name.as_str(), e.rank, e.value))
            .collect::<Vec<_>>(),
        vec![("Ben Okri", 1, Some(2)), ("Ada Lovelace", 2, Some(1))]
    );
    assert!(b.metrics.iter().any(|m| m.key == "attainment"));
    assert_eq!(b.teams, vec!["Alpha".to_string(), "Beta".to_string()]);
    // Without a metric: the activity score, as before.
    let res = app.call(&rep, "leaderboard", &[("period", "month")]).await;
    let b: pacesetter::leaderboard::Leaderboard = res.json().await.unwrap();
    assert_eq!((b.metric.as_str(), b.team), ("activity_score", None));
    assert_eq!(b.entries.len(), 3);
    // Bad metric or team: a clear message.
    let res = app
        .call(
            &rep,
            "leaderboard",
            &[("period", "month"), ("metric", "vibes")],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Unknown metric 'vibes'"));
    let res = app
        .call(
            &rep,
            "leaderboard",
            &[("period", "month"), ("team", "Gamma")],
        )
        .await;
    assert_eq!(res.status(), 404);

    // The TV's door: a display ranking turnover won, private: ranks without amounts.
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let mut tokens = Vec::new();
    for privacy in [false, true] {
        let mut form = vec![
            ("form[name]", "Wall"),
            ("form[slides][0]", "ranking"),
            ("form[metric]", "turnover_won"),
        ];
        if privacy {
            form.push(("form[privacy]", "on"));
        }
        let res = app.call(&admin, "admin_create_display", &form).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let new: Value = res.json().await.unwrap();
        tokens.push(
            new["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("/tv/")
                .to_string(),
        );
    }
    let tv = app.client();
    let mut shows = Vec::new();
    for t in &tokens {
        let res = app.call(&tv, "tv_show", &[("token", t)]).await;
        assert_eq!(res.status(), 200);
        shows.push(res.text().await.unwrap());
    }
    let open: pacesetter::tv::TvShow = serde_json::from_str(&shows[0]).unwrap();
    assert_eq!(open.ranking_label, "Turnover won");
    assert!(!open.ranking_is_activity);
    assert_eq!(
        open.ranking
            .iter()
            .map(|e| (e.name.as_str(), e.rank, e.display.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("Cy Twombly", 1, "EUR 9,000.00"),
            ("Ben Okri", 2, "EUR 1,100.00"),
            ("Ada Lovelace", 3, "EUR 1,000.00")
        ]
    );
    let private: pacesetter::tv::TvShow = serde_json::from_str(&shows[1]).unwrap();
    assert_eq!(
        private
            .ranking
            .iter()
            .map(|e| (e.name.as_str(), e.rank, e.value, e.display.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("Cy Twombly", 1, None, ""),
            ("Ben Okri", 2, None, ""),
            ("Ada Lovelace", 3, None, "")
        ]
    );
    for money in ["EUR", "9,000", "900000", "1,100"] {
        assert!(!shows[1].contains(money), "{money} in a private show");
    }
    // A display cannot be set to rank by something that is not a metric.
    let res = app
        .call(
            &admin,
            "admin_create_display",
            &[("form[name]", "Bad"), ("form[metric]", "vibes")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not a metric"));
}

async fn unknown_metrics_are_a_clear_400(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let read = token(&app, &["read"]).await;
    for metric in [
        "vibes",
        "activity_count:999",
        "activity_count:nope",
        "call_time:",
        "deals_won:1",
    ] {
        let (s, b) = get(&app, &read, &format!("/api/v1/leaderboard?metric={metric}")).await;
        assert_eq!(s, 400, "{metric}: {b}");
        assert_eq!(b["error"]["code"], "unknown_metric", "{b}");
        let message = b["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("Unknown metric"), "{message}");
        for accepted in [
            "activity_score",
            "deals_won",
            "win_rate",
            "attainment",
            "activity_count:",
        ] {
            assert!(message.contains(accepted), "{message} lacks {accepted}");
        }
    }
    // The OpenAPI document lists the accepted values.
    let doc: Value = reqwest::get(app.at("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = doc["paths"]["/api/v1/leaderboard"].to_string();
    for key in ["sales_cycle_length", "attainment", "activity_count:<type>"] {
        assert!(text.contains(key), "{key} not documented: {text}");
    }
}
