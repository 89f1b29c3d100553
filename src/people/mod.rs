//! People: accounts, teams, sales roles, and who is scored.

#[cfg(feature = "ssr")]
pub mod service;
