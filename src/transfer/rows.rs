//! Reading a CSV file into rows of named fields: the header, quoting, column counts and
//! the file line of every row. No rule of the data is here: the rows go to the services.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{BufRead, Read};

use serde_json::{Map, Number, Value};

use super::RowError;

/// Most data rows a file sent from the admin page may hold (the page sends it whole);
/// `pacesetter import` reads a file of any size a chunk at a time.
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
/// the CSV reader is lenient about both, so a broken file is caught here, with its line. Fed
/// the bytes as they are read (every character it looks at is ASCII, so bytes of UTF-8 text
/// do), it keeps the first error.
#[derive(Debug)]
struct QuoteCheck {
    line: u64,
    in_quotes: bool,
    /// A quote inside a quoted field: it closed the field, or the next byte is a quote too.
    closing: bool,
    opened_on: u64,
    field_start: bool,
    error: Option<RowError>,
}

impl Default for QuoteCheck {
    fn default() -> QuoteCheck {
        QuoteCheck {
            line: 1,
            in_quotes: false,
            closing: false,
            opened_on: 1,
            field_start: true,
            error: None,
        }
    }
}

impl QuoteCheck {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.error.is_some() {
                return;
            }
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        if self.closing {
            self.closing = false;
            match b {
                // `""` inside a quoted field is one quote; the field goes on.
                b'"' => return,
                b',' | b'\n' | b'\r' => self.in_quotes = false,
                other => {
                    let shown = if other.is_ascii() {
                        format!("'{}'", other as char)
                    } else {
                        "a character".to_string()
                    };
                    self.error = Some(err(
                        self.line,
                        format!("bad quoting: {shown} after a closing quote (write a quote inside a quoted field as \"\")"),
                    ));
                    return;
                }
            }
        }
        if self.in_quotes {
            match b {
                b'"' => self.closing = true,
                b'\n' => self.line += 1,
                _ => {}
            }
            return;
        }
        match b {
            b'"' if self.field_start => {
                self.in_quotes = true;
                self.opened_on = self.line;
                self.field_start = false;
            }
            b'"' => {
                self.error = Some(err(
                    self.line,
                    "bad quoting: a quote inside an unquoted field (quote the whole field and write the quote as \"\")",
                ))
            }
            b',' => self.field_start = true,
            b'\n' => {
                self.line += 1;
                self.field_start = true;
            }
            b'\r' => self.field_start = true,
            _ => self.field_start = false,
        }
    }

    /// At the end of the file: a quoted field still open is an error.
    fn finish(&mut self) {
        if self.error.is_none() && self.in_quotes && !self.closing {
            self.error = Some(err(
                self.opened_on,
                "bad quoting: a quoted field is never closed",
            ));
        }
    }
}

/// What the reader under the CSV parser has seen: the offsets of line ends not yet behind
/// the rows read (to give each row its file line), the bytes read, the quoting check.
#[derive(Debug, Default)]
struct Seen {
    /// Bytes read so far (after a byte order mark).
    bytes: u64,
    /// `\n` bytes before the first offset kept in `newlines`.
    lines_before: u64,
    newlines: VecDeque<u64>,
    /// Offsets of every `\n` and `\r` kept.
    line_ends: VecDeque<u64>,
    quotes: QuoteCheck,
}

impl Seen {
    /// The file line where a record starts. The reader's own line count is off by one after
    /// a blank line it skipped, so it is found here from the record's byte offset (which may
    /// point at the skipped line ends before the record) and the offsets of the line ends.
    /// Records come in order, so the line ends before this one are dropped.
    fn line_at(&mut self, pos: &csv::Position) -> u64 {
        let mut start = pos.byte();
        while self.line_ends.front().is_some_and(|&o| o < start) {
            self.line_ends.pop_front();
        }
        while self.line_ends.front() == Some(&start) {
            self.line_ends.pop_front();
            start += 1;
        }
        while self.newlines.front().is_some_and(|&o| o < start) {
            self.newlines.pop_front();
            self.lines_before += 1;
        }
        1 + self.lines_before
    }
}

/// The file as the CSV parser reads it, watched by [`Seen`]; a UTF-8 byte order mark at the
/// start is skipped.
struct Watched<R: Read> {
    inner: std::io::BufReader<R>,
    seen: Seen,
    started: bool,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            self.started = true;
            if self.inner.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.inner.consume(3);
            }
        }
        let n = self.inner.read(buf)?;
        let seen = &mut self.seen;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                let offset = seen.bytes + i as u64;
                seen.line_ends.push_back(offset);
                if b == b'\n' {
                    seen.newlines.push_back(offset);
                }
            }
        }
        seen.bytes += n as u64;
        seen.quotes.feed(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            seen.quotes.finish();
        }
        Ok(n)
    }
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

/// A CSV file read a chunk of rows at a time, so a file of any size is checked and written
/// without being held in memory.
pub struct Rows<R: Read> {
    reader: csv::Reader<Watched<R>>,
    header: Vec<String>,
    cells: Vec<Cell>,
    record: csv::StringRecord,
    /// Data rows read so far.
    read: usize,
    max_rows: Option<usize>,
    done: bool,
}

impl<R: Read> Rows<R> {
    /// Opens the file and reads its header. Errors are the header's (or the file is empty).
    pub fn open(kind: Kind, file: R, max_rows: Option<usize>) -> Result<Rows<R>, Vec<RowError>> {
        let watched = Watched {
            inner: std::io::BufReader::new(file),
            seen: Seen::default(),
            started: false,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(watched);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
            Err(e) => return Err(vec![err(1, format!("unreadable header row: {e}"))]),
        };
        if let Some(e) = reader.get_ref().seen.quotes.error.clone() {
            return Err(vec![e]);
        }
        if header.iter().all(|h| h.is_empty()) && header.len() <= 1 {
            return Err(vec![err(1, "the file is empty: a header row is required")]);
        }
        let columns = kind.columns();
        let mut errors = Vec::new();
        let mut cells = Vec::with_capacity(header.len());
        let mut named = HashSet::new();
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
            if !named.insert(name.as_str()) {
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
            // A quoting error anywhere in the file is what to fix first (it can make the
            // header look wrong), as when the file is read whole.
            let mut rest = reader.into_inner();
            if std::io::copy(&mut rest, &mut std::io::sink()).is_ok() {
                if let Some(e) = rest.seen.quotes.error {
                    return Err(vec![e]);
                }
            }
            return Err(errors);
        }
        Ok(Rows {
            reader,
            header,
            cells,
            record: csv::StringRecord::new(),
            read: 0,
            max_rows,
            done: false,
        })
    }

    /// The file's quoting error, once one is found: it makes every row after it unreadable,
    /// so it is the one error to report.
    pub fn quoting_error(&self) -> Option<RowError> {
        self.reader.get_ref().seen.quotes.error.clone()
    }

    /// Bytes of the file read so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().seen.bytes
    }

    /// The next `n` rows at most (fewer at the end of the file, none after it). Rows of the
    /// wrong shape go to `errors`, by line.
    pub fn next_chunk(&mut self, n: usize, errors: &mut Vec<RowError>) -> Vec<Row> {
        let mut rows = Vec::with_capacity(n.min(4096));
        while rows.len() < n && !self.done {
            if self.reader.get_ref().seen.quotes.error.is_some() {
                self.done = true;
                break;
            }
            match self.reader.read_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    if let Some(row) = self.row(errors) {
                        rows.push(row);
                    }
                }
                Err(e) => {
                    let line = e
                        .position()
                        .map(|p| self.reader.get_mut().seen.line_at(p))
                        .unwrap_or(0);
                    let message = match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => format!("has {len} columns, the header has {expected_len}"),
                        _ => format!("unreadable row: {e}"),
                    };
                    errors.push(err(line, message));
                    if !matches!(
                        e.kind(),
                        csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                    ) {
                        self.done = true;
                    }
                }
            }
        }
        rows
    }

    /// The record just read as a row (`None` for a blank one or one past the limit).
    fn row(&mut self, errors: &mut Vec<RowError>) -> Option<Row> {
        if self.record.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        let line = match self.record.position() {
            Some(p) => self.reader.get_mut().seen.line_at(p),
            None => 0,
        };
        if let Some(max) = self.max_rows.filter(|max| self.read >= *max) {
            errors.push(err(
                line,
                format!(
                    "a file sent from the page holds at most {max} rows; split it, or import it with `pacesetter import`"
                ),
            ));
            self.done = true;
            return None;
        }
        self.read += 1;
        let mut item = Map::new();
        let mut content = BTreeMap::new();
        for ((name, cell), raw) in self.header.iter().zip(&self.cells).zip(self.record.iter()) {
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
        Some(Row {
            line,
            item: Value::Object(item),
            content,
        })
    }
}

/// Reads a whole file held in memory into rows. Errors are the file's shape (header,
/// quoting, column counts); when there are any the rows are not worth checking.
pub fn read_rows(kind: Kind, text: &str) -> Result<Vec<Row>, Vec<RowError>> {
    let mut reader = Rows::open(kind, text.as_bytes(), None)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    loop {
        let chunk = reader.next_chunk(10_000, &mut errors);
        if chunk.is_empty() {
            break;
        }
        rows.extend(chunk);
    }
    if let Some(e) = reader.quoting_error() {
        return Err(vec![e]);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}
