//! Hostile and odd input on every server function (the doors the pages use), found at run
//! time from the server's own registry, so a new server function is covered the day it is
//! added. For each one, the test learns its arguments from the server's own answers
//! ("missing field `id`", "expected a sequence" …), then sends each argument, one at a time,
//! every value of a hostile list: integer limits, years 1 and 9999, a daylight-saving gap,
//! right-to-left and 4-byte text, a 100 KB string, NUL, markup, SQL. As an admin, a rep
//! and nobody, and with malformed session cookies. No answer may be a server error, and at
//! the end the rollups still equal a recount of the raw activities and every write left
//! was whole (no activity without its rollup, no deal without its rep).

mod common;

use common::{fixture, hostile, scalar, Engine, TestApp};
use leptos::server_fn::axum::server_fn_paths;

on_both_engines!(every_server_function_survives_hostile_input);

/// What an argument is first given, in turn, until the server accepts its type.
const VALUE_GUESSES: [&str; 6] = ["1", "true", "2026-11-02", "month", "call", "x"];

/// The message of a server function's argument error, when the answer is one.
fn args_error(status: u16, body: &str) -> Option<String> {
    if status != 400 {
        return None;
    }
    body.find("Invalid input: ")
        .map(|i| body[i + "Invalid input: ".len()..].to_string())
}

fn missing_field(msg: &str) -> Option<String> {
    let i = msg.find("missing field `")? + "missing field `".len();
    let rest = &msg[i..];
    Some(rest[..rest.find('`')?].to_string())
}

/// The fields, each value cut to 40 characters, for a failure message.
fn short(fields: &[(String, String)]) -> String {
    let cut: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={:?}", v.chars().take(40).collect::<String>()))
        .collect();
    cut.join("&")
}

struct Call<'a> {
    app: &'a TestApp,
    client: &'a reqwest::Client,
    path: &'a str,
    get: bool,
    sent: usize,
}

impl Call<'_> {
    async fn send(&mut self, fields: &[(String, String)]) -> (u16, String) {
        self.sent += 1;
        let url = self.app.at(self.path);
        let req = if self.get {
            self.client.get(url).query(fields)
        } else {
            self.client.post(url).form(fields)
        };
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{} with {}: no answer ({e})", self.path, short(fields)));
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        assert!(
            status < 500 || status == 503,
            "{} answered {status} to {}: {}",
            self.path,
            short(fields),
            body.chars().take(300).collect::<String>()
        );
        (status, body)
    }

    /// Learns the arguments from the server's answers: adds each missing field, finds a
    /// value of the right type, turns a field into a structure or a list when the server
    /// says it is one. Returns the fields (key, value) that pass argument parsing, or the
    /// last ones tried when the server never accepted them.
    async fn learn(&mut self) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = Vec::new();
        // containers opened so far (`form[`, `edits[0][`), the newest last
        let mut prefixes: Vec<String> = Vec::new();
        let mut guess = 0usize;
        let mut last_missing: Option<(String, usize)> = None;
        for _ in 0..60 {
            let (status, body) = self.send(&fields).await;
            let Some(msg) = args_error(status, &body) else {
                return fields;
            };
            if let Some(name) = missing_field(&msg) {
                // the same field missing again: it belongs in the next container out
                let depth = match &last_missing {
                    Some((n, d)) if *n == name => d + 1,
                    _ => 0,
                };
                last_missing = Some((name.clone(), depth));
                let prefix = prefixes
                    .iter()
                    .rev()
                    .nth(depth)
                    .cloned()
                    .unwrap_or_default();
                let key = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}{name}]")
                };
                fields.retain(|(k, _)| *k != key);
                fields.push((key, VALUE_GUESSES[0].to_string()));
                guess = 0;
                continue;
            }
            let Some((key, _)) = fields.pop() else {
                return fields;
            };
            if msg.contains("sequence") && !key.ends_with("[0]") {
                fields.push((format!("{key}[0]"), VALUE_GUESSES[0].to_string()));
            } else if msg.contains("struct")
                || msg.contains("map")
                || msg.contains("QsDeserializer")
            {
                // an unknown key opens it; its own missing fields come next
                prefixes.push(format!("{key}["));
                fields.push((format!("{key}[_]"), VALUE_GUESSES[0].to_string()));
            } else {
                guess += 1;
                if guess >= VALUE_GUESSES.len() {
                    // no guess has the right type: keep the first and try the hostile ones
                    fields.push((key, VALUE_GUESSES[0].to_string()));
                    return fields;
                }
                fields.push((key, VALUE_GUESSES[guess].to_string()));
            }
        }
        fields
    }

    /// Sends each hostile value in each field, the others as learned.
    async fn attack(&mut self, fields: &[(String, String)], values: &[String]) {
        self.send(&[]).await;
        for i in 0..fields.len() {
            for v in values {
                let mut f = fields.to_vec();
                f[i].1 = v.clone();
                self.send(&f).await;
            }
            // and without it
            let mut f = fields.to_vec();
            f.remove(i);
            self.send(&f).await;
        }
    }
}

async fn every_server_function_survives_hostile_input(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let mut paths: Vec<(String, bool)> = server_fn_paths()
        .map(|(p, m)| (p.to_string(), m.as_str() == "GET"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 50,
        "the registry lists every server function ({})",
        paths.len()
    );
    let values = hostile();
    let few: Vec<String> = values.iter().step_by(4).cloned().collect();
    let mut sent = 0;
    let mut learned = 0;
    let mut not_learned = Vec::new();
    for (path, get) in &paths {
        // a fresh session each time: `sign_out` and password changes end the one before
        for (who, all) in [
            (Some("root@example.com"), true),
            (Some("ada@example.com"), false),
            (None, false),
        ] {
            let client = match who {
                Some(email) => signed_in(&app, email).await,
                None => app.client(),
            };
            let mut call = Call {
                app: &app,
                client: &client,
                path,
                get: *get,
                sent: 0,
            };
            let fields = call.learn().await;
            let (status, body) = call.send(&fields).await;
            if who == Some("root@example.com") {
                match args_error(status, &body) {
                    None => learned += 1,
                    Some(msg) => not_learned.push(format!(
                        "{path} ({}): {}",
                        short(&fields),
                        msg.chars().take(120).collect::<String>()
                    )),
                }
            }
            call.attack(&fields, if all { &values } else { &few }).await;
            sent += call.sent;
        }
    }
    // Malformed and forged session cookies: refused as signed out, never a server error.
    for cookie in [
        "ps_session=",
        "ps_session=%00%ff",
        "ps_session=\u{e9}t\u{e9}",
        "ps_session=a; ps_session=b",
        &format!("ps_session={}", "A".repeat(8_000)),
        "ps_session=' OR '1'='1",
    ] {
        let res = reqwest::Client::new()
            .post(app.at("/api/my_score"))
            .header(
                "cookie",
                reqwest::header::HeaderValue::from_bytes(cookie.as_bytes()).expect("bytes"),
            )
            .form(&[("period", "month")])
            .send()
            .await
            .expect("answer");
        let status = res.status().as_u16();
        assert!(
            status == 401 || status == 400 || status == 431,
            "cookie {cookie:.40?} answered {status}"
        );
        sent += 1;
    }
    println!(
        "{} server functions, {learned} of them with every argument learned, {sent} requests",
        paths.len()
    );
    for n in &not_learned {
        println!("arguments not learned: {n}");
    }
    assert!(
        learned * 10 >= paths.len() * 8,
        "the arguments of most server functions were learned ({learned} of {})",
        paths.len()
    );
    common::assert_rollups_agree(&app.db).await;
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = d.rep_id)"
        )
        .await,
        0,
        "every deal has its rep"
    );
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let user_id = scalar(
        &app.db,
        &format!("SELECT id FROM users WHERE email = '{email}'"),
    )
    .await;
    let session = pacesetter::auth::session::create_session(&app.db, user_id, chrono::Utc::now())
        .await
        .expect("session");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("ps_session={session}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
