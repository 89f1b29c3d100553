//! The integration API's error shape, shared with the other HTTP routes that answer JSON
//! errors (the CSV exports): see [`crate::server::http_error`].

pub use crate::server::http_error::*;
