//! "Who may do what", enforced on the server: every server function × every kind of caller.
//! On a deny, nothing in the database changes.

mod common;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};

on_both_engines!(
    access_matrix,
    export_matrix,
    admin_changes_are_audited_and_end_sessions,
    revoked_display_stops_at_once,
    team_change_moves_what_a_manager_sees
);

/// (server function, arguments, callers allowed, does it write?)
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [Caller], bool);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Rep,
    Manager,
    Admin,
    TvToken,
}

/// A digest of everything a caller could change.
async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM users WHERE active = TRUE",
        "SELECT COUNT(*) FROM users WHERE access_role = 'admin'",
        "SELECT COUNT(*) FROM activities WHERE deleted_at IS NULL",
        "SELECT COUNT(*) FROM displays WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT COALESCE(CAST(SUM(COALESCE(team_id, 0) * id) AS BIGINT), 0) FROM users",
        "SELECT COALESCE(CAST(SUM(units) AS BIGINT), 0) FROM daily_rollups",
        "SELECT COALESCE(CAST(SUM(LENGTH(COALESCE(note, '')) + LENGTH(COALESCE(account, '')) + COALESCE(duration_seconds, 0)) AS BIGINT), 0) FROM activities",
        // What the manager's desk changes.
        "SELECT COUNT(*) + COALESCE(CAST(SUM(value) AS BIGINT), 0) FROM targets",
        "SELECT COUNT(*) FROM holidays",
        "SELECT COUNT(*) FROM absences",
        "SELECT COUNT(*) + COALESCE(CAST(SUM(weight) AS BIGINT), 0) FROM scorecard_metrics",
        "SELECT COUNT(*) FROM weight_versions",
        "SELECT COUNT(*) + COALESCE(CAST(SUM(CASE WHEN active THEN id ELSE 0 END) AS BIGINT), 0) FROM activity_types",
        "SELECT COUNT(*) FROM seasonality_profiles",
        "SELECT CAST(band_outstanding_bp + band_on_track_bp + band_at_risk_bp + composite_cap_bp + fiscal_year_start_month AS BIGINT) FROM settings",
        "SELECT CAST(LENGTH(working_weekdays) + LENGTH(org_name) + LENGTH(time_zone) + LENGTH(currency) AS BIGINT) FROM settings",
        "SELECT COUNT(*) + COALESCE(CAST(SUM(seconds_per_slide + LENGTH(slides)) AS BIGINT), 0) FROM displays",
    ] {
        out.push(scalar(&app.db, sql).await);
    }
    let hashes: Vec<String> = match &app.db {
        pacesetter::server::db::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT COALESCE(password_hash, '') FROM users ORDER BY id")
                .fetch_all(p)
                .await
                .unwrap()
        }
        pacesetter::server::db::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT COALESCE(password_hash, '') FROM users ORDER BY id")
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    out.push(
        hashes
            .iter()
            .map(|h| h.len() as i64 + h.bytes().map(i64::from).sum::<i64>())
            .sum(),
    );
    out
}

async fn access_matrix(engine: Engine) {
    use Caller::*;
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let (_, tv) = pacesetter::server::tokens::create_display(&app.db, "test", "TV")
        .await
        .unwrap();
    let (display_id, _) = pacesetter::server::tokens::create_display(&app.db, "test", "Spare TV")
        .await
        .unwrap();
    let clients = [
        (Anonymous, app.client()),
        (Rep, app.signed_in("ben@example.com", PASSWORD).await),
        (Manager, app.signed_in("mia@example.com", PASSWORD).await),
        (Admin, app.signed_in("root@example.com", PASSWORD).await),
        (TvToken, app.client()),
    ];
    // Ada's activity: nobody but Ada may delete it.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let logged: serde_json::Value = app
        .call(
            &ada,
            "log_activity",
            &[("type_key", "call"), ("client_key", "ada-1")],
        )
        .await
        .json()
        .await
        .unwrap();
    let ada_activity = logged["id"].as_i64().unwrap().to_string();
    let ada_id = f.ada.to_string();
    let display = display_id.to_string();
    let ben_id = f.ben.to_string();
    // A holiday, and an absence of Ada's (team Alpha, Mia's), for the admin to remove.
    common::exec(
        &app.db,
        "INSERT INTO holidays (day, name) VALUES ('2026-12-31', 'Old Year')",
    )
    .await;
    let absence = scalar(&app.db, &format!(
        "INSERT INTO absences (user_id, start_date, end_date, reason) VALUES ({}, '2026-07-06', '2026-07-10', 'Leave') RETURNING id",
        f.ada
    ))
    .await
    .to_string();

    // (server function, arguments, callers allowed, does it write?)
    let cases: Vec<Case> = vec![
        (
            "whoami",
            vec![],
            &[Anonymous, Rep, Manager, Admin, TvToken],
            false,
        ),
        (
            "leaderboard",
            vec![("period", "month")],
            &[Rep, Manager, Admin],
            false,
        ),
        (
            "tv_leaderboard",
            vec![("token", tv.as_str()), ("period", "month")],
            &[TvToken],
            false,
        ),
        ("tv_show", vec![("token", tv.as_str())], &[TvToken], false),
        (
            "my_score",
            vec![("period", "month")],
            &[Rep, Manager, Admin],
            false,
        ),
        ("activity_types", vec![], &[Rep, Manager, Admin], false),
        ("my_deals", vec![], &[Rep, Manager, Admin], false),
        (
            "my_trend",
            vec![("period", "month")],
            &[Rep, Manager, Admin],
            false,
        ),
        ("my_report", vec![], &[Rep, Manager, Admin], false),
        (
            "my_history",
            vec![("period", "this_week")],
            &[Rep, Manager, Admin],
            false,
        ),
        (
            "admin_save_lost_reasons",
            vec![("lost_reasons", "Price\nTiming")],
            &[Admin],
            true,
        ),
        (
            "delete_activity",
            vec![("id", ada_activity.as_str())],
            &[],
            true,
        ),
        (
            "edit_activity",
            vec![
                ("id", ada_activity.as_str()),
                ("note", "not yours"),
                ("duration_minutes", "5"),
                ("account", "Elsewhere"),
            ],
            &[],
            true,
        ),
        ("admin_overview", vec![], &[Admin], false),
        (
            "admin_set_active",
            vec![("id", ada_id.as_str()), ("active", "false")],
            &[Admin],
            true,
        ),
        (
            "admin_set_role",
            vec![("id", ada_id.as_str()), ("role", "admin")],
            &[Admin],
            true,
        ),
        (
            "admin_set_team",
            vec![("id", ada_id.as_str()), ("team", "Beta")],
            &[Admin],
            true,
        ),
        (
            "admin_set_sales_role",
            vec![("id", ada_id.as_str()), ("sales_role", "sdr")],
            &[Admin],
            true,
        ),
        (
            "admin_put_sales_role",
            vec![("key", "ae"), ("name", "Account Executive")],
            &[Admin],
            true,
        ),
        ("weight_desk", vec![], &[Admin], false),
        (
            "admin_set_weight",
            vec![
                ("key", "call"),
                ("weight", "4"),
                ("effective_from", "2026-01-01"),
            ],
            &[Admin],
            true,
        ),
        ("calendar_desk", vec![], &[Manager, Admin], false),
        (
            "admin_set_working_week",
            vec![
                ("days[0]", "1"),
                ("days[1]", "2"),
                ("days[2]", "3"),
                ("days[3]", "4"),
                ("days[4]", "5"),
                ("days[5]", "6"),
            ],
            &[Admin],
            true,
        ),
        (
            "admin_add_holiday",
            vec![("day", "2026-12-24"), ("name", "Christmas Eve")],
            &[Admin],
            true,
        ),
        (
            "admin_remove_holiday",
            vec![("day", "2026-12-31")],
            &[Admin],
            true,
        ),
        (
            "add_absence",
            vec![
                ("rep_id", ben_id.as_str()),
                ("start", "2026-08-03"),
                ("end", "2026-08-07"),
                ("reason", "Leave"),
            ],
            &[Manager, Admin],
            true,
        ),
        (
            "remove_absence",
            vec![("id", absence.as_str())],
            &[Manager, Admin],
            true,
        ),
        ("settings_desk", vec![], &[Admin], false),
        (
            "admin_save_settings",
            vec![
                ("org_name", "Renamed Org"),
                ("time_zone", "Europe/Paris"),
                ("fiscal_year_start_month", "4"),
                ("currency", "USD"),
                ("bands[outstanding]", "130"),
                ("bands[on_track]", "100"),
                ("bands[at_risk]", "85"),
                ("composite_cap", "200"),
            ],
            &[Admin],
            true,
        ),
        (
            "target_desk",
            vec![("metric", "activity_score"), ("year", "2027")],
            &[Manager, Admin],
            false,
        ),
        (
            // Ben is in Mia's team: the manager may, the rep may not (his own either).
            "save_targets",
            vec![
                ("metric", "activity_score"),
                ("edits[0][rep_email]", "ben@example.com"),
                ("edits[0][month]", "2027-01"),
                ("edits[0][value]", "10"),
            ],
            &[Manager, Admin],
            true,
        ),
        (
            "save_seasonality_profile",
            vec![
                ("name", "Ramp"),
                ("percents[0]", "10"),
                ("percents[1]", "10"),
                ("percents[2]", "10"),
                ("percents[3]", "10"),
                ("percents[4]", "7.5"),
                ("percents[5]", "7.5"),
                ("percents[6]", "7.5"),
                ("percents[7]", "7.5"),
                ("percents[8]", "7.5"),
                ("percents[9]", "7.5"),
                ("percents[10]", "7.5"),
                ("percents[11]", "7.5"),
            ],
            &[Admin],
            true,
        ),
        (
            "admin_reset_password",
            vec![("id", ada_id.as_str()), ("password", "a-new-long-password")],
            &[Admin],
            true,
        ),
        (
            "admin_create_user",
            vec![
                ("email", "eve@example.com"),
                ("name", "Eve"),
                ("role", "admin"),
                ("team", ""),
                ("password", "eve-password-123"),
            ],
            &[Admin],
            true,
        ),
        (
            "admin_create_display",
            vec![("form[name]", "Rogue TV"), ("form[slides][0]", "ranking")],
            &[Admin],
            true,
        ),
        (
            "team_view",
            vec![("period", "month")],
            &[Manager, Admin],
            false,
        ),
        ("displays_desk", vec![], &[Admin], false),
        (
            "admin_update_display",
            vec![
                ("id", display.as_str()),
                ("form[name]", "Renamed TV"),
                ("form[seconds]", "45"),
            ],
            &[Admin],
            true,
        ),
        (
            "admin_add_type",
            vec![
                ("form[key]", "visit"),
                ("form[label]", "Visit"),
                ("form[icon]", "V"),
                ("form[kind]", "leading"),
                ("form[weight]", "5"),
                ("form[daily_cap]", ""),
                ("form[min_minutes]", ""),
            ],
            &[Admin],
            true,
        ),
        (
            "admin_edit_type",
            vec![
                ("form[key]", "email"),
                ("form[label]", "E-mail"),
                ("form[icon]", "E"),
                ("form[kind]", "leading"),
                ("form[daily_cap]", "3"),
                ("form[min_minutes]", ""),
                ("form[active]", "false"),
            ],
            &[Admin],
            true,
        ),
        ("scorecard_desk", vec![], &[Admin], false),
        (
            "scorecard_preview",
            vec![("rep_id", ada_id.as_str())],
            &[Admin],
            false,
        ),
        (
            "admin_put_scorecard",
            vec![
                ("role", "sdr"),
                ("lines[0][metric]", "activity_score"),
                ("lines[0][leading]", "true"),
                ("lines[0][weight]", "7"),
            ],
            &[Admin],
            true,
        ),
        (
            "admin_create_api_token",
            vec![("name", "Rogue"), ("scopes[0]", "admin")],
            &[Admin],
            true,
        ),
        (
            "admin_revoke",
            vec![("kind", "display"), ("id", display.as_str())],
            &[Admin],
            true,
        ),
    ];
    // Every server function the app registers has a row here, or is named below with the
    // test that covers who may call it: a new endpoint without a row fails this test.
    const ELSEWHERE: [(&str, &str); 9] = [
        ("sign_in", "skeleton.rs: sign-in, lockout"),
        (
            "log_won_deal",
            "phone_deals.rs: a rep logs won and lost deals; plain form posts",
        ),
        (
            "log_lost_deal",
            "phone_deals.rs: a rep logs won and lost deals; plain form posts",
        ),
        (
            "update_my_deal",
            "phone_deals.rs: a rep moves and closes only their own open deals",
        ),
        (
            "close_my_deal",
            "phone_deals.rs: a rep moves and closes only their own open deals",
        ),
        ("sign_out", "scorecard.rs: sign_out_ends_the_session"),
        (
            "log_activity",
            "live.rs, fresh.rs: logged by the rep; access_matrix: called as Ada",
        ),
        ("scorecard", "scorecard.rs: who_may_see_whose_scorecard"),
        (
            "admin_import_csv",
            "transfer.rs: the import is for admins only",
        ),
    ];
    let mut listed: Vec<String> = cases
        .iter()
        .map(|c| c.0.to_string())
        .chain(ELSEWHERE.iter().map(|(n, _)| n.to_string()))
        .collect();
    listed.sort();
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    registered.sort();
    registered.dedup();
    assert_eq!(
        registered, listed,
        "every server function is in the access matrix"
    );

    let mut failures = Vec::new();
    for (name, args, allowed, writes) in &cases {
        for (caller, client) in &clients {
            let expect_allow = allowed.contains(caller);
            // Run writes that are allowed last (below), so every deny is checked on a known state.
            if expect_allow && *writes {
                continue;
            }
            let before = snapshot(&app).await;
            let mut args = args.clone();
            if *caller != TvToken {
                args.retain(|(k, _)| *k != "token");
                if *name == "tv_leaderboard" || *name == "tv_show" {
                    args.push(("token", "not-a-token"));
                }
            }
            let res = app.call(client, name, &args).await;
            let status = res.status().as_u16();
            let allowed_now = (200..300).contains(&status);
            if allowed_now != expect_allow {
                failures.push(format!(
                    "{name} as {caller:?}: status {status}, expected {}",
                    if expect_allow { "allow" } else { "deny" }
                ));
            }
            if !expect_allow {
                if ![401, 403, 404].contains(&status) {
                    failures.push(format!("{name} as {caller:?}: deny with status {status}"));
                }
                if snapshot(&app).await != before {
                    failures.push(format!(
                        "{name} as {caller:?}: denied but the database changed"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix violations:\n{}",
        failures.join("\n")
    );

    // The admin's writes do happen.
    let admin = &clients[3].1;
    for (name, args, allowed, writes) in &cases {
        if *writes && allowed.contains(&Admin) {
            let res = app.call(admin, name, args).await;
            assert!(
                res.status().is_success(),
                "{name} as admin: {} {}",
                res.status(),
                res.text().await.unwrap()
            );
        }
    }
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE email = 'eve@example.com'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM users u JOIN teams t ON t.id = u.team_id \
             WHERE u.email = 'ada@example.com' AND t.name = 'Beta'"
        )
        .await,
        1,
        "the admin moved Ada to team Beta"
    );
    assert_eq!(
        scalar(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM displays WHERE id = {display} AND revoked_at IS NOT NULL"
            )
        )
        .await,
        1
    );
}

async fn admin_changes_are_audited_and_end_sessions(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let id = f.ada.to_string();
    assert!(app
        .call(
            &admin,
            "admin_set_role",
            &[("id", &id), ("role", "manager")]
        )
        .await
        .status()
        .is_success());
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        200,
        "a role change keeps the session"
    );
    assert!(app
        .call(
            &admin,
            "admin_reset_password",
            &[("id", &id), ("password", "brand-new-password")]
        )
        .await
        .status()
        .is_success());
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        401,
        "a password reset ends sessions"
    );
    assert_eq!(
        app.sign_in(&app.client(), "ada@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    app.signed_in("ada@example.com", "brand-new-password").await;
    // Too short: a clear error, nothing changed.
    let res = app
        .call(
            &admin,
            "admin_reset_password",
            &[("id", &id), ("password", "short")],
        )
        .await;
    // A field that breaks a rule is a 422 through every door (page, API, import).
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("at least 12"));
    // An admin cannot lock themselves out.
    let root: i64 = scalar(
        &app.db,
        "SELECT id FROM users WHERE email = 'root@example.com'",
    )
    .await;
    assert_eq!(
        app.call(
            &admin,
            "admin_set_active",
            &[("id", &root.to_string()), ("active", "false")]
        )
        .await
        .status(),
        400
    );

    let overview: serde_json::Value = app
        .call(&admin, "admin_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    let audit = overview["audit"].as_array().unwrap();
    let role_change = audit
        .iter()
        .find(|a| a["action"] == "change_role")
        .expect("role change audited");
    assert_eq!(role_change["actor"], "root@example.com");
    assert!(role_change["before"].as_str().unwrap().contains("\"rep\""));
    assert!(role_change["after"]
        .as_str()
        .unwrap()
        .contains("\"manager\""));
    let reset = audit
        .iter()
        .find(|a| a["action"] == "reset_password")
        .expect("reset audited");
    assert!(
        reset["after"].is_null(),
        "no password or hash in the audit log"
    );
    let text = serde_json::to_string(&overview).unwrap();
    assert!(!text.contains("$argon2"), "no hashes leave the server");
}

async fn revoked_display_stops_at_once(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let created: serde_json::Value = app
        .call(&admin, "admin_create_display", &[("form[name]", "Lobby")])
        .await
        .json()
        .await
        .unwrap();
    let path = created["path"].as_str().unwrap().to_string();
    let token = path.trim_start_matches("/tv/").to_string();
    let tv = app.client();
    assert_eq!(
        app.call(
            &tv,
            "tv_leaderboard",
            &[("token", &token), ("period", "month")]
        )
        .await
        .status(),
        200
    );
    let id: i64 = scalar(&app.db, "SELECT id FROM displays WHERE name = 'Lobby'").await;
    assert!(app
        .call(
            &admin,
            "admin_revoke",
            &[("kind", "display"), ("id", &id.to_string())]
        )
        .await
        .status()
        .is_success());
    assert_eq!(
        app.call(
            &tv,
            "tv_leaderboard",
            &[("token", &token), ("period", "month")]
        )
        .await
        .status(),
        401
    );
    assert_eq!(
        app.call(
            &admin,
            "admin_revoke",
            &[("kind", "display"), ("id", &id.to_string())]
        )
        .await
        .status(),
        404
    );
}

async fn team_change_moves_what_a_manager_sees(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let card = |rep: i64| {
        let mia = mia.clone();
        let app = &app;
        async move {
            app.call(
                &mia,
                "scorecard",
                &[("period", "month"), ("rep_id", &rep.to_string())],
            )
            .await
            .status()
            .as_u16()
        }
    };
    assert_eq!(card(f.ada).await, 200, "Ada is in Mia's team");
    assert_eq!(card(f.cy).await, 403, "Cy is not");
    let res = app
        .call(
            &admin,
            "admin_set_team",
            &[("id", &f.cy.to_string()), ("team", " Alpha ")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(card(f.cy).await, 200, "Cy moved into Mia's team");
    assert!(app
        .call(
            &admin,
            "admin_set_team",
            &[("id", &f.ada.to_string()), ("team", "")]
        )
        .await
        .status()
        .is_success());
    assert_eq!(card(f.ada).await, 403, "Ada left every team");
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE team_id IS NULL AND email = 'ada@example.com'"
        )
        .await,
        1
    );
    let too_long = "x".repeat(pacesetter::people::service::MAX_TEAM_NAME + 1);
    let res = app
        .call(
            &admin,
            "admin_set_team",
            &[("id", &f.ben.to_string()), ("team", &too_long)],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM teams").await,
        2,
        "no team made from a bad name"
    );
    let overview: serde_json::Value = app
        .call(&admin, "admin_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    let moves: Vec<&serde_json::Value> = overview["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "change_team")
        .collect();
    assert_eq!(moves.len(), 2);
    let cy_move = moves
        .iter()
        .find(|a| a["entity"] == format!("user:{}", f.cy))
        .expect("Cy's move audited");
    assert!(cy_move["before"].as_str().unwrap().contains("\"Beta\""));
    assert!(cy_move["after"].as_str().unwrap().contains("\"Alpha\""));
    assert_eq!(overview["teams"], serde_json::json!(["Alpha", "Beta"]));
}

/// Every CSV export × every kind of caller: admins and read tokens get everything; a
/// manager gets their own team's rows (asking for another team is refused like an unknown
/// one); reps are refused; visitors must sign in.
async fn export_matrix(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    for (rep, account) in [(f.ada, "Alpha Co"), (f.cy, "Beta Co")] {
        common::exec(
            &app.db,
            &format!(
                "INSERT INTO activities (rep_id, activity_type_id, occurred_at, local_date, quantity, \
                 qualifies, account, created_at) SELECT {rep}, id, '2025-06-10T10:00:00Z', '2025-06-10', 1, \
                 TRUE, '{account}', '2025-06-10T10:00:00Z' FROM activity_types WHERE key = 'call'"
            ),
        )
        .await;
        common::exec(
            &app.db,
            &format!(
                "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, \
                 new_customer, created_on, created_at, updated_at) VALUES ({rep}, '{account} deal', \
                 '{account}', 1000, 'EUR', 'Open', 50, 'open', FALSE, '2025-06-01', \
                 '2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z')"
            ),
        )
        .await;
    }
    let anonymous = app.client();
    let rep = app.signed_in("ben@example.com", PASSWORD).await;
    let manager = app.signed_in("mia@example.com", PASSWORD).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let get = |c: &reqwest::Client, path: &str| {
        let req = c.get(app.at(path));
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let mut paths: Vec<String> = [
        "/export/activities.csv",
        "/export/deals.csv",
        "/export/leaderboard.csv?period=month&date=2025-06-15",
        "/export/scorecards.csv?period=month&date=2025-06-15",
    ]
    .map(String::from)
    .to_vec();
    for table in pacesetter::transfer::export::TEAM_TABLES {
        paths.push(format!(
            "/export/team/{table}.csv?period=month&date=2025-06-15"
        ));
    }
    for path in &paths {
        assert_eq!(get(&anonymous, path).await.0, 401, "{path}");
        assert_eq!(get(&rep, path).await.0, 403, "{path}");
        let (status, mine) = get(&manager, path).await;
        assert_eq!(status, 200, "{path}: {mine}");
        assert!(
            !mine.contains("Cy Twombly")
                && !mine.contains("cy@example.com")
                && !mine.contains("Beta Co"),
            "{path}: {mine}"
        );
        let (status, all) = get(&admin, path).await;
        assert_eq!(status, 200, "{path}");
        // The manager asking for another team, or one that does not exist: the same refusal.
        let sep = if path.contains('?') { '&' } else { '?' };
        let beta = get(&manager, &format!("{path}{sep}team=Beta")).await;
        let nope = get(&manager, &format!("{path}{sep}team=Nope")).await;
        if path.contains("activities.csv") || path.contains("deals.csv") {
            // Range exports have no team parameter: the manager's rows stay their team's.
            assert_eq!(beta.0, 200, "{path}");
            assert!(!beta.1.contains("Beta Co"), "{path}");
            assert!(
                all.contains("Beta Co") && mine.contains("Alpha Co"),
                "{path}: {all}"
            );
        } else {
            assert_eq!(beta.0, 403, "{path}");
            assert_eq!(beta, nope, "{path}");
            assert!(!beta.1.contains("Cy"), "{path}");
        }
    }
    // Team tables the admin may pick by team; unknown tables are named.
    let (status, body) = get(
        &admin,
        "/export/team/turnover.csv?period=month&date=2025-06-15&team=Beta",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Cy Twombly") && !body.contains("Ada Lovelace"),
        "{body}"
    );
    let (status, body) = get(&admin, "/export/team/secrets.csv").await;
    assert_eq!(status, 404, "{body}");
}
