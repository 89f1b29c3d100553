//! Explanations: a rep's full scorecard (actual, target, expected, pace, band per line) and score breakdown text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::activity::DailyRollup;
use super::activity::{ActivityTypeRule, ScoreBreakdown};
use super::bands::{band_for, Band, BandThresholds};
use super::metrics::{metric_value, Deal, Metric, MetricInputs, MetricUnit, Population};
use super::pacing::{
    attainment, expected_from_progress, inverse_ratio, pace, working_days_progress,
    WorkingDaysProgress,
};
use super::period::Period;
use super::points::{display_percent, Percent};
use super::scorecard::{composite_score, Indicator, ScorecardTemplate};
use super::targets::TargetBook;
use super::weights::WeightTable;
use super::workdays::{Absence, WorkCalendar};

/// One line of a scorecard: everything needed to show *why* a rep is where they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardLine {
    pub metric: Metric,
    pub indicator: Indicator,
    pub weight: i64,
    /// In the metric's unit; `None` when undefined (e.g. win rate with nothing closed).
    pub actual: Option<i64>,
    pub target: Option<i64>,
    pub expected_to_date: Option<i64>,
    /// Uncapped; `None` is "n/a".
    pub attainment: Option<Percent>,
    /// Uncapped; `None` is "n/a".
    pub pace: Option<Percent>,
    pub band: Option<Band>,
}

impl ScorecardLine {
    /// Evaluates one metric against its target.
    ///
    /// * Cumulative metrics: expected-to-date prorated by working days (the target once
    ///   closed), attainment = actual / target, pace = actual / expected.
    /// * Ratios and averages (win rate, deal size…): the target applies as is at any point,
    ///   so expected = target and pace = attainment.
    /// * Lower-is-better metrics (cycle length, lost business): the ratios are inverted
    ///   (expected / actual), so beating the target still reads above 100 %; an actual of 0
    ///   gives "n/a".
    ///
    /// A rep with no working day in the period has no expectation: expected, pace and (for
    /// an open period) band are "n/a".
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate(
        metric: Metric,
        indicator: Indicator,
        weight: i64,
        actual: Option<i64>,
        target: Option<i64>,
        period: &Period,
        today: NaiveDate,
        progress: &WorkingDaysProgress,
        thresholds: &BandThresholds,
    ) -> ScorecardLine {
        let expected = target.and_then(|t| {
            if metric.is_cumulative() {
                expected_from_progress(t, progress)
            } else if progress.total > 0 {
                Some(t)
            } else {
                None
            }
        });
        let (att, pc) = if metric.higher_is_better() {
            let att = match (actual, target) {
                (Some(a), Some(t)) => attainment(a, t),
                _ => None,
            };
            let pc = actual.and_then(|a| pace(a, expected));
            (att, pc)
        } else {
            (
                inverse_ratio(actual, target),
                inverse_ratio(actual, expected),
            )
        };
        let band = band_for(period, today, att, pc, thresholds);
        ScorecardLine {
            metric,
            indicator,
            weight,
            actual,
            target,
            expected_to_date: expected,
            attainment: att,
            pace: pc,
            band,
        }
    }

    /// `"Call count: actual 14, target 40, expected 18, pace 78%, attainment 35% — At risk"`.
    pub fn explain(&self, types: &[ActivityTypeRule]) -> String {
        let unit: MetricUnit = self.metric.unit();
        let v = |x: Option<i64>| x.map(|x| unit.format(x)).unwrap_or_else(|| "n/a".into());
        format!(
            "{}: actual {}, target {}, expected {}, pace {}, attainment {} — {}",
            self.metric.label(types),
            v(self.actual),
            v(self.target),
            v(self.expected_to_date),
            display_percent(self.pace),
            display_percent(self.attainment),
            self.band.map(|b| b.label()).unwrap_or("n/a"),
        )
    }
}

/// A rep's scorecard for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub rep_id: i64,
    pub role_id: Option<i64>,
    pub period: Period,
    pub closed: bool,
    pub working_days: WorkingDaysProgress,
    pub lines: Vec<ScorecardLine>,
    /// Σ wᵢ × min(paceᵢ, cap) / Σ wᵢ over lines with a pace; `None` when none has one.
    pub composite: Option<Percent>,
    pub pace_cap: Percent,
    pub composite_band: Option<Band>,
}

/// Everything a scorecard is computed from, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct ScorecardContext<'a> {
    pub inputs: MetricInputs<'a>,
    pub targets: &'a TargetBook,
    pub calendar: &'a WorkCalendar,
    /// Absences; only those of the rep being scored are used.
    pub absences: &'a [Absence],
    pub thresholds: &'a BandThresholds,
    /// Org-local today.
    pub today: NaiveDate,
}

/// Everything one rep's scorecard for one period is computed from, owned: the server loads
/// it once; the scorecard editor sends it to the browser, which recomputes the card for a
/// draft template with the same function the server uses after the save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardInputs {
    pub rep_id: i64,
    pub role_id: Option<i64>,
    pub period: Period,
    pub rollups: Vec<DailyRollup>,
    pub types: Vec<ActivityTypeRule>,
    pub weights: WeightTable,
    pub deals: Vec<Deal>,
    pub targets: TargetBook,
    pub calendar: WorkCalendar,
    pub absences: Vec<Absence>,
    pub thresholds: BandThresholds,
    /// Org-local today.
    pub today: NaiveDate,
}

impl ScorecardInputs {
    /// The rep's scorecard with `template`.
    pub fn scorecard(&self, template: &ScorecardTemplate) -> Scorecard {
        let ctx = ScorecardContext {
            inputs: MetricInputs {
                rollups: &self.rollups,
                types: &self.types,
                weights: &self.weights,
                deals: &self.deals,
            },
            targets: &self.targets,
            calendar: &self.calendar,
            absences: &self.absences,
            thresholds: &self.thresholds,
            today: self.today,
        };
        build_scorecard(self.rep_id, self.role_id, template, &self.period, &ctx)
    }
}

/// The full scorecard of one rep for a period: one line per template metric (actual from
/// the catalogue, the rep's target, expected-to-date, attainment, pace, band) and the
/// composite. The composite band follows the same rule as lines (open: on the composite of
/// paces; closed: paces equal attainments).
pub fn build_scorecard(
    rep_id: i64,
    role_id: Option<i64>,
    template: &ScorecardTemplate,
    period: &Period,
    ctx: &ScorecardContext<'_>,
) -> Scorecard {
    let absences: Vec<Absence> = ctx
        .absences
        .iter()
        .filter(|a| a.rep_id == rep_id)
        .cloned()
        .collect();
    let progress = working_days_progress(period, ctx.today, ctx.calendar, &absences);
    let population = Population::Rep(rep_id);
    let lines: Vec<ScorecardLine> = template
        .metrics
        .iter()
        .map(|m| {
            let actual = metric_value(m.metric, &ctx.inputs, &population, period);
            let target =
                ctx.targets
                    .target_for_period(m.metric, rep_id, role_id, period, ctx.calendar);
            ScorecardLine::evaluate(
                m.metric,
                m.indicator,
                m.weight,
                actual,
                target,
                period,
                ctx.today,
                &progress,
                ctx.thresholds,
            )
        })
        .collect();
    let weighted: Vec<(i64, Option<Percent>)> = lines.iter().map(|l| (l.weight, l.pace)).collect();
    let composite = composite_score(&weighted, template.pace_cap);
    Scorecard {
        rep_id,
        role_id,
        period: *period,
        closed: period.is_closed(ctx.today),
        working_days: progress,
        lines,
        composite,
        pace_cap: template.pace_cap,
        composite_band: composite.map(|c| ctx.thresholds.band(c)),
    }
}

/// The text explanation of an Activity Score: one line per (type, weight version) naming
/// the version by its effective date, then the total. Unknown type ids show as `#id`.
pub fn explain_breakdown(
    b: &ScoreBreakdown,
    types: &[ActivityTypeRule],
    weights: &WeightTable,
) -> Vec<String> {
    let mut out: Vec<String> = b
        .lines
        .iter()
        .map(|l| {
            let label = types
                .iter()
                .find(|t| t.id == l.activity_type_id)
                .map(|t| t.label.clone())
                .unwrap_or_else(|| format!("#{}", l.activity_type_id));
            l.explain_versioned(&label, weights)
        })
        .collect();
    out.push(format!("Total = {}", b.total.display()));
    out
}
