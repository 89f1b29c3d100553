//! The TV's data: the display's rotation with every figure its slides show, computed by the
//! leaderboard and scorecard services and the scoring engine, in the display's team scope,
//! with money left out in privacy mode.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{playable, TvScorecard, TvShow, TvTeam, TvTurnover, TvWin, RECENT_WINS};
use crate::displays::{DisplayConfig, Slide};
use crate::error::AppError;
use crate::on_db;
use crate::scorecard::ScorecardView;
use crate::scoring::{self, display_percent, Metric, Money, PeriodKind, Points, Population};
use crate::server::db::Db;
use crate::server::org;

/// The show of `display` for the current month.
pub async fn show(db: &Db, display: &DisplayConfig) -> Result<TvShow, AppError> {
    let settings = org::load(db).await?;
    let board = crate::leaderboard::service::leaderboard(db, "month", display.team_id).await?;
    let mut slides: Vec<Slide> = display
        .slides
        .iter()
        .copied()
        .filter(|s| playable(*s))
        .collect();
    if slides.is_empty() {
        // Only slides not built yet were chosen: the ranking keeps the screen useful.
        slides.push(Slide::Ranking);
    }
    let wants = |s: Slide| slides.contains(&s);
    let privacy = display.privacy;
    let money = |m: Money| (!privacy).then(|| format_money(m, &settings.currency));

    let mut scorecards = Vec::new();
    let mut won = Money::ZERO;
    let mut objective = Money::ZERO;
    if wants(Slide::Scorecards) || wants(Slide::Turnover) {
        let today = settings.today();
        for entry in &board.entries {
            let Some(rep) = crate::scorecard::repo::rep(db, entry.rep_id).await? else {
                continue;
            };
            let (inputs, template) =
                crate::scorecard::service::inputs_of(db, &rep, PeriodKind::Month, today).await?;
            won = won.saturating_add(scoring::turnover_won(
                &inputs.deals,
                &Population::Rep(rep.id),
                &inputs.period,
            ));
            if let Some(t) = inputs.targets.target_for_period(
                Metric::TurnoverWon,
                rep.id,
                rep.sales_role_id,
                &inputs.period,
                &inputs.calendar,
            ) {
                objective = objective.saturating_add(Money(t));
            }
            if wants(Slide::Scorecards) {
                let card = ScorecardView::build(
                    &rep.name,
                    &rep.email,
                    rep.role_name.clone(),
                    &inputs,
                    &template,
                );
                scorecards.push(TvScorecard {
                    rep_id: rep.id,
                    name: rep.name.clone(),
                    composite: card.composite,
                    composite_bp: card.composite_bp,
                    band: card.composite_band,
                });
            }
        }
    }
    // Best composite first; reps without a scorecard last, by name.
    scorecards.sort_by(|a, b| {
        b.composite_bp
            .is_some()
            .cmp(&a.composite_bp.is_some())
            .then(b.composite_bp.cmp(&a.composite_bp))
            .then(a.name.cmp(&b.name))
    });
    let attainment = scoring::turnover_vs_objective(won, objective);
    let turnover = TvTurnover {
        attainment_bp: attainment.map(|p| p.0),
        attainment: display_percent(attainment),
        won: money(won),
        objective: money(objective),
    };

    let wins = if wants(Slide::RecentWins) {
        recent_wins(db, display.team_id)
            .await?
            .into_iter()
            .map(|w| TvWin {
                rep: w.rep,
                account: w
                    .account
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or(w.name)
                    .trim()
                    .to_string(),
                closed_on: w
                    .closed_on
                    .map(|d| d.format("%-d %b").to_string())
                    .unwrap_or_default(),
                amount: (!privacy).then(|| format_money(Money(w.amount_minor), &w.currency)),
            })
            .collect()
    } else {
        Vec::new()
    };

    Ok(TvShow {
        org_name: settings.org_name.clone(),
        display_name: display.name.clone(),
        team: display.team.clone(),
        period_label: board.period_label.clone(),
        slides,
        seconds_per_slide: display.seconds_per_slide,
        privacy,
        teams: team_race(&board.entries),
        ranking: board.entries,
        scorecards,
        wins,
        turnover,
    })
}

/// Team totals of activity score, highest first; reps without a team are left out.
pub fn team_race(entries: &[crate::leaderboard::LeaderboardEntry]) -> Vec<TvTeam> {
    let mut totals: BTreeMap<&str, (Points, i64)> = BTreeMap::new();
    for e in entries {
        if let Some(team) = e.team.as_deref() {
            let t = totals.entry(team).or_insert((Points::ZERO, 0));
            t.0 = t.0.saturating_add(e.points);
            t.1 += 1;
        }
    }
    let mut teams: Vec<TvTeam> = totals
        .into_iter()
        .map(|(name, (points, reps))| TvTeam {
            name: name.to_string(),
            points,
            reps,
        })
        .collect();
    teams.sort_by(|a, b| b.points.cmp(&a.points).then(a.name.cmp(&b.name)));
    teams
}

/// "EUR 12,500" (cents shown only when there are any).
pub fn format_money(m: Money, currency: &str) -> String {
    let text = m.display_grouped();
    let text = text.strip_suffix(".00").unwrap_or(&text);
    format!("{currency} {text}")
}

#[derive(Debug, sqlx::FromRow)]
struct WinRow {
    rep: String,
    name: String,
    account: Option<String>,
    amount_minor: i64,
    currency: String,
    closed_on: Option<NaiveDate>,
}

/// The latest won deals of scored reps, in one team or all.
async fn recent_wins(db: &Db, team_id: Option<i64>) -> Result<Vec<WinRow>, AppError> {
    const SQL: &str =
        "SELECT u.name AS rep, d.name, d.account, d.amount_minor, d.currency, d.closed_on \
        FROM deals d JOIN users u ON u.id = d.rep_id \
        WHERE d.status = 'won' AND {scored} AND ($1 IS NULL OR u.team_id = $1) \
        ORDER BY d.closed_on IS NULL, d.closed_on DESC, d.updated_at DESC, d.id DESC LIMIT {limit}";
    let sql = SQL
        .replace("{scored}", crate::people::service::SCORED_SQL)
        .replace("{limit}", &RECENT_WINS.to_string());
    let rows = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}
