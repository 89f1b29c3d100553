//! The manager's desk, targets area: a batch of cells saved all or nothing through the
//! targets service, a bad cell named, seasonality that must sum to 100 %, and managers kept
//! to their own team's reps. On SQLite and PostgreSQL.

mod common;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use pacesetter::targets::TargetDesk;

on_both_engines!(
    an_admin_saves_a_batch_and_clears_an_override,
    a_bad_cell_refuses_the_whole_batch,
    seasonality_must_add_up_to_100,
    a_manager_sets_only_their_own_teams_targets,
);

/// `(rep email or "role:<key>", month, value as typed)`.
type Cell<'a> = (&'a str, &'a str, &'a str);

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    metric: &str,
    cells: &[Cell<'_>],
) -> reqwest::Response {
    let mut args: Vec<(String, String)> = vec![("metric".into(), metric.into())];
    for (i, (who, month, value)) in cells.iter().enumerate() {
        match who.strip_prefix("role:") {
            Some(role) => args.push((format!("edits[{i}][role]"), role.to_string())),
            None => args.push((format!("edits[{i}][rep_email]"), who.to_string())),
        }
        args.push((format!("edits[{i}][month]"), month.to_string()));
        args.push((format!("edits[{i}][value]"), value.to_string()));
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(client, "save_targets", &args).await
}

async fn desk(app: &TestApp, client: &reqwest::Client, metric: &str, year: &str) -> TargetDesk {
    let res = app
        .call(client, "target_desk", &[("metric", metric), ("year", year)])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("the targets desk")
}

fn rep_values(desk: &TargetDesk, email: &str) -> Vec<Option<i64>> {
    desk.reps
        .iter()
        .find(|r| r.email == email)
        .unwrap_or_else(|| panic!("{email} is not on the desk"))
        .values
        .clone()
}

/// Every target as a sorted list, to prove nothing changed.
async fn all_targets(app: &TestApp) -> (i64, i64) {
    (
        app.count("targets").await,
        scalar(
            &app.db,
            "SELECT COALESCE(CAST(SUM(value * (subject_id + 1)) AS BIGINT), 0) FROM targets",
        )
        .await,
    )
}

async fn an_admin_saves_a_batch_and_clears_an_override(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let months: Vec<String> = (1..=12).map(|m| format!("2027-{m:02}")).collect();
    let mut cells: Vec<Cell> = months
        .iter()
        .map(|m| ("ada@example.com", m.as_str(), "1,000.5"))
        .collect();
    cells.push(("role:sdr", "2027-01", "800"));
    cells.push(("ben@example.com", "2027-02", "1 200"));
    let res = save(&app, &admin, "activity_score", &cells).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let saved: serde_json::Value = res.json().await.unwrap();
    assert_eq!(saved["set"], 14);

    let d = desk(&app, &admin, "activity_score", "2027").await;
    assert_eq!(d.months[0].key(), "2027-01");
    assert_eq!(rep_values(&d, "ada@example.com"), vec![Some(100_050); 12]);
    assert_eq!(rep_values(&d, "ben@example.com")[1], Some(120_000));
    let sdr = d.roles.iter().find(|r| r.key == "sdr").unwrap();
    assert_eq!(sdr.values[0], Some(80_000));
    assert!(d.may_edit_roles);
    assert_eq!(d.reps.len(), 3, "an admin sees every team");

    // Clearing Ada's March brings back the role default; a count for calls is its own row.
    let res = save(
        &app,
        &admin,
        "activity_score",
        &[
            ("ada@example.com", "2027-03", ""),
            ("ada@example.com", "2027-04", "900"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let saved: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (saved["set"].as_i64(), saved["cleared"].as_i64()),
        (Some(1), Some(1))
    );
    let d = desk(&app, &admin, "activity_score", "2027").await;
    let ada = rep_values(&d, "ada@example.com");
    assert_eq!((ada[2], ada[3]), (None, Some(90_000)));
    assert_eq!(app.count("targets").await, 13);

    let res = save(
        &app,
        &admin,
        "activity_count:call",
        &[("ada@example.com", "2027-01", "40")],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let calls = desk(&app, &admin, "activity_count:call", "2027").await;
    assert_eq!(rep_values(&calls, "ada@example.com")[0], Some(40));
    assert_eq!(calls.metric.label, "Call count");

    // Audited before → after: the cleared month was 1,000.50 points and is now nothing.
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'targets' AND actor = 'root@example.com'").await,
        3
    );
    let (before, after): (String, String) = match &app.db {
        pacesetter::server::db::Db::Sqlite(p) => sqlx::query_as(
            "SELECT before_json, after_json FROM audit_log WHERE entity = 'targets' ORDER BY id LIMIT 1 OFFSET 1",
        )
        .fetch_one(p)
        .await
        .unwrap(),
        pacesetter::server::db::Db::Postgres(p) => sqlx::query_as(
            "SELECT before_json, after_json FROM audit_log WHERE entity = 'targets' ORDER BY id LIMIT 1 OFFSET 1",
        )
        .fetch_one(p)
        .await
        .unwrap(),
    };
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    let ada: i64 = scalar(
        &app.db,
        "SELECT id FROM users WHERE email = 'ada@example.com'",
    )
    .await;
    let march = format!("activity_score rep {ada} 2027-03");
    let april = format!("activity_score rep {ada} 2027-04");
    assert_eq!(before[&march], 100_050, "{before}");
    assert_eq!(after[&march], serde_json::Value::Null, "{after}");
    assert_eq!(
        (&before[&april], &after[&april]),
        (&serde_json::json!(100_050), &serde_json::json!(90_000))
    );
    // The audit log shows it as what changed.
    let change =
        pacesetter::admin::page::audit_change(Some(&before.to_string()), Some(&after.to_string()));
    assert!(change.contains(&format!("{march}: 100050 → —")), "{change}");
}

async fn a_bad_cell_refuses_the_whole_batch(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let res = save(
        &app,
        &admin,
        "activity_score",
        &[("ada@example.com", "2027-01", "100")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let before = all_targets(&app).await;
    let audits = app.count("audit_log").await;
    let res = save(
        &app,
        &admin,
        "activity_score",
        &[
            ("ada@example.com", "2027-01", "999"),
            ("ben@example.com", "2027-02", "12x"),
            ("cy@example.com", "2027-03", "-5"),
            ("ada@example.com", "2027-13", "5"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Ben Okri, February 2027: is not a number ('12x')"),
        "{body}"
    );
    assert!(
        body.contains("Cy Twombly, March 2027: must not be negative"),
        "{body}"
    );
    assert!(body.contains("must be a month YYYY-MM"), "{body}");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    let indexes: Vec<i64> = error["Invalid"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["index"].as_i64().unwrap())
        .collect();
    assert_eq!(indexes, vec![1, 2, 3], "each error points at its cell");
    assert_eq!(
        all_targets(&app).await,
        before,
        "nothing saved, Ada's January is still 100"
    );
    assert_eq!(app.count("audit_log").await, audits);

    // An unknown metric is named too.
    let res = save(
        &app,
        &admin,
        "happiness",
        &[("ada@example.com", "2027-01", "1")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("unknown metric"));
    assert_eq!(all_targets(&app).await, before);
}

async fn seasonality_must_add_up_to_100(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let post = |name: &'static str, percents: [&'static str; 12]| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let keys: Vec<String> = (0..12).map(|i| format!("percents[{i}]")).collect();
            let mut args = vec![("name", name)];
            args.extend(keys.iter().map(String::as_str).zip(percents));
            app.call(&admin, "save_seasonality_profile", &args).await
        }
    };
    let res = post("Ramp", ["8"; 12]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("the monthly percentages add up to 96.00 %, not 100 %"),
        "{body}"
    );
    let res = post(
        "Flat",
        [
            "5", "5", "7", "8", "8", "8", "8", "8", "10", "10", "11", "12",
        ],
    )
    .await;
    assert_eq!(res.status(), 422, "a preset's name is taken");
    assert!(res.text().await.unwrap().contains("built-in"));
    assert_eq!(app.count("seasonality_profiles").await, 0, "nothing saved");
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity LIKE 'seasonality_profile:%'"
        )
        .await,
        0
    );

    let ramp = [
        "5", "5", "7", "8", "8", "8", "8", "8", "10", "10", "11", "12,0",
    ];
    let res = post("Ramp", ramp).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Saved again with other shares: replaced, not duplicated.
    let res = post(
        "Ramp",
        [
            "5", "5", "7", "8", "8", "8", "8", "8", "10", "10", "12", "11",
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.count("seasonality_profiles").await, 1);
    let d = desk(&app, &admin, "", "").await;
    let ramp = d
        .profiles
        .iter()
        .find(|p| p.name == "Ramp")
        .expect("the saved profile");
    assert_eq!(ramp.profile.basis_points[10], 1200);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'seasonality_profile:Ramp'"
        )
        .await,
        2,
        "created, then updated"
    );
    // Managers use profiles but do not save them.
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let keys: Vec<String> = (0..12).map(|i| format!("percents[{i}]")).collect();
    let mut args = vec![("name", "Mine")];
    args.extend(keys.iter().map(String::as_str).zip(["8.25"; 12]));
    let res = app.call(&mia, "save_seasonality_profile", &args).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("seasonality_profiles").await, 1);
}

async fn a_manager_sets_only_their_own_teams_targets(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let res = save(
        &app,
        &admin,
        "activity_score",
        &[
            ("cy@example.com", "2027-01", "700"),
            ("role:sdr", "2027-01", "500"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);

    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let d = desk(&app, &mia, "activity_score", "2027").await;
    let emails: Vec<&str> = d.reps.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(
        emails,
        vec!["ada@example.com", "ben@example.com"],
        "team Alpha only"
    );
    assert!(!d.may_edit_roles);
    assert_eq!(d.viewer_team.as_deref(), Some("Alpha"));
    assert_eq!(
        d.roles.iter().find(|r| r.key == "sdr").unwrap().values[0],
        Some(50_000),
        "role defaults shown, read-only"
    );

    // Her own team: saved, and audited as her.
    let res = save(
        &app,
        &mia,
        "activity_score",
        &[("ada@example.com", "2027-01", "300")],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        rep_values(
            &desk(&app, &mia, "activity_score", "2027").await,
            "ada@example.com"
        )[0],
        Some(30_000)
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'targets' AND actor = 'mia@example.com'"
        )
        .await,
        1
    );

    // Another team's rep, a role default, or a batch that mixes them: refused whole.
    let before = all_targets(&app).await;
    let audits = app.count("audit_log").await;
    for cells in [
        vec![("cy@example.com", "2027-01", "1")],
        vec![("role:sdr", "2027-01", "1")],
        vec![
            ("ada@example.com", "2027-02", "5"),
            ("cy@example.com", "2027-02", "5"),
        ],
        vec![("nobody@example.com", "2027-02", "5")],
    ] {
        let res = save(&app, &mia, "activity_score", &cells).await;
        assert_eq!(res.status(), 403, "{cells:?}");
        assert_eq!(all_targets(&app).await, before, "{cells:?} changed nothing");
    }
    assert_eq!(app.count("audit_log").await, audits);

    // A rep neither sees nor sets targets.
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    assert_eq!(
        app.call(&ben, "target_desk", &[("metric", ""), ("year", "")])
            .await
            .status(),
        403
    );
    let res = save(
        &app,
        &ben,
        "activity_score",
        &[("ben@example.com", "2027-01", "1")],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(all_targets(&app).await, before);
}
