//! Deals: pipeline, won and lost, feeding the lagging metrics (turnover, win rate, pipeline).

#[cfg(feature = "ssr")]
pub mod service;
