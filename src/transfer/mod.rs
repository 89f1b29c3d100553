//! CSV import and export, transport only: activities, deals and targets in (from a file, all
//! or nothing, with every bad row named by its line), activities, deals, leaderboards and
//! scorecards out. An imported row goes through the same field parsers and services as the
//! integration API and the pages.

pub mod page;

#[cfg(feature = "ssr")]
pub mod cells;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
mod keys;
#[cfg(feature = "ssr")]
mod rows;

#[cfg(feature = "ssr")]
pub use export::export_router;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One problem with the file: its line (the header is line 1) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub kind: String,
    pub dry_run: bool,
    /// Data rows read (blank lines aside).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    /// The bad rows (the first thousand); when any, nothing was written.
    pub errors: Vec<RowError>,
    /// Bad rows past those listed.
    #[serde(default)]
    pub more_errors: u64,
}

impl ImportReport {
    /// One line for people and scripts.
    pub fn summary(&self) -> String {
        if !self.errors.is_empty() {
            let n = self.errors.len() as u64 + self.more_errors;
            let s = if n == 1 { "" } else { "s" };
            return format!("{n} error{s}; nothing written");
        }
        let line = format!(
            "{} rows valid, {} created, {} updated",
            self.rows, self.created, self.updated
        );
        if self.dry_run {
            format!("{line} (dry run: nothing written)")
        } else {
            line
        }
    }
}

/// Imports (or with `dry_run`, only checks) a CSV file of `activities`, `deals` or
/// `targets`. Admins only. Bad rows come back in the report, not as an error.
#[server(endpoint = "admin_import_csv")]
pub async fn admin_import_csv(
    kind: String,
    csv: String,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let kind = import::Kind::parse(&kind).ok_or_else(|| {
            AppError::BadRequest("Choose what to import: activities, deals or targets.".into())
        })?;
        let state = crate::server::state::app_state()?;
        import::import_csv(
            &state.db,
            &state.live,
            kind,
            &csv,
            dry_run,
            &format!("csv:{}", admin.email),
        )
        .await
    })
    .await
}
