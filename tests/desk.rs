//! The manager's desk, weights area: the impact preview the browser computes equals the
//! leaderboard the server computes after the save; bad input changes nothing. On SQLite
//! and PostgreSQL.

mod common;

use chrono::{Datelike, Duration, Utc};
use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use pacesetter::activity_types::WeightDesk;
use pacesetter::scoring::{weight_impact, Points};
use serde_json::{json, Value};

on_both_engines!(
    the_saved_leaderboard_equals_the_preview,
    a_bad_weight_is_refused_and_changes_nothing,
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
