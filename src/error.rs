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
    /// The database cannot take the change right now (stopped, unreachable, read-only,
    /// disk full): nothing was written, and the same request may succeed in a moment.
    #[error("{}", UNAVAILABLE)]
    Unavailable,
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
            AppError::Unavailable => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

/// What a person reads when the database cannot take a change.
pub const UNAVAILABLE: &str =
    "Can't save right now: the database is not answering. Nothing was written; try again in a moment.";

/// Seconds a client is asked to wait before retrying after [`AppError::Unavailable`].
pub const RETRY_AFTER_SECONDS: u32 = 5;

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

/// True when `e` means the database cannot be used right now, rather than that this request
/// was wrong: no connection (stopped, unreachable, pool exhausted), or a database that
/// refuses writes (SQLite read-only, I/O error, disk full, cannot open; PostgreSQL
/// connection errors, shutting down, disk full, read-only transaction).
#[cfg(feature = "ssr")]
pub fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                code.starts_with("08")
                    || code.starts_with("57P")
                    || code.starts_with("53")
                    || code == "25006"
            } else {
                // SQLite: the primary result code is the low byte of the extended one.
                const READONLY: i64 = 8;
                const IOERR: i64 = 10;
                const FULL: i64 = 13;
                const CANTOPEN: i64 = 14;
                code.parse::<i64>()
                    .is_ok_and(|c| [READONLY, IOERR, FULL, CANTOPEN].contains(&(c & 0xff)))
            }
        }
        _ => false,
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if database_unavailable(&e) {
            tracing::warn!(error = %e, "the database is unavailable");
            return AppError::Unavailable;
        }
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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_unavailable_not_internal() {
        for e in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            let app = AppError::from(e);
            assert_eq!(app, AppError::Unavailable);
            assert_eq!(app.status_code(), 503);
            assert!(app.to_string().starts_with("Can't save right now"));
        }
        assert_eq!(
            AppError::from(sqlx::Error::Protocol("SELECT secret".into())),
            AppError::Internal
        );
        assert_eq!(AppError::from(sqlx::Error::RowNotFound), AppError::Internal);
    }
}
