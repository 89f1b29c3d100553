//! The versioned integration API under `/api/v1`: JSON over HTTP with bearer API tokens, for
//! CRMs and scripts, described by the OpenAPI document it serves at `/api/v1/openapi.json`.

pub mod activities;
pub mod activity_types;
pub mod auth;
pub mod deals;
pub mod error;
pub mod ingest;
pub mod input;
pub mod leaderboard;
pub mod scorecard;
pub mod settings;
pub mod targets;
pub mod users;

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use self::error::ApiError;
use crate::server::state::AppState;

/// The `/api/v1` routes; the app nests them under that prefix.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", post(activities::create_activity))
        .route(
            "/activities/batch",
            post(activities::create_activities_batch),
        )
        .route("/deals", post(deals::create_deal))
        .route("/deals/batch", post(deals::create_deals_batch))
        .route("/leaderboard", get(leaderboard::get_leaderboard))
        .route("/reps/{email}/scorecard", get(scorecard::get_rep_scorecard))
        .route(
            "/activity-types/{key}",
            put(activity_types::put_activity_type),
        )
        .route("/users", post(users::create_user))
        .route("/users/{email}", patch(users::change_user))
        .route("/sales-roles/{key}", put(users::put_sales_role))
        .route("/settings", put(settings::put_settings))
        .route("/targets", put(targets::put_targets))
        .route("/openapi.json", get(openapi_json))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(refuse_announced_oversize))
}

/// A body announced larger than the limit is refused before a byte of it is read.
async fn refuse_announced_oversize(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > crate::server::http::BODY_LIMIT as u64) {
        return ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "The body is larger than {} MiB; split it into smaller batches.",
                crate::server::http::BODY_LIMIT >> 20
            ),
        )
        .into_response();
    }
    next.run(req).await
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pacesetter integration API",
        description = "Send activities and deals from a CRM, a dialler or a script, and read leaderboards and scorecards.\n\n\
            Authenticate with an API token created by an admin: `Authorization: Bearer <token>`. \
            Tokens have scopes: `ingest` (activity and deal writes), `read` (leaderboards and scorecards), `admin` (all of those, and the configuration routes).\n\n\
            Writes are upserts when `source` and `external_id` are given, and every POST honours an \
            `Idempotency-Key` header. Batches are all-or-nothing. Errors are \
            `{\"error\": {\"code\", \"message\", \"details\"}}`; validation details name the field \
            and, in a batch, the item index."
    ),
    paths(
        activities::create_activity,
        activities::create_activities_batch,
        deals::create_deal,
        deals::create_deals_batch,
        leaderboard::get_leaderboard,
        scorecard::get_rep_scorecard,
        activity_types::put_activity_type,
        users::create_user,
        users::change_user,
        users::put_sales_role,
        settings::put_settings,
        targets::put_targets,
        openapi_json,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail, error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "activities", description = "Sales activities: calls, emails, meetings…"),
        (name = "deals", description = "Pipeline, won and lost deals"),
        (name = "leaderboards", description = "Rankings by period"),
        (name = "scorecards", description = "A rep's role scorecard: targets, pace and bands"),
        (name = "configuration", description = "Activity types and weights, users and sales roles, settings, targets (admin scope)"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some(
            "An API token created by an admin; its scopes decide the routes it may call.".into(),
        );
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The OpenAPI document, built once.
pub fn openapi_document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi().to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot serialize the OpenAPI document");
            String::new()
        })
    })
}

/// This API's OpenAPI 3 document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> Response {
    let doc = openapi_document();
    if doc.is_empty() {
        return ApiError::internal().into_response();
    }
    let mut res = (StatusCode::OK, doc).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// Who an API change is recorded as in the audit log.
fn actor(caller: &auth::ApiCaller) -> String {
    format!("api_token:{}", caller.token_id)
}

/// A JSON body, read with the same checks as the write routes (415, 413, 400).
fn json_body(
    headers: &axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<serde_json::Value, ApiError> {
    let bytes = input::json_bytes(headers, body)?;
    input::parse_json(&bytes)
}

fn fields<'a>(
    body: &'a serde_json::Value,
    known: &[&str],
) -> Result<crate::fields::Fields<'a>, ApiError> {
    crate::fields::Fields::of(body, None, known).map_err(|e| ApiError::validation(vec![e]))
}

fn finish_fields(f: &mut crate::fields::Fields<'_>) -> Result<(), ApiError> {
    ingest::reject_if_any(std::mem::take(&mut f.errors))
}

async fn not_found() -> ApiError {
    ApiError::not_found("No such API route; see /api/v1/openapi.json.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This route does not take that method; see /api/v1/openapi.json.",
    )
}
