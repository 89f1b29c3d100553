//! `GET /me/report.csv`: the weekly activity report as a file, for the browser session of
//! the rep (or of a manager or admin who may see the rep named by `?rep_id=`). Written by the
//! exports' CSV writer, text cells escaped like every export.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde::Deserialize;

use crate::auth::session::{session_id_from_headers, user_for_session};
use crate::server::http_error::ApiError;
use crate::server::state::AppState;
use crate::transfer::cells::escape_text as text;
use crate::transfer::export::{csv_response, to_csv};

/// The columns of the weekly report file.
pub const REPORT_COLUMNS: [&str; 8] = [
    "activity_type",
    "label",
    "week_start",
    "week_count",
    "week_points",
    "average_week_count",
    "average_week_points",
    "window",
];

pub fn router() -> Router<AppState> {
    Router::new().route("/me/report.csv", get(report_csv))
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    pub rep_id: Option<i64>,
}

async fn report_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|_| {
        ApiError::bad_request("invalid_query", "The query string could not be read.")
    })?;
    let user = match session_id_from_headers(&headers) {
        Some(id) => user_for_session(&state.db, &id, Utc::now()).await?,
        None => None,
    }
    .ok_or_else(|| ApiError::unauthenticated("Sign in to download your report."))?;
    let rep =
        crate::scorecard::service::viewable_rep(&state.db, &user, q.rep_id.unwrap_or(user.id))
            .await?;
    let report = crate::scorecard::progress::weekly_report(&state.db, &rep).await?;
    let window = format!("{}..{}", report.window_start, report.window_end);
    let body = to_csv(
        &REPORT_COLUMNS,
        report.lines.iter().map(|l| {
            vec![
                text(&l.type_key),
                text(&l.label),
                report.week_start.to_string(),
                l.week_count.to_string(),
                l.week_points.display(),
                crate::scoring::Points(l.average_count_hundredths).display(),
                l.average_points.display(),
                window.clone(),
            ]
        }),
    )?;
    Ok(csv_response(
        &format!("weekly-report-{}.csv", report.week_start),
        body,
    ))
}
