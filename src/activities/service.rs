//! The one home of activity rules: what a valid activity is (for a scored rep, of an active
//! type, not in the future), logging a tap, deleting one's own, and writing integrations'
//! records and imports, all through [`super::store`] and announced live. The quick log,
//! `/api/v1/activities`, the CSV import and the demo seed are doors into here.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::repo;
use super::store::{self, ActivityWrite};
use super::{ActivityTypeView, ExplainLine, Logged, MyScore, TodayActivity};
use crate::activity_types::service::{activity_types, weight_table};
use crate::auth::session::User;
use crate::error::{AppError, FieldError};
use crate::fields::upsert_key;
use crate::leaderboard::service as board;
use crate::live::{Live, LiveKind};
use crate::people::service as people;
use crate::scoring::{self, ActivityTypeRule, Period};
use crate::server::db::Db;
use crate::server::org;
use crate::sources::Writer;

/// How far ahead of the server's clock an activity may be dated (a device's clock skew).
/// Anything later is refused: a rep cannot be credited now for work not yet done.
pub const MAX_AHEAD: Duration = Duration::minutes(5);
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_DURATION: i64 = 7 * 24 * 3600;
pub const MAX_NOTE: usize = 2000;
pub const MAX_ACCOUNT: usize = 200;

/// One activity as a door received it (API body, CSV row).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Email of the rep it counts for (an active account with a sales role).
    #[schema(example = "ada@example.com")]
    pub rep_email: String,
    /// Activity type key, e.g. `call`.
    #[serde(rename = "type")]
    #[schema(example = "call")]
    pub kind: String,
    /// When it happened (RFC 3339 with offset); scored on the organisation-local date. At
    /// most 5 minutes ahead of the server's clock.
    pub occurred_at: DateTime<Utc>,
    /// Units (default 1).
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 1000000, default = 1)]
    pub quantity: i64,
    /// Calls shorter than their type's minimum duration are kept but do not count.
    #[schema(minimum = 0, maximum = 604800)]
    pub duration_seconds: Option<i64>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    #[schema(max_length = 200)]
    pub account: Option<String>,
    /// The sending system, e.g. `hubspot`. With `external_id`, the upsert key: sending the
    /// same pair again updates that activity instead of adding one.
    #[schema(max_length = 100)]
    pub source: Option<String>,
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
}

fn one() -> i64 {
    1
}

pub const FIELDS: [&str; 9] = [
    "rep_email",
    "type",
    "occurred_at",
    "quantity",
    "duration_seconds",
    "note",
    "account",
    "source",
    "external_id",
];

/// Reads one activity record, naming every bad field.
pub fn parse(
    value: &Value,
    index: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<ActivityInput> {
    crate::fields::read(value, index, &FIELDS, errors, |f| {
        let rep_email = f.required_text("rep_email", 254);
        let kind = f.required_text("type", 64);
        let occurred_at = f.required_instant("occurred_at");
        let quantity = f.int("quantity", 1, MAX_QUANTITY);
        let duration_seconds = f.int("duration_seconds", 0, MAX_DURATION);
        let note = f.text("note", MAX_NOTE);
        let account = f.text("account", MAX_ACCOUNT);
        let (source, external_id) = upsert_key(f);
        Some(ActivityInput {
            rep_email: rep_email?,
            kind: kind?,
            occurred_at: occurred_at?,
            quantity: quantity.unwrap_or(1),
            duration_seconds,
            note,
            account,
            source,
            external_id,
        })
    })
}

/// Turns activities into rows ready to store: the rep must be scored, the type active, the
/// moment not in the future. Every problem is named with the item's index; nothing is
/// returned unless all are good.
pub async fn resolve(
    db: &Db,
    items: Vec<(Option<i64>, ActivityInput)>,
) -> Result<Vec<ActivityWrite>, AppError> {
    let settings = org::load(db).await?;
    let types: HashMap<String, ActivityTypeRule> = activity_types(db)
        .await?
        .into_iter()
        .map(|t| (t.key.clone(), t))
        .collect();
    let accounts = people::accounts(db).await?;
    let latest = Utc::now() + MAX_AHEAD;
    let mut errors = Vec::new();
    let mut writes = Vec::with_capacity(items.len());
    for (index, a) in items {
        let rep = people::resolve_rep(&accounts, &a.rep_email);
        if let Err(m) = &rep {
            errors.push(FieldError::new("rep_email", m.clone()).at(index));
        }
        let rule = types.get(a.kind.trim());
        if rule.is_none() {
            errors.push(
                FieldError::new("type", format!("unknown activity type '{}'", a.kind)).at(index),
            );
        }
        if a.occurred_at > latest {
            errors.push(
                FieldError::new(
                    "occurred_at",
                    "is in the future; an activity is logged once it has happened",
                )
                .at(index),
            );
        }
        if !(1..=MAX_QUANTITY).contains(&a.quantity) {
            errors.push(
                FieldError::new("quantity", format!("must be between 1 and {MAX_QUANTITY}"))
                    .at(index),
            );
        }
        if a.duration_seconds
            .is_some_and(|d| !(0..=MAX_DURATION).contains(&d))
        {
            errors.push(
                FieldError::new("duration_seconds", "must be between 0 and 604800").at(index),
            );
        }
        if let (Ok(rep_id), Some(rule)) = (rep, rule) {
            writes.push(ActivityWrite {
                rep_id,
                activity_type_id: rule.id,
                local_date: settings.local_date(a.occurred_at),
                occurred_at: a.occurred_at,
                quantity: a.quantity,
                duration_seconds: a.duration_seconds,
                qualifies: rule.qualifies(a.duration_seconds),
                note: a.note,
                account: a.account,
                source: a.source,
                external_id: a.external_id,
                client_key: None,
            });
        }
    }
    AppError::check(errors)?;
    Ok(writes)
}

pub async fn type_views(db: &Db) -> Result<Vec<ActivityTypeView>, AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let types = activity_types(db).await?;
    let weights = weight_table(db).await?;
    Ok(types
        .into_iter()
        .map(|t| ActivityTypeView {
            weight: weights
                .weight_on(t.id, today)
                .map(|w| w.weight)
                .unwrap_or_default(),
            key: t.key,
            label: t.label,
            icon: t.icon,
            leading: t.leading,
            daily_cap: t.daily_cap,
        })
        .collect())
}

/// How long a tap may wait on a phone (offline) and still be logged at the moment it was
/// made. Older ones are refused rather than slipped into a day the rep can no longer see or
/// correct on the phone.
pub fn max_tap_wait() -> Duration {
    Duration::hours(48)
}

/// Logs one unit of a type for the signed-in rep, at the moment of the tap: `tapped_at` for a
/// tap kept on the phone while offline (a phone clock ahead of ours counts as now), else now.
/// `client_key` makes retries safe: the same key twice stores one activity.
pub async fn log_tap(
    db: &Db,
    live: &Live,
    user: &User,
    type_key: &str,
    client_key: Option<&str>,
    tapped_at: Option<DateTime<Utc>>,
) -> Result<Logged, AppError> {
    people::require_scored(user)?;
    if client_key.is_some_and(|k| k.len() > 100) {
        return Err(AppError::BadRequest("The entry key is too long.".into()));
    }
    let settings = org::load(db).await?;
    let types = activity_types(db).await?;
    let t = types
        .iter()
        .find(|t| t.key == type_key)
        .ok_or_else(|| AppError::NotFound(format!("Activity type '{type_key}'")))?;
    let now = Utc::now();
    let at = match tapped_at {
        Some(t) if now - t > max_tap_wait() => {
            return Err(AppError::BadRequest(
                "This tap waited on the phone for more than two days, so it was not logged.".into(),
            ))
        }
        Some(t) if t < now => t,
        _ => now,
    };
    let write = ActivityWrite {
        rep_id: user.id,
        activity_type_id: t.id,
        occurred_at: at,
        local_date: settings.local_date(at),
        quantity: 1,
        duration_seconds: None,
        qualifies: t.qualifies(None),
        note: None,
        account: None,
        source: None,
        external_id: None,
        client_key: client_key.map(str::to_string),
    };
    let mut tx = db.begin_write().await?;
    let written = store::write(&mut tx, &Writer::Person(user.email.clone()), &write).await?;
    tx.commit().await?;
    if written.created {
        live.changed(LiveKind::Activity).await;
    }
    Ok(Logged {
        id: written.id,
        duplicate: !written.created,
    })
}

/// Deletes one of the rep's own activities of today.
pub async fn delete_own_today(db: &Db, live: &Live, user: &User, id: i64) -> Result<(), AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let mine_today = repo::rep_activities_on(db, user.id, today).await?;
    if !mine_today.iter().any(|a| a.id == id) {
        return Err(AppError::NotFound(
            "That activity of yours from today".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    store::delete(&mut tx, user.id, id).await?;
    tx.commit().await?;
    live.changed(LiveKind::Activity).await;
    Ok(())
}

/// What a rep typed to change one of today's activities, as typed (so errors can keep it).
#[derive(Debug, Clone, Default)]
pub struct ActivityEdit {
    pub note: String,
    pub duration_minutes: String,
    pub account: String,
}

/// An edit once parsed: `None` clears the detail.
struct ParsedEdit {
    duration_seconds: Option<i64>,
    note: Option<String>,
    account: Option<String>,
}

/// Parses an edit: every bad field is named; blanks clear the detail.
fn parse_edit(e: &ActivityEdit) -> Result<ParsedEdit, AppError> {
    let mut errors = Vec::new();
    let text = |v: &str, field: &str, max: usize, errors: &mut Vec<FieldError>| {
        let v = v.trim();
        if v.chars().count() > max {
            errors.push(FieldError::new(field, format!("at most {max} characters")));
        }
        (!v.is_empty()).then(|| v.to_string())
    };
    let note = text(&e.note, "note", 500, &mut errors);
    let account = text(&e.account, "account", 200, &mut errors);
    let minutes = e.duration_minutes.trim();
    let duration = if minutes.is_empty() {
        None
    } else {
        match minutes.parse::<i64>() {
            Ok(m) if (0..=24 * 60).contains(&m) => Some(m * 60),
            _ => {
                errors.push(FieldError::new(
                    "duration_minutes",
                    "a whole number of minutes from 0 to 1440",
                ));
                None
            }
        }
    };
    if errors.is_empty() {
        Ok(ParsedEdit {
            duration_seconds: duration,
            note,
            account,
        })
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Changes the note, duration or account of one of the rep's own activities of today; a
/// duration long enough for the type's minimum makes it count.
pub async fn edit_own_today(
    db: &Db,
    live: &Live,
    user: &User,
    id: i64,
    edit: &ActivityEdit,
) -> Result<(), AppError> {
    let settings = org::load(db).await?;
    let mine_today = repo::rep_activities_on(db, user.id, settings.today()).await?;
    let Some(old) = mine_today.iter().find(|a| a.id == id) else {
        return Err(AppError::NotFound(
            "That activity of yours from today".into(),
        ));
    };
    let ParsedEdit {
        duration_seconds,
        note,
        account,
    } = parse_edit(edit)?;
    let types = activity_types(db).await?;
    let qualifies = types
        .iter()
        .find(|t| t.id == old.activity_type_id)
        .map(|t| t.qualifies(duration_seconds))
        .unwrap_or(old.qualifies);
    let details = store::ActivityDetails {
        duration_seconds,
        qualifies,
        note,
        account,
    };
    let mut tx = db.begin_write().await?;
    let changed = store::edit(&mut tx, user.id, id, &details).await?;
    tx.commit().await?;
    if changed.is_none() {
        return Err(AppError::NotFound(
            "That activity of yours from today".into(),
        ));
    }
    live.changed(LiveKind::Activity).await;
    Ok(())
}

pub async fn my_score(
    db: &Db,
    live: &crate::live::Live,
    user: &User,
    period: &str,
) -> Result<MyScore, AppError> {
    let kind = board::parse_period_kind(period)?;
    let settings = org::load(db).await?;
    let today = settings.today();
    let period = Period::containing(kind, today, settings.fiscal_start());
    let board = board::leaderboard_memo(db, live, &settings.org_name, period, None).await?;
    let types = crate::activity_types::service::scoring_types(db).await?;
    let weights = weight_table(db).await?;
    let rollups = repo::rollups(db, period.start, period.end, Some(user.id)).await?;
    let breakdown = scoring::score_rep(user.id, &rollups, &types, &weights, &period);
    let tz = settings.tz();
    let label_of = |type_id: i64| {
        types
            .iter()
            .find(|t| t.id == type_id)
            .map(|t| (t.label.clone(), t.icon.clone()))
            .unwrap_or_else(|| ("(removed type)".to_string(), String::new()))
    };
    let lines = breakdown
        .lines
        .iter()
        .map(|l| {
            let (label, icon) = label_of(l.activity_type_id);
            ExplainLine {
                label,
                icon,
                units: l.units,
                counted_units: l.counted_units,
                weight: l.weight,
                weight_from: l
                    .weight_version_id
                    .and_then(|v| weights.versions().find(|w| w.id == v))
                    .map(|v| v.effective_from),
                points: l.points,
            }
        })
        .collect();
    let today_list = repo::rep_activities_on(db, user.id, today)
        .await?
        .into_iter()
        .map(|a| {
            let (label, icon) = label_of(a.activity_type_id);
            TodayActivity {
                id: a.id,
                type_key: types
                    .iter()
                    .find(|t| t.id == a.activity_type_id)
                    .map(|t| t.key.clone())
                    .unwrap_or_default(),
                label,
                icon,
                note: a.note.clone().unwrap_or_default(),
                account: a.account.clone().unwrap_or_default(),
                duration_minutes: a.duration_seconds.map(|d| (d + 59) / 60),
                time: a.occurred_at.with_timezone(&tz).format("%H:%M").to_string(),
                quantity: a.quantity,
                counts: a.qualifies,
            }
        })
        .collect();
    let mine = board.entries.iter().find(|e| e.rep_id == user.id);
    let team_rank = match user.team_id {
        Some(team) => {
            let team_board =
                board::leaderboard_memo(db, live, &settings.org_name, period, Some(team)).await?;
            board::rank_of(&team_board, user.id)
        }
        None => None,
    };
    Ok(MyScore {
        team_rank,
        team: user.team_name.clone(),
        name: user.name.clone(),
        period_label: period.label(),
        total: breakdown.total,
        rank: board::rank_of(&board, user.id),
        index_tenths: mine.map(|e| e.index_tenths).unwrap_or(0),
        lines,
        today: today_list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_one(v: Value) -> (Option<ActivityInput>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let out = parse(&v, Some(0), &mut errors);
        (out, errors)
    }

    #[test]
    fn the_parser_and_the_documented_schema_agree() {
        let samples = [
            json!({"rep_email": "a@x.io", "type": "call", "occurred_at": "2026-03-02T14:05:00+01:00"}),
            json!({"rep_email": "a@x.io", "type": "call", "occurred_at": "2026-03-02T14:05:00Z", "quantity": 3,
                   "duration_seconds": 95, "note": "n", "account": "Acme", "source": "crm", "external_id": "7"}),
        ];
        for s in samples {
            let (ours, errors) = parse_one(s.clone());
            assert!(errors.is_empty(), "{errors:?}");
            let documented: ActivityInput = serde_json::from_value(s).unwrap();
            assert_eq!(ours.unwrap(), documented);
        }
        let schema =
            serde_json::to_value(<ActivityInput as utoipa::PartialSchema>::schema()).unwrap();
        let mut props: Vec<String> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        props.sort();
        let mut fields: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
        fields.sort();
        assert_eq!(props, fields);
    }

    #[test]
    fn every_bad_field_is_named() {
        let (out, errors) = parse_one(
            json!({"type": 5, "occurred_at": "yesterday", "quantity": 0, "qty": 1, "source": "crm"}),
        );
        assert!(out.is_none());
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "external_id",
                "occurred_at",
                "qty",
                "quantity",
                "rep_email",
                "type"
            ]
        );
    }
}
