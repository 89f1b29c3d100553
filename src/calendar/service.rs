//! The one home of the working calendar's rules: the working week (kept in the settings),
//! organisation holidays and rep absences. Every change is checked, written with its audit
//! entry (before → after) in one transaction, and announced, so open scorecards and
//! leaderboards re-pace at once.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::json;

use super::{AbsenceRow, CalendarDesk, HolidayRow, RepChoice};
use crate::auth::session::User;
use crate::auth::AccessRole;
use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::scorecard::repo::parse_working_weekdays;
use crate::scoring::WorkCalendar;
use crate::server::audit;
use crate::server::db::{Db, Tx};
use crate::settings::service::{put_settings, SettingsDraft};
use crate::{on_db, on_tx, server::org};

/// The longest absence one entry may cover, in days (both ends included).
pub const MAX_ABSENCE_DAYS: i64 = 366;
pub const MAX_HOLIDAY_NAME: usize = 100;
pub const MAX_REASON: usize = 200;

/// Whose absences a person may change: everyone's (admins, the demo seed) or only those of
/// the reps of one team (a manager; `None` when the manager has no team, so nobody's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Everyone,
    Team(Option<i64>),
}

impl Reach {
    /// Admins reach everyone, managers their own team; reps may not change the calendar.
    pub fn of(user: &User) -> Result<Reach, AppError> {
        match user.role() {
            AccessRole::Admin => Ok(Reach::Everyone),
            AccessRole::Manager => Ok(Reach::Team(user.team_id)),
            AccessRole::Rep => Err(AppError::Forbidden),
        }
    }

    fn covers(self, team_id: Option<i64>) -> bool {
        match self {
            Reach::Everyone => true,
            Reach::Team(mine) => mine.is_some() && mine == team_id,
        }
    }
}

/// Sets the working week (ISO weekdays, 1 = Monday … 7 = Sunday; at least one). The week is
/// a setting: the settings service checks it, audits it and announces it.
pub async fn set_working_week(
    db: &Db,
    live: &Live,
    actor: &str,
    days: Vec<i64>,
) -> Result<(), AppError> {
    let draft = SettingsDraft {
        working_weekdays: Some(days),
        ..SettingsDraft::default()
    };
    put_settings(db, live, actor, draft).await?;
    Ok(())
}

/// A holiday as stored and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
struct Holiday {
    day: NaiveDate,
    name: String,
}

/// Adds an organisation holiday: the day stops being a working day for everyone.
pub async fn add_holiday(
    db: &Db,
    live: &Live,
    actor: &str,
    day: NaiveDate,
    name: &str,
) -> Result<(), AppError> {
    let name = name.trim();
    let mut errors = Vec::new();
    let mut tx = db.begin_write().await?;
    if let Some(old) = holiday_on(&mut tx, day).await? {
        errors.push(already_a_holiday(&old));
    }
    if name.is_empty() || name.chars().count() > MAX_HOLIDAY_NAME {
        errors.push(FieldError::new(
            "name",
            format!("must have 1 to {MAX_HOLIDAY_NAME} characters"),
        ));
    }
    AppError::check(errors)?;
    let added: Option<NaiveDate> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING RETURNING day"
    )
    .bind(day)
    .bind(name)
    .fetch_optional(c)
    .await
    })?;
    if added.is_none() {
        // Another request added the same day between the check and the insert.
        return Err(AppError::Invalid(vec![already_a_holiday(&Holiday {
            day,
            name: name.to_string(),
        })]));
    }
    let after = Holiday {
        day,
        name: name.to_string(),
    };
    audit::record_in(
        &mut tx,
        actor,
        "create",
        &format!("holiday:{day}"),
        None,
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(())
}

fn already_a_holiday(old: &Holiday) -> FieldError {
    FieldError::new(
        "day",
        format!("{} is already a holiday ({})", old.day, old.name),
    )
}

async fn holiday_on(tx: &mut Tx, day: NaiveDate) -> Result<Option<Holiday>, AppError> {
    let row = on_tx!(tx, |c| sqlx::query_as(
        "SELECT day, name FROM holidays WHERE day = $1"
    )
    .bind(day)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Removes an organisation holiday; the day is a working day again (if its weekday is).
pub async fn remove_holiday(
    db: &Db,
    live: &Live,
    actor: &str,
    day: NaiveDate,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let before = holiday_on(&mut tx, day)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("The holiday on {day}")))?;
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM holidays WHERE day = $1"
    )
    .bind(day)
    .execute(c)
    .await
    .map(|_| ()))?;
    audit::record_in(
        &mut tx,
        actor,
        "delete",
        &format!("holiday:{day}"),
        Some(json!(before)),
        None,
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(())
}

/// A new absence: a rep away from `start` to `end`, both included (org-local dates).
#[derive(Debug, Clone)]
pub struct AbsenceDraft {
    pub rep_id: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub reason: String,
}

/// An absence as stored and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
struct Absence {
    id: i64,
    rep_id: i64,
    rep_email: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    reason: String,
}

#[derive(sqlx::FromRow)]
struct Person {
    email: String,
    team_id: Option<i64>,
}

/// Locks the rep's row for the rest of the transaction, so that two absences for the same
/// rep are checked for overlap one after the other on both engines.
const LOCK_REP: &str =
    "UPDATE users SET id = id WHERE id = $1 AND active = TRUE RETURNING email, team_id";
const OVERLAPPING: &str = "SELECT a.id, a.user_id AS rep_id, u.email AS rep_email, a.start_date, \
    a.end_date, a.reason FROM absences a JOIN users u ON u.id = a.user_id \
    WHERE a.user_id = $1 AND a.start_date <= $2 AND a.end_date >= $3 ORDER BY a.start_date LIMIT 1";

/// Records a rep's absence. Refused (nothing written) when the dates are out of order, the
/// absence is longer than [`MAX_ABSENCE_DAYS`], it overlaps another absence of the same rep,
/// or the rep is unknown; a manager may only record absences of their own team's reps.
pub async fn add_absence(
    db: &Db,
    live: &Live,
    actor: &str,
    reach: Reach,
    draft: AbsenceDraft,
) -> Result<i64, AppError> {
    let reason = draft.reason.trim().to_string();
    let mut errors = Vec::new();
    if draft.end < draft.start {
        errors.push(FieldError::new("end", "must be on or after the first day"));
    } else if (draft.end - draft.start).num_days() + 1 > MAX_ABSENCE_DAYS {
        errors.push(FieldError::new(
            "end",
            format!(
                "an absence covers at most {MAX_ABSENCE_DAYS} days; record a longer one in parts"
            ),
        ));
    }
    if reason.chars().count() > MAX_REASON {
        errors.push(FieldError::new(
            "reason",
            format!("must have at most {MAX_REASON} characters"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let rep: Option<Person> = on_tx!(&mut tx, |c| sqlx::query_as(LOCK_REP)
        .bind(draft.rep_id)
        .fetch_optional(c)
        .await)?;
    let rep = match rep {
        Some(rep) if reach.covers(rep.team_id) => rep,
        None if reach == Reach::Everyone => {
            errors.push(FieldError::new(
                "rep_id",
                "is not an active person; choose a rep",
            ));
            return Err(AppError::Invalid(errors));
        }
        // A manager does not learn whether someone outside their team exists.
        _ => return Err(AppError::Forbidden),
    };
    AppError::check(errors)?;
    let clash: Option<Absence> = on_tx!(&mut tx, |c| sqlx::query_as(OVERLAPPING)
        .bind(draft.rep_id)
        .bind(draft.end)
        .bind(draft.start)
        .fetch_optional(c)
        .await)?;
    if let Some(other) = clash {
        return Err(AppError::invalid(
            "start",
            format!(
                "overlaps this rep's absence from {} to {}; change that one or pick other days",
                other.start_date, other.end_date
            ),
        ));
    }
    let id: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO absences (user_id, start_date, end_date, reason) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(draft.rep_id)
    .bind(draft.start)
    .bind(draft.end)
    .bind(&reason)
    .fetch_one(c)
    .await
    })?;
    let after = Absence {
        id,
        rep_id: draft.rep_id,
        rep_email: rep.email,
        start_date: draft.start,
        end_date: draft.end,
        reason,
    };
    audit::record_in(
        &mut tx,
        actor,
        "create",
        &format!("absence:{id}"),
        None,
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(id)
}

/// Removes an absence; a manager only one of their own team's reps. An absence the caller
/// may not reach looks the same as one that does not exist to a manager.
pub async fn remove_absence(
    db: &Db,
    live: &Live,
    actor: &str,
    reach: Reach,
    id: i64,
) -> Result<(), AppError> {
    const ONE: &str = "SELECT a.id, a.user_id AS rep_id, u.email AS rep_email, a.start_date, \
        a.end_date, a.reason FROM absences a JOIN users u ON u.id = a.user_id WHERE a.id = $1";
    let mut tx = db.begin_write().await?;
    let before: Option<Absence> = on_tx!(&mut tx, |c| sqlx::query_as(ONE)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let team: Option<Option<i64>> = match &before {
        Some(a) => on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT team_id FROM users WHERE id = $1"
        )
        .bind(a.rep_id)
        .fetch_optional(c)
        .await)?,
        None => None,
    };
    let before = match (before, team) {
        (Some(a), Some(team)) if reach.covers(team) => a,
        _ if reach != Reach::Everyone => return Err(AppError::Forbidden),
        _ => return Err(AppError::NotFound("The absence".into())),
    };
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM absences WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    audit::record_in(
        &mut tx,
        actor,
        "delete",
        &format!("absence:{id}"),
        Some(json!(before)),
        None,
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ListedAbsence {
    id: i64,
    rep_id: i64,
    rep_name: String,
    team: Option<String>,
    team_id: Option<i64>,
    start_date: NaiveDate,
    end_date: NaiveDate,
    reason: String,
}

#[derive(sqlx::FromRow)]
struct ListedRep {
    id: i64,
    name: String,
    team: Option<String>,
    team_id: Option<i64>,
}

/// The calendar desk for `viewer` and one year: the working week, that year's holidays, the
/// absences that touch that year (a manager: only their team's) and the reps whose absences
/// the viewer may record.
pub async fn desk(db: &Db, viewer: &User, year: Option<i32>) -> Result<CalendarDesk, AppError> {
    let reach = Reach::of(viewer)?;
    let settings = org::load(db).await?;
    let today = settings.today();
    let year = year
        .filter(|y| (1970..=2200).contains(y))
        .unwrap_or(today.year());
    let (first, last) = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err(AppError::Internal),
    };
    let holidays: Vec<HolidayRow> = on_db!(db, |pool| sqlx::query_as::<_, Holiday>(
        "SELECT day, name FROM holidays WHERE day >= $1 AND day <= $2 ORDER BY day"
    )
    .bind(first)
    .bind(last)
    .fetch_all(pool)
    .await)?
    .into_iter()
    .map(|h| HolidayRow {
        day: h.day,
        name: h.name,
    })
    .collect();
    let calendar = WorkCalendar::new(
        parse_working_weekdays(&settings.working_weekdays),
        holidays.iter().map(|h| h.day),
    );
    const ABSENCES: &str = "SELECT a.id, a.user_id AS rep_id, u.name AS rep_name, t.name AS team, \
        u.team_id, a.start_date, a.end_date, a.reason FROM absences a JOIN users u ON u.id = a.user_id \
        LEFT JOIN teams t ON t.id = u.team_id WHERE a.start_date <= $1 AND a.end_date >= $2 \
        ORDER BY a.start_date, u.name, a.id";
    let listed: Vec<ListedAbsence> = on_db!(db, |pool| sqlx::query_as(ABSENCES)
        .bind(last)
        .bind(first)
        .fetch_all(pool)
        .await)?;
    // Holidays outside the year do not matter for days inside it.
    let absences = listed
        .into_iter()
        .filter(|a| reach.covers(a.team_id))
        .map(|a| AbsenceRow {
            working_days: calendar.working_days(a.start_date.max(first), a.end_date.min(last)),
            id: a.id,
            rep_id: a.rep_id,
            rep_name: a.rep_name,
            team: a.team,
            start: a.start_date,
            end: a.end_date,
            reason: a.reason,
        })
        .collect();
    const REPS: &str = "SELECT u.id, u.name, t.name AS team, u.team_id FROM users u \
        LEFT JOIN teams t ON t.id = u.team_id \
        WHERE u.active = TRUE AND u.sales_role_id IS NOT NULL ORDER BY t.name, u.name, u.id";
    let reps: Vec<ListedRep> = on_db!(db, |pool| sqlx::query_as(REPS).fetch_all(pool).await)?;
    let reps = reps
        .into_iter()
        .filter(|r| reach.covers(r.team_id))
        .map(|r| RepChoice {
            id: r.id,
            name: r.name,
            team: r.team,
        })
        .collect();
    let years_sql = "SELECT day FROM holidays ORDER BY day";
    let days: Vec<NaiveDate> = on_db!(db, |pool| sqlx::query_scalar(years_sql)
        .fetch_all(pool)
        .await)?;
    let mut years: Vec<i32> = days.iter().map(|d| d.year()).collect();
    years.extend([today.year(), today.year() + 1, year]);
    years.sort_unstable();
    years.dedup();
    Ok(CalendarDesk {
        role: viewer.role(),
        team: viewer.team_name.clone(),
        today,
        year,
        years,
        working_weekdays: parse_working_weekdays(&settings.working_weekdays),
        working_days_in_year: calendar.working_days(first, last),
        holidays,
        absences,
        reps,
    })
}
