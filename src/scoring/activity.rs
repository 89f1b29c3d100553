//! Activity types, daily rollups and the Activity Score with its explanation lines.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::points::{div_round, Points};
use super::weights::WeightTable;

/// An admin-defined activity type and the rules that decide which units count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityTypeRule {
    pub id: i64,
    /// Slug, e.g. `"call"`.
    pub key: String,
    pub label: String,
    pub icon: String,
    /// A leading indicator (effort) rather than an outcome.
    pub leading: bool,
    /// Units per rep per local day that score; the rest are kept, flagged and score 0.
    /// `None` = no cap. A negative cap counts as 0.
    pub daily_cap: Option<i64>,
    /// Activities shorter than this do not count at all (e.g. 30-second calls).
    pub min_duration_seconds: Option<i64>,
}

impl ActivityTypeRule {
    /// Whether one logged activity with this duration counts. Without a minimum every
    /// activity qualifies. With a minimum, an activity qualifies only when its duration is
    /// known and at least the minimum: a missing duration cannot prove the rule is met.
    pub fn qualifies(&self, duration_seconds: Option<i64>) -> bool {
        match self.min_duration_seconds {
            None => true,
            Some(min) if min <= 0 => true,
            Some(min) => matches!(duration_seconds, Some(d) if d >= min),
        }
    }

    /// How many of `units` logged by one rep on one day count under the daily cap.
    pub fn counted_units(&self, units: i64) -> i64 {
        counted_under(self.daily_cap, units)
    }
}

/// How many of `units` logged by one rep on one day count under `daily_cap` (`None`: all;
/// a negative cap counts as 0, negative units as 0).
pub fn counted_under(daily_cap: Option<i64>, units: i64) -> i64 {
    let units = units.max(0);
    match daily_cap {
        Some(cap) => units.min(cap.max(0)),
        None => units,
    }
}

/// The default activity types of a new organisation, with their default weights in whole
/// points: call 3, email 1, meeting 5, visit 10, check-in 2, demo 8, proposal 6.
/// Ids are 1..=7 in this order; a server seeding a database may use its own ids.
pub fn default_activity_types() -> Vec<(ActivityTypeRule, Points)> {
    let spec: [(&str, &str, &str, bool, i64); 7] = [
        ("call", "Call", "phone", true, 3),
        ("email", "Email", "mail", true, 1),
        ("meeting", "Meeting", "users", true, 5),
        ("visit", "Visit", "map-pin", true, 10),
        ("check_in", "Check-in", "check", true, 2),
        ("demo", "Demo", "presentation", true, 8),
        ("proposal", "Proposal", "file-text", true, 6),
    ];
    spec.iter()
        .enumerate()
        .map(|(i, (key, label, icon, leading, w))| {
            (
                ActivityTypeRule {
                    id: i as i64 + 1,
                    key: key.to_string(),
                    label: label.to_string(),
                    icon: icon.to_string(),
                    leading: *leading,
                    daily_cap: None,
                    min_duration_seconds: None,
                },
                Points::from_whole(*w),
            )
        })
        .collect()
}

/// One row per (rep, org-local date, activity type), maintained by the server.
/// `units` are the qualifying units logged (those passing [`ActivityTypeRule::qualifies`],
/// deleted activities excluded); the daily cap is applied here, not in the rollup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyRollup {
    pub rep_id: i64,
    /// Org-local date of the activities.
    pub date: NaiveDate,
    pub activity_type_id: i64,
    pub units: i64,
    pub duration_seconds: i64,
}

/// One line of a score explanation: `units` of a type logged under one weight version,
/// of which `counted_units` passed the daily cap, × `weight` = `points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub activity_type_id: i64,
    /// `None` when no weight was in force on those dates (they score 0).
    pub weight_version_id: Option<i64>,
    pub weight: Points,
    pub units: i64,
    pub counted_units: i64,
    pub points: Points,
}

impl ScoreLine {
    /// Units over the daily cap: kept and flagged, scoring 0.
    pub fn capped_units(&self) -> i64 {
        self.units - self.counted_units
    }

    /// Like [`ScoreLine::explain`], naming the weight version by its effective date:
    /// `"Call × 6 × 4.50 (weight since 2026-11-16) = 27.00"`.
    pub fn explain_versioned(&self, type_label: &str, weights: &WeightTable) -> String {
        let since = self.weight_version_id.and_then(|id| {
            weights
                .history(self.activity_type_id)
                .iter()
                .find(|v| v.id == id)
                .map(|v| v.effective_from)
        });
        match since {
            Some(date) => {
                let plain = self.explain(type_label);
                let marker = format!(" × {} = ", self.weight.display());
                plain.replacen(
                    &marker,
                    &format!(" × {} (weight since {}) = ", self.weight.display(), date),
                    1,
                )
            }
            None => self.explain(type_label),
        }
    }

    /// `"Call × 12 × 3.00 = 36.00"`, with `" (2 over daily cap)"` when units were capped.
    pub fn explain(&self, type_label: &str) -> String {
        let mut s = format!(
            "{} × {} × {} = {}",
            type_label,
            self.counted_units,
            self.weight.display(),
            self.points.display()
        );
        if self.weight_version_id.is_none() {
            s.push_str(" (no weight in force)");
        }
        if self.capped_units() > 0 {
            s.push_str(&format!(" ({} over daily cap)", self.capped_units()));
        }
        s
    }
}

/// A rep's Activity Score for a period and how it is made up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    pub rep_id: i64,
    pub total: Points,
    /// Ordered as `types`, then by weight version date (lines without a version first).
    pub lines: Vec<ScoreLine>,
}

impl ScoreBreakdown {
    pub fn units(&self) -> i64 {
        self.lines.iter().map(|l| l.units).sum()
    }
    pub fn counted_units(&self) -> i64 {
        self.lines.iter().map(|l| l.counted_units).sum()
    }
}

/// Index of known types by id → position in `types`.
fn type_index(types: &[ActivityTypeRule]) -> HashMap<i64, usize> {
    // the first definition wins if an id is listed twice (same rule as `scores_where`)
    let mut m = HashMap::with_capacity(types.len());
    for (i, t) in types.iter().enumerate() {
        m.entry(t.id).or_insert(i);
    }
    m
}

/// Sums duplicate rows of the same (rep, date, type) so the cap applies to the day's total.
/// Only rows in `period` with a known type are kept. Key: (rep, type position, date).
fn day_units(
    rollups: &[DailyRollup],
    index: &HashMap<i64, usize>,
    period: &Period,
    rep: Option<i64>,
) -> BTreeMap<(i64, usize, NaiveDate), i64> {
    let mut map: BTreeMap<(i64, usize, NaiveDate), i64> = BTreeMap::new();
    for r in rollups {
        if rep.is_some_and(|id| id != r.rep_id) || !period.contains(r.date) {
            continue;
        }
        let Some(&ti) = index.get(&r.activity_type_id) else {
            continue;
        };
        let e = map.entry((r.rep_id, ti, r.date)).or_insert(0);
        *e = e.saturating_add(r.units.max(0));
    }
    map
}

/// The Activity Score of one rep over `period`, with one explanation line per
/// (activity type, weight version). Each (rep, date, type) is capped at the type's daily cap
/// and scored with the weight in force on that date. Rows of unknown types are ignored.
pub fn score_rep(
    rep_id: i64,
    rollups: &[DailyRollup],
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    period: &Period,
) -> ScoreBreakdown {
    let index = type_index(types);
    let days = day_units(rollups, &index, period, Some(rep_id));
    // key: (type position, version effective date, version id)
    let mut lines: BTreeMap<(usize, Option<NaiveDate>, Option<i64>), ScoreLine> = BTreeMap::new();
    for ((_, ti, date), units) in days {
        let rule = &types[ti];
        let counted = rule.counted_units(units);
        let version = weights.weight_on(rule.id, date);
        let weight = version.map(|v| v.weight).unwrap_or(Points::ZERO);
        let key = (ti, version.map(|v| v.effective_from), version.map(|v| v.id));
        let line = lines.entry(key).or_insert_with(|| ScoreLine {
            activity_type_id: rule.id,
            weight_version_id: version.map(|v| v.id),
            weight,
            units: 0,
            counted_units: 0,
            points: Points::ZERO,
        });
        line.units = line.units.saturating_add(units);
        line.counted_units = line.counted_units.saturating_add(counted);
        line.points = line.points.saturating_add(weight.times(counted));
    }
    let lines: Vec<ScoreLine> = lines.into_values().collect();
    let total = lines
        .iter()
        .fold(Points::ZERO, |a, l| a.saturating_add(l.points));
    ScoreBreakdown {
        rep_id,
        total,
        lines,
    }
}

/// Activity Score of every rep that appears in `rollups` (reps whose rows all fall outside
/// the period or have unknown types get 0). Reps without any row are absent: callers
/// ranking a roster add them with 0 (see [`super::ranking::leaderboard`]).
pub fn activity_scores(
    rollups: &[DailyRollup],
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    period: &Period,
) -> BTreeMap<i64, Points> {
    scores_where(rollups, types, weights, period, |_| true)
}

/// [`activity_scores`] restricted to the reps for which `include` is true (a team).
///
/// One pass over the rows. Uncapped types are linear in units, so their rows are scored as
/// they come; only rows of capped types are grouped by (rep, date, type) — by sorting, no
/// hashing — so that the cap applies to the day's total even when the day is split over
/// several rows.
pub(super) fn scores_where(
    rollups: &[DailyRollup],
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    period: &Period,
    include: impl Fn(i64) -> bool,
) -> BTreeMap<i64, Points> {
    // (type id, position) sorted by id, and each type's weight history, looked up by position
    let mut ids: Vec<(i64, usize)> = types.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    ids.sort_unstable();
    ids.dedup_by_key(|x| x.0);
    let histories: Vec<&[super::weights::WeightVersion]> =
        types.iter().map(|t| weights.history(t.id)).collect();
    let weight_on = |ti: usize, date: NaiveDate| -> Points {
        let h = histories[ti];
        match h.partition_point(|v| v.effective_from <= date) {
            0 => Points::ZERO,
            n => h[n - 1].weight,
        }
    };

    let mut out: BTreeMap<i64, Points> = BTreeMap::new();
    let mut capped: Vec<(i64, usize, NaiveDate, i64)> = Vec::new();
    // rows usually come grouped by rep: accumulate locally, flush on change
    let mut current: Option<(i64, Points)> = None;
    let flush = |out: &mut BTreeMap<i64, Points>, c: Option<(i64, Points)>| {
        if let Some((rep, pts)) = c {
            let e = out.entry(rep).or_insert(Points::ZERO);
            *e = e.saturating_add(pts);
        }
    };
    for r in rollups {
        if !include(r.rep_id) {
            continue;
        }
        if current.map(|c| c.0) != Some(r.rep_id) {
            flush(&mut out, current.take());
            current = Some((r.rep_id, Points::ZERO));
        }
        if !period.contains(r.date) {
            continue;
        }
        let Ok(pos) = ids.binary_search_by_key(&r.activity_type_id, |x| x.0) else {
            continue;
        };
        let ti = ids[pos].1;
        if types[ti].daily_cap.is_some() {
            capped.push((r.rep_id, ti, r.date, r.units.max(0)));
            continue;
        }
        if let Some(c) = current.as_mut() {
            c.1 =
                c.1.saturating_add(weight_on(ti, r.date).times(r.units.max(0)));
        }
    }
    flush(&mut out, current.take());

    capped.sort_unstable_by_key(|x| (x.0, x.1, x.2));
    let mut i = 0;
    while i < capped.len() {
        let (rep, ti, date, mut units) = capped[i];
        let mut j = i + 1;
        while j < capped.len() && (capped[j].0, capped[j].1, capped[j].2) == (rep, ti, date) {
            units = units.saturating_add(capped[j].3);
            j += 1;
        }
        let pts = weight_on(ti, date).times(types[ti].counted_units(units));
        let e = out.entry(rep).or_insert(Points::ZERO);
        *e = e.saturating_add(pts);
        i = j;
    }
    out
}

/// The average week of a window: `total × 7 / window_days`, rounded half away from zero
/// (the weekly report compares this week with the average week of the last 30 days).
/// 0 for an empty window.
pub fn average_week(total: Points, window_days: i64) -> Points {
    if window_days <= 0 {
        return Points::ZERO;
    }
    Points(div_round(total.0 as i128 * 7, window_days as i128))
}

/// Activity Index in tenths (0..=100 means 0.0..=10.0): `10 × score / highest`, rounded
/// half away from zero; 0 when `highest` is not positive. Clamped to 0..=100.
pub fn activity_index(score: Points, highest: Points) -> i32 {
    if highest.0 <= 0 {
        return 0;
    }
    div_round(score.0 as i128 * 100, highest.0 as i128).clamp(0, 100) as i32
}

/// `"7.5"` for an Activity Index of 75 tenths.
pub fn display_activity_index(tenths: i32) -> String {
    format!("{}.{}", tenths / 10, (tenths % 10).abs())
}

/// Activity Index of every rep of a population: the highest score in `scores` is 10.0.
pub fn activity_indexes(scores: &BTreeMap<i64, Points>) -> BTreeMap<i64, i32> {
    let highest = scores.values().copied().max().unwrap_or(Points::ZERO);
    scores
        .iter()
        .map(|(id, s)| (*id, activity_index(*s, highest)))
        .collect()
}
