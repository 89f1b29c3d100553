//! How long a change takes to reach an open TV: a rep logs an activity (server function
//! over HTTP), and the display's event stream delivers the notice. Prints the latency from
//! the moment the write was answered, and from the moment it was sent, over many writes.
//!
//! `cargo bench --features ssr --bench live` (SQLite); with `TEST_POSTGRES_URL` set
//! (`export TEST_POSTGRES_URL=$(scripts/postgres.sh | tail -n 1)`) also PostgreSQL, where
//! the notice travels through LISTEN/NOTIFY.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{fixture, Engine, TestApp, PASSWORD};

const WRITES: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn measure(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let (_, token) = pacesetter::server::tokens::create_display(&app.db, "bench", "TV")
        .await
        .unwrap();
    let tv = app.client();
    let mut res = tv
        .get(app.at(&format!("/tv/{token}/events")))
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    // Reads until one whole message (not a keep-alive) has arrived.
    async fn next_message(res: &mut reqwest::Response, buf: &mut String) {
        loop {
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                if block.lines().any(|l| l.starts_with("data:")) {
                    return;
                }
            }
            let chunk = res.chunk().await.unwrap().expect("stream open");
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    next_message(&mut res, &mut buf).await; // hello
    let rep = app.signed_in("ada@example.com", PASSWORD).await;
    let mut after_answer = Vec::with_capacity(WRITES);
    let mut after_send = Vec::with_capacity(WRITES);
    for i in 0..WRITES {
        let key = format!("bench-{i}");
        let sent = Instant::now();
        let answer = app
            .call(
                &rep,
                "log_activity",
                &[("type_key", "call"), ("client_key", &key)],
            )
            .await;
        assert!(answer.status().is_success());
        let answered = Instant::now();
        next_message(&mut res, &mut buf).await;
        let heard = Instant::now();
        after_answer.push(heard.saturating_duration_since(answered));
        after_send.push(heard - sent);
    }
    after_answer.sort();
    after_send.sort();
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!(
        "live push, {engine:?}, {WRITES} writes: write sent → TV notified p50 {} p95 {} max {}; \
         after the write's answer p50 {} p95 {} max {}",
        ms(percentile(&after_send, 0.5)),
        ms(percentile(&after_send, 0.95)),
        ms(*after_send.last().unwrap()),
        ms(percentile(&after_answer, 0.5)),
        ms(percentile(&after_answer, 0.95)),
        ms(*after_answer.last().unwrap()),
    );
}

fn main() {
    // `cargo test --benches` runs benches with --test-ish args; measuring is for `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        measure(Engine::Sqlite).await;
        if std::env::var("TEST_POSTGRES_URL").is_ok() {
            measure(Engine::Postgres).await;
        } else {
            println!("live push, Postgres: skipped (TEST_POSTGRES_URL is not set)");
        }
    });
}
