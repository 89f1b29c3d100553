//! Reading a CSV file into rows of named fields: the header, quoting, column counts and
//! the file line of every row. No rule of the data is here: the rows go to the services.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Number, Value};

use super::RowError;

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
    pub content: String,
}

pub(super) fn err(line: u64, message: impl Into<String>) -> RowError {
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
    1 + super::import::count(newlines.partition_point(|&n| n < start))
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
