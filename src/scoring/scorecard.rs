//! Role scorecard templates (leading / lagging metrics with weights) and the capped composite score.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::metrics::Metric;
use super::points::{div_round, Percent};

/// Whether a scorecard metric measures effort (leading) or outcome (lagging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    Leading,
    Lagging,
}

/// One metric of a scorecard with its weight in the composite (any positive integer; only
/// the ratios matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardMetric {
    pub metric: Metric,
    pub indicator: Indicator,
    pub weight: i64,
}

/// The scorecard of a role (SDR, Account Executive, Field Rep…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardTemplate {
    pub role_id: i64,
    pub name: String,
    pub metrics: Vec<ScorecardMetric>,
    /// Cap on each metric's pace in the composite; default 150 %.
    pub pace_cap: Percent,
}

/// The default cap of a metric's pace in the composite: 150 %.
pub const DEFAULT_PACE_CAP: Percent = Percent(15_000);

/// More metrics than this draws a warning.
pub const MAX_RECOMMENDED_METRICS: i32 = 6;

/// Advice shown by the scorecard editor. None of these blocks saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScorecardWarning {
    /// No metric at all: the composite is always "n/a".
    Empty,
    /// More than 6 metrics: a scorecard should stay short.
    TooManyMetrics { count: i32 },
    /// Fewer than 2 leading metrics per lagging one (2–3 are recommended).
    FewLeadingPerLagging { leading: i32, lagging: i32 },
    /// More than 3 leading metrics per lagging one, or no lagging metric at all: effort
    /// is measured, results are not.
    ManyLeadingPerLagging { leading: i32, lagging: i32 },
    /// The same metric twice.
    DuplicateMetric { metric: Metric },
    /// A weight of 0 or less: the metric is shown but ignored by the composite.
    NonPositiveWeight { metric: Metric },
}

impl fmt::Display for ScorecardWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScorecardWarning::Empty => f.write_str("The scorecard has no metric."),
            ScorecardWarning::TooManyMetrics { count } => write!(
                f,
                "{} metrics: keep a scorecard to {} or fewer so it stays readable.",
                count, MAX_RECOMMENDED_METRICS
            ),
            ScorecardWarning::FewLeadingPerLagging { leading, lagging } => write!(
                f,
                "{} leading for {} lagging: 2–3 leading metrics per lagging one are recommended.",
                leading, lagging
            ),
            ScorecardWarning::ManyLeadingPerLagging { leading, lagging: 0 } => write!(
                f,
                "{} leading and no lagging metric: add an outcome (turnover, deals won) so results count too.",
                leading
            ),
            ScorecardWarning::ManyLeadingPerLagging { leading, lagging } => write!(
                f,
                "{} leading for {} lagging: 2–3 leading metrics per lagging one are recommended.",
                leading, lagging
            ),
            ScorecardWarning::DuplicateMetric { metric } => {
                write!(f, "{} appears more than once.", metric.key())
            }
            ScorecardWarning::NonPositiveWeight { metric } => {
                write!(
                    f,
                    "{} has no positive weight and does not count.",
                    metric.key()
                )
            }
        }
    }
}

impl ScorecardTemplate {
    /// A template with the default pace cap.
    pub fn new(role_id: i64, name: impl Into<String>, metrics: Vec<ScorecardMetric>) -> Self {
        ScorecardTemplate {
            role_id,
            name: name.into(),
            metrics,
            pace_cap: DEFAULT_PACE_CAP,
        }
    }

    pub fn leading_count(&self) -> i32 {
        self.metrics
            .iter()
            .filter(|m| m.indicator == Indicator::Leading)
            .count() as i32
    }

    pub fn lagging_count(&self) -> i32 {
        self.metrics
            .iter()
            .filter(|m| m.indicator == Indicator::Lagging)
            .count() as i32
    }

    /// The editor's advice: more than 6 metrics, fewer than 2 leading per lagging metric,
    /// duplicates, non-positive weights, or no metric at all.
    pub fn warnings(&self) -> Vec<ScorecardWarning> {
        let mut w = Vec::new();
        if self.metrics.is_empty() {
            w.push(ScorecardWarning::Empty);
            return w;
        }
        let count = self.metrics.len() as i32;
        if count > MAX_RECOMMENDED_METRICS {
            w.push(ScorecardWarning::TooManyMetrics { count });
        }
        let (leading, lagging) = (self.leading_count(), self.lagging_count());
        if lagging > 0 && leading < 2 * lagging {
            w.push(ScorecardWarning::FewLeadingPerLagging { leading, lagging });
        }
        if leading > 3 * lagging {
            w.push(ScorecardWarning::ManyLeadingPerLagging { leading, lagging });
        }
        let mut seen = BTreeSet::new();
        for m in &self.metrics {
            if !seen.insert(m.metric) {
                w.push(ScorecardWarning::DuplicateMetric { metric: m.metric });
            }
        }
        for m in &self.metrics {
            if m.weight <= 0 {
                w.push(ScorecardWarning::NonPositiveWeight { metric: m.metric });
            }
        }
        w
    }
}

/// Composite score = Σ wᵢ × min(paceᵢ, cap) / Σ wᵢ, rounded half away from zero.
/// Lines whose pace is "n/a" (`None`) or whose weight is not positive are left out of both
/// sums; a negative pace counts as 0, so the result is always within `[0, cap]`.
/// `None` when no line is left.
pub fn composite_score(lines: &[(i64, Option<Percent>)], cap: Percent) -> Option<Percent> {
    let cap = cap.0.max(0) as i128;
    let mut num: i128 = 0;
    let mut den: i128 = 0;
    for (w, p) in lines {
        let (Some(p), true) = (p, *w > 0) else {
            continue;
        };
        num += *w as i128 * (p.0 as i128).clamp(0, cap);
        den += *w as i128;
    }
    (den > 0).then(|| Percent(div_round(num, den)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(metric: Metric, indicator: Indicator, weight: i64) -> ScorecardMetric {
        ScorecardMetric {
            metric,
            indicator,
            weight,
        }
    }

    #[test]
    fn composite_caps_each_metric() {
        let cap = DEFAULT_PACE_CAP;
        // one metric at 400 % cannot carry the others: (1×150 + 1×50 + 2×100) / 4 = 100 %
        let lines = [
            (1, Some(Percent(40_000))),
            (1, Some(Percent(5_000))),
            (2, Some(Percent(10_000))),
        ];
        assert_eq!(composite_score(&lines, cap), Some(Percent(10_000)));
        // n/a lines drop out of both sums
        assert_eq!(
            composite_score(&[(3, None), (1, Some(Percent(9_000)))], cap),
            Some(Percent(9_000))
        );
        assert_eq!(composite_score(&[(3, None)], cap), None);
        assert_eq!(composite_score(&[], cap), None);
        assert_eq!(composite_score(&[(0, Some(Percent(9_000)))], cap), None);
        // rounding: (1×10000 + 2×0)/3 = 3333.3 → 3333
        assert_eq!(
            composite_score(&[(1, Some(Percent(10_000))), (2, Some(Percent(0)))], cap),
            Some(Percent(3_333))
        );
        // configurable cap
        assert_eq!(
            composite_score(&[(1, Some(Percent(40_000)))], Percent(20_000)),
            Some(Percent(20_000))
        );
    }

    #[test]
    fn template_warnings() {
        use Indicator::*;
        let good = ScorecardTemplate::new(
            1,
            "SDR",
            vec![
                m(
                    Metric::ActivityCount {
                        activity_type_id: 1,
                    },
                    Leading,
                    2,
                ),
                m(
                    Metric::ActivityCount {
                        activity_type_id: 3,
                    },
                    Leading,
                    2,
                ),
                m(Metric::DealsWon, Lagging, 1),
            ],
        );
        assert_eq!(good.warnings(), vec![]);
        let mut bad = good.clone();
        bad.metrics.push(m(Metric::TurnoverWon, Lagging, 0));
        bad.metrics.push(m(Metric::DealsWon, Lagging, 1));
        bad.metrics.push(m(Metric::WinRate, Lagging, 1));
        bad.metrics.push(m(Metric::ActivityScore, Leading, 1));
        assert_eq!(
            bad.warnings(),
            vec![
                ScorecardWarning::TooManyMetrics { count: 7 },
                ScorecardWarning::FewLeadingPerLagging {
                    leading: 3,
                    lagging: 4
                },
                ScorecardWarning::DuplicateMetric {
                    metric: Metric::DealsWon
                },
                ScorecardWarning::NonPositiveWeight {
                    metric: Metric::TurnoverWon
                },
            ]
        );
        assert_eq!(
            ScorecardTemplate::new(1, "x", vec![]).warnings(),
            vec![ScorecardWarning::Empty]
        );
        // 2:1 and 3:1 are fine; 4:1 or only leading metrics are not.
        let mut three = good.clone();
        three.metrics.push(m(Metric::ActivityScore, Leading, 1));
        assert_eq!(three.warnings(), vec![]);
        let mut four = three.clone();
        four.metrics.push(m(Metric::WeightedPipeline, Leading, 1));
        assert_eq!(
            four.warnings(),
            vec![ScorecardWarning::ManyLeadingPerLagging {
                leading: 4,
                lagging: 1
            }]
        );
        let only_effort =
            ScorecardTemplate::new(1, "x", vec![m(Metric::ActivityScore, Leading, 1)]);
        assert_eq!(
            only_effort.warnings(),
            vec![ScorecardWarning::ManyLeadingPerLagging {
                leading: 1,
                lagging: 0
            }]
        );
        assert_eq!(good.pace_cap, Percent(15_000));
    }
}
