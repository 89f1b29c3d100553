//! The activity use cases behind the server functions (and the integration API).

use chrono::Utc;

use super::repo::{self, NewActivity, Written};
use super::{ActivityTypeView, ExplainLine, Logged, MyScore, TodayActivity};
use crate::error::AppError;
use crate::leaderboard::repo as board_repo;
use crate::scoring::{self, Period};
use crate::server::db::Db;
use crate::server::org;
use crate::server::session::User;

pub async fn type_views(db: &Db) -> Result<Vec<ActivityTypeView>, AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let types = repo::activity_types(db).await?;
    let weights = repo::weight_table(db).await?;
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

pub async fn log_now(
    db: &Db,
    user: &User,
    type_key: &str,
    client_key: Option<&str>,
) -> Result<Logged, AppError> {
    if user.sales_role_id.is_none() {
        return Err(AppError::BadRequest(
            "Your account has no sales role, so it has no score to log to.".into(),
        ));
    }
    if client_key.is_some_and(|k| k.len() > 100) {
        return Err(AppError::BadRequest("The entry key is too long.".into()));
    }
    let settings = org::load(db).await?;
    let types = repo::activity_types(db).await?;
    let t = types
        .iter()
        .find(|t| t.key == type_key)
        .ok_or_else(|| AppError::NotFound(format!("Activity type '{type_key}'")))?;
    let now = Utc::now();
    let written = repo::insert_activity(
        db,
        &NewActivity {
            rep_id: user.id,
            activity_type_id: t.id,
            occurred_at: now,
            local_date: settings.local_date(now),
            quantity: 1,
            duration_seconds: None,
            qualifies: t.qualifies(None),
            note: None,
            account: None,
            client_key,
        },
    )
    .await?;
    Ok(match written {
        Written::Created(id) => Logged {
            id,
            duplicate: false,
        },
        Written::AlreadyThere(id) => Logged {
            id,
            duplicate: true,
        },
    })
}

pub async fn delete_own_today(db: &Db, user: &User, id: i64) -> Result<(), AppError> {
    let settings = org::load(db).await?;
    let today = settings.today();
    let mine_today = repo::rep_activities_on(db, user.id, today).await?;
    if !mine_today.iter().any(|a| a.id == id) {
        return Err(AppError::NotFound(
            "That activity of yours from today".into(),
        ));
    }
    repo::delete_activity(db, user.id, id).await?;
    Ok(())
}

pub async fn my_score(db: &Db, user: &User, period: &str) -> Result<MyScore, AppError> {
    let kind = board_repo::parse_period_kind(period)?;
    let settings = org::load(db).await?;
    let today = settings.today();
    let period = Period::containing(kind, today, settings.fiscal_start());
    let board = board_repo::leaderboard_for(db, &settings.org_name, period, None).await?;
    let types = repo::activity_types(db).await?;
    let weights = repo::weight_table(db).await?;
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
                label,
                icon,
                time: a.occurred_at.with_timezone(&tz).format("%H:%M").to_string(),
                quantity: a.quantity,
                counts: a.qualifies,
            }
        })
        .collect();
    let mine = board.entries.iter().find(|e| e.rep_id == user.id);
    Ok(MyScore {
        name: user.name.clone(),
        period_label: period.label(),
        total: breakdown.total,
        rank: board_repo::rank_of(&board, user.id),
        index_tenths: mine.map(|e| e.index_tenths).unwrap_or(0),
        lines,
        today: today_list,
    })
}
