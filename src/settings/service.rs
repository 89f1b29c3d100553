//! The one home of the organisation's settings (name, time zone, fiscal year, working week,
//! band thresholds, composite cap) and of what a new organisation starts with.

use chrono_tz::Tz;
use serde_json::json;

use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scoring::{BandThresholds, Percent};
use crate::server::audit;
use crate::server::db::Db;
use crate::server::org::{self, OrgSettings};
use crate::{activities, activity_types, on_tx, people};

/// A change to the settings; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct SettingsDraft {
    pub org_name: Option<String>,
    /// An IANA zone name.
    pub time_zone: Option<String>,
    pub fiscal_year_start_month: Option<i64>,
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub working_weekdays: Option<Vec<i64>>,
    /// `(outstanding, on track, at risk)` in basis points, strictly decreasing.
    pub band_thresholds: Option<(i64, i64, i64)>,
    /// Basis points, 100 % to 1000 %.
    pub composite_cap_bp: Option<i64>,
}

/// What a settings change did.
#[derive(Debug, Clone)]
pub struct SettingsSaved {
    pub settings: OrgSettings,
    /// Activities that moved to another local day because the time zone changed.
    pub activities_redated: i64,
}

const PUT_SETTINGS: &str = "INSERT INTO settings (id, org_name, time_zone, fiscal_year_start_month, working_weekdays, \
    band_outstanding_bp, band_on_track_bp, band_at_risk_bp, composite_cap_bp) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (id) DO UPDATE SET org_name = excluded.org_name, time_zone = excluded.time_zone, \
    fiscal_year_start_month = excluded.fiscal_year_start_month, working_weekdays = excluded.working_weekdays, \
    band_outstanding_bp = excluded.band_outstanding_bp, band_on_track_bp = excluded.band_on_track_bp, \
    band_at_risk_bp = excluded.band_at_risk_bp, composite_cap_bp = excluded.composite_cap_bp";

/// Checks and writes a settings change. When the time zone changes, every activity moves
/// to its local day in the new zone and the rollups are recounted, in the same transaction,
/// so scores never mix two zones.
pub async fn put_settings(
    db: &Db,
    live: &Live,
    actor: &str,
    draft: SettingsDraft,
) -> Result<SettingsSaved, AppError> {
    let current = org::load(db).await?;
    let before = current.clone();
    let mut after = before.clone();
    let mut errors = Vec::new();
    if let Some(name) = draft.org_name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new("org_name", "must have 1 to 100 characters"));
        } else {
            after.org_name = name.to_string();
        }
    }
    let mut new_zone = None;
    if let Some(zone) = draft.time_zone {
        match zone.trim().parse::<Tz>() {
            Ok(tz) => {
                if tz.name() != current.tz().name() {
                    new_zone = Some(tz);
                }
                after.time_zone = tz.name().to_string();
            }
            Err(_) => errors.push(FieldError::new(
                "time_zone",
                format!("unknown time zone '{zone}'; use an IANA name such as Europe/London"),
            )),
        }
    }
    if let Some(m) = draft.fiscal_year_start_month {
        if (1..=12).contains(&m) {
            after.fiscal_year_start_month = m;
        } else {
            errors.push(FieldError::new(
                "fiscal_year_start_month",
                "must be a month 1 to 12",
            ));
        }
    }
    if let Some(mut days) = draft.working_weekdays {
        days.sort_unstable();
        days.dedup();
        if days.is_empty() || days.iter().any(|d| !(1..=7).contains(d)) {
            errors.push(FieldError::new(
                "working_weekdays",
                "must be a non-empty list of ISO weekdays 1 (Monday) to 7 (Sunday)",
            ));
        } else {
            after.working_weekdays = days
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",");
        }
    }
    if let Some((o, t, r)) = draft.band_thresholds {
        match BandThresholds::new(Percent(o), Percent(t), Percent(r)) {
            Ok(_) => {
                after.band_outstanding_bp = o;
                after.band_on_track_bp = t;
                after.band_at_risk_bp = r;
            }
            Err(e) => errors.push(FieldError::new("band_thresholds", e.to_string())),
        }
    }
    if let Some(cap) = draft.composite_cap_bp {
        if (10_000..=100_000).contains(&cap) {
            after.composite_cap_bp = cap;
        } else {
            errors.push(FieldError::new(
                "composite_cap",
                "must be between 100 and 1000 (percent)",
            ));
        }
    }
    AppError::check(errors)?;
    let mut tx = db.begin_write().await?;
    on_tx!(&mut tx, |c| sqlx::query(PUT_SETTINGS)
        .bind(&after.org_name)
        .bind(&after.time_zone)
        .bind(after.fiscal_year_start_month)
        .bind(&after.working_weekdays)
        .bind(after.band_outstanding_bp)
        .bind(after.band_on_track_bp)
        .bind(after.band_at_risk_bp)
        .bind(after.composite_cap_bp)
        .execute(c)
        .await
        .map(|_| ()))?;
    let moved = match new_zone {
        Some(tz) => activities::store::redate_all(&mut tx, tz).await?,
        None => 0,
    };
    audit::record_in(
        &mut tx,
        actor,
        "update",
        "settings",
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(SettingsSaved {
        settings: after,
        activities_redated: moved,
    })
}

/// Makes sure the organisation exists: the settings row, and for a brand-new organisation
/// (no activity types and no sales roles yet) the default activity types and (docs/rules.md)
/// weights and one default sales role with a default scorecard, so that a rep added by
/// any door can log and be ranked at once. Does nothing to an organisation that exists.
pub async fn start_organisation(db: &Db, org_name: &str, time_zone: &str) -> Result<(), AppError> {
    org::ensure(db, org_name, time_zone).await?;
    let mut tx = db.begin_write().await?;
    let (types, roles): (i64, i64) = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM activity_types), (SELECT COUNT(*) FROM sales_roles)"
    )
    .fetch_one(c)
    .await)?;
    if types > 0 || roles > 0 {
        return Ok(());
    }
    let ids = activity_types::service::create_defaults(&mut tx).await?;
    let meeting = ids.iter().find(|(k, _)| k == "meeting").map(|(_, id)| *id);
    people::service::create_default_role(&mut tx, meeting).await?;
    tx.commit().await?;
    Ok(())
}
