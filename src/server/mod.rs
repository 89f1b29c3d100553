//! Everything that only runs on the server: database, sessions, HTTP wiring, CLI helpers.

pub mod audit;
pub mod db;
pub mod http;
pub mod org;
pub mod secrets;
pub mod seed;
pub mod session;
pub mod state;
pub mod tokens;
pub mod users;
