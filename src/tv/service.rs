//! The TV's data: the display's rotation with every figure its slides show, computed by the
//! leaderboard and scorecard services and the scoring engine, in the display's team scope,
//! with money left out in privacy mode.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::{
    playable, TvBest, TvImproved, TvPipelineMonth, TvScorecard, TvShow, TvTeam, TvTurnover, TvWin,
    PIPELINE_MONTHS, RECENT_WINS, TOP_ROWS,
};
use crate::displays::{DisplayConfig, Slide};
use crate::error::AppError;
use crate::leaderboard::service::{self as board_service, RankMetric, Scope};
use crate::leaderboard::LeaderboardEntry;
use crate::on_db;
use crate::scorecard::ScorecardView;
use crate::scoring::{
    self, display_percent, Metric, Money, Percent, Period, PeriodKind, Points, Population,
    YearMonth,
};
use crate::server::db::Db;
use crate::server::org;

/// Earlier months a personal best is measured against.
pub const BEST_OF_MONTHS: i64 = 6;

/// [`show`], computed once per change: every open TV refetches its show when anything
/// changes, and the displays that play the same configuration share one computation
/// (`Live::tv_shows`; at most [`crate::live::MEMO_MAX_AGE`] old).
pub async fn show_memo(
    db: &Db,
    live: &crate::live::Live,
    display: &DisplayConfig,
) -> Result<TvShow, AppError> {
    let key = serde_json::to_string(display).unwrap_or_default();
    live.tv_shows
        .get_or_compute(key, || show(db, display))
        .await
}

/// The show of `display` for the current month.
pub async fn show(db: &Db, display: &DisplayConfig) -> Result<TvShow, AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let fy = settings.fiscal_start();
    let scope = Scope {
        kind: PeriodKind::Month,
        settings: settings.clone(),
        date: today,
        team_id: display.team_id,
    };
    let activity = RankMetric::Catalogue(Metric::ActivityScore);
    let board = board_service::ranking(db, &scope, &activity).await?;
    let metric = board_service::rank_metric(db, display.ranking_metric.as_deref())
        .await
        .unwrap_or(activity);
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
    let money = |m: Money| (!privacy).then(|| m.with_currency(&settings.currency));

    // The ranking slide: by the display's metric, money left out on a private display.
    let (ranking, ranking_label) = if metric == activity {
        (board.entries.clone(), board.metric_label.clone())
    } else {
        let ranked = board_service::ranking(db, &scope, &metric).await?;
        let mut entries = ranked.entries;
        if privacy && metric.is_money() {
            for e in &mut entries {
                e.value = None;
                e.display = String::new();
            }
        }
        (entries, ranked.metric_label)
    };

    let roster: Vec<i64> = board.entries.iter().map(|e| e.rep_id).collect();
    let period = board.period;
    let (improved, improved_compared, bests) =
        if wants(Slide::MostImproved) || wants(Slide::PersonalBests) {
            progress(db, &board.entries, &roster, period, today, fy).await?
        } else {
            (Vec::new(), String::new(), Vec::new())
        };
    let (pipeline, pipeline_total, pipeline_format) = if wants(Slide::Pipeline) {
        pipeline(
            db,
            display.team_id,
            &roster,
            today,
            privacy,
            &settings.currency,
        )
        .await?
    } else {
        (Vec::new(), String::new(), String::new())
    };

    let mut scorecards = Vec::new();
    let mut won = Money::ZERO;
    let mut objective = Money::ZERO;
    if wants(Slide::Scorecards) || wants(Slide::Turnover) {
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
                amount: (!privacy).then(|| Money(w.amount_minor).with_currency(&w.currency)),
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
        ranking_is_activity: metric == activity,
        ranking_label,
        ranking,
        scorecards,
        wins,
        turnover,
        improved,
        improved_compared,
        bests,
        bests_rule: format!(
            "This month so far beats their best month of the last {BEST_OF_MONTHS}"
        ),
        pipeline,
        pipeline_total,
        pipeline_format,
        sound: display.sound,
        build: crate::live::build_id().to_string(),
    })
}

/// "1–20 Nov" (or "30 Oct – 2 Nov" across months).
fn span(p: &Period) -> String {
    if p.start == p.end {
        p.start.format("%-d %b").to_string()
    } else if YearMonth::of(p.start) == YearMonth::of(p.end) {
        format!("{}–{}", p.start.format("%-d"), p.end.format("%-d %b"))
    } else {
        format!("{} – {}", p.start.format("%-d %b"), p.end.format("%-d %b"))
    }
}

type Progress = (Vec<TvImproved>, String, Vec<TvBest>);

/// Most improved (activity score of this month so far against the same days of the last
/// month) and personal bests (this month so far against each rep's best full month of the
/// last [`BEST_OF_MONTHS`] with any activity), both from one read of the rollups.
async fn progress(
    db: &Db,
    entries: &[LeaderboardEntry],
    roster: &[i64],
    period: Period,
    today: NaiveDate,
    fy: u32,
) -> Result<Progress, AppError> {
    let so_far = period.to_date(today);
    let before = period.previous_to_date(today, fy);
    let mut months = Vec::new();
    let mut m = period;
    for _ in 0..BEST_OF_MONTHS {
        m = m.previous(fy);
        months.push(m);
    }
    let first = months.last().map(|p| p.start).unwrap_or(period.start);
    let types = crate::activity_types::service::scoring_types(db).await?;
    let weights = crate::activity_types::service::weight_table(db).await?;
    let rollups = crate::activities::repo::rollups(db, first, so_far.end, None).await?;
    let scores = |p: &Period| scoring::activity_scores(&rollups, &types, &weights, p);
    let name = |id: i64| {
        entries
            .iter()
            .find(|e| e.rep_id == id)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    };
    let whole = |p: Points| p.round_whole().to_string();

    let current = scores(&so_far);
    let improved = scoring::most_improved_scores(roster, &current, &scores(&before))
        .into_iter()
        .take(TOP_ROWS)
        .map(|c| TvImproved {
            rep_id: c.rep_id,
            name: name(c.rep_id),
            rank: c.rank,
            current: whole(c.current),
            previous: whole(c.previous),
            change: format!("+{}", whole(c.change)),
            change_pct: c
                .change_pct
                .map(|p| format!("+{}", p.display()))
                .unwrap_or_else(|| "new".to_string()),
        })
        .collect();
    let compared = format!("{} against {}", span(&so_far), span(&before));

    let in_roster: BTreeSet<i64> = roster.iter().copied().collect();
    let mut history: BTreeMap<i64, Vec<(Period, i64)>> = BTreeMap::new();
    for p in &months {
        let month = scores(p);
        for id in &in_roster {
            let v = month.get(id).copied().unwrap_or(Points::ZERO).0;
            history.entry(*id).or_default().push((*p, v));
        }
    }
    let now: BTreeMap<i64, i64> = in_roster
        .iter()
        .map(|id| (*id, current.get(id).copied().unwrap_or(Points::ZERO).0))
        .collect();
    let bests = scoring::new_personal_bests(&now, &history, today)
        .into_iter()
        .take(TOP_ROWS)
        .map(|b| TvBest {
            rep_id: b.rep_id,
            name: name(b.rep_id),
            current: whole(Points(b.current)),
            record: whole(Points(b.previous_best.value)),
            record_period: b.previous_best.period.start.format("%b %Y").to_string(),
            margin: Percent::ratio(b.current - b.previous_best.value, b.previous_best.value)
                .map(|p| format!("+{}", p.display()))
                .unwrap_or_default(),
        })
        .collect();
    Ok((improved, compared, bests))
}

/// The weighted pipeline of the roster's open deals by expected close month, this month and
/// the next five (months without deals included, at 0). A private display gets no amount:
/// each month's share of the six months instead.
async fn pipeline(
    db: &Db,
    team_id: Option<i64>,
    roster: &[i64],
    today: NaiveDate,
    privacy: bool,
    currency: &str,
) -> Result<(Vec<TvPipelineMonth>, String, String), AppError> {
    let first = YearMonth::of(today);
    let last = first.plus_months(PIPELINE_MONTHS - 1);
    let window = Period::between(PeriodKind::Month, first.first_day(), last.last_day());
    let deals = crate::scorecard::repo::team_deals(db, team_id).await?;
    let population = Population::Team(roster.iter().copied().collect());
    let by_month = scoring::weighted_pipeline_by_month(&deals, &population, Some(&window));
    let months: Vec<(YearMonth, i64, Money)> = YearMonth::range(first, last)
        .into_iter()
        .map(|m| {
            let found = by_month.iter().find(|p| p.month == Some(m));
            (
                m,
                found.map(|p| p.deals).unwrap_or(0),
                found.map(|p| p.weighted).unwrap_or(Money::ZERO),
            )
        })
        .collect();
    let total = months
        .iter()
        .fold(Money::ZERO, |a, m| a.saturating_add(m.2));
    let count: i64 = months.iter().map(|m| m.1).sum();
    let top = months.iter().map(|m| m.2.round_whole()).max().unwrap_or(0);
    // Bars in tenths of a readable unit: millions, thousands or units of the currency.
    let (divisor, format) = if privacy {
        (0, "{c}%".to_string())
    } else if top >= 1_000_000 {
        (1_000_000, format!("{currency} {{c}}M"))
    } else if top >= 10_000 {
        (1_000, format!("{currency} {{c}}k"))
    } else {
        (1, format!("{currency} {{c}}"))
    };
    let in_deals = |n: i64| {
        if n == 1 {
            "1 deal".to_string()
        } else {
            format!("{n} deals")
        }
    };
    let rows = months
        .into_iter()
        .map(|(m, deals, weighted)| {
            let share = Percent::ratio(weighted.0, total.0).unwrap_or(Percent::ZERO);
            let bar_tenths = if privacy {
                scoring::div_round(share.0 as i128, 10)
            } else {
                scoring::div_round(weighted.round_whole() as i128 * 10, divisor as i128)
            };
            let amount = if privacy {
                share.display()
            } else {
                weighted.with_currency(currency)
            };
            TvPipelineMonth {
                month: m.first_day().format("%b %Y").to_string(),
                deals,
                weighted: (!privacy).then(|| weighted.with_currency(currency)),
                bar_tenths,
                label: format!("{amount} in {}", in_deals(deals)),
            }
        })
        .collect();
    let deals_text = if count == 1 {
        "1 open deal".to_string()
    } else {
        format!("{count} open deals")
    };
    let total_text = if privacy {
        format!("{deals_text} expected to close · each month's share of the weighted pipeline")
    } else {
        format!(
            "{} weighted (amount × probability) in {deals_text}",
            total.with_currency(currency)
        )
    };
    Ok((rows, total_text, format))
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
