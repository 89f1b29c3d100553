//! Pacing: expected-to-date from working days, and uncapped attainment and pace.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
}
