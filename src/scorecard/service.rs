//! Scorecard use cases: who may see whose scorecard, and assembling one from the database.

use chrono::NaiveDate;

use super::repo::{self, RepRow};
use super::ScorecardView;
use crate::activities::repo as activity_repo;
use crate::auth::session::User;
use crate::auth::AccessRole;
use crate::error::AppError;
use crate::scoring::{
    BandThresholds, Percent, Period, PeriodKind, ScorecardInputs, ScorecardTemplate, TargetBook,
    YearMonth,
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
    let (inputs, template) = inputs_of(db, rep, period_kind, date).await?;
    Ok(ScorecardView::build(
        &rep.name,
        &rep.email,
        rep.role_name.clone(),
        &inputs,
        &template,
    ))
}

/// Everything `rep`'s scorecard for the period of `period_kind` containing `date` is
/// computed from, and their role's template (with the organisation's pace cap).
pub async fn inputs_of(
    db: &Db,
    rep: &RepRow,
    period_kind: PeriodKind,
    date: NaiveDate,
) -> Result<(ScorecardInputs, ScorecardTemplate), AppError> {
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
    let inputs = ScorecardInputs {
        rep_id: rep.id,
        role_id: rep.sales_role_id,
        period,
        rollups,
        types,
        weights,
        deals,
        targets,
        calendar,
        absences,
        thresholds,
        today,
    };
    Ok((inputs, template))
}

/// The scorecard editor: every sales role with its template and its active reps, and the
/// metric catalogue.
pub async fn desk(db: &Db) -> Result<super::ScorecardDesk, AppError> {
    let types = crate::activity_types::service::activity_types(db).await?;
    let roles = crate::people::service::sales_roles(db).await?;
    let sql = format!(
        "SELECT u.id, u.name, u.sales_role_id FROM users u WHERE {} ORDER BY u.name",
        crate::people::service::SCORED_SQL
    );
    let reps: Vec<(i64, String, Option<i64>)> =
        crate::on_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
    let mut out = Vec::new();
    for role in roles {
        out.push(super::RoleTemplate {
            lines: super::template::lines_of(db, role.id).await?,
            reps: reps
                .iter()
                .filter(|r| r.2 == Some(role.id))
                .map(|r| (r.0, r.1.clone()))
                .collect(),
            key: role.key,
            name: role.name,
        });
    }
    Ok(super::ScorecardDesk {
        roles: out,
        catalogue: crate::scoring::Metric::catalogue(&types)
            .into_iter()
            .map(|m| (m.key(), m.label(&types), m.default_leading()))
            .collect(),
    })
}

/// A rep's inputs for the current month's scorecard, for the editor's preview.
pub async fn preview_inputs(db: &Db, rep_id: i64) -> Result<super::PreviewInputs, AppError> {
    let rep = repo::rep(db, rep_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Rep".into()))?;
    let today = org::load(db).await?.today();
    let (inputs, template) = inputs_of(db, &rep, PeriodKind::Month, today).await?;
    Ok(super::PreviewInputs {
        rep_name: rep.name,
        rep_email: rep.email,
        role: rep.role_name,
        inputs,
        template,
    })
}
