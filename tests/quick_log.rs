//! The quick log before JavaScript runs: each button is a plain form with an idempotency key
//! made at render; the post is answered with a redirect to `/me` and a short, readable note;
//! the same form sent twice stores one activity; errors read as words, never an encoded blob.
//! A tap kept on the phone while offline is logged at the moment it was made.
//! On SQLite and PostgreSQL.

mod common;

use common::{fixture, scalar, Engine, TestApp, PASSWORD};

on_both_engines!(
    a_plain_form_post_logs_once_and_comes_back_with_a_note,
    plain_form_errors_come_back_as_words,
    a_tap_kept_offline_keeps_its_moment,
);

/// A post as a browser without JavaScript sends it.
async fn form_post(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    args: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.at(&format!("/api/{name}")))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.at("/me"))
        .form(args)
        .send()
        .await
        .expect("form post")
}

/// Activities stored and not deleted (a delete marks the row).
async fn live(app: &TestApp) -> i64 {
    scalar(
        &app.db,
        "SELECT COUNT(*) FROM activities WHERE deleted_at IS NULL",
    )
    .await
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 302, "a form post is answered with a redirect");
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The value of the first hidden `client_key` field of the quick log's `type_key` form.
fn form_key(html: &str, type_key: &str) -> String {
    let form = html
        .split("<form")
        .find(|f| f.contains(&format!("name=\"type_key\" value=\"{type_key}\"")))
        .expect("the quick-log form of the type");
    let at = form
        .find("name=\"client_key\" value=\"")
        .expect("a key field")
        + 25;
    form[at..].split('"').next().unwrap().to_string()
}

async fn a_plain_form_post_logs_once_and_comes_back_with_a_note(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;

    // Two renders, two different keys: each is one tap.
    let page = ada
        .get(app.at("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = form_key(&page, "call");
    let again = ada
        .get(app.at("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!key.is_empty());
    assert_ne!(key, form_key(&again, "call"), "a fresh key at every render");

    let args = [("type_key", "call"), ("client_key", key.as_str())];
    let first = location(&form_post(&app, &ada, "log_activity", &args).await);
    let id = first.strip_prefix("/me?logged=").expect(&first).to_string();
    assert!(id.parse::<i64>().is_ok(), "{first}");
    // The same form sent again (a double tap on a slow network): stored once, said so.
    let second = location(&form_post(&app, &ada, "log_activity", &args).await);
    assert_eq!(second, format!("/me?logged={id}&again=1"));
    // A script's retry with the same key: the same answer, nothing added.
    let res = app.call(&ada, "log_activity", &args).await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["id"].to_string(), id);
    assert_eq!(v["duplicate"], true);
    assert_eq!(live(&app).await, 1);

    // The page says what happened, with an undo that is a plain form too.
    let note = ada
        .get(app.at(&first))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.contains("Logged: Call at "), "{note}");
    assert!(note.contains("action=\"/api/delete_activity\""));
    let note = ada
        .get(app.at(&second))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.contains("Already logged: Call at "));

    let undone = location(&form_post(&app, &ada, "delete_activity", &[("id", id.as_str())]).await);
    assert_eq!(undone, "/me?deleted=1");
    assert_eq!(live(&app).await, 0);
    let note = ada
        .get(app.at(&undone))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.contains("Deleted."));
}

async fn plain_form_errors_come_back_as_words(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;

    let gone = location(
        &form_post(
            &app,
            &ada,
            "log_activity",
            &[("type_key", "nope"), ("client_key", "k1")],
        )
        .await,
    );
    assert_eq!(gone, "/me?problem=gone");
    let page = ada
        .get(app.at(&gone))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("no longer exists"), "{page}");

    // Someone else's entry, or one that is not there: the same words.
    let missing = location(&form_post(&app, &ada, "delete_activity", &[("id", "999999")]).await);
    assert_eq!(missing, "/me?problem=gone");

    // Signed out (the session ended while the page was open): to sign-in, and back to /me.
    let stranger = app.client();
    let to = location(
        &form_post(
            &app,
            &stranger,
            "log_activity",
            &[("type_key", "call"), ("client_key", "k2")],
        )
        .await,
    );
    assert_eq!(to, "/login?next=%2Fme");
    assert_eq!(live(&app).await, 0);
    for at in [gone, missing, to] {
        assert!(!at.contains("__err"), "{at}");
    }
}

/// When the activity with this key happened, in seconds since 1970.
async fn occurred(app: &TestApp, engine: Engine, key: &str) -> i64 {
    let epoch = match engine {
        Engine::Sqlite => "CAST(strftime('%s', occurred_at) AS INTEGER)",
        Engine::Postgres => "CAST(EXTRACT(EPOCH FROM occurred_at) AS BIGINT)",
    };
    scalar(
        &app.db,
        &format!("SELECT {epoch} FROM activities WHERE client_key = '{key}'"),
    )
    .await
}

async fn a_tap_kept_offline_keeps_its_moment(engine: Engine) {
    let app = TestApp::start(engine).await;
    fixture(&app).await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let now = chrono::Utc::now().timestamp();
    let tap = |key: &'static str, at: i64| {
        let ada = ada.clone();
        let at = (at * 1000).to_string();
        let app = &app;
        async move {
            app.call(
                &ada,
                "log_activity",
                &[
                    ("type_key", "call"),
                    ("client_key", key),
                    ("tapped_at", &at),
                ],
            )
            .await
        }
    };

    // Three hours in a tunnel: logged at the tap, not at the send.
    let res = tap("k-tunnel", now - 3 * 3600).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!((occurred(&app, engine, "k-tunnel").await - (now - 3 * 3600)).abs() <= 1);
    // Sent again later, the same moment and one activity.
    assert_eq!(tap("k-tunnel", now - 3 * 3600).await.status(), 200);
    assert_eq!(live(&app).await, 1);

    // A phone clock ahead of the server's: now, never in the future.
    assert_eq!(tap("k-ahead", now + 3600).await.status(), 200);
    let at = occurred(&app, engine, "k-ahead").await;
    assert!(
        at >= now - 5 && at <= chrono::Utc::now().timestamp() + 1,
        "{at} vs {now}"
    );

    // Kept for more than two days: refused in words, nothing stored.
    let res = tap("k-old", now - 3 * 24 * 3600).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("more than two days"));
    assert_eq!(live(&app).await, 2);
}
