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
