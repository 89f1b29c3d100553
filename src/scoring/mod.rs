//! The pure scoring engine of Pacesetter: every scoring rule (listed in docs/rules.md), exact and explainable.
//!
//! Pure Rust (serde + chrono, no IO, no clock): the same code runs on the server and in the
//! browser. Callers pass `today`; nothing here reads the time.
//!
//! # Conventions
//!
//! * **Dates are org-local.** Every `NaiveDate` given to this module (rollup dates, deal
//!   dates, `today`) is a date in the organisation's time zone. The server converts
//!   `occurred_at` timestamps with the configured zone *before* calling in; an activity at
//!   23:30 local time belongs to that local day even when it is already tomorrow in UTC.
//! * **Fixed point, no floats.** [`Points`] are hundredths of a point, [`Money`] is the
//!   currency's minor unit, [`Percent`] is basis points (`10_000` = 100 %), the Activity
//!   Index is tenths (`0..=100` = 0.0–10.0). Intermediate products use `i128`.
//! * **One rounding rule: half away from zero** ([`div_round`]), applied once, at the end of
//!   each derived figure (a ratio, an expected-to-date, a prorated target). Sums of points
//!   and money are exact and never rounded.
//! * **Exact distributions.** Splitting a total (annual target × seasonality, a month target
//!   over working days) uses cumulative rounding / largest remainder, so the parts always
//!   sum back to the total.
//! * **"n/a" is `None`.** A ratio with a zero denominator (target 0, no expectation because
//!   the rep is absent all period, no closed deals for a win rate) is `None`, shown "n/a",
//!   never 0 %.
//!
//! # Choices where DESIGN.md is silent
//!
//! * Daily cap: applied to the day's total per (rep, local date, type); units over it stay
//!   in [`ScoreLine::units`] (flagged as [`ScoreLine::capped_units`]) and score 0. Activity
//!   counts and activity rates use counted units, so they match what scores.
//! * Minimum duration: with a minimum set, an activity without a recorded duration does not
//!   qualify ([`ActivityTypeRule::qualifies`]).
//! * Before a type's first weight version no weight is in force: those units score 0 and
//!   the explanation line says so.
//! * Fiscal years are named by the calendar year in which they end (April start: FY2027 =
//!   2026-04-01..=2027-03-31).
//! * Targets of partial months (day, week, rolling windows) are prorated by working days;
//!   ratios and averages (win rate, deal size, cycle length) are not prorated: their target
//!   applies as is, and pace equals attainment. Lower-is-better metrics (cycle length, lost
//!   business) invert the ratio so that beating the target reads above 100 %.
//! * Composite score: lines with pace "n/a" drop out of both sums; a negative pace counts 0.
//! * Rankings break ties by id ascending for a stable order; tied entries share the rank.
//!
//! * Public types use `i64`/`i32` (never `usize`) and derive serde, so they cross to the
//!   browser unchanged.
//! * Inputs are never trusted to be consistent: unknown activity types, unknown reps,
//!   negative units are ignored or treated as 0; nothing here panics on data.

pub mod activity;
pub mod bands;
pub mod explain;
pub mod metrics;
pub mod months;
pub mod pacing;
pub mod period;
pub mod points;
pub mod preview;
pub mod ranking;
pub mod scorecard;
pub mod targets;
pub mod weights;
pub mod workdays;

#[cfg(test)]
mod tests;

pub use self::activity::*;
pub use self::bands::*;
pub use self::explain::*;
pub use self::metrics::*;
pub use self::months::*;
pub use self::pacing::*;
pub use self::period::*;
pub use self::points::*;
pub use self::preview::*;
pub use self::ranking::*;
pub use self::scorecard::*;
pub use self::targets::*;
pub use self::weights::*;
pub use self::workdays::*;
