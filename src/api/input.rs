//! Reading a request body: content type, size, JSON syntax, the `Idempotency-Key`, batches.
//! Field-by-field parsing is shared with the CSV import, in [`crate::fields`].

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;
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
