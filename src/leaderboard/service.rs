//! The leaderboard use cases: who is on it, what a board is asked for (period, date, team),
//! and the ranked board (rollups in, scoring does the maths).

use chrono::NaiveDate;

use super::{Leaderboard, LeaderboardEntry};
use crate::activities::repo as activity_repo;
use crate::error::AppError;
use crate::on_db;
use crate::scoring::{self, Period, PeriodKind, Points};
use crate::server::db::Db;
use crate::server::org;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub team: Option<String>,
}

/// Everyone who is scored ([`crate::people::service::is_scored`]), in one team or all.
pub async fn reps(db: &Db, team_id: Option<i64>) -> Result<Vec<RepRow>, AppError> {
    const SQL: &str = "SELECT u.id, u.name, u.email, u.team_id, t.name AS team FROM users u \
        LEFT JOIN teams t ON t.id = u.team_id \
        WHERE {scored} AND ($1 IS NULL OR u.team_id = $1) ORDER BY u.name";
    let sql = SQL.replace("{scored}", crate::people::service::SCORED_SQL);
    let rows = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

pub fn parse_period_kind(s: &str) -> Result<PeriodKind, AppError> {
    s.parse::<PeriodKind>()
        .map_err(|_| AppError::BadRequest(format!("Unknown period '{s}'.")))
}

/// What a board, a scorecard or an export is asked for, read once for every door: the
/// period kind, the settings, the day (today in the organisation by default) and the team.
#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: PeriodKind,
    pub settings: org::OrgSettings,
    pub date: NaiveDate,
    pub team_id: Option<i64>,
}

impl Scope {
    /// The period of `kind` containing `date` (for a rolling window, ending on it).
    pub fn period(&self) -> Period {
        Period::containing(self.kind, self.date, self.settings.fiscal_start())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("Unknown period '{0}'.")]
    Period(String),
    #[error("'{0}' is not a date YYYY-MM-DD.")]
    Date(String),
    #[error("No team named '{0}'.")]
    Team(String),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Reads `period` (default month), `date` and `team` as every door receives them.
pub async fn scope(
    db: &Db,
    period: Option<&str>,
    date: Option<&str>,
    team: Option<&str>,
) -> Result<Scope, ScopeError> {
    let period = period.map(str::trim).unwrap_or("month");
    let kind = period
        .parse::<PeriodKind>()
        .map_err(|_| ScopeError::Period(period.to_string()))?;
    let settings = org::load(db).await?;
    let date = match date.map(str::trim).filter(|d| !d.is_empty()) {
        None => settings.today(),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ScopeError::Date(d.replace('\0', "")))?,
    };
    let team_id = match team.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(name) => {
            let unknown = || ScopeError::Team(name.replace('\0', ""));
            // A name no team can have is not looked up (PostgreSQL refuses NUL in text).
            if name.contains('\0') || name.chars().count() > crate::people::service::MAX_TEAM_NAME {
                return Err(unknown());
            }
            Some(
                crate::people::service::team_id(db, name)
                    .await?
                    .ok_or_else(unknown)?,
            )
        }
    };
    Ok(Scope {
        kind,
        settings,
        date,
        team_id,
    })
}

pub async fn leaderboard(
    db: &Db,
    period: &str,
    team_id: Option<i64>,
) -> Result<Leaderboard, AppError> {
    let kind = parse_period_kind(period)?;
    let settings = org::load(db).await?;
    let today = settings.today();
    let period = Period::containing(kind, today, settings.fiscal_start());
    leaderboard_for(db, &settings.org_name, period, team_id).await
}

pub async fn leaderboard_for(
    db: &Db,
    org_name: &str,
    period: Period,
    team_id: Option<i64>,
) -> Result<Leaderboard, AppError> {
    let reps = reps(db, team_id).await?;
    let types = crate::activity_types::service::scoring_types(db).await?;
    let weights = crate::activity_types::service::weight_table(db).await?;
    let rollups = activity_repo::rollups(db, period.start, period.end, None).await?;
    let scores = scoring::activity_scores(&rollups, &types, &weights, &period);
    Ok(Leaderboard {
        org_name: org_name.to_string(),
        period_label: period.label(),
        entries: rank(&reps, &scores),
        period,
    })
}

/// Ranks every rep (those without activity score 0) and attaches names and the Activity Index.
pub fn rank(
    reps: &[RepRow],
    scores: &std::collections::BTreeMap<i64, Points>,
) -> Vec<LeaderboardEntry> {
    let roster: Vec<i64> = reps.iter().map(|r| r.id).collect();
    let by_id: std::collections::HashMap<i64, &RepRow> = reps.iter().map(|r| (r.id, r)).collect();
    scoring::leaderboard(&roster, scores)
        .into_iter()
        .filter_map(|e| {
            let rep = by_id.get(&e.rep_id)?;
            Some(LeaderboardEntry {
                rank: e.rank,
                rep_id: rep.id,
                name: rep.name.clone(),
                team: rep.team.clone(),
                points: e.score,
                index_tenths: e.index,
            })
        })
        .collect()
}

/// A rep's rank in the organisation for a period, with the number of ranked reps.
pub fn rank_of(board: &Leaderboard, rep_id: i64) -> Option<(i32, i32)> {
    let total = i32::try_from(board.entries.len()).unwrap_or(i32::MAX);
    board
        .entries
        .iter()
        .find(|e| e.rep_id == rep_id)
        .map(|e| (e.rank, total))
}
