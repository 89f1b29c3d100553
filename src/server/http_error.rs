//! The JSON error shape of the HTTP routes that are not pages (`/api/v1`, the CSV exports):
//! `{"error": {"code", "message", "details"}}` with the right status, mapped from the one
//! [`AppError`]. Internal causes are logged and never sent (no SQL, no tokens).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

pub use crate::error::FieldError;

/// At most this many problems are listed in one response (the message gives the total).
pub const MAX_DETAILS: usize = 1000;

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

    /// 422 with every field problem found (not only the first, up to [`MAX_DETAILS`]), so a
    /// client fixes a batch in one round trip.
    pub fn validation(mut details: Vec<FieldError>) -> ApiError {
        let n = details.len();
        let message = if n == 1 {
            "The request has 1 invalid field; nothing was written.".to_string()
        } else if n > MAX_DETAILS {
            format!("The request has {n} invalid fields (the first {MAX_DETAILS} are listed); nothing was written.")
        } else {
            format!("The request has {n} invalid fields; nothing was written.")
        };
        details.truncate(MAX_DETAILS);
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
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::error::RETRY_AFTER_SECONDS),
            );
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
            AppError::Invalid(details) => ApiError::validation(details),
            AppError::Unauthenticated | AppError::Unauthorized(_) => {
                ApiError::unauthenticated(e.to_string())
            }
            AppError::Forbidden => ApiError::new(status, "forbidden", e.to_string()),
            AppError::NotFound(_) => ApiError::new(status, "not_found", e.to_string()),
            AppError::Conflict(m) => ApiError::new(status, "conflict", m),
            AppError::TooManyRequests(m) => ApiError::new(status, "too_many_requests", m),
            AppError::Unavailable => ApiError::new(status, "unavailable", e.to_string()),
        }
    }
}

impl From<crate::leaderboard::service::ScopeError> for ApiError {
    fn from(e: crate::leaderboard::service::ScopeError) -> ApiError {
        use crate::leaderboard::service::ScopeError;
        match e {
            ScopeError::Period(_) => ApiError::bad_request("bad_request", e.to_string()),
            ScopeError::Date(_) => ApiError::bad_request("invalid_date", e.to_string()),
            ScopeError::Team(_) => ApiError::not_found(e.to_string()),
            ScopeError::App(e) => e.into(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        AppError::from(e).into()
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
