//! Reading a CSV file into records of named fields, checking every row with the same field
//! parsers and services as every other door, and writing all of them or none.
//!
//! A row without `source` and `external_id` gets the source `csv` and an id made from a hash
//! of its content, so importing the same file again updates the same records instead of
//! adding copies. Rows exported from records that had no key carry the source `pacesetter`
//! and `activity-<id>` / `deal-<id>`: importing them adopts that key on the record, so an
//! export imported back changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

use super::{ImportReport, RowError};
use crate::activities::service as activities;
use crate::deals::service as deals;
use crate::error::{AppError, FieldError};
use crate::idempotency::{write_all, Upserted, WriteOutcome};
use crate::live::Live;
use crate::on_db;
use crate::server::audit;
use crate::server::db::Db;
use crate::targets::service as targets;

/// The source given to rows that name none.
pub const CSV_SOURCE: &str = "csv";
/// The source an export gives to records that had no key of their own.
pub const EXPORT_SOURCE: &str = "pacesetter";
/// Most data rows one file may hold (all are written in one transaction).
pub const MAX_ROWS: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Activities,
    Deals,
    Targets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Text,
    Int,
    Bool,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "activities" => Some(Kind::Activities),
            "deals" => Some(Kind::Deals),
            "targets" => Some(Kind::Targets),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Activities => "activities",
            Kind::Deals => "deals",
            Kind::Targets => "targets",
        }
    }

    /// Every column the file may have, with how its cells are read.
    fn columns(self) -> &'static [(&'static str, Cell)] {
        match self {
            Kind::Activities => &[
                ("rep_email", Cell::Text),
                ("type", Cell::Text),
                ("occurred_at", Cell::Text),
                ("quantity", Cell::Int),
                ("duration_seconds", Cell::Int),
                ("note", Cell::Text),
                ("account", Cell::Text),
                ("source", Cell::Text),
                ("external_id", Cell::Text),
            ],
            Kind::Deals => &[
                ("rep_email", Cell::Text),
                ("name", Cell::Text),
                ("account", Cell::Text),
                ("amount", Cell::Int),
                ("currency", Cell::Text),
                ("stage", Cell::Text),
                ("probability", Cell::Int),
                ("status", Cell::Text),
                ("lost_reason", Cell::Text),
                ("new_customer", Cell::Bool),
                ("created_on", Cell::Text),
                ("expected_close", Cell::Text),
                ("closed_on", Cell::Text),
                ("source", Cell::Text),
                ("external_id", Cell::Text),
            ],
            Kind::Targets => &[
                ("metric", Cell::Text),
                ("rep_email", Cell::Text),
                ("role", Cell::Text),
                ("month", Cell::Text),
                ("value", Cell::Int),
            ],
        }
    }

    /// Columns the header must name (a value may still be optional per row).
    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Activities => &["rep_email", "type", "occurred_at"],
            Kind::Deals => &["rep_email", "name", "amount", "currency"],
            Kind::Targets => &["metric", "month", "value"],
        }
    }
}

/// One data row as a record of named fields, with its file line.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub item: Value,
    /// Stable text of the row's content, for the key of rows that name none.
    content: String,
}

fn err(line: u64, message: impl Into<String>) -> RowError {
    RowError {
        line,
        message: message.into(),
    }
}

/// Quotes must open at the start of a field and close before a separator or a line end;
/// the CSV reader is lenient about both, so a broken file is caught here, with its line.
fn check_quotes(text: &str) -> Option<RowError> {
    let mut line = 1u64;
    let mut in_quotes = false;
    let mut opened_on = 1u64;
    let mut field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' => {
                    in_quotes = false;
                    match chars.peek() {
                        None | Some(',') | Some('\n') | Some('\r') => {}
                        Some(other) => {
                            return Some(err(
                                line,
                                format!("bad quoting: '{other}' after a closing quote (write a quote inside a quoted field as \"\")"),
                            ))
                        }
                    }
                }
                '\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match c {
            '"' if field_start => {
                in_quotes = true;
                opened_on = line;
                field_start = false;
            }
            '"' => {
                return Some(err(
                    line,
                    "bad quoting: a quote inside an unquoted field (quote the whole field and write the quote as \"\")",
                ))
            }
            ',' => field_start = true,
            '\n' => {
                line += 1;
                field_start = true;
            }
            '\r' => field_start = true,
            _ => field_start = false,
        }
    }
    in_quotes.then(|| err(opened_on, "bad quoting: a quoted field is never closed"))
}

/// The file line where a record starts. The reader's own line count is off by one after a
/// blank line it skipped, so it is found here from the record's byte offset (which may point
/// at the skipped line ends before the record) and the offsets of the file's line ends.
fn line_at(text: &str, newlines: &[usize], pos: &csv::Position) -> u64 {
    let bytes = text.as_bytes();
    let mut start = usize::try_from(pos.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
        start += 1;
    }
    1 + count(newlines.partition_point(|&n| n < start))
}

fn cell_value(kind: Cell, raw: &str) -> Value {
    match kind {
        Cell::Text => Value::String(raw.to_string()),
        Cell::Int => {
            if let Ok(n) = raw.parse::<i64>() {
                Value::Number(n.into())
            } else if let Some(n) = raw.parse::<f64>().ok().and_then(Number::from_f64) {
                // Kept a number so the API's rules say "must be a whole number".
                Value::Number(n)
            } else {
                Value::String(raw.to_string())
            }
        }
        Cell::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => Value::String(raw.to_string()),
        },
    }
}

/// Reads the file into rows. Errors are the file's shape (header, quoting, column counts);
/// when there are any the rows are not worth checking.
pub fn read_rows(kind: Kind, text: &str) -> Result<Vec<Row>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec![err(1, "the file is empty: a header row is required")]);
    }
    if let Some(e) = check_quotes(text) {
        return Err(vec![e]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![err(1, format!("unreadable header row: {e}"))]),
    };
    let columns = kind.columns();
    let mut errors = Vec::new();
    let mut cells = Vec::with_capacity(header.len());
    let mut seen = HashSet::new();
    for name in &header {
        match columns.iter().find(|(c, _)| c == name) {
            Some(&(_, cell)) => cells.push(cell),
            None => {
                let known: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
                errors.push(err(
                    1,
                    format!(
                        "unknown column '{name}' for {}; the columns are: {}",
                        kind.as_str(),
                        known.join(",")
                    ),
                ));
                cells.push(Cell::Text);
            }
        }
        if !seen.insert(name.as_str()) {
            errors.push(err(1, format!("column '{name}' appears twice")));
        }
    }
    for required in kind.required() {
        if !header.iter().any(|h| h == required) {
            errors.push(err(1, format!("missing required column '{required}'")));
        }
    }
    if kind == Kind::Targets && !header.iter().any(|h| h == "rep_email" || h == "role") {
        errors.push(err(
            1,
            "missing column: a target needs 'rep_email' or 'role'",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| line_at(text, &newlines, p))
                    .unwrap_or(0);
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("has {len} columns, the header has {expected_len}"),
                    _ => format!("unreadable row: {e}"),
                };
                errors.push(err(line, message));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record
            .position()
            .map(|p| line_at(text, &newlines, p))
            .unwrap_or(0);
        if rows.len() >= MAX_ROWS {
            errors.push(err(
                line,
                format!("a file holds at most {MAX_ROWS} rows; split it"),
            ));
            break;
        }
        let mut item = Map::new();
        let mut content = BTreeMap::new();
        for ((name, cell), raw) in header.iter().zip(&cells).zip(record.iter()) {
            let raw = super::cells::unescape(raw.trim());
            if raw.is_empty() {
                continue;
            }
            item.insert(name.clone(), cell_value(*cell, raw));
            content.insert(name.as_str(), raw);
        }
        let content = content
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\u{1f}");
        rows.push(Row {
            line,
            item: Value::Object(item),
            content,
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn index_of(line: u64) -> Option<i64> {
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

/// The key of a row that names none: `csv` and a hash of the row's content (with a count
/// for identical rows of one file, so two identical calls stay two calls).
fn content_key(kind: Kind, content: &str, seen: &mut HashMap<String, u32>) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update([0u8]);
    h.update(content.as_bytes());
    let digest = hex::encode(h.finalize());
    let base = format!("row-{}", &digest[..32]);
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{n}")
    }
}

/// Gives keyless rows their content key and refuses two rows with the same key.
fn assign_keys<'a>(
    kind: Kind,
    keys: impl Iterator<Item = (u64, &'a str, &'a mut Option<String>, &'a mut Option<String>)>,
    errors: &mut Vec<FieldError>,
) {
    let mut hashes = HashMap::new();
    let mut first_line: HashMap<(String, String), u64> = HashMap::new();
    for (line, content, source, external_id) in keys {
        if source.is_none() && external_id.is_none() {
            *source = Some(CSV_SOURCE.to_string());
            *external_id = Some(content_key(kind, content, &mut hashes));
        }
        if let (Some(s), Some(e)) = (source.as_ref(), external_id.as_ref()) {
            if let Some(first) = first_line.insert((s.clone(), e.clone()), line) {
                let again = if s == CSV_SOURCE {
                    format!("the same row as line {first}")
                } else {
                    format!("the same source and external_id as line {first}")
                };
                errors.push(FieldError::new("external_id", again).at(index_of(line)));
            }
        }
    }
}

/// A row's upsert key, with what identifies the record it names.
struct Keyed {
    line: u64,
    source: String,
    external_id: String,
    identity: Identity,
}

/// What a record exported without a key must still have for an import to adopt it: the
/// same rep and moment (activity) or rep and name (deal). So a file exported from another
/// database never takes over an unrelated record that happens to have the same id.
enum Identity {
    Activity {
        rep_id: i64,
        occurred_at: DateTime<Utc>,
    },
    Deal {
        rep_id: i64,
        name: String,
    },
}

impl Identity {
    fn table(&self) -> &'static str {
        match self {
            Identity::Activity { .. } => "activities",
            Identity::Deal { .. } => "deals",
        }
    }

    fn prefix(&self) -> &'static str {
        match self {
            Identity::Activity { .. } => "activity",
            Identity::Deal { .. } => "deal",
        }
    }

    fn column(&self) -> &'static str {
        match self {
            Identity::Activity { .. } => "occurred_at",
            Identity::Deal { .. } => "name",
        }
    }
}

/// Runs `$sql` with `$binds` then the identity (rep, then moment or name) bound last.
macro_rules! with_identity {
    ($db:expr, $sql:expr, $identity:expr, |$q:ident| $run:expr, $($bind:expr),*) => {
        match $identity {
            Identity::Activity { rep_id, occurred_at } => on_db!($db, |pool| {
                let $q = sqlx::query_scalar::<_, i64>($sql)$(.bind($bind))*.bind(*rep_id).bind(*occurred_at);
                $run(pool).await
            }),
            Identity::Deal { rep_id, name } => on_db!($db, |pool| {
                let $q = sqlx::query_scalar::<_, i64>($sql)$(.bind($bind))*.bind(*rep_id).bind(name.as_str());
                $run(pool).await
            }),
        }
    };
}

/// The id of the keyless record an exported key names, when it is still that record.
async fn keyless_match(db: &Db, k: &Keyed) -> Result<Option<i64>, AppError> {
    if k.source != EXPORT_SOURCE {
        return Ok(None);
    }
    let Some(id) = exported_id(k.identity.prefix(), &k.external_id) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT id FROM {} WHERE id = $1 AND source IS NULL AND external_id IS NULL \
         AND rep_id = $2 AND {} = $3",
        k.identity.table(),
        k.identity.column()
    );
    let found: Option<i64> =
        with_identity!(db, &sql, &k.identity, |q| |pool| q.fetch_optional(pool), id)?;
    Ok(found)
}

/// What a row's key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    New,
    Existing,
    /// A record exported without a key: adopt the key on this record id.
    Adopt(i64),
    /// An exported key that names no record of this database (or another one than the row
    /// describes): refused, as inserting it would take the key of a record made here later.
    Foreign,
}

async fn match_keys(db: &Db, keys: &[Keyed]) -> Result<Vec<Match>, AppError> {
    let mut known: HashSet<(String, String)> = HashSet::new();
    let sources: HashSet<(&'static str, &str)> = keys
        .iter()
        .map(|k| (k.identity.table(), k.source.as_str()))
        .collect();
    for (table, source) in sources {
        let sql = format!("SELECT external_id FROM {table} WHERE source = $1");
        let ids: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(&sql)
            .bind(source)
            .fetch_all(pool)
            .await)?;
        known.extend(ids.into_iter().map(|id| (source.to_string(), id)));
    }
    let mut found = Vec::with_capacity(keys.len());
    for k in keys {
        let m = if known.contains(&(k.source.clone(), k.external_id.clone())) {
            Match::Existing
        } else if k.source == EXPORT_SOURCE {
            match keyless_match(db, k).await? {
                Some(id) => Match::Adopt(id),
                None => Match::Foreign,
            }
        } else {
            Match::New
        };
        found.push(m);
    }
    Ok(found)
}

/// The record id in an exported key `<prefix>-<id>`.
fn exported_id(prefix: &str, external_id: &str) -> Option<i64> {
    external_id
        .strip_prefix(prefix)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

/// Gives the keyless records named by exported keys that key, so the upsert finds them.
/// Only a label: the record's data is unchanged, so this is safe outside the write itself.
async fn adopt_keys(db: &Db, keys: &[Keyed], matches: &[Match]) -> Result<(), AppError> {
    for (k, m) in keys.iter().zip(matches) {
        let Match::Adopt(id) = *m else {
            continue;
        };
        let table = k.identity.table();
        let sql = format!(
            "UPDATE {table} SET source = $1, external_id = $2 WHERE id = $3 \
             AND source IS NULL AND external_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM {table} k WHERE k.source = $1 AND k.external_id = $2)"
        );
        on_db!(db, |pool| sqlx::query(&sql)
            .bind(&k.source)
            .bind(&k.external_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

fn count(n: usize) -> u64 {
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
                let done = write_all(db, live, None, &writes, |_| (200, String::new())).await?;
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
                let done = write_all(db, live, None, &writes, |_| (200, String::new())).await?;
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

/// The key of every write, with the row's line (writes and lines are in the same order).
fn keyed<'a>(
    keys: impl Iterator<Item = (u64, &'a Option<String>, &'a Option<String>, Identity)>,
) -> Vec<Keyed> {
    keys.filter_map(|(line, s, e, identity)| {
        Some(Keyed {
            line,
            source: s.clone()?,
            external_id: e.clone()?,
            identity,
        })
    })
    .collect()
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
