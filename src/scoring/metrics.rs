//! The metrics catalogue: activity and deal metrics per rep, team or organisation, per period.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::activity::{scores_where, ActivityTypeRule, DailyRollup};
use super::period::{Period, YearMonth};
use super::points::{div_round, saturate, Money, Percent, Points};
use super::weights::WeightTable;

// ---------------------------------------------------------------------------------------
// Metric identity
// ---------------------------------------------------------------------------------------

/// A metric of the catalogue, as used by targets, scorecards and rankings.
///
/// Serialized as `{"kind":"activity_count","activity_type_id":1}`; stored as the compact
/// key of [`Metric::key`] (`"activity_count:1"`), which `FromStr` reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Metric {
    /// Activity Score (points).
    ActivityScore,
    /// Counted units of one activity type (within the daily cap). Its attainment against a
    /// target is the *activity rate*.
    ActivityCount { activity_type_id: i64 },
    /// Sum of the durations of one activity type (calls), seconds.
    CallTime { activity_type_id: i64 },
    /// Revenue of deals won, by close date (money). Its attainment is *turnover vs objective*.
    TurnoverWon,
    /// Number of deals won, by close date.
    DealsWon,
    /// won / (won + lost), by count, by close date (basis points).
    WinRate,
    /// Number of deals lost, by close date.
    DealsLost,
    /// Amount of deals lost, by close date (money).
    LostAmount,
    /// Won deals with a new customer / won deals (basis points).
    NewCustomerRate,
    /// Turnover won / deals won (money).
    AverageDealSize,
    /// Average days from created to won, for deals won in the period (tenths of a day).
    /// Lower is better.
    SalesCycleLength,
    /// Σ amount × probability of open deals expected to close in the period (money).
    WeightedPipeline,
    /// open deals × average deal size × win rate / average cycle length (money per day).
    SalesVelocity,
}

/// The fixed-point unit a metric's `i64` value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricUnit {
    /// Hundredths of a point.
    Points,
    /// Currency minor units.
    Money,
    /// A plain count.
    Count,
    /// Seconds.
    Seconds,
    /// Basis points (10 000 = 100 %).
    BasisPoints,
    /// Tenths of a day.
    DayTenths,
}

impl MetricUnit {
    /// Human text for a value: `"1234.50"` points, `"1,234.50"` money, `"42"`, `"3h 05m"`,
    /// `"45%"`, `"12.5 days"`.
    pub fn format(self, value: i64) -> String {
        match self {
            MetricUnit::Points => Points(value).display(),
            MetricUnit::Money => Money(value).display_grouped(),
            MetricUnit::Count => value.to_string(),
            MetricUnit::Seconds => {
                let sign = if value < 0 { "-" } else { "" };
                let v = value.unsigned_abs();
                format!("{}{}h {:02}m", sign, v / 3600, (v % 3600) / 60)
            }
            MetricUnit::BasisPoints => Percent(value).display(),
            MetricUnit::DayTenths => {
                let sign = if value < 0 { "-" } else { "" };
                let v = value.unsigned_abs();
                format!("{}{}.{} days", sign, v / 10, v % 10)
            }
        }
    }
}

impl Metric {
    /// Every metric that does not name an activity type, plus one count and one call-time
    /// entry per given type: what a scorecard editor offers.
    pub fn catalogue(types: &[ActivityTypeRule]) -> Vec<Metric> {
        let mut v = vec![Metric::ActivityScore];
        for t in types {
            v.push(Metric::ActivityCount {
                activity_type_id: t.id,
            });
        }
        for t in types {
            v.push(Metric::CallTime {
                activity_type_id: t.id,
            });
        }
        v.extend([
            Metric::TurnoverWon,
            Metric::DealsWon,
            Metric::WinRate,
            Metric::DealsLost,
            Metric::LostAmount,
            Metric::NewCustomerRate,
            Metric::AverageDealSize,
            Metric::SalesCycleLength,
            Metric::WeightedPipeline,
            Metric::SalesVelocity,
        ]);
        v
    }

    pub fn unit(self) -> MetricUnit {
        match self {
            Metric::ActivityScore => MetricUnit::Points,
            Metric::ActivityCount { .. } | Metric::DealsWon | Metric::DealsLost => {
                MetricUnit::Count
            }
            Metric::CallTime { .. } => MetricUnit::Seconds,
            Metric::TurnoverWon
            | Metric::LostAmount
            | Metric::AverageDealSize
            | Metric::WeightedPipeline
            | Metric::SalesVelocity => MetricUnit::Money,
            Metric::WinRate | Metric::NewCustomerRate => MetricUnit::BasisPoints,
            Metric::SalesCycleLength => MetricUnit::DayTenths,
        }
    }

    /// Whether the value of a period is the sum of its days (so targets add up over months
    /// and expected-to-date grows with working days). Ratios, averages and the pipeline
    /// snapshot are not: their target applies as is, at any point of the period.
    pub fn is_cumulative(self) -> bool {
        matches!(
            self,
            Metric::ActivityScore
                | Metric::ActivityCount { .. }
                | Metric::CallTime { .. }
                | Metric::TurnoverWon
                | Metric::DealsWon
                | Metric::DealsLost
                | Metric::LostAmount
        )
    }

    /// Higher values are better for every metric except cycle length and lost business.
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Metric::SalesCycleLength | Metric::DealsLost | Metric::LostAmount
        )
    }

    /// Activity metrics are leading by nature, deal outcomes lagging; a default for editors.
    pub fn default_leading(self) -> bool {
        matches!(
            self,
            Metric::ActivityScore
                | Metric::ActivityCount { .. }
                | Metric::CallTime { .. }
                | Metric::WeightedPipeline
        )
    }

    /// Compact storage key: `"activity_score"`, `"activity_count:3"`, `"call_time:1"`, …
    pub fn key(self) -> String {
        match self {
            Metric::ActivityCount { activity_type_id } => {
                format!("activity_count:{}", activity_type_id)
            }
            Metric::CallTime { activity_type_id } => format!("call_time:{}", activity_type_id),
            other => other.base_key().to_string(),
        }
    }

    fn base_key(self) -> &'static str {
        match self {
            Metric::ActivityScore => "activity_score",
            Metric::ActivityCount { .. } => "activity_count",
            Metric::CallTime { .. } => "call_time",
            Metric::TurnoverWon => "turnover_won",
            Metric::DealsWon => "deals_won",
            Metric::WinRate => "win_rate",
            Metric::DealsLost => "deals_lost",
            Metric::LostAmount => "lost_amount",
            Metric::NewCustomerRate => "new_customer_rate",
            Metric::AverageDealSize => "average_deal_size",
            Metric::SalesCycleLength => "sales_cycle_length",
            Metric::WeightedPipeline => "weighted_pipeline",
            Metric::SalesVelocity => "sales_velocity",
        }
    }

    /// The name a manager reads: "Activity score", "Calls", "Call time (Call)", "Win rate"…
    /// Type-specific metrics use the type's label (or `#id` when the type is unknown).
    pub fn label(self, types: &[ActivityTypeRule]) -> String {
        let type_label = |id: i64| {
            types
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.label.clone())
                .unwrap_or_else(|| format!("#{}", id))
        };
        match self {
            Metric::ActivityScore => "Activity score".into(),
            Metric::ActivityCount { activity_type_id } => {
                format!("{} count", type_label(activity_type_id))
            }
            Metric::CallTime { activity_type_id } => {
                format!("{} time", type_label(activity_type_id))
            }
            Metric::TurnoverWon => "Turnover won".into(),
            Metric::DealsWon => "Deals won".into(),
            Metric::WinRate => "Win rate".into(),
            Metric::DealsLost => "Deals lost".into(),
            Metric::LostAmount => "Lost business".into(),
            Metric::NewCustomerRate => "New-customer rate".into(),
            Metric::AverageDealSize => "Average deal size".into(),
            Metric::SalesCycleLength => "Sales cycle length".into(),
            Metric::WeightedPipeline => "Weighted pipeline".into(),
            Metric::SalesVelocity => "Sales velocity (per day)".into(),
        }
    }

    /// `self.unit().format(value)`.
    pub fn format_value(self, value: i64) -> String {
        self.unit().format(value)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// An unreadable metric key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseMetricError(pub String);

impl fmt::Display for ParseMetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown metric {:?}", self.0)
    }
}

impl std::error::Error for ParseMetricError {}

impl FromStr for Metric {
    type Err = ParseMetricError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseMetricError(s.to_string());
        let s = s.trim();
        if let Some((base, id)) = s.split_once(':') {
            let activity_type_id: i64 = id.trim().parse().map_err(|_| err())?;
            return match base {
                "activity_count" => Ok(Metric::ActivityCount { activity_type_id }),
                "call_time" => Ok(Metric::CallTime { activity_type_id }),
                _ => Err(err()),
            };
        }
        [
            Metric::ActivityScore,
            Metric::TurnoverWon,
            Metric::DealsWon,
            Metric::WinRate,
            Metric::DealsLost,
            Metric::LostAmount,
            Metric::NewCustomerRate,
            Metric::AverageDealSize,
            Metric::SalesCycleLength,
            Metric::WeightedPipeline,
            Metric::SalesVelocity,
        ]
        .into_iter()
        .find(|m| m.base_key() == s)
        .ok_or_else(err)
    }
}

// ---------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------

/// Where a deal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

/// A deal as the metrics need it. Dates are org-local.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deal {
    pub id: i64,
    pub rep_id: i64,
    pub amount: Money,
    pub status: DealStatus,
    pub stage: String,
    /// Whole percent 0..=100 (values outside are clamped).
    pub probability: i64,
    pub created_on: NaiveDate,
    /// When it was won or lost; `None` while open.
    pub closed_on: Option<NaiveDate>,
    pub expected_close: Option<NaiveDate>,
    pub lost_reason: Option<String>,
    pub new_customer: bool,
}

impl Deal {
    fn closed_in(&self, status: DealStatus, period: &Period) -> bool {
        self.status == status && self.closed_on.is_some_and(|d| period.contains(d))
    }
}

/// Whose numbers: one rep, a team (its reps), or the whole organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// Serialized as `{"kind":"organisation"}`, `{"kind":"team","value":[3,7]}`,
/// `{"kind":"rep","value":7}`.
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Population {
    Organisation,
    Team(BTreeSet<i64>),
    Rep(i64),
}

impl Population {
    pub fn includes(&self, rep_id: i64) -> bool {
        match self {
            Population::Organisation => true,
            Population::Team(reps) => reps.contains(&rep_id),
            Population::Rep(id) => *id == rep_id,
        }
    }
}

/// Everything the catalogue reads, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct MetricInputs<'a> {
    pub rollups: &'a [DailyRollup],
    pub types: &'a [ActivityTypeRule],
    pub weights: &'a WeightTable,
    pub deals: &'a [Deal],
}

// ---------------------------------------------------------------------------------------
// Activity metrics
// ---------------------------------------------------------------------------------------

/// Activity Score of a population: the sum of its reps' scores (each capped per rep/day).
pub fn population_activity_score(
    inputs: &MetricInputs<'_>,
    population: &Population,
    period: &Period,
) -> Points {
    activity_scores_in(inputs, population, period)
        .into_values()
        .fold(Points::ZERO, Points::saturating_add)
}

/// Activity Score of every rep of a population that appears in the rollups (see
/// [`super::activity::activity_scores`]); a team leaderboard's input.
pub fn activity_scores_in(
    inputs: &MetricInputs<'_>,
    population: &Population,
    period: &Period,
) -> BTreeMap<i64, Points> {
    scores_where(
        inputs.rollups,
        inputs.types,
        inputs.weights,
        period,
        |rep| population.includes(rep),
    )
}

/// Counted units (within the daily cap) of one activity type. Raw units over the cap are
/// not counted, so the count matches what scores.
pub fn activity_count(
    rollups: &[DailyRollup],
    types: &[ActivityTypeRule],
    activity_type_id: i64,
    population: &Population,
    period: &Period,
) -> i64 {
    let Some(rule) = types.iter().find(|t| t.id == activity_type_id) else {
        return 0;
    };
    let mut per_day: BTreeMap<(i64, NaiveDate), i64> = BTreeMap::new();
    for r in rollups {
        if r.activity_type_id == activity_type_id
            && population.includes(r.rep_id)
            && period.contains(r.date)
        {
            let e = per_day.entry((r.rep_id, r.date)).or_insert(0);
            *e = e.saturating_add(r.units.max(0));
        }
    }
    per_day
        .values()
        .map(|u| rule.counted_units(*u))
        .fold(0i64, |a, b| a.saturating_add(b))
}

/// Counted units per activity type (all known types, 0 included), in `types` order.
pub fn counts_per_type(
    rollups: &[DailyRollup],
    types: &[ActivityTypeRule],
    population: &Population,
    period: &Period,
) -> Vec<(i64, i64)> {
    types
        .iter()
        .map(|t| {
            (
                t.id,
                activity_count(rollups, types, t.id, population, period),
            )
        })
        .collect()
}

/// Sum of the logged durations of one type (call time), seconds.
pub fn call_time_seconds(
    rollups: &[DailyRollup],
    activity_type_id: i64,
    population: &Population,
    period: &Period,
) -> i64 {
    rollups
        .iter()
        .filter(|r| {
            r.activity_type_id == activity_type_id
                && population.includes(r.rep_id)
                && period.contains(r.date)
        })
        .fold(0i64, |a, r| a.saturating_add(r.duration_seconds.max(0)))
}

/// Activity rate = count / activity target; `None` when the target is 0.
pub fn activity_rate(count: i64, target: i64) -> Option<Percent> {
    Percent::ratio(count, target)
}

/// Activity against one account, as logged (org-local date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountActivity {
    pub account_id: i64,
    pub rep_id: i64,
    pub date: NaiveDate,
    pub activity_type_id: i64,
    pub units: i64,
}

/// How much attention one account got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCoverage {
    pub account_id: i64,
    /// Units × weight in force. Daily caps are per rep and day, not per account, so they are
    /// not applied here: this shows attention, not a rep's score.
    pub points: Points,
    pub units: i64,
    pub last_activity: Option<NaiveDate>,
}

/// Account coverage: points per account in the period, every account of `accounts`
/// included (neglected ones with 0 and no last activity), sorted by points descending
/// then account id. Activities of unknown types or on accounts outside `accounts` are
/// ignored.
pub fn account_coverage(
    activities: &[AccountActivity],
    accounts: &[i64],
    types: &[ActivityTypeRule],
    weights: &WeightTable,
    population: &Population,
    period: &Period,
) -> Vec<AccountCoverage> {
    let mut tally = CoverageTally::new(types, weights, period);
    for a in activities.iter().filter(|a| population.includes(a.rep_id)) {
        // (one population: its reps' activity on an account counted together)
        tally.add(&AccountActivity {
            rep_id: 0,
            ..a.clone()
        });
    }
    let mut ids: Vec<i64> = accounts.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut v: Vec<AccountCoverage> = ids
        .into_iter()
        .map(|id| AccountCoverage {
            account_id: id,
            points: Points::ZERO,
            units: 0,
            last_activity: None,
        })
        .collect();
    for (_, c) in tally.lines() {
        if let Ok(i) = v.binary_search_by_key(&c.account_id, |x| x.account_id) {
            v[i] = c;
        }
    }
    by_attention(&mut v);
    v
}

/// The order of coverage: most points first, then by account id.
pub fn by_attention(coverage: &mut [AccountCoverage]) {
    coverage.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(a.account_id.cmp(&b.account_id))
    });
}

/// The rule of [`account_coverage`] applied entry by entry, per rep and account: what a
/// read too large to hold as entries first feeds as it goes (a large organisation's year of
/// account totals). Entries of unknown types or outside the period add nothing; each
/// counts its units (never below 0) times the weight in force on its date, and its date as
/// the last activity when it has units.
pub struct CoverageTally<'a> {
    known: Vec<i64>,
    weights: &'a WeightTable,
    period: Period,
    /// Each rep's slot in `reps`.
    slot_of: rustc_hash::FxHashMap<i64, usize>,
    /// Per rep, the coverage of each account they worked, by account id. (Kept per rep, a
    /// few kilobytes each, rather than in one map of every (rep, account): entries come rep
    /// by rep as they are read, and a map of a large organisation's year missed the
    /// processor's caches on nearly every entry.)
    reps: Vec<(i64, Vec<AccountCoverage>)>,
    /// The last entry's rep and slot.
    last: Option<(i64, usize)>,
}

impl<'a> CoverageTally<'a> {
    pub fn new(
        types: &[ActivityTypeRule],
        weights: &'a WeightTable,
        period: &Period,
    ) -> CoverageTally<'a> {
        let mut known: Vec<i64> = types.iter().map(|t| t.id).collect();
        known.sort_unstable();
        CoverageTally {
            known,
            weights,
            period: *period,
            slot_of: Default::default(),
            reps: Vec::new(),
            last: None,
        }
    }

    pub fn add(&mut self, a: &AccountActivity) {
        if self.known.binary_search(&a.activity_type_id).is_err() || !self.period.contains(a.date) {
            return;
        }
        let slot = match self.last {
            Some((rep, slot)) if rep == a.rep_id => slot,
            _ => {
                let next = self.reps.len();
                let slot = *self.slot_of.entry(a.rep_id).or_insert(next);
                if slot == next {
                    self.reps.push((a.rep_id, Vec::new()));
                }
                self.last = Some((a.rep_id, slot));
                slot
            }
        };
        let accounts = &mut self.reps[slot].1;
        let i = match accounts.binary_search_by_key(&a.account_id, |c| c.account_id) {
            Ok(i) => i,
            Err(i) => {
                accounts.insert(
                    i,
                    AccountCoverage {
                        account_id: a.account_id,
                        points: Points::ZERO,
                        units: 0,
                        last_activity: None,
                    },
                );
                i
            }
        };
        let c = &mut accounts[i];
        let units = a.units.max(0);
        c.units = c.units.saturating_add(units);
        c.points = c.points.saturating_add(
            self.weights
                .weight_value_on(a.activity_type_id, a.date)
                .times(units),
        );
        if units > 0 {
            c.last_activity = c.last_activity.max(Some(a.date));
        }
    }

    /// Each (rep, coverage of one account) that had an entry: rep by rep in order of their
    /// first entry, each rep's by account id.
    pub fn lines(self) -> Vec<(i64, AccountCoverage)> {
        self.reps
            .into_iter()
            .flat_map(|(rep, accounts)| accounts.into_iter().map(move |c| (rep, c)))
            .collect()
    }
}

/// The coverage of a population from that of its parts (reps, each counted once): per
/// account the points and units summed and the latest last activity, in the order of
/// [`account_coverage`] (most points first).
pub fn merge_coverage(parts: &[AccountCoverage]) -> Vec<AccountCoverage> {
    let mut map: BTreeMap<i64, AccountCoverage> = BTreeMap::new();
    for p in parts {
        let c = map.entry(p.account_id).or_insert(AccountCoverage {
            account_id: p.account_id,
            points: Points::ZERO,
            units: 0,
            last_activity: None,
        });
        c.points = c.points.saturating_add(p.points);
        c.units = c.units.saturating_add(p.units);
        c.last_activity = c.last_activity.max(p.last_activity);
    }
    let mut v: Vec<AccountCoverage> = map.into_values().collect();
    by_attention(&mut v);
    v
}

/// Share of `accounts` with at least one activity in the coverage; `None` without accounts.
pub fn accounts_covered_rate(coverage: &[AccountCoverage]) -> Option<Percent> {
    let covered = coverage.iter().filter(|c| c.units > 0).count() as i64;
    Percent::ratio(covered, coverage.len() as i64)
}

// ---------------------------------------------------------------------------------------
// Deal metrics
// ---------------------------------------------------------------------------------------

fn deals_of<'a>(
    deals: &'a [Deal],
    population: &'a Population,
) -> impl Iterator<Item = &'a Deal> + 'a {
    deals.iter().filter(move |d| population.includes(d.rep_id))
}

/// Revenue of deals won with a close date in the period.
pub fn turnover_won(deals: &[Deal], population: &Population, period: &Period) -> Money {
    deals_of(deals, population)
        .filter(|d| d.closed_in(DealStatus::Won, period))
        .fold(Money::ZERO, |a, d| a.saturating_add(d.amount))
}

/// Turnover against objective (the turnover target); `None` when the objective is 0.
pub fn turnover_vs_objective(turnover: Money, objective: Money) -> Option<Percent> {
    Percent::ratio(turnover.0, objective.0)
}

/// Deals won with a close date in the period.
pub fn deals_won(deals: &[Deal], population: &Population, period: &Period) -> i64 {
    deals_of(deals, population)
        .filter(|d| d.closed_in(DealStatus::Won, period))
        .count() as i64
}

/// Deals lost with a close date in the period.
pub fn deals_lost(deals: &[Deal], population: &Population, period: &Period) -> i64 {
    deals_of(deals, population)
        .filter(|d| d.closed_in(DealStatus::Lost, period))
        .count() as i64
}

/// won / (won + lost) by count, by close date; `None` when nothing closed.
pub fn win_rate(deals: &[Deal], population: &Population, period: &Period) -> Option<Percent> {
    let won = deals_won(deals, population, period);
    let lost = deals_lost(deals, population, period);
    Percent::ratio(won, won + lost)
}

/// Lost business for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostReasonLine {
    /// The reason as entered, trimmed; `""` when none was given.
    pub reason: String,
    pub count: i64,
    pub amount: Money,
}

/// Lost business by reason (deals lost with a close date in the period), largest amount
/// first, then by count, then by reason.
pub fn lost_business_by_reason(
    deals: &[Deal],
    population: &Population,
    period: &Period,
) -> Vec<LostReasonLine> {
    let mut map: BTreeMap<String, (i64, Money)> = BTreeMap::new();
    for d in deals_of(deals, population).filter(|d| d.closed_in(DealStatus::Lost, period)) {
        let reason = d.lost_reason.as_deref().unwrap_or("").trim().to_string();
        let e = map.entry(reason).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 = e.1.saturating_add(d.amount);
    }
    let mut v: Vec<LostReasonLine> = map
        .into_iter()
        .map(|(reason, (count, amount))| LostReasonLine {
            reason,
            count,
            amount,
        })
        .collect();
    v.sort_by(|a, b| {
        b.amount
            .cmp(&a.amount)
            .then(b.count.cmp(&a.count))
            .then(a.reason.cmp(&b.reason))
    });
    v
}

/// Total amount lost in the period.
pub fn lost_amount(deals: &[Deal], population: &Population, period: &Period) -> Money {
    deals_of(deals, population)
        .filter(|d| d.closed_in(DealStatus::Lost, period))
        .fold(Money::ZERO, |a, d| a.saturating_add(d.amount))
}

/// The weighted pipeline of one expected-close month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineMonth {
    /// `None` groups open deals without an expected close date.
    pub month: Option<YearMonth>,
    pub deals: i64,
    pub amount: Money,
    /// Σ amount × probability / 100, rounded once per month (half away from zero).
    pub weighted: Money,
}

/// Weighted pipeline of the **open** deals by expected close month, months in order
/// (undated deals first). With `within`, only deals expected to close in that period
/// (undated deals are then left out).
pub fn weighted_pipeline_by_month(
    deals: &[Deal],
    population: &Population,
    within: Option<&Period>,
) -> Vec<PipelineMonth> {
    let mut map: BTreeMap<Option<YearMonth>, (i64, i128, i128)> = BTreeMap::new();
    for d in deals_of(deals, population).filter(|d| d.status == DealStatus::Open) {
        if let Some(p) = within {
            if !d.expected_close.is_some_and(|e| p.contains(e)) {
                continue;
            }
        }
        let e = map
            .entry(d.expected_close.map(YearMonth::of))
            .or_insert((0, 0, 0));
        e.0 += 1;
        e.1 += d.amount.0 as i128;
        e.2 += d.amount.0 as i128 * d.probability.clamp(0, 100) as i128;
    }
    map.into_iter()
        .map(|(month, (deals, amount, weighted))| PipelineMonth {
            month,
            deals,
            amount: Money(saturate(amount)),
            weighted: Money(div_round(weighted, 100)),
        })
        .collect()
}

/// Total weighted pipeline of open deals expected to close in `period` (one rounding).
pub fn weighted_pipeline(deals: &[Deal], population: &Population, period: &Period) -> Money {
    let w: i128 = deals_of(deals, population)
        .filter(|d| {
            d.status == DealStatus::Open && d.expected_close.is_some_and(|e| period.contains(e))
        })
        .map(|d| d.amount.0 as i128 * d.probability.clamp(0, 100) as i128)
        .sum();
    Money(div_round(w, 100))
}

/// Won deals with a new customer / won deals, by close date; `None` when none won.
pub fn new_customer_rate(
    deals: &[Deal],
    population: &Population,
    period: &Period,
) -> Option<Percent> {
    let won: Vec<&Deal> = deals_of(deals, population)
        .filter(|d| d.closed_in(DealStatus::Won, period))
        .collect();
    let new = won.iter().filter(|d| d.new_customer).count() as i64;
    Percent::ratio(new, won.len() as i64)
}

/// Turnover per seller = turnover won ÷ sellers (half away from zero); `None` without
/// sellers.
pub fn turnover_per_seller(turnover: Money, sellers: i64) -> Option<Money> {
    (sellers > 0).then(|| Money(div_round(turnover.0 as i128, sellers as i128)))
}

/// Turnover won / deals won, rounded; `None` when none won.
pub fn average_deal_size(
    deals: &[Deal],
    population: &Population,
    period: &Period,
) -> Option<Money> {
    let n = deals_won(deals, population, period);
    if n == 0 {
        return None;
    }
    Some(Money(div_round(
        turnover_won(deals, population, period).0 as i128,
        n as i128,
    )))
}

/// The raw sums behind cycle length, kept exact for velocity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleStats {
    pub won_deals: i64,
    /// Σ (closed_on − created_on) in days, negative spans counted as 0.
    pub total_days: i64,
}

impl CycleStats {
    /// Average cycle in tenths of a day; `None` when nothing was won.
    pub fn average_day_tenths(&self) -> Option<i64> {
        (self.won_deals > 0)
            .then(|| div_round(self.total_days as i128 * 10, self.won_deals as i128))
    }
}

/// Days from created to won for deals won in the period.
pub fn cycle_stats(deals: &[Deal], population: &Population, period: &Period) -> CycleStats {
    let mut s = CycleStats {
        won_deals: 0,
        total_days: 0,
    };
    for d in deals_of(deals, population).filter(|d| d.closed_in(DealStatus::Won, period)) {
        if let Some(c) = d.closed_on {
            s.won_deals += 1;
            s.total_days = s
                .total_days
                .saturating_add((c - d.created_on).num_days().max(0));
        }
    }
    s
}

/// Average sales cycle length in tenths of a day; `None` when nothing was won.
pub fn sales_cycle_length(deals: &[Deal], population: &Population, period: &Period) -> Option<i64> {
    cycle_stats(deals, population, period).average_day_tenths()
}

/// Sales velocity, money per day: open deals (now) × average deal size × win rate /
/// average cycle length, with the last three taken from deals closed in `period`.
/// Computed in one exact expression,
/// `open × turnover × won / ((won + lost) × Σ cycle days)`, rounded once.
/// `None` when nothing was won in the period or all won deals closed the day they were
/// created (cycle 0).
pub fn sales_velocity(deals: &[Deal], population: &Population, period: &Period) -> Option<Money> {
    let open = deals_of(deals, population)
        .filter(|d| d.status == DealStatus::Open)
        .count() as i128;
    let won = deals_won(deals, population, period) as i128;
    let lost = deals_lost(deals, population, period) as i128;
    let turnover = turnover_won(deals, population, period).0 as i128;
    let cycle = cycle_stats(deals, population, period).total_days as i128;
    if won == 0 || cycle == 0 {
        return None;
    }
    let num = open.checked_mul(turnover)?.checked_mul(won)?;
    let den = (won + lost).checked_mul(cycle)?;
    Some(Money(div_round(num, den)))
}

/// What remains to reach the objective: objective − turnover, never below 0.
pub fn turnover_gap(turnover: Money, objective: Money) -> Money {
    Money(objective.0.saturating_sub(turnover.0).max(0))
}

/// Lost business of a period against the previous one, for a manager's call-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostBusinessChange {
    pub count: i64,
    pub amount: Money,
    pub previous_count: i64,
    pub previous_amount: Money,
    /// More deals lost than in the previous period.
    pub rising: bool,
    /// The reason lost most often (ties: larger amount, then the reason's text); `None`
    /// when nothing was lost.
    pub dominant: Option<String>,
    pub previous_dominant: Option<String>,
    /// A dominant reason this period that was not the dominant one before.
    pub new_dominant: bool,
}

/// The reason of [`LostBusinessChange::dominant`].
pub fn dominant_lost_reason(lines: &[LostReasonLine]) -> Option<String> {
    lines
        .iter()
        .max_by(|a, b| {
            a.count
                .cmp(&b.count)
                .then(a.amount.cmp(&b.amount))
                .then(b.reason.cmp(&a.reason))
        })
        .map(|l| l.reason.clone())
}

/// Compares two periods' [`lost_business_by_reason`]: totals, whether the count rises, and
/// whether a new reason dominates.
pub fn lost_business_change(
    current: &[LostReasonLine],
    previous: &[LostReasonLine],
) -> LostBusinessChange {
    let total = |v: &[LostReasonLine]| {
        v.iter().fold((0i64, Money::ZERO), |(c, a), l| {
            (c.saturating_add(l.count), a.saturating_add(l.amount))
        })
    };
    let (count, amount) = total(current);
    let (previous_count, previous_amount) = total(previous);
    let dominant = dominant_lost_reason(current);
    let previous_dominant = dominant_lost_reason(previous);
    LostBusinessChange {
        count,
        amount,
        previous_count,
        previous_amount,
        rising: count > previous_count,
        new_dominant: dominant.is_some() && dominant != previous_dominant,
        dominant,
        previous_dominant,
    }
}

/// The median of some points (the mean of the two middle values for an even count,
/// rounded once); `None` without values.
pub fn median_points(values: &[Points]) -> Option<Points> {
    let raw: Vec<i64> = values.iter().map(|p| p.0).collect();
    super::ranking::median(&raw).map(Points)
}

/// Counted activities per deal won, in tenths; `None` when nothing was won.
pub fn activities_per_won_deal(activities: i64, deals_won: i64) -> Option<i64> {
    (deals_won > 0).then(|| div_round(activities as i128 * 10, deals_won as i128))
}

/// One rep's effort (activity score) and result (turnover vs objective).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffortResult {
    pub rep_id: i64,
    pub effort: Points,
    /// `None` when the rep has no objective.
    pub result: Option<Percent>,
}

/// "Effort is there, conversion is not": the reps whose effort is at or above the median
/// of `reps` while their result is below target (under 100 %). Reps without an objective
/// are never named. In the order given.
pub fn effort_without_conversion(reps: &[EffortResult]) -> Vec<i64> {
    let efforts: Vec<Points> = reps.iter().map(|r| r.effort).collect();
    let Some(median) = median_points(&efforts) else {
        return Vec::new();
    };
    reps.iter()
        .filter(|r| r.effort >= median && r.result.is_some_and(|p| p.0 < 10_000))
        .map(|r| r.rep_id)
        .collect()
}

/// An account with open deals, and when anyone last logged an activity on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAccount {
    pub account_id: i64,
    pub open_deals: i64,
    pub open_amount: Money,
    pub last_activity: Option<NaiveDate>,
}

/// The accounts of `accounts` that nobody touched in the `days` days ending `today`
/// (never touched, or last activity before that window), largest open amount first, then
/// by account id.
pub fn untouched_accounts(
    accounts: &[OpenAccount],
    today: NaiveDate,
    days: i64,
) -> Vec<OpenAccount> {
    let since = today - chrono::Duration::days(days.max(1) - 1);
    let mut v: Vec<OpenAccount> = accounts
        .iter()
        .filter(|a| a.open_deals > 0 && a.last_activity.is_none_or(|d| d < since))
        .cloned()
        .collect();
    v.sort_by(|a, b| {
        b.open_amount
            .cmp(&a.open_amount)
            .then(a.account_id.cmp(&b.account_id))
    });
    v
}

// ---------------------------------------------------------------------------------------
// Any metric
// ---------------------------------------------------------------------------------------

/// The value of any catalogue metric for a population and period, in the metric's unit;
/// `None` where it is undefined ("n/a": no deals closed for a rate, nothing won for an
/// average).
pub fn metric_value(
    metric: Metric,
    inputs: &MetricInputs<'_>,
    population: &Population,
    period: &Period,
) -> Option<i64> {
    let deals = inputs.deals;
    match metric {
        Metric::ActivityScore => Some(population_activity_score(inputs, population, period).0),
        Metric::ActivityCount { activity_type_id } => Some(activity_count(
            inputs.rollups,
            inputs.types,
            activity_type_id,
            population,
            period,
        )),
        Metric::CallTime { activity_type_id } => Some(call_time_seconds(
            inputs.rollups,
            activity_type_id,
            population,
            period,
        )),
        Metric::TurnoverWon => Some(turnover_won(deals, population, period).0),
        Metric::DealsWon => Some(deals_won(deals, population, period)),
        Metric::WinRate => win_rate(deals, population, period).map(|p| p.0),
        Metric::DealsLost => Some(deals_lost(deals, population, period)),
        Metric::LostAmount => Some(lost_amount(deals, population, period).0),
        Metric::NewCustomerRate => new_customer_rate(deals, population, period).map(|p| p.0),
        Metric::AverageDealSize => average_deal_size(deals, population, period).map(|m| m.0),
        Metric::SalesCycleLength => sales_cycle_length(deals, population, period),
        Metric::WeightedPipeline => Some(weighted_pipeline(deals, population, period).0),
        Metric::SalesVelocity => sales_velocity(deals, population, period).map(|m| m.0),
    }
}

#[cfg(test)]
mod tests {
    use super::super::period::PeriodKind;
    use super::super::weights::WeightVersion;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn turnover_per_seller_rounds_and_needs_sellers() {
        assert_eq!(
            turnover_per_seller(Money(1_500_000), 2),
            Some(Money(750_000))
        );
        assert_eq!(turnover_per_seller(Money(1_000), 3), Some(Money(333)));
        assert_eq!(turnover_per_seller(Money(2), 3), Some(Money(1)));
        assert_eq!(turnover_per_seller(Money(1_000), 0), None);
    }

    #[allow(clippy::too_many_arguments)]
    fn deal(
        id: i64,
        rep: i64,
        amount: i64,
        status: DealStatus,
        created: NaiveDate,
        closed: Option<NaiveDate>,
        reason: Option<&str>,
        new_customer: bool,
    ) -> Deal {
        Deal {
            id,
            rep_id: rep,
            amount: Money(amount),
            status,
            stage: String::new(),
            probability: 50,
            created_on: created,
            closed_on: closed,
            expected_close: None,
            lost_reason: reason.map(String::from),
            new_customer,
        }
    }

    fn nov() -> Period {
        Period::containing(PeriodKind::Month, d(2026, 11, 1), 1)
    }

    fn deals() -> Vec<Deal> {
        use DealStatus::*;
        let mut v = vec![
            deal(
                1,
                7,
                100_000,
                Won,
                d(2026, 10, 1),
                Some(d(2026, 11, 10)),
                None,
                true,
            ), // 40 days
            deal(
                2,
                7,
                300_000,
                Won,
                d(2026, 11, 1),
                Some(d(2026, 11, 21)),
                None,
                false,
            ), // 20 days
            deal(
                3,
                7,
                50_000,
                Lost,
                d(2026, 10, 1),
                Some(d(2026, 11, 5)),
                Some("price"),
                false,
            ),
            deal(
                4,
                7,
                70_000,
                Lost,
                d(2026, 10, 1),
                Some(d(2026, 11, 6)),
                Some(" price "),
                false,
            ),
            deal(
                5,
                7,
                200_000,
                Lost,
                d(2026, 10, 1),
                Some(d(2026, 11, 7)),
                Some("timing"),
                false,
            ),
            deal(
                6,
                7,
                999_900,
                Won,
                d(2026, 9, 1),
                Some(d(2026, 10, 31)),
                None,
                true,
            ), // October
            deal(
                7,
                8,
                500_000,
                Won,
                d(2026, 11, 1),
                Some(d(2026, 11, 2)),
                None,
                true,
            ), // other rep
        ];
        let mut open = |id, amount, prob, exp: Option<NaiveDate>| {
            let mut x = deal(id, 7, amount, Open, d(2026, 11, 1), None, None, false);
            x.probability = prob;
            x.expected_close = exp;
            v.push(x);
        };
        open(10, 1_000_000, 25, Some(d(2026, 12, 15)));
        open(11, 333, 50, Some(d(2026, 12, 1))); // 166.5 → with 10 above: 2500 + 1.665 → rounds once
        open(12, 100_000, 10, Some(d(2027, 1, 3)));
        open(13, 100_000, 150, None); // probability clamped to 100
        v
    }

    #[test]
    fn deal_metrics_hand_computed() {
        let ds = deals();
        let rep = Population::Rep(7);
        let p = nov();
        assert_eq!(turnover_won(&ds, &rep, &p), Money(400_000));
        assert_eq!(deals_won(&ds, &rep, &p), 2);
        assert_eq!(deals_lost(&ds, &rep, &p), 3);
        assert_eq!(win_rate(&ds, &rep, &p), Some(Percent(4_000))); // 2 / 5
        assert_eq!(new_customer_rate(&ds, &rep, &p), Some(Percent(5_000)));
        assert_eq!(average_deal_size(&ds, &rep, &p), Some(Money(200_000)));
        assert_eq!(sales_cycle_length(&ds, &rep, &p), Some(300)); // (40 + 20) / 2 = 30.0 days
        assert_eq!(
            turnover_vs_objective(Money(400_000), Money(500_000)),
            Some(Percent(8_000))
        );
        assert_eq!(turnover_vs_objective(Money(400_000), Money(0)), None);
        // velocity = 4 open × 400_000 × 2 / (5 × 60) = 10_666.67 → 10_667 minor units (106.67) a day
        assert_eq!(sales_velocity(&ds, &rep, &p), Some(Money(10_667)));
        let lost = lost_business_by_reason(&ds, &rep, &p);
        assert_eq!(
            lost,
            vec![
                LostReasonLine {
                    reason: "timing".into(),
                    count: 1,
                    amount: Money(200_000)
                },
                LostReasonLine {
                    reason: "price".into(),
                    count: 2,
                    amount: Money(120_000)
                },
            ]
        );
        let org = Population::Organisation;
        assert_eq!(turnover_won(&ds, &org, &p), Money(900_000));
        let team = Population::Team([7, 8].into());
        assert_eq!(deals_won(&ds, &team, &p), 3);
        // nothing closed → n/a
        let dec = Period::containing(PeriodKind::Month, d(2026, 12, 1), 1);
        assert_eq!(win_rate(&ds, &rep, &dec), None);
        assert_eq!(average_deal_size(&ds, &rep, &dec), None);
        assert_eq!(sales_velocity(&ds, &rep, &dec), None);
    }

    #[test]
    fn weighted_pipeline_by_close_month() {
        let ds = deals();
        let rep = Population::Rep(7);
        let months = weighted_pipeline_by_month(&ds, &rep, None);
        assert_eq!(months.len(), 3);
        assert_eq!(months[0].month, None);
        assert_eq!(months[0].weighted, Money(100_000)); // 150 % clamped to 100 %
        assert_eq!(months[1].month, YearMonth::new(2026, 12));
        // 1_000_000 × 25 + 333 × 50 = 25_016_650 → / 100 = 250_166.5 → 250_167
        assert_eq!(months[1].weighted, Money(250_167));
        assert_eq!(months[1].amount, Money(1_000_333));
        assert_eq!(months[1].deals, 2);
        assert_eq!(months[2].weighted, Money(10_000));
        let dec = Period::containing(PeriodKind::Month, d(2026, 12, 1), 1);
        assert_eq!(weighted_pipeline(&ds, &rep, &dec), Money(250_167));
        assert_eq!(weighted_pipeline_by_month(&ds, &rep, Some(&dec)).len(), 1);
    }

    #[test]
    fn activity_metrics_and_coverage() {
        let types = vec![ActivityTypeRule {
            id: 1,
            key: "call".into(),
            label: "Call".into(),
            icon: String::new(),
            leading: true,
            daily_cap: Some(10),
            min_duration_seconds: None,
        }];
        let weights = WeightTable::new(vec![WeightVersion {
            id: 1,
            activity_type_id: 1,
            effective_from: d(2020, 1, 1),
            weight: Points(300),
        }]);
        let r = |rep, day, units, secs| DailyRollup {
            rep_id: rep,
            date: d(2026, 11, day),
            activity_type_id: 1,
            units,
            duration_seconds: secs,
        };
        let rollups = vec![r(7, 2, 12, 3600), r(7, 3, 4, 600), r(8, 3, 1, 60)];
        let p = nov();
        assert_eq!(
            activity_count(&rollups, &types, 1, &Population::Rep(7), &p),
            14
        );
        assert_eq!(
            activity_count(&rollups, &types, 1, &Population::Organisation, &p),
            15
        );
        assert_eq!(
            activity_count(&rollups, &types, 9, &Population::Organisation, &p),
            0
        );
        assert_eq!(
            call_time_seconds(&rollups, 1, &Population::Rep(7), &p),
            4200
        );
        assert_eq!(MetricUnit::Seconds.format(4200), "1h 10m");
        assert_eq!(activity_rate(14, 20), Some(Percent(7_000)));
        assert_eq!(activity_rate(14, 0), None);
        let inputs = MetricInputs {
            rollups: &rollups,
            types: &types,
            weights: &weights,
            deals: &[],
        };
        assert_eq!(
            metric_value(
                Metric::ActivityScore,
                &inputs,
                &Population::Organisation,
                &p
            ),
            Some(4500)
        );
        assert_eq!(
            counts_per_type(&rollups, &types, &Population::Rep(8), &p),
            vec![(1, 1)]
        );

        let acts = vec![
            AccountActivity {
                account_id: 100,
                rep_id: 7,
                date: d(2026, 11, 2),
                activity_type_id: 1,
                units: 2,
            },
            AccountActivity {
                account_id: 101,
                rep_id: 7,
                date: d(2026, 11, 9),
                activity_type_id: 1,
                units: 1,
            },
            AccountActivity {
                account_id: 101,
                rep_id: 7,
                date: d(2026, 11, 3),
                activity_type_id: 1,
                units: 1,
            },
            AccountActivity {
                account_id: 999,
                rep_id: 7,
                date: d(2026, 11, 3),
                activity_type_id: 1,
                units: 1,
            },
        ];
        let cov = account_coverage(
            &acts,
            &[100, 101, 102],
            &types,
            &weights,
            &Population::Organisation,
            &p,
        );
        assert_eq!(
            cov.iter()
                .map(|c| (c.account_id, c.points.0))
                .collect::<Vec<_>>(),
            vec![(100, 600), (101, 600), (102, 0)]
        );
        assert_eq!(cov[1].last_activity, Some(d(2026, 11, 9)));
        assert_eq!(cov[2].last_activity, None);
        assert_eq!(accounts_covered_rate(&cov), Some(Percent(6_667)));
    }

    #[test]
    fn lost_business_change_and_coaching() {
        let l = |reason: &str, count, amount| LostReasonLine {
            reason: reason.into(),
            count,
            amount: Money(amount),
        };
        // price: 2 deals 120 000, timing: 1 deal 200 000 → price dominates by count.
        let now = vec![l("timing", 1, 200_000), l("price", 2, 120_000)];
        let before = vec![l("timing", 2, 50_000)];
        let c = lost_business_change(&now, &before);
        assert_eq!((c.count, c.amount), (3, Money(320_000)));
        assert_eq!((c.previous_count, c.previous_amount), (2, Money(50_000)));
        assert!(c.rising);
        assert_eq!(c.dominant.as_deref(), Some("price"));
        assert_eq!(c.previous_dominant.as_deref(), Some("timing"));
        assert!(c.new_dominant);
        // same dominant, fewer deals; nothing lost at all
        let c = lost_business_change(&before, &now);
        assert!(!c.rising);
        assert!(c.new_dominant);
        let c = lost_business_change(&[], &before);
        assert_eq!((c.count, c.rising, c.new_dominant), (0, false, false));
        assert_eq!(c.dominant, None);
        let c = lost_business_change(&before, &before);
        assert!(!c.rising && !c.new_dominant);
        // count tie → the larger amount
        assert_eq!(
            dominant_lost_reason(&[l("a", 1, 10), l("b", 1, 20)]).as_deref(),
            Some("b")
        );

        assert_eq!(turnover_gap(Money(400), Money(1_000)), Money(600));
        assert_eq!(turnover_gap(Money(1_400), Money(1_000)), Money(0));
        assert_eq!(median_points(&[]), None);
        assert_eq!(
            median_points(&[Points(5), Points(1), Points(3)]),
            Some(Points(3))
        );
        assert_eq!(median_points(&[Points(4), Points(1)]), Some(Points(3))); // 2.5 → 3
        assert_eq!(activities_per_won_deal(7, 2), Some(35));
        assert_eq!(activities_per_won_deal(7, 0), None);

        let e = |rep_id, effort, result: Option<i64>| EffortResult {
            rep_id,
            effort: Points(effort),
            result: result.map(Percent),
        };
        // median of 100, 300, 500, 700 = 400: reps 3 and 4 work at least that much; 3 is
        // below target, 4 above, 5 has no objective, 1 is below target with little effort.
        let reps = [
            e(1, 100, Some(2_000)),
            e(2, 300, Some(9_000)),
            e(3, 500, Some(9_999)),
            e(4, 700, Some(10_000)),
        ];
        assert_eq!(effort_without_conversion(&reps), vec![3]);
        assert_eq!(
            effort_without_conversion(&[e(5, 900, None)]),
            Vec::<i64>::new()
        );
        assert_eq!(effort_without_conversion(&[]), Vec::<i64>::new());
    }

    #[test]
    fn untouched_accounts_in_thirty_days() {
        let a = |id, amount, last: Option<NaiveDate>| OpenAccount {
            account_id: id,
            open_deals: 1,
            open_amount: Money(amount),
            last_activity: last,
        };
        let today = d(2026, 11, 30);
        let accounts = [
            a(1, 10, Some(d(2026, 11, 1))),  // 30th day of the window: touched
            a(2, 20, Some(d(2026, 10, 31))), // just before: untouched
            a(3, 30, None),                  // never: untouched
            a(4, 40, Some(today)),
        ];
        let v = untouched_accounts(&accounts, today, 30);
        assert_eq!(
            v.iter().map(|a| a.account_id).collect::<Vec<_>>(),
            vec![3, 2]
        );
    }

    #[test]
    fn metric_keys_round_trip() {
        let types = vec![];
        for m in Metric::catalogue(&types).into_iter().chain([
            Metric::ActivityCount {
                activity_type_id: 3,
            },
            Metric::CallTime {
                activity_type_id: 1,
            },
        ]) {
            assert_eq!(m.key().parse::<Metric>(), Ok(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), m);
        }
        assert_eq!(
            serde_json::to_string(&Metric::ActivityCount {
                activity_type_id: 3
            })
            .unwrap(),
            r#"{"kind":"activity_count","activity_type_id":3}"#
        );
        assert!("activity_count:x".parse::<Metric>().is_err());
        assert_eq!(
            serde_json::to_string(&Population::Rep(7)).unwrap(),
            r#"{"kind":"rep","value":7}"#
        );
        assert_eq!(
            serde_json::from_str::<Population>(r#"{"kind":"team","value":[3,7]}"#).unwrap(),
            Population::Team([3, 7].into())
        );
        assert!("bogus".parse::<Metric>().is_err());
        assert_eq!(
            Metric::ActivityCount {
                activity_type_id: 3
            }
            .label(&types),
            "#3 count"
        );
        assert_eq!(MetricUnit::DayTenths.format(125), "12.5 days");
        assert_eq!(MetricUnit::Money.format(123_456), "1,234.56");
    }
}
