//! `GET /export/activities.csv`, `/export/deals.csv` and `/export/leaderboard.csv`, for an
//! admin's browser session or an API token with the `read` scope. The activity and deal files
//! have the import's columns, so a file exported and imported back changes nothing. Text
//! cells go through [`text`], so nothing in them runs as a spreadsheet formula.

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;

use super::cells::escape_text as text;
use super::import::EXPORT_SOURCE;
use crate::auth::session::{session_id_from_headers, user_for_session};
use crate::auth::AccessRole;
use crate::leaderboard::service as board;
use crate::on_db;
use crate::scoring::{Period, PeriodKind};
use crate::server::http_error::ApiError;
use crate::server::org;
use crate::server::state::AppState;
use crate::server::tokens::{self, Scope};

/// The export routes; the app merges them at the root.
pub fn export_router() -> Router<AppState> {
    Router::new()
        .route("/export/activities.csv", get(activities_csv))
        .route("/export/deals.csv", get(deals_csv))
        .route("/export/leaderboard.csv", get(leaderboard_csv))
        .route("/export/scorecards.csv", get(scorecards_csv))
}

/// An admin signed in with the browser, or an API token with the `read` scope.
pub struct ExportAccess;

impl FromRequestParts<AppState> for ExportAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return tokens::authorize_bearer(&state.db, &parts.headers, Scope::Read)
                .await
                .map(|_| ExportAccess);
        }
        let user = match session_id_from_headers(&parts.headers) {
            Some(id) => user_for_session(&state.db, &id, Utc::now()).await?,
            None => None,
        };
        match user {
            None => Err(ApiError::unauthenticated(
                "Sign in as an admin, or send an API token with the read scope as `Authorization: Bearer <token>`.",
            )),
            Some(u) if u.role() != AccessRole::Admin => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Exports are for admins.",
            )),
            Some(_) => Ok(ExportAccess),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    /// First local day, `YYYY-MM-DD` (default: the beginning).
    pub from: Option<String>,
    /// Last local day, inclusive (default: no end).
    pub to: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LeaderboardQuery {
    pub period: Option<String>,
    pub date: Option<String>,
    pub team: Option<String>,
}

fn bad_query(_: QueryRejection) -> ApiError {
    ApiError::bad_request("invalid_query", "The query string could not be read.")
}

fn date_param(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::bad_request("invalid_date", format!("{name} must be a date YYYY-MM-DD."))
            }),
    }
}

/// The days asked for, and the part of the file name that says so.
fn range(q: &RangeQuery) -> Result<(NaiveDate, NaiveDate, String), ApiError> {
    let from = date_param("from", q.from.as_deref())?;
    let to = date_param("to", q.to.as_deref())?;
    // Bounds both engines store and compare as dates (and SQLite as text) alike.
    let first = from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default());
    let last = to.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default());
    if first > last {
        return Err(ApiError::bad_request(
            "invalid_range",
            "from must not be after to.",
        ));
    }
    let label = match (from, to) {
        (None, None) => String::new(),
        (Some(f), None) => format!("-from-{f}"),
        (None, Some(t)) => format!("-to-{t}"),
        (Some(f), Some(t)) => format!("-{f}-{t}"),
    };
    Ok((first, last, label))
}

pub(crate) fn csv_response(file_name: &str, body: Vec<u8>) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Writes the rows as CSV; writing to memory cannot fail but for a bug, logged as such.
pub(crate) fn to_csv(
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| {
        tracing::error!(error = %e, "cannot write CSV");
        ApiError::internal()
    };
    w.write_record(header).map_err(fail)?;
    for row in rows {
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| {
        tracing::error!(error = %e, "cannot finish CSV");
        ApiError::internal()
    })
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The record's own key, or the one an import recognises as this record.
fn key(source: Option<String>, external_id: Option<String>, prefix: &str, id: i64) -> [String; 2] {
    match (source, external_id) {
        (Some(s), Some(e)) => [s, e],
        _ => [EXPORT_SOURCE.to_string(), format!("{prefix}-{id}")],
    }
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    rep_email: String,
    type_key: String,
    occurred_at: DateTime<Utc>,
    quantity: i64,
    duration_seconds: Option<i64>,
    note: Option<String>,
    account: Option<String>,
    source: Option<String>,
    external_id: Option<String>,
}

const ACTIVITIES: &str = "SELECT a.id, u.email AS rep_email, t.key AS type_key, a.occurred_at, a.quantity, \
    a.duration_seconds, a.note, a.account, a.source, a.external_id FROM activities a \
    JOIN users u ON u.id = a.rep_id JOIN activity_types t ON t.id = a.activity_type_id \
    WHERE a.deleted_at IS NULL AND a.local_date >= $1 AND a.local_date <= $2 ORDER BY a.occurred_at, a.id";

/// The import's columns, so an export imports back as it is.
pub const ACTIVITY_COLUMNS: [&str; 9] = crate::activities::service::FIELDS;

/// Live activities whose organisation-local date is in `from..=to`.
async fn activities_csv(
    State(state): State<AppState>,
    _access: ExportAccess,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (from, to, label) = range(&q)?;
    let rows: Vec<ActivityRow> = on_db!(&state.db, |pool| sqlx::query_as(ACTIVITIES)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let body = to_csv(
        &ACTIVITY_COLUMNS,
        rows.into_iter().map(|r| {
            let [source, external_id] = key(r.source, r.external_id, "activity", r.id);
            vec![
                text(&r.rep_email),
                text(&r.type_key),
                r.occurred_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                r.quantity.to_string(),
                opt(r.duration_seconds),
                text(&opt(r.note)),
                text(&opt(r.account)),
                text(&source),
                text(&external_id),
            ]
        }),
    )?;
    Ok(csv_response(&format!("activities{label}.csv"), body))
}

#[derive(sqlx::FromRow)]
struct DealRow {
    id: i64,
    rep_email: String,
    name: String,
    account: Option<String>,
    amount_minor: i64,
    currency: String,
    stage: String,
    probability: i64,
    status: String,
    lost_reason: Option<String>,
    new_customer: bool,
    created_on: NaiveDate,
    expected_close: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    source: Option<String>,
    external_id: Option<String>,
}

const DEALS: &str = "SELECT d.id, u.email AS rep_email, d.name, d.account, d.amount_minor, d.currency, d.stage, \
    d.probability, d.status, d.lost_reason, d.new_customer, d.created_on, d.expected_close, d.closed_on, \
    d.source, d.external_id FROM deals d JOIN users u ON u.id = d.rep_id \
    WHERE d.created_on <= $2 AND (d.closed_on IS NULL OR d.closed_on >= $1) ORDER BY d.created_on, d.id";

pub const DEAL_COLUMNS: [&str; 15] = crate::deals::service::FIELDS;

/// Deals alive at some point of `from..=to`: created by its end and not closed before it.
async fn deals_csv(
    State(state): State<AppState>,
    _access: ExportAccess,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (from, to, label) = range(&q)?;
    let rows: Vec<DealRow> = on_db!(&state.db, |pool| sqlx::query_as(DEALS)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let body = to_csv(
        &DEAL_COLUMNS,
        rows.into_iter().map(|r| {
            let [source, external_id] = key(r.source, r.external_id, "deal", r.id);
            let lost_reason = if r.status == "lost" {
                r.lost_reason
            } else {
                None
            };
            vec![
                text(&r.rep_email),
                text(&r.name),
                text(&opt(r.account)),
                r.amount_minor.to_string(),
                text(&r.currency),
                text(&r.stage),
                r.probability.to_string(),
                r.status,
                text(&opt(lost_reason)),
                r.new_customer.to_string(),
                r.created_on.to_string(),
                opt(r.expected_close),
                opt(r.closed_on),
                text(&source),
                text(&external_id),
            ]
        }),
    )?;
    Ok(csv_response(&format!("deals{label}.csv"), body))
}

/// The activity-score ranking of the period containing `date`, as the leaderboard computes it.
async fn leaderboard_csv(
    State(state): State<AppState>,
    _access: ExportAccess,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let (kind, settings, date, team_id) = board_query(db, query).await?;
    let period = Period::containing(kind, date, settings.fiscal_start());
    let board = board::leaderboard_for(db, &settings.org_name, period, team_id).await?;
    let emails: std::collections::HashMap<i64, String> = board::reps(db, team_id)
        .await?
        .into_iter()
        .map(|r| (r.id, r.email))
        .collect();
    let body = to_csv(
        &["rank", "rep_email", "rep_name", "team", "points"],
        board.entries.into_iter().map(|e| {
            vec![
                e.rank.to_string(),
                text(
                    emails
                        .get(&e.rep_id)
                        .map(String::as_str)
                        .unwrap_or_default(),
                ),
                text(&e.name),
                text(&e.team.unwrap_or_default()),
                e.points.display(),
            ]
        }),
    )?;
    Ok(csv_response(
        &format!("leaderboard-{}-{}.csv", kind.as_str(), period.start),
        body,
    ))
}

/// `?period=…&date=…&team=…` of the leaderboard and scorecard exports: the period kind, the
/// settings, the date (today in the organisation by default) and the team, if any.
async fn board_query(
    db: &crate::server::db::Db,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<(PeriodKind, org::OrgSettings, NaiveDate, Option<i64>), ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let scope = board::scope(
        db,
        q.period.as_deref(),
        q.date.as_deref(),
        q.team.as_deref(),
    )
    .await?;
    Ok((scope.kind, scope.settings, scope.date, scope.team_id))
}

/// Every scored rep's scorecard for the period containing `date`: one row per rep and
/// scorecard line, as the scorecard page computes it (actual, target, expected, pace, band).
async fn scorecards_csv(
    State(state): State<AppState>,
    _access: ExportAccess,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let (kind, settings, date, team_id) = board_query(db, query).await?;
    let mut rows = Vec::new();
    for rep in board::reps(db, team_id).await? {
        let card = crate::scorecard::service::rep_scorecard(db, rep.id, kind, date).await?;
        for line in card.lines {
            // Figures (weight … pace, composite) are numbers the scorecard formats.
            rows.push(vec![
                text(&rep.email),
                text(&rep.name),
                text(rep.team.as_deref().unwrap_or_default()),
                text(card.role.as_deref().unwrap_or_default()),
                text(&card.period_label),
                text(&line.label),
                text(&line.indicator),
                line.weight.to_string(),
                line.actual,
                line.target,
                line.expected_to_date,
                line.attainment,
                line.pace,
                text(&line.band.label),
                card.composite.clone(),
                text(&card.composite_band.label),
            ]);
        }
    }
    let body = to_csv(
        &[
            "rep_email",
            "rep_name",
            "team",
            "role",
            "period",
            "metric",
            "indicator",
            "weight",
            "actual",
            "target",
            "expected_to_date",
            "attainment",
            "pace",
            "band",
            "composite",
            "composite_band",
        ],
        rows.into_iter(),
    )?;
    let period = Period::containing(kind, date, settings.fiscal_start());
    Ok(csv_response(
        &format!("scorecards-{}-{}.csv", kind.as_str(), period.start),
        body,
    ))
}
