//! The one error type that crosses the server-function boundary: a status and a message
//! a user can read. Internal causes are logged on the server, never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// One problem with one field of an input; `index` is the item's position in a batch (or
/// the file line of a CSV row). Services return every problem found, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none", default)]
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

/// The one error of the domain and of every door: services return it, the pages show its
/// message with its status, `/api/v1` turns it into its JSON error (same status), the CSV
/// import into row errors. A conflict is a 409 and a missing thing a 404 whichever door
/// it came through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// Input that parsed but breaks a rule, field by field; nothing was written.
    #[error("{}", invalid_message(.0))]
    Invalid(Vec<FieldError>),
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("{0}")]
    Unauthorized(String),
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("{0} not found.")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated | AppError::Unauthorized(_) => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

fn invalid_message(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field.replace('_', " "), one.message),
        _ => {
            let all: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
                .collect();
            all.join("; ")
        }
    }
}

impl AppError {
    /// One problem with one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// For a door that collects every problem before answering: a service's field
    /// problems are added to `errors` (and an empty value returned); other errors pass.
    pub fn gather<T: Default>(
        result: Result<T, AppError>,
        errors: &mut Vec<FieldError>,
    ) -> Result<T, AppError> {
        match result {
            Err(AppError::Invalid(mut more)) => {
                errors.append(&mut more);
                Ok(T::default())
            }
            other => other,
        }
    }

    /// `Ok` when nothing was found wrong.
    pub fn check(errors: Vec<FieldError>) -> Result<(), AppError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) => AppError::Transport(e),
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) => {
                AppError::BadRequest(format!("Invalid input: {e}"))
            }
            _ => AppError::Internal,
        }
    }
}

/// Database error codes that mean "another write got in the way; the same request may
/// succeed if sent again": PostgreSQL deadlock and serialization failure, SQLite busy/locked.
#[cfg(feature = "ssr")]
const RETRYABLE: [&str; 5] = ["40P01", "40001", "5", "6", "517"];

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let retryable = db.code().is_some_and(|c| RETRYABLE.contains(&c.as_ref()));
            if db.is_unique_violation() || retryable {
                tracing::warn!(error = %e, "a concurrent write refused a write");
                return AppError::Conflict(
                    "The change collided with another one made at the same moment; nothing was written. Try again."
                        .into(),
                );
            }
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}
