//! `POST /api/v1/activities` and `/activities/batch`: activities from a CRM or a dialler,
//! upserted on `(source, external_id)`, scored through the same daily rollups as the app.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Ingest;
use super::error::{ApiError, FieldError};
use super::ingest::{self, ActivityBatchResult, ActivityResult};
use super::input::{upsert_key, Fields};
use super::repo::{self, ActivityWrite, RepLookup};
use crate::activities::repo as activity_repo;
use crate::scoring::ActivityTypeRule;
use crate::server::org;
use crate::server::state::AppState;

/// One activity as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Email of the rep it counts for (an active account with a sales role).
    #[schema(example = "ada@example.com")]
    pub rep_email: String,
    /// Activity type key, e.g. `call`.
    #[serde(rename = "type")]
    #[schema(example = "call")]
    pub kind: String,
    /// When it happened (RFC 3339 with offset); scored on the organisation-local date.
    pub occurred_at: DateTime<Utc>,
    /// Units (default 1).
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 1000000, default = 1)]
    pub quantity: i64,
    /// Calls shorter than their type's minimum duration are kept but do not count.
    #[schema(minimum = 0, maximum = 604800)]
    pub duration_seconds: Option<i64>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    #[schema(max_length = 200)]
    pub account: Option<String>,
    /// The sending system, e.g. `hubspot`. With `external_id`, the upsert key: sending the
    /// same pair again updates that activity instead of adding one.
    #[schema(max_length = 100)]
    pub source: Option<String>,
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
}

fn one() -> i64 {
    1
}

const FIELDS: [&str; 9] = [
    "rep_email",
    "type",
    "occurred_at",
    "quantity",
    "duration_seconds",
    "note",
    "account",
    "source",
    "external_id",
];
const MAX_QUANTITY: i64 = 1_000_000;
const MAX_DURATION: i64 = 7 * 24 * 3600;

/// The batch body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBatch {
    /// 1 to 10,000 activities, written all together or not at all.
    pub items: Vec<ActivityInput>,
}

/// Reads one item, recording every bad field.
pub fn parse(
    value: &Value,
    index: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<ActivityInput> {
    let mut f = match Fields::of(value, index, &FIELDS) {
        Ok(f) => f,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let rep_email = f.required_text("rep_email", 254);
    let kind = f.required_text("type", 64);
    let occurred_at = f.required_instant("occurred_at");
    let quantity = f.int("quantity", 1, MAX_QUANTITY);
    let duration_seconds = f.int("duration_seconds", 0, MAX_DURATION);
    let note = f.text("note", 2000);
    let account = f.text("account", 200);
    let (source, external_id) = upsert_key(&mut f);
    let parsed = match (rep_email, kind, occurred_at) {
        (Some(rep_email), Some(kind), Some(occurred_at)) if f.errors.is_empty() => {
            Some(ActivityInput {
                rep_email,
                kind,
                occurred_at,
                quantity: quantity.unwrap_or(1),
                duration_seconds,
                note,
                account,
                source,
                external_id,
            })
        }
        _ => None,
    };
    if parsed.is_none() && f.errors.is_empty() {
        f.incomplete();
    }
    errors.append(&mut f.errors);
    parsed
}

/// A rep named by email: active, with a sales role (someone who has a score).
pub fn resolve_rep(accounts: &HashMap<String, RepLookup>, email: &str) -> Result<i64, String> {
    match accounts.get(&email.trim().to_lowercase()) {
        None => Err(format!("unknown rep '{email}'")),
        Some(a) if !a.active => Err(format!("rep '{email}' is deactivated")),
        Some(a) if a.sales_role_id.is_none() => Err(format!(
            "'{email}' has no sales role, so no score to add to"
        )),
        Some(a) => Ok(a.id),
    }
}

pub fn accounts_by_email(rows: Vec<RepLookup>) -> HashMap<String, RepLookup> {
    rows.into_iter()
        .map(|r| (r.email.to_lowercase(), r))
        .collect()
}

/// Turns parsed activities into rows ready to store, resolving the rep and the type and
/// checking the date; every problem is added to `errors` with the item's index. The API and
/// the CSV import both go through here, so both apply the same rules.
pub async fn resolve(
    db: &crate::server::db::Db,
    parsed: Vec<(Option<i64>, ActivityInput)>,
    errors: &mut Vec<FieldError>,
) -> Result<Vec<ActivityWrite>, ApiError> {
    let settings = org::load(db).await?;
    let types: HashMap<String, ActivityTypeRule> = activity_repo::activity_types(db)
        .await?
        .into_iter()
        .map(|t| (t.key.clone(), t))
        .collect();
    let accounts = accounts_by_email(repo::accounts(db).await?);
    let latest = Utc::now() + Duration::days(1);
    let mut writes = Vec::with_capacity(parsed.len());
    for (index, a) in parsed {
        let rep = resolve_rep(&accounts, &a.rep_email);
        if let Err(m) = &rep {
            errors.push(FieldError::new("rep_email", m.clone()).at(index));
        }
        let rule = types.get(&a.kind);
        if rule.is_none() {
            errors.push(
                FieldError::new("type", format!("unknown activity type '{}'", a.kind)).at(index),
            );
        }
        if a.occurred_at > latest {
            errors
                .push(FieldError::new("occurred_at", "is more than a day in the future").at(index));
        }
        if let (Ok(rep_id), Some(rule)) = (rep, rule) {
            writes.push(ActivityWrite {
                rep_id,
                activity_type_id: rule.id,
                local_date: settings.local_date(a.occurred_at),
                occurred_at: a.occurred_at,
                quantity: a.quantity,
                duration_seconds: a.duration_seconds,
                qualifies: rule.qualifies(a.duration_seconds),
                note: a.note,
                account: a.account,
                source: a.source,
                external_id: a.external_id,
            });
        }
    }
    Ok(writes)
}

async fn handle(
    state: &AppState,
    caller: &super::auth::ApiCaller,
    route: &str,
    batch: bool,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let prepared = match ingest::prepare(db, caller, route, headers, body).await? {
        Ok(p) => p,
        Err(replayed) => return Ok(replayed),
    };
    let mut errors = Vec::new();
    let parsed: Vec<(Option<i64>, ActivityInput)> = ingest::items_of(&prepared.body, batch)?
        .into_iter()
        .filter_map(|(i, v)| parse(v, i, &mut errors).map(|a| (i, a)))
        .collect();
    let writes = resolve(db, parsed, &mut errors).await?;
    ingest::reject_if_any(errors)?;
    let claim = prepared.claim.as_ref();
    let outcome =
        repo::write_activities(db, claim, &writes, ingest::activity_response(batch)).await?;
    ingest::purge_later(db, claim);
    ingest::finish(claim, outcome)
}

/// Records one activity (or updates it: see `source` + `external_id`).
#[utoipa::path(
    post,
    path = "/api/v1/activities",
    tag = "activities",
    request_body(content = ActivityInput, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 201, description = "Created", body = ActivityResult),
        (status = 200, description = "Updated the activity with the same source and external_id", body = ActivityResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_activity(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(
        &state,
        &caller,
        "POST /api/v1/activities",
        false,
        &headers,
        body,
    )
    .await
}

/// Records up to 10,000 activities in one transaction: all of them, or none when any item
/// is invalid (every problem is listed with its item index).
#[utoipa::path(
    post,
    path = "/api/v1/activities/batch",
    tag = "activities",
    request_body(content = ActivityBatch, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 200, description = "Every item written", body = ActivityBatchResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large or more than 10,000 items", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid items (nothing written), or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_activities_batch(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(
        &state,
        &caller,
        "POST /api/v1/activities/batch",
        true,
        &headers,
        body,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_one(v: Value) -> (Option<ActivityInput>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let out = parse(&v, Some(0), &mut errors);
        (out, errors)
    }

    #[test]
    fn the_parser_and_the_documented_schema_agree() {
        let samples = [
            json!({"rep_email": "a@x.io", "type": "call", "occurred_at": "2026-03-02T14:05:00+01:00"}),
            json!({"rep_email": "a@x.io", "type": "call", "occurred_at": "2026-03-02T14:05:00Z", "quantity": 3,
                   "duration_seconds": 95, "note": "n", "account": "Acme", "source": "crm", "external_id": "7"}),
        ];
        for s in samples {
            let (ours, errors) = parse_one(s.clone());
            assert!(errors.is_empty(), "{errors:?}");
            let documented: ActivityInput = serde_json::from_value(s).unwrap();
            assert_eq!(ours.unwrap(), documented);
        }
        let schema =
            serde_json::to_value(<ActivityInput as utoipa::PartialSchema>::schema()).unwrap();
        let mut props: Vec<String> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        props.sort();
        let mut fields: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
        fields.sort();
        assert_eq!(props, fields);
    }

    #[test]
    fn every_bad_field_is_named() {
        let (out, errors) = parse_one(
            json!({"type": 5, "occurred_at": "yesterday", "quantity": 0, "qty": 1, "source": "crm"}),
        );
        assert!(out.is_none());
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "external_id",
                "occurred_at",
                "qty",
                "quantity",
                "rep_email",
                "type"
            ]
        );
    }

    #[test]
    fn reps_must_be_active_and_scored() {
        let accounts = accounts_by_email(vec![
            RepLookup {
                id: 1,
                email: "ada@x.io".into(),
                active: true,
                sales_role_id: Some(1),
            },
            RepLookup {
                id: 2,
                email: "old@x.io".into(),
                active: false,
                sales_role_id: Some(1),
            },
            RepLookup {
                id: 3,
                email: "boss@x.io".into(),
                active: true,
                sales_role_id: None,
            },
        ]);
        assert_eq!(resolve_rep(&accounts, " ADA@x.io"), Ok(1));
        assert!(resolve_rep(&accounts, "old@x.io")
            .unwrap_err()
            .contains("deactivated"));
        assert!(resolve_rep(&accounts, "boss@x.io")
            .unwrap_err()
            .contains("no sales role"));
        assert!(resolve_rep(&accounts, "who@x.io")
            .unwrap_err()
            .contains("unknown rep"));
    }
}
