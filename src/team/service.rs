//! The team view's use case: who may see which team, one read per kind of data for the
//! whole team (reps, rollups, deals, targets, calendar, absences, account activity), then
//! every figure from the scoring engine, rep by rep on that rep's rows only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::{
    AccountLine, ActivityRateLine, CoachingLine, CoachingView, CoverageView, LostView,
    PipelineMonthLine, RepCoverage, SellerLine, SideMetrics, TeamCompareLine, TeamView,
    TurnoverLine, UntouchedAccount, PIPELINE_MONTHS, TREND_PERIODS, UNTOUCHED_DAYS,
};
use crate::activities::repo::read_by_plan;
use crate::auth::session::User;
use crate::auth::AccessRole;
use crate::error::AppError;
use crate::leaderboard::service::{self as board, Scope, ScopeError};
use crate::on_db;
use crate::people::service::SCORED_SQL;
use crate::scorecard::repo::calendar;
use crate::scoring::{
    self, Absence, AccountActivity, AccountCoverage, ActivityTypeRule, DailyRollup, Deal,
    DealStatus, EffortResult, Metric, Money, MonthRollup, MonthlyTarget, OpenAccount, Period,
    PeriodKind, Points, Population, TargetBook, WeightTable, WorkCalendar, YearMonth,
};
use crate::server::db::Db;
use crate::server::packed::{agg, each, entry, read_all, Field};

/// The team a caller asks for, as a name for [`board::scope`]: a manager always gets their
/// own team (`own_team`), and asking for any other (existing or not) is refused the same
/// way, so they learn nothing; an admin gets what they ask for (`None` = the whole
/// organisation); a rep, or a manager without a team, is refused.
pub fn team_for(
    role: AccessRole,
    own_team: Option<&str>,
    requested: Option<&str>,
) -> Result<Option<String>, AppError> {
    let requested = requested.map(str::trim).filter(|t| !t.is_empty());
    match role {
        AccessRole::Rep => Err(AppError::Forbidden),
        AccessRole::Admin => Ok(requested.map(str::to_string)),
        AccessRole::Manager => {
            let own = own_team.ok_or(AppError::Forbidden)?;
            match requested {
                None => Ok(Some(own.to_string())),
                Some(t) if t == own => Ok(Some(own.to_string())),
                Some(_) => Err(AppError::Forbidden),
            }
        }
    }
}

/// A scope problem as the pages see it.
pub fn scope_error(e: ScopeError) -> AppError {
    match e {
        ScopeError::App(e) => e,
        ScopeError::Team(_) => AppError::NotFound("Team".into()),
        other => AppError::BadRequest(other.to_string()),
    }
}

/// The team view `viewer` may see for `period` (kind), `team` (by name) and `date`.
pub async fn team_view(
    db: &Db,
    viewer: &User,
    period: Option<&str>,
    team: Option<&str>,
    date: Option<&str>,
) -> Result<TeamView, AppError> {
    team_view_as(
        db,
        viewer.role(),
        viewer.team_name.as_deref(),
        period,
        team,
        date,
    )
    .await
}

/// [`team_view`] for a caller known by role and own team (an export with an API token reads
/// as an admin).
pub async fn team_view_as(
    db: &Db,
    role: AccessRole,
    own_team: Option<&str>,
    period: Option<&str>,
    team: Option<&str>,
    date: Option<&str>,
) -> Result<TeamView, AppError> {
    let team = team_for(role, own_team, team)?;
    let scope = board::scope(db, period, date, team.as_deref())
        .await
        .map_err(scope_error)?;
    if scope.team_id.is_none() && role != AccessRole::Admin {
        return Err(AppError::Forbidden);
    }
    let mut view = build(db, &scope, team).await?;
    if role == AccessRole::Admin {
        view.teams = team_names(db).await?;
    }
    Ok(view)
}

/// Every team's name, for an admin's switch.
pub async fn team_names(db: &Db) -> Result<Vec<String>, AppError> {
    let teams = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM teams ORDER BY name"
    )
    .fetch_all(pool)
    .await)?;
    Ok(teams)
}

/// A scored rep of the scope.
#[derive(Debug, Clone)]
pub struct TeamRep {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub sales_role_id: Option<i64>,
    /// The rep's team (`None`: in no team).
    pub team: Option<String>,
}

/// Everything the view is computed from, read once for the whole scope.
pub struct TeamData {
    pub reps: Vec<TeamRep>,
    pub types: Vec<ActivityTypeRule>,
    pub weights: WeightTable,
    /// Month totals of the period's whole months ([`scoring::read_plan`]).
    pub months: Vec<MonthRollup>,
    /// Daily rollups of the period's other days (a month's edges, a rolling window's).
    pub rollups: Vec<DailyRollup>,
    /// The roster's open deals, and their deals closed since the first day any figure looks
    /// at (won deals since the turnover trend's first day, the others since the previous
    /// period's).
    pub deals: Vec<Deal>,
    /// Account of each deal of `deals`, by deal id.
    pub deal_accounts: HashMap<i64, String>,
    pub targets: TargetBook,
    pub calendar: WorkCalendar,
    pub absences: Vec<Absence>,
    /// The accounts of `account_lines`, each once, in order of name.
    pub accounts: Vec<String>,
    /// The coverage of each account by each rep who worked it in the period (rep id, and
    /// `account_id` indexing `accounts`): [`scoring::CoverageTally`] fed whole months from
    /// their account totals (dated their last day) and the other days by activity.
    pub account_lines: Vec<(i64, AccountCoverage)>,
    /// When anyone last logged an activity on each account with open deals of the scope.
    pub last_touch: HashMap<String, NaiveDate>,
}

/// The periods the view looks at: the chosen one, the trend's (oldest first, the chosen
/// one last), the previous one, and the pipeline's months (from today's month).
pub struct Periods {
    pub period: Period,
    pub previous: Period,
    pub trend: Vec<Period>,
    pub pipeline: Vec<YearMonth>,
}

impl Periods {
    pub fn of(scope: &Scope) -> Periods {
        let fy = scope.settings.fiscal_start();
        let period = scope.period();
        let mut trend = vec![period];
        for _ in 1..TREND_PERIODS {
            let before = trend[trend.len() - 1].previous(fy);
            trend.push(before);
        }
        trend.reverse();
        let first = YearMonth::of(scope.settings.today());
        Periods {
            previous: period.previous(fy),
            period,
            trend,
            pipeline: (0..PIPELINE_MONTHS as i64)
                .map(|i| first.plus_months(i))
                .collect(),
        }
    }

    /// The first day any deal figure looks at: `(all, won)` — deals closed since `all`,
    /// and deals won since `won` (the turnover trend's, which looks further back).
    fn deals_since(&self) -> (NaiveDate, NaiveDate) {
        let all = self.period.start.min(self.previous.start);
        (all, self.trend[0].start.min(all))
    }

    /// The months targets are needed for.
    fn target_months(&self) -> (YearMonth, YearMonth) {
        let first = YearMonth::of(self.period.start);
        let last = YearMonth::of(self.period.end);
        let p_first = self.pipeline[0];
        let p_last = self.pipeline[self.pipeline.len() - 1];
        (first.min(p_first), last.max(p_last))
    }
}

/// Reads everything for `scope` (one query per kind of data).
pub async fn load(db: &Db, scope: &Scope, periods: &Periods) -> Result<TeamData, AppError> {
    let team_id = scope.team_id;
    let period = &periods.period;
    let (from, to) = periods.target_months();
    // The reads are independent but for the activity figures and targets, which need the
    // types and weights: they run at once, each on its own pooled connection.
    let config_and_activity = async {
        let (types, weights) = tokio::try_join!(
            crate::activity_types::service::scoring_types(db),
            crate::activity_types::service::weight_table(db),
        )?;
        // Whole months from their totals, the other days day by day: what the view reads
        // of the activities does not grow with the activities logged.
        let plan = scoring::read_plan(period, &weights);
        let ((months, rollups), targets, accounts) = tokio::try_join!(
            read_by_plan(
                &plan,
                |first, last| team_months(db, team_id, first, last),
                |start, end| team_rollups(db, team_id, start, end),
                |m: &MonthRollup| m.month,
            ),
            team_targets(db, team_id, from, to, &types),
            account_lines(db, team_id, &plan, &types, &weights, period),
        )?;
        let targets = TargetBook::new(targets);
        Ok::<_, AppError>((types, weights, months, rollups, targets, accounts))
    };
    let (
        reps,
        (types, weights, months, rollups, targets, (accounts, account_lines)),
        (deals, deal_accounts),
        calendar,
        absences,
        last_touch,
    ) = tokio::try_join!(
        team_reps(db, team_id),
        config_and_activity,
        team_deals(db, team_id, periods.deals_since()),
        calendar(
            db,
            &scope.settings.working_weekdays,
            from.first_day(),
            to.last_day(),
        ),
        team_absences(db, team_id, period.start, period.end),
        last_touch(db, team_id),
    )?;
    // Every deal-based figure of the scope reads the roster's deals only: a rep made or
    // moved between the two reads is in both or in neither.
    let roster: std::collections::HashSet<i64> = reps.iter().map(|r| r.id).collect();
    let mut deals = deals;
    deals.retain(|d| roster.contains(&d.rep_id));
    Ok(TeamData {
        reps,
        types,
        weights,
        months,
        rollups,
        deals,
        deal_accounts,
        targets,
        calendar,
        absences,
        accounts,
        account_lines,
        last_touch,
    })
}

async fn build(db: &Db, scope: &Scope, team: Option<String>) -> Result<TeamView, AppError> {
    let periods = Periods::of(scope);
    let started = std::time::Instant::now();
    let data = load(db, scope, &periods).await?;
    let read = started.elapsed();
    let view = compute(scope, team, &periods, &data);
    tracing::debug!(
        reps = data.reps.len(),
        reads_ms = read.as_secs_f64() * 1000.0,
        scoring_ms = (started.elapsed() - read).as_secs_f64() * 1000.0,
        "team view"
    );
    Ok(view)
}

/// Groups rows by rep id.
fn by_rep<T: Clone>(rows: &[T], rep_of: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for r in rows {
        map.entry(rep_of(r)).or_default().push(r.clone());
    }
    map
}

fn add_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (None, None) => None,
        _ => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}

/// Every figure of the view from the data (pure: no IO). Account coverage (its reps' lines
/// ordered, named and summed: 60,000 lines for a 1,000-rep organisation's year) is computed
/// on a second thread beside the rest.
pub fn compute(
    scope: &Scope,
    team: Option<String>,
    periods: &Periods,
    data: &TeamData,
) -> TeamView {
    let today = scope.settings.today();
    std::thread::scope(|s| {
        let accounts = s.spawn(|| coverage(data, today));
        figures(scope, team, periods, data, || {
            accounts
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    })
}

/// [`compute`] but for account coverage, which `coverage` gives.
fn figures(
    scope: &Scope,
    team: Option<String>,
    periods: &Periods,
    data: &TeamData,
    coverage: impl FnOnce() -> CoverageView,
) -> TeamView {
    let today = scope.settings.today();
    let period = &periods.period;
    let closed = period.is_closed(today);
    // Every deal read is the roster's ([`load`]).
    let everyone = Population::Organisation;
    let deals_of = by_rep(&data.deals, |d| d.rep_id);
    let rollups_of = by_rep(&data.rollups, |r| r.rep_id);
    let absences_of = by_rep(&data.absences, |a| a.rep_id);
    let none_deals: Vec<Deal> = Vec::new();
    let none_rollups: Vec<DailyRollup> = Vec::new();
    let none_absences: Vec<Absence> = Vec::new();
    let target = |metric: Metric, rep: &TeamRep, p: &Period| {
        data.targets
            .target_for_period(metric, rep.id, rep.sales_role_id, p, &data.calendar)
    };

    // Turnover against objective, rep by rep, then the team's sums.
    let mut reps_turnover = Vec::new();
    let mut progress_of = HashMap::new();
    for rep in &data.reps {
        let deals = deals_of.get(&rep.id).unwrap_or(&none_deals);
        let absences = absences_of.get(&rep.id).unwrap_or(&none_absences);
        let progress = scoring::working_days_progress(period, today, &data.calendar, absences);
        progress_of.insert(rep.id, progress);
        let won = scoring::turnover_won(deals, &Population::Rep(rep.id), period);
        let objective = target(Metric::TurnoverWon, rep, period);
        let expected = objective.and_then(|t| scoring::expected_from_progress(t, &progress));
        reps_turnover.push(turnover_line(
            Some(rep.id),
            &rep.name,
            won,
            objective,
            expected,
            closed,
        ));
    }
    let team_won = scoring::turnover_won(&data.deals, &everyone, period);
    let team_objective = reps_turnover
        .iter()
        .fold(None, |a, l| add_opt(a, l.objective.map(|m| m.0)));
    let team_expected = reps_turnover
        .iter()
        .fold(None, |a, l| add_opt(a, l.expected.map(|m| m.0)));
    let team_name = team
        .clone()
        .unwrap_or_else(|| scope.settings.org_name.clone());
    let turnover = turnover_line(
        None,
        &team_name,
        team_won,
        team_objective,
        team_expected,
        closed,
    );

    // Per seller: the trend and the side metrics of the period.
    let pipeline_span = Period::between(
        PeriodKind::Month,
        periods.pipeline[0].first_day(),
        periods.pipeline[periods.pipeline.len() - 1].last_day(),
    );
    let sellers: Vec<SellerLine> = data
        .reps
        .iter()
        .map(|rep| {
            let deals = deals_of.get(&rep.id).unwrap_or(&none_deals);
            let who = Population::Rep(rep.id);
            SellerLine {
                rep_id: rep.id,
                name: rep.name.clone(),
                trend: periods
                    .trend
                    .iter()
                    .map(|p| scoring::turnover_won(deals, &who, p))
                    .collect(),
                deals_won: scoring::deals_won(deals, &who, period),
                deals_lost: scoring::deals_lost(deals, &who, period),
                win_rate_bp: scoring::win_rate(deals, &who, period).map(|p| p.0),
                average_deal_size: scoring::average_deal_size(deals, &who, period),
                cycle_day_tenths: scoring::sales_cycle_length(deals, &who, period),
                pipeline: scoring::weighted_pipeline(deals, &who, &pipeline_span),
            }
        })
        .collect();

    // Weighted pipeline by expected close month and stage, against the months' objectives.
    let mut by_stage: BTreeMap<String, Vec<Deal>> = BTreeMap::new();
    for d in data.deals.iter().filter(|d| d.status == DealStatus::Open) {
        by_stage
            .entry(d.stage.trim().to_string())
            .or_default()
            .push(d.clone());
    }
    let stages: Vec<String> = by_stage.keys().cloned().collect();
    let pipeline = periods
        .pipeline
        .iter()
        .map(|m| {
            let month = Period::containing(PeriodKind::Month, m.first_day(), 1);
            let months = scoring::weighted_pipeline_by_month(&data.deals, &everyone, Some(&month));
            let objective = data.reps.iter().fold(None, |a, r| {
                add_opt(a, target(Metric::TurnoverWon, r, &month))
            });
            PipelineMonthLine {
                month: *m,
                label: m.first_day().format("%b %Y").to_string(),
                by_stage: by_stage
                    .values()
                    .map(|deals| scoring::weighted_pipeline(deals, &everyone, &month))
                    .collect(),
                weighted: scoring::weighted_pipeline(&data.deals, &everyone, &month),
                open_deals: months.iter().map(|l| l.deals).sum(),
                target: objective.map(Money),
            }
        })
        .collect();

    // Activity rate: per type for the team, then per rep and type.
    let mut team_lines: Vec<ActivityRateLine> = data
        .types
        .iter()
        .map(|t| ActivityRateLine {
            rep_id: None,
            name: team_name.clone(),
            activity_type_id: t.id,
            type_label: t.label.clone(),
            count: 0,
            target: None,
            expected: None,
            rate_bp: None,
            pace_bp: None,
        })
        .collect();
    let mut rep_lines = Vec::new();
    let mut activities_of: HashMap<i64, i64> = HashMap::new();
    let month_counts = scoring::counts_from_months(&data.months, period);
    for rep in &data.reps {
        let rollups = rollups_of.get(&rep.id).unwrap_or(&none_rollups);
        let who = Population::Rep(rep.id);
        let progress = progress_of.get(&rep.id).copied();
        for (i, (type_id, days)) in scoring::counts_per_type(rollups, &data.types, &who, period)
            .into_iter()
            .enumerate()
        {
            let whole_months = month_counts.get(&(rep.id, type_id)).copied().unwrap_or(0);
            let count = days.saturating_add(whole_months);
            let t = &data.types[i];
            let goal = target(
                Metric::ActivityCount {
                    activity_type_id: type_id,
                },
                rep,
                period,
            );
            let expected = goal
                .zip(progress)
                .and_then(|(g, p)| scoring::expected_from_progress(g, &p));
            *activities_of.entry(rep.id).or_insert(0) += count;
            let team = &mut team_lines[i];
            team.count += count;
            team.target = add_opt(team.target, goal);
            team.expected = add_opt(team.expected, expected);
            rep_lines.push(rate_line(
                Some(rep.id),
                &rep.name,
                t,
                count,
                goal,
                expected,
                closed,
            ));
        }
    }
    let mut activity: Vec<ActivityRateLine> = team_lines
        .into_iter()
        .map(|l| {
            let t = data.types.iter().find(|t| t.id == l.activity_type_id);
            match t {
                Some(t) => rate_line(None, &l.name, t, l.count, l.target, l.expected, closed),
                None => l,
            }
        })
        .collect();
    activity.extend(rep_lines);

    // Lost business, this period and the one before.
    let current = scoring::lost_business_by_reason(&data.deals, &everyone, period);
    let previous = scoring::lost_business_by_reason(&data.deals, &everyone, &periods.previous);
    let lost = LostView {
        change: scoring::lost_business_change(&current, &previous),
        current,
        previous,
        previous_label: periods.previous.label(),
    };

    let side = SideMetrics {
        deals_won: scoring::deals_won(&data.deals, &everyone, period),
        deals_lost: scoring::deals_lost(&data.deals, &everyone, period),
        win_rate_bp: scoring::win_rate(&data.deals, &everyone, period).map(|p| p.0),
        average_deal_size: scoring::average_deal_size(&data.deals, &everyone, period),
        cycle_day_tenths: scoring::sales_cycle_length(&data.deals, &everyone, period),
        velocity: scoring::sales_velocity(&data.deals, &everyone, period),
        new_customer_rate_bp: scoring::new_customer_rate(&data.deals, &everyone, period)
            .map(|p| p.0),
    };

    // Coaching: effort (activity score) against result (turnover vs objective).
    let scores = scoring::scores_from_months(
        &data.months,
        &data.rollups,
        &data.types,
        &data.weights,
        period,
    );
    let efforts: Vec<EffortResult> = data
        .reps
        .iter()
        .zip(&reps_turnover)
        .map(|(rep, t)| EffortResult {
            rep_id: rep.id,
            effort: scores.get(&rep.id).copied().unwrap_or(Points::ZERO),
            result: t.ratio_bp.map(scoring::Percent),
        })
        .collect();
    let flagged: BTreeSet<i64> = scoring::effort_without_conversion(&efforts)
        .into_iter()
        .collect();
    let efforts_only: Vec<Points> = efforts.iter().map(|e| e.effort).collect();
    let total_activities: i64 = activities_of.values().sum();
    let coaching = CoachingView {
        median_effort: scoring::median_points(&efforts_only),
        team_activities_per_won: scoring::activities_per_won_deal(total_activities, side.deals_won),
        reps: efforts
            .iter()
            .zip(&sellers)
            .map(|(e, s)| {
                let activities = activities_of.get(&e.rep_id).copied().unwrap_or(0);
                CoachingLine {
                    rep_id: e.rep_id,
                    name: s.name.clone(),
                    effort: e.effort,
                    result_bp: e.result.map(|p| p.0),
                    activities,
                    deals_won: s.deals_won,
                    activities_per_won: scoring::activities_per_won_deal(activities, s.deals_won),
                    flagged: flagged.contains(&e.rep_id),
                }
            })
            .collect(),
    };

    let coverage = coverage();
    let by_team = if team.is_none() {
        compare_teams(
            data,
            &deals_of,
            period,
            closed,
            &reps_turnover,
            &sellers,
            &activity,
            &coaching,
        )
    } else {
        Vec::new()
    };

    TeamView {
        org_name: scope.settings.org_name.clone(),
        currency: scope.settings.currency.clone(),
        team,
        teams: Vec::new(),
        period_kind: period.kind.as_str().to_string(),
        period_label: period.label_fiscal(scope.settings.fiscal_start()),
        period_start: period.start,
        period_end: period.end,
        closed,
        turnover,
        reps: reps_turnover,
        trend_labels: periods
            .trend
            .iter()
            .map(|p| p.label_fiscal(scope.settings.fiscal_start()))
            .collect(),
        sellers,
        stages,
        pipeline,
        activity,
        lost,
        side,
        coverage,
        coaching,
        by_team,
        rep_count: data.reps.len(),
        listed: true,
    }
}

/// The whole organisation's teams side by side (those with reps, by name; the reps in no
/// team last): each rep's figures summed by team, the team's win rate from its deals.
#[allow(clippy::too_many_arguments)]
fn compare_teams(
    data: &TeamData,
    deals_of: &HashMap<i64, Vec<Deal>>,
    period: &Period,
    closed: bool,
    reps_turnover: &[TurnoverLine],
    sellers: &[SellerLine],
    activity: &[ActivityRateLine],
    coaching: &CoachingView,
) -> Vec<TeamCompareLine> {
    // Every list is in the order of `data.reps` but the activity lines, found by rep.
    let mut activity_of: HashMap<i64, (i64, Option<i64>)> = HashMap::new();
    for l in activity {
        if let Some(rep) = l.rep_id {
            let (count, target) = activity_of.entry(rep).or_insert((0, None));
            *count = count.saturating_add(l.count);
            *target = add_opt(*target, l.target);
        }
    }
    let mut teams: BTreeMap<(bool, &str), Vec<usize>> = BTreeMap::new();
    for (i, rep) in data.reps.iter().enumerate() {
        let key = match &rep.team {
            Some(t) => (false, t.as_str()),
            None => (true, ""),
        };
        teams.entry(key).or_default().push(i);
    }
    teams
        .into_iter()
        .map(|((no_team, name), members)| {
            let team = (!no_team).then(|| name.to_string());
            let label = team
                .clone()
                .unwrap_or_else(|| super::NO_TEAM_LABEL.to_string());
            // The team's deals: its reps' (every figure on them is the team's).
            let deals: Vec<Deal> = members
                .iter()
                .filter_map(|&i| deals_of.get(&data.reps[i].id))
                .flatten()
                .cloned()
                .collect();
            let (mut won, mut objective, mut expected) = (Money::ZERO, None, None);
            let (mut deals_won, mut deals_lost, mut pipeline) = (0, 0, Money::ZERO);
            let (mut activities, mut activity_target) = (0i64, None);
            let (mut effort, mut flagged) = (Points::ZERO, 0);
            for &i in &members {
                let t = &reps_turnover[i];
                won = won.saturating_add(t.won);
                objective = add_opt(objective, t.objective.map(|m| m.0));
                expected = add_opt(expected, t.expected.map(|m| m.0));
                deals_won += sellers[i].deals_won;
                deals_lost += sellers[i].deals_lost;
                pipeline = pipeline.saturating_add(sellers[i].pipeline);
                if let Some((count, target)) = activity_of.get(&data.reps[i].id) {
                    activities = activities.saturating_add(*count);
                    activity_target = add_opt(activity_target, *target);
                }
                let c = &coaching.reps[i];
                effort = effort.saturating_add(c.effort);
                flagged += i64::from(c.flagged);
            }
            // (An open period's expected-to-date was dropped from a closed one's lines.)
            let turnover = turnover_line(None, &label, won, objective, expected, closed);
            let reps = members.len() as i64;
            TeamCompareLine {
                team,
                reps,
                // (A team in the list has a rep at least.)
                per_seller: scoring::turnover_per_seller(won, reps).unwrap_or(Money::ZERO),
                deals_won,
                deals_lost,
                win_rate_bp: scoring::win_rate(&deals, &Population::Organisation, period)
                    .map(|p| p.0),
                pipeline,
                activities,
                activity_target,
                activity_rate_bp: activity_target
                    .and_then(|g| scoring::activity_rate(activities, g))
                    .map(|p| p.0),
                effort,
                flagged,
                turnover,
            }
        })
        .collect()
}

fn turnover_line(
    rep_id: Option<i64>,
    name: &str,
    won: Money,
    objective: Option<i64>,
    expected: Option<i64>,
    closed: bool,
) -> TurnoverLine {
    TurnoverLine {
        rep_id,
        name: name.to_string(),
        won,
        objective: objective.map(Money),
        ratio_bp: objective
            .and_then(|o| scoring::turnover_vs_objective(won, Money(o)))
            .map(|p| p.0),
        expected: expected.filter(|_| !closed).map(Money),
        pace_bp: if closed {
            None
        } else {
            scoring::pace(won.0, expected).map(|p| p.0)
        },
        gap: objective.map(|o| scoring::turnover_gap(won, Money(o))),
    }
}

fn rate_line(
    rep_id: Option<i64>,
    name: &str,
    t: &ActivityTypeRule,
    count: i64,
    target: Option<i64>,
    expected: Option<i64>,
    closed: bool,
) -> ActivityRateLine {
    ActivityRateLine {
        rep_id,
        name: name.to_string(),
        activity_type_id: t.id,
        type_label: t.label.clone(),
        count,
        target,
        expected: expected.filter(|_| !closed),
        rate_bp: target
            .and_then(|g| scoring::activity_rate(count, g))
            .map(|p| p.0),
        pace_bp: if closed {
            None
        } else {
            scoring::pace(count, expected).map(|p| p.0)
        },
    }
}

/// Account coverage: points per account for the team and each rep, and the accounts with
/// open deals nobody touched in [`UNTOUCHED_DAYS`] days.
fn coverage(data: &TeamData, today: NaiveDate) -> CoverageView {
    // Accounts are names; the scoring engine counts them by a number: their rank by name
    // among those worked on (`data.accounts`) and those with open deals.
    let mut names: BTreeSet<&str> = data.accounts.iter().map(String::as_str).collect();
    for d in data.deals.iter().filter(|d| d.status == DealStatus::Open) {
        if let Some(a) = data.deal_accounts.get(&d.id) {
            names.insert(a.as_str());
        }
    }
    let names: Vec<&str> = names.into_iter().collect();
    let id_of = |name: &str| names.binary_search(&name).map_or(0, |i| i as i64);
    let renumber: Vec<i64> = data.accounts.iter().map(|a| id_of(a)).collect();
    let rep_names: HashMap<i64, &str> = data.reps.iter().map(|r| (r.id, r.name.as_str())).collect();
    let started = std::time::Instant::now();

    // Each rep's coverage, from their lines (anyone else's are not the scope's).
    let index_of: FxHashMap<i64, usize> = data
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let mut covs: Vec<Vec<AccountCoverage>> = vec![Vec::new(); data.reps.len()];
    for (rep_id, c) in &data.account_lines {
        if let Some(&i) = index_of.get(rep_id) {
            covs[i].push(AccountCoverage {
                account_id: renumber[c.account_id as usize],
                ..c.clone()
            });
        }
    }
    for cov in &mut covs {
        scoring::by_attention(cov);
    }

    // The team's is their sum (the reps are the scope's).
    // Who worked each account: (index of the rep in `data.reps`, points).
    let mut reps_on: FxHashMap<i64, Vec<(usize, Points)>> = FxHashMap::default();
    let mut by_rep_view = Vec::new();
    let mut parts = Vec::new();
    for ((index, rep), cov) in data.reps.iter().enumerate().zip(covs) {
        for c in &cov {
            if c.units > 0 {
                reps_on
                    .entry(c.account_id)
                    .or_default()
                    .push((index, c.points));
            }
        }
        let worked: Vec<_> = cov.iter().filter(|c| c.units > 0).collect();
        by_rep_view.push(RepCoverage {
            rep_id: rep.id,
            name: rep.name.clone(),
            accounts: worked.len() as i64,
            points: worked
                .iter()
                .fold(Points::ZERO, |a, c| a.saturating_add(c.points)),
            top: worked
                .iter()
                .take(3)
                .map(|c| (names[c.account_id as usize].to_string(), c.points))
                .collect(),
        });
        parts.extend(cov);
    }
    let team = scoring::merge_coverage(&parts);
    let accounts: Vec<AccountLine> = team
        .into_iter()
        .filter(|c| c.units > 0)
        .map(|c| {
            let mut reps: Vec<(String, Points)> = reps_on
                .remove(&c.account_id)
                .unwrap_or_default()
                .into_iter()
                .map(|(i, p)| (data.reps[i].name.clone(), p))
                .collect();
            reps.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            AccountLine {
                account: names[c.account_id as usize].to_string(),
                points: c.points,
                units: c.units,
                last_activity: c.last_activity,
                reps,
            }
        })
        .collect();

    // Open deals per account, with their owners and the last touch by anyone.
    let mut open: BTreeMap<i64, (OpenAccount, BTreeSet<&str>)> = BTreeMap::new();
    for d in data.deals.iter().filter(|d| d.status == DealStatus::Open) {
        let Some(name) = data.deal_accounts.get(&d.id) else {
            continue;
        };
        let id = id_of(name);
        let e = open.entry(id).or_insert_with(|| {
            (
                OpenAccount {
                    account_id: id,
                    open_deals: 0,
                    open_amount: Money::ZERO,
                    last_activity: data.last_touch.get(name).copied(),
                },
                BTreeSet::new(),
            )
        });
        e.0.open_deals += 1;
        e.0.open_amount = e.0.open_amount.saturating_add(d.amount);
        if let Some(n) = rep_names.get(&d.rep_id) {
            e.1.insert(n);
        }
    }
    let accounts_open: Vec<OpenAccount> = open.values().map(|(a, _)| a.clone()).collect();
    let untouched = scoring::untouched_accounts(&accounts_open, today, UNTOUCHED_DAYS)
        .into_iter()
        .map(|a| UntouchedAccount {
            account: names[a.account_id as usize].to_string(),
            open_deals: a.open_deals,
            open_amount: a.open_amount,
            last_activity: a.last_activity,
            owners: open
                .get(&a.account_id)
                .map(|(_, o)| o.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
        })
        .collect();
    tracing::debug!(
        lines = data.account_lines.len(),
        coverage_ms = started.elapsed().as_secs_f64() * 1000.0,
        "account coverage"
    );
    CoverageView {
        accounts_worked: accounts.len(),
        accounts,
        by_rep: by_rep_view,
        untouched,
    }
}

// ---------------------------------------------------------------------------------------
// Reads: one query per kind of data, for the whole scope (`$n IS NULL` = organisation).
// `users u CROSS JOIN x WHERE x.rep_id = u.id`: SQLite then walks the scope's people and
// reads each one's rows by its index, whatever its statistics say (with a bound team it
// cannot tell a team from the organisation, and may walk a month of everyone's rows).
// PostgreSQL plans a CROSS JOIN with a WHERE like any join.
// ---------------------------------------------------------------------------------------

fn scored(sql: &str) -> String {
    sql.replace("{scored}", SCORED_SQL)
}

async fn team_reps(db: &Db, team_id: Option<i64>) -> Result<Vec<TeamRep>, AppError> {
    // Packed (one row, not a row a rep: a whole organisation's thousand rows cost ~15 ms
    // handed over one by one), in the database's order of names.
    let packed = entry(&[
        ("u.id", Field::Plain),
        ("u.name", Field::Text),
        ("u.email", Field::Text),
        ("u.sales_role_id", Field::Nullable),
        ("t.name", Field::NullableText),
    ]);
    let sql = scored(&format!(
        "SELECT string_agg({packed}, ',' ORDER BY u.name, u.id) FROM users u \
         LEFT JOIN teams t ON t.id = u.team_id \
         WHERE {{scored}} AND ($1 IS NULL OR u.team_id = $1)"
    ));
    let (packed,): (Option<String>,) = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(team_id)
        .fetch_one(pool)
        .await)?;
    let mut reps = Vec::new();
    read_all(
        packed.as_deref().unwrap_or_default(),
        "team reps",
        |r| {
            Some(TeamRep {
                id: r.int()?,
                name: r.text()?.to_string(),
                email: r.text()?.to_string(),
                sales_role_id: r.opt_int()?,
                team: r.opt_text()?.map(str::to_string),
            })
        },
        &mut reps,
    )?;
    Ok(reps)
}

async fn team_rollups(
    db: &Db,
    team_id: Option<i64>,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<DailyRollup>, AppError> {
    use crate::activities::repo::{packed_rollups, unpack_rollups, PackedDay};
    let packed = packed_rollups();
    let sql = scored(&format!(
        "SELECT {packed} FROM users u CROSS JOIN daily_rollups r \
         WHERE r.rep_id = u.id AND r.local_date >= $1 AND r.local_date <= $2 AND {{scored}} \
         AND ($3 IS NULL OR u.team_id = $3) GROUP BY r.local_date"
    ));
    let rows: Vec<PackedDay> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(start)
        .bind(end)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    unpack_rollups(rows)
}

/// The month totals of the scope's reps for the months `first..=last` (first days). Read
/// from the months' rows (the primary key leads with the month), the scope's kept.
async fn team_months(
    db: &Db,
    team_id: Option<i64>,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<MonthRollup>, AppError> {
    use crate::activities::repo::{packed_months, unpack_months, PackedDay};
    let packed = packed_months();
    let sql = scored(&format!(
        "SELECT {packed} FROM monthly_rollups m JOIN users u ON u.id = m.rep_id \
         WHERE m.month >= $1 AND m.month <= $2 AND {{scored}} \
         AND ($3 IS NULL OR u.team_id = $3) GROUP BY m.month"
    ));
    let months: Vec<PackedDay> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(first)
        .bind(last)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    unpack_months(months)
}

/// One packed string of rows, for the reads below (see [`crate::server::packed`]).
#[derive(sqlx::FromRow)]
struct Packed {
    packed: String,
}

/// Open deals, deals closed since `since.0` and deals won since `since.1` (only the
/// turnover trend looks back that far), with each deal's account (trimmed, when any).
/// Each deal keeps its entry but for the id (migration 0012); one string for the scope.
async fn team_deals(
    db: &Db,
    team_id: Option<i64>,
    since: (NaiveDate, NaiveDate),
) -> Result<(Vec<Deal>, HashMap<i64, String>), AppError> {
    let sql = scored(
        "SELECT string_agg(CAST(d.id AS TEXT) || ' ' || d.packed, ',') FROM users u \
         CROSS JOIN deals d WHERE d.rep_id = u.id AND {scored} AND ($1 IS NULL OR u.team_id = $1) \
         AND (d.status = 'open' OR d.closed_on >= $2 OR (d.status = 'won' AND d.closed_on >= $3))",
    );
    let (packed,): (Option<String>,) = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(team_id)
        .bind(since.0)
        .bind(since.1)
        .fetch_one(pool)
        .await)?;
    let groups: Vec<String> = packed.into_iter().collect();
    let mut rows = Vec::new();
    for g in &groups {
        read_all(
            g,
            "deals",
            |r| {
                let (id, rep_id, amount) = (r.int()?, r.int()?, r.int()?);
                let status = r.text()?;
                let deal = Deal {
                    id,
                    rep_id,
                    amount: Money(amount),
                    status: DealStatus::Open,
                    stage: r.text()?.to_string(),
                    probability: r.int()?,
                    created_on: r.date()?,
                    closed_on: r.opt_date()?,
                    expected_close: r.opt_date()?,
                    lost_reason: r.opt_text()?.map(str::to_string),
                    new_customer: r.bool()?,
                };
                Some((status, deal, r.opt_text()?))
            },
            &mut rows,
        )?;
    }
    let mut accounts = HashMap::new();
    let deals = rows
        .into_iter()
        .filter_map(|(status, mut deal, account)| {
            deal.status = match status {
                "open" => DealStatus::Open,
                "won" => DealStatus::Won,
                "lost" => DealStatus::Lost,
                _ => return None,
            };
            if let Some(a) = account.filter(|a| !a.is_empty()) {
                accounts.insert(deal.id, a.to_string());
            }
            Some(deal)
        })
        .collect();
    Ok((deals, accounts))
}

/// Role defaults and the scope's reps' own targets for the months `from..=to`.
async fn team_targets(
    db: &Db,
    team_id: Option<i64>,
    from: YearMonth,
    to: YearMonth,
    types: &[ActivityTypeRule],
) -> Result<Vec<MonthlyTarget>, AppError> {
    let packed = agg(&[
        ("t.metric", Field::Text),
        ("t.scope", Field::Text),
        ("t.subject_id", Field::Plain),
        ("t.month", Field::Plain),
        ("t.value", Field::Plain),
    ]);
    let sql = scored(&format!(
        "SELECT {packed} AS packed FROM targets t \
         WHERE t.month >= $1 AND t.month <= $2 AND (t.scope = 'role' OR (t.scope = 'rep' \
         AND t.subject_id IN (SELECT u.id FROM users u WHERE {{scored}} \
         AND ($3 IS NULL OR u.team_id = $3)))) GROUP BY t.month"
    ));
    let months: Vec<Packed> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(from.first_day())
        .bind(to.first_day())
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    let mut rows = Vec::new();
    for m in &months {
        read_all(
            &m.packed,
            "targets",
            |r| {
                Some(crate::scorecard::repo::TargetRow {
                    metric: r.text()?.to_string(),
                    scope: r.text()?.to_string(),
                    subject_id: r.int()?,
                    month: r.date()?,
                    value: r.int()?,
                })
            },
            &mut rows,
        )?;
    }
    Ok(crate::scorecard::repo::TargetRow::read_all(rows, types))
}

#[derive(sqlx::FromRow)]
struct AbsenceRow {
    user_id: i64,
    start_date: NaiveDate,
    end_date: NaiveDate,
}

async fn team_absences(
    db: &Db,
    team_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Absence>, AppError> {
    let sql = scored(
        "SELECT a.user_id, a.start_date, a.end_date FROM users u CROSS JOIN absences a \
         WHERE a.user_id = u.id AND a.start_date <= $1 AND a.end_date >= $2 AND {scored} AND ($3 IS NULL OR u.team_id = $3)",
    );
    let rows: Vec<AbsenceRow> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(to)
        .bind(from)
        .bind(team_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| Absence {
            rep_id: r.user_id,
            start: r.start_date,
            end: r.end_date,
        })
        .collect())
}

/// A day's (or a month's: its first day) rows packed in one string.
#[derive(sqlx::FromRow)]
pub struct ByDay {
    pub local_date: NaiveDate,
    pub packed: String,
}

/// The scope's reps are tallied in this many parts at once (by id), each on its own task:
/// a large organisation's fiscal year is ~400,000 account entries to unpack, and by the
/// time the other reads are done one core of a small server would otherwise sit idle.
const ACCOUNT_PARTS: i64 = 2;

/// One of the [`ACCOUNT_PARTS`] of a scope's reps: those whose id leaves this remainder.
#[derive(Debug, Clone, Copy)]
struct RepPart(i64);

/// [`RepPart`] as SQL on `u.id`, its remainder bound as `$part`.
const IN_PART: &str = "u.id % {parts} = $part";

fn in_part(sql: &str, part: &str) -> String {
    sql.replace(
        "{in_part}",
        &IN_PART
            .replace("{parts}", &ACCOUNT_PARTS.to_string())
            .replace("$part", part),
    )
}

/// The coverage of each account by each rep of the scope over `plan` (see
/// [`TeamData::account_lines`]), with the accounts' names.
async fn account_lines(
    db: &Db,
    team_id: Option<i64>,
    plan: &scoring::ReadPlan,
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    period: &Period,
) -> Result<(Vec<String>, Vec<(i64, AccountCoverage)>), AppError> {
    let parts = (0..ACCOUNT_PARTS).map(|part| {
        let (db, plan, types, weights, period) = (
            db.clone(),
            plan.clone(),
            types.to_vec(),
            weights.clone(),
            *period,
        );
        tokio::spawn(async move {
            account_part(
                &db,
                team_id,
                RepPart(part),
                &plan,
                &types,
                &weights,
                &period,
            )
            .await
        })
    });
    let mut parts = futures_util::future::try_join_all(parts)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "account coverage task failed");
            AppError::Internal
        })?
        .into_iter();
    let (mut names, mut lines) = parts.next().ok_or(AppError::Internal)??;
    for part in parts {
        let (more_names, more_lines) = part?;
        let ids: Vec<i64> = more_names.names.iter().map(|n| names.id(n)).collect();
        lines.extend(more_lines.into_iter().map(|(rep, c)| {
            let account_id = ids[c.account_id as usize];
            (rep, AccountCoverage { account_id, ..c })
        }));
    }
    Ok(names.by_name(lines))
}

/// [`account_lines`] of one part of the scope's reps, with the accounts' names as read.
async fn account_part(
    db: &Db,
    team_id: Option<i64>,
    part: RepPart,
    plan: &scoring::ReadPlan,
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    period: &Period,
) -> Result<(AccountNames, Vec<(i64, AccountCoverage)>), AppError> {
    let mut names = AccountNames::default();
    let mut tally = scoring::CoverageTally::new(types, weights, period);
    let days = async {
        let mut days = Vec::new();
        for (start, end) in &plan.days {
            days.extend(account_days(db, team_id, part, *start, *end).await?);
        }
        Ok::<_, AppError>(days)
    };
    let ((), days) = tokio::try_join!(
        account_months(db, team_id, part, &plan.months, |month, packed| {
            unpack_month(&mut names, &mut tally, month, packed)
        }),
        days,
    )?;
    for day in &days {
        unpack_day(&mut names, &mut tally, day)?;
    }
    Ok((names, tally.lines()))
}

/// The account month totals of one part of the scope's reps for `months` (first days),
/// each rep's month kept packed in one row (migrations 0011 and 0013): entries of rep,
/// type, units, day of the month of the last activity, account. One read a month, each
/// rep's row found by the table's key (month, rep) and joined in the order read: no sort.
/// Up to two months of a part are read at once, each on its own pooled connection (a
/// fiscal year's twelve leave the pool to the other pages); `use_month` unpacks each as it
/// arrives, while the database reads the next ones.
async fn account_months(
    db: &Db,
    team_id: Option<i64>,
    part: RepPart,
    months: &[NaiveDate],
    mut use_month: impl FnMut(NaiveDate, &str) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let sql = in_part(
        &scored(
            "SELECT string_agg(m.packed, ',') FROM users u CROSS JOIN account_month_packs m \
             WHERE m.rep_id = u.id AND m.month = $1 AND {scored} AND {in_part} \
             AND ($2 IS NULL OR u.team_id = $2)",
        ),
        "$3",
    );
    let sql = &sql;
    use futures_util::{StreamExt, TryStreamExt};
    let mut packed_months =
        futures_util::stream::iter(months.iter().copied().map(|day| async move {
            let (packed,): (Option<String>,) = on_db!(db, |pool| sqlx::query_as(sql)
                .bind(day)
                .bind(team_id)
                .bind(part.0)
                .fetch_one(pool)
                .await)?;
            Ok::<_, AppError>((day, packed))
        }))
        .buffered(2);
    while let Some((month, packed)) = packed_months.try_next().await? {
        if let Some(packed) = packed {
            use_month(month, &packed)?;
        }
    }
    Ok(())
}

/// Qualifying activity on accounts in `from..=to` (the days outside whole months), one
/// entry per activity: rep, type, quantity, account. Read from the covering index
/// `activities_account_work`, never the rest of the row. Packed by day.
async fn account_days(
    db: &Db,
    team_id: Option<i64>,
    part: RepPart,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ByDay>, AppError> {
    let packed = agg(&[
        ("a.rep_id", Field::Plain),
        ("a.activity_type_id", Field::Plain),
        ("a.quantity", Field::Plain),
        ("TRIM(a.account)", Field::Text),
    ]);
    let sql = in_part(
        &scored(&format!(
            "SELECT a.local_date, {packed} AS packed \
             FROM users u CROSS JOIN activities a \
             WHERE a.rep_id = u.id AND a.deleted_at IS NULL AND a.qualifies = TRUE \
             AND a.account IS NOT NULL AND a.local_date >= $1 AND a.local_date <= $2 \
             AND {{scored}} AND {{in_part}} AND ($3 IS NULL OR u.team_id = $3) \
             GROUP BY a.local_date"
        )),
        "$4",
    );
    let days = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .bind(team_id)
        .bind(part.0)
        .fetch_all(pool)
        .await)?;
    Ok(days)
}

/// Account names as they are read: each once, numbered in order of first sight.
#[derive(Default)]
pub struct AccountNames {
    ids: FxHashMap<String, i64>,
    names: Vec<String>,
    /// The last name's number: a rep's entries on one account come together.
    last: Option<i64>,
}

impl AccountNames {
    fn id(&mut self, name: &str) -> i64 {
        if let Some(last) = self.last {
            if self.names[last as usize] == name {
                return last;
            }
        }
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as i64;
                self.names.push(name.to_string());
                self.ids.insert(name.to_string(), id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// The accounts of `lines`, each named once in order of name, and the lines with
    /// `account_id` the index of their name.
    pub fn by_name(
        self,
        lines: Vec<(i64, AccountCoverage)>,
    ) -> (Vec<String>, Vec<(i64, AccountCoverage)>) {
        let mut used = vec![false; self.names.len()];
        for (_, c) in &lines {
            used[c.account_id as usize] = true;
        }
        let mut order: Vec<usize> = (0..self.names.len()).filter(|&i| used[i]).collect();
        order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        let mut rank = vec![0i64; self.names.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as i64;
        }
        let lines = lines
            .into_iter()
            .map(|(rep, c)| {
                (
                    rep,
                    AccountCoverage {
                        account_id: rank[c.account_id as usize],
                        ..c
                    },
                )
            })
            .collect();
        let mut names: Vec<Option<String>> = self.names.into_iter().map(Some).collect();
        let named = order.iter().filter_map(|&i| names[i].take()).collect();
        (named, lines)
    }
}

/// A month of [`account_months`] into `tally`: each entry dated the day of its last
/// activity. (Migration 0011 calls this `unpack_accounts`, its name before.)
pub fn unpack_month(
    names: &mut AccountNames,
    tally: &mut scoring::CoverageTally,
    month: NaiveDate,
    packed: &str,
) -> Result<(), AppError> {
    use chrono::Datelike;
    each(packed, "account totals", |r| {
        let (rep_id, activity_type_id, units, day) = (r.int()?, r.int()?, r.int()?, r.int()?);
        let date = month.with_day(u32::try_from(day).ok()?)?;
        let account = r.text()?;
        if !account.is_empty() {
            tally.add(&AccountActivity {
                account_id: names.id(account),
                rep_id,
                date,
                activity_type_id,
                units,
            });
        }
        Some(())
    })
}

/// A day of [`account_days`] into `tally`: one entry per activity.
fn unpack_day(
    names: &mut AccountNames,
    tally: &mut scoring::CoverageTally,
    day: &ByDay,
) -> Result<(), AppError> {
    each(&day.packed, "account activity", |r| {
        let (rep_id, activity_type_id, units) = (r.int()?, r.int()?, r.int()?);
        let account = r.text()?;
        if !account.is_empty() {
            tally.add(&AccountActivity {
                account_id: names.id(account),
                rep_id,
                date: day.local_date,
                activity_type_id,
                units,
            });
        }
        Some(())
    })
}

/// The last activity by anyone on each account with open deals of the scope.
async fn last_touch(db: &Db, team_id: Option<i64>) -> Result<HashMap<String, NaiveDate>, AppError> {
    // One index probe per account (`activities_account_touch`), not a scan of every activity.
    let packed = agg(&[("o.account", Field::Text), ("o.last", Field::Nullable)]);
    let sql = scored(&format!(
        "SELECT {packed} AS packed FROM (SELECT t.account, (SELECT MAX(a.local_date) \
           FROM activities a WHERE TRIM(a.account) = t.account AND a.deleted_at IS NULL \
           AND a.account IS NOT NULL) AS last \
         FROM (SELECT DISTINCT TRIM(d.account) AS account FROM users u \
           CROSS JOIN deals d WHERE d.rep_id = u.id AND d.status = 'open' \
           AND d.account IS NOT NULL AND {{scored}} AND ($1 IS NULL OR u.team_id = $1)) t) o"
    ));
    // (one row, whose string is NULL when there is no such account)
    let one: (Option<String>,) = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(team_id)
        .fetch_one(pool)
        .await)?;
    let mut rows = Vec::new();
    if let Some(p) = &one.0 {
        read_all(
            p,
            "last touch",
            |r| Some((r.text()?, r.opt_date()?)),
            &mut rows,
        )?;
    }
    Ok(rows
        .into_iter()
        .filter_map(|(account, last)| Some((account.to_string(), last?)))
        .collect())
}
