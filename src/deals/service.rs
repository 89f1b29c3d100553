//! The one home of deal rules: what a valid deal is (status, probability, dates, the rep
//! who owns it), and writing deals: upserted by `(source, external_id)`, all or nothing,
//! with the idempotency key in the same transaction, announced live. `/api/v1/deals`, the
//! CSV import, the rep's deal form and the seed are doors into here.

use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};
use crate::fields::{upsert_key, Fields};
use crate::idempotency::{Record, Upserted};
use crate::live::LiveKind;
use crate::on_tx;
use crate::people::service as people;
use crate::server::db::{Db, Tx};
use crate::server::org;
use crate::sources::Writer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealStatusInput {
    #[default]
    Open,
    Won,
    Lost,
}

impl DealStatusInput {
    pub fn as_str(self) -> &'static str {
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

pub const FIELDS: [&str; 15] = [
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
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

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
    crate::fields::read(value, index, &FIELDS, errors, |f| {
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
        let status = parse_status(f);
        let lost_reason = f.text("lost_reason", 200);
        let new_customer = f.boolean("new_customer").unwrap_or(false);
        let created_on = f.date("created_on");
        let expected_close = f.date("expected_close");
        let closed_on = f.date("closed_on");
        let (source, external_id) = upsert_key(f);

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
        Some(DealInput {
            rep_email: rep_email?,
            name: name?,
            account,
            amount: amount?,
            currency: currency?,
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
    })
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

/// Turns parsed deals into rows ready to store, resolving the rep; every problem is named
/// with the item's index and nothing is returned unless all are good.
pub async fn resolve(
    db: &Db,
    items: Vec<(Option<i64>, DealInput)>,
) -> Result<Vec<DealWrite>, AppError> {
    let today = org::load(db).await?.today();
    let accounts = people::accounts(db).await?;
    let mut errors = Vec::new();
    let mut writes = Vec::with_capacity(items.len());
    for (index, d) in items {
        match people::resolve_rep(&accounts, &d.rep_email) {
            Ok(rep_id) => writes.push(to_write(d, rep_id, today)),
            Err(m) => errors.push(FieldError::new("rep_email", m).at(index)),
        }
    }
    AppError::check(errors)?;
    Ok(writes)
}

/// A deal ready to store.
#[derive(Debug, Clone)]
pub struct DealWrite {
    pub rep_id: i64,
    pub name: String,
    pub account: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub stage: String,
    pub probability: i64,
    pub status: &'static str,
    pub lost_reason: Option<String>,
    pub new_customer: bool,
    pub created_on: NaiveDate,
    pub expected_close: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub source: Option<String>,
    pub external_id: Option<String>,
}

const LOCK_DEAL: &str = "UPDATE deals SET external_id = external_id WHERE source = $1 AND external_id = $2 RETURNING id, rep_id, status";
const UPDATE_DEAL: &str = "UPDATE deals SET rep_id = $1, name = $2, account = $3, amount_minor = $4, currency = $5, \
    stage = $6, probability = $7, status = $8, lost_reason = $9, new_customer = $10, created_on = $11, \
    expected_close = $12, closed_on = $13, updated_at = $14 WHERE id = $15";
const INSERT_DEAL: &str = "INSERT INTO deals (rep_id, name, account, amount_minor, currency, stage, probability, status, \
    lost_reason, new_customer, created_on, expected_close, closed_on, source, external_id, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
    ON CONFLICT (source, external_id) DO NOTHING RETURNING id";

impl Record for DealWrite {
    const KIND: LiveKind = LiveKind::Deal;

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn write<'a>(
        &'a self,
        tx: &'a mut Tx,
        writer: &'a Writer,
    ) -> impl std::future::Future<Output = Result<Upserted, AppError>> + Send + 'a {
        write(tx, writer, self)
    }
}

/// Writes one deal in the caller's transaction: created, or updated in place when its
/// `(source, external_id)` is known.
pub async fn write(tx: &mut Tx, writer: &Writer, d: &DealWrite) -> Result<Upserted, AppError> {
    let now = Utc::now();
    // Twice at most: a concurrent insert of the same record between the lock and the
    // insert is found and updated on the second round.
    for _ in 0..2 {
        if let (Some(source), Some(external_id)) = (&d.source, &d.external_id) {
            let old: Option<(i64, i64, String)> = on_tx!(tx, |c| sqlx::query_as(LOCK_DEAL)
                .bind(source)
                .bind(external_id)
                .fetch_optional(c)
                .await)?;
            if let Some((id, old_rep, old_status)) = old {
                if old_rep != d.rep_id {
                    crate::activities::store::audit_reassign(
                        tx, writer, "deal", id, old_rep, d.rep_id,
                    )
                    .await?;
                }
                on_tx!(tx, |c| sqlx::query(UPDATE_DEAL)
                    .bind(d.rep_id)
                    .bind(&d.name)
                    .bind(&d.account)
                    .bind(d.amount_minor)
                    .bind(&d.currency)
                    .bind(&d.stage)
                    .bind(d.probability)
                    .bind(d.status)
                    .bind(&d.lost_reason)
                    .bind(d.new_customer)
                    .bind(d.created_on)
                    .bind(d.expected_close)
                    .bind(d.closed_on)
                    .bind(now)
                    .bind(id)
                    .execute(c)
                    .await
                    .map(|_| ()))?;
                return Ok(Upserted {
                    id,
                    created: false,
                    counts: true,
                    newly_won: d.status == "won" && old_status != "won",
                });
            }
        }
        let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(INSERT_DEAL)
            .bind(d.rep_id)
            .bind(&d.name)
            .bind(&d.account)
            .bind(d.amount_minor)
            .bind(&d.currency)
            .bind(&d.stage)
            .bind(d.probability)
            .bind(d.status)
            .bind(&d.lost_reason)
            .bind(d.new_customer)
            .bind(d.created_on)
            .bind(d.expected_close)
            .bind(d.closed_on)
            .bind(&d.source)
            .bind(&d.external_id)
            .bind(now)
            .fetch_optional(c)
            .await)?;
        if let Some(id) = id {
            return Ok(Upserted {
                id,
                created: true,
                counts: true,
                newly_won: d.status == "won",
            });
        }
    }
    Err(AppError::Conflict(
        "The same record was being written by another request; nothing was written. Retry the request."
            .into(),
    ))
}

/// Won deals celebrated per write at most: a bulk import of past wins is no party.
pub const CELEBRATIONS_PER_WRITE: usize = 3;

#[derive(sqlx::FromRow)]
struct WonRow {
    rep: String,
    team_id: Option<i64>,
    name: String,
    account: Option<String>,
    amount_minor: i64,
    currency: String,
    closed_on: Option<NaiveDate>,
}

/// Tells every open TV that these deals were just won, for the celebration: the rep, the
/// account and the amount (each stream leaves the amount out for a private display, and
/// a team's display only celebrates its team). Only deals closed since yesterday
/// (organisation-local; a CRM's clock may be a day ahead) are celebrated, at most [`CELEBRATIONS_PER_WRITE`] per write.
/// Never fails the write: a lost celebration is only a missed party.
pub async fn announce_wins(db: &Db, live: &crate::live::Live, deal_ids: &[i64]) {
    const SQL: &str = "SELECT u.name AS rep, u.team_id, d.name, d.account, d.amount_minor, d.currency, \
        d.closed_on FROM deals d JOIN users u ON u.id = d.rep_id WHERE d.id = $1 AND d.status = 'won'";
    let today = match org::load(db).await {
        Ok(s) => s.today(),
        Err(e) => {
            tracing::warn!("celebration: {e}");
            return;
        }
    };
    let mut told = 0;
    for id in deal_ids {
        if told == CELEBRATIONS_PER_WRITE {
            break;
        }
        let row: Result<Option<WonRow>, AppError> = crate::on_db!(db, |pool| sqlx::query_as(SQL)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(AppError::from);
        let row = match row {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("celebration: {e}");
                continue;
            }
        };
        if row
            .closed_on
            .is_some_and(|d| d < today - chrono::Duration::days(1) || d > today)
        {
            continue;
        }
        let account = row
            .account
            .filter(|a| !a.trim().is_empty())
            .unwrap_or(row.name)
            .trim()
            .to_string();
        live.won(crate::live::WonDeal {
            rep: row.rep,
            account,
            amount: Some(crate::tv::service::format_money(
                crate::scoring::Money(row.amount_minor),
                &row.currency,
            )),
            team_id: row.team_id,
        })
        .await;
        told += 1;
    }
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
