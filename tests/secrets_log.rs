//! Secrets never reach the server's log (ASVS V7.1.1): the real `pacesetter serve` process,
//! logging at debug level, is sent an API token, a TV link, a session cookie and passwords
//! (right and wrong); none of them appears in what it wrote.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

fn cli(db: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pacesetter");
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/log.db", dir.path().display());
    let admin_password = "admin-password-never-logged";
    let wrong_password = "wrong-password-never-logged";
    cli(
        &db,
        &[
            "create-user",
            "--email",
            "admin@example.com",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(admin_password),
    );
    let token = cli(
        &db,
        &["tokens", "create", "--name", "t", "--scope", "ingest,read"],
        None,
    );
    let tv = cli(&db, &["displays", "create", "--name", "TV"], None);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.path().join("server.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_pacesetter"))
        .args([
            "--database",
            &db,
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "debug")
        .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not start");

    // A wrong password, the right one (a session cookie follows), a page with the session,
    // the TV link, and API calls with the token (one bad, one good).
    let mut cookie = String::new();
    for password in [wrong_password, admin_password] {
        let res = client
            .post(format!("{base}/api/sign_in"))
            .form(&[("email", "admin@example.com"), ("password", password)])
            .send()
            .await
            .unwrap();
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            if let Some(rest) =
                v.strip_prefix(&format!("{}=", pacesetter::auth::session::COOKIE_NAME))
            {
                cookie = rest.split(';').next().unwrap().to_string();
            }
        }
    }
    assert!(cookie.len() > 10, "no session cookie");
    let session = client.get(format!("{base}/admin")).send().await.unwrap();
    assert_eq!(session.status(), 200);
    client.get(format!("{base}{tv}")).send().await.unwrap();
    for body in [
        serde_json::json!({"rep_email": "nobody@example.com", "type": "call"}),
        serde_json::json!({}),
    ] {
        client
            .post(format!("{base}/api/v1/activities"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
    }
    client
        .get(format!("{base}/api/v1/leaderboard?period=month"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();

    let written = std::fs::read_to_string(&log).unwrap()
        + &std::fs::read_to_string(dir.path().join("stdout.log")).unwrap();
    assert!(
        written.len() > 100,
        "the server logged nothing at debug level: {written}"
    );
    let tv_token = tv.trim_start_matches("/tv/");
    for (what, secret) in [
        ("API token", token.as_str()),
        ("TV token", tv_token),
        ("password", admin_password),
        ("wrong password", wrong_password),
        ("session cookie", cookie.as_str()),
    ] {
        assert!(!secret.is_empty());
        assert!(!written.contains(secret), "the {what} is in the log");
    }
}
