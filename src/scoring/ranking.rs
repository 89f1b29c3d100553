//! Rankings: standard competition ranking, leaderboards, most improved and personal best.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::points::{Percent, Points};

/// One ranked row: `value` is the ranking metric in its own fixed-point unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RankedEntry {
    pub id: i64,
    pub rank: i32,
    pub value: i64,
}

/// Standard competition ranking ("1, 2, 2, 4"): sorted by value descending, ties share the
/// rank of the first of them and are listed by id ascending so the order is stable.
pub fn rank_competition(values: &[(i64, i64)]) -> Vec<RankedEntry> {
    let mut sorted: Vec<(i64, i64)> = values.to_vec();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::with_capacity(sorted.len());
    let mut rank = 0i32;
    let mut prev: Option<i64> = None;
    for (pos, (id, value)) in sorted.into_iter().enumerate() {
        if prev != Some(value) {
            rank = pos as i32 + 1;
            prev = Some(value);
        }
        out.push(RankedEntry { id, rank, value });
    }
    out
}

/// One row of an activity leaderboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardEntry {
    pub rep_id: i64,
    pub rank: i32,
    pub score: Points,
    /// Activity Index in tenths (0..=100).
    pub index: i32,
}

/// Ranks a roster by Activity Score: every rep of `roster` appears (0 when absent from
/// `scores`); reps in `scores` but not in `roster` are left out. The index is relative to
/// the highest score of the roster.
pub fn leaderboard(roster: &[i64], scores: &BTreeMap<i64, Points>) -> Vec<LeaderboardEntry> {
    let values: Vec<(i64, i64)> = roster
        .iter()
        .map(|id| (*id, scores.get(id).copied().unwrap_or(Points::ZERO).0))
        .collect();
    let highest = Points(values.iter().map(|v| v.1).max().unwrap_or(0));
    let mut seen = std::collections::BTreeSet::new();
    rank_competition(&values)
        .into_iter()
        .filter(|e| seen.insert(e.id))
        .map(|e| LeaderboardEntry {
            rep_id: e.id,
            rank: e.rank,
            score: Points(e.value),
            index: super::activity::activity_index(Points(e.value), highest),
        })
        .collect()
}

/// One row of the "most improved" ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementEntry {
    pub rep_id: i64,
    pub rank: i32,
    pub current: Percent,
    pub previous: Percent,
    /// `current - previous`, in basis points (percentage points × 100).
    pub change: Percent,
}

/// Most improved: change in attainment against the previous equivalent period. Reps whose
/// attainment is "n/a" in either period are left out (no fair comparison).
pub fn most_improved(
    current: &[(i64, Option<Percent>)],
    previous: &[(i64, Option<Percent>)],
) -> Vec<ImprovementEntry> {
    let prev: BTreeMap<i64, Percent> = previous
        .iter()
        .filter_map(|(id, p)| p.map(|p| (*id, p)))
        .collect();
    let pairs: BTreeMap<i64, (Percent, Percent)> = current
        .iter()
        .filter_map(|(id, c)| Some((*id, (((*c)?), *prev.get(id)?))))
        .collect();
    let values: Vec<(i64, i64)> = pairs.iter().map(|(id, (c, p))| (*id, c.0 - p.0)).collect();
    rank_competition(&values)
        .into_iter()
        .map(|e| {
            let (c, p) = pairs[&e.id];
            ImprovementEntry {
                rep_id: e.id,
                rank: e.rank,
                current: c,
                previous: p,
                change: Percent(e.value),
            }
        })
        .collect()
}

/// A rep's best closed period on a metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalBest {
    pub period: Period,
    pub value: i64,
}

/// The best **closed** period of `history` (value in the metric's unit, higher is better).
/// Ties go to the earliest period: the record is set by whoever reached it first.
/// Open periods (including rolling windows) never count.
pub fn personal_best(history: &[(Period, i64)], today: NaiveDate) -> Option<PersonalBest> {
    let mut best: Option<(Period, i64)> = None;
    for (p, v) in history {
        if !p.is_closed(today) {
            continue;
        }
        let better = match &best {
            None => true,
            Some((bp, bv)) => *v > *bv || (*v == *bv && p.start < bp.start),
        };
        if better {
            best = Some((*p, *v));
        }
    }
    best.map(|(period, value)| PersonalBest { period, value })
}

/// Whether `current` beats every closed period of `history` (a "new personal best" badge).
/// False when there is no closed history to beat.
pub fn is_new_personal_best(current: i64, history: &[(Period, i64)], today: NaiveDate) -> bool {
    personal_best(history, today).is_some_and(|pb| current > pb.value)
}

/// One row of a ranking by any metric: `rank` is `None` where the value is "n/a" (those
/// rows come last, by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricRankEntry {
    pub rep_id: i64,
    pub rank: Option<i32>,
    pub value: Option<i64>,
    /// The value as a share of the best value, in tenths (0..=100): 100 for the leader,
    /// for a bar. For lower-is-better metrics the best is the lowest (share = best / value).
    pub share_tenths: i32,
}

/// Ranks a roster by any metric (standard competition ranking, ties by id). Every rep of
/// `roster` appears; a rep missing from `values` or with `None` is "n/a": unranked, last.
/// `higher_is_better` is false for cycle length and lost business: the lowest ranks first.
pub fn rank_by_value(
    roster: &[i64],
    values: &BTreeMap<i64, Option<i64>>,
    higher_is_better: bool,
) -> Vec<MetricRankEntry> {
    let mut seen = std::collections::BTreeSet::new();
    let roster: Vec<i64> = roster
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect();
    let known: Vec<(i64, i64)> = roster
        .iter()
        .filter_map(|id| values.get(id).copied().flatten().map(|v| (*id, v)))
        .collect();
    let sign = if higher_is_better { 1 } else { -1 };
    let keyed: Vec<(i64, i64)> = known
        .iter()
        .map(|(id, v)| (*id, v.saturating_mul(sign)))
        .collect();
    let best = keyed.iter().map(|k| k.1).max();
    let share = |value: i64| -> i32 {
        let Some(best) = best.map(|b| b.saturating_mul(sign)) else {
            return 0;
        };
        let (num, den) = if higher_is_better {
            (value, best)
        } else {
            (best, value)
        };
        if den <= 0 || num <= 0 {
            // A best of 0 (nothing done yet, or a zero-day cycle) shows full bars only
            // for those who equal it.
            return if value == best { 100 } else { 0 };
        }
        super::points::div_round(num as i128 * 100, den as i128).clamp(0, 100) as i32
    };
    let mut out: Vec<MetricRankEntry> = rank_competition(&keyed)
        .into_iter()
        .map(|e| {
            let value = e.value.saturating_mul(sign);
            MetricRankEntry {
                rep_id: e.id,
                rank: Some(e.rank),
                value: Some(value),
                share_tenths: share(value),
            }
        })
        .collect();
    let mut unknown: Vec<i64> = roster
        .iter()
        .copied()
        .filter(|id| !known.iter().any(|k| k.0 == *id))
        .collect();
    unknown.sort_unstable();
    out.extend(unknown.into_iter().map(|rep_id| MetricRankEntry {
        rep_id,
        rank: None,
        value: None,
        share_tenths: 0,
    }));
    out
}

/// One rep's change of activity score against the previous equivalent period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreChange {
    pub rep_id: i64,
    pub rank: i32,
    pub current: Points,
    pub previous: Points,
    /// `current - previous`.
    pub change: Points,
    /// The change relative to `previous`; `None` when `previous` is 0 (no base to compare).
    pub change_pct: Option<Percent>,
}

/// Most improved by activity score: the reps of `roster` whose score went **up** against
/// the previous equivalent period, largest gain first (ties by id). Reps absent from a map
/// scored 0 there. Nobody who stood still or fell is listed.
pub fn most_improved_scores(
    roster: &[i64],
    current: &BTreeMap<i64, Points>,
    previous: &BTreeMap<i64, Points>,
) -> Vec<ScoreChange> {
    let get = |m: &BTreeMap<i64, Points>, id: i64| m.get(&id).copied().unwrap_or(Points::ZERO);
    let mut seen = std::collections::BTreeSet::new();
    let gains: Vec<(i64, i64)> = roster
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .map(|id| (id, get(current, id).0.saturating_sub(get(previous, id).0)))
        .filter(|(_, change)| *change > 0)
        .collect();
    rank_competition(&gains)
        .into_iter()
        .map(|e| {
            let (c, p) = (get(current, e.id), get(previous, e.id));
            ScoreChange {
                rep_id: e.id,
                rank: e.rank,
                current: c,
                previous: p,
                change: Points(e.value),
                change_pct: Percent::ratio(e.value, p.0),
            }
        })
        .collect()
}

/// A rep who set a personal best this period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBest {
    pub rep_id: i64,
    /// This period so far.
    pub current: i64,
    /// The record it beats: the best of the earlier periods.
    pub previous_best: PersonalBest,
}

/// The reps whose value this period beats their best **closed** earlier period with
/// activity (`history`: value per earlier period; periods at 0 are ignored, so a rep's
/// first month is never a "record" over months before they started). Biggest margin over
/// the record (relative) first; reps without any earlier period with activity are left out.
pub fn new_personal_bests(
    current: &BTreeMap<i64, i64>,
    history: &BTreeMap<i64, Vec<(Period, i64)>>,
    today: NaiveDate,
) -> Vec<NewBest> {
    let mut out: Vec<NewBest> = current
        .iter()
        .filter_map(|(id, value)| {
            let past: Vec<(Period, i64)> = history
                .get(id)?
                .iter()
                .copied()
                .filter(|(_, v)| *v > 0)
                .collect();
            let best = personal_best(&past, today)?;
            (*value > best.value).then_some(NewBest {
                rep_id: *id,
                current: *value,
                previous_best: best,
            })
        })
        .collect();
    // value / best descending, compared exactly as fractions.
    out.sort_by(|a, b| {
        let lhs = a.current as i128 * b.previous_best.value as i128;
        let rhs = b.current as i128 * a.previous_best.value as i128;
        rhs.cmp(&lhs).then(a.rep_id.cmp(&b.rep_id))
    });
    out
}

#[cfg(test)]
mod tv_ranking_tests {
    use super::super::period::PeriodKind;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rank_by_value_higher_is_better_with_ties_and_na() {
        let values = BTreeMap::from([(1, Some(50)), (2, Some(200)), (3, Some(50)), (4, None)]);
        let r = rank_by_value(&[4, 3, 2, 1, 5], &values, true);
        let rows: Vec<(i64, Option<i32>, Option<i64>, i32)> = r
            .iter()
            .map(|e| (e.rep_id, e.rank, e.value, e.share_tenths))
            .collect();
        assert_eq!(
            rows,
            vec![
                (2, Some(1), Some(200), 100),
                (1, Some(2), Some(50), 25),
                (3, Some(2), Some(50), 25),
                (4, None, None, 0),
                (5, None, None, 0),
            ]
        );
    }

    #[test]
    fn rank_by_value_lower_is_better() {
        // Cycle length in tenths of a day: 10 days beats 20 days.
        let values = BTreeMap::from([(1, Some(200)), (2, Some(100)), (3, None)]);
        let r = rank_by_value(&[1, 2, 3], &values, false);
        assert_eq!(
            r.iter()
                .map(|e| (e.rep_id, e.rank, e.share_tenths))
                .collect::<Vec<_>>(),
            vec![(2, Some(1), 100), (1, Some(2), 50), (3, None, 0)]
        );
    }

    #[test]
    fn rank_by_value_all_zero() {
        let values = BTreeMap::from([(1, Some(0)), (2, Some(0))]);
        let r = rank_by_value(&[1, 2], &values, true);
        assert_eq!(
            r.iter()
                .map(|e| (e.rank, e.share_tenths))
                .collect::<Vec<_>>(),
            vec![(Some(1), 100), (Some(1), 100)]
        );
    }

    #[test]
    fn most_improved_lists_only_gains() {
        let current = BTreeMap::from([(1, Points(3000)), (2, Points(1000)), (3, Points(500))]);
        let previous = BTreeMap::from([(1, Points(2000)), (2, Points(1500)), (4, Points(100))]);
        let r = most_improved_scores(&[1, 2, 3, 4], &current, &previous);
        assert_eq!(
            r,
            vec![
                ScoreChange {
                    rep_id: 1,
                    rank: 1,
                    current: Points(3000),
                    previous: Points(2000),
                    change: Points(1000),
                    change_pct: Some(Percent(5000)),
                },
                ScoreChange {
                    rep_id: 3,
                    rank: 2,
                    current: Points(500),
                    previous: Points(0),
                    change: Points(500),
                    change_pct: None,
                },
            ]
        );
    }

    #[test]
    fn new_personal_bests_beat_closed_months_with_activity() {
        let today = d(2026, 11, 20);
        let sep = Period::containing(PeriodKind::Month, d(2026, 9, 1), 1);
        let oct = Period::containing(PeriodKind::Month, d(2026, 10, 1), 1);
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        let history = BTreeMap::from([
            (1, vec![(sep, 400), (oct, 500)]),
            (2, vec![(sep, 0), (oct, 300)]),
            // Rep 3 had no activity before: no record to beat.
            (3, vec![(sep, 0), (oct, 0)]),
            // The open period itself never counts as a record.
            (4, vec![(oct, 100), (nov, 900)]),
        ]);
        let current = BTreeMap::from([(1, 600), (2, 900), (3, 50), (4, 200), (5, 10)]);
        let r = new_personal_bests(&current, &history, today);
        assert_eq!(
            r.iter()
                .map(|b| (
                    b.rep_id,
                    b.current,
                    b.previous_best.value,
                    b.previous_best.period
                ))
                .collect::<Vec<_>>(),
            // 900/300 = 3.0 ≥ 200/100 = 2.0 ≥ 600/500 = 1.2
            vec![(2, 900, 300, oct), (4, 200, 100, oct), (1, 600, 500, oct)]
        );
        // Equal to the record is not a new one.
        let r = new_personal_bests(&BTreeMap::from([(1, 500)]), &history, today);
        assert!(r.is_empty());
    }
}

/// The median of `values` (any order): the middle value, or for an even count the mean of
/// the two middle values rounded half away from zero. `None` for no values.
pub fn median(values: &[i64]) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some(super::points::div_round(
            v[n / 2 - 1] as i128 + v[n / 2] as i128,
            2,
        )),
    }
}

#[cfg(test)]
mod median_tests {
    use super::median;

    #[test]
    fn median_of_odd_even_and_none() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[700]), Some(700));
        assert_eq!(median(&[900, 100, 500]), Some(500));
        // even: mean of the middle two, half away from zero
        assert_eq!(median(&[100, 400, 0, 1000]), Some(250));
        assert_eq!(median(&[1, 2]), Some(2));
        assert_eq!(median(&[0, 0, 0, 0]), Some(0));
    }
}
