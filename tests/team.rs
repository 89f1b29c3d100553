//! The manager's view (`team_view`): every indicator of a team on seeded data against
//! hand-computed figures (a rep without deals, a period without losses, a deal lost in the
//! period that was opened in an earlier one), and who may see which team. On SQLite and
//! PostgreSQL.

mod common;

use chrono::{Duration, Utc};
use common::{exec, fixture, scalar, Engine, Fixture, TestApp, PASSWORD};
use pacesetter::scoring::{Money, Points, YearMonth};
use pacesetter::team::TeamView;

on_both_engines!(
    the_five_indicators_by_hand,
    a_period_without_losses,
    coverage_and_coaching,
    who_sees_which_team,
    the_teams_side_by_side,
    deals_read_as_stored,
);

const JUNE: &str = "2025-06-15";

struct Ids {
    call: i64,
    email: i64,
}

#[allow(clippy::too_many_arguments)]
async fn deal(
    app: &TestApp,
    rep: i64,
    account: &str,
    amount: i64,
    stage: &str,
    probability: i64,
    status: &str,
    reason: Option<&str>,
    new_customer: bool,
    created: &str,
    expected: Option<&str>,
    closed: Option<&str>,
) {
    let q = |v: Option<&str>| v.map(|v| format!("'{v}'")).unwrap_or_else(|| "NULL".into());
    exec(
        &app.db,
        &format!(
            "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, \
             lost_reason, new_customer, created_on, expected_close, closed_on, created_at, updated_at) \
             VALUES ({rep}, 'Deal {account}', '{account}', {amount}, 'EUR', '{stage}', {probability}, '{status}', \
             {}, {new_customer}, '{created}', {}, {}, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
            q(reason),
            q(expected),
            q(closed)
        ),
    )
    .await;
}

/// Activities on accounts, through the activity store's write path (daily rollups, month
/// totals and account month totals kept with them).
async fn activity(app: &TestApp, rep: i64, type_id: i64, day: &str, quantity: i64, account: &str) {
    use pacesetter::activities::store::{insert_bulk, ActivityWrite};
    let date: chrono::NaiveDate = day.parse().expect("date");
    let mut tx = app.db.begin_write().await.expect("begin");
    insert_bulk(
        &mut tx,
        &[ActivityWrite {
            rep_id: rep,
            activity_type_id: type_id,
            occurred_at: date.and_hms_opt(10, 0, 0).expect("time").and_utc(),
            local_date: date,
            quantity,
            duration_seconds: None,
            qualifies: true,
            note: None,
            account: Some(account.to_string()),
            source: None,
            external_id: None,
            client_key: None,
        }],
    )
    .await
    .expect("activity");
    tx.commit().await.expect("commit");
}

async fn target(app: &TestApp, metric: &str, rep: i64, month: &str, value: i64) {
    exec(
        &app.db,
        &format!(
            "INSERT INTO targets (metric, scope, subject_id, month, value) \
             VALUES ('{metric}', 'rep', {rep}, '{month}', {value})"
        ),
    )
    .await;
}

/// June 2025 (closed) for team Alpha — Ada sells, Ben only calls — and Cy in team Beta.
async fn seed(app: &TestApp, f: &Fixture) -> Ids {
    let call = scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'call'").await;
    let email = scalar(&app.db, "SELECT id FROM activity_types WHERE key = 'email'").await;
    let today = Utc::now().date_naive();
    let this_month = YearMonth::of(today);
    let expected_now = (this_month.first_day() + Duration::days(10)).to_string();
    let expected_next = (this_month.plus_months(1).first_day() + Duration::days(4)).to_string();
    let ada = f.ada;
    // Won in June: 40 days (new customer) and 10 days.
    deal(
        app,
        ada,
        "Acme",
        1_000_000,
        "Won",
        100,
        "won",
        None,
        true,
        "2025-05-01",
        None,
        Some("2025-06-10"),
    )
    .await;
    deal(
        app,
        ada,
        "Globex",
        500_000,
        "Won",
        100,
        "won",
        None,
        false,
        "2025-06-10",
        None,
        Some("2025-06-20"),
    )
    .await;
    // Lost in June, opened in April.
    deal(
        app,
        ada,
        "Initech",
        300_000,
        "Lost",
        0,
        "lost",
        Some("price"),
        false,
        "2025-04-01",
        None,
        Some("2025-06-05"),
    )
    .await;
    // May: one won, one lost.
    deal(
        app,
        ada,
        "Acme",
        400_000,
        "Won",
        100,
        "won",
        None,
        false,
        "2025-05-01",
        None,
        Some("2025-05-15"),
    )
    .await;
    deal(
        app,
        ada,
        "Soylent",
        100_000,
        "Lost",
        0,
        "lost",
        Some("timing"),
        false,
        "2025-04-01",
        None,
        Some("2025-05-20"),
    )
    .await;
    // Open: this month at 50 %, next month at 20 %.
    deal(
        app,
        ada,
        "Umbrella",
        2_000_000,
        "Proposal",
        50,
        "open",
        None,
        false,
        "2025-05-01",
        Some(&expected_now),
        None,
    )
    .await;
    deal(
        app,
        ada,
        "Acme",
        1_000_000,
        "Qualify",
        20,
        "open",
        None,
        false,
        "2025-05-01",
        Some(&expected_next),
        None,
    )
    .await;
    // Another team's deal, never in Alpha's figures.
    deal(
        app,
        f.cy,
        "Cyberdyne",
        9_999_900,
        "Won",
        100,
        "won",
        None,
        true,
        "2025-06-01",
        None,
        Some("2025-06-12"),
    )
    .await;

    // June activity: Ada 4 calls (12 points) and 3 emails (2 counted, 2 points); Ben 15 calls.
    activity(app, ada, call, "2025-06-02", 4, "Acme").await;
    activity(app, ada, email, "2025-06-03", 3, "Globex").await;
    activity(app, f.ben, call, "2025-06-02", 10, "Acme").await;
    activity(app, f.ben, call, "2025-06-03", 5, "Hooli").await;
    activity(app, f.cy, call, "2025-06-03", 50, "Cyberdyne").await;
    // Acme was touched today; Umbrella, with its open deal, never.
    activity(app, ada, call, &today.to_string(), 1, "Acme").await;

    target(app, "turnover_won", ada, "2025-06-01", 2_000_000).await;
    target(app, "turnover_won", f.ben, "2025-06-01", 1_000_000).await;
    target(
        app,
        &format!("activity_count:{call}"),
        ada,
        "2025-06-01",
        20,
    )
    .await;
    target(
        app,
        &format!("activity_count:{call}"),
        f.ben,
        "2025-06-01",
        20,
    )
    .await;
    let month = this_month.first_day().to_string();
    target(app, "turnover_won", ada, &month, 5_000_000).await;
    Ids { call, email }
}

async fn view(app: &TestApp, client: &reqwest::Client, args: &[(&str, &str)]) -> (u16, String) {
    let res = app.call(client, "team_view", args).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn alpha_june(app: &TestApp) -> TeamView {
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let (status, body) = view(app, &mia, &[("period", "month"), ("date", JUNE)]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("a team view")
}

async fn the_five_indicators_by_hand(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let ids = seed(&app, &f).await;
    let v = alpha_june(&app).await;
    assert_eq!(v.team.as_deref(), Some("Alpha"));
    assert!(v.teams.is_empty(), "a manager gets no team switch");
    assert_eq!(v.period_label, "June 2025");
    assert!(v.closed);

    // 1. Turnover vs objective: Ada 15 000 of 20 000, Ben 0 of 10 000 (no deals at all).
    assert_eq!(v.turnover.won, Money(1_500_000));
    assert_eq!(v.turnover.objective, Some(Money(3_000_000)));
    assert_eq!(v.turnover.ratio_bp, Some(5_000));
    assert_eq!(v.turnover.gap, Some(Money(1_500_000)));
    assert_eq!(v.turnover.pace_bp, None, "a closed period has no pace");
    let names: Vec<&str> = v.reps.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Ada Lovelace", "Ben Okri"]);
    assert_eq!(v.reps[0].ratio_bp, Some(7_500));
    assert_eq!(v.reps[0].gap, Some(Money(500_000)));
    assert_eq!(v.reps[1].won, Money(0));
    assert_eq!(v.reps[1].ratio_bp, Some(0));
    assert_eq!(v.reps[1].gap, Some(Money(1_000_000)));

    // 2. Turnover per seller over six months, January to June.
    assert_eq!(v.trend_labels.len(), 6);
    assert_eq!(v.trend_labels[0], "January 2025");
    assert_eq!(v.trend_labels[5], "June 2025");
    let ada = &v.sellers[0];
    assert_eq!(
        ada.trend,
        [0, 0, 0, 0, 400_000, 1_500_000].map(Money).to_vec()
    );
    assert_eq!((ada.deals_won, ada.deals_lost), (2, 1));
    assert_eq!(ada.win_rate_bp, Some(6_667));
    assert_eq!(ada.average_deal_size, Some(Money(750_000)));
    assert_eq!(ada.cycle_day_tenths, Some(250)); // (40 + 10) / 2 days
    assert_eq!(ada.pipeline, Money(1_200_000));
    let ben = &v.sellers[1];
    assert_eq!(ben.trend, vec![Money(0); 6]);
    assert_eq!(
        (ben.deals_won, ben.win_rate_bp, ben.average_deal_size),
        (0, None, None)
    );

    // 3. Weighted pipeline: 20 000 × 50 % this month against the 50 000 objective,
    // 10 000 × 20 % next month; stacked by stage.
    assert_eq!(v.pipeline.len(), 6);
    assert_eq!(v.stages, ["Proposal", "Qualify"]);
    assert_eq!(v.pipeline[0].weighted, Money(1_000_000));
    assert_eq!(v.pipeline[0].by_stage, vec![Money(1_000_000), Money(0)]);
    assert_eq!(v.pipeline[0].target, Some(Money(5_000_000)));
    assert_eq!(v.pipeline[0].open_deals, 1);
    assert_eq!(v.pipeline[1].weighted, Money(200_000));
    assert_eq!(v.pipeline[1].by_stage, vec![Money(0), Money(200_000)]);
    assert_eq!(v.pipeline[1].target, None);
    assert!(v.pipeline[2..].iter().all(|m| m.weighted == Money(0)));
    assert_eq!(v.pipeline[0].month, YearMonth::of(Utc::now().date_naive()));

    // 4. Activity rate: calls 19 of 40 (Ada 4 of 20, Ben 15 of 20); emails count 2 of 3
    // (daily cap), no target.
    let line = |rep: Option<i64>, t: i64| {
        v.activity
            .iter()
            .find(|l| l.rep_id == rep && l.activity_type_id == t)
            .unwrap_or_else(|| panic!("line {rep:?} {t}"))
            .clone()
    };
    let team_calls = line(None, ids.call);
    assert_eq!((team_calls.count, team_calls.target), (19, Some(40)));
    assert_eq!(team_calls.rate_bp, Some(4_750));
    assert_eq!(team_calls.pace_bp, None);
    assert_eq!(line(Some(f.ada), ids.call).rate_bp, Some(2_000));
    assert_eq!(line(Some(f.ben), ids.call).rate_bp, Some(7_500));
    let team_emails = line(None, ids.email);
    assert_eq!(
        (team_emails.count, team_emails.target, team_emails.rate_bp),
        (2, None, None)
    );

    // 5. Lost business: price 3 000 in June (opened in April) against timing 1 000 in May.
    assert_eq!(v.lost.previous_label, "May 2025");
    assert_eq!(v.lost.current.len(), 1);
    assert_eq!(v.lost.current[0].reason, "price");
    assert_eq!(v.lost.current[0].amount, Money(300_000));
    assert_eq!(v.lost.previous[0].reason, "timing");
    let c = &v.lost.change;
    assert_eq!((c.count, c.previous_count), (1, 1));
    assert!(!c.rising);
    assert!(c.new_dominant);
    assert_eq!(c.dominant.as_deref(), Some("price"));

    // Beside them.
    assert_eq!((v.side.deals_won, v.side.deals_lost), (2, 1));
    assert_eq!(v.side.win_rate_bp, Some(6_667));
    assert_eq!(v.side.average_deal_size, Some(Money(750_000)));
    assert_eq!(v.side.cycle_day_tenths, Some(250));
    assert_eq!(v.side.new_customer_rate_bp, Some(5_000));
    // 2 open × 15 000 × 2 won / (3 closed × 50 days) = 400.00 a day
    assert_eq!(v.side.velocity, Some(Money(40_000)));
}

async fn a_period_without_losses(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    seed(&app, &f).await;
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    // July 2025: nothing closed; June before it had one loss.
    let (status, body) = view(&app, &mia, &[("period", "month"), ("date", "2025-07-10")]).await;
    assert_eq!(status, 200, "{body}");
    let v: TeamView = serde_json::from_str(&body).unwrap();
    assert!(v.lost.current.is_empty());
    assert_eq!((v.lost.change.count, v.lost.change.previous_count), (0, 1));
    assert!(!v.lost.change.rising && !v.lost.change.new_dominant);
    assert_eq!(v.lost.change.dominant, None);
    assert_eq!(v.side.win_rate_bp, None);
    assert_eq!(v.turnover.won, Money(0));
    assert_eq!(v.turnover.objective, None, "no July objective");
    // A quarter: April–June holds both June wins and the April-opened loss.
    let (_, body) = view(&app, &mia, &[("period", "quarter"), ("date", JUNE)]).await;
    let q: TeamView = serde_json::from_str(&body).unwrap();
    assert_eq!(q.turnover.won, Money(1_900_000));
    assert_eq!(q.side.deals_lost, 2);
    assert_eq!(q.lost.change.count, 2);
    assert_eq!(q.lost.change.previous_count, 0);
    assert!(q.lost.change.rising);
}

async fn coverage_and_coaching(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    seed(&app, &f).await;
    let v = alpha_june(&app).await;

    // Acme: Ada 4 calls (12) + Ben 10 calls (30); Hooli: Ben 5 calls (15); Globex: Ada 3
    // emails (3: caps are per rep and day, not per account). Cyberdyne is Beta's.
    let accounts: Vec<(&str, Points, i64)> = v
        .coverage
        .accounts
        .iter()
        .map(|a| (a.account.as_str(), a.points, a.units))
        .collect();
    assert_eq!(
        accounts,
        [
            ("Acme", Points(4_200), 14),
            ("Hooli", Points(1_500), 5),
            ("Globex", Points(300), 3)
        ]
    );
    assert_eq!(
        v.coverage.accounts[0].reps,
        vec![
            ("Ben Okri".to_string(), Points(3_000)),
            ("Ada Lovelace".to_string(), Points(1_200))
        ]
    );
    let ben = v
        .coverage
        .by_rep
        .iter()
        .find(|r| r.rep_id == f.ben)
        .unwrap();
    assert_eq!((ben.accounts, ben.points), (2, Points(4_500)));
    assert_eq!(ben.top[0], ("Acme".to_string(), Points(3_000)));
    // Umbrella has an open deal and no activity ever; Acme was touched today.
    assert_eq!(v.coverage.untouched.len(), 1);
    let u = &v.coverage.untouched[0];
    assert_eq!(u.account, "Umbrella");
    assert_eq!((u.open_deals, u.open_amount), (1, Money(2_000_000)));
    assert_eq!(u.last_activity, None);
    assert_eq!(u.owners, ["Ada Lovelace"]);

    // Effort: Ada 14 points, Ben 45; median 29.50. Ben works at or above it with 0 % of
    // his objective: effort is there, conversion is not.
    let c = &v.coaching;
    assert_eq!(c.median_effort, Some(Points(2_950)));
    let ada = c.reps.iter().find(|r| r.rep_id == f.ada).unwrap();
    let ben = c.reps.iter().find(|r| r.rep_id == f.ben).unwrap();
    assert_eq!(
        (ada.effort, ada.result_bp, ada.flagged),
        (Points(1_400), Some(7_500), false)
    );
    assert_eq!(
        (ben.effort, ben.result_bp, ben.flagged),
        (Points(4_500), Some(0), true)
    );
    assert_eq!(
        (ada.activities, ada.deals_won, ada.activities_per_won),
        (6, 2, Some(30))
    );
    assert_eq!((ben.activities, ben.activities_per_won), (15, None));
    // 21 counted activities for 2 won deals.
    assert_eq!(c.team_activities_per_won, Some(105));
}

async fn who_sees_which_team(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    seed(&app, &f).await;
    let june = [("period", "month"), ("date", JUNE)];

    // A manager: their own team by default or by name; any other team is refused exactly
    // like one that does not exist.
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let (status, _) = view(&app, &mia, &[june[0], june[1], ("team", "Alpha")]).await;
    assert_eq!(status, 200);
    let (beta_status, beta_body) = view(&app, &mia, &[june[0], june[1], ("team", "Beta")]).await;
    let (none_status, none_body) = view(&app, &mia, &[june[0], june[1], ("team", "Nope")]).await;
    assert_eq!(beta_status, 403);
    assert_eq!((beta_status, &beta_body), (none_status, &none_body));
    assert!(!beta_body.contains("Cy") && !beta_body.contains("99,999"));

    // A rep is refused; a visitor must sign in.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let (status, _) = view(&app, &ada, &june).await;
    assert_eq!(status, 403);
    let (status, _) = view(&app, &app.client(), &june).await;
    assert_eq!(status, 401);

    // An admin: any team, the whole organisation, and a clear 404 for an unknown team.
    let root = app.signed_in("root@example.com", PASSWORD).await;
    let (status, body) = view(&app, &root, &[june[0], june[1], ("team", "Beta")]).await;
    assert_eq!(status, 200, "{body}");
    let beta: TeamView = serde_json::from_str(&body).unwrap();
    assert_eq!(beta.teams, ["Alpha", "Beta"]);
    assert_eq!(beta.reps.len(), 1);
    assert_eq!(beta.turnover.won, Money(9_999_900));
    let (_, body) = view(&app, &root, &june).await;
    let org: TeamView = serde_json::from_str(&body).unwrap();
    assert_eq!(org.team, None);
    assert_eq!(org.reps.len(), 3);
    assert_eq!(org.turnover.won, Money(11_499_900));
    let (status, _) = view(&app, &root, &[june[0], june[1], ("team", "Nope")]).await;
    assert_eq!(status, 404);
    let (status, body) = view(&app, &root, &[("period", "fortnight")]).await;
    assert_eq!(status, 400, "{body}");
}

/// The whole organisation (an admin's page) puts its teams side by side, each rep's figures
/// summed by team; past `PAGE_REPS` reps the page compares the teams instead of listing
/// every rep (the CSV still has everyone).
async fn the_teams_side_by_side(engine: Engine) {
    use pacesetter::team::{NO_TEAM_LABEL, PAGE_FLAGGED, PAGE_REPS};
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    seed(&app, &f).await;
    let june = [("period", "month"), ("date", JUNE)];
    let root = app.signed_in("root@example.com", PASSWORD).await;
    let (status, body) = view(&app, &root, &june).await;
    assert_eq!(status, 200, "{body}");
    let org: TeamView = serde_json::from_str(&body).unwrap();
    assert!(org.listed);
    assert_eq!((org.rep_count, org.reps.len()), (3, 3));
    let teams: Vec<Option<&str>> = org.by_team.iter().map(|l| l.team.as_deref()).collect();
    assert_eq!(teams, [Some("Alpha"), Some("Beta")]);

    // Alpha: Ada 15 000 of 20 000 and Ben 0 of 10 000; 2 won and 1 lost; Ada's pipeline;
    // Ada 4 calls and 2 counted emails, Ben 15 calls, against 20 calls each; effort 14 + 45.
    let alpha = &org.by_team[0];
    assert_eq!(alpha.reps, 2);
    assert_eq!(alpha.turnover.name, "Alpha");
    assert_eq!(
        (alpha.turnover.won, alpha.turnover.objective),
        (Money(1_500_000), Some(Money(3_000_000)))
    );
    assert_eq!(
        (
            alpha.turnover.ratio_bp,
            alpha.turnover.gap,
            alpha.turnover.pace_bp
        ),
        (Some(5_000), Some(Money(1_500_000)), None)
    );
    assert_eq!(alpha.per_seller, Money(750_000));
    assert_eq!(
        (alpha.deals_won, alpha.deals_lost, alpha.win_rate_bp),
        (2, 1, Some(6_667))
    );
    assert_eq!(alpha.pipeline, Money(1_200_000));
    assert_eq!(
        (
            alpha.activities,
            alpha.activity_target,
            alpha.activity_rate_bp
        ),
        (21, Some(40), Some(5_250))
    );
    assert_eq!(alpha.effort, Points(5_900));
    // Across the organisation the median effort is Ben's 45 (Cy has 150): Ben is named.
    assert_eq!(alpha.flagged, 1);
    // Beta: Cy's 99 999 won without an objective, 50 calls without a target.
    let beta = &org.by_team[1];
    assert_eq!(beta.reps, 1);
    assert_eq!(
        (
            beta.turnover.won,
            beta.turnover.objective,
            beta.turnover.ratio_bp
        ),
        (Money(9_999_900), None, None)
    );
    assert_eq!(beta.per_seller, Money(9_999_900));
    assert_eq!((beta.deals_won, beta.win_rate_bp), (1, Some(10_000)));
    assert_eq!(
        (beta.activities, beta.activity_target, beta.activity_rate_bp),
        (50, None, None)
    );
    assert_eq!((beta.effort, beta.flagged), (Points(15_000), 0));
    assert_eq!(alpha.turnover.won + beta.turnover.won, org.turnover.won);

    // A team's own view has no teams to compare.
    let (_, body) = view(&app, &root, &[june[0], june[1], ("team", "Alpha")]).await;
    let alpha_view: TeamView = serde_json::from_str(&body).unwrap();
    assert!(alpha_view.by_team.is_empty() && alpha_view.listed);

    // Past PAGE_REPS reps (here in no team, with effort and no objective) the page lists
    // teams, not reps; the export still has every rep.
    let role = scalar(&app.db, "SELECT id FROM sales_roles WHERE key = 'sdr'").await;
    let extra = PAGE_REPS - 2;
    let values: Vec<String> = (0..extra)
        .map(|i| {
            format!("('extra{i}@example.com', 'Extra {i:03}', 'rep', {role}, TRUE, '2025-01-01T00:00:00Z')")
        })
        .collect();
    exec(
        &app.db,
        &format!(
            "INSERT INTO users (email, name, access_role, sales_role_id, active, created_at) VALUES {}",
            values.join(",")
        ),
    )
    .await;
    let (status, body) = view(&app, &root, &june).await;
    assert_eq!(status, 200, "{body}");
    let big: TeamView = serde_json::from_str(&body).unwrap();
    assert_eq!(big.rep_count, PAGE_REPS + 1);
    assert!(!big.listed);
    assert!(big.reps.is_empty() && big.sellers.is_empty() && big.coverage.by_rep.is_empty());
    assert!(big.activity.iter().all(|l| l.rep_id.is_none()));
    assert!(big.coaching.reps.len() <= PAGE_FLAGGED);
    assert!(big.coaching.reps.iter().all(|r| r.flagged));
    let teams: Vec<&str> = big
        .by_team
        .iter()
        .map(|l| l.turnover.name.as_str())
        .collect();
    assert_eq!(teams, ["Alpha", "Beta", NO_TEAM_LABEL]);
    let none = &big.by_team[2];
    assert_eq!((none.team.as_deref(), none.reps), (None, extra as i64));
    assert_eq!(none.turnover.won, Money(0));
    assert_eq!(big.turnover.won, org.turnover.won);
    let res = root
        .get(format!(
            "{}/export/team/sellers.csv?period=month&date={JUNE}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1 + PAGE_REPS + 1, "{csv}");
    let res = root
        .get(format!(
            "{}/export/team/teams.csv?period=month&date={JUNE}",
            app.url
        ))
        .send()
        .await
        .unwrap();
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("Alpha,2,15000.00,30000.00,50%"),
        "{csv}"
    );

    // Without teams there is nothing to compare: the page lists every rep again.
    exec(&app.db, "UPDATE users SET team_id = NULL").await;
    let (_, body) = view(&app, &root, &june).await;
    let flat: TeamView = serde_json::from_str(&body).unwrap();
    assert_eq!(flat.by_team.len(), 1);
    assert!(flat.listed);
    assert_eq!(flat.reps.len(), PAGE_REPS + 1);
}

/// Every field of every deal the view reads (each row keeps its packed entry: migration
/// 0012) is what the row's columns say, awkward text included.
async fn deals_read_as_stored(engine: Engine) {
    use pacesetter::scoring::{Deal, DealStatus};
    use pacesetter::server::db::Db;
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    seed(&app, &f).await;
    // An account padded with spaces and holding the separators; a reason with them too.
    exec(
        &app.db,
        &format!(
            "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, \
             lost_reason, new_customer, created_on, expected_close, closed_on, created_at, updated_at) \
             VALUES ({}, 'Odd', '  Initech, Ltd: 2 ', 123, 'EUR', 'Stage: 2, late', 35, 'lost', \
             'price, 10: too high', TRUE, '2025-06-01', '2025-07-31', '2025-06-12', \
             '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
            f.ben
        ),
    )
    .await;
    let scope = pacesetter::leaderboard::service::scope(&app.db, Some("month"), Some(JUNE), None)
        .await
        .expect("scope");
    let periods = pacesetter::team::service::Periods::of(&scope);
    let data = pacesetter::team::service::load(&app.db, &scope, &periods)
        .await
        .expect("load");
    type Row = (
        i64,
        i64,
        i64,
        String,
        String,
        i64,
        chrono::NaiveDate,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        Option<String>,
        bool,
        Option<String>,
    );
    const SQL: &str = "SELECT id, rep_id, amount_minor, status, stage, probability, created_on, \
        closed_on, expected_close, lost_reason, new_customer, account FROM deals ORDER BY id";
    let rows: Vec<Row> = match &app.db {
        Db::Sqlite(p) => sqlx::query_as(SQL).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(SQL).fetch_all(p).await.unwrap(),
    };
    assert!(data.deals.len() >= 6, "{}", data.deals.len());
    for d in &data.deals {
        let r = rows.iter().find(|r| r.0 == d.id).expect("a stored deal");
        let status = match r.3.as_str() {
            "open" => DealStatus::Open,
            "won" => DealStatus::Won,
            _ => DealStatus::Lost,
        };
        let stored = Deal {
            id: r.0,
            rep_id: r.1,
            amount: Money(r.2),
            status,
            stage: r.4.clone(),
            probability: r.5,
            created_on: r.6,
            closed_on: r.7,
            expected_close: r.8,
            lost_reason: r.9.clone(),
            new_customer: r.10,
        };
        assert_eq!(d, &stored);
        let account = r.11.as_deref().map(str::trim).filter(|a| !a.is_empty());
        assert_eq!(data.deal_accounts.get(&d.id).map(String::as_str), account);
    }
    for kind in [true, false] {
        assert!(data.deals.iter().any(|d| d.new_customer == kind));
    }
    assert!(data
        .deals
        .iter()
        .any(|d| d.lost_reason.as_deref() == Some("price, 10: too high")));
    assert!(data.deal_accounts.values().any(|a| a == "Initech, Ltd: 2"));
    assert!(data
        .deals
        .iter()
        .any(|d| d.expected_close.is_some() && d.status == DealStatus::Open));
}
