//! The sales manager's view (`/team`): the five essential indicators — turnover against
//! objective, turnover per seller, weighted pipeline, activity rate, lost business — with
//! the side metrics, account coverage and coaching insight, for a manager's own team or
//! (admins) any team or the whole organisation, over a chosen period. Every figure comes
//! from the scoring engine's pure functions; the service only reads and groups.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::{LostBusinessChange, LostReasonLine, Money, Points, YearMonth};

/// The periods the team view offers: `(key, label)`.
pub const TEAM_PERIODS: [(&str, &str); 5] = [
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Fiscal year"),
    ("last_30", "30 days"),
    ("last_90", "90 days"),
];

/// How many periods the per-seller trend shows (the current one included).
pub const TREND_PERIODS: usize = 6;
/// How many months ahead the weighted pipeline looks (the current month included).
pub const PIPELINE_MONTHS: usize = 6;
/// An account with open deals is neglected when nobody touched it in this many days.
pub const UNTOUCHED_DAYS: i64 = 30;
/// Accounts listed as the most attended.
pub const TOP_ACCOUNTS: usize = 10;
/// The most reps the whole organisation's page lists rep by rep; beyond, it compares its
/// teams (every rep is one click away, in their team, and in the CSV exports).
pub const PAGE_REPS: usize = 100;
/// Reps named as "effort is there, conversion is not" on an organisation's page too large
/// to list everyone (the most effort first; the coaching CSV has them all).
pub const PAGE_FLAGGED: usize = 25;
/// How the reps in no team are named among the teams.
pub const NO_TEAM_LABEL: &str = "No team";

/// Turnover won against objective, for the team or one rep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnoverLine {
    /// `None` for the team line.
    pub rep_id: Option<i64>,
    pub name: String,
    pub won: Money,
    /// `None` when no objective is set for the period.
    pub objective: Option<Money>,
    /// won / objective in basis points (≥ 10 000 = at or above target).
    pub ratio_bp: Option<i64>,
    /// What should be won by today, from working days (open periods).
    pub expected: Option<Money>,
    /// won / expected, while the period is open.
    pub pace_bp: Option<i64>,
    /// objective − won, never below 0.
    pub gap: Option<Money>,
}

/// One seller: turnover over the last periods (oldest first, the current one last) and the
/// side metrics of the current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerLine {
    pub rep_id: i64,
    pub name: String,
    pub trend: Vec<Money>,
    pub deals_won: i64,
    pub deals_lost: i64,
    pub win_rate_bp: Option<i64>,
    pub average_deal_size: Option<Money>,
    /// Tenths of a day.
    pub cycle_day_tenths: Option<i64>,
    /// Weighted pipeline of the next months, all together.
    pub pipeline: Money,
}

/// One expected-close month of the weighted pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineMonthLine {
    pub month: YearMonth,
    /// "Dec 2026".
    pub label: String,
    /// Weighted amount per stage, in the order of [`TeamView::stages`].
    pub by_stage: Vec<Money>,
    pub weighted: Money,
    pub open_deals: i64,
    /// The month's turnover objective (sum of the reps' targets); `None` without any.
    pub target: Option<Money>,
}

/// Activities of one type done by a rep (or the team) against the activity target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRateLine {
    /// `None` for the team line.
    pub rep_id: Option<i64>,
    pub name: String,
    pub activity_type_id: i64,
    pub type_label: String,
    pub count: i64,
    pub target: Option<i64>,
    pub expected: Option<i64>,
    pub rate_bp: Option<i64>,
    pub pace_bp: Option<i64>,
}

/// Win rate, deal size, cycle, velocity, new customers: the figures beside the five.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideMetrics {
    pub deals_won: i64,
    pub deals_lost: i64,
    pub win_rate_bp: Option<i64>,
    pub average_deal_size: Option<Money>,
    /// Tenths of a day.
    pub cycle_day_tenths: Option<i64>,
    /// Money per day.
    pub velocity: Option<Money>,
    pub new_customer_rate_bp: Option<i64>,
}

/// Lost business by reason this period and the previous one, with the call-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostView {
    pub current: Vec<LostReasonLine>,
    pub previous: Vec<LostReasonLine>,
    pub previous_label: String,
    pub change: LostBusinessChange,
}

/// Attention one account got in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    pub account: String,
    pub points: Points,
    pub units: i64,
    pub last_activity: Option<NaiveDate>,
    /// The reps who worked on it, most points first: `(name, points)`.
    pub reps: Vec<(String, Points)>,
}

/// Where one rep's effort went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepCoverage {
    pub rep_id: i64,
    pub name: String,
    pub accounts: i64,
    pub points: Points,
    /// Their three most attended accounts: `(account, points)`.
    pub top: Vec<(String, Points)>,
}

/// An account with open deals nobody touched in [`UNTOUCHED_DAYS`] days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntouchedAccount {
    pub account: String,
    pub open_deals: i64,
    pub open_amount: Money,
    pub last_activity: Option<NaiveDate>,
    /// Who owns its open deals.
    pub owners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageView {
    /// The accounts worked on in the period, most points first: every one from the
    /// service (the exports), the first [`TOP_ACCOUNTS`] on the page.
    pub accounts: Vec<AccountLine>,
    /// How many accounts were worked on in the period.
    pub accounts_worked: usize,
    pub by_rep: Vec<RepCoverage>,
    pub untouched: Vec<UntouchedAccount>,
}

/// Effort against result for one rep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachingLine {
    pub rep_id: i64,
    pub name: String,
    pub effort: Points,
    /// Turnover vs objective.
    pub result_bp: Option<i64>,
    /// Counted activities of every type.
    pub activities: i64,
    pub deals_won: i64,
    /// Tenths; `None` when nothing was won.
    pub activities_per_won: Option<i64>,
    /// "Effort is there, conversion is not".
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachingView {
    pub median_effort: Option<Points>,
    /// The team's counted activities per deal won, tenths.
    pub team_activities_per_won: Option<i64>,
    pub reps: Vec<CoachingLine>,
}

/// One team of the whole organisation, beside the others: the five indicators summed over
/// its reps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCompareLine {
    /// `None` for the reps who are in no team.
    pub team: Option<String>,
    pub reps: i64,
    /// Turnover won against the sum of its reps' objectives (named as the team).
    pub turnover: TurnoverLine,
    /// Turnover won per seller.
    pub per_seller: Money,
    pub deals_won: i64,
    pub deals_lost: i64,
    pub win_rate_bp: Option<i64>,
    /// Weighted pipeline of the next months (as each seller's).
    pub pipeline: Money,
    /// Counted activities of every type, against the sum of the activity targets.
    pub activities: i64,
    pub activity_target: Option<i64>,
    pub activity_rate_bp: Option<i64>,
    /// Activity score, the sum of its reps'.
    pub effort: Points,
    /// Its reps named as "effort is there, conversion is not".
    pub flagged: i64,
}

/// Everything `/team` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub org_name: String,
    pub currency: String,
    /// The team shown; `None` for the whole organisation.
    pub team: Option<String>,
    /// Teams an admin may switch to (empty for a manager).
    pub teams: Vec<String>,
    pub period_kind: String,
    pub period_label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub closed: bool,
    pub turnover: TurnoverLine,
    pub reps: Vec<TurnoverLine>,
    /// Labels of the trend's periods, oldest first.
    pub trend_labels: Vec<String>,
    pub sellers: Vec<SellerLine>,
    pub stages: Vec<String>,
    pub pipeline: Vec<PipelineMonthLine>,
    /// Team lines first (one per type), then each rep's.
    pub activity: Vec<ActivityRateLine>,
    pub lost: LostView,
    pub side: SideMetrics,
    pub coverage: CoverageView,
    pub coaching: CoachingView,
    /// The whole organisation's teams side by side (empty for one team's view).
    pub by_team: Vec<TeamCompareLine>,
    /// How many reps the view counts.
    pub rep_count: usize,
    /// Whether the rep-by-rep lines are carried: not on the page of an organisation of more
    /// than [`PAGE_REPS`] reps, which compares its teams instead (the service's view, which
    /// the exports read, always has them).
    pub listed: bool,
}

impl TeamView {
    /// What the page carries: the most attended accounts only (the export has them all).
    /// On a whole organisation of more than [`PAGE_REPS`] reps in teams, the teams compared
    /// rather than every rep: the rep-by-rep lines are left out but for the first
    /// [`PAGE_FLAGGED`] reps named by the coaching insight.
    pub fn for_page(mut self) -> TeamView {
        self.coverage.accounts.truncate(TOP_ACCOUNTS);
        // (An organisation without teams to compare keeps its reps: there is nowhere else
        // to open them.)
        if self.team.is_none() && self.rep_count > PAGE_REPS && self.by_team.len() > 1 {
            self.listed = false;
            self.reps.clear();
            self.sellers.clear();
            self.activity.retain(|l| l.rep_id.is_none());
            self.coverage.by_rep.clear();
            self.coaching.reps.retain(|c| c.flagged);
            self.coaching
                .reps
                .sort_by(|a, b| b.effort.cmp(&a.effort).then_with(|| a.name.cmp(&b.name)));
            self.coaching.reps.truncate(PAGE_FLAGGED);
        }
        self
    }
}

/// The team view for the period of `period` kind containing `date` (default today).
/// Managers see their own team (asking for any other is refused like an unknown team);
/// admins any team (`team` by name) or, without one, the whole organisation; reps nothing.
#[server(endpoint = "team_view")]
pub async fn get_team_view(
    period: String,
    team: Option<String>,
    date: Option<String>,
) -> Result<TeamView, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        let view = service::team_view(
            &state.db,
            &user,
            Some(&period),
            team.as_deref(),
            date.as_deref(),
        )
        .await?;
        Ok(view.for_page())
    })
    .await
}

/// "EUR 12,500" (cents only when there are any).
pub fn money(m: Money, currency: &str) -> String {
    m.with_currency(currency)
}

/// "82%" from basis points, "n/a" when undefined.
pub fn percent(bp: Option<i64>) -> String {
    crate::scoring::display_percent(bp.map(crate::scoring::Percent))
}

/// "12.5" from tenths, "n/a" when undefined.
pub fn tenths(v: Option<i64>) -> String {
    v.map(|v| format!("{}.{}", v / 10, (v % 10).abs()))
        .unwrap_or_else(|| crate::scorecard::NOT_AVAILABLE.to_string())
}
