//! The one home of the organisation's settings (name, time zone, fiscal year, working week,
//! band thresholds, composite cap, currency) and of what a new organisation starts with.

use chrono_tz::Tz;
use serde_json::json;

use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scoring::{BandThresholds, Percent, Points};
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
    /// ISO 4217 code, three letters (stored upper-case).
    pub currency: Option<String>,
}

/// What a settings change did.
#[derive(Debug, Clone)]
pub struct SettingsSaved {
    pub settings: OrgSettings,
    /// Activities that moved to another local day because the time zone changed.
    pub activities_redated: i64,
}

const PUT_SETTINGS: &str = "INSERT INTO settings (id, org_name, time_zone, fiscal_year_start_month, working_weekdays, \
    band_outstanding_bp, band_on_track_bp, band_at_risk_bp, composite_cap_bp, currency) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (id) DO UPDATE SET org_name = excluded.org_name, time_zone = excluded.time_zone, \
    fiscal_year_start_month = excluded.fiscal_year_start_month, working_weekdays = excluded.working_weekdays, \
    band_outstanding_bp = excluded.band_outstanding_bp, band_on_track_bp = excluded.band_on_track_bp, \
    band_at_risk_bp = excluded.band_at_risk_bp, composite_cap_bp = excluded.composite_cap_bp, \
    currency = excluded.currency";

/// Checks and writes a settings change. When the time zone changes, every activity moves
/// to its local day in the new zone and the rollups are recounted, in the same transaction,
/// so scores never mix two zones.
pub async fn put_settings(
    db: &Db,
    live: &Live,
    actor: &str,
    draft: SettingsDraft,
) -> Result<SettingsSaved, AppError> {
    put_settings_with(db, live, actor, draft, Vec::new()).await
}

/// [`put_settings`] for a door that already found problems with some fields (a form's
/// percentages that are not numbers): they are reported with the service's own, together,
/// and nothing is saved.
pub async fn put_settings_with(
    db: &Db,
    live: &Live,
    actor: &str,
    draft: SettingsDraft,
    mut errors: Vec<FieldError>,
) -> Result<SettingsSaved, AppError> {
    let current = org::load(db).await?;
    let before = current.clone();
    let mut after = before.clone();
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
    if let Some(code) = draft.currency {
        match parse_currency(&code) {
            Some(code) => after.currency = code,
            None => errors.push(FieldError::new(
                "currency",
                "must be an ISO 4217 code of three letters, such as EUR or USD",
            )),
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
        .bind(&after.currency)
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

/// An ISO 4217 code: three ASCII letters, upper-cased (`eur` → `EUR`).
pub fn parse_currency(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

/// A percentage as typed in a form (`"120"`, `"87.5"`) in basis points; a problem is
/// named on `field`.
pub fn parse_percent(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match Percent::parse(text) {
        Ok(p) => Some(p.0),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "must be a percentage with at most two decimals, such as 120 or 87.5",
            ));
            None
        }
    }
}

/// The three band thresholds as typed (percentages); `None` when one cannot be read.
pub fn parse_bands(
    outstanding: &str,
    on_track: &str,
    at_risk: &str,
    errors: &mut Vec<FieldError>,
) -> Option<(i64, i64, i64)> {
    let o = parse_percent("band_thresholds.outstanding", outstanding, errors);
    let t = parse_percent("band_thresholds.on_track", on_track, errors);
    let r = parse_percent("band_thresholds.at_risk", at_risk, errors);
    Some((o?, t?, r?))
}

/// Basis points as a form shows them: `12000` → `"120"`, `8750` → `"87.5"`.
pub fn percent_text(bp: i64) -> String {
    let text = Points(bp).display();
    match text.split_once('.') {
        Some((whole, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{frac}")
            }
        }
        None => text,
    }
}

/// The settings form as the desk shows it, with every IANA zone name for the picker.
pub async fn form(db: &Db) -> Result<crate::settings::SettingsForm, AppError> {
    let s = org::load(db).await?;
    Ok(crate::settings::SettingsForm {
        org_name: s.org_name,
        time_zone: s.time_zone,
        fiscal_year_start_month: s.fiscal_year_start_month,
        currency: s.currency,
        band_outstanding: percent_text(s.band_outstanding_bp),
        band_on_track: percent_text(s.band_on_track_bp),
        band_at_risk: percent_text(s.band_at_risk_bp),
        composite_cap: percent_text(s.composite_cap_bp),
        lost_reasons: crate::deals::service::lost_reasons(db).await?.join("\n"),
        zones: chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| z.name().to_string())
            .collect(),
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
