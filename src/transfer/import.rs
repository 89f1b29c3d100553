//! Reading a CSV file into records of named fields, checking every row with the same field
//! parsers and services as every other door, and writing all of them or none.
//!
//! A row without `source` and `external_id` gets the source `csv` and an id made from a hash
//! of its content, so importing the same file again updates the same records instead of
//! adding copies. Rows exported from records that had no key carry the source `pacesetter`
//! and `activity-<id>` / `deal-<id>`: importing them adopts that key on the record, so an
//! export imported back changes nothing.

use super::keys::{adopt_keys, assign_keys, keyed, match_keys, FileKeys, Identity, Keyed, Match};
pub use super::keys::{CSV_SOURCE, EXPORT_SOURCE};
use super::rows::err;
pub use super::rows::{read_rows, Kind, Row, Rows, MAX_ROWS};
use super::{ImportReport, RowError};
use crate::activities::service as activities;
use crate::deals::service as deals;
use crate::error::{AppError, FieldError};
use crate::idempotency::{write_all, Record, Upserted, WriteOutcome};
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

fn report(kind: Kind, dry_run: bool) -> ImportReport {
    ImportReport {
        kind: kind.as_str().to_string(),
        dry_run,
        rows: 0,
        created: 0,
        updated: 0,
        errors: Vec::new(),
        more_errors: 0,
    }
}

/// Rows checked, then written, at a time: the write of one chunk is one transaction.
pub const CHUNK: usize = 10_000;
/// Bad rows listed in a report; past these the report only counts them.
pub const MAX_LISTED_ERRORS: usize = 1_000;

/// Where an import is, for a progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// `checking`, then `writing`.
    pub stage: &'static str,
    pub rows: u64,
    pub bytes: u64,
    pub total_bytes: u64,
}

/// Checks every row of `text` and, unless `dry_run` or any row is bad, writes them all (see
/// [`import`]). For a file sent from the admin page, at most [`MAX_ROWS`] rows.
pub async fn import_csv(
    db: &Db,
    live: &Live,
    kind: Kind,
    text: &str,
    dry_run: bool,
    actor: &str,
) -> Result<ImportReport, AppError> {
    let file = File {
        open: || Ok(text.as_bytes()),
        bytes: count(text.len()),
        max_rows: Some(MAX_ROWS),
    };
    import(db, live, kind, &file, dry_run, actor, |_| {}).await
}

/// A file to import: how to open it (it is read twice) and its size.
pub struct File<O> {
    pub open: O,
    pub bytes: u64,
    /// `None`: any number of rows.
    pub max_rows: Option<usize>,
}

/// Checks every row of the file, a chunk of [`CHUNK`] rows at a time with the same parsers
/// and services as the integration API, and only when every row is good (and not
/// `dry_run`) reads it again and writes it, one transaction a chunk. A bad row anywhere
/// means nothing is written. Every row has a key (its own, or one made from its content),
/// so an import stopped half way (the machine went down) is completed by running it again,
/// without copies. Bad rows are in the report; `Err` is for a failure of the server itself.
pub async fn import<R, O>(
    db: &Db,
    live: &Live,
    kind: Kind,
    file: &File<O>,
    dry_run: bool,
    actor: &str,
    mut progress: impl FnMut(Progress),
) -> Result<ImportReport, AppError>
where
    R: std::io::Read,
    O: Fn() -> std::io::Result<R>,
{
    let mut out = report(kind, dry_run);
    let mut step = |stage, rows, bytes| {
        progress(Progress {
            stage,
            rows,
            bytes,
            total_bytes: file.bytes,
        })
    };
    let open =
        || (file.open)().map_err(|e| AppError::BadRequest(format!("Cannot read the file: {e}")));
    let mut rows = match Rows::open(kind, open()?, file.max_rows) {
        Ok(rows) => rows,
        Err(errors) => {
            out.errors = errors;
            return Ok(out);
        }
    };
    let mut keys = FileKeys::default();
    let mut predicted = (0, 0);
    step("checking", 0, 0);
    loop {
        let mut errors = Vec::new();
        let chunk = rows.next_chunk(CHUNK, &mut errors);
        out.rows += count(chunk.len());
        let done = run_chunk(db, live, kind, &chunk, &mut keys, None).await?;
        errors.extend(done.errors);
        errors.sort_by_key(|e| e.line);
        for e in errors {
            if out.errors.len() < MAX_LISTED_ERRORS {
                out.errors.push(e);
            } else {
                out.more_errors += 1;
            }
        }
        predicted = (predicted.0 + done.created, predicted.1 + done.updated);
        if chunk.is_empty() {
            break;
        }
        step("checking", out.rows, rows.bytes_read());
    }
    if let Some(e) = rows.quoting_error() {
        out.errors = vec![e];
        out.more_errors = 0;
        return Ok(out);
    }
    if out.rows == 0 && out.errors.is_empty() {
        out.errors
            .push(err(2, "the file has a header but no data rows"));
    }
    if !out.errors.is_empty() || dry_run {
        (out.created, out.updated) = (count(predicted.0), count(predicted.1));
        if !out.errors.is_empty() {
            (out.created, out.updated) = (0, 0);
        }
        return Ok(out);
    }
    drop(keys);
    let writer = Writer::Person(actor.to_string());
    let mut rows = Rows::open(kind, open()?, file.max_rows).map_err(changed)?;
    let mut keys = FileKeys::checked();
    let mut written = 0u64;
    step("writing", 0, 0);
    loop {
        let mut errors = Vec::new();
        let chunk = rows.next_chunk(CHUNK, &mut errors);
        if chunk.is_empty() {
            break;
        }
        let done = run_chunk(db, live, kind, &chunk, &mut keys, Some(&writer)).await?;
        errors.extend(done.errors);
        if !errors.is_empty() {
            return Err(changed(errors));
        }
        out.created += count(done.created);
        out.updated += count(done.updated);
        written += count(chunk.len());
        step("writing", written, rows.bytes_read());
    }
    let summary =
        serde_json::json!({"rows": out.rows, "created": out.created, "updated": out.updated});
    if let Err(e) = audit::record(
        db,
        actor,
        "import",
        &format!("csv:{}", kind.as_str()),
        None,
        Some(summary),
    )
    .await
    {
        tracing::warn!(error = %e, "could not record the import in the audit log");
    }
    Ok(out)
}

/// A row that was good when checked is bad when written: the file or the data changed in
/// between. The chunks before it are written (running the import again completes it).
fn changed(errors: Vec<RowError>) -> AppError {
    let first = errors
        .first()
        .map(|e| format!("line {}: {}", e.line, e.message))
        .unwrap_or_default();
    AppError::Conflict(format!(
        "The file or the data changed while it was imported ({first}); the rows before that line are written. Check the file and import it again."
    ))
}

/// What one chunk did (or, checking, would do).
#[derive(Default)]
struct Chunk {
    created: usize,
    updated: usize,
    errors: Vec<RowError>,
}

impl Chunk {
    fn failed(errors: Vec<FieldError>) -> Chunk {
        Chunk {
            errors: row_errors(errors),
            ..Chunk::default()
        }
    }
}

/// Checks one chunk of rows and, given a writer, writes it.
async fn run_chunk(
    db: &Db,
    live: &Live,
    kind: Kind,
    rows: &[Row],
    keys: &mut FileKeys,
    writer: Option<&Writer>,
) -> Result<Chunk, AppError> {
    if rows.is_empty() {
        return Ok(Chunk::default());
    }
    let mut errors = Vec::new();
    match kind {
        Kind::Activities => {
            let mut parsed = Vec::with_capacity(rows.len());
            let mut contents = Vec::with_capacity(rows.len());
            for r in rows {
                if let Some(a) = activities::parse(&r.item, index_of(r.line), &mut errors) {
                    parsed.push((index_of(r.line), a));
                    contents.push((r.line, r.content.as_str()));
                }
            }
            assign_keys(
                kind,
                keys,
                parsed
                    .iter_mut()
                    .zip(&contents)
                    .map(|((_, a), (line, c))| (*line, *c, &mut a.source, &mut a.external_id)),
                &mut errors,
            );
            let writes = AppError::gather(activities::resolve(db, parsed).await, &mut errors)?;
            if !errors.is_empty() {
                return Ok(Chunk::failed(errors));
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
            upsert(db, live, &keys, &writes, writer).await
        }
        Kind::Deals => {
            let mut parsed = Vec::with_capacity(rows.len());
            let mut contents = Vec::with_capacity(rows.len());
            for r in rows {
                if let Some(d) = deals::parse(&r.item, index_of(r.line), &mut errors) {
                    parsed.push((index_of(r.line), d));
                    contents.push((r.line, r.content.as_str()));
                }
            }
            assign_keys(
                kind,
                keys,
                parsed
                    .iter_mut()
                    .zip(&contents)
                    .map(|((_, d), (line, c))| (*line, *c, &mut d.source, &mut d.external_id)),
                &mut errors,
            );
            let writes = AppError::gather(deals::resolve(db, parsed).await, &mut errors)?;
            if !errors.is_empty() {
                return Ok(Chunk::failed(errors));
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
            upsert(db, live, &keys, &writes, writer).await
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
                return Ok(Chunk::failed(errors));
            }
            let created = targets::count_new(db, &writes).await?;
            if let Some(writer) = writer {
                targets::put_targets(db, live, &writer.actor(), &writes).await?;
            }
            Ok(Chunk {
                created,
                updated: writes.len() - created,
                errors: Vec::new(),
            })
        }
    }
}

/// Checks the keys of a chunk of activities or deals (an exported key must still name its
/// record) and, given a writer, adopts exported keys and upserts the records.
async fn upsert<R: Record>(
    db: &Db,
    live: &Live,
    keys: &[Keyed],
    writes: &[R],
    writer: Option<&Writer>,
) -> Result<Chunk, AppError> {
    let matches = match_keys(db, keys).await?;
    let mut errors = Vec::new();
    for (k, m) in keys.iter().zip(&matches) {
        if *m == Match::Foreign {
            errors.push(err(
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
    if !errors.is_empty() {
        return Ok(Chunk {
            errors,
            ..Chunk::default()
        });
    }
    let Some(writer) = writer else {
        let created = matches.iter().filter(|m| **m == Match::New).count();
        return Ok(Chunk {
            created,
            updated: matches.len() - created,
            errors,
        });
    };
    adopt_keys(db, keys, &matches).await?;
    let done = write_all(db, live, writer, None, writes, |_| (200, String::new())).await?;
    let (created, updated) = created_count(done);
    Ok(Chunk {
        created,
        updated,
        errors,
    })
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
