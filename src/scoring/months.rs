//! Month totals of the daily rollups: a whole month of a period is scored from one row per
//! (rep, activity type) instead of one per day, so the board of a month, a quarter or a
//! year costs the same with a thousand activities a day or ten.
//!
//! A month total keeps the sum over its days of the units that pass the type's daily cap
//! ([`ActivityTypeRule::counted_units`]): the cap is per day, so it cannot be applied to a
//! month's sum afterwards. Weights are applied when a total is read, with the version in
//! force on the month's first day; a month in which any weight version starts after the
//! first day is read day by day instead ([`read_plan`]). So a weight change never rewrites
//! a total, and a cap change rewrites the totals of its type.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::activity::{counted_under, scores_where, ActivityTypeRule, DailyRollup};
use super::period::Period;
use super::points::Points;
use super::weights::WeightTable;

/// One rep's units of one type over one month of org-local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRollup {
    pub rep_id: i64,
    /// The month's first day.
    pub month: NaiveDate,
    pub activity_type_id: i64,
    /// Units logged (negative days count 0, as in scoring).
    pub units: i64,
    /// Units that passed the daily cap, summed over the days.
    pub counted_units: i64,
}

/// The first day of the month of `d`.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The last day of the month that starts on `first`.
pub fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// What changes in a month's totals (units, counted units) when one day of a type with
/// this daily cap goes from `before` to `after` units.
pub fn month_change(daily_cap: Option<i64>, before: i64, after: i64) -> (i64, i64) {
    (
        after.max(0) - before.max(0),
        counted_under(daily_cap, after) - counted_under(daily_cap, before),
    )
}

/// The month totals of these days (what is stored, computed again: a rebuild, a check).
/// `daily_cap` gives each type's cap (`None` for a type without one, or unknown).
pub fn month_totals(
    days: &[DailyRollup],
    daily_cap: impl Fn(i64) -> Option<i64>,
) -> Vec<MonthRollup> {
    let mut totals: BTreeMap<(NaiveDate, i64, i64), (i64, i64)> = BTreeMap::new();
    for d in days {
        let (units, counted) = month_change(daily_cap(d.activity_type_id), 0, d.units);
        let e = totals
            .entry((month_of(d.date), d.rep_id, d.activity_type_id))
            .or_default();
        e.0 = e.0.saturating_add(units);
        e.1 = e.1.saturating_add(counted);
    }
    totals
        .into_iter()
        .map(
            |((month, rep_id, activity_type_id), (units, counted_units))| MonthRollup {
                rep_id,
                month,
                activity_type_id,
                units,
                counted_units,
            },
        )
        .collect()
}

/// How the days of a period are read: the whole months that month totals can stand for
/// (inside the period, and no weight version starting after their first day), and the
/// ranges of days (inclusive) to read one by one: the edges, and the months where a
/// weight changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadPlan {
    pub months: Vec<NaiveDate>,
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

pub fn read_plan(period: &Period, weights: &WeightTable) -> ReadPlan {
    let mut plan = ReadPlan::default();
    let mut open: Option<NaiveDate> = None;
    let mut day = period.start;
    while day <= period.end {
        let first = month_of(day);
        let last = month_end(first);
        let whole = first == day
            && last <= period.end
            && !weights
                .versions()
                .any(|v| v.effective_from > first && v.effective_from <= last);
        let until = last.min(period.end);
        if whole {
            if let Some(from) = open.take() {
                plan.days.push((from, first.pred_opt().unwrap_or(first)));
            }
            plan.months.push(first);
        } else if open.is_none() {
            open = Some(day);
        }
        match until.checked_add_days(Days::new(1)) {
            Some(next) => day = next,
            None => break,
        }
    }
    if let Some(from) = open {
        plan.days.push((from, period.end));
    }
    plan
}

/// The Activity Score of every rep from the month totals of the plan's months and the
/// daily rollups of its day ranges: equal to [`super::activity_scores`] over every day
/// of the period. Totals of types not in `types` are ignored, as days of them are.
pub fn scores_from_months(
    months: &[MonthRollup],
    days: &[DailyRollup],
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    period: &Period,
) -> BTreeMap<i64, Points> {
    let mut out = scores_where(days, types, weights, period, |_| true);
    for m in months {
        if !period.contains(m.month) || !types.iter().any(|t| t.id == m.activity_type_id) {
            continue;
        }
        let points = weights
            .weight_value_on(m.activity_type_id, m.month)
            .times(m.counted_units.max(0));
        let e = out.entry(m.rep_id).or_insert(Points::ZERO);
        *e = e.saturating_add(points);
    }
    out
}

/// The counted units (within the daily cap) per (rep, activity type) of the month totals
/// of the period's months: what [`super::activity_count`] counts over the same days.
pub fn counts_from_months(months: &[MonthRollup], period: &Period) -> BTreeMap<(i64, i64), i64> {
    let mut out: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for m in months.iter().filter(|m| period.contains(m.month)) {
        let e = out.entry((m.rep_id, m.activity_type_id)).or_insert(0);
        *e = e.saturating_add(m.counted_units.max(0));
    }
    out
}

/// Activity on accounts summed per month (its first day), rep, account and type: the units
/// and the latest date with any. Account coverage ([`super::account_coverage`]) of a whole
/// month where no weight changes ([`read_plan`]) reads these, each dated its latest day,
/// instead of every activity: the same points, units and last activity per account. Rows
/// are (date, rep, account, type, units); those without units add nothing.
pub fn account_month_totals<A: Ord>(
    rows: impl IntoIterator<Item = (NaiveDate, i64, A, i64, i64)>,
) -> BTreeMap<(NaiveDate, i64, A, i64), (i64, NaiveDate)> {
    let mut totals: BTreeMap<(NaiveDate, i64, A, i64), (i64, NaiveDate)> = BTreeMap::new();
    for (date, rep, account, t, units) in rows {
        if units <= 0 {
            continue;
        }
        let e = totals
            .entry((month_of(date), rep, account, t))
            .or_insert((0, date));
        e.0 = e.0.saturating_add(units);
        e.1 = e.1.max(date);
    }
    totals
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::scoring::{activity_scores, PeriodKind, WeightVersion};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn period(start: NaiveDate, end: NaiveDate) -> Period {
        Period {
            kind: PeriodKind::Month,
            start,
            end,
        }
    }

    #[test]
    fn a_plan_reads_whole_months_as_totals_and_the_rest_by_day() {
        let none = WeightTable::default();
        let q = period(d(2026, 1, 1), d(2026, 3, 31));
        assert_eq!(
            read_plan(&q, &none),
            ReadPlan {
                months: vec![d(2026, 1, 1), d(2026, 2, 1), d(2026, 3, 1)],
                days: vec![],
            }
        );
        let rolling = period(d(2026, 1, 15), d(2026, 4, 13));
        assert_eq!(
            read_plan(&rolling, &none),
            ReadPlan {
                months: vec![d(2026, 2, 1), d(2026, 3, 1)],
                days: vec![
                    (d(2026, 1, 15), d(2026, 1, 31)),
                    (d(2026, 4, 1), d(2026, 4, 13))
                ],
            }
        );
        // A weight from 10 February: February by day; from 1 March: March still whole.
        let weights = WeightTable::new(vec![
            WeightVersion {
                id: 1,
                activity_type_id: 1,
                effective_from: d(2026, 2, 10),
                weight: Points::from_whole(2),
            },
            WeightVersion {
                id: 2,
                activity_type_id: 1,
                effective_from: d(2026, 3, 1),
                weight: Points::from_whole(3),
            },
        ]);
        assert_eq!(
            read_plan(&q, &weights),
            ReadPlan {
                months: vec![d(2026, 1, 1), d(2026, 3, 1)],
                days: vec![(d(2026, 2, 1), d(2026, 2, 28))],
            }
        );
        let week = period(d(2026, 3, 2), d(2026, 3, 8));
        assert_eq!(
            read_plan(&week, &none),
            ReadPlan {
                months: vec![],
                days: vec![(d(2026, 3, 2), d(2026, 3, 8))],
            }
        );
    }

    #[test]
    fn a_day_changing_moves_its_month_by_what_passes_the_cap() {
        assert_eq!(month_change(Some(5), 3, 8), (5, 2));
        assert_eq!(month_change(Some(5), 8, 3), (-5, -2));
        assert_eq!(month_change(None, 3, 8), (5, 5));
        assert_eq!(month_change(Some(-1), 0, 4), (4, 0));
        assert_eq!(month_change(Some(5), 6, 9), (3, 0));
    }

    fn types(caps: &[Option<i64>]) -> Vec<ActivityTypeRule> {
        caps.iter()
            .enumerate()
            .map(|(i, cap)| ActivityTypeRule {
                id: i as i64 + 1,
                key: format!("t{i}"),
                label: format!("T{i}"),
                icon: String::new(),
                leading: true,
                daily_cap: *cap,
                min_duration_seconds: None,
            })
            .collect()
    }

    proptest! {
        /// Scores and counts from month totals and the plan's days equal those from every day, for
        /// any days, caps, weight histories and period (whole months, edges, weight
        /// changes inside a month, types that are not scored).
        #[test]
        fn month_totals_score_as_the_days_do(
            rows in proptest::collection::vec((1i64..4, 0u64..120, 1i64..5, -2i64..15), 0..120),
            caps in proptest::collection::vec(proptest::option::of(-1i64..6), 4),
            versions in proptest::collection::vec((1i64..5, 0u64..120, 0i64..9), 0..6),
            start in 0u64..100,
            len in 0u64..100,
            scored in 1usize..5,
        ) {
            let base = d(2026, 1, 1);
            let at = |n: u64| base.checked_add_days(Days::new(n)).unwrap();
            let mut days: BTreeMap<(i64, NaiveDate, i64), i64> = BTreeMap::new();
            for (rep, day, ty, units) in rows {
                *days.entry((rep, at(day), ty)).or_default() += units;
            }
            let days: Vec<DailyRollup> = days
                .into_iter()
                .map(|((rep_id, date, activity_type_id), units)| DailyRollup {
                    rep_id,
                    date,
                    activity_type_id,
                    units,
                    duration_seconds: 0,
                })
                .collect();
            let all = types(&caps);
            let weights = WeightTable::new(
                versions
                    .into_iter()
                    .enumerate()
                    .map(|(i, (ty, from, w))| WeightVersion {
                        id: i as i64 + 1,
                        activity_type_id: ty,
                        effective_from: at(from),
                        weight: Points::from_whole(w),
                    })
                    .collect(),
            );
            let p = period(at(start), at(start + len));
            let scoring = &all[..scored];
            let cap_of = |id: i64| all.iter().find(|t| t.id == id).and_then(|t| t.daily_cap);
            let plan = read_plan(&p, &weights);
            let months: Vec<MonthRollup> = month_totals(&days, cap_of)
                .into_iter()
                .filter(|m| plan.months.contains(&m.month))
                .collect();
            let edge_days: Vec<DailyRollup> = days
                .iter()
                .filter(|r| plan.days.iter().any(|(a, b)| *a <= r.date && r.date <= *b))
                .cloned()
                .collect();
            let expected: BTreeMap<i64, Points> = activity_scores(&days, scoring, &weights, &p)
                .into_iter()
                .filter(|(_, pts)| !pts.is_zero())
                .collect();
            let got: BTreeMap<i64, Points> =
                scores_from_months(&months, &edge_days, scoring, &weights, &p)
                    .into_iter()
                    .filter(|(_, pts)| !pts.is_zero())
                    .collect();
            prop_assert_eq!(got, expected);
            // Counts against targets: the totals' counts plus the edge days' equal the
            // days' counts, type by type, rep by rep.
            let from_months = counts_from_months(&months, &p);
            for t in scoring {
                for rep in 1..=3 {
                    let who = crate::scoring::Population::Rep(rep);
                    let whole = from_months.get(&(rep, t.id)).copied().unwrap_or(0);
                    let edges = crate::scoring::activity_count(&edge_days, scoring, t.id, &who, &p);
                    let all_days = crate::scoring::activity_count(&days, scoring, t.id, &who, &p);
                    prop_assert_eq!(whole + edges, all_days, "rep {} type {}", rep, t.id);
                }
            }
        }
    }
}
