//! CSV import and export end to end, on SQLite and PostgreSQL: dry runs that name every bad
//! line and write nothing, all-or-nothing imports, re-imports that change nothing, export →
//! import round trips, who may export, and the `pacesetter import` command.

mod common;

use common::{exec, fixture, hostile, scalar, Engine, TestApp, PASSWORD};
use pacesetter::server::db::Db;
use serde_json::Value;

on_both_engines!(
    dry_run_reports_every_bad_row_and_writes_nothing,
    one_bad_row_writes_nothing,
    malformed_files_are_refused_with_their_line,
    the_same_file_twice_changes_nothing,
    deals_and_targets_import_idempotently,
    export_then_import_changes_nothing,
    exports_need_an_admin_a_manager_or_a_read_token,
    import_is_for_admins_only,
    scorecards_export_one_row_per_rep_and_line,
    every_csv_column_takes_hostile_cells_whole_or_not_at_all,
    a_file_of_many_chunks_is_checked_whole_then_written,
);

const ACTIVITIES_HEADER: &str =
    "rep_email,type,occurred_at,quantity,duration_seconds,note,account,source,external_id";

async fn admin(app: &TestApp) -> reqwest::Client {
    app.signed_in("root@example.com", PASSWORD).await
}

/// Calls the import server function; the report as JSON.
async fn import(
    app: &TestApp,
    client: &reqwest::Client,
    kind: &str,
    csv: &str,
    dry_run: bool,
) -> Value {
    let res = app
        .call(
            client,
            "admin_import_csv",
            &[
                ("kind", kind),
                ("csv", csv),
                ("dry_run", if dry_run { "true" } else { "false" }),
            ],
        )
        .await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

fn error_lines(report: &Value) -> Vec<u64> {
    let mut lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    lines.dedup();
    lines
}

fn messages(report: &Value) -> String {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}: {}", e["line"], e["message"].as_str().unwrap()))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn rollup_units(db: &Db) -> i64 {
    scalar(
        db,
        "SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) FROM daily_rollups",
    )
    .await
}

/// Everything an import may change, to compare before and after.
async fn snapshot(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("activities").await,
        app.count("deals").await,
        app.count("targets").await,
        rollup_units(&app.db).await,
    )
}

async fn download(client: &reqwest::Client, url: &str) -> (u16, String) {
    let res = client.get(url).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn good_activities() -> String {
    format!(
        "{ACTIVITIES_HEADER}\n\
         ada@example.com,call,2025-06-10T10:00:00Z,2,120,\"first, with comma\",Acme,,\n\
         ben@example.com,email,2025-06-10T11:00:00+02:00,1,,,,,\n\
         ben@example.com,email,2025-06-10T11:00:00+02:00,1,,,,,\n\
         cy@example.com,call,2025-06-11T09:00:00Z,,,,,crm,C-1\n"
    )
}

async fn dry_run_reports_every_bad_row_and_writes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let csv = format!(
        "{ACTIVITIES_HEADER}\n\
         ada@example.com,call,2025-06-10T10:00:00Z,1,,,,,\n\
         nobody@example.com,call,2025-06-10T10:00:00Z,1,,,,,\n\
         ada@example.com,call,2025-06-10T10:00:00Z,2.5,,,,,\n\
         ada@example.com,call,2025-06-10T10:00:00Z,1,,,,crm,\n\
         ada@example.com,fax,yesterday,1,,,,,\n\
         ben@example.com,email,2025-06-10T10:00:00Z,3,,,,,\n"
    );
    let before = snapshot(&app).await;
    let report = import(&app, &admin, "activities", &csv, true).await;
    assert_eq!(error_lines(&report), [3, 4, 5, 6], "{}", messages(&report));
    let text = messages(&report);
    assert!(text.contains("unknown rep 'nobody@example.com'"), "{text}");
    assert!(text.contains("quantity: must be a whole number"), "{text}");
    assert!(
        text.contains("external_id: is required when source is given"),
        "{text}"
    );
    assert!(text.contains("occurred_at"), "{text}");
    assert_eq!(report["dry_run"], true);
    assert_eq!(snapshot(&app).await, before);

    // A clean dry run says what an import would do, and still writes nothing.
    let report = import(&app, &admin, "activities", &good_activities(), true).await;
    assert_eq!(
        report["errors"].as_array().unwrap().len(),
        0,
        "{}",
        messages(&report)
    );
    assert_eq!(
        (&report["rows"], &report["created"], &report["updated"]),
        (&Value::from(4), &Value::from(4), &Value::from(0))
    );
    assert_eq!(snapshot(&app).await, before);
}

async fn one_bad_row_writes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let mut csv = good_activities();
    csv.push_str("ada@example.com,call,2025-06-10T10:00:00Z,0,,,,,\n");
    let before = snapshot(&app).await;
    let report = import(&app, &admin, "activities", &csv, false).await;
    assert_eq!(error_lines(&report), [6], "{}", messages(&report));
    assert!(messages(&report).contains("quantity"));
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import'"
        )
        .await,
        0
    );
}

async fn malformed_files_are_refused_with_their_line(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let cases = [
        (
            format!("{ACTIVITIES_HEADER}\nada@example.com,call,\"2025-06-10T10:00:00Z,1,,,,,\n"),
            2,
            "never closed",
        ),
        (
            format!("{ACTIVITIES_HEADER}\nada@example.com,call,2025-06-10T10:00:00Z,1,,,,,\nada@example.com,call\n"),
            3,
            "has 2 columns, the header has 9",
        ),
        (
            "rep_email,occurred_at\nada@example.com,2025-06-10T10:00:00Z\n".to_string(),
            1,
            "missing required column 'type'",
        ),
        (
            format!("{ACTIVITIES_HEADER},colour\n"),
            1,
            "unknown column 'colour'",
        ),
        (String::new(), 1, "header row is required"),
        (format!("{ACTIVITIES_HEADER}\n"), 2, "no data rows"),
    ];
    for (csv, line, needle) in cases {
        let report = import(&app, &admin, "activities", &csv, false).await;
        let text = messages(&report);
        assert!(
            report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["line"] == line && e["message"].as_str().unwrap().contains(needle)),
            "{needle} on line {line}: {text}"
        );
    }
    assert_eq!(app.count("activities").await, 0);
}

/// Ada's, Ben's and Cy's activity scores in June 2025, from the exported leaderboard.
async fn june_board(app: &TestApp, client: &reqwest::Client) -> String {
    let (status, text) = download(
        client,
        &app.at("/export/leaderboard.csv?period=month&date=2025-06-15"),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    text
}

async fn the_same_file_twice_changes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let first = import(&app, &admin, "activities", &good_activities(), false).await;
    assert_eq!(
        first["errors"].as_array().unwrap().len(),
        0,
        "{}",
        messages(&first)
    );
    assert_eq!(
        (first["created"].as_u64(), first["updated"].as_u64()),
        (Some(4), Some(0))
    );
    let after_first = snapshot(&app).await;
    assert_eq!(after_first.0, 4, "two identical rows stay two activities");
    let board = june_board(&app, &admin).await;
    // Ada: 2 calls = 6.00; Cy: 1 call = 3.00; Ben: 2 emails = 2.00.
    assert_eq!(
        board,
        "rank,rep_email,rep_name,team,points\n\
         1,ada@example.com,Ada Lovelace,Alpha,6.00\n\
         2,cy@example.com,Cy Twombly,Beta,3.00\n\
         3,ben@example.com,Ben Okri,Alpha,2.00\n"
    );

    let second = import(&app, &admin, "activities", &good_activities(), false).await;
    assert_eq!(
        (second["created"].as_u64(), second["updated"].as_u64()),
        (Some(0), Some(4))
    );
    assert_eq!(snapshot(&app).await, after_first);
    assert_eq!(june_board(&app, &admin).await, board);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM activities WHERE source = 'csv'"
        )
        .await,
        3
    );
}

async fn deals_and_targets_import_idempotently(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let deals = "rep_email,name,account,amount,currency,stage,probability,status,lost_reason,new_customer,created_on,expected_close,closed_on,source,external_id\n\
        ada@example.com,Acme renewal,Acme,120000,eur,,,won,,yes,2025-05-01,,2025-06-03,crm,D-1\n\
        ben@example.com,Globex,,50000,EUR,Proposal,40,open,,false,2025-06-01,2025-07-15,,,\n\
        cy@example.com,Initech,,9900,USD,,,lost,Price,,2025-04-01,,2025-06-20,,\n";
    let report = import(&app, &admin, "deals", deals, false).await;
    assert_eq!(
        report["errors"].as_array().unwrap().len(),
        0,
        "{}",
        messages(&report)
    );
    assert_eq!(report["created"], 3);
    let again = import(&app, &admin, "deals", deals, false).await;
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(app.count("deals").await, 3);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT amount_minor FROM deals WHERE external_id = 'D-1'"
        )
        .await,
        120000
    );

    let bad_deals = "rep_email,name,amount,currency,status,probability\n\
        ada@example.com,X,12,EURO,open,50\n\
        ada@example.com,Y,12,EUR,open,\n\
        ada@example.com,Z,12,EUR,open,10\n";
    let report = import(&app, &admin, "deals", bad_deals, false).await;
    assert_eq!(error_lines(&report), [2, 3], "{}", messages(&report));
    assert_eq!(app.count("deals").await, 3);

    let targets = "metric,rep_email,role,month,value\n\
        activity_score,ada@example.com,,2025-06,5000\n\
        activity_count:call,,sdr,2025-06,20\n";
    let report = import(&app, &admin, "targets", targets, false).await;
    assert_eq!(
        report["errors"].as_array().unwrap().len(),
        0,
        "{}",
        messages(&report)
    );
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(2), Some(0))
    );
    let again = import(&app, &admin, "targets", targets, true).await;
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(2))
    );
    let again = import(&app, &admin, "targets", targets, false).await;
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(app.count("targets").await, 2);
    let bad_targets = "metric,rep_email,role,month,value\n\
        activity_score,ada@example.com,,2025-13,5000\n\
        happiness,,sdr,2025-06,1\n\
        activity_score,ada@example.com,,2025-07,7\n";
    let report = import(&app, &admin, "targets", bad_targets, false).await;
    assert_eq!(error_lines(&report), [2, 3], "{}", messages(&report));
    assert_eq!(app.count("targets").await, 2);
}

async fn export_then_import_changes_nothing(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let report = import(&app, &admin, "activities", &good_activities(), false).await;
    assert_eq!(
        report["errors"].as_array().unwrap().len(),
        0,
        "{}",
        messages(&report)
    );
    // Records made in the app have no key of their own.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let res = app
        .call(&ada, "log_activity", &[("type_key", "call")])
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    exec(
        &app.db,
        "INSERT INTO deals (rep_id, name, amount_minor, currency, stage, probability, status, new_customer, \
         created_on, created_at, updated_at) SELECT id, 'Keyless \"quoted\" deal', 4200, 'EUR', 'Open', 30, 'open', FALSE, \
         '2025-06-02', '2025-06-02T00:00:00Z', '2025-06-02T00:00:00Z' FROM users WHERE email = 'ben@example.com'",
    )
    .await;
    let before = snapshot(&app).await;
    let board = june_board(&app, &admin).await;

    let (status, activities) = download(&admin, &app.at("/export/activities.csv")).await;
    assert_eq!(status, 200, "{activities}");
    assert_eq!(activities.lines().count(), 6, "{activities}");
    assert!(activities.starts_with(ACTIVITIES_HEADER), "{activities}");
    assert!(activities.contains(",pacesetter,activity-"), "{activities}");
    let (status, deals) = download(&admin, &app.at("/export/deals.csv")).await;
    assert_eq!(status, 200, "{deals}");
    assert!(deals.contains("\"Keyless \"\"quoted\"\" deal\""), "{deals}");

    // An exported key only adopts the record it came from: the same id with another rep
    // (a file from another database) is refused, and nothing is written.
    let keyless = activities
        .lines()
        .find(|l| l.contains(",pacesetter,activity-"))
        .unwrap();
    let foreign = format!(
        "{ACTIVITIES_HEADER}\n{}\n",
        keyless.replace("ada@example.com", "ben@example.com")
    );
    for dry_run in [true, false] {
        let report = import(&app, &admin, "activities", &foreign, dry_run).await;
        assert_eq!(error_lines(&report), [2], "{}", messages(&report));
        assert!(
            messages(&report).contains("another rep or occurred_at"),
            "{}",
            messages(&report)
        );
    }
    assert_eq!(snapshot(&app).await, before);

    let report = import(&app, &admin, "activities", &activities, true).await;
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(5)),
        "{}",
        messages(&report)
    );
    let report = import(&app, &admin, "activities", &activities, false).await;
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(5)),
        "{}",
        messages(&report)
    );
    let report = import(&app, &admin, "deals", &deals, false).await;
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(1)),
        "{}",
        messages(&report)
    );
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(june_board(&app, &admin).await, board);
    // Exporting again gives the same files.
    assert_eq!(
        download(&admin, &app.at("/export/activities.csv")).await.1,
        activities
    );
    assert_eq!(
        download(&admin, &app.at("/export/deals.csv")).await.1,
        deals
    );

    // A date range keeps to the local days asked for.
    let (status, june_11) = download(
        &admin,
        &app.at("/export/activities.csv?from=2025-06-11&to=2025-06-11"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(june_11.lines().count(), 2, "{june_11}");
    assert!(june_11.contains("cy@example.com"));
    let (status, _) = download(
        &admin,
        &app.at("/export/activities.csv?from=2025-06-12&to=2025-06-11"),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = download(&admin, &app.at("/export/activities.csv?from=June")).await;
    assert_eq!(status, 400);
}

async fn exports_need_an_admin_a_manager_or_a_read_token(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let paths = [
        "/export/activities.csv",
        "/export/deals.csv?from=2025-01-01&to=2025-12-31",
        "/export/leaderboard.csv?period=month&date=2025-06-15",
        "/export/scorecards.csv?period=month&date=2025-06-15",
    ];
    let read = pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "reader",
        &["read".to_string()],
    )
    .await
    .unwrap()
    .1;
    let ingest = pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "writer",
        &["ingest".to_string()],
    )
    .await
    .unwrap()
    .1;
    let anonymous = app.client();
    let rep = app.signed_in("ada@example.com", PASSWORD).await;
    let manager = app.signed_in("mia@example.com", PASSWORD).await;
    let admin = admin(&app).await;
    for path in paths {
        let url = app.at(path);
        assert_eq!(download(&anonymous, &url).await.0, 401, "{path}");
        assert_eq!(download(&rep, &url).await.0, 403, "{path}");
        // A manager exports their own team's rows (tests/access.rs: export_matrix).
        assert_eq!(download(&manager, &url).await.0, 200, "{path}");
        let with = |t: &str| anonymous.get(&url).bearer_auth(t.to_string()).send();
        assert_eq!(
            with(&ingest).await.unwrap().status().as_u16(),
            403,
            "{path}"
        );
        assert_eq!(
            with("not-a-token").await.unwrap().status().as_u16(),
            401,
            "{path}"
        );
        let res = with(&read).await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let res = admin.get(&url).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let headers = res.headers();
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename="));
    }
}

async fn import_is_for_admins_only(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let args = [
        ("kind", "activities"),
        (
            "csv",
            "rep_email,type,occurred_at\nada@example.com,call,2025-06-10T10:00:00Z\n",
        ),
        ("dry_run", "false"),
    ];
    let anonymous = app.client();
    let res = app.call(&anonymous, "admin_import_csv", &args).await;
    assert_eq!(res.status().as_u16(), 401);
    let rep = app.signed_in("ada@example.com", PASSWORD).await;
    let res = app.call(&rep, "admin_import_csv", &args).await;
    assert_eq!(res.status().as_u16(), 403);
    let admin = admin(&app).await;
    let res = app
        .call(
            &admin,
            "admin_import_csv",
            &[("kind", "people"), args[1], args[2]],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(app.count("activities").await, 0);
    let report = import(&app, &admin, "activities", args[1].1, false).await;
    assert_eq!(report["created"], 1);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND entity = 'csv:activities'"
        )
        .await,
        1
    );
}

/// `pacesetter import`: every bad line on standard output, a one-line summary, exit 1 when
/// anything is wrong, and nothing written by a dry run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_import_dry_run_and_exit_codes() {
    let app = TestApp::start(Engine::Sqlite).await;
    fixture(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let run =
        |name: &str, body: &str, extra: &[&str]| run_import(&app, dir.path(), name, body, extra);
    let bad = "rep_email,type,occurred_at,quantity\n\
        ada@example.com,call,2025-06-10T10:00:00Z,1\n\
        who@example.com,call,2025-06-10T10:00:00Z,1\n\
        ada@example.com,call,2025-06-10T10:00:00Z,-4\n";
    let (code, out, err) = run("bad.csv", bad, &["--kind", "activities", "--dry-run"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("line 3: rep_email: unknown rep 'who@example.com'"),
        "{out}"
    );
    assert!(
        out.contains("line 4: quantity: must be between 1 and 1000000"),
        "{out}"
    );
    assert!(err.contains("2 errors; nothing written"), "{err}");

    let good = "rep_email,type,occurred_at,quantity\n\
        ada@example.com,call,2025-06-10T10:00:00Z,1\n\
        ben@example.com,email,2025-06-10T10:00:00Z,2\n";
    let (code, out, err) = run("good.csv", good, &["--kind", "activities", "--dry-run"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.trim(),
        "2 rows valid, 2 created, 0 updated (dry run: nothing written)"
    );
    assert_eq!(app.count("activities").await, 0);

    let (code, out, err) = run("good.csv", good, &["--kind", "activities"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.trim(), "2 rows valid, 2 created, 0 updated");
    let (code, out, _) = run("good.csv", good, &["--kind", "activities"]);
    assert_eq!(code, Some(0));
    assert_eq!(out.trim(), "2 rows valid, 0 created, 2 updated");
    assert_eq!(app.count("activities").await, 2);

    let (code, _, err) = run("good.csv", good, &["--kind", "people"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("people"), "{err}");
    let (code, out, _) = run(
        "broken.csv",
        "rep_email,type\n\"ada,call\n",
        &["--kind", "activities"],
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("line 2: bad quoting"), "{out}");
}

/// The file reader alone: rows become the API's items, with their file lines.
#[test]
fn csv_rows_become_api_items_with_their_lines() {
    use pacesetter::transfer::import::{read_rows, Kind};
    let text = "\u{feff}rep_email,type,occurred_at,quantity,note\n\
                ada@x.io,call,2026-03-02T10:00:00Z,2,\"hello, world\"\n\
                \n\
                ben@x.io,call,2026-03-02T11:00:00Z,2.5,\n\
                ,,,,\n\
                cy@x.io,call,2026-03-02T11:00:00Z,1,\"two\nlines \"\"quoted\"\"\"\n\
                ada@x.io,call,2026-03-02T12:00:00Z,x,\n";
    let rows = read_rows(Kind::Activities, text).unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4, 6, 8]);
    assert_eq!(rows[0].item["quantity"], 2);
    assert_eq!(rows[0].item["note"], "hello, world");
    assert!(rows[1].item["quantity"].is_f64());
    assert!(rows[1].item.get("note").is_none());
    assert_eq!(rows[2].item["note"], "two\nlines \"quoted\"");
    assert_eq!(rows[3].item["quantity"], "x");

    let line_of = |text: &str| {
        let e = read_rows(Kind::Activities, text).unwrap_err();
        (e[0].line, e[0].message.clone())
    };
    let h = "rep_email,type,occurred_at\n";
    assert_eq!(line_of(&format!("{h}a,b,c\n1,\"open\n2,3\n")).0, 3);
    assert_eq!(line_of(&format!("{h}a,b,c\n1,2,\"x\"y\n")).0, 3);
    let (line, message) = line_of(&format!("{h}a,b,c\na,x\"y,c\n"));
    assert_eq!(line, 3);
    assert!(message.contains("bad quoting"), "{message}");
    let e = read_rows(Kind::Activities, &format!("{h}a,b,c\na,b\na,b,c,d\n")).unwrap_err();
    assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
    let e = read_rows(Kind::Activities, "rep_email,kind,rep_email\nx,y,z\n").unwrap_err();
    let all: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
    assert!(
        all.iter().any(|m| m.contains("unknown column 'kind'")),
        "{all:?}"
    );
    assert!(all.iter().any(|m| m.contains("appears twice")), "{all:?}");
    assert!(
        all.iter()
            .any(|m| m.contains("missing required column 'type'")),
        "{all:?}"
    );
    assert!(e.iter().all(|e| e.line == 1));
    let e = read_rows(Kind::Targets, "metric,month,value\nx,2026-01,1\n").unwrap_err();
    assert!(e[0].message.contains("rep_email' or 'role'"), "{e:?}");
}

async fn scorecards_export_one_row_per_rep_and_line(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let imported = import(&app, &admin, "activities", &good_activities(), false).await;
    assert!(
        imported["errors"].as_array().unwrap().is_empty(),
        "{imported}"
    );
    let sdr = common::scalar(&app.db, "SELECT id FROM sales_roles WHERE key = 'sdr'").await;
    common::exec(&app.db, &format!("INSERT INTO scorecard_metrics (sales_role_id, metric, is_leading, weight, sort_order) VALUES ({sdr}, 'activity_score', TRUE, 1, 0)")).await;
    common::exec(&app.db, &format!("INSERT INTO targets (metric, scope, subject_id, month, value) VALUES ('activity_score', 'role', {sdr}, '2025-06-01', 1000)")).await;
    let (status, text) = download(
        &admin,
        &app.at("/export/scorecards.csv?period=month&date=2025-06-15"),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("rep_email,rep_name,team,role,period,metric"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "one line for each of the three reps: {text}");
    // Ada: 2 calls × 3.00 = 6.00 against a target of 10.00 in a closed month → 60%.
    let ada = rows
        .iter()
        .find(|r| r.starts_with("ada@example.com"))
        .expect("Ada's row");
    assert!(
        ada.contains("Activity score")
            && ada.contains("6.00")
            && ada.contains("10.00")
            && ada.contains("60%"),
        "{ada}"
    );
    let (status, _) = download(&admin, &app.at("/export/scorecards.csv?team=Nowhere")).await;
    assert_eq!(status, 404);
}

/// One CSV line from cells, quoted as needed.
fn csv_line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Every column of every kind of import, one hostile value at a time, in a file with a good
/// row: the import answers (never a server error), and either reports bad rows and changes
/// nothing, or writes both rows, and the same file again creates nothing.
async fn every_csv_column_takes_hostile_cells_whole_or_not_at_all(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = admin(&app).await;
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|c| c.to_string()).collect() };
    // (kind, header, a good row, the row that takes the hostile cell)
    type Kind = (&'static str, Vec<String>, Vec<String>, Vec<String>);
    let kinds: [Kind; 3] = [
        (
            "activities",
            s(&ACTIVITIES_HEADER.split(',').collect::<Vec<_>>()),
            s(&[
                "ada@example.com",
                "call",
                "2025-06-10T10:00:00Z",
                "2",
                "120",
                "a note",
                "Acme",
                "fuzz",
                "{key}-a",
            ]),
            s(&[
                "ben@example.com",
                "email",
                "2025-06-11T10:00:00Z",
                "1",
                "",
                "",
                "",
                "fuzz",
                "{key}-b",
            ]),
        ),
        (
            "deals",
            s(&pacesetter::deals::service::FIELDS),
            s(&[
                "ada@example.com",
                "Acme",
                "Acme",
                "120000",
                "EUR",
                "Proposal",
                "40",
                "open",
                "",
                "false",
                "2025-06-01",
                "2025-07-15",
                "",
                "fuzz",
                "{key}-a",
            ]),
            s(&[
                "ben@example.com",
                "Globex",
                "",
                "9900",
                "EUR",
                "",
                "",
                "won",
                "",
                "yes",
                "2025-05-01",
                "",
                "2025-06-03",
                "fuzz",
                "{key}-b",
            ]),
        ),
        (
            "targets",
            s(&["metric", "rep_email", "role", "month", "value"]),
            s(&["activity_score", "ada@example.com", "", "2025-06", "5000"]),
            s(&["activity_count:call", "", "sdr", "2025-07", "20"]),
        ),
    ];
    let values = hostile();
    let (mut refused, mut written, mut case) = (0, 0, 0);
    for (kind, header, good, odd) in &kinds {
        for column in 0..header.len() {
            for v in &values {
                case += 1;
                let key = format!("c{case}");
                let fill = |row: &[String]| -> Vec<String> {
                    row.iter().map(|c| c.replace("{key}", &key)).collect()
                };
                let mut bad = fill(odd);
                bad[column] = v.clone();
                let file = format!(
                    "{}{}{}",
                    csv_line(header),
                    csv_line(&fill(good)),
                    csv_line(&bad)
                );
                let before = snapshot(&app).await;
                let report = import(&app, &admin, kind, &file, false).await;
                let after = snapshot(&app).await;
                let what = format!("{kind}.{} = {:.40?}", header[column], v);
                if report["errors"].as_array().unwrap().is_empty() {
                    written += 1;
                    let done =
                        report["created"].as_u64().unwrap() + report["updated"].as_u64().unwrap();
                    assert_eq!(done, 2, "{what}: both rows written: {report}");
                    let again = import(&app, &admin, kind, &file, false).await;
                    assert_eq!(
                        again["created"], 0,
                        "{what}: the same file again creates nothing: {again}"
                    );
                    assert_eq!(
                        snapshot(&app).await,
                        after,
                        "{what}: the same file again changes nothing"
                    );
                } else {
                    refused += 1;
                    assert_eq!(
                        before, after,
                        "{what}: a refused file changes nothing: {report}"
                    );
                    let lines = error_lines(&report);
                    assert!(
                        lines.iter().all(|l| (1..=3).contains(l)),
                        "{what}: errors name their line: {report}"
                    );
                }
            }
        }
    }
    println!(
        "{case} files with one hostile cell: {refused} refused whole, {written} written whole"
    );
    assert!(refused > 0 && written > 0, "the values both pass and fail");
    common::assert_rollups_agree(&app.db).await;
}

/// Runs `pacesetter import` on `body` written to `name` in `dir`: exit code, standard output, standard error.
fn run_import(
    app: &TestApp,
    dir: &std::path::Path,
    name: &str,
    body: &str,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .arg("--database")
        .arg(&app.database_url)
        .arg("import")
        .arg(&path)
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run pacesetter");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A file longer than one chunk (the command line reads 10,000 rows at a time and never
/// holds the file): a bad row in the last chunk writes nothing at all, identical rows in
/// different chunks stay two activities, the rows are written once with a progress line per
/// stage, an import again changes nothing, and past a thousand bad rows the rest are counted.
async fn a_file_of_many_chunks_is_checked_whole_then_written(engine: Engine) {
    use std::fmt::Write;
    const ACTIVITIES: &[&str] = &["--kind", "activities"];
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let dir = tempfile::tempdir().unwrap();
    const ROWS: usize = 21_000;
    let reps = ["ada@example.com", "ben@example.com", "cy@example.com"];
    let mut good = String::from("rep_email,type,occurred_at,quantity\n");
    for i in 0..ROWS {
        // Line 2 and line 20,002 are the same call.
        let n = if i == 20_000 { 0 } else { i };
        let kind = if n % 2 == 0 { "call" } else { "email" };
        let day = 1 + n % 28;
        let (h, m, sec) = (8 + n % 10, (n / 10) % 60, (n / 600) % 60);
        writeln!(
            good,
            "{},{kind},2025-06-{day:02}T{h:02}:{m:02}:{sec:02}Z,1",
            reps[n % 3]
        )
        .unwrap();
    }
    let mut bad = good.clone();
    bad.push_str("ada@example.com,call,2025-06-10T10:00:00Z,-4\n");
    let (code, out, err) = run_import(&app, dir.path(), "bad.csv", &bad, ACTIVITIES);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains(&format!("line {}: quantity: must be between", ROWS + 2)),
        "{out}"
    );
    assert!(err.contains("1 error; nothing written"), "{err}");
    assert_eq!(snapshot(&app).await, (0, 0, 0, 0));

    let (code, out, err) = run_import(
        &app,
        dir.path(),
        "good.csv",
        &good,
        &["--kind", "activities", "--dry-run"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("{ROWS} rows valid, {ROWS} created, 0 updated (dry run: nothing written)")
    );
    assert_eq!(app.count("activities").await, 0);

    let (code, out, err) = run_import(&app, dir.path(), "good.csv", &good, ACTIVITIES);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("{ROWS} rows valid, {ROWS} created, 0 updated")
    );
    for stage in ["checking", "writing"] {
        assert!(
            err.lines().any(|l| l.starts_with(stage)
                && l.contains(&format!("{ROWS} rows"))
                && l.contains("100.0%")),
            "{err}"
        );
    }
    assert_eq!(app.count("activities").await, ROWS as i64);
    assert_eq!(rollup_units(&app.db).await, ROWS as i64);
    let (code, out, err) = run_import(&app, dir.path(), "good.csv", &good, ACTIVITIES);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("{ROWS} rows valid, 0 created, {ROWS} updated")
    );
    assert_eq!(app.count("activities").await, ROWS as i64);
    assert_eq!(rollup_units(&app.db).await, ROWS as i64);
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND entity = 'csv:activities'"
        )
        .await,
        2
    );

    let mut many = String::from("rep_email,type,occurred_at,quantity\n");
    for _ in 0..1_500 {
        many.push_str("nobody@example.com,call,2025-06-10T10:00:00Z,1\n");
    }
    let (code, out, err) = run_import(&app, dir.path(), "many.csv", &many, ACTIVITIES);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("line ")).count(),
        1_000,
        "{out}"
    );
    assert!(out.contains("… and 500 more bad rows"), "{out}");
    assert!(err.contains("1500 errors; nothing written"), "{err}");
    assert_eq!(app.count("activities").await, ROWS as i64);
}
