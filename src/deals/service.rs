//! The one home of deal rules: what a valid deal is (status, probability, dates, the rep
//! who owns it), and writing deals: upserted by `(source, external_id)`, all or nothing,
//! with the idempotency key in the same transaction, announced live. `/api/v1/deals`, the
//! CSV import, the rep's deal form and the seed are doors into here.

use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use serde_json::json;

use crate::auth::session::User;
use crate::error::{AppError, FieldError};
use crate::fields::{upsert_key, Fields};
use crate::idempotency::{Record, Upserted};
use crate::live::{Live, LiveKind};
use crate::people::service as people;
use crate::server::audit;
use crate::server::db::{Db, Tx};
use crate::server::org;
use crate::sources::Writer;
use crate::{on_db, on_tx};

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

// ---------------------------------------------------------------------------------------
// The rep's own deals (the phone's deals page)
// ---------------------------------------------------------------------------------------

/// The longest list of lost reasons an organisation keeps (a phone picker, not a taxonomy).
pub const MAX_LOST_REASONS: usize = 30;

/// The organisation's lost reasons, in the order the rep's form offers them.
pub async fn lost_reasons(db: &Db) -> Result<Vec<String>, AppError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT label FROM lost_reasons ORDER BY sort_order, id"
    )
    .fetch_all(pool)
    .await)?)
}

/// Replaces the organisation's lost reasons with `text`, one reason a line (blank lines
/// skipped, order kept). Refused as a whole, naming the problem, on a reason longer than a
/// deal's `lost_reason`, a duplicate, or too many; audited, announced.
pub async fn put_lost_reasons(
    db: &Db,
    live: &Live,
    actor: &str,
    text: &str,
) -> Result<Vec<String>, AppError> {
    let reasons: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mut errors = Vec::new();
    if let Some(long) = reasons.iter().find(|r| r.chars().count() > 200) {
        errors.push(FieldError::new(
            "lost_reasons",
            format!("'{long}' is longer than 200 characters"),
        ));
    }
    if reasons.iter().any(|r| r.contains('\0')) {
        errors.push(FieldError::new(
            "lost_reasons",
            "must not contain the NUL character",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = reasons.iter().find(|r| !seen.insert(r.to_lowercase())) {
        errors.push(FieldError::new(
            "lost_reasons",
            format!("'{dup}' is listed twice"),
        ));
    }
    if reasons.len() > MAX_LOST_REASONS {
        errors.push(FieldError::new(
            "lost_reasons",
            format!("at most {MAX_LOST_REASONS} reasons"),
        ));
    }
    AppError::check(errors)?;
    let before = lost_reasons(db).await?;
    let mut tx = db.begin_write().await?;
    on_tx!(&mut tx, |c| sqlx::query("DELETE FROM lost_reasons")
        .execute(c)
        .await
        .map(|_| ()))?;
    for (i, r) in reasons.iter().enumerate() {
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO lost_reasons (label, sort_order) VALUES ($1, $2)"
        )
        .bind(r)
        .bind(i as i64)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    audit::record_in(
        &mut tx,
        actor,
        "update",
        "lost_reasons",
        Some(json!(before)),
        Some(json!(reasons)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(reasons)
}

/// A won or lost deal as the rep typed it on the phone: amount in the major unit
/// (`1250.50`), blanks for what was left out (close date: today).
#[derive(Debug, Clone, Default)]
pub struct ClosedDealForm {
    pub won: bool,
    pub amount: String,
    pub account: String,
    pub name: String,
    pub new_customer: bool,
    pub lost_reason: String,
    pub closed_on: String,
    /// The form's retry key: the same key twice (a double tap, a resent plain post) stores
    /// one deal.
    pub client_key: Option<String>,
}

/// A change a rep makes to one of their own open deals.
#[derive(Debug, Clone)]
pub enum OwnDealChange {
    /// Stage, probability (whole percent, as typed) and expected close month (`YYYY-MM`,
    /// blank for none).
    Pipeline {
        stage: String,
        probability: String,
        expected_month: String,
    },
    /// Won today.
    Won,
    /// Lost today, for a reason of the organisation's list.
    Lost { reason: String },
}

/// A reason checked against the organisation's list (any text, or none, when it keeps no
/// list); the problem is named on `lost_reason`.
fn check_reason(reason: &str, list: &[String], errors: &mut Vec<FieldError>) -> Option<String> {
    let reason = reason.trim();
    if list.is_empty() {
        return (!reason.is_empty()).then(|| reason.to_string());
    }
    if reason.is_empty() {
        errors.push(FieldError::new("lost_reason", "choose a reason"));
        return None;
    }
    match list.iter().find(|r| r.eq_ignore_ascii_case(reason)) {
        Some(r) => Some(r.clone()),
        None => {
            errors.push(FieldError::new(
                "lost_reason",
                format!("'{reason}' is not one of the organisation's lost reasons"),
            ));
            None
        }
    }
}

/// An amount as a rep types it, in the currency's major unit, to minor units.
fn amount_minor(text: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let text = text.trim().replace([',', ' '], "");
    if text.is_empty() {
        errors.push(FieldError::new("amount", "is required"));
        return None;
    }
    match crate::scoring::Money::parse(&text) {
        Ok(m) if m.0 < 0 => {
            errors.push(FieldError::new("amount", "must not be negative"));
            None
        }
        Ok(m) => Some(m.0),
        Err(_) => {
            errors.push(FieldError::new(
                "amount",
                "must be an amount such as 1250 or 1250.50",
            ));
            None
        }
    }
}

/// The deal parsed by the same rules as every other door ([`parse`]), its problems added
/// to `errors`; the amount problems of [`parse`] are in minor units, so the form's own
/// reading of the amount speaks for it.
fn parse_own(value: &Value, errors: &mut Vec<FieldError>) -> Option<DealInput> {
    let mut found = Vec::new();
    let parsed = parse(value, None, &mut found);
    let amount_named = errors.iter().any(|e| e.field == "amount");
    errors.extend(found.into_iter().map(|mut e| {
        if e.field == "amount" && !amount_named {
            e.message = "is too large".into();
        }
        e
    }));
    parsed
}

fn audit_json(id: i64, d: &DealWrite) -> Value {
    json!({
        "id": id, "rep_id": d.rep_id, "name": d.name, "account": d.account,
        "amount_minor": d.amount_minor, "currency": d.currency, "stage": d.stage,
        "probability": d.probability, "status": d.status, "lost_reason": d.lost_reason,
        "new_customer": d.new_customer, "created_on": d.created_on,
        "expected_close": d.expected_close, "closed_on": d.closed_on,
    })
}

fn money_text(minor: i64, currency: &str) -> String {
    crate::scoring::Money(minor).with_currency(currency)
}

/// The source of deals logged on the rep's own page, keyed by the form's retry key.
pub const PHONE_SOURCE: &str = "pacesetter-phone";

/// Logs a deal the signed-in rep won or lost, through the same rules as the API, plus the
/// phone's: the reason comes from the organisation's list, the close date is not in the
/// future. Audited as the rep, announced live (leaderboards and TV update).
pub async fn log_own_closed(
    db: &Db,
    live: &Live,
    user: &User,
    form: ClosedDealForm,
) -> Result<crate::deals::DealSaved, AppError> {
    people::require_scored(user)?;
    // A form sent twice is stored once: its key is the deal's upsert key in the phone's own
    // source, scoped to the rep.
    let key = match form.client_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) if k.len() > 100 => {
            return Err(AppError::BadRequest("The form's key is too long.".into()))
        }
        Some(k) => Some(format!("{}:{k}", user.id)),
    };
    if let Some(key) = &key {
        let stored: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
            "SELECT id FROM deals WHERE source = $1 AND external_id = $2"
        )
        .bind(PHONE_SOURCE)
        .bind(key)
        .fetch_optional(pool)
        .await)?;
        if let Some(id) = stored {
            return Ok(crate::deals::DealSaved {
                id,
                notice: "Already logged: that deal counts once.".into(),
            });
        }
    }
    let settings = org::load(db).await?;
    let today = settings.today();
    let mut errors = Vec::new();
    let amount = amount_minor(&form.amount, &mut errors);
    let account = form.account.trim();
    let closed_on = match form.closed_on.trim() {
        "" => today.to_string(),
        d => d.to_string(),
    };
    if NaiveDate::parse_from_str(&closed_on, "%Y-%m-%d").is_ok_and(|d| d > today) {
        errors.push(FieldError::new("closed_on", "must not be in the future"));
    }
    let name = match (form.name.trim(), account) {
        ("", "") => format!("Deal {} {closed_on}", if form.won { "won" } else { "lost" }),
        ("", account) => account.to_string(),
        (name, _) => name.to_string(),
    };
    let mut value = json!({
        "rep_email": user.email, "name": name, "amount": amount.unwrap_or(0),
        "currency": settings.currency, "status": if form.won { "won" } else { "lost" },
        "closed_on": closed_on, "new_customer": form.new_customer,
    });
    if !account.is_empty() {
        value["account"] = json!(account);
    }
    if let Some(key) = key {
        value["source"] = json!(PHONE_SOURCE);
        value["external_id"] = json!(key);
    }
    if !form.won {
        let list = lost_reasons(db).await?;
        if let Some(reason) = check_reason(&form.lost_reason, &list, &mut errors) {
            value["lost_reason"] = json!(reason);
        }
    }
    let parsed = parse_own(&value, &mut errors);
    AppError::check(errors)?;
    let parsed = parsed.ok_or(AppError::Internal)?;
    let write = resolve(db, vec![(None, parsed)])
        .await?
        .pop()
        .ok_or(AppError::Internal)?;
    let writer = Writer::Person(user.email.clone());
    let mut tx = db.begin_write().await?;
    let id = crate::deals::service::write(&mut tx, &writer, &write)
        .await?
        .id;
    audit::record_in(
        &mut tx,
        &user.email,
        "create",
        &format!("deal:{id}"),
        None,
        Some(audit_json(id, &write)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Deal).await;
    if write.status == "won" {
        announce_wins(db, live, &[id]).await;
    }
    let amount = money_text(write.amount_minor, &write.currency);
    Ok(crate::deals::DealSaved {
        id,
        notice: if form.won {
            format!("Won deal logged: {amount}.")
        } else {
            format!("Lost deal logged: {amount}.")
        },
    })
}

/// A deal as stored, for a change by its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
struct StoredDeal {
    rep_id: i64,
    name: String,
    account: Option<String>,
    amount_minor: i64,
    currency: String,
    stage: String,
    probability: i64,
    status: String,
    new_customer: bool,
    created_on: NaiveDate,
    expected_close: Option<NaiveDate>,
}

const STORED_DEAL: &str =
    "SELECT rep_id, name, account, amount_minor, currency, stage, probability, status, \
    new_customer, created_on, expected_close FROM deals WHERE id = $1";

/// The deal `id` when it is the rep's own and still open; someone else's deal, a closed
/// one and a missing one are refused alike (nothing tells whose it is).
async fn own_open(db: &Db, rep_id: i64, id: i64) -> Result<StoredDeal, AppError> {
    let row: Option<StoredDeal> = on_db!(db, |pool| sqlx::query_as(STORED_DEAL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.filter(|d| d.rep_id == rep_id && d.status == "open")
        .ok_or_else(|| AppError::NotFound("That open deal of yours".into()))
}

/// Changes one of the signed-in rep's own open deals — moves it along the pipeline, or
/// marks it won or lost today — through the same rules as the API. Only the owner may;
/// audited with before and after, announced live.
pub async fn change_own_open(
    db: &Db,
    live: &Live,
    user: &User,
    id: i64,
    change: OwnDealChange,
) -> Result<crate::deals::DealSaved, AppError> {
    people::require_scored(user)?;
    let old = own_open(db, user.id, id).await?;
    let today = org::load(db).await?.today();
    let mut errors = Vec::new();
    let mut value = json!({
        "rep_email": user.email, "name": old.name, "account": old.account,
        "amount": old.amount_minor, "currency": old.currency, "stage": old.stage,
        "probability": old.probability, "status": "open", "new_customer": old.new_customer,
        "created_on": old.created_on.to_string(),
        "expected_close": old.expected_close.map(|d| d.to_string()),
    });
    let notice = match change {
        OwnDealChange::Pipeline {
            stage,
            probability,
            expected_month,
        } => {
            if stage.trim().is_empty() {
                errors.push(FieldError::new("stage", "choose a stage"));
            }
            value["stage"] = json!(stage);
            match probability
                .trim()
                .trim_end_matches('%')
                .trim()
                .parse::<i64>()
            {
                Ok(p) => value["probability"] = json!(p),
                Err(_) => errors.push(FieldError::new(
                    "probability",
                    "must be a whole number from 0 to 100",
                )),
            }
            value["expected_close"] = match expected_month.trim() {
                "" => Value::Null,
                month => match NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d") {
                    // The same month keeps its day; another month means its end.
                    Ok(first) => {
                        let ym = crate::scoring::YearMonth::of(first);
                        match old.expected_close {
                            Some(d) if crate::scoring::YearMonth::of(d) == ym => {
                                json!(d.to_string())
                            }
                            _ => json!(ym.last_day().to_string()),
                        }
                    }
                    Err(_) => {
                        errors.push(FieldError::new(
                            "expected_month",
                            "must be a month such as 2026-12",
                        ));
                        Value::Null
                    }
                },
            };
            "Deal updated.".to_string()
        }
        OwnDealChange::Won => {
            value["status"] = json!("won");
            value["stage"] = json!("Won");
            value["probability"] = json!(100);
            value["closed_on"] = json!(today.to_string());
            format!("Won: {}.", money_text(old.amount_minor, &old.currency))
        }
        OwnDealChange::Lost { reason } => {
            let list = lost_reasons(db).await?;
            if let Some(reason) = check_reason(&reason, &list, &mut errors) {
                value["lost_reason"] = json!(reason);
            }
            value["status"] = json!("lost");
            value["stage"] = json!("Lost");
            value["probability"] = json!(0);
            value["closed_on"] = json!(today.to_string());
            format!("Lost: {}.", money_text(old.amount_minor, &old.currency))
        }
    };
    let parsed = parse_own(&value, &mut errors);
    AppError::check(errors)?;
    let parsed = parsed.ok_or(AppError::Internal)?;
    let write = resolve(db, vec![(None, parsed)])
        .await?
        .pop()
        .ok_or(AppError::Internal)?;
    let mut tx = db.begin_write().await?;
    let before: Option<StoredDeal> = on_tx!(&mut tx, |c| sqlx::query_as(STORED_DEAL)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    // Closed or handed over since it was read: refused like any deal not open and not theirs.
    if !before
        .as_ref()
        .is_some_and(|d| d.rep_id == user.id && d.status == "open")
    {
        return Err(AppError::NotFound("That open deal of yours".into()));
    }
    on_tx!(&mut tx, |c| sqlx::query(UPDATE_DEAL)
        .bind(write.rep_id)
        .bind(&write.name)
        .bind(&write.account)
        .bind(write.amount_minor)
        .bind(&write.currency)
        .bind(&write.stage)
        .bind(write.probability)
        .bind(write.status)
        .bind(&write.lost_reason)
        .bind(write.new_customer)
        .bind(write.created_on)
        .bind(write.expected_close)
        .bind(write.closed_on)
        .bind(Utc::now())
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    let old_json = json!({
        "id": id, "stage": old.stage, "probability": old.probability, "status": old.status,
        "expected_close": old.expected_close,
    });
    audit::record_in(
        &mut tx,
        &user.email,
        "update",
        &format!("deal:{id}"),
        Some(old_json),
        Some(audit_json(id, &write)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Deal).await;
    if write.status == "won" {
        announce_wins(db, live, &[id]).await;
    }
    Ok(crate::deals::DealSaved { id, notice })
}

#[derive(Debug, sqlx::FromRow)]
struct OpenRow {
    id: i64,
    name: String,
    account: Option<String>,
    amount_minor: i64,
    currency: String,
    stage: String,
    probability: i64,
    expected_close: Option<NaiveDate>,
}

/// The rep's deals page: this month's turnover won, deals won and lost, win rate and the
/// open and weighted pipeline (all from the scoring engine), the open deals soonest
/// expected first, and the organisation's lost reasons.
pub async fn my_deals(db: &Db, rep_id: i64) -> Result<crate::deals::MyDeals, AppError> {
    use crate::scoring::{metrics, Money, Period, PeriodKind, Population, YearMonth};
    let settings = org::load(db).await?;
    let today = settings.today();
    let period = Period::containing(PeriodKind::Month, today, settings.fiscal_start());
    let deals = crate::scorecard::repo::deals(db, rep_id).await?;
    let me = Population::Rep(rep_id);
    let pipeline = metrics::weighted_pipeline_by_month(&deals, &me, None);
    let sum = |f: fn(&metrics::PipelineMonth) -> Money| {
        pipeline
            .iter()
            .fold(Money::ZERO, |a, m| a.saturating_add(f(m)))
    };
    let currency = settings.currency.clone();
    let figures = crate::deals::DealFigures {
        period_label: period.label(),
        turnover_won: money_text(metrics::turnover_won(&deals, &me, &period).0, &currency),
        won: metrics::deals_won(&deals, &me, &period),
        lost: metrics::deals_lost(&deals, &me, &period),
        win_rate: crate::scoring::display_percent(metrics::win_rate(&deals, &me, &period)),
        open_count: pipeline.iter().map(|m| m.deals).sum(),
        open_amount: money_text(sum(|m| m.amount).0, &currency),
        weighted: money_text(sum(|m| m.weighted).0, &currency),
    };
    const OPEN: &str =
        "SELECT id, name, account, amount_minor, currency, stage, probability, expected_close \
        FROM deals WHERE rep_id = $1 AND status = 'open' \
        ORDER BY expected_close IS NULL, expected_close, id";
    let rows: Vec<OpenRow> = on_db!(db, |pool| sqlx::query_as(OPEN)
        .bind(rep_id)
        .fetch_all(pool)
        .await)?;
    let open = rows
        .into_iter()
        .map(|r| crate::deals::OpenDealView {
            id: r.id,
            name: r.name,
            account: r.account.unwrap_or_default(),
            amount: money_text(r.amount_minor, &r.currency),
            stage: r.stage,
            probability: r.probability,
            expected_month: r
                .expected_close
                .map(|d| YearMonth::of(d).key())
                .unwrap_or_default(),
            expected_label: r
                .expected_close
                .map(|d| YearMonth::of(d).label())
                .unwrap_or_else(|| "no close date".into()),
        })
        .collect();
    Ok(crate::deals::MyDeals {
        currency,
        today: today.to_string(),
        figures,
        open,
        lost_reasons: lost_reasons(db).await?,
        returned: None,
    })
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
            amount: Some(crate::scoring::Money(row.amount_minor).with_currency(&row.currency)),
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
