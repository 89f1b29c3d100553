//! Reads for the leaderboard: reps and rollups in, ranked entries out (scoring does the maths).

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

/// Everyone who is scored: active users with a sales role.
pub async fn reps(db: &Db, team_id: Option<i64>) -> Result<Vec<RepRow>, AppError> {
    const SQL: &str = "SELECT u.id, u.name, u.email, u.team_id, t.name AS team FROM users u \
        LEFT JOIN teams t ON t.id = u.team_id \
        WHERE u.active = TRUE AND u.sales_role_id IS NOT NULL AND ($1 IS NULL OR u.team_id = $1) ORDER BY u.name";
    let rows = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

pub fn parse_period_kind(s: &str) -> Result<PeriodKind, AppError> {
    s.parse::<PeriodKind>()
        .map_err(|_| AppError::BadRequest(format!("Unknown period '{s}'.")))
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
    let types = activity_repo::activity_types(db).await?;
    let weights = activity_repo::weight_table(db).await?;
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
