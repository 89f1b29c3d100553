//! Live updates over Server-Sent Events: pushed within a second of a write, on every app
//! instance (PostgreSQL LISTEN/NOTIFY), and closed at once when the credential goes.

mod common;

use std::time::Duration;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};
use serde_json::Value;

on_both_engines!(
    display_stream_pushes_changes_and_closes_when_revoked,
    session_stream_closes_when_the_account_is_deactivated,
    a_won_deal_is_celebrated_as_each_display_may_see_it,
);

/// `pacesetter import` is another process: on PostgreSQL it announces the import to the
/// running instances through NOTIFY.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_line_import_reaches_open_displays_on_postgres() {
    let app = TestApp::start(Engine::Postgres).await;
    fixture(&app).await;
    let (_, token) = pacesetter::server::tokens::create_display(&app.db, "test", "Lobby")
        .await
        .unwrap();
    let mut stream = Stream::open(&app, &app.client(), &format!("/tv/{token}/events")).await;
    stream.expect("hello").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    std::fs::write(
        &file,
        "rep_email,type,occurred_at\nada@example.com,call,2025-06-10T10:00:00Z\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .arg("--database")
        .arg(&app.database_url)
        .args(["import", file.to_str().unwrap(), "--kind", "activities"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The service that wrote the rows names what changed.
    stream.expect("activity").await;
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM activities").await, 1);
}

/// Reads `data:` messages from an open event stream.
struct Stream {
    res: reqwest::Response,
    buf: String,
}

/// How long a message may take before the test calls it lost (a generous bound for a
/// loaded CI machine; the product promise is "within a second").
const PATIENCE: Duration = Duration::from_secs(10);

impl Stream {
    async fn open(app: &TestApp, client: &reqwest::Client, path: &str) -> Stream {
        let res = client
            .get(app.at(path))
            .send()
            .await
            .expect("stream request");
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Stream {
            res,
            buf: String::new(),
        }
    }

    /// The next message, or `None` when the server ended the stream.
    async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim)
                    .collect();
                if data.is_empty() {
                    continue; // keep-alive comment
                }
                return Some(serde_json::from_str(&data).expect("JSON message"));
            }
            let chunk = tokio::time::timeout(PATIENCE, self.res.chunk())
                .await
                .expect("a live message in time")
                .expect("stream read");
            match chunk {
                Some(bytes) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }

    async fn expect(&mut self, kind: &str) -> Value {
        let m = self
            .next()
            .await
            .unwrap_or_else(|| panic!("stream ended before {kind}"));
        assert_eq!(m["kind"], kind, "{m}");
        m
    }
}

async fn display_stream_pushes_changes_and_closes_when_revoked(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let (display_id, token) = pacesetter::server::tokens::create_display(&app.db, "test", "Lobby")
        .await
        .unwrap();
    let path = format!("/tv/{token}/events");
    let tv = app.client();
    assert_eq!(
        tv.get(app.at("/tv/not-a-token/events"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let mut stream = Stream::open(&app, &tv, &path).await;
    let hello = stream.expect("hello").await;
    assert_eq!(hello["version"], env!("CARGO_PKG_VERSION"));

    // A rep logs a call on their phone: the TV hears of it.
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    assert!(app
        .call(&ada, "log_activity", &[("type_key", "call")])
        .await
        .status()
        .is_success());
    stream.expect("activity").await;

    // The CRM sends one through the API: the TV hears of it too.
    let (_, api) = pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "crm",
        &["ingest".to_string()],
    )
    .await
    .unwrap();
    let res = app
        .client()
        .post(app.at("/api/v1/activities"))
        .bearer_auth(&api)
        .json(&serde_json::json!({
            "rep_email": "ben@example.com",
            "type": "call",
            "occurred_at": chrono::Utc::now().to_rfc3339(),
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    stream.expect("activity").await;

    // A second instance behind the same database (PostgreSQL fans out with NOTIFY).
    let mut far = None;
    if engine == Engine::Postgres {
        let other = app.second_instance().await;
        let mut far_stream = Stream::open(&other, &app.client(), &path).await;
        far_stream.expect("hello").await;
        assert!(app
            .call(&ada, "log_activity", &[("type_key", "email")])
            .await
            .status()
            .is_success());
        far_stream.expect("activity").await;
        stream.expect("activity").await;
        far = Some((other, far_stream));
    }
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    assert!(app
        .call(
            &admin,
            "admin_revoke",
            &[("kind", "display"), ("id", &display_id.to_string())]
        )
        .await
        .status()
        .is_success());
    // Revoked on the first instance: the stream on the second one closes too.
    if let Some((_other, mut far_stream)) = far {
        far_stream.expect("closed").await;
        assert!(far_stream.next().await.is_none(), "the far stream ends");
    }
    // The already-open stream says so and ends; the browser's reconnect is refused.
    stream.expect("closed").await;
    assert!(stream.next().await.is_none(), "the stream ends");
    assert_eq!(tv.get(app.at(&path)).send().await.unwrap().status(), 401);
    assert_eq!(
        scalar(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM displays WHERE id = {display_id} AND revoked_at IS NOT NULL"
            )
        )
        .await,
        1
    );
}

async fn session_stream_closes_when_the_account_is_deactivated(engine: Engine) {
    let app = TestApp::start(engine).await;
    let f = fixture(&app).await;
    assert_eq!(
        app.client()
            .get(app.at("/events"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "no stream without a session"
    );
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let mut stream = Stream::open(&app, &ada, "/events").await;
    stream.expect("hello").await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    assert!(app
        .call(
            &admin,
            "admin_set_active",
            &[("id", &f.ada.to_string()), ("active", "false")]
        )
        .await
        .status()
        .is_success());
    stream.expect("closed").await;
    assert!(stream.next().await.is_none());
    assert_eq!(
        ada.get(app.at("/events")).send().await.unwrap().status(),
        401
    );

    // Signing out ends a page's stream too (checked on the next change).
    let ben = app.signed_in("ben@example.com", PASSWORD).await;
    let mut ben_stream = Stream::open(&app, &ben, "/events").await;
    ben_stream.expect("hello").await;
    assert!(app.call(&ben, "sign_out", &[]).await.status().is_success());
    let cy = app.signed_in("cy@example.com", PASSWORD).await;
    assert!(app
        .call(&cy, "log_activity", &[("type_key", "call")])
        .await
        .status()
        .is_success());
    ben_stream.expect("closed").await;
}

/// A display link made on the desk; `extra` are more form fields.
async fn desk_display(app: &TestApp, admin: &reqwest::Client, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("form[name]", "Wall")];
    form.extend_from_slice(extra);
    let res = app.call(admin, "admin_create_display", &form).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let new: Value = res.json().await.unwrap();
    new["path"].as_str().unwrap().to_string()
}

async fn a_won_deal_is_celebrated_as_each_display_may_see_it(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let admin = app.signed_in("root@example.com", PASSWORD).await;
    let open = desk_display(&app, &admin, &[]).await;
    let private = desk_display(&app, &admin, &[("form[privacy]", "on")]).await;
    let beta = desk_display(&app, &admin, &[("form[team]", "Beta")]).await;
    let tv = app.client();
    let mut streams = Vec::new();
    for path in [&open, &private, &beta] {
        let mut s = Stream::open(&app, &tv, &format!("{path}/events")).await;
        let hello = s.expect("hello").await;
        // The hello carries the build the TV compares with the one it loaded.
        let token = path.trim_start_matches("/tv/");
        let show: Value = app
            .call(&tv, "tv_show", &[("token", token)])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(hello["build"], show["build"], "{hello}");
        assert!(hello["build"].as_str().is_some_and(|b| !b.is_empty()));
        streams.push(s);
    }
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let mut session = Stream::open(&app, &ada, "/events").await;
    session.expect("hello").await;

    let (_, api) = pacesetter::server::tokens::create_api_token(
        &app.db,
        "test",
        "crm",
        &["ingest".to_string()],
    )
    .await
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    let deal = |status: &str, closed: Option<chrono::NaiveDate>| {
        let mut d = serde_json::json!({"rep_email": "ada@example.com", "name": "Acme renewal",
            "account": "Acme", "amount": 1_250_000, "currency": "EUR", "status": status,
            "probability": 60, "created_on": today, "source": "crm", "external_id": "D-1"});
        if let Some(c) = closed {
            d["closed_on"] = serde_json::json!(c);
        }
        d
    };
    let send = |body: Value| {
        let app = &app;
        let api = api.clone();
        async move {
            let res = app
                .client()
                .post(app.at("/api/v1/deals"))
                .bearer_auth(&api)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        }
    };
    // Open first: a plain change everywhere.
    send(deal("open", None)).await;
    for s in streams.iter_mut() {
        s.expect("deal").await;
    }
    session.expect("deal").await;
    // Won today: celebrated whole on the open display, without the amount on the private
    // one; Ada is in Alpha, so the Beta display and the signed-in page only refresh.
    send(deal("won", Some(today))).await;
    let [ref mut o, ref mut p, ref mut b] = streams[..] else {
        unreachable!()
    };
    o.expect("deal").await;
    let won = o.expect("won").await;
    assert_eq!(
        won["won"],
        serde_json::json!({"rep": "Ada Lovelace", "account": "Acme", "amount": "EUR 12,500"})
    );
    p.expect("deal").await;
    let won = p.expect("won").await;
    assert_eq!(
        won["won"],
        serde_json::json!({"rep": "Ada Lovelace", "account": "Acme"})
    );
    assert!(!won.to_string().contains("EUR") && !won.to_string().contains("12"));
    b.expect("deal").await;
    b.expect("deal").await;
    session.expect("deal").await;
    session.expect("deal").await;
    // Sent again (already won): no second party. A deal won long ago: none either.
    send(deal("won", Some(today))).await;
    o.expect("deal").await;
    let mut old = deal("won", Some(today - chrono::Duration::days(30)));
    old["external_id"] = serde_json::json!("D-2");
    old["created_on"] = serde_json::json!(today - chrono::Duration::days(40));
    send(old).await;
    o.expect("deal").await;
    // Nothing else is waiting: the next message is the next change.
    assert!(app
        .call(&ada, "log_activity", &[("type_key", "call")])
        .await
        .status()
        .is_success());
    o.expect("activity").await;
}
