//! The one home of the rules about people: who is scored, what a valid person is (email,
//! name, password, team), sales roles and the default one, and every change to a person
//! (audited in the same transaction, announced live). The admin page, `/api/v1/users`, the
//! command line and the demo seed all create people through [`create_person`].

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use crate::auth::session;
use crate::auth::AccessRole;
use crate::error::{AppError, FieldError};
use crate::live::{Live, LiveKind};
use crate::server::audit;
use crate::server::db::{Db, Tx};
use crate::server::secrets;
use crate::{on_db, on_tx};

/// The scored-rep rule: an active person with a sales role has a score, appears on
/// leaderboards and may have activities and deals. Managers and admins are scored only
/// when they are given a sales role.
pub fn is_scored(active: bool, sales_role_id: Option<i64>) -> bool {
    active && sales_role_id.is_some()
}

/// Refuses a signed-in person's own log (a tap, a deal) when they have no score to add it
/// to: the same words whichever page they log from.
pub fn require_scored(user: &crate::auth::session::User) -> Result<(), crate::error::AppError> {
    if is_scored(true, user.sales_role_id) {
        return Ok(());
    }
    Err(crate::error::AppError::BadRequest(
        "Your account has no sales role, so nothing you log would count. Ask an admin to give you one."
            .into(),
    ))
}

/// [`is_scored`] as SQL over `users u`. Keep the two together.
pub const SCORED_SQL: &str = "u.active = TRUE AND u.sales_role_id IS NOT NULL";

pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 200;
pub const MAX_NAME: usize = 100;
/// The longest team name accepted anywhere (admin page, API, import, command line).
pub const MAX_TEAM_NAME: usize = 100;
pub const MAX_ROLE_NAME: usize = 60;

/// Checks an email address enough to catch typos; the real check is that mail arrives.
pub fn parse_email(email: &str) -> Result<String, String> {
    let e = email.trim().to_lowercase();
    match e.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !e.contains(char::is_whitespace)
                && e.chars().count() <= 254 =>
        {
            Ok(e)
        }
        _ => Err(format!("'{}' is not an email address", email.trim())),
    }
}

/// A password is taken exactly as typed (never trimmed).
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(format!("must have at least {MIN_PASSWORD_LEN} characters"));
    }
    if n > MAX_PASSWORD_LEN || password.contains('\0') {
        return Err(format!(
            "must have at most {MAX_PASSWORD_LEN} characters and no NUL"
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.chars().count() > MAX_NAME || name.contains('\0') {
        return Err(format!("must have at most {MAX_NAME} characters"));
    }
    Ok(name.to_string())
}

fn check_team(team: &str) -> Result<Option<String>, String> {
    let team = team.trim();
    if team.is_empty() {
        return Ok(None);
    }
    if team.chars().count() > MAX_TEAM_NAME || team.contains('\0') {
        return Err(format!(
            "a team name has at most {MAX_TEAM_NAME} characters"
        ));
    }
    Ok(Some(team.to_string()))
}

/// The team of that name, created when new; `None` for no team.
async fn team_in(tx: &mut Tx, team: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(name) = team else {
        return Ok(None);
    };
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
    )
    .bind(name)
    .execute(c)
    .await
    .map(|_| ()))?;
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM teams WHERE name = $1"
    )
    .bind(name)
    .fetch_one(c)
    .await)?;
    Ok(Some(id))
}

/// The id of the team with this name, if there is one.
pub async fn team_id(db: &Db, name: &str) -> Result<Option<i64>, AppError> {
    let id = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM teams WHERE name = $1"
    )
    .bind(name.trim())
    .fetch_optional(pool)
    .await)?;
    Ok(id)
}

/// Who may be named as a rep by email: every account, with what makes it scored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub active: bool,
    pub sales_role_id: Option<i64>,
}

/// Every account by lower-case email.
pub async fn accounts(db: &Db) -> Result<HashMap<String, Account>, AppError> {
    const SQL: &str = "SELECT id, email, active, sales_role_id FROM users";
    let rows: Vec<Account> = on_db!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.email.to_lowercase(), r))
        .collect())
}

/// A rep named by email who can have activities, deals and targets (see [`is_scored`]).
pub fn resolve_rep(accounts: &HashMap<String, Account>, email: &str) -> Result<i64, String> {
    match accounts.get(&email.trim().to_lowercase()) {
        None => Err(format!("unknown rep '{email}'")),
        Some(a) if !a.active => Err(format!("rep '{email}' is deactivated")),
        Some(a) if !is_scored(a.active, a.sales_role_id) => Err(format!(
            "'{email}' has no sales role, so no score to add to; give them one first"
        )),
        Some(a) => Ok(a.id),
    }
}

/// A sales role (SDR, Account Executive…): what a rep's scorecard is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SalesRole {
    pub id: i64,
    pub key: String,
    pub name: String,
    /// Given to a rep created without a sales role.
    pub is_default: bool,
}

pub async fn sales_roles(db: &Db) -> Result<Vec<SalesRole>, AppError> {
    let rows = on_db!(db, |pool| sqlx::query_as(
        "SELECT id, key, name, is_default FROM sales_roles ORDER BY name"
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// A sales role key: 1 to 40 lowercase letters, digits or `_`.
pub fn valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

async fn role_by_key(tx: &mut Tx, key: &str) -> Result<Option<SalesRole>, AppError> {
    if key.contains('\0') {
        // no stored key holds it (PostgreSQL cannot even be asked)
        return Ok(None);
    }
    let row = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, key, name, is_default FROM sales_roles WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

async fn default_role(tx: &mut Tx) -> Result<Option<i64>, AppError> {
    let id = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM sales_roles WHERE is_default = TRUE ORDER BY id LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    Ok(id)
}

/// Creates a sales role or renames it; `make_default` makes it the one new reps get.
/// Returns the role and whether it was created.
pub async fn put_sales_role(
    db: &Db,
    live: &Live,
    actor: &str,
    key: &str,
    name: Option<&str>,
    make_default: bool,
) -> Result<(SalesRole, bool), AppError> {
    let mut errors = Vec::new();
    if !valid_key(key) {
        errors.push(FieldError::new(
            "key",
            "must have 1 to 40 lowercase letters, digits or _",
        ));
    }
    let name = match name.map(str::trim) {
        Some(n) if n.contains('\0') => {
            errors.push(FieldError::new(
                "name",
                "must not contain the NUL character",
            ));
            None
        }
        Some(n) if n.is_empty() || n.chars().count() > MAX_ROLE_NAME => {
            errors.push(FieldError::new(
                "name",
                format!("must have 1 to {MAX_ROLE_NAME} characters"),
            ));
            None
        }
        other => other.map(str::to_string),
    };
    AppError::check(errors)?;
    let mut tx = db.begin_write().await?;
    let before = role_by_key(&mut tx, key).await?;
    if before.is_none() && name.is_none() {
        return Err(AppError::invalid(
            "name",
            "is required to create a sales role",
        ));
    }
    let name = name.unwrap_or_else(|| before.as_ref().map(|b| b.name.clone()).unwrap_or_default());
    if make_default {
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE sales_roles SET is_default = FALSE WHERE key <> $1"
        )
        .bind(key)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    let is_default = make_default || before.as_ref().is_some_and(|b| b.is_default);
    on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO sales_roles (key, name, is_default) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, is_default = excluded.is_default"
    )
    .bind(key)
    .bind(&name)
    .bind(is_default)
    .execute(c)
    .await
    .map(|_| ()))?;
    let after = role_by_key(&mut tx, key).await?.ok_or(AppError::Internal)?;
    audit::record_in(
        &mut tx,
        actor,
        if before.is_some() { "update" } else { "create" },
        &format!("sales_role:{key}"),
        before.as_ref().map(|b| json!(b)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Config).await;
    Ok((after, before.is_none()))
}

/// What it takes to add a person, as any door received it.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    /// `rep` (the default), `manager` or `admin`, as typed.
    pub role: Option<String>,
    /// A team name (created when new); blank for none.
    pub team: Option<String>,
    /// A sales role key; a rep without one gets the default sales role.
    pub sales_role: Option<String>,
    /// Without one the person cannot sign in until an admin sets it.
    pub password: Option<String>,
}

/// A person as stored (what the audit log and the API show; never the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub team: Option<String>,
    pub sales_role: Option<String>,
    pub active: bool,
}

const PERSON: &str = "SELECT u.id, u.email, u.name, u.access_role AS role, t.name AS team, r.key AS sales_role, u.active \
    FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN sales_roles r ON r.id = u.sales_role_id WHERE u.id = $1";

async fn person_in(tx: &mut Tx, id: i64) -> Result<Person, AppError> {
    let p: Option<Person> = on_tx!(tx, |c| sqlx::query_as(PERSON)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    p.ok_or_else(|| AppError::NotFound("That person".into()))
}

/// Adds a person: every field checked (every problem named), the team created when new,
/// the default sales role given to a rep without one, the audit entry in the same
/// transaction, and a live notice.
pub async fn create_person(
    db: &Db,
    live: &Live,
    actor: &str,
    new: NewPerson,
) -> Result<Person, AppError> {
    let mut errors = Vec::new();
    let email = parse_email(&new.email)
        .map_err(|m| errors.push(FieldError::new("email", m)))
        .ok();
    let name = check_name(&new.name)
        .map_err(|m| errors.push(FieldError::new("name", m)))
        .ok();
    let role = match new.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Some(AccessRole::Rep),
        Some(r) => {
            let parsed = AccessRole::parse(r);
            if parsed.is_none() {
                errors.push(FieldError::new("role", "must be rep, manager or admin"));
            }
            parsed
        }
    };
    let team = check_team(new.team.as_deref().unwrap_or(""))
        .map_err(|m| errors.push(FieldError::new("team", m)))
        .ok()
        .flatten();
    if let Some(p) = &new.password {
        if let Err(m) = check_password(p) {
            errors.push(FieldError::new("password", m));
        }
    }
    let sales_key = new
        .sales_role
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let mut tx = db.begin_write().await?;
    let sales_role_id = match sales_key {
        Some(key) => {
            let found = role_by_key(&mut tx, key).await?.map(|r| r.id);
            if found.is_none() {
                errors.push(FieldError::new(
                    "sales_role",
                    format!("unknown sales role '{key}'"),
                ));
            }
            found
        }
        None if role == Some(AccessRole::Rep) => default_role(&mut tx).await?,
        None => None,
    };
    AppError::check(errors)?;
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return Err(AppError::Internal);
    };
    let hash = match &new.password {
        Some(p) => Some(secrets::hash_password(p).map_err(|_| AppError::Internal)?),
        None => None,
    };
    let team_id = team_in(&mut tx, team.as_deref()).await?;
    let id: Option<i64> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, access_role, team_id, sales_role_id, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) ON CONFLICT (email) DO NOTHING RETURNING id"
    )
    .bind(&email)
    .bind(&name)
    .bind(hash)
    .bind(role.as_str())
    .bind(team_id)
    .bind(sales_role_id)
    .bind(Utc::now())
    .fetch_optional(c)
    .await
    })?;
    let id = id.ok_or_else(|| {
        AppError::Conflict(format!("A person with email {email} already exists."))
    })?;
    let person = person_in(&mut tx, id).await?;
    audit::record_in(
        &mut tx,
        actor,
        "create",
        &format!("user:{id}"),
        None,
        Some(json!(person)),
    )
    .await?;
    tx.commit().await?;
    live.changed(LiveKind::Users).await;
    Ok(person)
}

/// One change to a person, from the admin page, the API or the command line.
#[derive(Debug, Clone)]
pub enum PersonChange {
    Active(bool),
    Role(AccessRole),
    /// A team name; blank for no team.
    Team(String),
    /// A sales role key; blank for none (the person is no longer scored).
    SalesRole(String),
    Password(String),
}

impl PersonChange {
    fn action(&self) -> &'static str {
        match self {
            PersonChange::Active(true) => "activate",
            PersonChange::Active(false) => "deactivate",
            PersonChange::Role(_) => "change_role",
            PersonChange::Team(_) => "change_team",
            PersonChange::SalesRole(_) => "change_sales_role",
            PersonChange::Password(_) => "reset_password",
        }
    }
}

/// Changes a person, audited with before → after in the same transaction (a password
/// change records that it happened, never the password). Deactivating someone or resetting
/// their password ends their sessions.
pub async fn change_person(
    db: &Db,
    live: &Live,
    actor: &str,
    id: i64,
    change: PersonChange,
) -> Result<Person, AppError> {
    let hash = match &change {
        PersonChange::Password(p) => {
            check_password(p).map_err(|m| AppError::invalid("password", m))?;
            Some(secrets::hash_password(p).map_err(|_| AppError::Internal)?)
        }
        _ => None,
    };
    let mut tx = db.begin_write().await?;
    let before = person_in(&mut tx, id).await?;
    match &change {
        PersonChange::Active(active) => {
            on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET active = $1 WHERE id = $2"
            )
            .bind(*active)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
        }
        PersonChange::Role(role) => {
            on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET access_role = $1 WHERE id = $2"
            )
            .bind(role.as_str())
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
        }
        PersonChange::Team(team) => {
            let team = check_team(team).map_err(|m| AppError::invalid("team", m))?;
            let team_id = team_in(&mut tx, team.as_deref()).await?;
            on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET team_id = $1 WHERE id = $2"
            )
            .bind(team_id)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
        }
        PersonChange::SalesRole(key) => {
            let key = key.trim();
            let role_id = if key.is_empty() {
                None
            } else {
                Some(
                    role_by_key(&mut tx, key)
                        .await?
                        .ok_or_else(|| {
                            AppError::invalid("sales_role", format!("unknown sales role '{key}'"))
                        })?
                        .id,
                )
            };
            on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET sales_role_id = $1 WHERE id = $2"
            )
            .bind(role_id)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
        }
        PersonChange::Password(_) => {
            on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET password_hash = $1 WHERE id = $2"
            )
            .bind(&hash)
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
        }
    }
    let after = person_in(&mut tx, id).await?;
    let (b, a) = match change {
        PersonChange::Password(_) => (None, None),
        _ => (Some(json!(before)), Some(json!(after))),
    };
    audit::record_in(&mut tx, actor, change.action(), &format!("user:{id}"), b, a).await?;
    tx.commit().await?;
    if matches!(
        change,
        PersonChange::Active(false) | PersonChange::Password(_)
    ) {
        session::delete_user_sessions(db, id).await?;
    }
    live.changed(LiveKind::Users).await;
    Ok(after)
}

/// The person with this email, if any.
pub async fn person_by_email(db: &Db, email: &str) -> Result<Option<Person>, AppError> {
    let Ok(email) = parse_email(email) else {
        return Ok(None);
    };
    let id: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(&email)
    .fetch_optional(pool)
    .await)?;
    match id {
        Some(id) => {
            let mut tx = db.begin_write().await?;
            let p = person_in(&mut tx, id).await?;
            tx.commit().await?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

/// The default sales role of a new organisation, with a scorecard of two leading metrics
/// (activity score, meetings) to one lagging (turnover won), in the caller's transaction.
pub async fn create_default_role(
    tx: &mut Tx,
    meeting_type_id: Option<i64>,
) -> Result<(), AppError> {
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO sales_roles (key, name, is_default) VALUES ('rep', 'Sales rep', TRUE) RETURNING id"
    )
    .fetch_one(c)
    .await
    })?;
    use crate::scoring::{Indicator, Metric, ScorecardMetric};
    let line = |metric, indicator, weight| ScorecardMetric {
        metric,
        indicator,
        weight,
    };
    let mut card = vec![line(Metric::ActivityScore, Indicator::Leading, 2)];
    if let Some(meeting) = meeting_type_id {
        card.push(line(
            Metric::ActivityCount {
                activity_type_id: meeting,
            },
            Indicator::Leading,
            1,
        ));
    }
    card.push(line(Metric::TurnoverWon, Indicator::Lagging, 1));
    crate::scorecard::template::write(tx, id, &card).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_checked_field_by_field() {
        assert_eq!(parse_email(" Ada@Example.COM ").unwrap(), "ada@example.com");
        assert!(parse_email("ada").is_err());
        assert!(parse_email("a b@x.io").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password(&"x".repeat(201)).is_err());
        assert!(check_password("eleven char").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password(&"p".repeat(64)).is_ok());
        assert!(check_name("  ").is_err());
        assert!(check_name(&"n".repeat(101)).is_err());
        assert_eq!(check_team(" ").unwrap(), None);
        assert!(check_team(&"t".repeat(101)).is_err());
    }

    #[test]
    fn only_active_people_with_a_sales_role_are_scored() {
        let accounts: HashMap<String, Account> = [
            (1, "ada@x.io", true, Some(1)),
            (2, "old@x.io", false, Some(1)),
            (3, "boss@x.io", true, None),
        ]
        .into_iter()
        .map(|(id, email, active, sales_role_id)| {
            (
                email.to_string(),
                Account {
                    id,
                    email: email.to_string(),
                    active,
                    sales_role_id,
                },
            )
        })
        .collect();
        assert_eq!(resolve_rep(&accounts, " ADA@x.io"), Ok(1));
        assert!(resolve_rep(&accounts, "old@x.io")
            .unwrap_err()
            .contains("deactivated"));
        assert!(resolve_rep(&accounts, "boss@x.io")
            .unwrap_err()
            .contains("no sales role"));
        assert!(resolve_rep(&accounts, "who@x.io")
            .unwrap_err()
            .contains("unknown rep"));
        assert!(SCORED_SQL.contains("active") && SCORED_SQL.contains("sales_role_id"));
    }
}
