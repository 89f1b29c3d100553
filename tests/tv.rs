//! The office TV's data (`tv_show`): the display's rotation and every figure its slides
//! show, in the display's team scope; privacy mode leaves out every amount of money; a
//! revoked or unknown display token is refused. On SQLite and PostgreSQL.

mod common;

use chrono::{Duration, Utc};
use common::{exec, fixture, Engine, Fixture, TestApp, PASSWORD};
use pacesetter::displays::Slide;
use pacesetter::scoring::Points;
use pacesetter::tv::TvShow;
use serde_json::{json, Value};

on_both_engines!(
    a_team_display_shows_only_its_team,
    privacy_mode_hides_every_amount,
    a_revoked_display_is_refused,
    long_rankings_page_through,
    most_improved_personal_bests_and_the_pipeline,
);

const ALL_BUILT: [&str; 5] = [
    "ranking",
    "scorecards",
    "team_race",
    "recent_wins",
    "turnover",
];

/// Calls, emails and won deals for the fixture's reps this month, and a turnover objective.
async fn activity_and_deals(app: &TestApp, f: &Fixture) {
    let scopes = vec!["ingest".to_string()];
    let (_, token) = pacesetter::server::tokens::create_api_token(&app.db, "test", "t", &scopes)
        .await
        .unwrap();
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let mut items = Vec::new();
    for (rep, calls) in [("ada", 3), ("ben", 1), ("cy", 2)] {
        for _ in 0..calls {
            items.push(json!({"rep_email": format!("{rep}@example.com"), "type": "call", "occurred_at": at}));
        }
    }
    let client = reqwest::Client::new();
    let res = client
        .post(app.at("/api/v1/activities/batch"))
        .bearer_auth(&token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let today = Utc::now().date_naive().to_string();
    let deals = json!({"items": [
        {"rep_email": "ada@example.com", "name": "Acme renewal", "account": "Acme", "amount": 1_250_000,
         "currency": "EUR", "status": "won", "closed_on": today, "created_on": today},
        {"rep_email": "cy@example.com", "name": "Globex pilot", "account": "Globex", "amount": 730_000,
         "currency": "EUR", "status": "won", "closed_on": today, "created_on": today},
    ]});
    let res = client
        .post(app.at("/api/v1/deals/batch"))
        .bearer_auth(&token)
        .json(&deals)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let month = Utc::now().date_naive().format("%Y-%m-01").to_string();
    for rep in [f.ada, f.ben, f.cy] {
        exec(
            &app.db,
            &format!(
                "INSERT INTO targets (metric, scope, subject_id, month, value) \
                 VALUES ('turnover_won', 'rep', {rep}, '{month}', 4000000)"
            ),
        )
        .await;
    }
}

/// Creates a display as the admin does on the desk; returns its token.
async fn display(app: &TestApp, admin: &reqwest::Client, extra: &[(&str, &str)]) -> String {
    let mut form: Vec<(String, String)> = vec![("form[name]".into(), "Wall".into())];
    for (i, s) in ALL_BUILT.iter().enumerate() {
        form.push((format!("form[slides][{i}]"), s.to_string()));
    }
    for (k, v) in extra {
        form.push((k.to_string(), v.to_string()));
    }
    let args: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.call(admin, "admin_create_display", &args).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let new: Value = res.json().await.unwrap();
    new["path"]
        .as_str()
        .unwrap()
        .trim_start_matches("/tv/")
        .to_string()
}

async fn show(app: &TestApp, token: &str) -> (TvShow, String) {
    let res = app
        .call(&app.client(), "tv_show", &[("token", token)])
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    (serde_json::from_str(&text).expect("a show"), text)
}

async fn a_team_display_shows_only_its_team(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    activity_and_deals(&app, &f).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;

    let alpha = display(&app, &admin, &[("form[team]", "Alpha")]).await;
    let (s, _) = show(&app, &alpha).await;
    assert_eq!(s.team.as_deref(), Some("Alpha"));
    assert_eq!(
        s.slides,
        vec![
            Slide::Ranking,
            Slide::Scorecards,
            Slide::TeamRace,
            Slide::RecentWins,
            Slide::Turnover
        ]
    );
    let ranked: Vec<(&str, i32, Points)> = s
        .ranking
        .iter()
        .map(|e| (e.name.as_str(), e.rank, e.points))
        .collect();
    assert_eq!(
        ranked,
        vec![
            ("Ada Lovelace", 1, Points::from_whole(9)),
            ("Ben Okri", 2, Points::from_whole(3))
        ],
        "only team Alpha's reps, ranked among themselves"
    );
    assert_eq!(s.ranking[0].index_tenths, 100);
    let mut carded: Vec<i64> = s.scorecards.iter().map(|c| c.rep_id).collect();
    carded.sort();
    assert_eq!(carded, vec![f.ada, f.ben]);
    assert_eq!(
        s.teams
            .iter()
            .map(|t| (t.name.as_str(), t.points, t.reps))
            .collect::<Vec<_>>(),
        vec![("Alpha", Points::from_whole(12), 2)]
    );
    let wins: Vec<(&str, &str, Option<&str>)> = s
        .wins
        .iter()
        .map(|w| (w.rep.as_str(), w.account.as_str(), w.amount.as_deref()))
        .collect();
    assert_eq!(wins, vec![("Ada Lovelace", "Acme", Some("EUR 12,500"))]);
    // Alpha's objective is Ada's and Ben's: 12,500 of 80,000.
    assert_eq!(s.turnover.won.as_deref(), Some("EUR 12,500"));
    assert_eq!(s.turnover.objective.as_deref(), Some("EUR 80,000"));
    assert_eq!(s.turnover.attainment_bp, Some(1563));

    // The whole organisation: every rep, both teams, every win.
    let all = display(&app, &admin, &[]).await;
    let (s, _) = show(&app, &all).await;
    assert_eq!(s.team, None);
    assert_eq!(s.ranking.len(), 3);
    assert_eq!(s.scorecards.len(), 3);
    assert_eq!(
        s.teams
            .iter()
            .map(|t| (t.name.as_str(), t.points))
            .collect::<Vec<_>>(),
        vec![
            ("Alpha", Points::from_whole(12)),
            ("Beta", Points::from_whole(6))
        ]
    );
    assert_eq!(s.wins.len(), 2);
    assert_eq!(s.turnover.objective.as_deref(), Some("EUR 120,000"));
    assert_eq!(s.turnover.won.as_deref(), Some("EUR 19,800"));
}

async fn privacy_mode_hides_every_amount(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    activity_and_deals(&app, &f).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let private = display(&app, &admin, &[("form[privacy]", "on")]).await;
    let (s, text) = show(&app, &private).await;
    assert!(s.privacy);
    assert_eq!(s.wins.len(), 2, "wins are shown, by rep and account");
    assert!(s.wins.iter().all(|w| w.amount.is_none()));
    assert_eq!(
        (s.turnover.won.clone(), s.turnover.objective.clone()),
        (None, None)
    );
    assert_eq!(
        (s.turnover.attainment.as_str(), s.turnover.attainment_bp),
        ("17%", Some(1650)),
        "the percentage stays"
    );
    for money in [
        "EUR", "12,500", "12500", "7,300", "19,800", "120,000", "1250000", "€",
    ] {
        assert!(!text.contains(money), "{money} in a private show: {text}");
    }
    // Points and ranks stay.
    assert_eq!(s.ranking[0].points, Points::from_whole(9));
    // The same display without privacy shows the amounts.
    let open = display(&app, &admin, &[]).await;
    let (_, text) = show(&app, &open).await;
    assert!(
        text.contains("EUR 12,500") && text.contains("EUR 7,300"),
        "{text}"
    );
}

async fn a_revoked_display_is_refused(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let token = display(&app, &admin, &[]).await;
    show(&app, &token).await;
    let id = common::scalar(&app.db, "SELECT id FROM displays WHERE name = 'Wall'").await;
    let res = app
        .call(
            &admin,
            "admin_revoke",
            &[("kind", "display"), ("id", &id.to_string())],
        )
        .await;
    assert!(res.status().is_success());
    let tv = app.client();
    for t in [token.as_str(), "not-a-token", ""] {
        let res = app.call(&tv, "tv_show", &[("token", t)]).await;
        assert_eq!(res.status(), 401, "token {t:?}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("Ada"), "{body}");
    }
}

async fn long_rankings_page_through(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    // 24 more reps in team Beta.
    let live = pacesetter::live::Live::announcer(&app.db);
    for i in 0..24 {
        pacesetter::people::service::create_person(
            &app.db,
            &live,
            "test",
            pacesetter::people::service::NewPerson {
                email: format!("rep{i}@example.com"),
                name: format!("Rep {i:02}"),
                role: Some("rep".into()),
                team: Some("Beta".into()),
                sales_role: Some("sdr".into()),
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    }
    // Chosen: the pipeline and the ranking: one pipeline frame, three ranking pages.
    let res = app
        .call(
            &admin,
            "admin_create_display",
            &[
                ("form[name]", "Pipeline"),
                ("form[slides][0]", "pipeline"),
                ("form[slides][1]", "ranking"),
                ("form[seconds]", "5"),
            ],
        )
        .await;
    let new: Value = res.json().await.unwrap();
    let token = new["path"].as_str().unwrap().trim_start_matches("/tv/");
    let (s, _) = show(&app, token).await;
    assert_eq!(
        (s.slides.clone(), s.seconds_per_slide),
        (vec![Slide::Pipeline, Slide::Ranking], 5)
    );
    assert_eq!(s.ranking.len(), 27, "every rep is ranked, none cut");
    let frames = pacesetter::tv::page::frames(&s);
    assert_eq!(
        frames.len(),
        4,
        "the pipeline, then pages of 12: 12 + 12 + 3"
    );
    assert!(frames[1..]
        .iter()
        .all(|f| f.slide == Slide::Ranking && f.pages == 3));
    // Every slide plays, whichever are chosen.
    let res = app
        .call(
            &admin,
            "admin_create_display",
            &[
                ("form[name]", "Bests"),
                ("form[slides][0]", "personal_bests"),
                ("form[slides][1]", "most_improved"),
            ],
        )
        .await;
    let new: Value = res.json().await.unwrap();
    let (s, _) = show(
        &app,
        new["path"].as_str().unwrap().trim_start_matches("/tv/"),
    )
    .await;
    assert_eq!(s.slides, vec![Slide::PersonalBests, Slide::MostImproved]);
    // The default set is all eight.
    let all = display(&app, &admin, &[]).await;
    let res = app
        .call(&admin, "admin_create_display", &[("form[name]", "Default")])
        .await;
    let new: Value = res.json().await.unwrap();
    let (s, _) = show(
        &app,
        new["path"].as_str().unwrap().trim_start_matches("/tv/"),
    )
    .await;
    assert_eq!(s.slides, Slide::ALL.to_vec());
    let _ = all;
}

/// Month `n` months from this one (negative: earlier), its `day`, as a UTC noon instant.
fn day_of_month(n: i64, day: u32) -> chrono::NaiveDate {
    use pacesetter::scoring::YearMonth;
    let m = YearMonth::of(Utc::now().date_naive()).plus_months(n);
    m.first_day() + Duration::days(i64::from(day) - 1)
}

async fn most_improved_personal_bests_and_the_pipeline(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let scopes = vec!["ingest".to_string()];
    let (_, token) = pacesetter::server::tokens::create_api_token(&app.db, "test", "t", &scopes)
        .await
        .unwrap();
    let now = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let last_month = format!("{}T12:00:00Z", day_of_month(-1, 1));
    let mut items = Vec::new();
    // This month: Ada 3 calls (9), Ben 1 (3), Cy 2 (6). The 1st of last month: Ada 1 (3),
    // Ben 2 (6), Cy nothing.
    for (rep, calls, at) in [
        ("ada", 3, &now),
        ("ben", 1, &now),
        ("cy", 2, &now),
        ("ada", 1, &last_month),
        ("ben", 2, &last_month),
    ] {
        for _ in 0..calls {
            items.push(json!({"rep_email": format!("{rep}@example.com"), "type": "call", "occurred_at": at}));
        }
    }
    let client = reqwest::Client::new();
    let res = client
        .post(app.at("/api/v1/activities/batch"))
        .bearer_auth(&token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let today = Utc::now().date_naive();
    let open = |rep: &str, name: &str, amount: i64, p: i64, expected: Option<chrono::NaiveDate>| {
        let mut d = json!({"rep_email": format!("{rep}@example.com"), "name": name, "amount": amount,
            "currency": "EUR", "status": "open", "probability": p, "created_on": today});
        if let Some(e) = expected {
            d["expected_close"] = json!(e);
        }
        d
    };
    let deals = json!({"items": [
        // 10,000 at 50 % this month; 4,000 at 25 % next month; 1,000 at 100 % in 7 months
        // (outside the six) and 2,000 without a date (left out).
        open("ada", "A", 1_000_000, 50, Some(today)),
        open("cy", "C", 400_000, 25, Some(day_of_month(1, 15))),
        open("ben", "B", 100_000, 100, Some(day_of_month(7, 1))),
        open("ben", "B2", 200_000, 100, None),
    ]});
    let res = client
        .post(app.at("/api/v1/deals/batch"))
        .bearer_auth(&token)
        .json(&deals)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let slides = [
        ("form[slides][0]", "most_improved"),
        ("form[slides][1]", "personal_bests"),
        ("form[slides][2]", "pipeline"),
    ];
    let mut tokens = Vec::new();
    for privacy in [false, true] {
        let mut form = vec![("form[name]", "Wall")];
        form.extend(slides);
        if privacy {
            form.push(("form[privacy]", "on"));
        }
        let res = app.call(&admin, "admin_create_display", &form).await;
        let new: Value = res.json().await.unwrap();
        tokens.push(
            new["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("/tv/")
                .to_string(),
        );
    }
    let (s, _) = show(&app, &tokens[0]).await;
    assert_eq!(
        s.slides,
        vec![Slide::MostImproved, Slide::PersonalBests, Slide::Pipeline]
    );
    // Ada 3 → 9 (+6, +200%) and Cy 0 → 6 (+6, new) tie; Ben went down: not listed.
    let improved: Vec<(&str, i32, &str, &str, &str, &str)> = s
        .improved
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.rank,
                c.previous.as_str(),
                c.current.as_str(),
                c.change.as_str(),
                c.change_pct.as_str(),
            )
        })
        .collect();
    assert_eq!(
        improved,
        vec![
            ("Ada Lovelace", 1, "3", "9", "+6", "+200%"),
            ("Cy Twombly", 1, "0", "6", "+6", "new")
        ]
    );
    assert!(
        s.improved_compared.contains(" against "),
        "{}",
        s.improved_compared
    );
    // Ada's 9 beats her only month with activity (3, last month); Ben's 3 does not beat 6;
    // Cy has no earlier month to beat.
    let last = day_of_month(-1, 1).format("%b %Y").to_string();
    let bests: Vec<(&str, &str, &str, &str, &str)> = s
        .bests
        .iter()
        .map(|b| {
            (
                b.name.as_str(),
                b.current.as_str(),
                b.record.as_str(),
                b.record_period.as_str(),
                b.margin.as_str(),
            )
        })
        .collect();
    assert_eq!(
        bests,
        vec![("Ada Lovelace", "9", "3", last.as_str(), "+200%")]
    );
    assert!(s.bests_rule.contains("best month of the last 6"));
    // Six months, this one first: 5,000 now, 1,000 next month, nothing after.
    assert_eq!(s.pipeline.len(), 6);
    assert_eq!(s.pipeline[0].month, today.format("%b %Y").to_string());
    let bars: Vec<(i64, Option<&str>, i64)> = s
        .pipeline
        .iter()
        .map(|m| (m.deals, m.weighted.as_deref(), m.bar_tenths))
        .collect();
    assert_eq!(
        bars,
        vec![
            (1, Some("EUR 5,000"), 50_000),
            (1, Some("EUR 1,000"), 10_000),
            (0, Some("EUR 0"), 0),
            (0, Some("EUR 0"), 0),
            (0, Some("EUR 0"), 0),
            (0, Some("EUR 0"), 0),
        ]
    );
    assert_eq!(s.pipeline_format, "EUR {c}");
    assert_eq!(
        s.pipeline_total,
        "EUR 6,000 weighted (amount × probability) in 2 open deals"
    );

    // Privacy: each month's share of the six months, no amount anywhere.
    let (p, text) = show(&app, &tokens[1]).await;
    assert_eq!(
        p.pipeline
            .iter()
            .map(|m| (m.weighted.clone(), m.bar_tenths, m.label.as_str()))
            .take(2)
            .collect::<Vec<_>>(),
        vec![(None, 833, "83% in 1 deal"), (None, 167, "17% in 1 deal")]
    );
    assert_eq!(p.pipeline_format, "{c}%");
    for money in ["EUR", "5,000", "6,000", "1,000"] {
        assert!(!text.contains(money), "{money} in a private show: {text}");
    }
    // Points stay in privacy mode.
    assert_eq!(p.improved.len(), 2);
    assert_eq!(p.bests.len(), 1);
}
