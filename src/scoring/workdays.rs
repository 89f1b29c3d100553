//! Working days: the organisation's working week and holidays, minus a rep's absences.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The organisation's working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Monday first: `[true, true, true, true, true, false, false]` is Monday–Friday.
    pub working_weekdays: [bool; 7],
    /// Organisation holidays (org-local dates).
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for WorkCalendar {
    /// Monday–Friday, no holidays.
    fn default() -> Self {
        WorkCalendar {
            working_weekdays: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
        }
    }
}

impl WorkCalendar {
    pub fn new(working_weekdays: [bool; 7], holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkCalendar {
            working_weekdays,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// From a list of weekdays (e.g. parsed from `"mon,tue,wed,thu,fri,sat"`).
    pub fn with_weekdays(days: &[Weekday]) -> Self {
        let mut w = [false; 7];
        for d in days {
            w[d.num_days_from_monday() as usize] = true;
        }
        WorkCalendar {
            working_weekdays: w,
            holidays: BTreeSet::new(),
        }
    }

    /// A working day for the organisation (ignoring any rep's absences).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_weekdays[date.weekday().num_days_from_monday() as usize]
            && !self.holidays.contains(&date)
    }

    /// Organisation working days in `start..=end` (0 when `end < start`).
    pub fn working_days(&self, start: NaiveDate, end: NaiveDate) -> i64 {
        self.working_days_for(start, end, &[])
    }

    /// Working days in `start..=end` for a rep with these absences (only the rep's own
    /// absences should be passed; see [`absences_of`]).
    pub fn working_days_for(&self, start: NaiveDate, end: NaiveDate, absences: &[Absence]) -> i64 {
        if end < start {
            return 0;
        }
        // Whole weeks contribute a fixed count; only the remainder is walked day by day.
        let per_week = self.working_weekdays.iter().filter(|w| **w).count() as i64;
        let days = (end - start).num_days() + 1;
        let weeks = days / 7;
        let mut n = weeks * per_week;
        let mut d = start + chrono::Duration::days(weeks * 7);
        while d <= end {
            if self.working_weekdays[d.weekday().num_days_from_monday() as usize] {
                n += 1;
            }
            d = match d.succ_opt() {
                Some(x) => x,
                None => break,
            };
        }
        // Subtract holidays and absence days that fall on working weekdays, each date once.
        let mut off: BTreeSet<NaiveDate> = self.holidays.range(start..=end).copied().collect();
        for a in absences {
            let s = a.start.max(start);
            let e = a.end.min(end);
            let mut d = s;
            while d <= e {
                off.insert(d);
                d = match d.succ_opt() {
                    Some(x) => x,
                    None => break,
                };
            }
        }
        n - off
            .iter()
            .filter(|d| self.working_weekdays[d.weekday().num_days_from_monday() as usize])
            .count() as i64
    }

    /// Whether `date` is a working day for a rep with these absences.
    pub fn is_working_day_for(&self, date: NaiveDate, absences: &[Absence]) -> bool {
        self.is_working_day(date) && !absences.iter().any(|a| a.covers(date))
    }
}

/// A rep's absence (holiday, sick leave, training): both ends inclusive, org-local dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub rep_id: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Absence {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// The absences of one rep, out of everyone's.
pub fn absences_of(rep_id: i64, all: &[Absence]) -> Vec<Absence> {
    all.iter().filter(|a| a.rep_id == rep_id).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn november_2026_working_days() {
        let cal = WorkCalendar::default();
        // November 2026: starts on a Sunday, 30 days, 21 weekdays.
        assert_eq!(cal.working_days(d(2026, 11, 1), d(2026, 11, 30)), 21);
        let cal = WorkCalendar::new(cal.working_weekdays, [d(2026, 11, 11), d(2026, 11, 14)]);
        // 11 Nov (Wed) is a holiday; 14 Nov is a Saturday and changes nothing.
        assert_eq!(cal.working_days(d(2026, 11, 1), d(2026, 11, 30)), 20);
        let abs = [Absence {
            rep_id: 1,
            start: d(2026, 11, 9),
            end: d(2026, 11, 15),
        }];
        // Mon 9 .. Fri 13 minus the holiday already counted: 4 more days off.
        assert_eq!(
            cal.working_days_for(d(2026, 11, 1), d(2026, 11, 30), &abs),
            16
        );
        assert!(!cal.is_working_day_for(d(2026, 11, 10), &abs));
        assert!(cal.is_working_day_for(d(2026, 11, 16), &abs));
        assert_eq!(cal.working_days(d(2026, 11, 30), d(2026, 11, 1)), 0);
    }

    #[test]
    fn six_day_week_and_leap_february() {
        use Weekday::*;
        let cal = WorkCalendar::with_weekdays(&[Mon, Tue, Wed, Thu, Fri, Sat]);
        // February 2028 has 29 days starting on a Tuesday: 25 Mon–Sat days.
        assert_eq!(cal.working_days(d(2028, 2, 1), d(2028, 2, 29)), 25);
        assert!(cal.is_working_day(d(2028, 2, 26))); // Saturday
        assert!(!cal.is_working_day(d(2028, 2, 27))); // Sunday
        let five = WorkCalendar::default();
        assert_eq!(five.working_days(d(2028, 2, 1), d(2028, 2, 29)), 21);
    }
}
