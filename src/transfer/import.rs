//! Reading a CSV file into records of named fields, checking every row with the same field
//! parsers and services as every other door, and writing all of them or none.
//!
//! A row without `source` and `external_id` gets the source `csv` and an id made from a hash
//! of its content, so importing the same file again updates the same records instead of
//! adding copies. Rows exported from records that had no key carry the source `pacesetter`
//! and `activity-<id>` / `deal-<id>`: importing them adopts that key on the record, so an
//! export imported back changes nothing.

use super::keys::{adopt_keys, assign_keys, keyed, match_keys, Identity, Keyed, Match};
pub use super::keys::{CSV_SOURCE, EXPORT_SOURCE};
use super::rows::err;
pub use super::rows::{read_rows, Kind, Row, MAX_ROWS};
use super::{ImportReport, RowError};
use crate::activities::service as activities;
use crate::deals::service as deals;
use crate::error::{AppError, FieldError};
use crate::idempotency::{write_all, Upserted, WriteOutcome};
use crate::live::Live;
use crate::server::audit;
use crate::server::db::Db;
use crate::sources::Writer;
use crate::targets::service as targets;

pub(super) fn index_of(line: u64) -> Option<i64> {
    Some(i64::try_from(line).unwrap_or(i64::MAX))
}

fn row_errors(errors: Vec<FieldError>) -> Vec<RowError> {
    let mut out: Vec<RowError> = errors
        .into_iter()
        .map(|e| RowError {
            line: e.index.and_then(|i| u64::try_from(i).ok()).unwrap_or(0),
            message: format!("{}: {}", e.field, e.message),
        })
        .collect();
    out.sort_by_key(|e| e.line);
    out
}

pub(super) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn report(kind: Kind, dry_run: bool, rows: usize) -> ImportReport {
    ImportReport {
        kind: kind.as_str().to_string(),
        dry_run,
        rows: count(rows),
        created: 0,
        updated: 0,
        errors: Vec::new(),
    }
}

/// Checks every row of `text` and, unless `dry_run` or any row is bad, writes them all in one
/// transaction. Bad rows are in the report (nothing written); `Err` is for a failure of the
/// server itself.
pub async fn import_csv(
    db: &Db,
    live: &Live,
    kind: Kind,
    text: &str,
    dry_run: bool,
    actor: &str,
) -> Result<ImportReport, AppError> {
    let rows = match read_rows(kind, text) {
        Ok(rows) => rows,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                ..report(kind, dry_run, 0)
            })
        }
    };
    let mut out = report(kind, dry_run, rows.len());
    if rows.is_empty() {
        out.errors
            .push(err(2, "the file has a header but no data rows"));
        return Ok(out);
    }
    let mut errors = Vec::new();
    match kind {
        Kind::Activities => {
            let mut parsed = Vec::with_capacity(rows.len());
            let mut contents = Vec::with_capacity(rows.len());
            for r in &rows {
                if let Some(a) = activities::parse(&r.item, index_of(r.line), &mut errors) {
                    parsed.push((index_of(r.line), a));
                    contents.push((r.line, r.content.as_str()));
                }
            }
            assign_keys(
                kind,
                parsed
                    .iter_mut()
                    .zip(&contents)
                    .map(|((_, a), (line, c))| (*line, *c, &mut a.source, &mut a.external_id)),
                &mut errors,
            );
            let writes = AppError::gather(activities::resolve(db, parsed).await, &mut errors)?;
            if !errors.is_empty() {
                out.errors = row_errors(errors);
                return Ok(out);
            }
            let keys = keyed(writes.iter().zip(&contents).map(|(w, (line, _))| {
                (
                    *line,
                    &w.source,
                    &w.external_id,
                    Identity::Activity {
                        rep_id: w.rep_id,
                        occurred_at: w.occurred_at,
                    },
                )
            }));
            finish(db, &mut out, "activities", &keys, actor, |db| async move {
                let done = write_all(
                    db,
                    live,
                    &Writer::Person(actor.to_string()),
                    None,
                    &writes,
                    |_| (200, String::new()),
                )
                .await?;
                Ok(created_count(done))
            })
            .await?;
        }
        Kind::Deals => {
            let mut parsed = Vec::with_capacity(rows.len());
            let mut contents = Vec::with_capacity(rows.len());
            for r in &rows {
                if let Some(d) = deals::parse(&r.item, index_of(r.line), &mut errors) {
                    parsed.push((index_of(r.line), d));
                    contents.push((r.line, r.content.as_str()));
                }
            }
            assign_keys(
                kind,
                parsed
                    .iter_mut()
                    .zip(&contents)
                    .map(|((_, d), (line, c))| (*line, *c, &mut d.source, &mut d.external_id)),
                &mut errors,
            );
            let writes = AppError::gather(deals::resolve(db, parsed).await, &mut errors)?;
            if !errors.is_empty() {
                out.errors = row_errors(errors);
                return Ok(out);
            }
            let keys = keyed(writes.iter().zip(&contents).map(|(w, (line, _))| {
                (
                    *line,
                    &w.source,
                    &w.external_id,
                    Identity::Deal {
                        rep_id: w.rep_id,
                        name: w.name.clone(),
                    },
                )
            }));
            finish(db, &mut out, "deals", &keys, actor, |db| async move {
                let done = write_all(
                    db,
                    live,
                    &Writer::Person(actor.to_string()),
                    None,
                    &writes,
                    |_| (200, String::new()),
                )
                .await?;
                Ok(created_count(done))
            })
            .await?;
        }
        Kind::Targets => {
            let parsed: Vec<(Option<i64>, targets::TargetInput)> = rows
                .iter()
                .filter_map(|r| {
                    targets::parse(&r.item, index_of(r.line), &mut errors)
                        .map(|t| (index_of(r.line), t))
                })
                .collect();
            let writes = AppError::gather(targets::resolve(db, parsed).await, &mut errors)?;
            if !errors.is_empty() {
                out.errors = row_errors(errors);
                return Ok(out);
            }
            let created = targets::count_new(db, &writes).await?;
            out.created = count(created);
            out.updated = count(writes.len() - created);
            if !dry_run {
                targets::put_targets(db, live, actor, &writes).await?;
            }
        }
    }
    Ok(out)
}

fn created_count(outcome: WriteOutcome<Upserted>) -> (usize, usize) {
    match outcome {
        WriteOutcome::Done { results, .. } => {
            let created = results.iter().filter(|u| u.created).count();
            (created, results.len() - created)
        }
        // No idempotency key is used here, so there is never a replay.
        WriteOutcome::Replay(_) => (0, 0),
    }
}

/// Predicts (dry run) or performs the write, and records it in the audit log.
async fn finish<'d, F, Fut>(
    db: &'d Db,
    out: &mut ImportReport,
    table: &'static str,
    keys: &[Keyed],
    actor: &str,
    write: F,
) -> Result<(), AppError>
where
    F: FnOnce(&'d Db) -> Fut,
    Fut: std::future::Future<Output = Result<(usize, usize), AppError>>,
{
    let matches = match_keys(db, keys).await?;
    for (k, m) in keys.iter().zip(&matches) {
        if *m == Match::Foreign {
            out.errors.push(err(
                k.line,
                format!(
                    "source: '{EXPORT_SOURCE}' with external_id '{}' is a key exported from a record of this \
                     database, and that record is missing or has another rep or {}; leave source and \
                     external_id empty to import the row as a new record",
                    k.external_id,
                    k.identity.column()
                ),
            ));
        }
    }
    if !out.errors.is_empty() {
        return Ok(());
    }
    if out.dry_run {
        let created = matches.iter().filter(|m| **m == Match::New).count();
        out.created = count(created);
        out.updated = count(matches.len() - created);
        return Ok(());
    }
    adopt_keys(db, keys, &matches).await?;
    let (created, updated) = write(db).await?;
    out.created = count(created);
    out.updated = count(updated);
    let summary =
        serde_json::json!({"rows": out.rows, "created": out.created, "updated": out.updated});
    if let Err(e) = audit::record(
        db,
        actor,
        "import",
        &format!("csv:{table}"),
        None,
        Some(summary),
    )
    .await
    {
        tracing::warn!(error = %e, "could not record the import in the audit log");
    }
    Ok(())
}
