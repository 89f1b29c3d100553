//! Reporting periods: day, ISO week, month, fiscal quarter and year, rolling windows.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kind of a reporting period. Serialized (and parsed) as `"day"`, `"week"`, `"month"`,
/// `"quarter"`, `"year"`, `"last_7"`, `"last_30"`, `"last_60"`, `"last_90"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    /// ISO week, Monday to Sunday.
    Week,
    Month,
    /// Fiscal quarter: three months from the fiscal year start.
    Quarter,
    /// Fiscal year (a calendar year when it starts in January).
    Year,
    #[serde(rename = "last_7")]
    Last7,
    #[serde(rename = "last_30")]
    Last30,
    #[serde(rename = "last_60")]
    Last60,
    #[serde(rename = "last_90")]
    Last90,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 9] = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
        PeriodKind::Last7,
        PeriodKind::Last30,
        PeriodKind::Last60,
        PeriodKind::Last90,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Last7 => "last_7",
            PeriodKind::Last30 => "last_30",
            PeriodKind::Last60 => "last_60",
            PeriodKind::Last90 => "last_90",
        }
    }

    /// What a selector shows: "Day", "Week", …, "Last 30 days".
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Day => "Day",
            PeriodKind::Week => "Week",
            PeriodKind::Month => "Month",
            PeriodKind::Quarter => "Quarter",
            PeriodKind::Year => "Year",
            PeriodKind::Last7 => "Last 7 days",
            PeriodKind::Last30 => "Last 30 days",
            PeriodKind::Last60 => "Last 60 days",
            PeriodKind::Last90 => "Last 90 days",
        }
    }

    /// Rolling windows end on the given day and are never closed.
    pub fn is_rolling(self) -> bool {
        self.rolling_days().is_some()
    }

    pub fn rolling_days(self) -> Option<i64> {
        match self {
            PeriodKind::Last7 => Some(7),
            PeriodKind::Last30 => Some(30),
            PeriodKind::Last60 => Some(60),
            PeriodKind::Last90 => Some(90),
            _ => None,
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown period name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsePeriodKindError(pub String);

impl fmt::Display for ParsePeriodKindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown period {:?}", self.0)
    }
}

impl std::error::Error for ParsePeriodKindError {}

impl FromStr for PeriodKind {
    type Err = ParsePeriodKindError;
    /// Accepts the serialized names, case-insensitively, plus `last7`/`last-7` spellings.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| *c != '_' && *c != '-' && *c != ' ')
            .collect();
        Ok(match norm.as_str() {
            "day" => PeriodKind::Day,
            "week" => PeriodKind::Week,
            "month" => PeriodKind::Month,
            "quarter" => PeriodKind::Quarter,
            "year" => PeriodKind::Year,
            "last7" => PeriodKind::Last7,
            "last30" => PeriodKind::Last30,
            "last60" => PeriodKind::Last60,
            "last90" => PeriodKind::Last90,
            _ => return Err(ParsePeriodKindError(s.to_string())),
        })
    }
}

/// A calendar month, the base unit of targets. Serialized as `{"year":2026,"month":11}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl YearMonth {
    /// `None` when `month` is not 1..=12.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    fn from_index(i: i64) -> YearMonth {
        YearMonth {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    /// This month shifted by `n` months (negative goes back).
    pub fn plus_months(self, n: i64) -> YearMonth {
        YearMonth::from_index(self.index() + n)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month.clamp(1, 12), 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus_months(1)
            .first_day()
            .pred_opt()
            .unwrap_or(NaiveDate::MIN)
    }

    /// Number of days of the month (28..=31).
    pub fn days(self) -> i64 {
        (self.last_day() - self.first_day()).num_days() + 1
    }

    /// `"November 2026"`.
    pub fn label(self) -> String {
        format!(
            "{} {}",
            MONTH_NAMES[(self.month.clamp(1, 12) - 1) as usize],
            self.year
        )
    }

    /// `"2026-11"`, handy as a CSV column or chart key.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Months `from..=to` in order (empty when `to < from`).
    pub fn range(from: YearMonth, to: YearMonth) -> Vec<YearMonth> {
        (from.index()..=to.index())
            .map(YearMonth::from_index)
            .collect()
    }
}

pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Clamps a configured fiscal-year start month into 1..=12 (0 or garbage means January).
pub fn normalize_fiscal_start(month: u32) -> u32 {
    if (1..=12).contains(&month) {
        month
    } else {
        1
    }
}

/// A fiscal year is named after the calendar year in which it **ends**: with an April
/// start, FY2027 runs 2026-04-01..=2027-03-31. With a January start it is the calendar year.
pub fn fiscal_year_of(date: NaiveDate, fiscal_year_start_month: u32) -> i32 {
    let m = normalize_fiscal_start(fiscal_year_start_month);
    if m == 1 || date.month() < m {
        date.year()
    } else {
        date.year() + 1
    }
}

/// A span of org-local dates, both ends inclusive. All dates handed to this module are in
/// the organisation's time zone; converting timestamps is the caller's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
}

impl Period {
    /// The period of `kind` that contains `date`; for rolling windows, the window ending on
    /// `date` (pass today). `fiscal_year_start_month` (1..=12) matters for quarters and years.
    pub fn containing(kind: PeriodKind, date: NaiveDate, fiscal_year_start_month: u32) -> Period {
        let fy = normalize_fiscal_start(fiscal_year_start_month);
        let (start, end) = match kind {
            PeriodKind::Day => (date, date),
            PeriodKind::Week => {
                let start = date - Duration::days(date.weekday().num_days_from_monday() as i64);
                (start, start + Duration::days(6))
            }
            PeriodKind::Month => {
                let ym = YearMonth::of(date);
                (ym.first_day(), ym.last_day())
            }
            PeriodKind::Quarter | PeriodKind::Year => {
                let ym = YearMonth::of(date);
                let offset = (ym.month as i64 - fy as i64).rem_euclid(12);
                let fy_start = ym.plus_months(-offset);
                let (first, len) = if kind == PeriodKind::Quarter {
                    (fy_start.plus_months(offset / 3 * 3), 3)
                } else {
                    (fy_start, 12)
                };
                (first.first_day(), first.plus_months(len - 1).last_day())
            }
            PeriodKind::Last7 | PeriodKind::Last30 | PeriodKind::Last60 | PeriodKind::Last90 => {
                let n = kind.rolling_days().unwrap_or(1);
                (date - Duration::days(n - 1), date)
            }
        };
        Period { kind, start, end }
    }

    /// A custom span (e.g. for exports). Swaps the ends if given backwards.
    pub fn between(kind: PeriodKind, a: NaiveDate, b: NaiveDate) -> Period {
        let (start, end) = if a <= b { (a, b) } else { (b, a) };
        Period { kind, start, end }
    }

    /// Closed once its last day has passed (`end < today`). Rolling windows are never closed.
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        !self.kind.is_rolling() && self.end < today
    }

    /// Open and already started: `start <= today` and not closed.
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.contains(today)
    }

    /// The previous equivalent period: the day/week/month/quarter/year before, or for a
    /// rolling window the window of the same length ending the day before this one starts.
    pub fn previous(&self, fiscal_year_start_month: u32) -> Period {
        let before = self.start.pred_opt().unwrap_or(self.start);
        Period::containing(self.kind, before, fiscal_year_start_month)
    }

    /// The part of this period up to `today` included (the whole period once it is closed;
    /// its first day when it has not started).
    pub fn to_date(&self, today: NaiveDate) -> Period {
        let end = today.clamp(self.start, self.end);
        Period {
            kind: self.kind,
            start: self.start,
            end,
        }
    }

    /// The previous equivalent period cut at the same number of days elapsed as this one
    /// by `today`: on 20 November, 1–20 October; on 31 March, all of February. What "most
    /// improved" compares a period so far with.
    pub fn previous_to_date(&self, today: NaiveDate, fiscal_year_start_month: u32) -> Period {
        let previous = self.previous(fiscal_year_start_month);
        let elapsed = (self.to_date(today).end - self.start).num_days();
        let end = (previous.start + Duration::days(elapsed)).min(previous.end);
        Period {
            kind: previous.kind,
            start: previous.start,
            end,
        }
    }

    /// The next equivalent period.
    pub fn next(&self, fiscal_year_start_month: u32) -> Period {
        match self.kind.rolling_days() {
            Some(n) => Period::containing(
                self.kind,
                self.end + Duration::days(n),
                fiscal_year_start_month,
            ),
            None => Period::containing(
                self.kind,
                self.end.succ_opt().unwrap_or(self.end),
                fiscal_year_start_month,
            ),
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// Number of calendar days, ends included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Every date of the period in order.
    pub fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.start.iter_days().take_while(move |d| *d <= self.end)
    }

    /// The months this period touches, in order.
    pub fn months(&self) -> Vec<YearMonth> {
        YearMonth::range(YearMonth::of(self.start), YearMonth::of(self.end))
    }

    /// A label that needs no configuration: "Mon 23 Nov 2026", "Week 48, 2026",
    /// "November 2026", "Jul–Sep 2026" (quarter, by its months), "2026" / "FY2027" (a year
    /// is a fiscal year when it does not start in January), "Last 30 days". For "Q3 FY2026"
    /// use [`Period::label_fiscal`].
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Day => self.start.format("%a %-d %b %Y").to_string(),
            PeriodKind::Week => {
                let w = self.start.iso_week();
                format!("Week {}, {}", w.week(), w.year())
            }
            PeriodKind::Month => YearMonth::of(self.start).label(),
            PeriodKind::Quarter => {
                let a = YearMonth::of(self.start);
                let b = YearMonth::of(self.end);
                if a.year == b.year {
                    format!(
                        "{}–{} {}",
                        MONTH_ABBR[a.month as usize - 1],
                        MONTH_ABBR[b.month as usize - 1],
                        a.year
                    )
                } else {
                    format!(
                        "{} {}–{} {}",
                        MONTH_ABBR[a.month as usize - 1],
                        a.year,
                        MONTH_ABBR[b.month as usize - 1],
                        b.year
                    )
                }
            }
            PeriodKind::Year => {
                if self.start.month() == 1 {
                    format!("{}", self.start.year())
                } else {
                    format!("FY{}", self.end.year())
                }
            }
            _ => self.kind.label().to_string(),
        }
    }

    /// Like [`Period::label`] but quarters and years are named in the fiscal calendar:
    /// "Q3 FY2026" (or "Q3 2026" when the fiscal year is the calendar year), "FY2027".
    pub fn label_fiscal(&self, fiscal_year_start_month: u32) -> String {
        let fy = normalize_fiscal_start(fiscal_year_start_month);
        match self.kind {
            PeriodKind::Quarter => {
                let q = self.fiscal_quarter(fy);
                let year = fiscal_year_of(self.start, fy);
                if fy == 1 {
                    format!("Q{} {}", q, year)
                } else {
                    format!("Q{} FY{}", q, year)
                }
            }
            PeriodKind::Year => {
                let year = fiscal_year_of(self.start, fy);
                if fy == 1 {
                    format!("{}", year)
                } else {
                    format!("FY{}", year)
                }
            }
            _ => self.label(),
        }
    }

    /// 1..=4: the fiscal quarter the period's start falls in.
    pub fn fiscal_quarter(&self, fiscal_year_start_month: u32) -> i32 {
        let fy = normalize_fiscal_start(fiscal_year_start_month);
        ((self.start.month() as i64 - fy as i64).rem_euclid(12) / 3 + 1) as i32
    }

    /// A stable key for URLs and caches: `"month:2026-11-01"`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn kinds_parse_and_serialize() {
        for k in PeriodKind::ALL {
            assert_eq!(k.as_str().parse::<PeriodKind>(), Ok(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert_eq!(
                serde_json::from_str::<PeriodKind>(&format!("\"{}\"", k.as_str())).unwrap(),
                k
            );
        }
        assert_eq!("Last-30".parse::<PeriodKind>(), Ok(PeriodKind::Last30));
        assert!("fortnight".parse::<PeriodKind>().is_err());
    }

    #[test]
    fn iso_week_across_year_boundary() {
        // Thursday 2026-12-31 is in ISO week 53 of 2026, which runs Mon 28 Dec .. Sun 3 Jan.
        let p = Period::containing(PeriodKind::Week, d(2026, 12, 31), 1);
        assert_eq!((p.start, p.end), (d(2026, 12, 28), d(2027, 1, 3)));
        assert_eq!(p.label(), "Week 53, 2026");
        let p2 = Period::containing(PeriodKind::Week, d(2027, 1, 2), 1);
        assert_eq!(p, p2);
        // Wed 2025-12-31 belongs to week 1 of 2026 (Mon 29 Dec 2025 .. Sun 4 Jan 2026).
        let p3 = Period::containing(PeriodKind::Week, d(2025, 12, 31), 1);
        assert_eq!((p3.start, p3.end), (d(2025, 12, 29), d(2026, 1, 4)));
        assert_eq!(p3.label(), "Week 1, 2026");
        assert_eq!(p3.previous(1).label(), "Week 52, 2025");
    }

    #[test]
    fn month_and_leap_day() {
        let p = Period::containing(PeriodKind::Month, d(2028, 2, 29), 1);
        assert_eq!((p.start, p.end), (d(2028, 2, 1), d(2028, 2, 29)));
        assert_eq!(p.days(), 29);
        assert_eq!(p.label(), "February 2028");
        assert_eq!(
            Period::containing(PeriodKind::Month, d(2027, 2, 10), 1).days(),
            28
        );
        let y = Period::containing(PeriodKind::Year, d(2028, 2, 29), 1);
        assert_eq!(y.days(), 366);
        assert_eq!(y.label(), "2028");
        let day = Period::containing(PeriodKind::Day, d(2028, 2, 29), 1);
        assert_eq!(day.label(), "Tue 29 Feb 2028");
        assert_eq!(day.next(1).start, d(2028, 3, 1));
        assert_eq!(day.previous(1).start, d(2028, 2, 28));
    }

    #[test]
    fn fiscal_year_starting_in_april() {
        // FY2027 = 2026-04-01 ..= 2027-03-31.
        let y = Period::containing(PeriodKind::Year, d(2027, 2, 15), 4);
        assert_eq!((y.start, y.end), (d(2026, 4, 1), d(2027, 3, 31)));
        assert_eq!(y.label(), "FY2027");
        assert_eq!(y.label_fiscal(4), "FY2027");
        let q = Period::containing(PeriodKind::Quarter, d(2027, 2, 15), 4);
        assert_eq!((q.start, q.end), (d(2027, 1, 1), d(2027, 3, 31)));
        assert_eq!(q.label_fiscal(4), "Q4 FY2027");
        let q1 = Period::containing(PeriodKind::Quarter, d(2026, 4, 1), 4);
        assert_eq!(q1.label_fiscal(4), "Q1 FY2027");
        // the quarter just before Q1 FY2027 is Q4 FY2026
        let q0 = q1.previous(4);
        assert_eq!((q0.start, q0.end), (d(2026, 1, 1), d(2026, 3, 31)));
        assert_eq!(q0.label_fiscal(4), "Q4 FY2026");
        assert_eq!(q0.next(4), q1);
        // fiscal year starting in November: quarters straddle the calendar year
        let q = Period::containing(PeriodKind::Quarter, d(2026, 12, 5), 11);
        assert_eq!((q.start, q.end), (d(2026, 11, 1), d(2027, 1, 31)));
        assert_eq!(q.label(), "Nov 2026–Jan 2027");
        assert_eq!(q.label_fiscal(11), "Q1 FY2027");
        // calendar fiscal year
        let q = Period::containing(PeriodKind::Quarter, d(2026, 8, 5), 1);
        assert_eq!((q.start, q.end), (d(2026, 7, 1), d(2026, 9, 30)));
        assert_eq!(q.label_fiscal(1), "Q3 2026");
        assert_eq!(q.label(), "Jul–Sep 2026");
        // out-of-range fiscal month falls back to January
        assert_eq!(
            Period::containing(PeriodKind::Year, d(2026, 8, 5), 0).start,
            d(2026, 1, 1)
        );
    }

    #[test]
    fn closed_and_rolling() {
        let today = d(2026, 11, 23);
        let m = Period::containing(PeriodKind::Month, today, 1);
        assert!(!m.is_closed(today));
        assert!(!m.is_closed(d(2026, 11, 30)));
        assert!(m.is_closed(d(2026, 12, 1)));
        assert!(m.previous(1).is_closed(today));
        let r = Period::containing(PeriodKind::Last7, today, 1);
        assert_eq!((r.start, r.end), (d(2026, 11, 17), today));
        assert!(!r.is_closed(d(2030, 1, 1)));
        assert_eq!(r.previous(1).end, d(2026, 11, 16));
        assert_eq!(r.previous(1).days(), 7);
        assert_eq!(Period::containing(PeriodKind::Last90, today, 1).days(), 90);
        assert_eq!(r.label(), "Last 7 days");
    }

    #[test]
    fn the_previous_period_to_the_same_day() {
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        let p = nov.previous_to_date(d(2026, 11, 20), 1);
        assert_eq!((p.start, p.end), (d(2026, 10, 1), d(2026, 10, 20)));
        assert_eq!(nov.to_date(d(2026, 11, 20)).end, d(2026, 11, 20));
        // 31 March: February has fewer days, all of it.
        let mar = Period::containing(PeriodKind::Month, d(2026, 3, 1), 1);
        let p = mar.previous_to_date(d(2026, 3, 31), 1);
        assert_eq!((p.start, p.end), (d(2026, 2, 1), d(2026, 2, 28)));
        // A closed period compares whole with whole; one not started, first day with first day.
        assert_eq!(nov.to_date(d(2027, 1, 5)), nov);
        let p = nov.previous_to_date(d(2026, 10, 3), 1);
        assert_eq!((p.start, p.end), (d(2026, 10, 1), d(2026, 10, 1)));
    }
}
