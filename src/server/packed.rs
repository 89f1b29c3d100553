//! Many rows read as a few: the database packs rows into strings (`string_agg`), the server
//! unpacks them.
//!
//! sqlx's SQLite driver hands each row from its worker thread to the async task on its own:
//! 6–13 µs a row was measured, so that reading the month of a 1,000-rep organisation (150,000
//! daily rollups, 30,000 deals) cost more than a second before any scoring. SQLite
//! concatenates the same rows in a few milliseconds. The reads that feed the scoring engine
//! with many rows select [`agg`] instead of the columns, grouped so that one string stays a
//! few hundred kilobytes (by day, by rep …), and read the entries back with [`Reader`].
//!
//! The encoding: an entry's fields are separated by a space, entries by a comma; a number,
//! date or boolean is written as text, a text as its length in characters, a colon and the
//! text itself (so it may hold any character, separators included); `-` is NULL.
//! `string_agg`, `CAST(… AS TEXT)`, `length` and `COALESCE` mean the same on SQLite (3.44+)
//! and PostgreSQL (whose dates sqlx reads in ISO style, `YYYY-MM-DD`).

use chrono::NaiveDate;

use crate::error::AppError;

/// How one field of an entry is written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A number, a date or a boolean, never NULL.
    Plain,
    /// A number, a date or a boolean, or NULL.
    Nullable,
    /// Text, never NULL.
    Text,
    /// Text or NULL.
    NullableText,
}

/// The SQL expression of one entry: `fields` are (SQL expression, kind), in reading order.
pub fn entry(fields: &[(&str, Field)]) -> String {
    fields
        .iter()
        .map(|(e, f)| match f {
            Field::Plain => format!("CAST({e} AS TEXT)"),
            Field::Nullable => format!("COALESCE(CAST({e} AS TEXT), '-')"),
            Field::Text => format!("CAST(length({e}) AS TEXT) || ':' || {e}"),
            Field::NullableText => {
                format!("COALESCE(CAST(length({e}) AS TEXT) || ':' || {e}, '-')")
            }
        })
        .collect::<Vec<_>>()
        .join(" || ' ' || ")
}

/// The aggregate that packs every entry of a group into one string.
pub fn agg(fields: &[(&str, Field)]) -> String {
    format!("string_agg({}, ',')", entry(fields))
}

/// Reads the entries of one packed string, field by field. Every method answers `None` on a
/// malformed string; [`Reader::fail`] turns that into an error for the caller.
pub struct Reader<'a> {
    rest: &'a str,
    /// The separator that ended the last field read (`None` at the start or at the end).
    last: Option<char>,
}

impl<'a> Reader<'a> {
    pub fn new(packed: &'a str) -> Reader<'a> {
        Reader {
            rest: packed,
            last: None,
        }
    }

    /// True when every entry has been read.
    pub fn done(&self) -> bool {
        self.rest.is_empty()
    }

    /// Checks that the fields just read were a whole entry.
    pub fn end_entry(&mut self) -> Option<()> {
        match (self.last, self.rest.is_empty()) {
            (Some(','), false) | (None, true) => Some(()),
            _ => None,
        }
    }

    fn separator(&mut self) -> Option<()> {
        let mut chars = self.rest.chars();
        match chars.next() {
            None => self.last = None,
            Some(c @ (' ' | ',')) => {
                self.last = Some(c);
                self.rest = chars.as_str();
            }
            Some(_) => return None,
        }
        Some(())
    }

    fn token(&mut self) -> Option<&'a str> {
        // (bytes: both separators are ASCII, which no byte of a longer character is)
        let end = self
            .rest
            .bytes()
            .position(|b| b == b' ' || b == b',')
            .unwrap_or(self.rest.len());
        let (t, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.separator()?;
        Some(t)
    }

    /// A nullable plain field, as its text.
    fn opt_token(&mut self) -> Option<Option<&'a str>> {
        let t = self.token()?;
        Some((t != "-").then_some(t))
    }

    pub fn int(&mut self) -> Option<i64> {
        self.token()?.parse().ok()
    }

    pub fn opt_int(&mut self) -> Option<Option<i64>> {
        match self.opt_token()? {
            None => Some(None),
            Some(t) => t.parse().ok().map(Some),
        }
    }

    pub fn date(&mut self) -> Option<NaiveDate> {
        parse_date(self.token()?)
    }

    pub fn opt_date(&mut self) -> Option<Option<NaiveDate>> {
        match self.opt_token()? {
            None => Some(None),
            Some(t) => parse_date(t).map(Some),
        }
    }

    /// SQLite writes booleans as `1`/`0`, PostgreSQL as `true`/`false`.
    pub fn bool(&mut self) -> Option<bool> {
        match self.token()? {
            "1" | "true" | "t" => Some(true),
            "0" | "false" | "f" => Some(false),
            _ => None,
        }
    }

    pub fn text(&mut self) -> Option<&'a str> {
        let (len, rest) = self.rest.split_once(':')?;
        let chars: usize = len.parse().ok()?;
        // ASCII (most names): as many bytes as characters.
        let end = match rest.as_bytes().get(..chars) {
            Some(b) if b.is_ascii() => chars,
            _ => {
                let end = rest
                    .char_indices()
                    .nth(chars)
                    .map_or(rest.len(), |(i, _)| i);
                if rest[..end].chars().count() != chars {
                    return None;
                }
                end
            }
        };
        let text = &rest[..end];
        self.rest = &rest[end..];
        self.separator()?;
        Some(text)
    }

    pub fn opt_text(&mut self) -> Option<Option<&'a str>> {
        if let Some(after) = self.rest.strip_prefix('-') {
            if after.is_empty() || after.starts_with([' ', ',']) {
                self.rest = after;
                self.separator()?;
                return Some(None);
            }
        }
        self.text().map(Some)
    }
}

fn parse_date(t: &str) -> Option<NaiveDate> {
    // Both engines write `YYYY-MM-DD`: its three numbers are read directly (chrono's format
    // parser was 1 % of a whole organisation's team view: 90,000 dates of deals); any other
    // shape goes to chrono.
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |s: &[u8]| {
            s.iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(&b[..4]), num(&b[5..7]), num(&b[8..])) {
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

/// The error of a malformed packed string (made by the query, never by users: a bug).
pub fn fail(what: &str) -> AppError {
    tracing::error!(what, "unreadable packed rows");
    AppError::Internal
}

/// Reads every entry of `packed` with `read` (which reads one entry's fields in order).
pub fn read_all<'a, T>(
    packed: &'a str,
    what: &str,
    mut read: impl FnMut(&mut Reader<'a>) -> Option<T>,
    out: &mut Vec<T>,
) -> Result<(), AppError> {
    each(packed, what, |r| {
        out.push(read(r)?);
        Some(())
    })
}

/// [`read_all`] without collecting: `read` reads one entry's fields in order and uses them.
pub fn each<'a>(
    packed: &'a str,
    what: &str,
    mut read: impl FnMut(&mut Reader<'a>) -> Option<()>,
) -> Result<(), AppError> {
    let mut r = Reader::new(packed);
    while !r.done() {
        read(&mut r).ok_or_else(|| fail(what))?;
        r.end_entry().ok_or_else(|| fail(what))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row<'a> = (i64, Option<&'a str>, String, Option<NaiveDate>, bool);

    fn entries(packed: &str) -> Result<Vec<Row<'_>>, AppError> {
        let mut out = Vec::new();
        read_all(
            packed,
            "test",
            |r| {
                Some((
                    r.int()?,
                    r.opt_text()?,
                    r.text()?.to_string(),
                    r.opt_date()?,
                    r.bool()?,
                ))
            },
            &mut out,
        )?;
        // (borrowed texts outlive the reader: they point into `packed`)
        Ok(out)
    }

    #[test]
    fn any_text_survives_and_a_malformed_string_is_refused() {
        let packed = "7 - 9:Acme, 1 2 2026-11-02 1,\
                      -9223372036854775808 1:- 11:شركة الرياض - false,\
                      3 2:🚀- 0: 0001-01-01 true";
        let rows = entries(packed).expect("well formed");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, 7);
        assert_eq!(rows[0].1, None);
        assert_eq!(rows[0].2, "Acme, 1 2");
        assert_eq!(rows[0].3, NaiveDate::from_ymd_opt(2026, 11, 2));
        assert!(rows[0].4);
        assert_eq!(rows[1].0, i64::MIN);
        assert_eq!(rows[1].1, Some("-"));
        assert_eq!(rows[1].2, "شركة الرياض");
        assert_eq!((rows[1].3, rows[1].4), (None, false));
        assert_eq!(rows[2].1, Some("🚀-"));
        assert_eq!(rows[2].2, "");
        assert_eq!(rows[2].3, NaiveDate::from_ymd_opt(1, 1, 1));
        for bad in [
            "7 - 9:Acme, 1 2 2026-11-02",     // an entry cut short
            "7 - 10:Acme, 1 2 2026-11-02 1",  // a length past the end
            "7 - 9:Acme, 1 2 2026-11-02 1 5", // a field too many
            "x - 1:a 2026-11-02 1",           // not a number
            "7 - 1:a 2026-13-02 1",           // not a date
            "7 - 1:a - maybe",                // not a boolean
            "7 - 1:a - 1,",                   // an empty entry
        ] {
            assert!(entries(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(entries("").expect("nothing").is_empty());
    }

    #[test]
    fn every_date_reads_as_chrono_reads_it() {
        use chrono::Datelike;
        let mut day = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        while day.year() < 2101 {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(super::parse_date(&text), Some(day), "{text}");
            day = day.succ_opt().unwrap();
        }
        for bad in [
            "2026-02-29",
            "2026-00-10",
            "2026-1-100",
            "20a6-01-01",
            "2026/01/01",
            "",
        ] {
            assert_eq!(super::parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_sql_writes_what_the_reader_reads() {
        let sql = agg(&[("d.id", Field::Plain), ("d.stage", Field::NullableText)]);
        assert_eq!(
            sql,
            "string_agg(CAST(d.id AS TEXT) || ' ' || \
             COALESCE(CAST(length(d.stage) AS TEXT) || ':' || d.stage, '-'), ',')"
        );
    }
}
