//! Organisation settings: time zone, fiscal year, working week, band thresholds, currency.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::db::Db;
use crate::error::AppError;
use crate::on_db;

/// The settings row as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct OrgSettings {
    pub org_name: String,
    pub time_zone: String,
    pub fiscal_year_start_month: i64,
    pub working_weekdays: String,
    pub band_outstanding_bp: i64,
    pub band_on_track_bp: i64,
    pub band_at_risk_bp: i64,
    pub composite_cap_bp: i64,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
}

impl OrgSettings {
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// The organisation-local calendar date of an instant: the date activities are scored on.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz()).date_naive()
    }

    pub fn today(&self) -> NaiveDate {
        self.local_date(Utc::now())
    }

    pub fn fiscal_start(&self) -> u32 {
        u32::try_from(self.fiscal_year_start_month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .unwrap_or(1)
    }
}

pub async fn load(db: &Db) -> Result<OrgSettings, AppError> {
    crate::server::page_reads::config("settings", read(db)).await
}

async fn read(db: &Db) -> Result<OrgSettings, AppError> {
    const SQL: &str = "SELECT org_name, time_zone, fiscal_year_start_month, working_weekdays, \
        band_outstanding_bp, band_on_track_bp, band_at_risk_bp, composite_cap_bp, currency FROM settings WHERE id = 1";
    let row: Option<OrgSettings> =
        on_db!(db, |pool| sqlx::query_as(SQL).fetch_optional(pool).await)?;
    Ok(row.unwrap_or_else(|| OrgSettings {
        org_name: "Pacesetter".into(),
        time_zone: "UTC".into(),
        fiscal_year_start_month: 1,
        working_weekdays: "1,2,3,4,5".into(),
        band_outstanding_bp: 12000,
        band_on_track_bp: 10000,
        band_at_risk_bp: 8000,
        composite_cap_bp: 15000,
        currency: "EUR".into(),
    }))
}

/// Creates the settings row when missing (first start).
pub async fn ensure(db: &Db, org_name: &str, time_zone: &str) -> Result<(), AppError> {
    on_db!(db, |pool| {
        sqlx::query(
        "INSERT INTO settings (id, org_name, time_zone) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING"
    )
    .bind(org_name)
    .bind(time_zone)
    .execute(pool)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
