//! Two app instances on one database, as behind a load balancer (README, "Production"):
//! a session made on one instance works on the other and ends on both when signed out on
//! either, and sign-in throttling counts the attempts made on both together.

mod common;

use common::{fixture, Engine, TestApp, PASSWORD};
use pacesetter::auth::throttle::MAX_PER_ACCOUNT;

on_both_engines!(
    sessions_work_across_instances,
    sign_in_throttling_counts_every_instance
);

async fn sessions_work_across_instances(engine: Engine) {
    if engine == Engine::Postgres && common::postgres_skipped() {
        return;
    }
    let a = TestApp::start(engine).await;
    fixture(&a).await;
    let b = a.second_instance().await;

    // Signed in on A; the cookie (cookies ignore the port) is honoured by B.
    let ada = a.signed_in("ada@example.com", PASSWORD).await;
    for app in [&a, &b] {
        let res = app.call(&ada, "my_score", &[("period", "month")]).await;
        assert_eq!(res.status(), 200, "{}", app.url);
    }
    // Signed out on B: the session is gone on A too.
    let res = b.call(&ada, "sign_out", &[]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    for app in [&a, &b] {
        let res = app.call(&ada, "my_score", &[("period", "month")]).await;
        assert_eq!(res.status(), 401, "{}", app.url);
    }
}

async fn sign_in_throttling_counts_every_instance(engine: Engine) {
    if engine == Engine::Postgres && common::postgres_skipped() {
        return;
    }
    let a = TestApp::start(engine).await;
    fixture(&a).await;
    let b = a.second_instance().await;

    // Wrong passwords alternate between the instances; together they use up the account's
    // slots, and then both refuse even the right password (no password checked).
    for i in 0..MAX_PER_ACCOUNT {
        let app = if i % 2 == 0 { &a } else { &b };
        let res = app.sign_in(&app.client(), "ben@example.com", "wrong").await;
        assert_eq!(res.status(), 401, "attempt {i} on {}", app.url);
    }
    for app in [&a, &b] {
        let res = app
            .sign_in(&app.client(), "ben@example.com", PASSWORD)
            .await;
        assert_eq!(res.status(), 429, "{}", app.url);
        assert!(!res.headers().contains_key("set-cookie"));
    }
    // Another account is not affected, on either instance.
    a.signed_in("ada@example.com", PASSWORD).await;
    b.signed_in("cy@example.com", PASSWORD).await;
}
