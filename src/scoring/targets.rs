//! Targets: metric × rep × month, role defaults, period sums, annual × seasonality.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::metrics::Metric;
use super::period::{normalize_fiscal_start, Period, YearMonth};
use super::points::div_round;
use super::workdays::WorkCalendar;

/// Who a monthly target belongs to: a role's default, or one rep's own target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TargetOwner {
    Role(i64),
    Rep(i64),
}

/// The base unit of targets: one metric × one owner × one month. `value` is in the
/// metric's unit (see [`Metric::unit`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyTarget {
    pub metric: Metric,
    pub owner: TargetOwner,
    pub month: YearMonth,
    pub value: i64,
}

/// All monthly targets, for look-ups. A rep's own target for a month overrides their
/// role's default for that month (month by month: a rep may override only some months).
/// When the same (metric, owner, month) is given twice, the later row wins.
/// Serialized as the plain list of its rows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<MonthlyTarget>", into = "Vec<MonthlyTarget>")]
pub struct TargetBook {
    rows: Vec<MonthlyTarget>,
    index: BTreeMap<(Metric, TargetOwner, YearMonth), i64>,
}

impl From<Vec<MonthlyTarget>> for TargetBook {
    fn from(rows: Vec<MonthlyTarget>) -> Self {
        TargetBook::new(rows)
    }
}

impl From<TargetBook> for Vec<MonthlyTarget> {
    fn from(book: TargetBook) -> Self {
        book.rows
    }
}

impl TargetBook {
    pub fn new(rows: Vec<MonthlyTarget>) -> Self {
        let index = rows
            .iter()
            .map(|r| ((r.metric, r.owner, r.month), r.value))
            .collect();
        TargetBook { rows, index }
    }

    pub fn rows(&self) -> &[MonthlyTarget] {
        &self.rows
    }

    fn get(&self, metric: Metric, owner: TargetOwner, month: YearMonth) -> Option<i64> {
        self.index.get(&(metric, owner, month)).copied()
    }

    /// The rep's target for one month: their own, else their role's default, else `None`.
    pub fn month_target(
        &self,
        metric: Metric,
        rep_id: i64,
        role_id: Option<i64>,
        month: YearMonth,
    ) -> Option<i64> {
        self.get(metric, TargetOwner::Rep(rep_id), month)
            .or_else(|| role_id.and_then(|r| self.get(metric, TargetOwner::Role(r), month)))
    }

    /// Where a month's target came from, for the explanation ("role default" vs "own").
    pub fn month_target_source(
        &self,
        metric: Metric,
        rep_id: i64,
        role_id: Option<i64>,
        month: YearMonth,
    ) -> Option<TargetOwner> {
        if self.get(metric, TargetOwner::Rep(rep_id), month).is_some() {
            Some(TargetOwner::Rep(rep_id))
        } else {
            role_id
                .filter(|r| self.get(metric, TargetOwner::Role(*r), month).is_some())
                .map(TargetOwner::Role)
        }
    }

    /// The rep's target over a period; `None` when no month of the period has a target.
    ///
    /// * Cumulative metrics (counts, points, money — [`Metric::is_cumulative`]): the sum of
    ///   the months; a month only partly inside the period (day, week, rolling window)
    ///   contributes its target prorated by organisation working days (calendar days if the
    ///   month has none), with cumulative rounding so the parts of a month always sum to
    ///   its target. Months without a target count 0.
    /// * Ratios and averages (win rate, deal size, cycle length…): the average of the
    ///   months' targets weighted by the days of each month inside the period.
    pub fn target_for_period(
        &self,
        metric: Metric,
        rep_id: i64,
        role_id: Option<i64>,
        period: &Period,
        calendar: &WorkCalendar,
    ) -> Option<i64> {
        let months: Vec<(YearMonth, i64)> = period
            .months()
            .into_iter()
            .filter_map(|m| {
                self.month_target(metric, rep_id, role_id, m)
                    .map(|t| (m, t))
            })
            .collect();
        if months.is_empty() {
            return None;
        }
        if metric.is_cumulative() {
            let mut sum: i64 = 0;
            for (m, t) in months {
                sum = sum.saturating_add(month_part(t, m, period.start, period.end, calendar));
            }
            Some(sum)
        } else {
            let mut num: i128 = 0;
            let mut den: i128 = 0;
            for (m, t) in months {
                let s = m.first_day().max(period.start);
                let e = m.last_day().min(period.end);
                let days = ((e - s).num_days() + 1).max(0) as i128;
                num += t as i128 * days;
                den += days;
            }
            Some(div_round(num, den))
        }
    }
}

/// The part of month `m`'s target `t` that falls in `start..=end`, by cumulative rounding
/// over the month's working days: alloc(k) = round(t × k / n).
fn month_part(t: i64, m: YearMonth, start: NaiveDate, end: NaiveDate, cal: &WorkCalendar) -> i64 {
    let (first, last) = (m.first_day(), m.last_day());
    let s = start.max(first);
    let e = end.min(last);
    if s > e {
        return 0;
    }
    if s == first && e == last {
        return t;
    }
    // No working day in the month at all: prorate by calendar days instead.
    let calendar_mode = cal.working_days(first, last) == 0;
    let count = |a: NaiveDate, b: NaiveDate| -> i64 {
        if b < a {
            0
        } else if calendar_mode {
            (b - a).num_days() + 1
        } else {
            cal.working_days(a, b)
        }
    };
    let n = count(first, last);
    let before = match s.pred_opt() {
        Some(p) if p >= first => count(first, p),
        _ => 0,
    };
    let through = count(first, e);
    let alloc = |k: i64| div_round(t as i128 * k as i128, n as i128);
    alloc(through) - alloc(before)
}

/// A seasonality profile: 12 monthly shares in basis points summing to 10 000 (100 %),
/// index 0 being the **first month of the fiscal year**.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonalityProfile {
    pub basis_points: [i64; 12],
}

/// Why a seasonality profile was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SeasonalityError {
    /// A negative share (index 0 = first fiscal month).
    Negative { month_index: i32 },
    /// The shares do not sum to 100 %; `sum` in basis points.
    WrongSum { sum: i64 },
}

impl fmt::Display for SeasonalityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeasonalityError::Negative { month_index } => {
                write!(f, "month {} has a negative share", month_index + 1)
            }
            SeasonalityError::WrongSum { sum } => write!(
                f,
                "the monthly percentages add up to {}.{:02} %, not 100 %",
                sum / 100,
                (sum % 100).abs()
            ),
        }
    }
}

impl std::error::Error for SeasonalityError {}

impl SeasonalityProfile {
    /// Shares in basis points (`850` = 8.5 %), which must be non-negative and sum to 10 000.
    pub fn new(basis_points: [i64; 12]) -> Result<Self, SeasonalityError> {
        if let Some(i) = basis_points.iter().position(|b| *b < 0) {
            return Err(SeasonalityError::Negative {
                month_index: i as i32,
            });
        }
        let sum: i64 = basis_points.iter().sum();
        if sum != 10_000 {
            return Err(SeasonalityError::WrongSum { sum });
        }
        Ok(SeasonalityProfile { basis_points })
    }

    /// Shares in whole percent, summing to 100.
    pub fn from_percents(percents: [i64; 12]) -> Result<Self, SeasonalityError> {
        SeasonalityProfile::new(percents.map(|p| p.saturating_mul(100)))
    }

    /// Every month alike: the annual target split as evenly as whole units allow.
    pub fn flat() -> Self {
        // 10 000 / 12 is not whole; `distribute_annual` splits by these equal weights.
        SeasonalityProfile {
            basis_points: [834, 834, 834, 834, 833, 833, 833, 833, 833, 833, 833, 833],
        }
    }

    fn is_flat(&self) -> bool {
        *self == SeasonalityProfile::flat()
    }
}

/// Splits `total` by non-negative `weights` so that the parts sum exactly to `total`
/// (largest remainder method; ties go to the earlier part). All-zero weights split evenly.
pub fn split_exact(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let w: Vec<i128> = weights.iter().map(|w| (*w).max(0) as i128).collect();
    let sum: i128 = w.iter().sum();
    let w: Vec<i128> = if sum == 0 { vec![1; weights.len()] } else { w };
    let sum: i128 = w.iter().sum();
    let neg = total < 0;
    let t = (total as i128).abs();
    let mut parts: Vec<i128> = w.iter().map(|wi| t * wi / sum).collect();
    let mut rema: Vec<(i128, usize)> = w
        .iter()
        .enumerate()
        .map(|(i, wi)| (t * wi % sum, i))
        .collect();
    let mut left = t - parts.iter().sum::<i128>();
    rema.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rema {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|p| super::points::saturate(if neg { -p } else { p }))
        .collect()
}

/// The monthly targets of fiscal year `fiscal_year` (named by the calendar year it ends in)
/// from an annual target and a seasonality profile; they sum exactly to `annual`.
pub fn distribute_annual(
    annual: i64,
    profile: &SeasonalityProfile,
    fiscal_year: i32,
    fiscal_year_start_month: u32,
) -> Vec<(YearMonth, i64)> {
    let first = fiscal_year_first_month(fiscal_year, fiscal_year_start_month);
    let weights: Vec<i64> = if profile.is_flat() {
        vec![1; 12]
    } else {
        profile.basis_points.to_vec()
    };
    split_exact(annual, &weights)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (first.plus_months(i as i64), v))
        .collect()
}

/// First month of a fiscal year named by the calendar year in which it ends.
pub fn fiscal_year_first_month(fiscal_year: i32, fiscal_year_start_month: u32) -> YearMonth {
    let m = normalize_fiscal_start(fiscal_year_start_month);
    YearMonth {
        year: if m == 1 { fiscal_year } else { fiscal_year - 1 },
        month: m,
    }
}

#[cfg(test)]
mod tests {
    use super::super::period::PeriodKind;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }
    const M: Metric = Metric::ActivityScore;

    fn book() -> TargetBook {
        TargetBook::new(vec![
            MonthlyTarget {
                metric: M,
                owner: TargetOwner::Role(1),
                month: ym(2026, 10),
                value: 1000,
            },
            MonthlyTarget {
                metric: M,
                owner: TargetOwner::Role(1),
                month: ym(2026, 11),
                value: 2100,
            },
            MonthlyTarget {
                metric: M,
                owner: TargetOwner::Role(1),
                month: ym(2026, 12),
                value: 900,
            },
            MonthlyTarget {
                metric: M,
                owner: TargetOwner::Rep(7),
                month: ym(2026, 11),
                value: 4200,
            },
            MonthlyTarget {
                metric: Metric::WinRate,
                owner: TargetOwner::Role(1),
                month: ym(2026, 11),
                value: 3000,
            },
            MonthlyTarget {
                metric: Metric::WinRate,
                owner: TargetOwner::Role(1),
                month: ym(2026, 12),
                value: 4000,
            },
        ])
    }

    #[test]
    fn rep_target_overrides_role_default() {
        let b = book();
        assert_eq!(b.month_target(M, 7, Some(1), ym(2026, 11)), Some(4200));
        assert_eq!(b.month_target(M, 7, Some(1), ym(2026, 10)), Some(1000));
        assert_eq!(b.month_target(M, 8, Some(1), ym(2026, 11)), Some(2100));
        assert_eq!(b.month_target(M, 8, None, ym(2026, 11)), None);
        assert_eq!(
            b.month_target_source(M, 7, Some(1), ym(2026, 10)),
            Some(TargetOwner::Role(1))
        );
        assert_eq!(
            b.month_target_source(M, 7, Some(1), ym(2026, 11)),
            Some(TargetOwner::Rep(7))
        );
    }

    #[test]
    fn quarter_and_year_are_sums_of_months() {
        let b = book();
        let cal = WorkCalendar::default();
        let q4 = Period::containing(PeriodKind::Quarter, d(2026, 11, 5), 1);
        assert_eq!(
            b.target_for_period(M, 7, Some(1), &q4, &cal),
            Some(1000 + 4200 + 900)
        );
        assert_eq!(
            b.target_for_period(M, 8, Some(1), &q4, &cal),
            Some(1000 + 2100 + 900)
        );
        let y = Period::containing(PeriodKind::Year, d(2026, 11, 5), 1);
        assert_eq!(b.target_for_period(M, 8, Some(1), &y, &cal), Some(4000));
        let y25 = Period::containing(PeriodKind::Year, d(2025, 11, 5), 1);
        assert_eq!(b.target_for_period(M, 8, Some(1), &y25, &cal), None);
        // ratio metric: day-weighted average (30 days at 30 %, 31 days at 40 %)
        assert_eq!(
            b.target_for_period(Metric::WinRate, 8, Some(1), &q4, &cal),
            Some(div_round(3000 * 30 + 4000 * 31, 61))
        );
    }

    #[test]
    fn weeks_prorate_and_sum_back_to_the_month() {
        let b = book();
        let cal = WorkCalendar::default();
        // November 2026 has 21 working days; rep 8's target is 2100 → 100 per working day.
        let w = Period::containing(PeriodKind::Week, d(2026, 11, 4), 1); // Mon 2 .. Sun 8
        assert_eq!(b.target_for_period(M, 8, Some(1), &w, &cal), Some(500));
        // week 44 (Mon 26 Oct .. Sun 1 Nov): 5 October working days of 22 × 1000 + 0 of November
        let w44 = Period::containing(PeriodKind::Week, d(2026, 10, 28), 1);
        assert_eq!(b.target_for_period(M, 8, Some(1), &w44, &cal), Some(227));
        // the days of an awkward month sum exactly to the month (7 / 21 days of rounding)
        let book = TargetBook::new(vec![MonthlyTarget {
            metric: M,
            owner: TargetOwner::Rep(1),
            month: ym(2026, 11),
            value: 1000,
        }]);
        let sum: i64 = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1)
            .dates()
            .map(|day| {
                book.target_for_period(
                    M,
                    1,
                    None,
                    &Period::containing(PeriodKind::Day, day, 1),
                    &cal,
                )
                .unwrap()
            })
            .sum();
        assert_eq!(sum, 1000);
    }

    #[test]
    fn annual_times_seasonality_sums_back() {
        let p = SeasonalityProfile::from_percents([5, 5, 10, 10, 10, 5, 5, 10, 10, 10, 10, 10])
            .unwrap();
        let months = distribute_annual(1_000_001, &p, 2027, 4);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].0, ym(2026, 4));
        assert_eq!(months[11].0, ym(2027, 3));
        assert_eq!(months.iter().map(|m| m.1).sum::<i64>(), 1_000_001);
        // 5 % of 1 000 001 = 50 000.05 → 50 000; 10 % = 100 000.1: the one leftover unit goes
        // to the largest remainder, the first 10 % month (the third of the fiscal year)
        assert_eq!(months[0].1, 50_000);
        assert_eq!(months[2].1, 100_001);
        assert_eq!(months[3].1, 100_000);
        let flat = distribute_annual(100, &SeasonalityProfile::flat(), 2026, 1);
        assert_eq!(
            flat.iter().map(|m| m.1).collect::<Vec<_>>(),
            vec![9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]
        );
        assert_eq!(
            SeasonalityProfile::from_percents([10; 12]),
            Err(SeasonalityError::WrongSum { sum: 12_000 })
        );
        assert_eq!(
            SeasonalityProfile::new([-1, 10_001, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(SeasonalityError::Negative { month_index: 0 })
        );
        assert_eq!(split_exact(-10, &[1, 1, 1]), vec![-4, -3, -3]);
        assert_eq!(split_exact(10, &[0, 0]), vec![5, 5]);
    }
}
