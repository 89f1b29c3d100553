//! Logging activities and the rep's own score: quick-log, today's list, the explained total.

pub mod page;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod verify;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scoring::Points;

/// An activity type as the quick-log buttons show it, with the weight in force today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityTypeView {
    pub key: String,
    pub label: String,
    pub icon: String,
    pub leading: bool,
    pub weight: Points,
    pub daily_cap: Option<i64>,
}

/// One line of a score's explanation: type × units × weight (version) = points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplainLine {
    pub label: String,
    pub icon: String,
    pub units: i64,
    pub counted_units: i64,
    pub weight: Points,
    /// The day the weight used came into force (`None` when the type had no weight then).
    #[serde(with = "iso_day")]
    pub weight_from: Option<chrono::NaiveDate>,
    pub points: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayActivity {
    pub id: i64,
    /// The activity type's key, for the count on its quick-log button.
    pub type_key: String,
    pub label: String,
    pub icon: String,
    /// Local time of day, "14:05".
    pub time: String,
    pub quantity: i64,
    /// False when it is too short to count (minimum duration).
    pub counts: bool,
    /// Empty when none.
    pub note: String,
    pub account: String,
    /// Whole minutes, rounded up.
    pub duration_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyScore {
    pub name: String,
    pub period_label: String,
    pub total: Points,
    /// `(rank, of)` among everyone scored.
    pub rank: Option<(i32, i32)>,
    /// `(rank, of)` in the rep's own team, from the same leaderboard; `None` without a team.
    pub team_rank: Option<(i32, i32)>,
    /// The rep's team, "North".
    pub team: Option<String>,
    pub index_tenths: i32,
    pub lines: Vec<ExplainLine>,
    pub today: Vec<TodayActivity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logged {
    pub id: i64,
    /// True when this was a retry of an entry already stored (nothing was added).
    pub duplicate: bool,
}

#[server(endpoint = "activity_types")]
pub async fn list_activity_types() -> Result<Vec<ActivityTypeView>, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        crate::auth::session::require_user().await?;
        service::type_views(&state.db).await
    })
    .await
}

/// Logs one unit of an activity type for the signed-in rep. `client_key` makes retries
/// safe: the same key twice stores one activity. `tapped_at` (milliseconds since 1970) is
/// when a tap kept on the phone while offline was made; without it, now. A plain form post
/// (no JavaScript yet) is sent back to `/me` with a readable note of what happened.
#[server(endpoint = "log_activity")]
pub async fn log_activity(
    type_key: String,
    client_key: Option<String>,
    tapped_at: Option<i64>,
) -> Result<Logged, AppError> {
    crate::server::respond(async move {
        let result = async {
            let state = crate::server::state::app_state()?;
            let user = crate::auth::session::require_user().await?;
            let client_key = client_key.filter(|k| !k.trim().is_empty());
            let tapped_at = match tapped_at {
                Some(ms) => {
                    Some(chrono::DateTime::from_timestamp_millis(ms).ok_or_else(|| {
                        AppError::BadRequest("The tap's time is not valid.".into())
                    })?)
                }
                None => None,
            };
            service::log_tap(
                &state.db,
                &state.live,
                &user,
                &type_key,
                client_key.as_deref(),
                tapped_at,
            )
            .await
        }
        .await;
        if crate::server::is_form_post().await {
            leptos_axum::redirect(&page::FormNotice::after_log(&result).location());
        }
        result
    })
    .await
}

/// Deletes one of the signed-in rep's own activities of today.
#[server(endpoint = "delete_activity")]
pub async fn delete_activity(id: i64) -> Result<(), AppError> {
    crate::server::respond(async move {
        let result = async {
            let state = crate::server::state::app_state()?;
            let user = crate::auth::session::require_user().await?;
            service::delete_own_today(&state.db, &state.live, &user, id).await
        }
        .await;
        if crate::server::is_form_post().await {
            leptos_axum::redirect(&page::FormNotice::after_delete(&result).location());
        }
        result
    })
    .await
}

/// Changes the note, duration (whole minutes) or account of one of the signed-in rep's own
/// activities of today; blanks clear them.
#[server(endpoint = "edit_activity")]
pub async fn edit_activity(
    id: i64,
    note: String,
    duration_minutes: String,
    account: String,
) -> Result<(), AppError> {
    crate::server::respond(async move {
        let edit = service::ActivityEdit {
            note,
            duration_minutes,
            account,
        };
        let result = async {
            let state = crate::server::state::app_state()?;
            let user = crate::auth::session::require_user().await?;
            service::edit_own_today(&state.db, &state.live, &user, id, &edit).await
        }
        .await;
        // Without JavaScript: back to /me, saying so, or with what was typed and why.
        if crate::server::is_form_post().await {
            let to = match &result {
                Ok(()) => page::FormNotice::Saved.location(),
                Err(AppError::Unauthenticated) => page::FormNotice::SignIn.location(),
                Err(e) => page::EditReturn::refused(
                    id,
                    &edit.note,
                    &edit.duration_minutes,
                    &edit.account,
                    e,
                )
                .location(),
            };
            leptos_axum::redirect(&to);
        }
        result
    })
    .await
}

#[server(endpoint = "my_score")]
pub async fn get_my_score(period: String) -> Result<MyScore, AppError> {
    crate::server::respond(async move {
        let state = crate::server::state::app_state()?;
        let user = crate::auth::session::require_user().await?;
        service::my_score(&state.db, &state.live, &user, &period).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod service;

/// A day as `YYYY-MM-DD` on the wire, read without chrono's general parser: the rep's first
/// bundle decodes [`ExplainLine`], and chrono's parser (the one behind `NaiveDate`'s own
/// `Deserialize`) would be most of chrono in it.
mod iso_day {
    use chrono::{Datelike, NaiveDate};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(day: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match day {
            Some(d) => {
                s.serialize_some(&format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
            }
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        let mut parts = text.splitn(3, '-').map(str::parse::<u32>);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(y)), Some(Ok(m)), Some(Ok(day))) => {
                NaiveDate::from_ymd_opt(y as i32, m, day).map(Some)
            }
            _ => None,
        }
        .ok_or_else(|| D::Error::custom(format!("not a day (YYYY-MM-DD): {text}")))
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Line {
            #[serde(with = "super")]
            day: Option<chrono::NaiveDate>,
        }

        #[test]
        fn a_day_goes_and_comes_back_as_chrono_writes_it() {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 7);
            let json = serde_json::to_string(&Line { day }).unwrap();
            assert_eq!(json, r#"{"day":"2026-03-07"}"#);
            assert_eq!(json, format!(r#"{{"day":"{}"}}"#, day.unwrap()));
            assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), Line { day });
            assert_eq!(
                serde_json::from_str::<Line>(r#"{"day":null}"#).unwrap(),
                Line { day: None }
            );
            assert!(serde_json::from_str::<Line>(r#"{"day":"2026-02-30"}"#).is_err());
            assert!(serde_json::from_str::<Line>(r#"{"day":"yesterday"}"#).is_err());
        }
    }
}
