//! Reading one record of named fields (a JSON object from the API, a CSV row turned into
//! the same shape by the import) into typed values, naming every bad field and the batch
//! item or file line it is in. Both doors parse their inputs with it before calling a
//! service, so a field means the same and is refused the same way whichever door it came
//! through.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::error::FieldError;

/// Field-by-field reader of one JSON object. Problems are collected, not returned, so one
/// response lists them all. `null` reads as absent.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    index: Option<i64>,
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Fields outside `known` are refused, so a typo is not silently ignored.
    pub fn of(
        value: &'a Value,
        index: Option<i64>,
        known: &[&str],
    ) -> Result<Fields<'a>, FieldError> {
        let Some(map) = value.as_object() else {
            let field = if index.is_some() { "items" } else { "body" };
            return Err(FieldError::new(field, "must be a JSON object").at(index));
        };
        let mut fields = Fields {
            map,
            index,
            errors: Vec::new(),
        };
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            fields.fail(key, "unknown field");
        }
        Ok(fields)
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(field, message).at(self.index));
    }

    pub fn index(&self) -> Option<i64> {
        self.index
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Text, trimmed; empty reads as absent. Longer than `max` characters is refused.
    pub fn text(&mut self, name: &str, max: usize) -> Option<String> {
        match self.get(name) {
            None => None,
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.chars().count() > max {
                    self.fail(name, format!("must have at most {max} characters"));
                    None
                } else if s.contains('\0') {
                    // PostgreSQL cannot store it; refuse it on both engines alike.
                    self.fail(name, "must not contain the NUL character");
                    None
                } else if s.is_empty() {
                    None
                } else {
                    Some(s.to_string())
                }
            }
            Some(_) => {
                self.fail(name, "must be a string");
                None
            }
        }
    }

    pub fn required_text(&mut self, name: &str, max: usize) -> Option<String> {
        let present = self.get(name).is_some();
        let before = self.errors.len();
        let out = self.text(name, max);
        if out.is_none() && self.errors.len() == before {
            self.fail(
                name,
                if present {
                    "must not be empty"
                } else {
                    "is required"
                },
            );
        }
        out
    }

    /// A whole number in `min..=max` (a JSON integer; `2.5` and `"2"` are refused).
    pub fn int(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let v = self.get(name)?;
        match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) => {
                self.fail(name, format!("must be between {min} and {max}"));
                None
            }
            None if v.is_number() => {
                self.fail(
                    name,
                    format!("must be a whole number between {min} and {max}"),
                );
                None
            }
            None => {
                self.fail(name, "must be a number");
                None
            }
        }
    }

    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.get(name) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.fail(name, "must be true or false");
                None
            }
        }
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let s = self.text(name, 10)?;
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) if (1970..=9999).contains(&chrono::Datelike::year(&d)) => Some(d),
            _ => {
                self.fail(name, "must be a date YYYY-MM-DD");
                None
            }
        }
    }

    /// An RFC 3339 instant with its offset, e.g. `2026-03-02T14:05:00+01:00`.
    pub fn instant(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let s = self.text(name, 64)?;
        match DateTime::parse_from_rfc3339(&s) {
            Ok(t) if (1970..=9999).contains(&chrono::Datelike::year(&t.with_timezone(&Utc))) => {
                Some(t.with_timezone(&Utc))
            }
            _ => {
                self.fail(
                    name,
                    "must be an RFC 3339 date-time with an offset, e.g. 2026-03-02T14:05:00Z",
                );
                None
            }
        }
    }

    pub fn required_instant(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let before = self.errors.len();
        let out = self.instant(name);
        if out.is_none() && self.errors.len() == before {
            self.fail(name, "is required");
        }
        out
    }

    /// Whole-item problem: the item is not usable though no field said why (a safety net,
    /// so an item is never skipped silently).
    pub fn incomplete(&mut self) {
        let field = if self.index.is_some() {
            "items"
        } else {
            "body"
        };
        self.fail(field, "is incomplete");
    }

    /// A decimal with at most two places, as a number (`2.5`) or a string (`"2.50"`), read
    /// exactly (never through a float) into hundredths, within `min..=max` hundredths.
    pub fn hundredths(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let text = match self.get(name)? {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_string(),
            _ => {
                self.fail(name, "must be a number");
                return None;
            }
        };
        match crate::scoring::Points::parse(&text) {
            Ok(p) if (min..=max).contains(&p.0) => Some(p.0),
            Ok(_) => {
                let (lo, hi) = (
                    crate::scoring::Points(min).display(),
                    crate::scoring::Points(max).display(),
                );
                self.fail(name, format!("must be between {lo} and {hi}"));
                None
            }
            Err(e) => {
                self.fail(
                    name,
                    format!("must be a number with at most two decimals ({e})"),
                );
                None
            }
        }
    }

    /// Sent as an explicit `null` (to clear a setting), as opposed to left out.
    pub fn is_null(&self, name: &str) -> bool {
        self.map.get(name).is_some_and(Value::is_null)
    }

    /// The raw value, for fields with a shape of their own (arrays).
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.get(name)
    }

    pub fn is_present(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Reads one record with `build`, which returns the value when every part of it is there.
/// Every problem goes to `errors`, with the record's index; a record that is not built and
/// has no other problem is reported as incomplete.
pub fn read<T>(
    value: &Value,
    index: Option<i64>,
    known: &[&str],
    errors: &mut Vec<FieldError>,
    build: impl FnOnce(&mut Fields<'_>) -> Option<T>,
) -> Option<T> {
    let mut f = match Fields::of(value, index, known) {
        Ok(f) => f,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let built = build(&mut f).filter(|_| f.errors.is_empty());
    if built.is_none() && f.errors.is_empty() {
        f.incomplete();
    }
    errors.append(&mut f.errors);
    built
}

/// `source` and `external_id` come together: together they name one record for upserts.
pub fn upsert_key(f: &mut Fields<'_>) -> (Option<String>, Option<String>) {
    let before = f.errors.len();
    let source = f.text("source", 100);
    let external_id = f.text("external_id", 200);
    if f.errors.len() == before {
        match (&source, &external_id) {
            (Some(_), None) => f.fail("external_id", "is required when source is given"),
            (None, Some(_)) => f.fail("source", "is required when external_id is given"),
            _ => {}
        }
    }
    (source, external_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_name_every_problem() {
        let v =
            json!({"quantity": 2.5, "note": 3, "when": "x", "flag": "yes", "day": "2026-02-30"});
        let mut f = Fields::of(&v, Some(4), &["quantity", "note", "flag", "day", "rep"]).unwrap();
        assert_eq!(f.int("quantity", 1, 10), None);
        assert_eq!(f.text("note", 10), None);
        assert_eq!(f.boolean("flag"), None);
        assert_eq!(f.date("day"), None);
        assert_eq!(f.required_text("rep", 10), None);
        let fields: Vec<&str> = f.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["when", "quantity", "note", "flag", "day", "rep"]);
        assert!(f.errors.iter().all(|e| e.index == Some(4)));
    }

    #[test]
    fn instants_need_an_offset() {
        let v = json!({"a": "2026-03-02T14:05:00+01:00", "b": "2026-03-02T14:05:00"});
        let mut f = Fields::of(&v, None, &["a", "b"]).unwrap();
        assert_eq!(
            f.instant("a").unwrap().to_rfc3339(),
            "2026-03-02T13:05:00+00:00"
        );
        assert_eq!(f.instant("b"), None);
    }
}
