//! Pacing: expected-to-date from working days, and uncapped attainment and pace.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::metrics::{Metric, MetricUnit};
use super::period::Period;
use super::points::{div_round, Percent};
use super::workdays::{Absence, WorkCalendar};

/// The working days behind an expectation, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDaysProgress {
    /// The rep's working days in the whole period (org calendar minus their absences).
    pub total: i64,
    /// Of which elapsed, today included (equal to `total` once the period is closed).
    pub elapsed: i64,
    pub closed: bool,
}

/// Working days of a rep in `period` and how many have elapsed by `today` (included).
/// Pass only this rep's absences.
pub fn working_days_progress(
    period: &Period,
    today: NaiveDate,
    calendar: &WorkCalendar,
    absences: &[Absence],
) -> WorkingDaysProgress {
    let total = calendar.working_days_for(period.start, period.end, absences);
    let closed = period.is_closed(today);
    let elapsed = if closed {
        total
    } else {
        calendar.working_days_for(period.start, today.min(period.end), absences)
    };
    WorkingDaysProgress {
        total,
        elapsed,
        closed,
    }
}

/// `target × working days elapsed (today included) / working days in period`, rounded half
/// away from zero; the target itself once the period is closed; `None` when the rep has no
/// working day in the period (absent all period: "n/a", not 0 %). Before the period starts
/// the expectation is 0.
pub fn expected_to_date(
    target: i64,
    period: &Period,
    today: NaiveDate,
    calendar: &WorkCalendar,
    absences: &[Absence],
) -> Option<i64> {
    expected_from_progress(
        target,
        &working_days_progress(period, today, calendar, absences),
    )
}

/// [`expected_to_date`] from already counted working days.
pub fn expected_from_progress(target: i64, progress: &WorkingDaysProgress) -> Option<i64> {
    if progress.total <= 0 {
        return None;
    }
    if progress.closed {
        return Some(target);
    }
    Some(div_round(
        target as i128 * progress.elapsed as i128,
        progress.total as i128,
    ))
}

/// actual / target, uncapped (180 % stays 180 %); `None` ("n/a") when the target is 0.
pub fn attainment(actual: i64, target: i64) -> Option<Percent> {
    Percent::ratio(actual, target)
}

/// actual / expected-to-date, uncapped; `None` when there is no expectation or it is 0
/// (first morning of a period with no working day yet, target 0, absent all period).
pub fn pace(actual: i64, expected_to_date: Option<i64>) -> Option<Percent> {
    expected_to_date.and_then(|e| Percent::ratio(actual, e))
}

/// For lower-is-better metrics (cycle length): target / actual, so beating the target
/// still reads above 100 %. `None` when the actual is 0 or either is missing.
pub fn inverse_ratio(actual: Option<i64>, target: Option<i64>) -> Option<Percent> {
    match (actual, target) {
        (Some(a), Some(t)) if a > 0 && t > 0 => Percent::ratio(t, a),
        _ => None,
    }
}

/// The rep's working days from `today` (included) to the end of `period`: organisation
/// holidays and the rep's absences are not working days. 0 once the period is closed; the
/// whole period before it starts. Pass only this rep's absences.
pub fn working_days_left(
    period: &Period,
    today: NaiveDate,
    calendar: &WorkCalendar,
    absences: &[Absence],
) -> i64 {
    if period.is_closed(today) {
        return 0;
    }
    calendar.working_days_for(today.max(period.start), period.end, absences)
}

/// What it takes to reach a target by the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhatItTakes {
    /// The target is reached (or beaten): nothing more is needed.
    Reached,
    /// `remaining` more in `days_left` working days (today included when it is one): at
    /// least `per_day` a day. `per_day` is rounded **up** (to the unit's step), since
    /// rounding down would fall short of the target.
    PerDay {
        remaining: i64,
        days_left: i64,
        per_day: i64,
    },
    /// Short by `remaining` with no working day left in the period.
    OutOfDays { remaining: i64 },
}

/// `n / d` rounded up to a multiple of `step` (positive `n`, `d`, `step`).
fn ceil_to(n: i64, d: i64, step: i64) -> i64 {
    let q = (n as i128 + d as i128 - 1) / d as i128;
    let q = (q + step as i128 - 1) / step as i128 * step as i128;
    super::points::saturate(q)
}

/// What `metric` still needs from now to the end of the period: `target − actual` spread over
/// the `days_left` working days ([`working_days_left`]). Only for cumulative, higher-is-better
/// metrics with a positive target (counts, points, call time, turnover, deals won): ratios and
/// averages have no "per day", and lower-is-better metrics are not a quota. `None` otherwise.
/// A missing actual counts as 0. Call time is rounded up to whole minutes.
pub fn what_it_takes(
    metric: Metric,
    actual: Option<i64>,
    target: Option<i64>,
    days_left: i64,
) -> Option<WhatItTakes> {
    if !metric.is_cumulative() || !metric.higher_is_better() {
        return None;
    }
    let target = target.filter(|t| *t > 0)?;
    let remaining = target.saturating_sub(actual.unwrap_or(0).max(0));
    if remaining <= 0 {
        return Some(WhatItTakes::Reached);
    }
    if days_left <= 0 {
        return Some(WhatItTakes::OutOfDays { remaining });
    }
    let step = if metric.unit() == MetricUnit::Seconds {
        60
    } else {
        1
    };
    Some(WhatItTakes::PerDay {
        remaining,
        days_left,
        per_day: ceil_to(remaining, days_left, step),
    })
}

/// "30th", "1st", "22nd".
pub fn ordinal(n: i64) -> String {
    let suffix = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl WhatItTakes {
    /// In words, for the metric's card: "2 more a day until the 30th (13 to go in 7 working
    /// days)"; "3 more today to reach the target" on the rep's last working day (`works_today`
    /// and one day left); "Target reached"; "4 short, no working day left".
    pub fn sentence(&self, unit: MetricUnit, period_end: NaiveDate, works_today: bool) -> String {
        use chrono::Datelike;
        match *self {
            WhatItTakes::Reached => "Target reached.".to_string(),
            WhatItTakes::OutOfDays { remaining } => {
                format!("{} short, no working day left.", unit.format(remaining))
            }
            WhatItTakes::PerDay {
                remaining,
                days_left: 1,
                ..
            } if works_today => {
                format!("{} more today to reach the target.", unit.format(remaining))
            }
            WhatItTakes::PerDay {
                remaining,
                days_left,
                per_day,
            } => {
                let days = if days_left == 1 {
                    "1 working day".to_string()
                } else {
                    format!("{days_left} working days")
                };
                format!(
                    "{} more a day until the {} ({} to go in {}).",
                    unit.format(per_day),
                    ordinal(period_end.day() as i64),
                    unit.format(remaining),
                    days
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::period::PeriodKind;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn expected_to_date_counts_today() {
        let cal = WorkCalendar::default();
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        // 21 working days; Monday 2 Nov is the first; on Tue 3 Nov two have elapsed.
        assert_eq!(
            expected_to_date(2100, &nov, d(2026, 11, 3), &cal, &[]),
            Some(200)
        );
        // Sunday 1 Nov: the period is open, no working day yet.
        assert_eq!(
            expected_to_date(2100, &nov, d(2026, 11, 1), &cal, &[]),
            Some(0)
        );
        assert_eq!(pace(5, Some(0)), None);
        // before the period starts
        assert_eq!(
            expected_to_date(2100, &nov, d(2026, 10, 20), &cal, &[]),
            Some(0)
        );
        // last day, still open: the whole target
        assert_eq!(
            expected_to_date(2100, &nov, d(2026, 11, 30), &cal, &[]),
            Some(2100)
        );
        // closed: the target
        assert_eq!(
            expected_to_date(2100, &nov, d(2027, 1, 1), &cal, &[]),
            Some(2100)
        );
        // 1000 × 2 / 21 = 95.24 → 95
        assert_eq!(
            expected_to_date(1000, &nov, d(2026, 11, 3), &cal, &[]),
            Some(95)
        );
        // 1000 × 11 / 21 = 523.8 → 524 (Mon 16 Nov is the 11th working day)
        assert_eq!(
            expected_to_date(1000, &nov, d(2026, 11, 16), &cal, &[]),
            Some(524)
        );
    }

    #[test]
    fn absences_shift_the_expectation() {
        let cal = WorkCalendar::default();
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        // absent the first week: 16 working days, 1 elapsed on Mon 9 Nov.
        let abs = [Absence {
            rep_id: 7,
            start: d(2026, 11, 2),
            end: d(2026, 11, 6),
        }];
        assert_eq!(
            expected_to_date(1600, &nov, d(2026, 11, 9), &cal, &abs),
            Some(100)
        );
        // absent all month: n/a, closed or not
        let all = [Absence {
            rep_id: 7,
            start: d(2026, 10, 20),
            end: d(2026, 12, 5),
        }];
        assert_eq!(
            expected_to_date(1600, &nov, d(2026, 11, 9), &cal, &all),
            None
        );
        assert_eq!(
            expected_to_date(1600, &nov, d(2026, 12, 9), &cal, &all),
            None
        );
        assert_eq!(pace(300, None), None);
    }

    #[test]
    fn attainment_and_pace_uncapped_and_na() {
        assert_eq!(attainment(180, 100), Some(Percent(18_000)));
        assert_eq!(attainment(0, 100), Some(Percent(0)));
        assert_eq!(attainment(50, 0), None);
        assert_eq!(pace(90, Some(50)), Some(Percent(18_000)));
        assert_eq!(inverse_ratio(Some(200), Some(300)), Some(Percent(15_000)));
        assert_eq!(inverse_ratio(Some(0), Some(300)), None);
        assert_eq!(inverse_ratio(None, Some(300)), None);
    }

    #[test]
    fn what_it_takes_spreads_the_gap_over_working_days_left() {
        use crate::scoring::metrics::Metric;
        // November 2026 with Wed 11 Nov a holiday; the rep is away Mon 23 – Wed 25 Nov.
        let cal = WorkCalendar::new(
            [true, true, true, true, true, false, false],
            [d(2026, 11, 11)],
        );
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        let away = [Absence {
            rep_id: 7,
            start: d(2026, 11, 23),
            end: d(2026, 11, 25),
        }];
        // From Mon 16 Nov: 16..20 (5), 23..27 minus 3 away (2), 30 (1) = 8 working days.
        let left = working_days_left(&nov, d(2026, 11, 16), &cal, &away);
        assert_eq!(left, 8);
        // Without the absence 11, and from Mon 9 the holiday counts too: 9..13 − 1 = 4, + 11.
        assert_eq!(working_days_left(&nov, d(2026, 11, 16), &cal, &[]), 11);
        assert_eq!(working_days_left(&nov, d(2026, 11, 9), &cal, &[]), 15);
        let visits = Metric::ActivityCount {
            activity_type_id: 3,
        };
        // 40 visits targeted, 27 done: 13 to go in 8 days → 1.625 → 2 a day.
        let w = what_it_takes(visits, Some(27), Some(40), left).unwrap();
        assert_eq!(
            w,
            WhatItTakes::PerDay {
                remaining: 13,
                days_left: 8,
                per_day: 2
            }
        );
        assert_eq!(
            w.sentence(visits.unit(), nov.end, true),
            "2 more a day until the 30th (13 to go in 8 working days)."
        );
        // An exact split is not rounded up: 16 in 8 days is 2 a day.
        assert_eq!(
            what_it_takes(visits, Some(24), Some(40), 8),
            Some(WhatItTakes::PerDay {
                remaining: 16,
                days_left: 8,
                per_day: 2
            })
        );
        // Nothing logged yet counts as 0.
        assert_eq!(
            what_it_takes(visits, None, Some(10), 4),
            Some(WhatItTakes::PerDay {
                remaining: 10,
                days_left: 4,
                per_day: 3
            })
        );
    }

    #[test]
    fn what_it_takes_on_target_last_day_and_closed() {
        use crate::scoring::metrics::Metric;
        let cal = WorkCalendar::default();
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        let calls = Metric::ActivityCount {
            activity_type_id: 1,
        };
        // Already on target (and beyond): nothing more.
        let w = what_it_takes(calls, Some(45), Some(40), 5).unwrap();
        assert_eq!(w, WhatItTakes::Reached);
        assert_eq!(w.sentence(calls.unit(), nov.end, true), "Target reached.");
        assert_eq!(
            what_it_takes(calls, Some(40), Some(40), 5),
            Some(WhatItTakes::Reached)
        );
        // Mon 30 Nov, the last day: one working day left, today.
        let left = working_days_left(&nov, d(2026, 11, 30), &cal, &[]);
        assert_eq!(left, 1);
        let w = what_it_takes(calls, Some(37), Some(40), left).unwrap();
        assert_eq!(
            w,
            WhatItTakes::PerDay {
                remaining: 3,
                days_left: 1,
                per_day: 3
            }
        );
        assert_eq!(
            w.sentence(calls.unit(), nov.end, true),
            "3 more today to reach the target."
        );
        // On a Saturday with only Monday left the day is not "today".
        assert_eq!(
            w.sentence(calls.unit(), nov.end, false),
            "3 more a day until the 30th (3 to go in 1 working day)."
        );
        // Closed: no day left.
        assert_eq!(working_days_left(&nov, d(2026, 12, 1), &cal, &[]), 0);
        let w = what_it_takes(calls, Some(36), Some(40), 0).unwrap();
        assert_eq!(w, WhatItTakes::OutOfDays { remaining: 4 });
        assert_eq!(
            w.sentence(calls.unit(), nov.end, false),
            "4 short, no working day left."
        );
        // Before the period starts: all of it.
        assert_eq!(working_days_left(&nov, d(2026, 10, 20), &cal, &[]), 21);
        // Absent for the rest of the period: out of days.
        let away = [Absence {
            rep_id: 1,
            start: d(2026, 11, 27),
            end: d(2026, 11, 30),
        }];
        assert_eq!(working_days_left(&nov, d(2026, 11, 27), &cal, &away), 0);
    }

    #[test]
    fn what_it_takes_in_money_points_and_time() {
        use crate::scoring::metrics::Metric;
        let end = d(2026, 11, 30);
        // Turnover 50,000.00 targeted, 12,345.67 won, 7 days: 37,654.33 / 7 = 5,379.19 exactly.
        let w = what_it_takes(Metric::TurnoverWon, Some(1_234_567), Some(5_000_000), 7).unwrap();
        assert_eq!(
            w,
            WhatItTakes::PerDay {
                remaining: 3_765_433,
                days_left: 7,
                per_day: 537_919
            }
        );
        assert_eq!(
            w.sentence(MetricUnit::Money, end, true),
            "5,379.19 more a day until the 30th (37,654.33 to go in 7 working days)."
        );
        // Points are hundredths: 100.00 to go in 3 days is 33.34 a day.
        let w = what_it_takes(Metric::ActivityScore, Some(20_000), Some(30_000), 3).unwrap();
        assert_eq!(
            w.sentence(MetricUnit::Points, end, true),
            "33.34 more a day until the 30th (100.00 to go in 3 working days)."
        );
        // Call time rounds up to whole minutes: 1h 00m in 7 days → 8m 34s → 9m.
        let talk = Metric::CallTime {
            activity_type_id: 1,
        };
        assert_eq!(
            what_it_takes(talk, Some(0), Some(3600), 7),
            Some(WhatItTakes::PerDay {
                remaining: 3600,
                days_left: 7,
                per_day: 540
            })
        );
        // No per day for ratios, lower-is-better metrics, or without a target.
        assert_eq!(
            what_it_takes(Metric::WinRate, Some(1000), Some(3000), 5),
            None
        );
        assert_eq!(
            what_it_takes(Metric::LostAmount, Some(10), Some(0), 5),
            None
        );
        assert_eq!(what_it_takes(Metric::DealsWon, Some(1), None, 5), None);
        assert_eq!(what_it_takes(Metric::DealsWon, Some(1), Some(0), 5), None);
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(31), "31st");
    }
}
