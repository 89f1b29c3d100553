//! Activity types and their versioned weights.

#[cfg(feature = "ssr")]
pub mod service;
