//! The manager's desk, weights area: the impact preview the browser computes equals the
//! leaderboard the server computes after the save; bad input changes nothing. On SQLite
//! and PostgreSQL.

mod common;

use chrono::{Datelike, Duration, Utc};
use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use pacesetter::activity_types::WeightDesk;
use pacesetter::scorecard::{PreviewInputs, ScorecardDesk, ScorecardView};
use pacesetter::scoring::{weight_impact, Points};
use serde_json::{json, Value};

on_both_engines!(
    the_saved_leaderboard_equals_the_preview,
    a_bad_weight_is_refused_and_changes_nothing,
    types_are_added_renamed_and_retired_with_their_history,
    the_saved_scorecard_equals_the_preview,
    a_bad_scorecard_is_refused_and_changes_nothing,
    displays_are_created_set_up_and_checked,
);

async fn post_activities(app: &TestApp, items: Value) {
    let scopes = vec!["ingest".to_string()];
    let (_, token) = pacesetter::server::tokens::create_api_token(&app.db, "test", "t", &scopes)
        .await
        .unwrap();
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/activities/batch"))
        .bearer_auth(token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn the_saved_leaderboard_equals_the_preview(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let one = |rep: &str, kind: &str, n: usize| {
        (0..n)
            .map(|_| json!({"rep_email": rep, "type": kind, "occurred_at": at}))
            .collect::<Vec<_>>()
    };
    let mut items = one("ada@example.com", "call", 2);
    items.extend(one("ben@example.com", "email", 5));
    items.extend(one("cy@example.com", "call", 1));
    post_activities(&app, Value::Array(items)).await;

    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let desk: WeightDesk = app
        .call(&admin, "weight_desk", &[])
        .await
        .json()
        .await
        .expect("the desk");
    let email = desk.types.iter().find(|t| t.key == "email").unwrap();
    assert_eq!(email.weight_now, Some(Points::from_whole(1)));
    // What the browser shows while the admin types 4 for emails from the 1st of the month.
    let from = desk.default_from;
    assert_eq!(
        from.day(),
        1,
        "the default is the start of the current period"
    );
    let preview = weight_impact(&desk.inputs, email.id, Points::from_whole(4), from);
    let name_of = |id: i64| desk.names.iter().find(|(r, _)| *r == id).unwrap().1.clone();
    let top = &preview[0];
    assert_eq!(
        (
            name_of(top.rep_id).as_str(),
            top.after.score,
            top.places_up()
        ),
        ("Ben Okri", Points::from_whole(8), 2),
        "Ben's two counted emails (cap 2) at 4 points go from third to first"
    );

    let res = app
        .call(
            &admin,
            "admin_set_weight",
            &[
                ("key", "email"),
                ("weight", "4"),
                ("effective_from", &from.to_string()),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // The server's own month leaderboard after the save: the same ranks and points.
    let scopes = vec!["read".to_string()];
    let (_, read) = pacesetter::server::tokens::create_api_token(&app.db, "test", "r", &scopes)
        .await
        .unwrap();
    let board: Value = reqwest::Client::new()
        .get(app.at("/api/v1/leaderboard?metric=activity_score&period=month"))
        .bearer_auth(read)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = board["entries"].as_array().unwrap();
    assert_eq!(entries.len(), preview.len());
    for row in &preview {
        let e = entries
            .iter()
            .find(|e| e["rep_name"] == name_of(row.rep_id))
            .unwrap_or_else(|| panic!("{} missing: {board}", name_of(row.rep_id)));
        assert_eq!(
            e["rank"].as_i64(),
            Some(i64::from(row.after.rank)),
            "{board}"
        );
        assert_eq!(e["value"].as_i64(), Some(row.after.score.0), "{board}");
    }
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'activity_type:email'"
        )
        .await,
        1,
        "the change is audited"
    );
}

async fn a_bad_weight_is_refused_and_changes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let before = scalar(&app.db, "SELECT COUNT(*) FROM weight_versions").await;
    for (weight, from, field) in [
        ("-1", "2026-01-01", "weight"),
        ("three", "2026-01-01", "weight"),
        ("2.555", "2026-01-01", "weight"),
        ("3", "01/01/2026", "effective_from"),
    ] {
        let res = app
            .call(
                &admin,
                "admin_set_weight",
                &[
                    ("key", "call"),
                    ("weight", weight),
                    ("effective_from", from),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{weight} {from}");
        let body = res.text().await.unwrap();
        assert!(body.contains(field), "{weight} {from}: {body}");
    }
    let res = app
        .call(
            &admin,
            "admin_set_weight",
            &[
                ("key", "fax"),
                ("weight", "3"),
                ("effective_from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        422,
        "an unknown type is not created without a label"
    );
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM weight_versions").await,
        before
    );
    // A rep may not change weights, nor see the desk.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let res = app
        .call(
            &ada,
            "admin_set_weight",
            &[
                ("key", "call"),
                ("weight", "30"),
                ("effective_from", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.call(&ada, "weight_desk", &[]).await.status(), 403);
}

fn type_form<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(String, &'a str)> {
    fields
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), *v))
        .collect()
}

async fn call_form(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    fields: &[(String, &str)],
) -> reqwest::Response {
    let args: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.call(client, name, &args).await
}

async fn types_are_added_renamed_and_retired_with_their_history(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let new_type = type_form(&[
        ("key", "site_visit"),
        ("label", "Site visit"),
        ("icon", "🏗️"),
        ("kind", "leading"),
        ("weight", "6.5"),
        ("daily_cap", "4"),
        ("min_minutes", "15"),
        ("active", ""),
    ]);
    let res = call_form(&app, &admin, "admin_add_type", &new_type).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let desk: WeightDesk = app
        .call(&admin, "weight_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    let t = desk.types.iter().find(|t| t.key == "site_visit").unwrap();
    assert_eq!(
        (
            t.label.as_str(),
            t.daily_cap,
            t.min_duration_seconds,
            t.weight_now
        ),
        ("Site visit", Some(4), Some(900), Some(Points(650)))
    );

    // The same key again is refused, with the field named, and nothing changes.
    let types_before = scalar(&app.db, "SELECT COUNT(*) FROM activity_types").await;
    let audit_before = scalar(&app.db, "SELECT COUNT(*) FROM audit_log").await;
    let res = call_form(&app, &admin, "admin_add_type", &new_type).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("key") && body.contains("already used"),
        "{body}"
    );
    // Bad values: each named.
    for (field, value) in [
        ("weight", "-2"),
        ("daily_cap", "lots"),
        ("min_minutes", "0"),
        ("kind", "sideways"),
        ("icon", ""),
    ] {
        let mut form = new_type.clone();
        for f in form.iter_mut() {
            if f.0 == format!("form[{field}]") {
                f.1 = value;
            }
            if f.0 == "form[key]" {
                f.1 = "another";
            }
        }
        let res = call_form(&app, &admin, "admin_add_type", &form).await;
        assert_eq!(res.status(), 422, "{field}={value}");
        let body = res.text().await.unwrap();
        assert!(body.contains(field), "{field}={value}: {body}");
    }
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM activity_types").await,
        types_before
    );
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );

    // A call logged today, then the type is renamed and retired: it leaves quick-log, the
    // logged call still scores.
    let res = app
        .call(
            &ada,
            "log_activity",
            &[("type_key", "call"), ("client_key", "c1")],
        )
        .await;
    assert!(res.status().is_success());
    let score = |v: &Value| {
        v["total"]["hundredths"]
            .as_i64()
            .or_else(|| v["total"].as_i64())
    };
    let before: Value = app
        .call(&ada, "my_score", &[("period", "month")])
        .await
        .json()
        .await
        .unwrap();
    let retire = type_form(&[
        ("key", "call"),
        ("label", "Phone call"),
        ("icon", "📞"),
        ("kind", "leading"),
        ("daily_cap", ""),
        ("min_minutes", ""),
        ("active", "false"),
    ]);
    let res = call_form(&app, &admin, "admin_edit_type", &retire).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let quick: Value = app
        .call(&ada, "activity_types", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !quick.to_string().contains("\"call\""),
        "a retired type leaves quick-log: {quick}"
    );
    let after: Value = app
        .call(&ada, "my_score", &[("period", "month")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        score(&before),
        score(&after),
        "old activities still score: {before} {after}"
    );
    assert!(score(&after).is_some(), "{after}");
    let res = app
        .call(
            &ada,
            "log_activity",
            &[("type_key", "call"), ("client_key", "c2")],
        )
        .await;
    assert!(
        !res.status().is_success(),
        "a retired type cannot be logged"
    );
    let desk: WeightDesk = app
        .call(&admin, "weight_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    let call = desk.types.iter().find(|t| t.key == "call").unwrap();
    assert_eq!((call.label.as_str(), call.active), ("Phone call", false));
    assert_eq!(call.history.len(), 1, "the weight history is kept");
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'activity_type:call' AND before_json LIKE '%Call%' AND after_json LIKE '%Phone call%'").await,
        1,
        "the rename is audited before → after"
    );
    // Reps may not add or edit types.
    assert_eq!(
        call_form(&app, &ada, "admin_edit_type", &retire)
            .await
            .status(),
        403
    );
}

fn line_args(role: &str, lines: &[(&str, bool, i64)]) -> Vec<(String, String)> {
    let mut args = vec![("role".to_string(), role.to_string())];
    for (i, (metric, leading, weight)) in lines.iter().enumerate() {
        args.push((format!("lines[{i}][metric]"), metric.to_string()));
        args.push((format!("lines[{i}][leading]"), leading.to_string()));
        args.push((format!("lines[{i}][weight]"), weight.to_string()));
    }
    args
}

async fn put_scorecard(
    app: &TestApp,
    client: &reqwest::Client,
    role: &str,
    lines: &[(&str, bool, i64)],
) -> reqwest::Response {
    let args = line_args(role, lines);
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(client, "admin_put_scorecard", &args).await
}

async fn the_saved_scorecard_equals_the_preview(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let items: Vec<Value> =
        (0..3)
            .map(|_| json!({"rep_email": "ada@example.com", "type": "call", "occurred_at": at}))
            .chain((0..4).map(
                |_| json!({"rep_email": "ada@example.com", "type": "email", "occurred_at": at}),
            ))
            .collect();
    post_activities(&app, Value::Array(items)).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let desk: ScorecardDesk = app
        .call(&admin, "scorecard_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    let sdr = desk.roles.iter().find(|r| r.key == "sdr").unwrap();
    assert!(sdr.reps.iter().any(|(id, _)| *id == f.ada));
    assert!(desk.catalogue.iter().any(|(k, _, _)| k == "activity_score"));
    let preview: PreviewInputs = app
        .call(
            &admin,
            "scorecard_preview",
            &[("rep_id", &f.ada.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    // The draft, as the browser computes it before saving.
    let call_id: i64 = scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'call'").await;
    let count_call = format!("activity_count:{call_id}");
    let draft = [
        ("activity_score", true, 2),
        (count_call.as_str(), true, 1),
        ("turnover_won", false, 1),
    ];
    let mut template = preview.template.clone();
    template.metrics = draft
        .iter()
        .map(|(m, leading, w)| pacesetter::scoring::ScorecardMetric {
            metric: m.parse().unwrap(),
            indicator: if *leading {
                pacesetter::scoring::Indicator::Leading
            } else {
                pacesetter::scoring::Indicator::Lagging
            },
            weight: *w,
        })
        .collect();
    let in_browser = ScorecardView::build(
        &preview.rep_name,
        &preview.rep_email,
        preview.role.clone(),
        &preview.inputs,
        &template,
    );
    assert_eq!(in_browser.lines.len(), 3);
    assert_eq!(in_browser.lines[1].actual_raw, Some(3), "three calls");

    let res = put_scorecard(&app, &admin, "sdr", &draft).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let saved: ScorecardView = app
        .call(&ada, "scorecard", &[("period", "month")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved, in_browser, "the saved scorecard is the preview");
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'scorecard:sdr'"
        )
        .await,
        1
    );
    // The type-key form is accepted and stored with the catalogue's key.
    let res = put_scorecard(
        &app,
        &admin,
        "sdr",
        &[("activity_count:email", true, 2), ("deals_won", false, 1)],
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let email_id: i64 = scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'email'").await;
    assert_eq!(
        scalar(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM scorecard_metrics WHERE metric = 'activity_count:{email_id}'"
            )
        )
        .await,
        1
    );
}

async fn a_bad_scorecard_is_refused_and_changes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let res = put_scorecard(
        &app,
        &admin,
        "sdr",
        &[("activity_score", true, 2), ("deals_won", false, 1)],
    )
    .await;
    assert!(res.status().is_success());
    let before = scalar(
        &app.db,
        "SELECT COUNT(*) + CAST(SUM(weight) AS BIGINT) FROM scorecard_metrics",
    )
    .await;
    let audit = scalar(&app.db, "SELECT COUNT(*) FROM audit_log").await;
    for (lines, field) in [
        (
            vec![("activity_score", true, 2), ("shoe_size", false, 1)],
            "metric",
        ),
        (vec![("activity_score", true, 0)], "weight"),
        (vec![("activity_score", true, 101)], "weight"),
        (
            vec![("activity_score", true, 1), ("activity_score", false, 1)],
            "already",
        ),
    ] {
        let res = put_scorecard(&app, &admin, "sdr", &lines).await;
        assert_eq!(res.status(), 422, "{lines:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains(field), "{lines:?}: {body}");
    }
    assert_eq!(
        put_scorecard(&app, &admin, "nobody", &[("activity_score", true, 1)])
            .await
            .status(),
        404
    );
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        put_scorecard(&app, &ada, "sdr", &[("activity_score", true, 1)])
            .await
            .status(),
        403
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) + CAST(SUM(weight) AS BIGINT) FROM scorecard_metrics"
        )
        .await,
        before
    );
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM audit_log").await,
        audit
    );
}

async fn displays_are_created_set_up_and_checked(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let res = app
        .call(
            &admin,
            "admin_create_display",
            &[
                ("form[name]", "Alpha wall"),
                ("form[team]", "Alpha"),
                ("form[slides][0]", "ranking"),
                ("form[slides][6]", "pipeline"),
                ("form[seconds]", "30"),
                ("form[privacy]", "on"),
            ],
        )
        .await;
    assert!(res.status().is_success());
    let new: Value = res.json().await.unwrap();
    let path = new["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("/tv/"), "{new}");
    let token = path.trim_start_matches("/tv/");
    let config = pacesetter::displays::service::for_token(&app.db, token)
        .await
        .unwrap()
        .unwrap();
    use pacesetter::displays::Slide;
    assert_eq!(
        (
            config.team.as_deref(),
            config.slides.clone(),
            config.seconds_per_slide,
            config.privacy,
            config.sound
        ),
        (
            Some("Alpha"),
            vec![Slide::Ranking, Slide::Pipeline],
            30,
            true,
            false
        )
    );
    // Changed: the whole organisation, default slides.
    let id = config.id.to_string();
    let res = app
        .call(
            &admin,
            "admin_update_display",
            &[
                ("id", &id),
                ("form[name]", "Lobby"),
                ("form[seconds]", "15"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let config = pacesetter::displays::service::for_token(&app.db, token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            config.name.as_str(),
            config.team,
            config.default_slides,
            config.slides.len(),
            config.privacy
        ),
        ("Lobby", None, true, 8, false)
    );
    assert_eq!(
        scalar(&app.db, &format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'display:{id}' AND before_json LIKE '%Alpha wall%' AND after_json LIKE '%Lobby%'")).await,
        1
    );
    // Bad input: named, nothing changed.
    let count = scalar(&app.db, "SELECT COUNT(*) FROM displays").await;
    for (args, field) in [
        (vec![("form[name]", "X"), ("form[seconds]", "2")], "seconds"),
        (vec![("form[name]", "X"), ("form[team]", "Gamma")], "team"),
        (
            vec![("form[name]", "X"), ("form[slides][0]", "lottery")],
            "slides",
        ),
        (vec![("form[name]", "  ")], "name"),
    ] {
        let res = app.call(&admin, "admin_create_display", &args).await;
        assert_eq!(res.status(), 422, "{args:?}");
        assert!(res.text().await.unwrap().contains(field), "{args:?}");
    }
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM displays").await,
        count
    );
    let res = app
        .call(
            &admin,
            "admin_update_display",
            &[
                ("id", &id),
                ("form[name]", "Lobby"),
                ("form[seconds]", "9999"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let config = pacesetter::displays::service::for_token(&app.db, token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(config.seconds_per_slide, 15);
}
