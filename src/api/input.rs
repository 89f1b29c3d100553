//! Reading a request body: content type, size, JSON syntax, the `Idempotency-Key`, and field
//! by field parsing that names every bad field (and the batch item it is in).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::{ApiError, FieldError};

/// Most items one batch may carry.
pub const MAX_BATCH: usize = 10_000;
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;

fn is_json(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The raw body of a JSON request: 415 unless it says it is JSON, 413 over the body limit.
pub fn json_bytes(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !is_json(content_type) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with `Content-Type: application/json`.",
        ));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "The body is larger than {} MiB; split it into smaller batches.",
                    crate::server::http::BODY_LIMIT >> 20
                ),
            )
        } else {
            ApiError::bad_request("unreadable_body", "The request body could not be read.")
        }
    })
}

pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {e}."),
        )
    })
}

/// The `Idempotency-Key` header, when sent: 1 to 255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_request(
            "invalid_idempotency_key",
            "The Idempotency-Key must have 1 to 255 visible ASCII characters.",
        )
    };
    let key = value.to_str().map_err(|_| bad())?.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(key.to_string()))
}

/// What makes two requests "the same" for an idempotency key: route and exact body bytes.
pub fn request_hash(route: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update([0u8]);
    h.update(body);
    hex::encode(h.finalize())
}

/// The items of a batch body `{"items": [...]}` (1 to [`MAX_BATCH`]).
pub fn batch_items(body: &Value) -> Result<&[Value], ApiError> {
    let invalid = |m: &str| ApiError::validation(vec![FieldError::new("items", m)]);
    let Some(obj) = body.as_object() else {
        return Err(invalid("The body must be an object {\"items\": [...]}."));
    };
    if let Some(extra) = obj.keys().find(|k| k.as_str() != "items") {
        return Err(ApiError::validation(vec![FieldError::new(
            extra.clone(),
            "unknown field",
        )]));
    }
    let items = match obj.get("items") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("must be an array")),
        None => return Err(invalid("is required")),
    };
    if items.is_empty() {
        return Err(invalid("must hold at least one item"));
    }
    if items.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "A batch holds at most {MAX_BATCH} items; this one has {}.",
                items.len()
            ),
        ));
    }
    Ok(items)
}

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
    fn content_types_that_are_json() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/vnd.api+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }

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

    #[test]
    fn batch_shape_is_checked() {
        assert_eq!(
            batch_items(&json!([])).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            batch_items(&json!({"items": []})).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            batch_items(&json!({"items": [1], "x": 1}))
                .unwrap_err()
                .details[0]
                .field,
            "x"
        );
        assert_eq!(batch_items(&json!({"items": [1, 2]})).unwrap().len(), 2);
        let big = Value::Array(vec![Value::Null; MAX_BATCH + 1]);
        assert_eq!(
            batch_items(&json!({ "items": big })).unwrap_err().status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn idempotency_keys_are_bounded() {
        let mut h = HeaderMap::new();
        assert_eq!(idempotency_key(&h).unwrap(), None);
        h.insert(IDEMPOTENCY_HEADER, "abc-123".parse().unwrap());
        assert_eq!(idempotency_key(&h).unwrap().as_deref(), Some("abc-123"));
        h.insert(IDEMPOTENCY_HEADER, "a".repeat(256).parse().unwrap());
        assert!(idempotency_key(&h).is_err());
        assert_ne!(request_hash("/a", b"{}"), request_hash("/b", b"{}"));
    }
}
