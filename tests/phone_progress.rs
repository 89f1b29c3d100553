//! The rep's progress pages: the trend against the team median and the personal best, the
//! weekly activity report (and its CSV), own history by period, rank on the team; nobody
//! reads another rep's report unless they may see that rep. Hand-computed figures, on
//! SQLite and PostgreSQL.

mod common;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::{fixture, Engine, TestApp, PASSWORD};
use pacesetter::scoring::YearMonth;
use serde_json::{json, Value};

on_both_engines!(
    weekly_report_against_the_average_week,
    trend_against_team_median_and_personal_best,
);

/// Logs activities through the API's batch ingest: `(rep, type, occurred_at, how many)`.
async fn ingest(app: &TestApp, rows: &[(&str, &str, String, usize)]) {
    let scopes = vec!["ingest".to_string()];
    let (_, token) = pacesetter::server::tokens::create_api_token(&app.db, "test", "t", &scopes)
        .await
        .unwrap();
    let mut items = Vec::new();
    for (rep, kind, at, n) in rows {
        for _ in 0..*n {
            items.push(
                json!({"rep_email": format!("{rep}@example.com"), "type": kind, "occurred_at": at}),
            );
        }
    }
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/activities/batch"))
        .bearer_auth(&token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

fn at(day: NaiveDate) -> String {
    format!("{day}T10:00:00Z")
}

async fn json_of(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn line<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["type_key"] == key)
        .unwrap_or_else(|| panic!("no {key} line in {report}"))
}

async fn weekly_report_against_the_average_week(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let now = Utc::now() - Duration::minutes(1);
    let today = now.date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    // Ada: 2 calls today; 20 days ago 3 calls and 3 emails (capped at 2 a day);
    // 40 days ago 5 calls, outside the 30 days.
    ingest(
        &app,
        &[
            ("ada", "call", now.to_rfc3339(), 2),
            ("ada", "call", at(today - Duration::days(20)), 3),
            ("ada", "email", at(today - Duration::days(20)), 3),
            ("ada", "call", at(today - Duration::days(40)), 5),
            ("ben", "call", now.to_rfc3339(), 7),
        ],
    )
    .await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let report = json_of(app.call(&ada, "my_report", &[]).await).await;
    assert_eq!(report["week_start"], monday.to_string());
    assert_eq!(
        report["window_start"],
        (today - Duration::days(29)).to_string()
    );
    assert_eq!(report["window_end"], today.to_string());
    // Calls: this week 2 (6.00 points); the 30 days hold 5 calls, 15.00 points:
    // an average week is 5 × 7 / 30 = 1.1667 → 1.17 calls and 15.00 × 7 / 30 = 3.50 points.
    let call = line(&report, "call");
    assert_eq!(call["week_count"], 2);
    assert_eq!(call["week_points"], 600);
    assert_eq!(call["average_count_hundredths"], 117);
    assert_eq!(call["average_points"], 350);
    // Emails: nothing this week; 2 counted of 3 in the 30 days (cap 2 a day):
    // 2 × 7 / 30 = 0.4667 → 0.47 emails, 2.00 points → 0.47 points.
    let email = line(&report, "email");
    assert_eq!(email["week_count"], 0);
    assert_eq!(email["week_points"], 0);
    assert_eq!(email["average_count_hundredths"], 47);
    assert_eq!(email["average_points"], 47);
    // Totals: 6.00 this week; 17.00 × 7 / 30 = 3.9667 → 3.97.
    assert_eq!(report["week_total"], 600);
    assert_eq!(report["average_total"], 397);

    // The same report as a file.
    let res = ada.get(app.at("/me/report.csv")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        res.headers()["content-disposition"].to_str().unwrap(),
        format!("attachment; filename=\"weekly-report-{monday}.csv\"")
    );
    let window = format!("{}..{}", today - Duration::days(29), today);
    let body = res.text().await.unwrap();
    assert_eq!(
        body,
        format!(
            "activity_type,label,week_start,week_count,week_points,average_week_count,average_week_points,window\n\
             call,Call,{monday},2,6.00,1.17,3.50,{window}\n\
             email,Email,{monday},0,0.00,0.47,0.47,{window}\n"
        )
    );

    // Nobody else reads Ada's report: not signed in (401), another rep (403), whether as a
    // page's server function or as the file; her team's manager may.
    let res = app
        .client()
        .get(app.at("/me/report.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let ada_id = report_rep_id(&app).await;
    let res = ben
        .get(app.at(&format!("/me/report.csv?rep_id={ada_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .call(&ben, "my_report", &[("rep_id", &ada_id.to_string())])
        .await;
    assert_eq!(res.status(), 403);
    let res = app.call(&app.client(), "my_report", &[]).await;
    assert_eq!(res.status(), 401);
    // Ben's own report holds his own calls only.
    let own = json_of(app.call(&ben, "my_report", &[]).await).await;
    assert_eq!(line(&own, "call")["week_count"], 7);
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let res = mia
        .get(app.at(&format!("/me/report.csv?rep_id={ada_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(",2,6.00,1.17,3.50,"));
}

async fn report_rep_id(app: &TestApp) -> i64 {
    common::scalar(
        &app.db,
        "SELECT id FROM users WHERE email = 'ada@example.com'",
    )
    .await
}

fn tenth_of(today: NaiveDate, months_back: i64) -> NaiveDate {
    YearMonth::of(today).plus_months(-months_back).first_day() + Duration::days(9)
}

async fn trend_against_team_median_and_personal_best(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let now = Utc::now() - Duration::minutes(1);
    let today = now.date_naive();
    // Calls are 3.00 points. Team Alpha: Ada and Ben (Mia manages, unscored); Cy is in Beta.
    ingest(
        &app,
        &[
            ("ada", "call", now.to_rfc3339(), 1),
            ("ada", "call", at(tenth_of(today, 1)), 4),
            ("ada", "call", at(tenth_of(today, 2)), 2),
            ("ada", "call", at(tenth_of(today, 3)), 10),
            // Her best month is before the six shown: 12 calls, 36.00 points.
            ("ada", "call", at(tenth_of(today, 7)), 12),
            ("ben", "call", at(tenth_of(today, 1)), 2),
            ("ben", "call", at(tenth_of(today, 2)), 6),
            ("cy", "call", at(tenth_of(today, 1)), 20),
        ],
    )
    .await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let trend = json_of(app.call(&ada, "my_trend", &[("period", "month")]).await).await;
    assert_eq!(trend["kind"], "month");
    assert_eq!(trend["team_label"], "Alpha");
    let points = trend["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    let first = YearMonth::of(today).plus_months(-5).first_day();
    assert_eq!(points[0]["start"], first.to_string());
    let scores: Vec<i64> = points
        .iter()
        .map(|p| p["score"].as_i64().unwrap())
        .collect();
    let medians: Vec<i64> = points
        .iter()
        .map(|p| p["team_median"].as_i64().unwrap())
        .collect();
    // Oldest first: M-5, M-4 nothing; M-3 Ada 30.00; M-2 Ada 6.00, Ben 18.00;
    // M-1 Ada 12.00, Ben 6.00 (Cy's 60.00 is another team's); this month Ada 3.00.
    assert_eq!(scores, [0, 0, 3000, 600, 1200, 300]);
    // Median of two is their mean: (30 + 0) / 2, (6 + 18) / 2, (12 + 6) / 2, (3 + 0) / 2.
    assert_eq!(medians, [0, 0, 1500, 1200, 900, 150]);
    assert_eq!(points[5]["current"], true);
    assert_eq!(points[4]["current"], false);
    // The personal best is the best closed month of her whole history.
    let best_month = YearMonth::of(today).plus_months(-7);
    assert_eq!(trend["personal_best"], json!([best_month.label(), 3600]));
    assert_eq!(trend["new_best"], false);

    // Cy's median is his own team's (Beta: only him).
    let cy = app.signed_in("cy@example.com", PASSWORD).await;
    let trend = json_of(app.call(&cy, "my_trend", &[("period", "month")]).await).await;
    assert_eq!(trend["team_label"], "Beta");
    assert_eq!(trend["points"][4]["team_median"], 6000);
    assert_eq!(
        trend["personal_best"],
        json!([YearMonth::of(today).plus_months(-1).label(), 6000])
    );

    // By week: six weeks, this one last with today's call.
    let weeks = json_of(app.call(&ada, "my_trend", &[("period", "week")]).await).await;
    let w = weeks["points"].as_array().unwrap();
    assert_eq!(w.len(), 6);
    assert_eq!(w[5]["score"], 300);
    assert_eq!(w[5]["team_median"], 150);
    let res = app.call(&ada, "my_trend", &[("period", "decade")]).await;
    assert_eq!(res.status(), 400);
    // Ben may not look at Ada's trend.
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let ada_id = report_rep_id(&app).await.to_string();
    let res = app
        .call(
            &ben,
            "my_trend",
            &[("period", "month"), ("rep_id", &ada_id)],
        )
        .await;
    assert_eq!(res.status(), 403);

    // Rank on the team and overall, from the leaderboard: Ada leads this month.
    let score = json_of(app.call(&ada, "my_score", &[("period", "month")]).await).await;
    assert_eq!(score["rank"], json!([1, 3]));
    assert_eq!(score["team_rank"], json!([1, 2]));
    assert_eq!(score["team"], "Alpha");
    let score = json_of(app.call(&ben, "my_score", &[("period", "month")]).await).await;
    assert_eq!(score["team_rank"], json!([2, 2]));
    assert_eq!(score["rank"], json!([2, 3]));

    // Her own history by period: today's call this week and this month, four last month.
    let history = |period: &'static str| {
        let ada = ada.clone();
        let app = &app;
        async move { json_of(app.call(&ada, "my_history", &[("period", period)]).await).await }
    };
    let h = history("this_week").await;
    assert_eq!(h["items"].as_array().unwrap().len(), 1);
    assert_eq!(h["items"][0]["label"], "Call");
    assert_eq!(h["items"][0]["date"], today.to_string());
    assert_eq!(
        history("last_week").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        history("this_month").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let last = history("last_month").await;
    assert_eq!(last["items"].as_array().unwrap().len(), 4);
    assert_eq!(last["total_units"], 4);
    assert_eq!(last["total_activities"], 4);
    assert_eq!(last["items"][0]["date"], tenth_of(today, 1).to_string());
    let res = app.call(&ada, "my_history", &[("period", "forever")]).await;
    assert_eq!(res.status(), 400);
}
