//! Monthly targets per metric, rep or role.

#[cfg(feature = "ssr")]
pub mod service;
