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
    // Lazy routes (every page but `/me` and `/login` is its own chunk) need their code
    // loaded before hydrating: `hydrate_lazy` waits for it.
    leptos::mount::hydrate_lazy(app::App);
}
