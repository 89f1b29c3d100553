//! The manager's desk, calendar and settings areas: the working week, holidays and absences
//! change a rep's pacing at once and are audited; bad input is refused on the field that is
//! wrong and changes nothing; managers reach only their own team's absences. On SQLite and
//! PostgreSQL.

mod common;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use common::{exec, fixture, scalar, Engine, Fixture, TestApp, PASSWORD};
use pacesetter::calendar::CalendarDesk;
use pacesetter::scoring::{Period, PeriodKind};
use pacesetter::settings::SettingsForm;
use pacesetter::targets::service::TargetWrite;
use serde_json::Value;

on_both_engines!(
    holidays_and_the_working_week_change_pacing_at_once,
    absences_change_pacing_at_once_and_are_audited,
    bad_calendar_input_is_refused_on_its_field_and_changes_nothing,
    managers_record_absences_for_their_own_team_only,
    settings_are_saved_whole_or_not_at_all,
    open_pages_hear_of_each_calendar_change,
);

/// What the calendar tables and settings hold, to prove that a refusal changed nothing.
async fn calendar_state(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM holidays",
        "SELECT COUNT(*) FROM absences",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT CAST(LENGTH(working_weekdays) + LENGTH(org_name) + LENGTH(time_zone) + LENGTH(currency) \
         + band_outstanding_bp + band_on_track_bp + band_at_risk_bp + composite_cap_bp \
         + fiscal_year_start_month AS BIGINT) FROM settings",
    ] {
        out.push(scalar(&app.db, sql).await);
    }
    out
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A period (month, else quarter, else year) that has a Monday–Friday after today, and that
/// day: a day off there changes the expected-to-date (elapsed / total both move otherwise
/// only when today is the period's last working day).
fn period_with_a_later_weekday() -> (&'static str, Period, NaiveDate) {
    for (name, kind) in [
        ("month", PeriodKind::Month),
        ("quarter", PeriodKind::Quarter),
        ("year", PeriodKind::Year),
    ] {
        let p = Period::containing(kind, today(), 1);
        let mut d = today() + Duration::days(1);
        while d <= p.end {
            if is_weekday(d) {
                return (name, p, d);
            }
            d += Duration::days(1);
        }
    }
    unreachable!("a year always has a weekday after 24 December")
}

/// Ada's scorecard has one line, activity score, with a target of 1 000 points in every
/// month of the period.
async fn ada_has_a_target(app: &TestApp, f: &Fixture, period: &Period) {
    let role: i64 = scalar(&app.db, "SELECT id FROM sales_roles WHERE key = 'sdr'").await;
    exec(
        &app.db,
        &format!("INSERT INTO scorecard_metrics (sales_role_id, metric, is_leading, weight, sort_order) VALUES ({role}, 'activity_score', TRUE, 1, 0)"),
    )
    .await;
    let mut rows = Vec::new();
    let mut month = period.start.with_day(1).unwrap();
    while month <= period.end {
        rows.push(TargetWrite {
            metric: "activity_score".into(),
            scope: "rep",
            subject_id: f.ada,
            month,
            value: 100_000,
        });
        month = month.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    let live = pacesetter::live::Live::announcer(&app.db);
    pacesetter::targets::service::put_targets(&app.db, &live, "test", &rows)
        .await
        .unwrap();
}

/// `(working days, elapsed, expected-to-date)` of Ada's scorecard for the period.
async fn ada_pacing(
    app: &TestApp,
    admin: &reqwest::Client,
    f: &Fixture,
    period: &str,
) -> (i64, i64, i64) {
    let res = app
        .call(
            admin,
            "scorecard",
            &[("period", period), ("rep_id", &f.ada.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    let card: Value = res.json().await.unwrap();
    (
        card["working_days"].as_i64().unwrap(),
        card["working_days_elapsed"].as_i64().unwrap(),
        card["lines"][0]["expected_to_date_raw"]
            .as_i64()
            .unwrap_or_else(|| panic!("an expected-to-date: {card}")),
    )
}

async fn field_of(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), 422, "a refusal with field problems");
    let body: Value = res.json().await.unwrap();
    body["Invalid"]
        .as_array()
        .unwrap_or_else(|| panic!("field problems: {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

async fn desk(app: &TestApp, client: &reqwest::Client, year: i32) -> CalendarDesk {
    let res = app
        .call(client, "calendar_desk", &[("year", &year.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn audit_count(app: &TestApp, entity: &str, action: &str) -> i64 {
    scalar(
        &app.db,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND action = '{action}'"
        ),
    )
    .await
}

async fn holidays_and_the_working_week_change_pacing_at_once(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let (kind, period, later) = period_with_a_later_weekday();
    ada_has_a_target(&app, &f, &period).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let before = ada_pacing(&app, &admin, &f, kind).await;

    let day = later.to_string();
    let res = app
        .call(
            &admin,
            "admin_add_holiday",
            &[("day", &day), ("name", " Founders' Day ")],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let with_holiday = ada_pacing(&app, &admin, &f, kind).await;
    assert_eq!(with_holiday.0, before.0 - 1, "one working day fewer");
    assert_eq!(with_holiday.1, before.1, "the holiday is still ahead");
    // Fewer days left, so more is expected by now (unless none has elapsed yet).
    if before.1 > 0 {
        assert!(with_holiday.2 > before.2, "{before:?} → {with_holiday:?}");
    }
    let listed = desk(&app, &admin, later.year()).await;
    let h = listed.holidays.iter().find(|h| h.day == later).unwrap();
    assert_eq!(h.name, "Founders' Day", "the name is trimmed");
    assert_eq!(
        audit_count(&app, &format!("holiday:{day}"), "create").await,
        1
    );

    // Removed: the day is a working day again.
    let res = app
        .call(&admin, "admin_remove_holiday", &[("day", &day)])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(ada_pacing(&app, &admin, &f, kind).await, before);
    assert_eq!(
        audit_count(&app, &format!("holiday:{day}"), "delete").await,
        1
    );
    let res = app
        .call(&admin, "admin_remove_holiday", &[("day", &day)])
        .await;
    assert_eq!(res.status(), 404, "already removed");

    // Saturdays too: more working days in the period. Sparse checkbox indexes, as the form
    // sends them.
    let res = app
        .call(
            &admin,
            "admin_set_working_week",
            &[
                ("days[0]", "1"),
                ("days[1]", "2"),
                ("days[2]", "3"),
                ("days[3]", "4"),
                ("days[4]", "5"),
                ("days[5]", "6"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let six_days = ada_pacing(&app, &admin, &f, kind).await;
    assert!(six_days.0 > before.0, "{before:?} → {six_days:?}");
    assert_eq!(
        desk(&app, &admin, today().year()).await.working_weekdays,
        [true, true, true, true, true, true, false]
    );
    let res = app
        .call(
            &admin,
            "admin_set_working_week",
            &[("days[0]", "1"), ("days[2]", "3"), ("days[4]", "5")],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        desk(&app, &admin, today().year()).await.working_weekdays,
        [true, false, true, false, true, false, false]
    );
    assert_eq!(audit_count(&app, "settings", "update").await, 2);
}

async fn absences_change_pacing_at_once_and_are_audited(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let (kind, period, later) = period_with_a_later_weekday();
    ada_has_a_target(&app, &f, &period).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let before = ada_pacing(&app, &admin, &f, kind).await;

    // Away on that weekday and the day after (which may be a weekend day or a later month).
    let (start, end) = (later, later + Duration::days(1));
    let in_period = [start, end]
        .iter()
        .filter(|d| is_weekday(**d) && **d <= period.end)
        .count() as i64;
    let res = app
        .call(
            &admin,
            "add_absence",
            &[
                ("rep_id", &f.ada.to_string()),
                ("start", &start.to_string()),
                ("end", &end.to_string()),
                ("reason", "Training"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let id: i64 = res.json().await.unwrap();
    let away = ada_pacing(&app, &admin, &f, kind).await;
    assert_eq!(away.0, before.0 - in_period, "{before:?} → {away:?}");
    if before.1 > 0 {
        assert!(
            away.2 > before.2,
            "more expected by now: {before:?} → {away:?}"
        );
    }
    // Ben's pacing is his own: not changed by Ada's absence.
    let ben: Value = app
        .call(
            &admin,
            "scorecard",
            &[("period", kind), ("rep_id", &f.ben.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ben["working_days"].as_i64(), Some(before.0));

    let listed = desk(&app, &admin, start.year()).await;
    let row = listed.absences.iter().find(|a| a.id == id).unwrap();
    assert_eq!(
        (
            row.rep_name.as_str(),
            row.reason.as_str(),
            row.start,
            row.end
        ),
        ("Ada Lovelace", "Training", start, end)
    );
    let after_json: String = match &app.db {
        pacesetter::server::db::Db::Sqlite(p) => sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE entity = $1 AND action = 'create'",
        )
        .bind(format!("absence:{id}"))
        .fetch_one(p)
        .await
        .unwrap(),
        pacesetter::server::db::Db::Postgres(p) => sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE entity = $1 AND action = 'create'",
        )
        .bind(format!("absence:{id}"))
        .fetch_one(p)
        .await
        .unwrap(),
    };
    assert!(
        after_json.contains("ada@example.com") && after_json.contains("Training"),
        "{after_json}"
    );

    let res = app
        .call(&admin, "remove_absence", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(ada_pacing(&app, &admin, &f, kind).await, before);
    assert_eq!(
        audit_count(&app, &format!("absence:{id}"), "delete").await,
        1
    );
}

async fn bad_calendar_input_is_refused_on_its_field_and_changes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let ada = f.ada.to_string();
    let res = app
        .call(
            &admin,
            "add_absence",
            &[
                ("rep_id", &ada),
                ("start", "2026-03-02"),
                ("end", "2026-03-06"),
                ("reason", "Annual leave"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .call(
            &admin,
            "admin_add_holiday",
            &[("day", "2026-12-25"), ("name", "Christmas Day")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let before = calendar_state(&app).await;

    let absence = |rep: &str, start: &str, end: &str, reason: &str| {
        let (rep, start, end, reason) = (
            rep.to_string(),
            start.to_string(),
            end.to_string(),
            reason.to_string(),
        );
        let app = &app;
        let admin = admin.clone();
        async move {
            app.call(
                &admin,
                "add_absence",
                &[
                    ("rep_id", &rep),
                    ("start", &start),
                    ("end", &end),
                    ("reason", &reason),
                ],
            )
            .await
        }
    };
    // End before start.
    assert_eq!(
        field_of(absence(&ada, "2026-04-10", "2026-04-09", "").await).await,
        ["end"]
    );
    // Longer than a year.
    assert_eq!(
        field_of(absence(&ada, "2026-01-01", "2027-01-02", "").await).await,
        ["end"]
    );
    // Overlapping Ada's March absence, at either end or inside it.
    for (s, e) in [
        ("2026-02-27", "2026-03-02"),
        ("2026-03-06", "2026-03-09"),
        ("2026-03-03", "2026-03-04"),
        ("2026-03-01", "2026-03-31"),
    ] {
        assert_eq!(
            field_of(absence(&ada, s, e, "").await).await,
            ["start"],
            "{s}–{e}"
        );
    }
    // Unknown rep; not a date; reason too long.
    assert_eq!(
        field_of(absence("999999", "2026-05-04", "2026-05-05", "").await).await,
        ["rep_id"]
    );
    assert_eq!(
        field_of(absence("", "2026-05-04", "2026-05-05", "").await).await,
        ["rep_id"]
    );
    assert_eq!(
        field_of(absence(&ada, "04/05/2026", "2026-05-05", "").await).await,
        ["start"]
    );
    assert_eq!(
        field_of(absence(&ada, "2026-05-04", "2026-05-05", &"x".repeat(201)).await).await,
        ["reason"]
    );
    // Right next to the March absence is fine for another rep, and for Ada after it ends
    // (checked below, once the refusals are proven to have changed nothing).

    let holiday = |day: &str, name: &str| {
        let (day, name) = (day.to_string(), name.to_string());
        let app = &app;
        let admin = admin.clone();
        async move {
            app.call(
                &admin,
                "admin_add_holiday",
                &[("day", &day), ("name", &name)],
            )
            .await
        }
    };
    let res = holiday("2026-12-25", "Xmas").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("already a holiday (Christmas Day)"), "{body}");
    assert_eq!(field_of(holiday("2026-12-24", "  ").await).await, ["name"]);
    assert_eq!(
        field_of(holiday("24.12.2026", "Christmas Eve").await).await,
        ["day"]
    );
    assert_eq!(
        field_of(holiday("2026-12-24", &"x".repeat(101)).await).await,
        ["name"]
    );
    // No working day at all; a day that is not a weekday.
    assert_eq!(
        field_of(app.call(&admin, "admin_set_working_week", &[]).await).await,
        ["working_weekdays"]
    );
    assert_eq!(
        field_of(
            app.call(&admin, "admin_set_working_week", &[("days[0]", "8")])
                .await
        )
        .await,
        ["working_weekdays"]
    );
    assert_eq!(calendar_state(&app).await, before, "nothing changed");

    let res = absence(&ada, "2026-03-07", "2026-03-08", "").await;
    assert_eq!(res.status(), 200, "the day after an absence ends is free");
}

async fn managers_record_absences_for_their_own_team_only(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let add = |client: &reqwest::Client, rep: i64, start: &str| {
        let client = client.clone();
        let (app, start) = (&app, start.to_string());
        async move {
            app.call(
                &client,
                "add_absence",
                &[
                    ("rep_id", &rep.to_string()),
                    ("start", &start),
                    ("end", &start),
                    ("reason", "Dentist"),
                ],
            )
            .await
        }
    };
    // The admin records Cy's (team Beta).
    let res = add(&admin, f.cy, "2026-06-01").await;
    assert_eq!(res.status(), 200);
    let cy_absence: i64 = res.json().await.unwrap();

    // Mia manages Alpha: Ada yes, Cy no.
    let res = add(&mia, f.ada, "2026-06-02").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let ada_absence: i64 = res.json().await.unwrap();
    let before = calendar_state(&app).await;
    assert_eq!(add(&mia, f.cy, "2026-06-03").await.status(), 403);
    assert_eq!(
        add(&mia, 999_999, "2026-06-03").await.status(),
        403,
        "an unknown id looks like another team's rep"
    );
    assert_eq!(
        app.call(&mia, "remove_absence", &[("id", &cy_absence.to_string())])
            .await
            .status(),
        403
    );
    // Holidays and the working week are the admin's.
    assert_eq!(
        app.call(
            &mia,
            "admin_add_holiday",
            &[("day", "2026-06-04"), ("name", "Team day")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.call(&mia, "admin_set_working_week", &[("days[0]", "1")])
            .await
            .status(),
        403
    );
    // A rep may not record absences, not even their own, nor see the desk.
    assert_eq!(add(&ben, f.ben, "2026-06-05").await.status(), 403);
    assert_eq!(app.call(&ben, "calendar_desk", &[]).await.status(), 403);
    assert_eq!(
        calendar_state(&app).await,
        before,
        "refusals changed nothing"
    );

    // Mia's desk: Alpha's absences and reps only.
    let mine = desk(&app, &mia, 2026).await;
    assert_eq!(
        mine.absences.iter().map(|a| a.id).collect::<Vec<_>>(),
        [ada_absence]
    );
    let mut reps: Vec<&str> = mine.reps.iter().map(|r| r.name.as_str()).collect();
    reps.sort();
    assert_eq!(reps, ["Ada Lovelace", "Ben Okri"]);
    let all = desk(&app, &admin, 2026).await;
    assert_eq!(all.absences.len(), 2);
    assert_eq!(all.reps.len(), 3);

    assert_eq!(
        app.call(&mia, "remove_absence", &[("id", &ada_absence.to_string())])
            .await
            .status(),
        200
    );
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM audit_log WHERE actor = 'mia@example.com' AND entity LIKE 'absence:%'").await,
        2,
        "Mia's add and remove are audited under her name"
    );
}

async fn settings_are_saved_whole_or_not_at_all(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let form: SettingsForm = app
        .call(&admin, "settings_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            form.band_outstanding.as_str(),
            form.band_on_track.as_str(),
            form.band_at_risk.as_str(),
            form.composite_cap.as_str(),
            form.currency.as_str()
        ),
        ("120", "100", "80", "150", "EUR")
    );
    assert!(form.zones.iter().any(|z| z == "Europe/Paris"));
    // One activity at 23:30 UTC: the next day in Paris.
    let yesterday_late = (Utc::now() - Duration::days(1))
        .date_naive()
        .and_hms_opt(23, 30, 0)
        .unwrap()
        .and_utc();
    let (_, token) =
        pacesetter::server::tokens::create_api_token(&app.db, "test", "t", &["ingest".to_string()])
            .await
            .unwrap();
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/activities"))
        .bearer_auth(token)
        .json(&serde_json::json!({"rep_email": "ada@example.com", "type": "call", "occurred_at": yesterday_late.to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let save = |fields: [(&'static str, &'static str); 8]| {
        let app = &app;
        let admin = admin.clone();
        async move { app.call(&admin, "admin_save_settings", &fields).await }
    };
    let good = [
        ("org_name", " Northwind "),
        ("time_zone", "Europe/Paris"),
        ("fiscal_year_start_month", "4"),
        ("currency", "gbp"),
        ("bands[outstanding]", "125"),
        ("bands[on_track]", "100"),
        ("bands[at_risk]", "87.5"),
        ("composite_cap", "200"),
    ];
    let with = |field: &'static str, value: &'static str| {
        let mut f = good;
        for (k, v) in f.iter_mut() {
            if *k == field {
                *v = value;
            }
        }
        f
    };
    let before = calendar_state(&app).await;
    for (field, value, expected) in [
        ("bands[at_risk]", "110", "band_thresholds"),
        ("bands[on_track]", "130", "band_thresholds"),
        ("bands[outstanding]", "lots", "band_thresholds.outstanding"),
        ("time_zone", "Mars/Olympus", "time_zone"),
        ("currency", "EURO", "currency"),
        ("currency", "€", "currency"),
        ("composite_cap", "50", "composite_cap"),
        ("fiscal_year_start_month", "13", "fiscal_year_start_month"),
        ("org_name", "   ", "org_name"),
    ] {
        let res = save(with(field, value)).await;
        assert_eq!(field_of(res).await, [expected], "{field} = {value}");
    }
    // Several at once: every one is named.
    let mut two = with("time_zone", "Nowhere/Else");
    two[6] = ("bands[at_risk]", "x");
    let mut got = field_of(save(two).await).await;
    got.sort();
    assert_eq!(got, ["band_thresholds.at_risk", "time_zone"]);
    assert_eq!(calendar_state(&app).await, before, "nothing changed");

    let res = save(good).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let saved: Value = res.json().await.unwrap();
    assert_eq!(
        saved["activities_redated"], 1,
        "the late call moved to the next day"
    );
    let s = pacesetter::server::org::load(&app.db).await.unwrap();
    assert_eq!(
        (
            s.org_name.as_str(),
            s.time_zone.as_str(),
            s.fiscal_year_start_month,
            s.currency.as_str(),
            s.band_outstanding_bp,
            s.band_on_track_bp,
            s.band_at_risk_bp,
            s.composite_cap_bp
        ),
        (
            "Northwind",
            "Europe/Paris",
            4,
            "GBP",
            12_500,
            10_000,
            8_750,
            20_000
        )
    );
    let form: SettingsForm = app
        .call(&admin, "settings_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (form.band_at_risk.as_str(), form.currency.as_str()),
        ("87.5", "GBP")
    );
    let after_json: i64 = scalar(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'settings' AND before_json LIKE '%\"EUR\"%' AND after_json LIKE '%\"GBP\"%'",
    )
    .await;
    assert_eq!(after_json, 1, "audited before → after");
    // Saved again unchanged: nothing to re-date.
    let res = save(good).await;
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["activities_redated"], 0);
    // Only admins.
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    assert_eq!(app.call(&mia, "settings_desk", &[]).await.status(), 403);
    assert_eq!(
        app.call(&mia, "admin_save_settings", &good).await.status(),
        403
    );
}

/// The next live message's kind on an open `/events` stream (keep-alives skipped).
async fn next_kind(res: &mut reqwest::Response, buf: &mut String) -> String {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .collect();
            if data.is_empty() {
                continue;
            }
            let m: Value = serde_json::from_str(&data).unwrap();
            return m["kind"].as_str().unwrap().to_string();
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), res.chunk())
            .await
            .expect("a live message in time")
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

async fn open_pages_hear_of_each_calendar_change(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let mia = app.signed_in("mia@example.com", PASSWORD).await;
    // Ada's open scorecard page listens here.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let mut res = ada.get(app.at("/events")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut buf = String::new();
    assert_eq!(next_kind(&mut res, &mut buf).await, "hello");

    let ok = |r: reqwest::Response| assert_eq!(r.status(), 200);
    ok(app
        .call(
            &admin,
            "admin_add_holiday",
            &[("day", "2026-10-05"), ("name", "Harvest")],
        )
        .await);
    assert_eq!(next_kind(&mut res, &mut buf).await, "config");
    let r = app
        .call(
            &mia,
            "add_absence",
            &[
                ("rep_id", &f.ada.to_string()),
                ("start", "2026-10-06"),
                ("end", "2026-10-07"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let id: i64 = r.json().await.unwrap();
    assert_eq!(next_kind(&mut res, &mut buf).await, "config");
    ok(app
        .call(&mia, "remove_absence", &[("id", &id.to_string())])
        .await);
    assert_eq!(next_kind(&mut res, &mut buf).await, "config");
    ok(app
        .call(&admin, "admin_remove_holiday", &[("day", "2026-10-05")])
        .await);
    assert_eq!(next_kind(&mut res, &mut buf).await, "config");
    ok(app
        .call(
            &admin,
            "admin_set_working_week",
            &[("days[0]", "1"), ("days[1]", "2")],
        )
        .await);
    assert_eq!(next_kind(&mut res, &mut buf).await, "config");
}
