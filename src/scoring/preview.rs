//! The impact preview of a weight change: the period's leaderboard before and after, from
//! the rollups loaded once. Pure, so the manager's desk computes it in the browser as the
//! admin types, and the server's leaderboard after the save is the same computation.

use serde::{Deserialize, Serialize};

use super::activity::{activity_scores, ActivityTypeRule, DailyRollup};
use super::period::Period;
use super::points::Points;
use super::ranking::{leaderboard, LeaderboardEntry};
use super::weights::{WeightTable, WeightVersion};

/// Everything the preview needs, loaded once when the desk opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactInputs {
    pub period: Period,
    /// Every scored rep (those without activity rank with 0).
    pub roster: Vec<i64>,
    /// Every type, retired ones too (their history still scores).
    pub types: Vec<ActivityTypeRule>,
    pub weights: WeightTable,
    /// The period's daily rollups.
    pub rollups: Vec<DailyRollup>,
}

/// One rep before and after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactRow {
    pub rep_id: i64,
    pub before: LeaderboardEntry,
    pub after: LeaderboardEntry,
}

impl ImpactRow {
    /// Places gained (positive) or lost (negative).
    pub fn places_up(&self) -> i32 {
        self.before.rank - self.after.rank
    }

    pub fn points_change(&self) -> Points {
        Points(self.after.score.0 - self.before.score.0)
    }
}

/// The id a previewed version takes: above every stored one, so that on its effective day
/// it wins as the saved version will (a save on the same day replaces that day's version).
pub const PREVIEW_VERSION_ID: i64 = i64::MAX;

impl ImpactInputs {
    /// The board of the period with today's weights. The desk computes it once when it
    /// loads; each keystroke then computes only the board after the change.
    pub fn baseline(&self) -> Vec<LeaderboardEntry> {
        self.board(&self.weights)
    }

    fn board(&self, weights: &WeightTable) -> Vec<LeaderboardEntry> {
        let scores = activity_scores(&self.rollups, &self.types, weights, &self.period);
        leaderboard(&self.roster, &scores)
    }
}

/// The leaderboard of `inputs.period` with today's weights and with `change` added, one
/// row per rep, ordered as the board will be after the change.
pub fn weight_impact(
    inputs: &ImpactInputs,
    activity_type_id: i64,
    weight: Points,
    effective_from: chrono::NaiveDate,
) -> Vec<ImpactRow> {
    weight_impact_on(
        inputs,
        &inputs.baseline(),
        activity_type_id,
        weight,
        effective_from,
    )
}

/// [`weight_impact`] against a baseline already computed by [`ImpactInputs::baseline`].
pub fn weight_impact_on(
    inputs: &ImpactInputs,
    before: &[LeaderboardEntry],
    activity_type_id: i64,
    weight: Points,
    effective_from: chrono::NaiveDate,
) -> Vec<ImpactRow> {
    let after = inputs.board(&inputs.weights.with_version(WeightVersion {
        id: PREVIEW_VERSION_ID,
        activity_type_id,
        effective_from,
        weight,
    }));
    let before: std::collections::HashMap<i64, &LeaderboardEntry> =
        before.iter().map(|b| (b.rep_id, b)).collect();
    after
        .into_iter()
        .filter_map(|a| {
            let b = before.get(&a.rep_id)?;
            Some(ImpactRow {
                rep_id: a.rep_id,
                before: **b,
                after: a,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{PeriodKind, WeightVersion};
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn a_heavier_call_moves_the_caller_up_from_its_date_only() {
        let types = vec![
            ActivityTypeRule {
                id: 1,
                key: "call".into(),
                label: "Call".into(),
                icon: String::new(),
                leading: true,
                daily_cap: None,
                min_duration_seconds: None,
            },
            ActivityTypeRule {
                id: 2,
                key: "visit".into(),
                label: "Visit".into(),
                icon: String::new(),
                leading: true,
                daily_cap: None,
                min_duration_seconds: None,
            },
        ];
        let weights = WeightTable::new(vec![
            WeightVersion {
                id: 1,
                activity_type_id: 1,
                effective_from: day(1),
                weight: Points::from_whole(3),
            },
            WeightVersion {
                id: 2,
                activity_type_id: 2,
                effective_from: day(1),
                weight: Points::from_whole(10),
            },
        ]);
        let roll = |rep, d, t, units| DailyRollup {
            rep_id: rep,
            date: day(d),
            activity_type_id: t,
            units,
            duration_seconds: 0,
        };
        let inputs = ImpactInputs {
            period: Period::containing(PeriodKind::Month, day(20), 1),
            roster: vec![10, 20, 30],
            types,
            weights,
            // Rep 10: 4 calls on the 2nd and 4 on the 20th; rep 20: 3 visits.
            rollups: vec![roll(10, 2, 1, 4), roll(10, 20, 1, 4), roll(20, 3, 2, 3)],
        };
        let rows = weight_impact(&inputs, 1, Points::from_whole(5), day(15));
        let ten = rows.iter().find(|r| r.rep_id == 10).unwrap();
        assert_eq!(ten.before.score, Points::from_whole(24));
        // 4 × 3 before the 15th, 4 × 5 from it.
        assert_eq!(ten.after.score, Points::from_whole(32));
        assert_eq!(
            (ten.before.rank, ten.after.rank, ten.places_up()),
            (2, 1, 1)
        );
        let twenty = rows.iter().find(|r| r.rep_id == 20).unwrap();
        assert_eq!(twenty.places_up(), -1);
        assert_eq!(rows[0].rep_id, 10, "ordered as the board after the change");
        let thirty = rows.iter().find(|r| r.rep_id == 30).unwrap();
        assert_eq!((thirty.after.score, thirty.after.rank), (Points::ZERO, 3));
    }
}
