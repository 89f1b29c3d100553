//! Role scorecards against the real server: a hand-computed card for a closed month and a
//! closed week, pacing of the open month, who may see whose card, and the API route.

mod common;

use chrono::{Datelike, NaiveDate, Utc, Weekday};
use serde_json::Value;

use common::{exec, fixture, scalar, Engine, Fixture, TestApp, PASSWORD};
use pacesetter::scorecard::service;
use pacesetter::scoring::{div_round, PeriodKind};

on_both_engines!(
    closed_month_and_week_by_hand,
    open_month_paces_on_working_days,
    who_may_see_whose_scorecard,
    api_reads_a_reps_scorecard,
    demo_seed_scorecards_resolve,
);

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Ids {
    sdr: i64,
    call: i64,
    email: i64,
}

async fn ids(app: &TestApp) -> Ids {
    Ids {
        sdr: scalar(&app.db, "SELECT id FROM sales_roles WHERE key = 'sdr'").await,
        call: scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'call'").await,
        email: scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'email'").await,
    }
}

async fn rollup(app: &TestApp, rep: i64, day: &str, type_id: i64, units: i64) {
    exec(
        &app.db,
        &format!(
            "INSERT INTO daily_rollups (rep_id, local_date, activity_type_id, units, duration_seconds) \
             VALUES ({rep}, '{day}', {type_id}, {units}, 0)"
        ),
    )
    .await;
}

async fn target(app: &TestApp, metric: &str, scope: &str, subject: i64, month: &str, value: i64) {
    exec(
        &app.db,
        &format!(
            "INSERT INTO targets (metric, scope, subject_id, month, value) \
             VALUES ('{metric}', '{scope}', {subject}, '{month}', {value})"
        ),
    )
    .await;
}

async fn deal(app: &TestApp, rep: i64, amount: i64, status: &str, closed_on: Option<&str>) {
    let closed = closed_on
        .map(|c| format!("'{c}'"))
        .unwrap_or_else(|| "NULL".into());
    exec(
        &app.db,
        &format!(
            "INSERT INTO deals (rep_id, name, amount_minor, currency, stage, probability, status, \
             new_customer, created_on, closed_on, created_at, updated_at) \
             VALUES ({rep}, 'Deal', {amount}, 'EUR', '{status}', 100, '{status}', FALSE, \
             '2025-05-01', {closed}, '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z')"
        ),
    )
    .await;
}

/// The SDR scorecard: activity score ×2, calls ×1, emails ×1 (stored with the type's key,
/// as older rows were), deals won ×1 and turnover won ×1 (which has no target).
async fn sdr_scorecard(app: &TestApp, ids: &Ids) {
    let rows = [
        ("activity_score".to_string(), true, 2),
        (format!("activity_count:{}", ids.call), true, 1),
        ("count:email".to_string(), true, 1),
        ("deals_won".to_string(), false, 1),
        ("turnover_won".to_string(), false, 1),
    ];
    for (i, (metric, leading, weight)) in rows.iter().enumerate() {
        exec(
            &app.db,
            &format!(
                "INSERT INTO scorecard_metrics (sales_role_id, metric, is_leading, weight, sort_order) \
                 VALUES ({}, '{metric}', {}, {weight}, {i})",
                ids.sdr,
                if *leading { "TRUE" } else { "FALSE" }
            ),
        )
        .await;
    }
}

/// June 2025 for Ada: 20 calls (3 points), 5 emails of which 2 count (cap), 2 deals won
/// (1,000.00 + 500.00), one lost, one won in July; a holiday on Monday 9 June.
async fn june(app: &TestApp, f: &Fixture, ids: &Ids) {
    sdr_scorecard(app, ids).await;
    rollup(app, f.ada, "2025-06-10", ids.call, 12).await;
    rollup(app, f.ada, "2025-06-11", ids.email, 5).await;
    rollup(app, f.ada, "2025-06-20", ids.call, 8).await;
    // Someone else's activity never counts for Ada.
    rollup(app, f.ben, "2025-06-10", ids.call, 50).await;
    deal(app, f.ada, 100_000, "won", Some("2025-06-12")).await;
    deal(app, f.ada, 50_000, "won", Some("2025-06-30")).await;
    deal(app, f.ada, 70_000, "lost", Some("2025-06-13")).await;
    deal(app, f.ada, 90_000, "won", Some("2025-07-01")).await;
    exec(
        &app.db,
        "INSERT INTO holidays (day, name) VALUES ('2025-06-09', 'Whit Monday')",
    )
    .await;
    let call_key = format!("activity_count:{}", ids.call);
    target(app, "activity_score", "role", ids.sdr, "2025-06-01", 5_000).await;
    target(app, &call_key, "role", ids.sdr, "2025-06-01", 30).await;
    // Ada's own call target overrides the role's.
    target(app, &call_key, "rep", f.ada, "2025-06-01", 10).await;
    target(
        app,
        "activity_count:email",
        "role",
        ids.sdr,
        "2025-06-01",
        4,
    )
    .await;
    target(app, "deals_won", "role", ids.sdr, "2025-06-01", 2).await;
    // Another month's and another rep's targets do not leak in.
    target(app, "deals_won", "role", ids.sdr, "2025-07-01", 9).await;
    target(app, "deals_won", "rep", f.ben, "2025-06-01", 7).await;
}

fn line<'a>(card: &'a Value, metric: &str) -> &'a Value {
    card["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["metric"] == metric)
        .unwrap_or_else(|| panic!("no line {metric}: {card}"))
}

#[allow(clippy::too_many_arguments)]
fn assert_line(
    card: &Value,
    metric: &str,
    actual: (&str, i64),
    target: Option<(&str, i64)>,
    expected: Option<i64>,
    attainment: Option<(&str, i64)>,
    pace: Option<(&str, i64)>,
    band: &str,
) {
    let l = line(card, metric);
    assert_eq!(l["actual"], actual.0, "{metric}: {l}");
    assert_eq!(l["actual_raw"], actual.1, "{metric}: {l}");
    match target {
        Some((t, raw)) => {
            assert_eq!(l["target"], t, "{metric}: {l}");
            assert_eq!(l["target_raw"], raw, "{metric}: {l}");
        }
        None => {
            assert_eq!(l["target"], "n/a", "{metric}: {l}");
            assert!(l["target_raw"].is_null(), "{metric}: {l}");
        }
    }
    match expected {
        Some(e) => assert_eq!(l["expected_to_date_raw"], e, "{metric}: {l}"),
        None => {
            assert_eq!(l["expected_to_date"], "n/a", "{metric}: {l}");
            assert!(l["expected_to_date_raw"].is_null(), "{metric}: {l}");
        }
    }
    let pct = |field: &str, raw: &str, v: Option<(&str, i64)>| match v {
        Some((text, bp)) => {
            assert_eq!(l[field], text, "{metric} {field}: {l}");
            assert_eq!(l[raw], bp, "{metric} {raw}: {l}");
        }
        None => {
            assert_eq!(l[field], "n/a", "{metric} {field}: {l}");
            assert!(l[raw].is_null(), "{metric} {raw}: {l}");
        }
    };
    pct("attainment", "attainment_bp", attainment);
    pct("pace", "pace_bp", pace);
    assert_eq!(l["band"]["key"], band, "{metric} band: {l}");
}

async fn closed_month_and_week_by_hand(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let ids = ids(&app).await;
    june(&app, &f, &ids).await;
    let call = format!("activity_count:{}", ids.call);
    let email = format!("activity_count:{}", ids.email);

    let card = service::rep_scorecard(&app.db, f.ada, PeriodKind::Month, d("2025-06-17"))
        .await
        .unwrap();
    let card = serde_json::to_value(&card).unwrap();
    assert_eq!(card["period_label"], "June 2025");
    assert_eq!(card["closed"], true);
    assert_eq!(card["role"], "SDR");
    // 21 weekdays in June 2025, less the holiday.
    assert_eq!(card["working_days"], 20);
    let metrics: Vec<&str> = card["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        metrics,
        ["activity_score", &call, &email, "deals_won", "turnover_won"],
        "in the template's order, the legacy email key read as the type's id"
    );
    assert_eq!(line(&card, "activity_score")["indicator"], "leading");
    assert_eq!(line(&card, "deals_won")["indicator"], "lagging");
    assert_eq!(line(&card, "activity_score")["label"], "Activity score");
    assert_eq!(line(&card, &call)["label"], "Call count");
    // Closed: expected = target, pace = attainment, bands on attainment.
    // 20 calls × 3.00 + 2 counted emails × 1.00 = 62.00 against 50.00 → 124 %.
    assert_line(
        &card,
        "activity_score",
        ("62.00", 6_200),
        Some(("50.00", 5_000)),
        Some(5_000),
        Some(("124%", 12_400)),
        Some(("124%", 12_400)),
        "outstanding",
    );
    // Ada's own target of 10, not the role's 30: 200 %.
    assert_line(
        &card,
        &call,
        ("20", 20),
        Some(("10", 10)),
        Some(10),
        Some(("200%", 20_000)),
        Some(("200%", 20_000)),
        "outstanding",
    );
    assert_line(
        &card,
        &email,
        ("2", 2),
        Some(("4", 4)),
        Some(4),
        Some(("50%", 5_000)),
        Some(("50%", 5_000)),
        "needs_intervention",
    );
    assert_line(
        &card,
        "deals_won",
        ("2", 2),
        Some(("2", 2)),
        Some(2),
        Some(("100%", 10_000)),
        Some(("100%", 10_000)),
        "on_track",
    );
    // No target: n/a, and it drops out of the composite.
    assert_line(
        &card,
        "turnover_won",
        ("1,500.00", 150_000),
        None,
        None,
        None,
        None,
        "n/a",
    );
    // (2×124 % + 1×min(200 %, 150 %) + 1×50 % + 1×100 %) / 5 = 109.6 %.
    assert_eq!(card["composite_bp"], 10_960);
    assert_eq!(card["composite"], "110%");
    assert_eq!(card["composite_band"]["key"], "on_track");
    assert_eq!(card["composite_band"]["label"], "On track");
    assert_eq!(card["pace_cap"], "150%");

    // The week of Monday 9 June (a holiday): 4 of June's 20 working days, so the activity
    // target is 50.00 × 4/20 = 10.00 and the call target 10 × 4/20 = 2.
    let week = service::rep_scorecard(&app.db, f.ada, PeriodKind::Week, d("2025-06-12"))
        .await
        .unwrap();
    let week = serde_json::to_value(&week).unwrap();
    assert_eq!(week["period_label"], "Week 24, 2025");
    assert_eq!(week["working_days"], 4);
    assert_line(
        &week,
        "activity_score",
        ("38.00", 3_800),
        Some(("10.00", 1_000)),
        Some(1_000),
        Some(("380%", 38_000)),
        Some(("380%", 38_000)),
        "outstanding",
    );
    assert_line(
        &week,
        &call,
        ("12", 12),
        Some(("2", 2)),
        Some(2),
        Some(("600%", 60_000)),
        Some(("600%", 60_000)),
        "outstanding",
    );

    // Absent the whole week: no expectation, so pace and composite are n/a, not 0 %; the
    // closed period is still banded on attainment.
    exec(
        &app.db,
        &format!(
            "INSERT INTO absences (user_id, start_date, end_date) VALUES ({}, '2025-06-06', '2025-06-16')",
            f.ada
        ),
    )
    .await;
    let away = service::rep_scorecard(&app.db, f.ada, PeriodKind::Week, d("2025-06-12"))
        .await
        .unwrap();
    let away = serde_json::to_value(&away).unwrap();
    assert_eq!(away["working_days"], 0);
    assert_line(
        &away,
        "activity_score",
        ("38.00", 3_800),
        Some(("10.00", 1_000)),
        None,
        Some(("380%", 38_000)),
        None,
        "outstanding",
    );
    assert_eq!(away["composite"], "n/a");
    assert!(away["composite_bp"].is_null());
    assert_eq!(away["composite_band"]["key"], "n/a");
    // Ben is unaffected by Ada's absence, and has only his own numbers.
    let ben = service::rep_scorecard(&app.db, f.ben, PeriodKind::Week, d("2025-06-12"))
        .await
        .unwrap();
    let ben = serde_json::to_value(&ben).unwrap();
    assert_eq!(ben["working_days"], 4);
    assert_line(
        &ben,
        &call,
        ("50", 50),
        Some(("6", 6)),
        Some(6),
        Some(("833%", 83_333)),
        Some(("833%", 83_333)),
        "outstanding",
    );
    assert_eq!(line(&ben, "deals_won")["actual_raw"], 0);
}

/// Mon–Fri working days of the current month, in total and elapsed up to today (included).
fn month_working_days(today: NaiveDate) -> (i64, i64) {
    let first = today.with_day(1).unwrap();
    let mut total = 0;
    let mut elapsed = 0;
    let mut day = first;
    while day.month() == first.month() {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            total += 1;
            if day <= today {
                elapsed += 1;
            }
        }
        day = day.succ_opt().unwrap();
    }
    (total, elapsed)
}

async fn open_month_paces_on_working_days(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let ids = ids(&app).await;
    sdr_scorecard(&app, &ids).await;
    let today = Utc::now().date_naive();
    let month = today.with_day(1).unwrap();
    let call = format!("activity_count:{}", ids.call);
    target(&app, &call, "role", ids.sdr, &month.to_string(), 30).await;
    rollup(&app, f.ada, &today.to_string(), ids.call, 3).await;

    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let res = app.call(&ada, "scorecard", &[("period", "month")]).await;
    assert_eq!(res.status(), 200);
    let card: Value = res.json().await.unwrap();
    assert_eq!(card["rep_email"], "ada@example.com");
    assert_eq!(card["closed"], false);
    assert_eq!(card["period_start"], month.to_string());
    let (total, elapsed) = month_working_days(today);
    assert_eq!(card["working_days"], total);
    assert_eq!(card["working_days_elapsed"], elapsed);
    // expected = 30 × elapsed / total; pace = 3 / expected; the band follows pace.
    let expected = div_round(30 * elapsed as i128, total as i128);
    let l = line(&card, &call);
    assert_eq!(l["target_raw"], 30);
    assert_eq!(l["expected_to_date_raw"], expected, "{l}");
    assert_eq!(l["attainment_bp"], 1_000, "3 of 30 is 10 %");
    if expected > 0 {
        let pace = div_round(3 * 10_000, expected as i128);
        assert_eq!(l["pace_bp"], pace, "{l}");
        let band = match pace {
            p if p >= 12_000 => "outstanding",
            p if p >= 10_000 => "on_track",
            p if p >= 8_000 => "at_risk",
            _ => "needs_intervention",
        };
        assert_eq!(l["band"]["key"], band, "{l}");
        // The only line with a pace is the whole composite.
        assert_eq!(card["composite_bp"], pace.min(15_000), "{card}");
    } else {
        assert_eq!(l["pace"], "n/a");
        assert_eq!(l["band"]["key"], "n/a");
    }
    // Lines without a target of this month are n/a, not 0 %.
    assert_eq!(line(&card, "deals_won")["pace"], "n/a");
    assert_eq!(line(&card, "deals_won")["band"]["key"], "n/a");

    // The rep's page renders the panel with its band badges on the server.
    let page = ada.get(app.at("/me")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("role-scorecard"), "panel missing from /me");
    assert!(
        html.contains("Call count"),
        "scorecard lines missing from /me"
    );
    assert!(html.contains("class=\"band band-"), "band badges missing");
}

async fn who_may_see_whose_scorecard(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let ids = ids(&app).await;
    sdr_scorecard(&app, &ids).await;
    let as_id = |id: i64| id.to_string();
    let scorecard = |client: reqwest::Client, rep: Option<String>| {
        let app = &app;
        async move {
            let mut args = vec![("period", "month".to_string())];
            if let Some(r) = rep {
                args.push(("rep_id", r));
            }
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.call(&client, "scorecard", &args).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let root = app.signed_in("root@example.com", PASSWORD).await;

    // Nobody signed in: no scorecard at all.
    let (status, _) = scorecard(app.client(), None).await;
    assert_eq!(status, 401);

    // A rep: their own, by default or by id; nobody else's.
    let (status, body) = scorecard(ada.clone(), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["rep_id"], f.ada);
    assert_eq!(body["lines"].as_array().unwrap().len(), 5);
    let (status, body) = scorecard(ada.clone(), Some(as_id(f.ada))).await;
    assert_eq!((status, &body["rep_id"]), (200, &Value::from(f.ada)));
    for other in [f.ben, f.cy] {
        let (status, body) = scorecard(ada.clone(), Some(as_id(other))).await;
        assert_eq!(status, 403, "a rep read someone else's scorecard: {body}");
        assert!(body.get("lines").is_none());
    }
    // …and an id that does not exist looks the same as someone else's.
    let (status, _) = scorecard(ada.clone(), Some("987654".into())).await;
    assert_eq!(status, 403);

    // A manager: the reps of their own team, not another team's.
    let (status, body) = scorecard(mia.clone(), Some(as_id(f.ben))).await;
    assert_eq!(status, 200);
    assert_eq!(body["rep_email"], "ben@example.com");
    let (status, _) = scorecard(mia.clone(), Some(as_id(f.cy))).await;
    assert_eq!(status, 403, "a manager read another team's rep");
    // Their own account has no sales role: an empty card, not an error.
    let (status, body) = scorecard(mia.clone(), None).await;
    assert_eq!(status, 200);
    assert!(body["role"].is_null());
    assert_eq!(body["lines"].as_array().unwrap().len(), 0);
    assert_eq!(body["composite"], "n/a");

    // An admin: anyone; an unknown id is a 404.
    for rep in [f.ada, f.ben, f.cy] {
        let (status, body) = scorecard(root.clone(), Some(as_id(rep))).await;
        assert_eq!(status, 200);
        assert_eq!(body["rep_id"], rep);
    }
    let (status, _) = scorecard(root.clone(), Some("987654".into())).await;
    assert_eq!(status, 404);

    // A period that does not exist is refused, not guessed.
    let res = app
        .call(&ada, "scorecard", &[("period", "fortnight")])
        .await;
    assert_eq!(res.status(), 400);
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .get(app.at(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

async fn api_reads_a_reps_scorecard(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let ids = ids(&app).await;
    june(&app, &f, &ids).await;
    let token = |scopes: &[&str]| {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let db = app.db.clone();
        async move {
            pacesetter::server::tokens::create_api_token(&db, "test", "integration", &scopes)
                .await
                .unwrap()
                .1
        }
    };
    let read = token(&["read"]).await;
    let ingest = token(&["ingest"]).await;
    let path = "/api/v1/reps/ada@example.com/scorecard?period=month&date=2025-06-17";

    let (status, card) = api_get(&app, &read, path).await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["rep_id"], f.ada);
    assert_eq!(card["period_kind"], "month");
    assert_eq!(card["period_start"], "2025-06-01");
    assert_eq!(card["period_end"], "2025-06-30");
    assert_eq!(card["composite_bp"], 10_960);
    assert_line(
        &card,
        "activity_score",
        ("62.00", 6_200),
        Some(("50.00", 5_000)),
        Some(5_000),
        Some(("124%", 12_400)),
        Some(("124%", 12_400)),
        "outstanding",
    );
    // The email address is matched as accounts store it (trimmed, lower case).
    let (status, same) = api_get(
        &app,
        &read,
        "/api/v1/reps/Ada@Example.com/scorecard?period=month&date=2025-06-17",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(same, card);
    // Another period kind of the same date.
    let (status, week) = api_get(
        &app,
        &read,
        "/api/v1/reps/ada@example.com/scorecard?period=week&date=2025-06-12",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(line(&week, "activity_score")["target_raw"], 1_000);

    // Scope, token, unknown rep, bad input: JSON errors with their status.
    let (status, body) = api_get(&app, &ingest, path).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let (status, body) = api_get(&app, "not-a-token", path).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = api_get(
        &app,
        &read,
        "/api/v1/reps/nobody@example.com/scorecard?period=month",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, body) = api_get(
        &app,
        &read,
        "/api/v1/reps/ada@example.com/scorecard?period=month&date=17-06-2025",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_date"))
    );
    let (status, _) = api_get(
        &app,
        &read,
        "/api/v1/reps/ada@example.com/scorecard?period=fortnight",
    )
    .await;
    assert_eq!(status, 400);

    // Described in the OpenAPI document.
    let (status, doc) = api_get(&app, &read, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let op = &doc["paths"]["/api/v1/reps/{email}/scorecard"]["get"];
    assert!(op.is_object(), "route missing from the OpenAPI document");
    assert_eq!(op["security"][0]["bearer"][0], "read");
    assert!(doc["components"]["schemas"]["ScorecardView"].is_object());
}

/// The demo seed's scorecards and targets are stored in keys the service reads: every
/// template row becomes a line, and the seeded activity-score target is found.
async fn demo_seed_scorecards_resolve(engine: Engine) {
    let app = TestApp::start(engine).await;
    pacesetter::server::seed::seed_demo(&app.db, Utc::now())
        .await
        .unwrap();
    let last_month = (Utc::now().date_naive().with_day(1).unwrap() - chrono::Duration::days(1))
        .with_day(1)
        .unwrap();
    let reps = scalar(
        &app.db,
        "SELECT COUNT(*) FROM users WHERE sales_role_id IS NOT NULL AND active = TRUE",
    )
    .await;
    assert!(reps > 0);
    for offset in 0..reps {
        let rep = scalar(
            &app.db,
            &format!(
                "SELECT id FROM users WHERE sales_role_id IS NOT NULL AND active = TRUE ORDER BY id LIMIT 1 OFFSET {offset}"
            ),
        )
        .await;
        let rows = scalar(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM scorecard_metrics m JOIN users u ON u.sales_role_id = m.sales_role_id WHERE u.id = {rep}"
            ),
        )
        .await;
        let card = service::rep_scorecard(&app.db, rep, PeriodKind::Month, last_month)
            .await
            .unwrap();
        let card = serde_json::to_value(&card).unwrap();
        let lines = card["lines"].as_array().unwrap();
        assert!(rows >= 3);
        assert_eq!(
            lines.len() as i64,
            rows,
            "a seeded metric was not understood: {card}"
        );
        assert!(
            lines
                .iter()
                .all(|l| !l["label"].as_str().unwrap().contains('#')),
            "a seeded activity count names an unknown type: {card}"
        );
        if let Some(l) = lines.iter().find(|l| l["metric"] == "activity_score") {
            assert!(l["target_raw"].as_i64().is_some_and(|t| t > 0), "{card}");
        }
        assert!(card["composite_bp"].is_i64(), "{card}");
    }
}
