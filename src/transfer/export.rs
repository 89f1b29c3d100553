//! `GET /export/activities.csv`, `/export/deals.csv`, `/export/leaderboard.csv`,
//! `/export/scorecards.csv` and every table of the team view (`/export/team/<table>.csv`),
//! for an admin's browser session or an API token with the `read` scope (everything), or a
//! manager's session (their own team only, enforced here). The activity and deal files
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
        .route("/export/team/{file}", get(team_csv))
}

/// Who is exporting: an admin signed in with the browser or an API token with the `read`
/// scope (everything), or a manager signed in (their own team's rows only).
pub enum ExportAccess {
    Everything,
    Team { id: i64, name: String },
}

impl ExportAccess {
    /// The team every row must belong to, if any.
    fn team_id(&self) -> Option<i64> {
        match self {
            ExportAccess::Everything => None,
            ExportAccess::Team { id, .. } => Some(*id),
        }
    }

    /// The team (by name) a board export covers: a manager's own whatever they ask, and any
    /// other team refused like a team that does not exist.
    fn team(&self, requested: Option<&str>) -> Result<Option<String>, ApiError> {
        match self {
            ExportAccess::Everything => Ok(requested.map(str::to_string)),
            ExportAccess::Team { name, .. } => Ok(crate::team::service::team_for(
                AccessRole::Manager,
                Some(name),
                requested,
            )?),
        }
    }
}

impl FromRequestParts<AppState> for ExportAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return tokens::authorize_bearer(&state.db, &parts.headers, Scope::Read)
                .await
                .map(|_| ExportAccess::Everything);
        }
        let user = match session_id_from_headers(&parts.headers) {
            Some(id) => user_for_session(&state.db, &id, Utc::now()).await?,
            None => None,
        };
        match user {
            None => Err(ApiError::unauthenticated(
                "Sign in as an admin or a manager, or send an API token with the read scope as `Authorization: Bearer <token>`.",
            )),
            Some(u) => match (u.role(), u.team_id, u.team_name) {
                (AccessRole::Admin, _, _) => Ok(ExportAccess::Everything),
                (AccessRole::Manager, Some(id), Some(name)) => Ok(ExportAccess::Team { id, name }),
                (AccessRole::Manager, _, _) => Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Exports are for admins and for the managers of a team.",
                )),
                (AccessRole::Rep, _, _) => Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Exports are for admins and managers.",
                )),
            },
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

const ACTIVITIES: &str =
    "SELECT a.id, u.email AS rep_email, t.key AS type_key, a.occurred_at, a.quantity, \
    a.duration_seconds, a.note, a.account, a.source, a.external_id FROM activities a \
    JOIN users u ON u.id = a.rep_id JOIN activity_types t ON t.id = a.activity_type_id \
    WHERE a.deleted_at IS NULL AND a.local_date >= $1 AND a.local_date <= $2 \
    AND ($3 IS NULL OR u.team_id = $3) ORDER BY a.occurred_at, a.id";

/// The import's columns, so an export imports back as it is.
pub const ACTIVITY_COLUMNS: [&str; 9] = crate::activities::service::FIELDS;

/// Live activities whose organisation-local date is in `from..=to`.
async fn activities_csv(
    State(state): State<AppState>,
    access: ExportAccess,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (from, to, label) = range(&q)?;
    let rows: Vec<ActivityRow> = on_db!(&state.db, |pool| sqlx::query_as(ACTIVITIES)
        .bind(from)
        .bind(to)
        .bind(access.team_id())
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
    WHERE d.created_on <= $2 AND (d.closed_on IS NULL OR d.closed_on >= $1) \
    AND ($3 IS NULL OR u.team_id = $3) ORDER BY d.created_on, d.id";

pub const DEAL_COLUMNS: [&str; 15] = crate::deals::service::FIELDS;

/// Deals alive at some point of `from..=to`: created by its end and not closed before it.
async fn deals_csv(
    State(state): State<AppState>,
    access: ExportAccess,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let (from, to, label) = range(&q)?;
    let rows: Vec<DealRow> = on_db!(&state.db, |pool| sqlx::query_as(DEALS)
        .bind(from)
        .bind(to)
        .bind(access.team_id())
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
    access: ExportAccess,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let (kind, settings, date, team_id) = board_query(db, &access, query).await?;
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
    access: &ExportAccess,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<(PeriodKind, org::OrgSettings, NaiveDate, Option<i64>), ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let team = access.team(q.team.as_deref())?;
    let scope = board::scope(db, q.period.as_deref(), q.date.as_deref(), team.as_deref()).await?;
    Ok((scope.kind, scope.settings, scope.date, scope.team_id))
}

/// Every scored rep's scorecard for the period containing `date`: one row per rep and
/// scorecard line, as the scorecard page computes it (actual, target, expected, pace, band).
async fn scorecards_csv(
    State(state): State<AppState>,
    access: ExportAccess,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let db = &state.db;
    let (kind, settings, date, team_id) = board_query(db, &access, query).await?;
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

/// One table of the team view as CSV: `turnover`, `sellers`, `pipeline`, `activity`,
/// `lost`, `coaching`, `accounts`, `rep_accounts`, `untouched` or `teams` (the whole
/// organisation's teams side by side; empty for one team), for the period and team
/// the page shows (`?period=…&team=…&date=…`), with the page's access rule.
async fn team_csv(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    access: ExportAccess,
    query: Result<Query<LeaderboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_query)?;
    let table = file.strip_suffix(".csv").unwrap_or(&file);
    if !TEAM_TABLES.contains(&table) {
        return Err(ApiError::not_found(format!(
            "No team table '{}'. Tables: {}.",
            table.replace('\0', ""),
            TEAM_TABLES.join(", ")
        )));
    }
    let (role, own) = match &access {
        ExportAccess::Everything => (AccessRole::Admin, None),
        ExportAccess::Team { name, .. } => (AccessRole::Manager, Some(name.as_str())),
    };
    let view = crate::team::service::team_view_as(
        &state.db,
        role,
        own,
        q.period.as_deref(),
        q.team.as_deref(),
        q.date.as_deref(),
    )
    .await?;
    let (header, rows) = team_table(&view, table);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let body = to_csv(&header, rows.into_iter())?;
    let who = view
        .team
        .as_deref()
        .map(|t| {
            t.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .unwrap_or_else(|| "organisation".into());
    Ok(csv_response(
        &format!(
            "team-{who}-{table}-{}-{}.csv",
            view.period_kind, view.period_start
        ),
        body,
    ))
}

/// The tables of the team view that export.
pub const TEAM_TABLES: [&str; 10] = [
    "turnover",
    "sellers",
    "pipeline",
    "activity",
    "lost",
    "coaching",
    "accounts",
    "rep_accounts",
    "untouched",
    "teams",
];

/// The header and rows of one team table; money in plain decimals, ratios as the page
/// shows them ("75%", "n/a").
pub fn team_table(v: &crate::team::TeamView, table: &str) -> (Vec<String>, Vec<Vec<String>>) {
    use crate::scoring::Money;
    use crate::team::{percent, tenths};
    let m = |x: Money| x.display();
    let om = |x: Option<Money>| x.map(|x| x.display()).unwrap_or_default();
    let h = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    match table {
        "turnover" => (
            h(&[
                "rep",
                "won",
                "objective",
                "vs_objective",
                "expected_to_date",
                "pace",
                "gap",
            ]),
            v.reps
                .iter()
                .chain(std::iter::once(&v.turnover))
                .map(|l| {
                    vec![
                        text(&l.name),
                        m(l.won),
                        om(l.objective),
                        percent(l.ratio_bp),
                        om(l.expected),
                        percent(l.pace_bp),
                        om(l.gap),
                    ]
                })
                .collect(),
        ),
        "sellers" => {
            let mut cols = vec!["rep".to_string()];
            cols.extend(v.trend_labels.iter().map(String::as_str).map(text));
            cols.extend(h(&[
                "deals_won",
                "deals_lost",
                "win_rate",
                "average_deal_size",
                "cycle_days",
                "pipeline_6_months",
            ]));
            (
                cols,
                v.sellers
                    .iter()
                    .map(|s| {
                        let mut row = vec![text(&s.name)];
                        row.extend(s.trend.iter().map(|x| m(*x)));
                        row.extend([
                            s.deals_won.to_string(),
                            s.deals_lost.to_string(),
                            percent(s.win_rate_bp),
                            om(s.average_deal_size),
                            tenths(s.cycle_day_tenths),
                            m(s.pipeline),
                        ]);
                        row
                    })
                    .collect(),
            )
        }
        "pipeline" => {
            let mut cols = h(&["month", "open_deals", "weighted", "objective"]);
            cols.extend(v.stages.iter().map(|s| text(&format!("stage: {s}"))));
            (
                cols,
                v.pipeline
                    .iter()
                    .map(|p| {
                        let mut row = vec![
                            format!("{:04}-{:02}", p.month.year, p.month.month),
                            p.open_deals.to_string(),
                            m(p.weighted),
                            om(p.target),
                        ];
                        row.extend(p.by_stage.iter().map(|x| m(*x)));
                        row
                    })
                    .collect(),
            )
        }
        "activity" => (
            h(&[
                "rep",
                "activity",
                "done",
                "target",
                "expected_to_date",
                "rate",
                "pace",
            ]),
            v.activity
                .iter()
                .map(|l| {
                    vec![
                        text(&l.name),
                        text(&l.type_label),
                        l.count.to_string(),
                        opt(l.target),
                        opt(l.expected),
                        percent(l.rate_bp),
                        percent(l.pace_bp),
                    ]
                })
                .collect(),
        ),
        "lost" => {
            let mut rows = Vec::new();
            for (label, lines) in [
                (v.period_label.as_str(), &v.lost.current),
                (v.lost.previous_label.as_str(), &v.lost.previous),
            ] {
                for l in lines.iter() {
                    rows.push(vec![
                        text(label),
                        text(&l.reason),
                        l.count.to_string(),
                        m(l.amount),
                    ]);
                }
            }
            (h(&["period", "reason", "deals_lost", "amount"]), rows)
        }
        "teams" => (
            h(&[
                "team",
                "reps",
                "won",
                "objective",
                "vs_objective",
                "pace",
                "gap",
                "won_per_seller",
                "deals_won",
                "deals_lost",
                "win_rate",
                "pipeline_6_months",
                "activities",
                "activity_target",
                "activity_rate",
                "activity_score",
                "effort_without_conversion",
            ]),
            v.by_team
                .iter()
                .map(|l| {
                    let t = &l.turnover;
                    vec![
                        text(&t.name),
                        l.reps.to_string(),
                        m(t.won),
                        om(t.objective),
                        percent(t.ratio_bp),
                        percent(t.pace_bp),
                        om(t.gap),
                        m(l.per_seller),
                        l.deals_won.to_string(),
                        l.deals_lost.to_string(),
                        percent(l.win_rate_bp),
                        m(l.pipeline),
                        l.activities.to_string(),
                        l.activity_target.map(|g| g.to_string()).unwrap_or_default(),
                        percent(l.activity_rate_bp),
                        l.effort.display(),
                        l.flagged.to_string(),
                    ]
                })
                .collect(),
        ),
        "coaching" => (
            h(&[
                "rep",
                "activity_score",
                "vs_objective",
                "activities",
                "deals_won",
                "activities_per_won_deal",
                "effort_without_conversion",
            ]),
            v.coaching
                .reps
                .iter()
                .map(|r| {
                    vec![
                        text(&r.name),
                        r.effort.display(),
                        percent(r.result_bp),
                        r.activities.to_string(),
                        r.deals_won.to_string(),
                        tenths(r.activities_per_won),
                        r.flagged.to_string(),
                    ]
                })
                .collect(),
        ),
        "accounts" => (
            h(&["account", "points", "activities", "last_activity", "reps"]),
            v.coverage
                .accounts
                .iter()
                .map(|a| {
                    vec![
                        text(&a.account),
                        a.points.display(),
                        a.units.to_string(),
                        opt(a.last_activity),
                        text(
                            &a.reps
                                .iter()
                                .map(|(n, p)| format!("{n} ({})", p.display()))
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                    ]
                })
                .collect(),
        ),
        "rep_accounts" => (
            h(&["rep", "accounts", "points", "most_attended"]),
            v.coverage
                .by_rep
                .iter()
                .map(|r| {
                    vec![
                        text(&r.name),
                        r.accounts.to_string(),
                        r.points.display(),
                        text(
                            &r.top
                                .iter()
                                .map(|(a, p)| format!("{a} ({})", p.display()))
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                    ]
                })
                .collect(),
        ),
        _ => (
            h(&[
                "account",
                "open_deals",
                "open_amount",
                "last_activity",
                "owners",
            ]),
            v.coverage
                .untouched
                .iter()
                .map(|a| {
                    vec![
                        text(&a.account),
                        a.open_deals.to_string(),
                        m(a.open_amount),
                        opt(a.last_activity),
                        text(&a.owners.join("; ")),
                    ]
                })
                .collect(),
        ),
    }
}
