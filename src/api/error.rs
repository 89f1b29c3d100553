//! The integration API's error shape: `{"error": {"code", "message", "details"}}` with the
//! right status. Internal causes are logged here and never sent (no SQL, no tokens).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

/// One problem with one field of the input; `index` is the item's position in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            index: None,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn at(mut self, index: Option<i64>) -> FieldError {
        self.index = index;
        self
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `malformed_json`, `validation_failed`, `unauthenticated`…
    pub code: String,
    /// For a person reading a log.
    pub message: String,
    /// Per-field problems (validation errors); empty otherwise.
    pub details: Vec<FieldError>,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 422 with every field problem found (not only the first), so a client fixes a batch
    /// in one round trip.
    pub fn validation(details: Vec<FieldError>) -> ApiError {
        let n = details.len();
        let message = if n == 1 {
            "The request has 1 invalid field; nothing was written.".to_string()
        } else {
            format!("The request has {n} invalid fields; nothing was written.")
        };
        ApiError {
            details,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message,
            )
        }
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side; nothing was written. Please try again.",
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match e {
            AppError::Internal | AppError::Transport(_) => ApiError::internal(),
            AppError::BadRequest(m) => ApiError::new(status, "bad_request", m),
            AppError::Unauthenticated | AppError::Unauthorized(_) => {
                ApiError::unauthenticated(e.to_string())
            }
            AppError::Forbidden => ApiError::new(status, "forbidden", e.to_string()),
            AppError::NotFound(_) => ApiError::new(status, "not_found", e.to_string()),
            AppError::Conflict(m) => ApiError::new(status, "conflict", m),
            AppError::TooManyRequests(m) => ApiError::new(status, "too_many_requests", m),
        }
    }
}

/// Database error codes that mean "another write got in the way; the same request may
/// succeed if sent again": PostgreSQL deadlock and serialization failure, SQLite busy/locked.
const RETRYABLE: [&str; 5] = ["40P01", "40001", "5", "6", "517"];

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        if let sqlx::Error::Database(db) = &e {
            let retryable = db.code().is_some_and(|c| RETRYABLE.contains(&c.as_ref()));
            if db.is_unique_violation() || retryable {
                tracing::warn!(error = %e, "a concurrent write refused an API write");
                return ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "The write collided with another one made at the same moment; nothing was written. Retry the request.",
                );
            }
        }
        tracing::error!(error = %e, "database error in the integration API");
        ApiError::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_say_nothing_of_their_cause() {
        let e: ApiError = sqlx::Error::Protocol("SELECT secret FROM api_tokens".into()).into();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message.contains("SELECT"));
    }

    #[test]
    fn validation_errors_keep_the_index_and_field() {
        let e = ApiError::validation(vec![
            FieldError::new("type", "unknown activity type 'foo'").at(Some(3))
        ]);
        let json = serde_json::to_value(e.body()).unwrap();
        assert_eq!(json["error"]["code"], "validation_failed");
        assert_eq!(json["error"]["details"][0]["index"], 3);
        assert_eq!(json["error"]["details"][0]["field"], "type");
    }
}
