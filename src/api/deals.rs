//! `POST /api/v1/deals` and `/deals/batch`: pipeline and closed deals from a CRM, upserted on
//! `(source, external_id)`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::activities::{accounts_by_email, resolve_rep};
use super::auth::{ApiCaller, Ingest};
use super::error::{ApiError, FieldError};
use super::ingest::{self, DealBatchResult, DealResult};
use super::input::{upsert_key, Fields};
use super::repo::{self, DealWrite};
use crate::server::org;
use crate::server::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealStatusInput {
    #[default]
    Open,
    Won,
    Lost,
}

impl DealStatusInput {
    fn as_str(self) -> &'static str {
        match self {
            DealStatusInput::Open => "open",
            DealStatusInput::Won => "won",
            DealStatusInput::Lost => "lost",
        }
    }
}

/// One deal as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealInput {
    /// Email of the rep who owns it (an active account with a sales role).
    #[schema(example = "ada@example.com")]
    pub rep_email: String,
    #[schema(max_length = 200, example = "Acme renewal 2026")]
    pub name: String,
    #[schema(max_length = 200)]
    pub account: Option<String>,
    /// In the currency's minor unit (cents for EUR): `123450` is 1,234.50.
    #[schema(minimum = 0, maximum = 1e15)]
    pub amount: i64,
    /// ISO 4217 code.
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Defaults to `Open`, `Won` or `Lost` after the status.
    #[schema(max_length = 100)]
    pub stage: Option<String>,
    /// Whole percent, 0–100. Defaults to 100 for won and 0 for lost deals; required for open ones.
    #[schema(minimum = 0, maximum = 100)]
    pub probability: Option<i64>,
    #[serde(default)]
    pub status: DealStatusInput,
    /// Only for lost deals.
    #[schema(max_length = 200)]
    pub lost_reason: Option<String>,
    #[serde(default)]
    pub new_customer: bool,
    /// Organisation-local date; defaults to today.
    pub created_on: Option<NaiveDate>,
    pub expected_close: Option<NaiveDate>,
    /// Required for won and lost deals, refused for open ones; not before `created_on`.
    pub closed_on: Option<NaiveDate>,
    /// With `external_id`, the upsert key.
    #[schema(max_length = 100)]
    pub source: Option<String>,
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
}

const FIELDS: [&str; 15] = [
    "rep_email",
    "name",
    "account",
    "amount",
    "currency",
    "stage",
    "probability",
    "status",
    "lost_reason",
    "new_customer",
    "created_on",
    "expected_close",
    "closed_on",
    "source",
    "external_id",
];
const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealBatch {
    /// 1 to 10,000 deals, written all together or not at all.
    pub items: Vec<DealInput>,
}

fn parse_status(f: &mut Fields<'_>) -> DealStatusInput {
    match f.text("status", 10).as_deref() {
        None => DealStatusInput::Open,
        Some("open") => DealStatusInput::Open,
        Some("won") => DealStatusInput::Won,
        Some("lost") => DealStatusInput::Lost,
        Some(_) => {
            f.fail("status", "must be open, won or lost");
            DealStatusInput::Open
        }
    }
}

/// Reads one item, recording every bad field, including rules between fields.
pub fn parse(value: &Value, index: Option<i64>, errors: &mut Vec<FieldError>) -> Option<DealInput> {
    let mut f = match Fields::of(value, index, &FIELDS) {
        Ok(f) => f,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let rep_email = f.required_text("rep_email", 254);
    let name = f.required_text("name", 200);
    let account = f.text("account", 200);
    let amount = f.int("amount", 0, MAX_AMOUNT);
    if amount.is_none() && !f.is_present("amount") {
        f.fail("amount", "is required");
    }
    let currency = f
        .required_text("currency", 3)
        .map(|c| c.to_ascii_uppercase());
    if let Some(c) = &currency {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            f.fail("currency", "must be a three-letter ISO 4217 code, e.g. EUR");
        }
    }
    let stage = f.text("stage", 100);
    let probability = f.int("probability", 0, 100);
    let status = parse_status(&mut f);
    let lost_reason = f.text("lost_reason", 200);
    let new_customer = f.boolean("new_customer").unwrap_or(false);
    let created_on = f.date("created_on");
    let expected_close = f.date("expected_close");
    let closed_on = f.date("closed_on");
    let (source, external_id) = upsert_key(&mut f);

    match status {
        DealStatusInput::Open => {
            if probability.is_none() && !f.is_present("probability") {
                f.fail("probability", "is required for an open deal");
            }
            if f.is_present("closed_on") {
                f.fail("closed_on", "must be empty for an open deal");
            }
        }
        DealStatusInput::Won | DealStatusInput::Lost => {
            if closed_on.is_none() && !f.is_present("closed_on") {
                f.fail("closed_on", "is required for a won or lost deal");
            }
        }
    }
    if lost_reason.is_some() && status != DealStatusInput::Lost {
        f.fail("lost_reason", "is only for lost deals");
    }
    if let (Some(created), Some(closed)) = (created_on, closed_on) {
        if closed < created {
            f.fail("closed_on", "must not be before created_on");
        }
    }
    let parsed = match (rep_email, name, amount, currency) {
        (Some(rep_email), Some(name), Some(amount), Some(currency)) if f.errors.is_empty() => {
            Some(DealInput {
                rep_email,
                name,
                account,
                amount,
                currency,
                stage,
                probability,
                status,
                lost_reason,
                new_customer,
                created_on,
                expected_close,
                closed_on,
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

fn to_write(d: DealInput, rep_id: i64, today: NaiveDate) -> DealWrite {
    let (default_stage, default_probability) = match d.status {
        DealStatusInput::Open => ("Open", 0),
        DealStatusInput::Won => ("Won", 100),
        DealStatusInput::Lost => ("Lost", 0),
    };
    DealWrite {
        rep_id,
        name: d.name,
        account: d.account,
        amount_minor: d.amount,
        currency: d.currency,
        stage: d.stage.unwrap_or_else(|| default_stage.to_string()),
        probability: d.probability.unwrap_or(default_probability),
        status: d.status.as_str(),
        lost_reason: d.lost_reason,
        new_customer: d.new_customer,
        created_on: d
            .created_on
            .unwrap_or(today)
            .min(d.closed_on.unwrap_or(today)),
        expected_close: d.expected_close,
        closed_on: d.closed_on,
        source: d.source,
        external_id: d.external_id,
    }
}

/// Turns parsed deals into rows ready to store, resolving the rep; every problem is added to
/// `errors` with the item's index. Shared by the API and the CSV import.
pub async fn resolve(
    db: &crate::server::db::Db,
    parsed: Vec<(Option<i64>, DealInput)>,
    errors: &mut Vec<FieldError>,
) -> Result<Vec<DealWrite>, ApiError> {
    let today = org::load(db).await?.today();
    let accounts: HashMap<_, _> = accounts_by_email(repo::accounts(db).await?);
    let mut writes = Vec::with_capacity(parsed.len());
    for (index, d) in parsed {
        match resolve_rep(&accounts, &d.rep_email) {
            Ok(rep_id) => writes.push(to_write(d, rep_id, today)),
            Err(m) => errors.push(FieldError::new("rep_email", m).at(index)),
        }
    }
    Ok(writes)
}

async fn handle(
    state: &AppState,
    caller: &ApiCaller,
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
    let parsed: Vec<(Option<i64>, DealInput)> = ingest::items_of(&prepared.body, batch)?
        .into_iter()
        .filter_map(|(i, v)| parse(v, i, &mut errors).map(|d| (i, d)))
        .collect();
    let writes = resolve(db, parsed, &mut errors).await?;
    ingest::reject_if_any(errors)?;
    let claim = prepared.claim.as_ref();
    let outcome = repo::write_deals(db, claim, &writes, ingest::deal_response(batch)).await?;
    ingest::purge_later(db, claim);
    ingest::finish(claim, outcome)
}

/// Records one deal (or updates it: see `source` + `external_id`).
#[utoipa::path(
    post,
    path = "/api/v1/deals",
    tag = "deals",
    request_body(content = DealInput, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 201, description = "Created", body = DealResult),
        (status = 200, description = "Updated the deal with the same source and external_id", body = DealResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_deal(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(&state, &caller, "POST /api/v1/deals", false, &headers, body).await
}

/// Records up to 10,000 deals in one transaction: all of them, or none when any item is
/// invalid (every problem is listed with its item index).
#[utoipa::path(
    post,
    path = "/api/v1/deals/batch",
    tag = "deals",
    request_body(content = DealBatch, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body replays the first successful response (kept 7 days) instead of writing again; with another body, 422. A refused request stores nothing, so it may be corrected and sent again with its key.")),
    security(("bearer" = ["ingest"])),
    responses(
        (status = 200, description = "Every item written", body = DealBatchResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the ingest scope", body = super::error::ErrorBody),
        (status = 409, description = "A concurrent write of the same record; retry", body = super::error::ErrorBody),
        (status = 413, description = "Body too large or more than 10,000 items", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid items (nothing written), or an Idempotency-Key reused with another body", body = super::error::ErrorBody),
    )
)]
pub async fn create_deals_batch(
    State(state): State<AppState>,
    Ingest(caller): Ingest,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    handle(
        &state,
        &caller,
        "POST /api/v1/deals/batch",
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

    fn parse_one(v: Value) -> (Option<DealInput>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let out = parse(&v, None, &mut errors);
        (out, errors)
    }

    #[test]
    fn the_parser_and_the_documented_schema_agree() {
        let samples = [
            json!({"rep_email": "a@x.io", "name": "Acme", "amount": 120000, "currency": "EUR", "probability": 50}),
            json!({"rep_email": "a@x.io", "name": "Acme", "account": "Acme Ltd", "amount": 0, "currency": "USD",
                   "stage": "Closed", "status": "lost", "lost_reason": "Price", "new_customer": true,
                   "created_on": "2026-01-05", "expected_close": "2026-02-01", "closed_on": "2026-02-03",
                   "source": "crm", "external_id": "D-1"}),
        ];
        for s in samples {
            let (ours, errors) = parse_one(s.clone());
            assert!(errors.is_empty(), "{errors:?}");
            let documented: DealInput = serde_json::from_value(s).unwrap();
            assert_eq!(ours.unwrap(), documented);
        }
        let schema = serde_json::to_value(<DealInput as utoipa::PartialSchema>::schema()).unwrap();
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
    fn rules_between_fields_are_checked() {
        let (_, e) =
            parse_one(json!({"rep_email": "a@x.io", "name": "A", "amount": 1, "currency": "eur"}));
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["probability"]
        );
        let (_, e) = parse_one(
            json!({"rep_email": "a@x.io", "name": "A", "amount": 1, "currency": "EUR",
            "status": "won", "lost_reason": "Price", "created_on": "2026-02-01"}),
        );
        let mut fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["closed_on", "lost_reason"]);
        let (_, e) = parse_one(
            json!({"rep_email": "a@x.io", "name": "A", "amount": -1, "currency": "EURO",
            "status": "won", "created_on": "2026-02-01", "closed_on": "2026-01-01"}),
        );
        let mut fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["amount", "closed_on", "currency"]);
    }

    #[test]
    fn defaults_follow_the_status() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let (d, _) = parse_one(
            json!({"rep_email": "a@x.io", "name": "A", "amount": 5, "currency": "EUR",
            "status": "won", "closed_on": "2026-02-10"}),
        );
        let w = to_write(d.unwrap(), 1, today);
        assert_eq!(
            (w.stage.as_str(), w.probability, w.status),
            ("Won", 100, "won")
        );
        // Without a created_on, a deal closed in the past was created no later than it closed.
        assert_eq!(w.created_on, NaiveDate::from_ymd_opt(2026, 2, 10).unwrap());
    }
}
