//! Performance bands: outstanding / on track / at risk / needs intervention.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::points::Percent;

/// A performance band, best first. Serialized as `"outstanding"`, `"on_track"`,
/// `"at_risk"`, `"needs_intervention"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Outstanding,
    OnTrack,
    AtRisk,
    NeedsIntervention,
}

impl Band {
    pub const ALL: [Band; 4] = [
        Band::Outstanding,
        Band::OnTrack,
        Band::AtRisk,
        Band::NeedsIntervention,
    ];

    /// "Outstanding", "On track", "At risk", "Needs intervention".
    pub fn label(self) -> &'static str {
        match self {
            Band::Outstanding => "Outstanding",
            Band::OnTrack => "On track",
            Band::AtRisk => "At risk",
            Band::NeedsIntervention => "Needs intervention",
        }
    }

    /// Stable slug for CSS classes and JSON: `"on_track"`.
    pub fn key(self) -> &'static str {
        match self {
            Band::Outstanding => "outstanding",
            Band::OnTrack => "on_track",
            Band::AtRisk => "at_risk",
            Band::NeedsIntervention => "needs_intervention",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Lower bounds of the bands, inclusive, in basis points. Defaults 120 % / 100 % / 80 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandThresholds {
    pub outstanding: Percent,
    pub on_track: Percent,
    pub at_risk: Percent,
}

impl Default for BandThresholds {
    fn default() -> Self {
        BandThresholds {
            outstanding: Percent(12_000),
            on_track: Percent(10_000),
            at_risk: Percent(8_000),
        }
    }
}

/// Why band thresholds were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandThresholdsError {
    /// They must satisfy `outstanding > on_track > at_risk >= 0`.
    NotDescending,
}

impl fmt::Display for BandThresholdsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("thresholds must decrease: outstanding > on track > at risk ≥ 0")
    }
}

impl std::error::Error for BandThresholdsError {}

impl BandThresholds {
    /// Parse, don't validate: only strictly descending, non-negative thresholds.
    pub fn new(
        outstanding: Percent,
        on_track: Percent,
        at_risk: Percent,
    ) -> Result<Self, BandThresholdsError> {
        if outstanding > on_track && on_track > at_risk && at_risk.0 >= 0 {
            Ok(BandThresholds {
                outstanding,
                on_track,
                at_risk,
            })
        } else {
            Err(BandThresholdsError::NotDescending)
        }
    }

    /// The band of a percentage (pace or attainment).
    pub fn band(&self, value: Percent) -> Band {
        if value >= self.outstanding {
            Band::Outstanding
        } else if value >= self.on_track {
            Band::OnTrack
        } else if value >= self.at_risk {
            Band::AtRisk
        } else {
            Band::NeedsIntervention
        }
    }
}

/// Open periods are banded on pace, closed periods on attainment; `None` ("n/a") when the
/// relevant percentage is undefined.
pub fn band_for(
    period: &Period,
    today: NaiveDate,
    attainment: Option<Percent>,
    pace: Option<Percent>,
    thresholds: &BandThresholds,
) -> Option<Band> {
    let basis = if period.is_closed(today) {
        attainment
    } else {
        pace
    };
    basis.map(|p| thresholds.band(p))
}

#[cfg(test)]
mod tests {
    use super::super::period::PeriodKind;
    use super::*;

    #[test]
    fn default_band_edges() {
        let t = BandThresholds::default();
        assert_eq!(t.band(Percent(12_000)), Band::Outstanding);
        assert_eq!(t.band(Percent(11_999)), Band::OnTrack);
        assert_eq!(t.band(Percent(10_000)), Band::OnTrack);
        assert_eq!(t.band(Percent(9_999)), Band::AtRisk);
        assert_eq!(t.band(Percent(8_000)), Band::AtRisk);
        assert_eq!(t.band(Percent(7_999)), Band::NeedsIntervention);
        assert_eq!(t.band(Percent(-5)), Band::NeedsIntervention);
        assert_eq!(t.band(Percent(50_000)), Band::Outstanding);
    }

    #[test]
    fn configurable_thresholds() {
        let t = BandThresholds::new(Percent(11_000), Percent(9_500), Percent(7_000)).unwrap();
        assert_eq!(t.band(Percent(9_600)), Band::OnTrack);
        assert_eq!(t.band(Percent(6_999)), Band::NeedsIntervention);
        assert!(BandThresholds::new(Percent(10_000), Percent(10_000), Percent(8_000)).is_err());
        assert!(BandThresholds::new(Percent(10_000), Percent(9_000), Percent(-1)).is_err());
        assert_eq!(
            serde_json::to_string(&Band::OnTrack).unwrap(),
            "\"on_track\""
        );
    }

    #[test]
    fn open_on_pace_closed_on_attainment() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let nov = Period::containing(PeriodKind::Month, d(2026, 11, 1), 1);
        let t = BandThresholds::default();
        let att = Some(Percent(5_000)); // half the month's target so far
        let pace = Some(Percent(12_500)); // but ahead of where they should be
        assert_eq!(
            band_for(&nov, d(2026, 11, 10), att, pace, &t),
            Some(Band::Outstanding)
        );
        assert_eq!(
            band_for(&nov, d(2026, 12, 1), att, pace, &t),
            Some(Band::NeedsIntervention)
        );
        assert_eq!(band_for(&nov, d(2026, 11, 10), att, None, &t), None);
    }
}
