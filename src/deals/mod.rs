//! Deals: pipeline, won and lost, feeding the lagging metrics (turnover, win rate, pipeline);
//! the rep's own deals page.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::forms::ReturnedForm;

/// The pipeline stages a rep picks from, with the probability a new deal at that stage
/// usually has (whole percent). A deal keeps any other stage a CRM sent.
pub const PIPELINE_STAGES: [(&str, i64); 4] = [
    ("Qualification", 10),
    ("Discovery", 25),
    ("Proposal", 50),
    ("Negotiation", 75),
];

/// Where the rep's deals page lives; plain form posts come back here.
pub const MY_DEALS_PATH: &str = "/me/deals";

/// The rep's deal figures for the current month, from the scoring engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealFigures {
    pub period_label: String,
    /// "EUR 12,500".
    pub turnover_won: String,
    pub won: i64,
    pub lost: i64,
    /// "67%" or "n/a".
    pub win_rate: String,
    pub open_count: i64,
    pub open_amount: String,
    /// Σ amount × probability of the open deals.
    pub weighted: String,
}

/// One of the rep's open deals, as the pipeline list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDealView {
    pub id: i64,
    pub name: String,
    /// Empty when none.
    pub account: String,
    pub amount: String,
    pub stage: String,
    pub probability: i64,
    /// `YYYY-MM` for the month input; empty when not set.
    pub expected_month: String,
    /// "Dec 2026" or "no close date".
    pub expected_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDeals {
    pub currency: String,
    /// Organisation-local today, `YYYY-MM-DD` (the default close date).
    pub today: String,
    pub figures: DealFigures,
    pub open: Vec<OpenDealView>,
    /// The organisation's lost reasons, in order; empty when it keeps none.
    pub lost_reasons: Vec<String>,
    /// The form a plain post (no JavaScript) was refused with, to show again.
    pub returned: Option<ReturnedForm>,
}

/// What a deal save did, in words for the toast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealSaved {
    pub id: i64,
    pub notice: String,
}

/// The signed-in rep's deals page: figures, open pipeline, lost reasons.
#[server(endpoint = "my_deals")]
pub async fn get_my_deals() -> Result<MyDeals, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let mut deals = service::my_deals(&state.db, user.id).await?;
        deals.returned = crate::forms::take_returned();
        Ok(deals)
    })
    .await
}

/// Logs a deal the signed-in rep won (amount in the currency's major unit, `1250.50`).
#[server(endpoint = "log_won_deal")]
pub async fn log_won_deal(
    amount: String,
    account: String,
    name: String,
    new_customer: Option<String>,
    closed_on: String,
    client_key: Option<String>,
) -> Result<DealSaved, AppError> {
    let typed = [
        ("amount", amount.as_str()),
        ("account", account.as_str()),
        ("name", name.as_str()),
        ("new_customer", new_customer.as_deref().unwrap_or("")),
        ("closed_on", closed_on.as_str()),
    ];
    let result = crate::server::respond(async {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let form = service::ClosedDealForm {
            won: true,
            amount: amount.clone(),
            account: account.clone(),
            name: name.clone(),
            new_customer: new_customer.is_some(),
            lost_reason: String::new(),
            closed_on: closed_on.clone(),
            client_key,
        };
        service::log_own_closed(&state.db, &state.live, &user, form).await
    })
    .await;
    crate::forms::finish(result, MY_DEALS_PATH, "won", &typed, "won")
}

/// Logs a deal the signed-in rep lost, with a reason from the organisation's list.
#[server(endpoint = "log_lost_deal")]
pub async fn log_lost_deal(
    amount: String,
    account: String,
    name: String,
    lost_reason: String,
    closed_on: String,
    client_key: Option<String>,
) -> Result<DealSaved, AppError> {
    let typed = [
        ("amount", amount.as_str()),
        ("account", account.as_str()),
        ("name", name.as_str()),
        ("lost_reason", lost_reason.as_str()),
        ("closed_on", closed_on.as_str()),
    ];
    let result = crate::server::respond(async {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let form = service::ClosedDealForm {
            won: false,
            amount: amount.clone(),
            account: account.clone(),
            name: name.clone(),
            new_customer: false,
            lost_reason: lost_reason.clone(),
            closed_on: closed_on.clone(),
            client_key,
        };
        service::log_own_closed(&state.db, &state.live, &user, form).await
    })
    .await;
    crate::forms::finish(result, MY_DEALS_PATH, "lost", &typed, "lost")
}

/// Moves one of the signed-in rep's open deals along: stage, probability (whole percent),
/// expected close month (`YYYY-MM`, blank for none).
#[server(endpoint = "update_my_deal")]
pub async fn update_my_deal(
    id: i64,
    stage: String,
    probability: String,
    expected_month: String,
) -> Result<DealSaved, AppError> {
    let typed = [
        ("stage", stage.as_str()),
        ("probability", probability.as_str()),
        ("expected_month", expected_month.as_str()),
    ];
    let result = crate::server::respond(async {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let change = service::OwnDealChange::Pipeline {
            stage: stage.clone(),
            probability: probability.clone(),
            expected_month: expected_month.clone(),
        };
        service::change_own_open(&state.db, &state.live, &user, id, change).await
    })
    .await;
    crate::forms::finish(
        result,
        MY_DEALS_PATH,
        &format!("deal-{id}"),
        &typed,
        "updated",
    )
}

/// Marks one of the signed-in rep's open deals won (`outcome` = `won`) or lost (`lost`,
/// with a reason from the organisation's list), closed today.
#[server(endpoint = "close_my_deal")]
pub async fn close_my_deal(
    id: i64,
    outcome: String,
    lost_reason: Option<String>,
) -> Result<DealSaved, AppError> {
    let reason = lost_reason.unwrap_or_default();
    let typed = [
        ("outcome", outcome.as_str()),
        ("lost_reason", reason.as_str()),
    ];
    let result = crate::server::respond(async {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let change = match outcome.as_str() {
            "won" => service::OwnDealChange::Won,
            "lost" => service::OwnDealChange::Lost {
                reason: reason.clone(),
            },
            _ => return Err(AppError::invalid("outcome", "must be won or lost")),
        };
        service::change_own_open(&state.db, &state.live, &user, id, change).await
    })
    .await;
    let done = if outcome == "won" {
        "closed-won"
    } else {
        "closed-lost"
    };
    crate::forms::finish(result, MY_DEALS_PATH, &format!("close-{id}"), &typed, done)
}
