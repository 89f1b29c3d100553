//! Organisation settings, and what a new organisation starts with.

#[cfg(feature = "ssr")]
pub mod service;
