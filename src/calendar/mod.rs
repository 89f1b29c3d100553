//! The working calendar on the manager's desk: the working week and organisation holidays
//! (admins) and rep absences (admins for anyone, managers for their own team's reps).

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::AccessRole;
use crate::error::AppError;

/// An organisation holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRow {
    pub day: NaiveDate,
    pub name: String,
}

/// A rep's absence as the desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceRow {
    pub id: i64,
    pub rep_id: i64,
    pub rep_name: String,
    pub team: Option<String>,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
    pub reason: String,
    /// Working days it takes off within the year shown.
    pub working_days: i64,
}

/// A rep whose absences the viewer may record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepChoice {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
}

/// What the calendar desk shows one person for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDesk {
    pub role: AccessRole,
    /// The viewer's team (what a manager's view is limited to).
    pub team: Option<String>,
    pub today: NaiveDate,
    pub year: i32,
    /// Years worth offering in the year picker.
    pub years: Vec<i32>,
    /// Monday first.
    pub working_weekdays: [bool; 7],
    /// Organisation working days in the year (working week minus holidays).
    pub working_days_in_year: i64,
    pub holidays: Vec<HolidayRow>,
    pub absences: Vec<AbsenceRow>,
    pub reps: Vec<RepChoice>,
}

/// Reads a `YYYY-MM-DD` form field, naming the field when it is not a date.
#[cfg(feature = "ssr")]
fn parse_day(
    field: &str,
    value: &str,
    errors: &mut Vec<crate::error::FieldError>,
) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(crate::error::FieldError::new(
            field,
            "must be a date YYYY-MM-DD",
        ));
    }
    parsed
}

/// The calendar desk for one year (default: this year). Managers see their own team only.
#[server(endpoint = "calendar_desk")]
pub async fn get_calendar_desk(year: Option<i32>) -> Result<CalendarDesk, AppError> {
    crate::server::respond(async move {
        let user = crate::auth::session::require_user().await?;
        let state = crate::server::state::app_state()?;
        service::desk(&state.db, &user, year).await
    })
    .await
}

/// Sets the working week: `days` are ISO weekdays (`1` Monday … `7` Sunday). Admins only.
#[server(endpoint = "admin_set_working_week")]
pub async fn admin_set_working_week(days: Option<Vec<String>>) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let days: Vec<i64> = days
            .unwrap_or_default()
            .iter()
            .map(|d| d.trim().parse().unwrap_or(0))
            .collect();
        service::set_working_week(&state.db, &state.live, &admin.email, days).await
    })
    .await
}

/// Adds an organisation holiday (`day` is `YYYY-MM-DD`). Admins only.
#[server(endpoint = "admin_add_holiday")]
pub async fn admin_add_holiday(day: String, name: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let mut errors = Vec::new();
        let day = parse_day("day", &day, &mut errors);
        AppError::check(errors)?;
        let day = day.ok_or(AppError::Internal)?;
        service::add_holiday(&state.db, &state.live, &admin.email, day, &name).await
    })
    .await
}

/// Removes an organisation holiday. Admins only.
#[server(endpoint = "admin_remove_holiday")]
pub async fn admin_remove_holiday(day: String) -> Result<(), AppError> {
    crate::server::respond(async move {
        let admin = crate::auth::session::require_admin().await?;
        let state = crate::server::state::app_state()?;
        let mut errors = Vec::new();
        let day = parse_day("day", &day, &mut errors);
        AppError::check(errors)?;
        let day = day.ok_or(AppError::Internal)?;
        service::remove_holiday(&state.db, &state.live, &admin.email, day).await
    })
    .await
}

/// Records a rep's absence from `start` to `end` (both included). Admins for anyone,
/// managers for the reps of their own team.
#[server(endpoint = "add_absence")]
pub async fn add_absence(
    rep_id: String,
    start: String,
    end: String,
    reason: String,
) -> Result<i64, AppError> {
    crate::server::respond(async move {
        let user = crate::auth::session::require_user().await?;
        let reach = service::Reach::of(&user)?;
        let state = crate::server::state::app_state()?;
        let mut errors = Vec::new();
        let rep = rep_id.trim().parse::<i64>().ok();
        if rep.is_none() {
            errors.push(crate::error::FieldError::new("rep_id", "choose a rep"));
        }
        let (start, end) = (
            parse_day("start", &start, &mut errors),
            parse_day("end", &end, &mut errors),
        );
        let (Some(rep_id), Some(start), Some(end)) = (rep, start, end) else {
            return Err(AppError::Invalid(errors));
        };
        let draft = service::AbsenceDraft {
            rep_id,
            start,
            end,
            reason,
        };
        service::add_absence(&state.db, &state.live, &user.email, reach, draft).await
    })
    .await
}

/// Removes an absence. Admins any, managers only those of their own team's reps.
#[server(endpoint = "remove_absence")]
pub async fn remove_absence(id: i64) -> Result<(), AppError> {
    crate::server::respond(async move {
        let user = crate::auth::session::require_user().await?;
        let reach = service::Reach::of(&user)?;
        let state = crate::server::state::app_state()?;
        service::remove_absence(&state.db, &state.live, &user.email, reach, id).await
    })
    .await
}
