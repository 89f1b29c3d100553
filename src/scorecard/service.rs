//! Scorecard use cases: who may see whose scorecard, and assembling one from the database.

use chrono::NaiveDate;

use super::repo::{self, RepRow};
use super::{BandView, ScorecardLineView, ScorecardView, NOT_AVAILABLE};
use crate::activities::repo as activity_repo;
use crate::auth::session::User;
use crate::auth::AccessRole;
use crate::error::AppError;
use crate::scoring::{
    self, display_percent, BandThresholds, MetricInputs, MetricUnit, Percent, Period, PeriodKind,
    ScorecardContext, ScorecardTemplate, TargetBook, YearMonth,
};
use crate::server::db::Db;
use crate::server::org;

/// Whether `viewer` may see `rep`'s scorecard: their own; a manager, the reps of their own
/// team; an admin, anyone's.
pub fn may_view(viewer: &User, rep: &RepRow) -> bool {
    match viewer.role() {
        AccessRole::Admin => true,
        AccessRole::Manager => {
            viewer.id == rep.id || (viewer.team_id.is_some() && viewer.team_id == rep.team_id)
        }
        AccessRole::Rep => viewer.id == rep.id,
    }
}

/// The rep whose scorecard `viewer` asks for, once allowed. Someone who may not look does
/// not learn whether the account exists: unknown ids are refused like other people's.
pub async fn viewable_rep(db: &Db, viewer: &User, rep_id: i64) -> Result<RepRow, AppError> {
    let rep = repo::rep(db, rep_id).await?;
    match rep {
        Some(rep) if may_view(viewer, &rep) => Ok(rep),
        None if viewer.role() == AccessRole::Admin => Err(AppError::NotFound("Rep".into())),
        _ => Err(AppError::Forbidden),
    }
}

/// The scorecard of `rep_id` for the period of `period_kind` containing `date` (for a
/// rolling window, the window ending on `date`). Access is the caller's business.
pub async fn rep_scorecard(
    db: &Db,
    rep_id: i64,
    period_kind: PeriodKind,
    date: NaiveDate,
) -> Result<ScorecardView, AppError> {
    let rep = repo::rep(db, rep_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Rep".into()))?;
    scorecard_of(db, &rep, period_kind, date).await
}

/// [`rep_scorecard`] for a rep already loaded.
pub async fn scorecard_of(
    db: &Db,
    rep: &RepRow,
    period_kind: PeriodKind,
    date: NaiveDate,
) -> Result<ScorecardView, AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let period = Period::containing(period_kind, date, settings.fiscal_start());
    // Targets of partial months are prorated over the whole month's working days.
    let first_month = YearMonth::of(period.start).first_day();
    let last_month = YearMonth::of(period.end);
    let types = crate::activity_types::service::scoring_types(db).await?;
    let weights = crate::activity_types::service::weight_table(db).await?;
    let rollups = activity_repo::rollups(db, period.start, period.end, Some(rep.id)).await?;
    let deals = repo::deals(db, rep.id).await?;
    let metrics = match rep.sales_role_id {
        Some(role) => repo::template_metrics(db, role, &types).await?,
        None => Vec::new(),
    };
    let targets = TargetBook::new(
        repo::targets(
            db,
            rep.id,
            rep.sales_role_id,
            first_month,
            last_month.first_day(),
            &types,
        )
        .await?,
    );
    let calendar = repo::calendar(
        db,
        &settings.working_weekdays,
        first_month,
        last_month.last_day(),
    )
    .await?;
    let absences = repo::absences(db, rep.id, period.start, period.end).await?;
    let thresholds = BandThresholds::new(
        Percent(settings.band_outstanding_bp),
        Percent(settings.band_on_track_bp),
        Percent(settings.band_at_risk_bp),
    )
    .unwrap_or_else(|_| {
        tracing::warn!("band thresholds in settings are not descending; using the defaults");
        BandThresholds::default()
    });
    let mut template = ScorecardTemplate::new(
        rep.sales_role_id.unwrap_or_default(),
        rep.role_name.clone().unwrap_or_default(),
        metrics,
    );
    if settings.composite_cap_bp > 0 {
        template.pace_cap = Percent(settings.composite_cap_bp);
    }
    let ctx = ScorecardContext {
        inputs: MetricInputs {
            rollups: &rollups,
            types: &types,
            weights: &weights,
            deals: &deals,
        },
        targets: &targets,
        calendar: &calendar,
        absences: &absences,
        thresholds: &thresholds,
        today,
    };
    let card = scoring::build_scorecard(rep.id, rep.sales_role_id, &template, &period, &ctx);
    let lines = card
        .lines
        .iter()
        .map(|l| {
            let unit = l.metric.unit();
            let fmt = |v: Option<i64>| {
                v.map(|v| unit.format(v))
                    .unwrap_or_else(|| NOT_AVAILABLE.to_string())
            };
            ScorecardLineView {
                metric: l.metric.key(),
                label: l.metric.label(&types),
                indicator: match l.indicator {
                    scoring::Indicator::Leading => "leading".into(),
                    scoring::Indicator::Lagging => "lagging".into(),
                },
                weight: l.weight,
                unit: unit_key(unit).into(),
                actual: fmt(l.actual),
                actual_raw: l.actual,
                target: fmt(l.target),
                target_raw: l.target,
                expected_to_date: fmt(l.expected_to_date),
                expected_to_date_raw: l.expected_to_date,
                attainment: display_percent(l.attainment),
                attainment_bp: l.attainment.map(|p| p.0),
                pace: display_percent(l.pace),
                pace_bp: l.pace.map(|p| p.0),
                band: BandView::of(l.band),
            }
        })
        .collect();
    Ok(ScorecardView {
        rep_id: rep.id,
        rep_name: rep.name.clone(),
        rep_email: rep.email.clone(),
        role: rep.role_name.clone(),
        period_kind: period.kind.as_str().to_string(),
        period_label: period.label(),
        period_start: period.start,
        period_end: period.end,
        closed: card.closed,
        working_days: card.working_days.total,
        working_days_elapsed: card.working_days.elapsed,
        lines,
        composite: display_percent(card.composite),
        composite_bp: card.composite.map(|p| p.0),
        composite_band: BandView::of(card.composite_band),
        pace_cap: card.pace_cap.display(),
    })
}

fn unit_key(unit: MetricUnit) -> &'static str {
    match unit {
        MetricUnit::Points => "points",
        MetricUnit::Money => "money",
        MetricUnit::Count => "count",
        MetricUnit::Seconds => "seconds",
        MetricUnit::BasisPoints => "basis_points",
        MetricUnit::DayTenths => "day_tenths",
    }
}
