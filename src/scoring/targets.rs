//! Targets: metric × rep × month, role defaults, period sums, annual × seasonality.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::metrics::{Metric, MetricUnit};
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
    /// A share that is not a percentage with at most two decimals.
    NotANumber { month_index: i32 },
    /// Not exactly 12 shares.
    WrongCount { count: i32 },
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
            SeasonalityError::NotANumber { month_index } => write!(
                f,
                "month {} is not a percentage (at most two decimals)",
                month_index + 1
            ),
            SeasonalityError::WrongCount { count } => {
                write!(f, "give 12 monthly percentages, not {count}")
            }
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

    /// Reads 12 percentages as typed (`"8.5"`, `"8,5"`, `"10 %"`), month 1 of the fiscal
    /// year first; names the first month that is not a percentage, or the wrong sum.
    pub fn parse_percents<S: AsRef<str>>(texts: &[S]) -> Result<Self, SeasonalityError> {
        if texts.len() != 12 {
            return Err(SeasonalityError::WrongCount {
                count: i32::try_from(texts.len()).unwrap_or(i32::MAX),
            });
        }
        let mut bp = [0i64; 12];
        for (i, t) in texts.iter().enumerate() {
            bp[i] = match parse_target_entry(MetricUnit::BasisPoints, t.as_ref()) {
                Ok(v) => v,
                Err(EntryError::Negative) => {
                    return Err(SeasonalityError::Negative {
                        month_index: i as i32,
                    })
                }
                Err(_) => {
                    return Err(SeasonalityError::NotANumber {
                        month_index: i as i32,
                    })
                }
            };
        }
        SeasonalityProfile::new(bp)
    }

    /// Each share as the desk shows it: `"8.5"`, `"10"`.
    pub fn percent_texts(&self) -> [String; 12] {
        self.basis_points
            .map(|bp| format_target_entry(MetricUnit::BasisPoints, bp))
    }

    /// The shares as stored: 12 comma-separated basis points.
    pub fn to_stored(&self) -> String {
        self.basis_points
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form back; `None` when it is not 12 shares summing to 100 %.
    pub fn from_stored(s: &str) -> Option<Self> {
        let parts: Vec<i64> = s
            .split(',')
            .map(|p| p.trim().parse::<i64>().ok())
            .collect::<Option<Vec<_>>>()?;
        let bp: [i64; 12] = parts.try_into().ok()?;
        SeasonalityProfile::new(bp).ok()
    }
}

/// The ready-made seasonality profiles the desk offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeasonalityPreset {
    /// Every month alike.
    Flat,
    /// July and August (calendar months, wherever the fiscal year starts) at about half.
    SummerDip,
    /// The last quarter of the fiscal year carries 37 %, the year-end push.
    Q4Heavy,
}

/// Summer dip by calendar month (January first): July 5 %, August 4 %, the rest 9.1 %.
const SUMMER_DIP_BY_CALENDAR_MONTH: [i64; 12] =
    [910, 910, 910, 910, 910, 910, 500, 400, 910, 910, 910, 910];
/// Q4 heavy by fiscal month: 7 % in each of the first nine months, 12/12/13 % in the last three.
const Q4_HEAVY_BY_FISCAL_MONTH: [i64; 12] = [
    700, 700, 700, 700, 700, 700, 700, 700, 700, 1200, 1200, 1300,
];

impl SeasonalityPreset {
    pub const ALL: [SeasonalityPreset; 3] = [
        SeasonalityPreset::Flat,
        SeasonalityPreset::SummerDip,
        SeasonalityPreset::Q4Heavy,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SeasonalityPreset::Flat => "flat",
            SeasonalityPreset::SummerDip => "summer_dip",
            SeasonalityPreset::Q4Heavy => "q4_heavy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SeasonalityPreset::Flat => "Flat",
            SeasonalityPreset::SummerDip => "Summer dip",
            SeasonalityPreset::Q4Heavy => "Q4 heavy",
        }
    }

    pub fn from_key(key: &str) -> Option<SeasonalityPreset> {
        SeasonalityPreset::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The profile for a fiscal year starting in `fiscal_year_start_month` (index 0 = the
    /// first fiscal month).
    pub fn profile(self, fiscal_year_start_month: u32) -> SeasonalityProfile {
        let start = normalize_fiscal_start(fiscal_year_start_month) as usize - 1;
        let basis_points = match self {
            SeasonalityPreset::Flat => return SeasonalityProfile::flat(),
            SeasonalityPreset::SummerDip => {
                std::array::from_fn(|i| SUMMER_DIP_BY_CALENDAR_MONTH[(start + i) % 12])
            }
            SeasonalityPreset::Q4Heavy => Q4_HEAVY_BY_FISCAL_MONTH,
        };
        SeasonalityProfile { basis_points }
    }
}

/// How a target is typed in the desk's grid for a metric unit: `(stored units per typed
/// unit, decimals allowed, what the typed number is in)`. Points, money and percentages
/// take two decimals; call time is typed in minutes; cycle length in days.
pub fn entry_scale(unit: MetricUnit) -> (i64, u32, &'static str) {
    match unit {
        MetricUnit::Points => (100, 2, "points"),
        MetricUnit::Money => (100, 2, "currency units"),
        MetricUnit::Count => (1, 0, "count"),
        MetricUnit::Seconds => (60, 0, "minutes"),
        MetricUnit::BasisPoints => (100, 2, "%"),
        MetricUnit::DayTenths => (10, 1, "days"),
    }
}

/// Why a typed target could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryError {
    Empty,
    NotANumber,
    Negative,
    TooManyDecimals { max: i32 },
    TooLarge,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryError::Empty => f.write_str("is empty"),
            EntryError::NotANumber => f.write_str("is not a number"),
            EntryError::Negative => f.write_str("must not be negative"),
            EntryError::TooManyDecimals { max: 0 } => f.write_str("must be a whole number"),
            EntryError::TooManyDecimals { max } => write!(f, "has more than {max} decimals"),
            EntryError::TooLarge => f.write_str("is too large"),
        }
    }
}

impl std::error::Error for EntryError {}

/// Reads a target as typed or pasted from a spreadsheet into the metric's stored unit.
///
/// Thousands separators may be commas, dots, spaces (also non-breaking), apostrophes or
/// underscores. With both a comma and a dot, the last one is the decimal mark
/// (`1,234.50`, `1.234,50`); a single comma followed by exactly three digits groups
/// thousands (`1,234` = 1234), any other single comma is a decimal mark (`12,5`); two or
/// more of the same mark group thousands (`1.234.567`); a single dot is a decimal mark.
/// A currency sign or `%` around the number is ignored. Decimals beyond those the unit
/// allows must be zeros.
pub fn parse_target_entry(unit: MetricUnit, text: &str) -> Result<i64, EntryError> {
    let (scale, decimals, _) = entry_scale(unit);
    let t = text
        .trim()
        .trim_matches(|c: char| matches!(c, '%' | '€' | '$' | '£' | '¥') || c.is_whitespace());
    if t.is_empty() {
        return Err(EntryError::Empty);
    }
    let t: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’' | '_'))
        .collect();
    let (negative, body) = match t.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    let decimal_mark = match (commas, dots) {
        (0, 0) => None,
        (_, 0) if commas > 1 => None,
        (1, 0) => {
            let (before, after) = body.split_once(',').unwrap_or((body, ""));
            if after.len() == 3 && (1..=3).contains(&before.len()) {
                None
            } else {
                Some(',')
            }
        }
        (0, 1) => Some('.'),
        (0, _) => None,
        _ => {
            let last_comma = body.rfind(',').unwrap_or(0);
            let last_dot = body.rfind('.').unwrap_or(0);
            Some(if last_dot > last_comma { '.' } else { ',' })
        }
    };
    let (whole, frac) = match decimal_mark {
        Some(mark) => {
            if body.matches(mark).count() > 1 {
                return Err(EntryError::NotANumber);
            }
            body.split_once(mark).unwrap_or((body, ""))
        }
        None => (body, ""),
    };
    let whole: String = whole.chars().filter(|c| !matches!(c, ',' | '.')).collect();
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(EntryError::NotANumber);
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > decimals as usize {
        return Err(EntryError::TooManyDecimals {
            max: decimals as i32,
        });
    }
    if negative && (whole.chars().any(|c| c != '0') || !frac.is_empty()) {
        return Err(EntryError::Negative);
    }
    let whole = whole.trim_start_matches('0');
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| EntryError::TooLarge)?
    };
    // `frac` has at most `decimals` digits; pad it to them, then to the scale.
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<width$}", width = decimals as usize);
        padded.parse::<i64>().map_err(|_| EntryError::NotANumber)? * scale / 10_i64.pow(decimals)
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac_value))
        .ok_or(EntryError::TooLarge)
}

/// A stored target as the grid shows it for editing: thousands grouped with commas, no
/// trailing zero decimals (`1,200`, `1,234.5`); [`parse_target_entry`] reads it back.
/// Call time that is not whole minutes is rounded to the minute.
pub fn format_target_entry(unit: MetricUnit, value: i64) -> String {
    let (scale, decimals, _) = entry_scale(unit);
    let neg = value < 0;
    let abs = (value as i128).unsigned_abs();
    let scale = scale as u128;
    let (whole, rest) = if decimals == 0 {
        ((abs + scale / 2) / scale, 0)
    } else {
        (abs / scale, abs % scale)
    };
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rest > 0 {
        let frac = format!(
            "{:0width$}",
            rest * 10_u128.pow(decimals) / scale,
            width = decimals as usize
        );
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out
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

    #[test]
    fn presets_sum_to_100_and_follow_the_fiscal_year() {
        for preset in SeasonalityPreset::ALL {
            for start in 1..=12 {
                let p = preset.profile(start);
                assert_eq!(
                    SeasonalityProfile::new(p.basis_points),
                    Ok(p.clone()),
                    "{preset:?} from month {start}"
                );
            }
            assert_eq!(SeasonalityPreset::from_key(preset.key()), Some(preset));
        }
        // Summer dip is about the calendar: with an April start, July is the 4th fiscal month.
        let dip = SeasonalityPreset::SummerDip.profile(4);
        assert_eq!(dip.basis_points[3], 500);
        assert_eq!(dip.basis_points[4], 400);
        assert_eq!(SeasonalityPreset::SummerDip.profile(1).basis_points[6], 500);
        // Q4 heavy is the last fiscal quarter, wherever the year starts.
        let q4 = SeasonalityPreset::Q4Heavy.profile(7);
        assert_eq!(q4.basis_points[9..].iter().sum::<i64>(), 3700);
        let months = distribute_annual(120_000, &SeasonalityPreset::Q4Heavy.profile(1), 2027, 1);
        assert_eq!(months[0].1, 8_400);
        assert_eq!(months[11].1, 15_600);
        assert_eq!(months.iter().map(|m| m.1).sum::<i64>(), 120_000);
        assert_eq!(
            distribute_annual(1200, &SeasonalityPreset::Flat.profile(1), 2027, 1)
                .iter()
                .map(|m| m.1)
                .collect::<Vec<_>>(),
            vec![100; 12]
        );
        assert_eq!(SeasonalityPreset::from_key("winter"), None);
    }

    #[test]
    fn typed_percentages_must_sum_to_100() {
        let typed = [
            "8.5", "8,5", "8.5", "8.5", "8.5", "8.5", "8.5", "8.5", "8.5", "8.5", "7.5", "7.5 %",
        ];
        let p = SeasonalityProfile::parse_percents(&typed).unwrap();
        assert_eq!(p.basis_points[0], 850);
        assert_eq!(p.basis_points[11], 750);
        assert_eq!(p.percent_texts()[0], "8.5");
        assert_eq!(SeasonalityProfile::from_stored(&p.to_stored()), Some(p));
        let mut short = typed;
        short[11] = "7";
        let err = SeasonalityProfile::parse_percents(&short).unwrap_err();
        assert_eq!(err, SeasonalityError::WrongSum { sum: 9_950 });
        assert_eq!(
            err.to_string(),
            "the monthly percentages add up to 99.50 %, not 100 %"
        );
        let mut bad = typed;
        bad[2] = "lots";
        assert_eq!(
            SeasonalityProfile::parse_percents(&bad),
            Err(SeasonalityError::NotANumber { month_index: 2 })
        );
        bad[2] = "-8.5";
        assert_eq!(
            SeasonalityProfile::parse_percents(&bad),
            Err(SeasonalityError::Negative { month_index: 2 })
        );
        assert_eq!(
            SeasonalityProfile::parse_percents(&typed[..11]),
            Err(SeasonalityError::WrongCount { count: 11 })
        );
        assert_eq!(SeasonalityProfile::from_stored("100,200"), None);
    }

    #[test]
    fn typed_targets_read_thousands_separators() {
        use MetricUnit::*;
        let p = |u, s| parse_target_entry(u, s);
        assert_eq!(p(Count, "1,234"), Ok(1234));
        assert_eq!(p(Count, "1.234.567"), Ok(1_234_567));
        assert_eq!(p(Count, "1 234 567"), Ok(1_234_567));
        assert_eq!(p(Count, "1\u{a0}234"), Ok(1234));
        assert_eq!(p(Count, "1'234"), Ok(1234));
        assert_eq!(p(Count, " 42 "), Ok(42));
        assert_eq!(p(Count, "42.00"), Ok(42));
        assert_eq!(p(Count, "4.5"), Err(EntryError::TooManyDecimals { max: 0 }));
        assert_eq!(p(Money, "1,234.50"), Ok(123_450));
        assert_eq!(p(Money, "1.234,50"), Ok(123_450));
        assert_eq!(p(Money, "€ 12,5"), Ok(1_250));
        assert_eq!(p(Money, "$1,000,000"), Ok(100_000_000));
        assert_eq!(
            p(Money, "1.005"),
            Err(EntryError::TooManyDecimals { max: 2 })
        );
        assert_eq!(p(Points, "1,200"), Ok(120_000));
        assert_eq!(p(Points, ".5"), Ok(50));
        assert_eq!(p(BasisPoints, "45 %"), Ok(4_500));
        assert_eq!(p(Seconds, "90"), Ok(5_400));
        assert_eq!(p(DayTenths, "12.5"), Ok(125));
        assert_eq!(p(Count, "-3"), Err(EntryError::Negative));
        assert_eq!(p(Count, "-0"), Ok(0));
        assert_eq!(p(Count, ""), Err(EntryError::Empty));
        assert_eq!(p(Count, "n/a"), Err(EntryError::NotANumber));
        assert_eq!(p(Count, "12abc"), Err(EntryError::NotANumber));
        assert_eq!(p(Count, "1,2,3.4.5"), Err(EntryError::NotANumber));
        assert_eq!(p(Count, "."), Err(EntryError::NotANumber));
        assert_eq!(p(Count, "99999999999999999999"), Err(EntryError::TooLarge));
        assert_eq!(EntryError::NotANumber.to_string(), "is not a number");
    }

    #[test]
    fn formatted_targets_read_back() {
        use MetricUnit::*;
        let f = format_target_entry;
        assert_eq!(f(Count, 1_234_567), "1,234,567");
        assert_eq!(f(Money, 123_450), "1,234.5");
        assert_eq!(f(Money, 120_000), "1,200");
        assert_eq!(f(Points, 5), "0.05");
        assert_eq!(f(BasisPoints, 4_550), "45.5");
        assert_eq!(f(Seconds, 5_430), "91");
        assert_eq!(f(DayTenths, 125), "12.5");
        for (unit, v) in [
            (Count, 7),
            (Money, 123_456_789),
            (Points, 1),
            (BasisPoints, 1),
            (DayTenths, 99),
            (Seconds, 600),
        ] {
            assert_eq!(parse_target_entry(unit, &f(unit, v)), Ok(v), "{unit:?} {v}");
        }
    }
}
