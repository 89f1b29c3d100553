//! A rep's progress over time, from the daily rollups and the one scoring engine: the trend
//! of their activity score against the team median and their personal best, the weekly
//! activity report, and their own activities by period. Access is the caller's business
//! ([`super::service::viewable_rep`]).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::repo::RepRow;
use crate::activities::repo as activity_repo;
use crate::error::AppError;
use crate::leaderboard::service as board;
use crate::progress::{
    History, HistoryItem, ReportLine, Trend, TrendPoint, WeeklyReport, HISTORY_LIMIT,
    HISTORY_PERIODS, TREND_PERIODS,
};
use crate::scoring::{
    self, average_week, counts_per_type, median, personal_best, score_rep, Period, PeriodKind,
    Points, Population,
};
use crate::server::db::Db;
use crate::server::org;

/// The periods of the trend: `month` or `week`.
fn trend_kind(period: &str) -> Result<PeriodKind, AppError> {
    match period.trim() {
        "" | "month" => Ok(PeriodKind::Month),
        "week" => Ok(PeriodKind::Week),
        other => Err(AppError::BadRequest(format!(
            "Unknown period '{other}': choose month or week."
        ))),
    }
}

fn short_label(p: &Period) -> String {
    match p.kind {
        PeriodKind::Week => format!("W{}", p.start.iso_week().week()),
        _ => p.start.format("%b").to_string(),
    }
}

/// The last [`TREND_PERIODS`] periods of `period` kind (the current one last): the rep's
/// activity score, the median of their team's scores (every scored member, the rep included,
/// 0 without activity; the whole organisation for a rep without a team), and the rep's best
/// closed period since their first activity.
pub async fn trend(db: &Db, rep: &RepRow, period: &str) -> Result<Trend, AppError> {
    let kind = trend_kind(period)?;
    let settings = org::load(db).await?;
    let today = settings.today();
    let fy = settings.fiscal_start();
    let current = Period::containing(kind, today, fy);
    let mut periods = vec![current];
    while periods.len() < TREND_PERIODS {
        let before = periods[periods.len() - 1].previous(fy);
        periods.push(before);
    }
    periods.reverse();
    let types = crate::activity_types::service::scoring_types(db).await?;
    let weights = crate::activity_types::service::weight_table(db).await?;
    let roster = board::reps(db, rep.team_id).await?;
    let team_label = match rep.team_id {
        Some(_) => roster
            .iter()
            .find_map(|r| r.team.clone())
            .unwrap_or_else(|| "your team".to_string()),
        None => "everyone".to_string(),
    };
    let rollups = activity_repo::rollups(db, periods[0].start, current.end, None).await?;
    let points = periods
        .iter()
        .map(|p| {
            let scores = scoring::activity_scores(&rollups, &types, &weights, p);
            let score_of = |id: i64| scores.get(&id).copied().unwrap_or(Points::ZERO);
            let team: Vec<i64> = roster.iter().map(|r| score_of(r.id).0).collect();
            TrendPoint {
                label: p.label(),
                short_label: short_label(p),
                start: p.start,
                end: p.end,
                score: score_of(rep.id),
                team_median: median(&team).map(Points),
                current: p.contains(today),
            }
        })
        .collect();
    // The personal best looks at the rep's whole history, not only the periods shown.
    let mut history: Vec<(Period, i64)> = Vec::new();
    if let Some(first) = activity_repo::first_rollup_date(db, rep.id).await? {
        let own = activity_repo::rollups(db, first, current.end, Some(rep.id)).await?;
        let mut p = Period::containing(kind, first, fy);
        while p.start <= current.start {
            let s = score_rep(rep.id, &own, &types, &weights, &p).total;
            history.push((p, s.0));
            p = p.next(fy);
        }
    }
    let best = personal_best(&history, today);
    let now = history
        .iter()
        .find(|(p, _)| *p == current)
        .map(|(_, v)| *v)
        .unwrap_or(0);
    Ok(Trend {
        rep_name: rep.name.clone(),
        kind: kind.as_str().to_string(),
        team_label,
        points,
        new_best: scoring::is_new_personal_best(now, &history, today),
        personal_best: best.map(|b| (b.period.label(), Points(b.value))),
    })
}

/// This week (Monday to today) against the average week of the last 30 days (today
/// included), per activity type: counted units and points, the average being the 30 days'
/// total × 7 / 30 ([`average_week`]). Every active type is listed, with or without activity;
/// an inactive type only when it has some in the window.
pub async fn weekly_report(db: &Db, rep: &RepRow) -> Result<WeeklyReport, AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let fy = settings.fiscal_start();
    let week = Period::containing(PeriodKind::Week, today, fy);
    let window = Period::containing(PeriodKind::Last30, today, fy);
    let types = crate::activity_types::service::scoring_types(db).await?;
    let weights = crate::activity_types::service::weight_table(db).await?;
    let active: Vec<String> = crate::activities::service::type_views(db)
        .await?
        .into_iter()
        .map(|t| t.key)
        .collect();
    let rollups =
        activity_repo::rollups(db, week.start.min(window.start), today, Some(rep.id)).await?;
    let who = Population::Rep(rep.id);
    let points_by_type = |p: &Period| -> BTreeMap<i64, Points> {
        let mut m: BTreeMap<i64, Points> = BTreeMap::new();
        for l in score_rep(rep.id, &rollups, &types, &weights, p).lines {
            let e = m.entry(l.activity_type_id).or_insert(Points::ZERO);
            *e = e.saturating_add(l.points);
        }
        m
    };
    let week_points = points_by_type(&week);
    let window_points = points_by_type(&window);
    let week_counts: BTreeMap<i64, i64> = counts_per_type(&rollups, &types, &who, &week)
        .into_iter()
        .collect();
    let window_counts = counts_per_type(&rollups, &types, &who, &window);
    let days = window.days();
    let mut lines = Vec::new();
    for (t, (_, window_count)) in types.iter().zip(window_counts) {
        let wp = window_points.get(&t.id).copied().unwrap_or(Points::ZERO);
        let week_count = week_counts.get(&t.id).copied().unwrap_or(0);
        if !active.contains(&t.key) && window_count == 0 && week_count == 0 {
            continue;
        }
        lines.push(ReportLine {
            type_key: t.key.clone(),
            label: t.label.clone(),
            icon: t.icon.clone(),
            week_count,
            week_points: week_points.get(&t.id).copied().unwrap_or(Points::ZERO),
            // A count in hundredths is a count × 100 averaged like points.
            average_count_hundredths: average_week(Points(window_count.saturating_mul(100)), days)
                .0,
            average_points: average_week(wp, days),
        });
    }
    let week_total = lines
        .iter()
        .fold(Points::ZERO, |a, l| a.saturating_add(l.week_points));
    let average_total = average_week(
        window_points
            .values()
            .fold(Points::ZERO, |a, p| a.saturating_add(*p)),
        days,
    );
    Ok(WeeklyReport {
        rep_name: rep.name.clone(),
        week_label: week.label(),
        week_start: week.start,
        today,
        window_start: window.start,
        window_end: window.end,
        lines,
        week_total,
        average_total,
    })
}

/// The days of a history period: this or last week or month, as of `today`.
pub fn history_period(key: &str, today: NaiveDate, fy: u32) -> Result<Period, AppError> {
    let this_week = Period::containing(PeriodKind::Week, today, fy);
    let this_month = Period::containing(PeriodKind::Month, today, fy);
    match key.trim() {
        "" | "this_week" => Ok(this_week),
        "last_week" => Ok(this_week.previous(fy)),
        "this_month" => Ok(this_month),
        "last_month" => Ok(this_month.previous(fy)),
        other => Err(AppError::BadRequest(format!(
            "Unknown period '{other}': choose {}.",
            HISTORY_PERIODS
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The rep's own live activities of a history period, newest first.
pub async fn history(db: &Db, rep: &RepRow, period: &str) -> Result<History, AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let p = history_period(period, today, settings.fiscal_start())?;
    let key = match period.trim() {
        "" => "this_week",
        k => k,
    };
    let types = crate::activity_types::service::scoring_types(db).await?;
    let tz = settings.tz();
    let rows =
        activity_repo::rep_activities_between(db, rep.id, p.start, p.end, HISTORY_LIMIT).await?;
    let (total_activities, total_units) =
        activity_repo::rep_activity_totals(db, rep.id, p.start, p.end).await?;
    let items: Vec<HistoryItem> = rows
        .into_iter()
        .map(|a| {
            let t = types.iter().find(|t| t.id == a.activity_type_id);
            HistoryItem {
                id: a.id,
                date: a.local_date,
                time: a.occurred_at.with_timezone(&tz).format("%H:%M").to_string(),
                label: t
                    .map(|t| t.label.clone())
                    .unwrap_or_else(|| "(removed type)".into()),
                icon: t.map(|t| t.icon.clone()).unwrap_or_default(),
                quantity: a.quantity,
                counts: a.qualifies,
                note: a.note.unwrap_or_default(),
                account: a.account.unwrap_or_default(),
            }
        })
        .collect();
    let label = format!(
        "{} ({} – {})",
        p.label(),
        p.start.format("%-d %b"),
        p.end.format("%-d %b")
    );
    Ok(History {
        period: key.to_string(),
        label,
        start: p.start,
        end: p.end,
        total_activities,
        total_units,
        items,
    })
}
