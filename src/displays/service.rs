//! The one home of display rules: creating one (a secret link shown once), changing what
//! it shows, listing them. Revoking is `server::tokens::revoke`, shared with API tokens.

use chrono::Utc;
use serde_json::json;

use super::{DisplayConfig, DisplayForm, Slide};
use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::server::audit;
use crate::server::db::Db;
use crate::server::secrets::{hash_token, new_token};
use crate::{on_db, on_tx};

/// Seconds a slide stays up by default, and the bounds.
pub use super::DEFAULT_SECONDS;
pub const MIN_SECONDS: i64 = 5;
pub const MAX_SECONDS: i64 = 600;

/// A display as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayDraft {
    pub name: String,
    /// A team name; `None` for the whole organisation.
    pub team: Option<String>,
    /// Empty for the default set.
    pub slides: Vec<Slide>,
    pub seconds_per_slide: i64,
    pub privacy: bool,
    pub sound: bool,
    /// A leaderboard metric key; empty for the activity score.
    pub ranking_metric: String,
}

impl DisplayDraft {
    /// A display of the whole organisation with the default slides.
    pub fn named(name: &str) -> DisplayDraft {
        DisplayDraft {
            name: name.to_string(),
            team: None,
            slides: Vec::new(),
            seconds_per_slide: DEFAULT_SECONDS,
            privacy: false,
            sound: false,
            ranking_metric: String::new(),
        }
    }
}

/// Reads the desk's form: field errors name the form's fields.
pub fn parse_form(form: &DisplayForm) -> Result<DisplayDraft, AppError> {
    let mut errors = Vec::new();
    let mut slides = Vec::new();
    for key in &form.slides {
        match Slide::parse(key) {
            Some(s) if !slides.contains(&s) => slides.push(s),
            Some(_) => {}
            None => errors.push(FieldError::new("slides", format!("“{key}” is not a slide"))),
        }
    }
    let seconds = match form.seconds.trim() {
        "" => DEFAULT_SECONDS,
        s => s.parse::<i64>().unwrap_or(-1),
    };
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&seconds) {
        errors.push(FieldError::new(
            "seconds",
            format!("must be a whole number of seconds from {MIN_SECONDS} to {MAX_SECONDS}"),
        ));
    }
    AppError::check(errors)?;
    let team = form.team.trim();
    Ok(DisplayDraft {
        name: form.name.trim().to_string(),
        team: (!team.is_empty()).then(|| team.to_string()),
        slides,
        seconds_per_slide: seconds,
        privacy: form.privacy.is_some(),
        sound: form.sound.is_some(),
        ranking_metric: form.metric.trim().to_string(),
    })
}

/// Checks a draft and finds its team's id.
async fn check(db: &Db, draft: &DisplayDraft) -> Result<Option<i64>, AppError> {
    let mut errors = Vec::new();
    if draft.name.is_empty() || draft.name.chars().count() > 100 {
        errors.push(FieldError::new("name", "must have 1 to 100 characters"));
    }
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&draft.seconds_per_slide) {
        errors.push(FieldError::new(
            "seconds",
            format!("must be from {MIN_SECONDS} to {MAX_SECONDS} seconds"),
        ));
    }
    if !draft.ranking_metric.is_empty()
        && crate::leaderboard::service::rank_metric(db, Some(&draft.ranking_metric))
            .await
            .is_err()
    {
        errors.push(FieldError::new(
            "metric",
            format!(
                "“{}” is not a metric a ranking can use",
                draft.ranking_metric
            ),
        ));
    }
    let team_id = match &draft.team {
        None => None,
        Some(name) => {
            let id = crate::people::service::team_id(db, name).await?;
            if id.is_none() {
                errors.push(FieldError::new(
                    "team",
                    format!("there is no team “{name}”"),
                ));
            }
            id
        }
    };
    AppError::check(errors)?;
    Ok(team_id)
}

fn slides_text(slides: &[Slide]) -> String {
    slides.iter().map(|s| s.key()).collect::<Vec<_>>().join(",")
}

fn audit_view(d: &DisplayDraft) -> serde_json::Value {
    json!({
        "name": d.name,
        "team": d.team,
        "slides": if d.slides.is_empty() { "default".to_string() } else { slides_text(&d.slides) },
        "seconds_per_slide": d.seconds_per_slide,
        "privacy": d.privacy,
        "sound": d.sound,
        "ranking_metric": if d.ranking_metric.is_empty() { "activity_score" } else { d.ranking_metric.as_str() },
    })
}

/// Creates a display; returns `(id, token)`. The token is shown once and never stored.
pub async fn create(db: &Db, actor: &str, draft: &DisplayDraft) -> Result<(i64, String), AppError> {
    let team_id = check(db, draft).await?;
    let (token, hash) = new_token();
    let mut tx = db.begin_write().await?;
    let id: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO displays (name, token_hash, created_at, slides, seconds_per_slide, privacy, sound, team_id, ranking_metric) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(&draft.name)
    .bind(&hash)
    .bind(Utc::now())
    .bind(slides_text(&draft.slides))
    .bind(draft.seconds_per_slide)
    .bind(draft.privacy)
    .bind(draft.sound)
    .bind(team_id)
    .bind(&draft.ranking_metric)
    .fetch_one(c)
    .await
    })?;
    audit::record_in(
        &mut tx,
        actor,
        "create",
        &format!("display:{id}"),
        None,
        Some(audit_view(draft)),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    team_id: Option<i64>,
    team: Option<String>,
    slides: String,
    seconds_per_slide: i64,
    privacy: bool,
    sound: bool,
    ranking_metric: String,
    created_at: chrono::DateTime<Utc>,
    revoked: bool,
}

const SELECT: &str =
    "SELECT d.id, d.name, d.team_id, t.name AS team, d.slides, d.seconds_per_slide, \
    d.privacy, d.sound, d.ranking_metric, d.created_at, d.revoked_at IS NOT NULL AS revoked \
    FROM displays d LEFT JOIN teams t ON t.id = d.team_id";

fn config(r: Row) -> DisplayConfig {
    let chosen: Vec<Slide> = r.slides.split(',').filter_map(Slide::parse).collect();
    let default_slides = chosen.is_empty();
    DisplayConfig {
        id: r.id,
        name: r.name,
        team: r.team,
        team_id: r.team_id,
        slides: if default_slides {
            Slide::ALL.to_vec()
        } else {
            chosen
        },
        default_slides,
        seconds_per_slide: r.seconds_per_slide,
        privacy: r.privacy,
        sound: r.sound,
        ranking_metric: Some(r.ranking_metric).filter(|m| !m.is_empty()),
        created_at: r.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        revoked: r.revoked,
    }
}

/// Every display, the active ones first.
pub async fn list(db: &Db) -> Result<Vec<DisplayConfig>, AppError> {
    let sql = format!("{SELECT} ORDER BY d.revoked_at IS NOT NULL, d.id");
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(config).collect())
}

/// The display a TV token opens, unless it is unknown or revoked.
pub async fn for_token(db: &Db, token: &str) -> Result<Option<DisplayConfig>, AppError> {
    let sql = format!("{SELECT} WHERE d.token_hash = $1 AND d.revoked_at IS NULL");
    let row: Option<Row> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(hash_token(token))
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(config))
}

/// The displays area's data.
pub async fn desk(db: &Db) -> Result<super::DisplaysDesk, AppError> {
    let teams: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT name FROM teams ORDER BY name"
    )
    .fetch_all(pool)
    .await)?;
    let types = crate::activity_types::service::scoring_types(db).await?;
    Ok(super::DisplaysDesk {
        displays: list(db).await?,
        teams,
        metrics: crate::leaderboard::service::metric_choices(&types),
    })
}

/// Changes what an active display shows, audited (before → after) and announced: open TVs
/// reload their rotation.
pub async fn update(
    db: &Db,
    live: &Live,
    actor: &str,
    id: i64,
    draft: &DisplayDraft,
) -> Result<(), AppError> {
    let team_id = check(db, draft).await?;
    let mut tx = db.begin_write().await?;
    let sql = format!("{SELECT} WHERE d.id = $1 AND d.revoked_at IS NULL");
    let before: Option<Row> = on_tx!(&mut tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let before = before.ok_or_else(|| AppError::NotFound("That active display".into()))?;
    let before_draft = DisplayDraft {
        name: before.name.clone(),
        team: before.team.clone(),
        slides: before.slides.split(',').filter_map(Slide::parse).collect(),
        seconds_per_slide: before.seconds_per_slide,
        privacy: before.privacy,
        sound: before.sound,
        ranking_metric: before.ranking_metric.clone(),
    };
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE displays SET name = $1, team_id = $2, slides = $3, seconds_per_slide = $4, privacy = $5, sound = $6, \
         ranking_metric = $7 WHERE id = $8"
    )
    .bind(&draft.name)
    .bind(team_id)
    .bind(slides_text(&draft.slides))
    .bind(draft.seconds_per_slide)
    .bind(draft.privacy)
    .bind(draft.sound)
    .bind(&draft.ranking_metric)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    audit::record_in(
        &mut tx,
        actor,
        "update",
        &format!("display:{id}"),
        Some(audit_view(&before_draft)),
        Some(audit_view(draft)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Tokens).await;
    Ok(())
}
