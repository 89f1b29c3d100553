//! Pacesetter: fair, explainable, live sales-activity scoring.
#![recursion_limit = "256"]

pub mod activities;
pub mod activity_types;
pub mod admin;
#[cfg(feature = "ssr")]
pub mod api;
pub mod app;
pub mod auth;
pub mod calendar;
pub mod components;
pub mod deals;
pub mod displays;
pub mod error;
#[cfg(feature = "ssr")]
pub mod fields;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod idempotency;
pub mod leaderboard;
pub mod live;
pub mod people;
pub mod progress;
pub mod scorecard;
pub mod scoring;
#[cfg(feature = "ssr")]
pub mod server;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod sources;
pub mod targets;
pub mod team;
pub mod transfer;
pub mod tv;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Every page but `/me` is a lazily loaded chunk: hydrating waits for the
    // route's code (as `leptos::mount::hydrate_lazy` does). Only then is the body marked, so
    // that tests and styles relying on `data-hydrated` find every handler attached.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        else {
            return;
        };
        // Loading the bundle was a task; hydrating starts in the next one.
        components::next_task().await;
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        components::mark_page_hydrated();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
