//! The rep's deals on the phone: log a deal won or lost, move an open deal along, mark it
//! won or lost — through the deal rules every door shares — and see turnover and win rate
//! move. Bad input and other reps' deals are refused and nothing is written. Plain form
//! posts (no JavaScript) come back with readable addresses. On SQLite and PostgreSQL.

mod common;

use common::{exec, fixture, scalar, Engine, TestApp, PASSWORD};
use serde_json::Value;

on_both_engines!(
    a_rep_logs_won_and_lost_deals_and_sees_turnover_and_win_rate_move,
    a_rep_moves_and_closes_only_their_own_open_deals,
    plain_form_posts_come_back_readable,
);

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    name: &str,
    args: &[(&str, &str)],
) -> (u16, String) {
    let res = app.call(client, name, args).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn my_deals(client: &reqwest::Client, app: &TestApp) -> Value {
    let (status, body) = post(client, app, "my_deals", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn figure(deals: &Value, name: &str) -> String {
    match &deals["figures"][name] {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// Sets the organisation's lost reasons as an admin does on the settings page.
async fn set_reasons(app: &TestApp) {
    let root = app.signed_in("root@example.com", PASSWORD).await;
    let (status, body) = post(
        &root,
        app,
        "admin_save_lost_reasons",
        &[("lost_reasons", "Price\n\n Competitor \nTiming")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A rep may not change them; a duplicate is refused and changes nothing.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let (status, _) = post(
        &ada,
        app,
        "admin_save_lost_reasons",
        &[("lost_reasons", "Mine")],
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = post(
        &root,
        app,
        "admin_save_lost_reasons",
        &[("lost_reasons", "Price\nprice")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("listed twice"), "{body}");
    assert_eq!(app.count("lost_reasons").await, 3);
}

/// A refused call: server function, its arguments, the field named and words of its message.
type Case = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static str,
    &'static str,
);

async fn a_rep_logs_won_and_lost_deals_and_sees_turnover_and_win_rate_move(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    set_reasons(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let start = my_deals(&ada, &app).await;
    assert_eq!(figure(&start, "turnover_won"), "EUR 0");
    assert_eq!(figure(&start, "win_rate"), "n/a");
    assert_eq!(
        start["lost_reasons"],
        serde_json::json!(["Price", "Competitor", "Timing"])
    );

    // Won: 1,250.50 from a new customer.
    let (status, body) = post(
        &ada,
        &app,
        "log_won_deal",
        &[
            ("amount", "1,250.50"),
            ("account", "Acme"),
            ("name", ""),
            ("new_customer", "on"),
            ("closed_on", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        scalar(&app.db, &format!("SELECT amount_minor FROM deals WHERE id = {id} AND rep_id = {} AND status = 'won' AND new_customer = TRUE AND account = 'Acme' AND name = 'Acme' AND closed_on IS NOT NULL", f.ada)).await,
        125050
    );
    assert_eq!(scalar(&app.db, &format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'deal:{id}' AND actor = 'ada@example.com' AND action = 'create'")).await, 1);
    // The same form sent twice (a double tap, a resent plain post) stores one deal; a new
    // form (a new key) stores another.
    let keyed = [
        ("amount", "300"),
        ("account", "Initech"),
        ("name", ""),
        ("closed_on", ""),
        ("client_key", "form-1"),
    ];
    let (status, body) = post(&ada, &app, "log_won_deal", &keyed).await;
    assert_eq!(status, 200, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    let (status, body) = post(&ada, &app, "log_won_deal", &keyed).await;
    assert_eq!(status, 200, "{body}");
    let again: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(again["id"], first["id"]);
    assert!(
        again["notice"].as_str().unwrap().contains("Already logged"),
        "{again}"
    );
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM deals WHERE account = 'Initech'"
        )
        .await,
        1
    );
    // Another rep's form with the same key is their own deal.
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let (status, body) = post(&ben, &app, "log_won_deal", &keyed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM deals WHERE account = 'Initech'"
        )
        .await,
        2
    );
    exec(&app.db, "DELETE FROM deals WHERE account = 'Initech'").await;
    let after_won = my_deals(&ada, &app).await;
    assert_eq!(figure(&after_won, "turnover_won"), "EUR 1,250.50");
    assert_eq!(figure(&after_won, "win_rate"), "100%");

    // Lost, for a reason of the list (any case).
    let (status, body) = post(
        &ada,
        &app,
        "log_lost_deal",
        &[
            ("amount", "500"),
            ("account", ""),
            ("name", "Globex pilot"),
            ("lost_reason", "competitor"),
            ("closed_on", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM deals WHERE status = 'lost' AND lost_reason = 'Competitor' AND amount_minor = 50000").await, 1);
    let after_lost = my_deals(&ada, &app).await;
    assert_eq!(figure(&after_lost, "turnover_won"), "EUR 1,250.50");
    assert_eq!(figure(&after_lost, "win_rate"), "50%");
    assert_eq!(figure(&after_lost, "lost"), "1");

    // Bad input: each problem named on its field, nothing written.
    let deals = app.count("deals").await;
    let audits = app.count("audit_log").await;
    let cases: [Case; 5] = [
        (
            "log_won_deal",
            vec![
                ("amount", "-5"),
                ("account", "Acme"),
                ("name", ""),
                ("closed_on", ""),
            ],
            "amount",
            "must not be negative",
        ),
        (
            "log_won_deal",
            vec![
                ("amount", "lots"),
                ("account", ""),
                ("name", ""),
                ("closed_on", ""),
            ],
            "amount",
            "such as 1250",
        ),
        (
            "log_won_deal",
            vec![
                ("amount", "10"),
                ("account", ""),
                ("name", ""),
                ("closed_on", "2999-01-01"),
            ],
            "closed_on",
            "future",
        ),
        (
            "log_lost_deal",
            vec![
                ("amount", "10"),
                ("account", ""),
                ("name", ""),
                ("lost_reason", "Weather"),
                ("closed_on", ""),
            ],
            "lost_reason",
            "not one of",
        ),
        (
            "log_lost_deal",
            vec![
                ("amount", "10"),
                ("account", ""),
                ("name", ""),
                ("lost_reason", ""),
                ("closed_on", ""),
            ],
            "lost_reason",
            "choose a reason",
        ),
    ];
    for (name, args, field, words) in cases {
        let (status, body) = post(&ada, &app, name, &args).await;
        assert_eq!(status, 422, "{name} {args:?}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let errors = v["Invalid"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(words)),
            "{name} {args:?}: {body}"
        );
    }
    assert_eq!(app.count("deals").await, deals, "nothing written");
    assert_eq!(app.count("audit_log").await, audits);
    // The figures did not move.
    assert_eq!(figure(&my_deals(&ada, &app).await, "win_rate"), "50%");

    // Ben's figures are his own.
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    assert_eq!(figure(&my_deals(&ben, &app).await, "turnover_won"), "EUR 0");
    // Signed out: nothing.
    let (status, _) = post(
        &app.client(),
        &app,
        "log_won_deal",
        &[
            ("amount", "1"),
            ("account", ""),
            ("name", ""),
            ("closed_on", ""),
        ],
    )
    .await;
    assert_eq!(status, 401);
}

async fn open_deal(app: &TestApp, rep: i64, name: &str, amount: i64, probability: i64) -> i64 {
    exec(&app.db, &format!(
        "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, new_customer, created_on, expected_close, created_at, updated_at) \
         VALUES ({rep}, '{name}', 'Initech', {amount}, 'EUR', 'Discovery', {probability}, 'open', FALSE, '2020-01-01', NULL, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')"
    )).await;
    scalar(
        &app.db,
        &format!("SELECT id FROM deals WHERE name = '{name}'"),
    )
    .await
}

async fn row(app: &TestApp, id: i64) -> (i64, i64, i64) {
    (
        scalar(&app.db, &format!("SELECT probability FROM deals WHERE id = {id}")).await,
        scalar(&app.db, &format!("SELECT CAST(CASE WHEN status = 'open' THEN 0 WHEN status = 'won' THEN 1 ELSE 2 END AS BIGINT) FROM deals WHERE id = {id}")).await,
        scalar(&app.db, &format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'deal:{id}'")).await,
    )
}

async fn a_rep_moves_and_closes_only_their_own_open_deals(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    set_reasons(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let big = open_deal(&app, f.ada, "Big one", 100_000, 20).await;
    let small = open_deal(&app, f.ada, "Small one", 40_000, 50).await;
    let bens = open_deal(&app, f.ben, "Ben deal", 70_000, 30).await;

    let start = my_deals(&ada, &app).await;
    let open: Vec<i64> = start["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(open.len(), 2, "only Ada's own open deals: {open:?}");
    assert!(!open.contains(&bens));
    assert_eq!(figure(&start, "open_amount"), "EUR 1,400");
    assert_eq!(figure(&start, "weighted"), "EUR 400");

    // Move the big one along: stage, probability, close month (stored as its last day).
    let month = (chrono::Utc::now().date_naive() + chrono::Duration::days(40))
        .format("%Y-%m")
        .to_string();
    let (status, body) = post(
        &ada,
        &app,
        "update_my_deal",
        &[
            ("id", &big.to_string()),
            ("stage", "Proposal"),
            ("probability", "60"),
            ("expected_month", &month),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(row(&app, big).await, (60, 0, 1));
    assert_eq!(scalar(&app.db, &format!("SELECT COUNT(*) FROM deals WHERE id = {big} AND stage = 'Proposal' AND expected_close IS NOT NULL")).await, 1);
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
    let last = pacesetter::scoring::YearMonth::of(first).last_day();
    assert_eq!(
        scalar(
            &app.db,
            &format!("SELECT COUNT(*) FROM deals WHERE id = {big} AND expected_close = '{last}'")
        )
        .await,
        1,
        "{last}"
    );
    let moved = my_deals(&ada, &app).await;
    assert_eq!(figure(&moved, "weighted"), "EUR 800", "600 + 200");

    // Bad values: named, nothing changes.
    for (args, field) in [
        (
            vec![
                ("stage", "Proposal"),
                ("probability", "150"),
                ("expected_month", ""),
            ],
            "probability",
        ),
        (
            vec![
                ("stage", "Proposal"),
                ("probability", "a lot"),
                ("expected_month", ""),
            ],
            "probability",
        ),
        (
            vec![
                ("stage", "Proposal"),
                ("probability", "50"),
                ("expected_month", "2026-13"),
            ],
            "expected_month",
        ),
        (
            vec![
                ("stage", " "),
                ("probability", "50"),
                ("expected_month", ""),
            ],
            "stage",
        ),
    ] {
        let id = big.to_string();
        let mut all = vec![("id", id.as_str())];
        all.extend(args.iter().copied());
        let (status, body) = post(&ada, &app, "update_my_deal", &all).await;
        assert_eq!(status, 422, "{args:?}: {body}");
        assert!(body.contains(&format!("\"field\":\"{field}\"")), "{body}");
    }
    assert_eq!(row(&app, big).await, (60, 0, 1), "unchanged");

    // Someone else's deal is refused alike whether it exists or not, and stays as it was.
    let theirs = bens.to_string();
    let (status, _) = post(
        &ada,
        &app,
        "update_my_deal",
        &[
            ("id", &theirs),
            ("stage", "Proposal"),
            ("probability", "90"),
            ("expected_month", ""),
        ],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &ada,
        &app,
        "close_my_deal",
        &[("id", &theirs), ("outcome", "won")],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(row(&app, bens).await, (30, 0, 0));
    let (status, _) = post(
        &ben,
        &app,
        "close_my_deal",
        &[("id", &big.to_string()), ("outcome", "won")],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(row(&app, big).await, (60, 0, 1));

    // Mark the big one won: turnover and win rate move.
    let (status, body) = post(
        &ada,
        &app,
        "close_my_deal",
        &[("id", &big.to_string()), ("outcome", "won")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(row(&app, big).await, (100, 1, 2));
    let won = my_deals(&ada, &app).await;
    assert_eq!(figure(&won, "turnover_won"), "EUR 1,000");
    assert_eq!(figure(&won, "win_rate"), "100%");
    assert_eq!(figure(&won, "open_amount"), "EUR 400");
    // A closed deal is no longer open to change.
    let (status, _) = post(
        &ada,
        &app,
        "close_my_deal",
        &[
            ("id", &big.to_string()),
            ("outcome", "lost"),
            ("lost_reason", "Price"),
        ],
    )
    .await;
    assert_eq!(status, 404);

    // Lost needs a reason of the list.
    let s = small.to_string();
    let (status, body) = post(
        &ada,
        &app,
        "close_my_deal",
        &[("id", &s), ("outcome", "lost"), ("lost_reason", "Weather")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(row(&app, small).await, (50, 0, 0));
    let (status, body) = post(
        &ada,
        &app,
        "close_my_deal",
        &[("id", &s), ("outcome", "lost"), ("lost_reason", "Timing")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(row(&app, small).await, (0, 2, 1));
    let lost = my_deals(&ada, &app).await;
    assert_eq!(figure(&lost, "win_rate"), "50%");
    assert_eq!(figure(&lost, "open_count"), "0");
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn plain_form_posts_come_back_readable(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    set_reasons(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let plain = |args: Vec<(&'static str, &'static str)>| {
        let ada = ada.clone();
        let url = app.at("/api/log_won_deal");
        async move {
            ada.post(url)
                .header("accept", "text/html")
                .header("referer", "/me/deals")
                .form(&args)
                .send()
                .await
                .unwrap()
        }
    };
    // Refused: back to the form, with what was typed and why, and nothing in the address
    // but the form's name.
    let res = plain(vec![
        ("amount", "-5"),
        ("account", "Acme typed"),
        ("name", ""),
        ("closed_on", ""),
    ])
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/me/deals?failed=won#won");
    assert_eq!(app.count("deals").await, 0);
    let page = ada
        .get(app.at("/me/deals?failed=won"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let cleared = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("pacesetter_form=;"));
    assert!(cleared, "the returned form is read once");
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"-5\""), "what was typed stays");
    assert!(html.contains("value=\"Acme typed\""));
    assert!(html.contains("must not be negative"));
    // Read once: a reload shows an empty form.
    let again = ada
        .get(app.at("/me/deals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains("Acme typed"));

    // Saved: back with a short confirmation code, which the page puts in words.
    let res = plain(vec![
        ("amount", "900"),
        ("account", "Acme"),
        ("name", ""),
        ("closed_on", ""),
    ])
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/me/deals?done=won");
    assert_eq!(app.count("deals").await, 1);
    let html = ada
        .get(app.at("/me/deals?done=won"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Won deal logged."), "confirmation shown");
    assert!(html.contains("EUR 900"), "turnover shown");

    // A wrong password on the plain sign-in form: a short code, no encoded error.
    let res = app
        .client()
        .post(app.at("/api/sign_in"))
        .header("accept", "text/html")
        .header("referer", "/login?next=/me/deals")
        .form(&[
            ("email", "ada@example.com"),
            ("password", "not-it"),
            ("next", "/me/deals"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login?error=wrong&next=/me/deals");
    let html = app
        .client()
        .get(app.at("/login?error=wrong&next=/me/deals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Wrong email or password."));
}
