//! The leaderboard use cases: who is on it, what a board is asked for (period, date, team),
//! and the ranked board (rollups in, scoring does the maths).

use chrono::NaiveDate;

use std::collections::BTreeMap;

use super::{Leaderboard, LeaderboardEntry, MetricChoice};
use crate::activities::repo as activity_repo;
use crate::error::AppError;
use crate::on_db;
use crate::scoring::{
    self, ActivityTypeRule, DailyRollup, Deal, Metric, MetricInputs, MetricUnit, Percent, Period,
    PeriodKind, Points, Population,
};
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
/// By name. Read packed in one string: a row at a time, a thousand reps cost 7 ms of the
/// 9 ms a month board took (see [`crate::server::packed`]).
pub async fn reps(db: &Db, team_id: Option<i64>) -> Result<Vec<RepRow>, AppError> {
    use crate::server::packed::{agg, read_all, Field};
    let sql = format!(
        "SELECT {} FROM users u LEFT JOIN teams t ON t.id = u.team_id \
         WHERE {} AND ($1 IS NULL OR u.team_id = $1)",
        agg(&[
            ("u.id", Field::Plain),
            ("u.name", Field::Text),
            ("u.email", Field::Text),
            ("u.team_id", Field::Nullable),
            ("t.name", Field::NullableText),
        ]),
        crate::people::service::SCORED_SQL
    );
    let packed: Option<String> = on_db!(db, |pool| sqlx::query_scalar(&sql)
        .bind(team_id)
        .fetch_one(pool)
        .await)?;
    let mut rows = Vec::new();
    read_all(
        packed.as_deref().unwrap_or(""),
        "reps",
        |r| {
            Some(RepRow {
                id: r.int()?,
                name: r.text()?.to_string(),
                email: r.text()?.to_string(),
                team_id: r.opt_int()?,
                team: r.opt_text()?.map(str::to_string),
            })
        },
        &mut rows,
    )?;
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
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

/// The activity-score board of `period` (what exports and the rep's rank read).
pub async fn leaderboard_for(
    db: &Db,
    org_name: &str,
    period: Period,
    team_id: Option<i64>,
) -> Result<Leaderboard, AppError> {
    let mut settings = org::load(db).await?;
    settings.org_name = org_name.to_string();
    rank_period(
        db,
        &settings,
        period,
        team_id,
        &RankMetric::Catalogue(Metric::ActivityScore),
    )
    .await
}

/// [`leaderboard_for`], computed once per change (`Live::boards`, see
/// [`crate::live::Memo`]): every rep's page shows their rank, which needs the whole board.
pub async fn leaderboard_memo(
    db: &Db,
    live: &crate::live::Live,
    org_name: &str,
    period: Period,
    team_id: Option<i64>,
) -> Result<Leaderboard, AppError> {
    let key = format!("{org_name}|{period:?}|{team_id:?}");
    live.boards
        .get_or_compute(key, || leaderboard_for(db, org_name, period, team_id))
        .await
}

impl From<ScopeError> for AppError {
    fn from(e: ScopeError) -> AppError {
        match e {
            ScopeError::App(e) => e,
            ScopeError::Team(name) => AppError::NotFound(format!("Team '{name}'")),
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

/// What a board ranks by: a metric of the catalogue, or the composite attainment of each
/// rep's scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankMetric {
    Catalogue(Metric),
    /// The composite attainment of the rep's scorecard, paced to date (basis points).
    Attainment,
}

/// The key of the attainment ranking.
pub const ATTAINMENT: &str = "attainment";

impl RankMetric {
    pub fn key(&self) -> String {
        match self {
            RankMetric::Catalogue(m) => m.key(),
            RankMetric::Attainment => ATTAINMENT.to_string(),
        }
    }

    pub fn label(&self, types: &[ActivityTypeRule]) -> String {
        match self {
            RankMetric::Catalogue(m) => m.label(types),
            RankMetric::Attainment => "Scorecard attainment".to_string(),
        }
    }

    pub fn higher_is_better(&self) -> bool {
        match self {
            RankMetric::Catalogue(m) => m.higher_is_better(),
            RankMetric::Attainment => true,
        }
    }

    /// Whether the values are money (left out on a private display).
    pub fn is_money(&self) -> bool {
        matches!(self, RankMetric::Catalogue(m) if m.unit() == MetricUnit::Money)
    }

    /// What the number is, in a sentence.
    pub fn explanation(&self, types: &[ActivityTypeRule]) -> String {
        let lower = if self.higher_is_better() {
            ""
        } else {
            " Lower is better: the lowest ranks first."
        };
        let what = match self {
            RankMetric::Catalogue(Metric::ActivityScore) => {
                "Activity score: points for every activity logged this period, by the weights in force (Activity Index: 10 = the top score).".to_string()
            }
            RankMetric::Catalogue(Metric::ActivityCount { .. }) => format!(
                "{}: activities of this type logged this period, within the daily cap.",
                self.label(types)
            ),
            RankMetric::Catalogue(Metric::CallTime { .. }) => format!(
                "{}: total duration of these activities this period.",
                self.label(types)
            ),
            RankMetric::Catalogue(Metric::TurnoverWon) => {
                "Turnover won: amount of the deals won this period, by close date.".to_string()
            }
            RankMetric::Catalogue(Metric::DealsWon) => {
                "Deals won: number of deals won this period, by close date.".to_string()
            }
            RankMetric::Catalogue(Metric::WinRate) => {
                "Win rate: deals won ÷ deals won or lost this period (n/a with none closed).".to_string()
            }
            RankMetric::Catalogue(Metric::DealsLost) => {
                "Deals lost: number of deals lost this period.".to_string()
            }
            RankMetric::Catalogue(Metric::LostAmount) => {
                "Lost business: amount of the deals lost this period.".to_string()
            }
            RankMetric::Catalogue(Metric::NewCustomerRate) => {
                "New-customer rate: share of this period's won deals that brought a new customer.".to_string()
            }
            RankMetric::Catalogue(Metric::AverageDealSize) => {
                "Average deal size: turnover won ÷ deals won this period.".to_string()
            }
            RankMetric::Catalogue(Metric::SalesCycleLength) => {
                "Sales cycle length: average days from creation to win of this period's won deals.".to_string()
            }
            RankMetric::Catalogue(Metric::WeightedPipeline) => {
                "Weighted pipeline: amount × probability of the open deals expected to close this period.".to_string()
            }
            RankMetric::Catalogue(Metric::SalesVelocity) => {
                "Sales velocity: open deals × average deal size × win rate ÷ cycle length, per day.".to_string()
            }
            RankMetric::Attainment => {
                "Scorecard attainment: the composite of each rep's scorecard against targets, paced to date (n/a without a scorecard).".to_string()
            }
        };
        format!("{what}{lower}")
    }
}

/// Every metric a board can rank by, in the catalogue's order, then attainment.
pub fn metric_choices(types: &[ActivityTypeRule]) -> Vec<MetricChoice> {
    Metric::catalogue(types)
        .into_iter()
        .map(RankMetric::Catalogue)
        .chain([RankMetric::Attainment])
        .map(|m| MetricChoice {
            key: m.key(),
            label: m.label(types),
        })
        .collect()
}

/// Reads a ranking metric as every door receives it: empty for the activity score;
/// `activity_count:<type id or key>`, `call_time:<type>`, a catalogue key, or `attainment`.
pub fn parse_rank_metric(
    key: Option<&str>,
    types: &[ActivityTypeRule],
) -> Result<RankMetric, AppError> {
    let key = key.map(str::trim).filter(|k| !k.is_empty());
    let Some(key) = key else {
        return Ok(RankMetric::Catalogue(Metric::ActivityScore));
    };
    if key == ATTAINMENT {
        return Ok(RankMetric::Attainment);
    }
    crate::scorecard::repo::parse_metric_key(key, types)
        .filter(|m| match m {
            Metric::ActivityCount { activity_type_id } | Metric::CallTime { activity_type_id } => {
                types.iter().any(|t| t.id == *activity_type_id)
            }
            _ => true,
        })
        .map(RankMetric::Catalogue)
        .ok_or_else(|| {
            let shown: String = key.chars().filter(|c| !c.is_control()).take(60).collect();
            let keys: Vec<String> = metric_choices(types).into_iter().map(|c| c.key).collect();
            AppError::BadRequest(format!(
                "Unknown metric '{shown}'. Leaderboards rank by: {}.",
                keys.join(", ")
            ))
        })
}

/// [`parse_rank_metric`] with the organisation's activity types.
pub async fn rank_metric(db: &Db, key: Option<&str>) -> Result<RankMetric, AppError> {
    let types = crate::activity_types::service::scoring_types(db).await?;
    parse_rank_metric(key, &types)
}

/// The one ranking of every door (the leaderboard page, `GET /api/v1/leaderboard`, the TV):
/// the reps of the scope's team (or everyone) ranked by `metric` over the scope's period.
pub async fn ranking(db: &Db, scope: &Scope, metric: &RankMetric) -> Result<Leaderboard, AppError> {
    rank_period(db, &scope.settings, scope.period(), scope.team_id, metric).await
}

/// [`ranking`], computed once per change (`Live::boards`, see [`crate::live::Memo`]): the
/// leaderboard page and `GET /api/v1/leaderboard` asked again and again between two changes
/// read it from memory.
pub async fn ranking_memo(
    db: &Db,
    live: &crate::live::Live,
    scope: &Scope,
    metric: &RankMetric,
) -> Result<Leaderboard, AppError> {
    let key = format!(
        "rank|{:?}|{:?}|{:?}|{:?}",
        scope.settings,
        scope.period(),
        scope.team_id,
        metric
    );
    live.boards
        .get_or_compute(key, || ranking(db, scope, metric))
        .await
}

async fn rank_period(
    db: &Db,
    settings: &org::OrgSettings,
    period: Period,
    team_id: Option<i64>,
    metric: &RankMetric,
) -> Result<Leaderboard, AppError> {
    // The reads that do not need each other run at once, each on its own connection (a
    // month board of 1,000 reps at 10 million activities: 5.65 → 2.74 ms on SQLite, 13.6 → 4.43 ms on PostgreSQL).
    let scoring = activity_repo::period_scores(db, &period, async {
        tokio::try_join!(
            crate::activity_types::service::scoring_types(db),
            crate::activity_types::service::weight_table(db)
        )
    });
    let (reps, (types, weights, scores), teams, team) = tokio::try_join!(
        reps(db, team_id),
        scoring,
        team_names(db),
        team_name(db, team_id)
    )?;
    let by_activity = rank(&reps, &scores);
    let points: BTreeMap<i64, Points> = by_activity.iter().map(|e| (e.rep_id, e.points)).collect();
    let entries = match metric {
        RankMetric::Catalogue(Metric::ActivityScore) => by_activity,
        RankMetric::Catalogue(m) => {
            let rollups = activity_repo::rollups(db, period.start, period.end, None).await?;
            let deals = crate::scorecard::repo::team_deals(db, team_id).await?;
            let mut rollups_of: BTreeMap<i64, Vec<DailyRollup>> = BTreeMap::new();
            for r in rollups {
                rollups_of.entry(r.rep_id).or_default().push(r);
            }
            let mut deals_of: BTreeMap<i64, Vec<Deal>> = BTreeMap::new();
            for d in deals {
                deals_of.entry(d.rep_id).or_default().push(d);
            }
            let values: BTreeMap<i64, Option<i64>> = reps
                .iter()
                .map(|r| {
                    let inputs = MetricInputs {
                        rollups: rollups_of.get(&r.id).map(Vec::as_slice).unwrap_or(&[]),
                        types: &types,
                        weights: &weights,
                        deals: deals_of.get(&r.id).map(Vec::as_slice).unwrap_or(&[]),
                    };
                    (
                        r.id,
                        scoring::metric_value(*m, &inputs, &Population::Rep(r.id), &period),
                    )
                })
                .collect();
            let currency = &settings.currency;
            by_value(&reps, &values, &points, metric, |v| match m.unit() {
                MetricUnit::Money => format!("{currency} {}", m.format_value(v)),
                _ => m.format_value(v),
            })
        }
        RankMetric::Attainment => {
            let mut values = BTreeMap::new();
            for r in &reps {
                let Some(rep) = crate::scorecard::repo::rep(db, r.id).await? else {
                    continue;
                };
                let card =
                    crate::scorecard::service::scorecard_of(db, &rep, period.kind, period.end)
                        .await?;
                values.insert(r.id, card.composite_bp);
            }
            by_value(&reps, &values, &points, metric, |v| Percent(v).display())
        }
    };
    let updated = chrono::Utc::now()
        .with_timezone(&settings.tz())
        .format("%H:%M:%S")
        .to_string();
    Ok(Leaderboard {
        org_name: settings.org_name.clone(),
        period_label: period.label(),
        entries,
        period,
        metric: metric.key(),
        metric_label: metric.label(&types),
        explanation: metric.explanation(&types),
        team,
        updated,
        metrics: metric_choices(&types),
        teams,
    })
}

/// Every team's name, in order (the board's team picker).
async fn team_names(db: &Db) -> Result<Vec<String>, AppError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM teams ORDER BY name"
    )
    .fetch_all(pool)
    .await)?)
}

/// The name of the board's team, when it has one.
async fn team_name(db: &Db, team_id: Option<i64>) -> Result<Option<String>, AppError> {
    let Some(id) = team_id else {
        return Ok(None);
    };
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM teams WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

/// Board rows of a ranking by value (any metric but the activity score).
fn by_value(
    reps: &[RepRow],
    values: &BTreeMap<i64, Option<i64>>,
    points: &BTreeMap<i64, Points>,
    metric: &RankMetric,
    format: impl Fn(i64) -> String,
) -> Vec<LeaderboardEntry> {
    let roster: Vec<i64> = reps.iter().map(|r| r.id).collect();
    let by_id: std::collections::HashMap<i64, &RepRow> = reps.iter().map(|r| (r.id, r)).collect();
    let ranked = scoring::rank_by_value(&roster, values, metric.higher_is_better());
    let last = ranked.iter().filter_map(|e| e.rank).count() as i32 + 1;
    ranked
        .into_iter()
        .filter_map(|e| {
            let rep = by_id.get(&e.rep_id)?;
            Some(LeaderboardEntry {
                rank: e.rank.unwrap_or(last),
                rep_id: rep.id,
                name: rep.name.clone(),
                team: rep.team.clone(),
                points: points.get(&rep.id).copied().unwrap_or(Points::ZERO),
                index_tenths: e.share_tenths,
                value: e.value,
                display: e.value.map(&format).unwrap_or_else(|| "n/a".to_string()),
            })
        })
        .collect()
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
                value: Some(e.score.0),
                display: e.score.display(),
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
