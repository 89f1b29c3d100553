//! The walking skeleton end to end over HTTP: health, sign-in, logging, scores, leaderboard,
//! TV tokens and the cross-site guard, on a real SQLite file and a real PostgreSQL server.

mod common;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use serde_json::Value;

on_both_engines!(
    healthz_reports_version_and_database,
    sign_in_rejects_wrong_and_unknown_alike,
    sign_in_is_throttled_per_account,
    sign_in_is_throttled_per_client_address,
    logging_changes_score_and_retries_count_once,
    daily_cap_limits_points_but_keeps_the_entries,
    leaderboard_needs_a_session_and_ranks_with_ties,
    reps_delete_only_their_own_activities,
    tv_token_reads_the_leaderboard_and_bad_tokens_do_not,
    sign_out_ends_the_session,
    deactivated_user_loses_their_session,
    cross_site_posts_are_refused,
    demo_seed_fills_an_empty_database,
    pages_carry_security_headers_and_a_nonce_csp,
    oversized_bodies_are_refused,
    sessions_expire_when_idle_or_old,
);

async fn json(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
}

async fn my_total(app: &TestApp, client: &reqwest::Client) -> i64 {
    let res = app.call(client, "my_score", &[("period", "month")]).await;
    assert_eq!(res.status(), 200);
    json(res).await["total"].as_i64().unwrap()
}

async fn healthz_reports_version_and_database(engine: Engine) {
    let app = TestApp::start(engine).await;
    let res = reqwest::get(app.at("/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
    let body = json(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"]["ok"], true);
    let expected = if engine == Engine::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(body["database"]["engine"], expected);
}

async fn sign_in_rejects_wrong_and_unknown_alike(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let c = app.client();
    let wrong = app.sign_in(&c, "ada@example.com", "not-the-password").await;
    assert_eq!(wrong.status(), 401);
    let wrong = wrong.text().await.unwrap();
    let unknown = app
        .sign_in(&c, "nobody@example.com", "not-the-password")
        .await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        wrong,
        unknown.text().await.unwrap(),
        "unknown email and wrong password must look the same"
    );
    assert!(wrong.contains("Wrong email or password"));
    // Email is case-insensitive and the right password works; the session cookie is HttpOnly.
    let ok = app.sign_in(&c, "  ADA@example.com ", PASSWORD).await;
    assert!(
        ok.status().is_success() || ok.status().is_redirection(),
        "status {}",
        ok.status()
    );
    let cookie = ok
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(ok.headers().get("location").unwrap(), "/me");
    let me = json(app.call(&c, "whoami", &[]).await).await;
    assert_eq!(me["email"], "ada@example.com");
}

async fn sign_in_is_throttled_per_account(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let c = app.client();
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&c, "ben@example.com", "guess").await.status(),
            401
        );
    }
    // Even the right password is refused while the account is throttled.
    let res = app.sign_in(&c, "ben@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("Too many"));
    // Other accounts are not affected.
    let ok = app.sign_in(&c, "ada@example.com", PASSWORD).await;
    assert!(
        ok.status().is_success() && ok.headers().contains_key("set-cookie"),
        "{}",
        ok.status()
    );
}

/// One address guessing across many accounts (password spraying) is stopped too, even
/// though no single account reaches its own limit.
async fn sign_in_is_throttled_per_client_address(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let c = app.client();
    let max = pacesetter::auth::throttle::MAX_PER_CLIENT;
    for i in 0..max {
        let res = app
            .sign_in(&c, &format!("guess{i}@example.com"), "password1")
            .await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM sign_in_attempts WHERE client = '127.0.0.1'"
        )
        .await,
        max,
        "attempts are counted against the client's address"
    );
    // The address is now refused, even with a right password for a fresh account…
    let res = app.sign_in(&c, "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(!res.headers().contains_key("set-cookie"));
    // …and it says the same for an unknown account (no hint which emails exist).
    let unknown = app.sign_in(&c, "nobody@example.com", "x").await;
    assert_eq!(unknown.status(), 429);
    assert_eq!(unknown.text().await.unwrap(), res.text().await.unwrap());
}

async fn logging_changes_score_and_retries_count_once(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    assert_eq!(my_total(&app, &ada).await, 0);
    let first = json(
        app.call(
            &ada,
            "log_activity",
            &[("type_key", "call"), ("client_key", "k-1")],
        )
        .await,
    )
    .await;
    assert_eq!(first["duplicate"], false);
    assert_eq!(my_total(&app, &ada).await, 300, "one call is 3.00 points");
    // The same key again (a retry after a lost response) changes nothing.
    let retry = json(
        app.call(
            &ada,
            "log_activity",
            &[("type_key", "call"), ("client_key", "k-1")],
        )
        .await,
    )
    .await;
    assert_eq!(retry["duplicate"], true);
    assert_eq!(retry["id"], first["id"]);
    assert_eq!(my_total(&app, &ada).await, 300);
    assert_eq!(app.count("activities").await, 1);
    // A second tap (new key) counts.
    app.call(
        &ada,
        "log_activity",
        &[("type_key", "call"), ("client_key", "k-2")],
    )
    .await;
    assert_eq!(my_total(&app, &ada).await, 600);
    // Unknown type: a clear 404, nothing stored.
    let res = app
        .call(
            &ada,
            "log_activity",
            &[("type_key", "telepathy"), ("client_key", "k-3")],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("telepathy"));
    assert_eq!(app.count("activities").await, 2);
    // The explanation: type × units × weight = points.
    let score = json(app.call(&ada, "my_score", &[("period", "month")]).await).await;
    let line = &score["lines"][0];
    assert_eq!(
        (
            line["label"].as_str(),
            line["units"].as_i64(),
            line["weight"].as_i64(),
            line["points"].as_i64()
        ),
        (Some("Call"), Some(2), Some(300), Some(600))
    );
    assert_eq!(score["today"].as_array().unwrap().len(), 2);
}

async fn daily_cap_limits_points_but_keeps_the_entries(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    for k in 0..3 {
        app.call(
            &ada,
            "log_activity",
            &[("type_key", "email"), ("client_key", &format!("e{k}"))],
        )
        .await;
    }
    let score = json(app.call(&ada, "my_score", &[("period", "day")]).await).await;
    assert_eq!(score["total"], 200, "email is capped at 2 a day");
    assert_eq!(score["lines"][0]["units"], 3);
    assert_eq!(score["lines"][0]["counted_units"], 2);
    assert_eq!(
        score["today"].as_array().unwrap().len(),
        3,
        "capped entries are kept"
    );
}

async fn leaderboard_needs_a_session_and_ranks_with_ties(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let anon = app
        .call(&app.client(), "leaderboard", &[("period", "month")])
        .await;
    assert_eq!(anon.status(), 401);
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    app.call(
        &ada,
        "log_activity",
        &[("type_key", "call"), ("client_key", "a1")],
    )
    .await;
    app.call(
        &ben,
        "log_activity",
        &[("type_key", "call"), ("client_key", "b1")],
    )
    .await;
    let board = json(app.call(&ada, "leaderboard", &[("period", "month")]).await).await;
    let entries = board["entries"].as_array().unwrap();
    let ranks: Vec<(i64, i64, i64)> = entries
        .iter()
        .map(|e| {
            (
                e["rep_id"].as_i64().unwrap(),
                e["rank"].as_i64().unwrap(),
                e["points"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranks,
        vec![(f.ada, 1, 300), (f.ben, 1, 300), (f.cy, 3, 0)],
        "ties share a rank: 1, 1, 3"
    );
    assert_eq!(entries[0]["index_tenths"], 100);
    assert_eq!(entries[2]["index_tenths"], 0);
    let bad = app
        .call(&ada, "leaderboard", &[("period", "fortnight")])
        .await;
    assert_eq!(bad.status(), 400);
    // Server-side rendering: the ranking is in the HTML of `/`.
    let html = ada
        .get(app.at("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Ada Lovelace") && html.contains("Cy Twombly"),
        "leaderboard names in SSR HTML"
    );
    assert!(html.contains("3.00"), "points in SSR HTML");
}

async fn reps_delete_only_their_own_activities(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let logged = json(
        app.call(
            &ada,
            "log_activity",
            &[("type_key", "call"), ("client_key", "x")],
        )
        .await,
    )
    .await;
    let id = logged["id"].as_i64().unwrap().to_string();
    let res = app.call(&ben, "delete_activity", &[("id", &id)]).await;
    assert_eq!(res.status(), 404, "Ben cannot delete Ada's activity");
    assert_eq!(my_total(&app, &ada).await, 300);
    let res = app.call(&ada, "delete_activity", &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(my_total(&app, &ada).await, 0);
    assert_eq!(
        app.count("activities").await,
        1,
        "deleted activities are kept, marked deleted"
    );
    let again = app.call(&ada, "delete_activity", &[("id", &id)]).await;
    assert_eq!(again.status(), 404);
    assert_eq!(
        my_total(&app, &ada).await,
        0,
        "a second delete takes nothing more off"
    );
}

async fn tv_token_reads_the_leaderboard_and_bad_tokens_do_not(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let (_, token) = pacesetter::server::tokens::create_display(&app.db, "test", "Office TV")
        .await
        .unwrap();
    let c = app.client();
    let ok = app
        .call(
            &c,
            "tv_leaderboard",
            &[("token", &token), ("period", "month")],
        )
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(json(ok).await["entries"].as_array().unwrap().len(), 3);
    let bad = app
        .call(
            &c,
            "tv_leaderboard",
            &[("token", "0000"), ("period", "month")],
        )
        .await;
    assert_eq!(bad.status(), 401);
    // A display token is not a session: it cannot log activities.
    let res = app
        .call(
            &c,
            "log_activity",
            &[("type_key", "call"), ("token", &token)],
        )
        .await;
    assert_eq!(res.status(), 401);
    // The TV page renders without sign-in, and the token is stored only hashed.
    let html = c
        .get(app.at(&format!("/tv/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Ada Lovelace"), "TV page is server-rendered");
    let stored: i64 = common::scalar(
        &app.db,
        &format!("SELECT COUNT(*) FROM displays WHERE token_hash = '{token}'"),
    )
    .await;
    assert_eq!(stored, 0);
}

async fn sign_out_ends_the_session(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    assert_eq!(app.count("sessions").await, 1);
    let res = app.call(&ada, "sign_out", &[]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        401
    );
}

async fn deactivated_user_loses_their_session(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        200
    );
    common::exec(
        &app.db,
        &format!("UPDATE users SET active = FALSE WHERE id = {}", f.ada),
    )
    .await;
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in(&app.client(), "ada@example.com", PASSWORD)
            .await
            .status(),
        401
    );
}

async fn cross_site_posts_are_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let res = ada
        .post(app.at("/api/log_activity"))
        .header("origin", "https://evil.example")
        .form(&[("type_key", "call")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = ada
        .post(app.at("/api/log_activity"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("type_key", "call")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("activities").await, 0, "nothing was written");
    let same = ada
        .post(app.at("/api/log_activity"))
        .header("origin", app.url.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[("type_key", "call")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
}

async fn demo_seed_fills_an_empty_database(engine: Engine) {
    use pacesetter::server::seed;
    let app = TestApp::start(engine).await;
    assert!(seed::is_empty(&app.db).await.unwrap());
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let summary = seed::seed_demo(&app.db, now).await.unwrap();
    assert_eq!(summary.reps, 24);
    assert!(
        summary.activities > 20_000,
        "a year of activity: {}",
        summary.activities
    );
    assert!(!seed::is_empty(&app.db).await.unwrap());
    assert_eq!(app.count("teams").await, 3);
    // The demo's three roles, and the new organisation's default one for reps added later.
    assert_eq!(app.count("sales_roles").await, 4);
    let won = common::scalar(&app.db, "SELECT COUNT(*) FROM deals WHERE status = 'won'").await;
    let lost = common::scalar(
        &app.db,
        "SELECT COUNT(*) FROM deals WHERE status = 'lost' AND lost_reason IS NOT NULL",
    )
    .await;
    let open = common::scalar(&app.db, "SELECT COUNT(*) FROM deals WHERE status = 'open'").await;
    assert!(
        won > 0 && lost > 0 && open > 0,
        "won {won}, lost {lost}, open {open}"
    );
    // August is quieter than October.
    let aug = common::scalar(&app.db, "SELECT CAST(SUM(units) AS BIGINT) FROM daily_rollups WHERE local_date >= '2026-08-01' AND local_date <= '2026-08-31'").await;
    let oct = common::scalar(&app.db, "SELECT CAST(SUM(units) AS BIGINT) FROM daily_rollups WHERE local_date >= '2026-10-01' AND local_date <= '2026-10-31'").await;
    assert!(
        aug * 10 < oct * 8,
        "August {aug} should be well below October {oct}"
    );
    let times: Vec<chrono::DateTime<chrono::Utc>> = match &app.db {
        pacesetter::server::db::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT occurred_at FROM activities")
                .fetch_all(p)
                .await
                .unwrap()
        }
        pacesetter::server::db::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT occurred_at FROM activities")
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    assert!(times.iter().all(|t| *t <= now), "nothing in the future");
    assert!(
        times.iter().any(|t| t.date_naive() == now.date_naive()),
        "some activity earlier today"
    );
    // Deterministic: the same day gives the same data.
    let app2 = TestApp::start(Engine::Sqlite).await;
    let again = seed::seed_demo(&app2.db, now).await.unwrap();
    assert_eq!(
        (again.activities, again.deals),
        (summary.activities, summary.deals)
    );
    // The demo rep can sign in and sees a populated leaderboard.
    let rep = app
        .signed_in(seed::DEMO_REP_EMAIL, seed::DEMO_PASSWORD)
        .await;
    let board = json(app.call(&rep, "leaderboard", &[("period", "year")]).await).await;
    assert_eq!(board["entries"].as_array().unwrap().len(), 24);
    assert!(board["entries"][0]["points"].as_i64().unwrap() > 0);
}

async fn pages_carry_security_headers_and_a_nonce_csp(engine: Engine) {
    let app = TestApp::start(engine).await;
    let res = app.client().get(app.at("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    for part in [
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{part} missing: {csp}");
    }
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("charset=utf-8"),
        "{:?}",
        h["content-type"]
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap()
        .to_string();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    // A fresh nonce per response.
    let again = app.client().get(app.at("/login")).send().await.unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));
}

async fn oversized_bodies_are_refused(engine: Engine) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    // A signed-in rep announces a body over the limit. The server must answer 413 from the
    // header alone; the client keeps its side open and sends nothing more, so no reset can
    // hide the answer.
    let client = app.client();
    let signed = app.sign_in(&client, "ada@example.com", PASSWORD).await;
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/log_activity HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        pacesetter::server::http::BODY_LIMIT + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buf))
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(app.count("activities").await, 0);
}

async fn sessions_expire_when_idle_or_old(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let fmt = |days: i64| (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    // Idle for 8 days (limit 7): over.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        200
    );
    common::exec(
        &app.db,
        &format!("UPDATE sessions SET last_seen_at = '{}'", fmt(8)),
    )
    .await;
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        401
    );
    assert_eq!(
        app.count("sessions").await,
        0,
        "the expired session is removed"
    );
    // Used yesterday but started 31 days ago (limit 30): over too.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    common::exec(
        &app.db,
        &format!(
            "UPDATE sessions SET created_at = '{}', last_seen_at = '{}'",
            fmt(31),
            fmt(1)
        ),
    )
    .await;
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        401
    );
    // Used yesterday, started 20 days ago: still fine.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    common::exec(
        &app.db,
        &format!(
            "UPDATE sessions SET created_at = '{}', last_seen_at = '{}'",
            fmt(20),
            fmt(1)
        ),
    )
    .await;
    assert_eq!(
        app.call(&ada, "my_score", &[("period", "month")])
            .await
            .status(),
        200
    );
}
