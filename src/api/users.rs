//! `/api/v1/users` and `/api/v1/sales-roles`: people and sales roles from a script.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::ApiError;
use super::{actor, fields, finish_fields, json_body};
use crate::auth::AccessRole;
use crate::fields::Fields;
use crate::people::service::{self as people, NewPerson, Person, PersonChange, SalesRole};
use crate::server::state::AppState;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(max_length = 100)]
    pub name: String,
    /// `rep` (default), `manager` or `admin`.
    #[schema(example = "rep")]
    pub role: Option<String>,
    /// Team name; the team is created when it does not exist yet.
    #[schema(max_length = 100)]
    pub team: Option<String>,
    /// Sales role key (e.g. `sdr`): someone with a sales role has a score. A rep created
    /// without one gets the organisation's default sales role.
    pub sales_role: Option<String>,
    /// At least 12 characters; without one the user cannot sign in until an admin sets it.
    pub password: Option<String>,
}

const USER_FIELDS: [&str; 6] = ["email", "name", "role", "team", "sales_role", "password"];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub team: Option<String>,
    pub sales_role: Option<String>,
    pub active: bool,
}

impl From<Person> for UserView {
    fn from(p: Person) -> UserView {
        UserView {
            id: p.id,
            email: p.email,
            name: p.name,
            role: p.role,
            team: p.team,
            sales_role: p.sales_role,
            active: p.active,
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "configuration",
    request_body(content = UserInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 409, description = "A user with that email exists", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = super::error::ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    Admin(caller): Admin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &USER_FIELDS)?;
    // Types only: what makes a person valid is the service's, named all at once.
    let email = f.text("email", 10_000);
    let name = f.text("name", 10_000);
    let role = f.text("role", 100);
    let team = f.text("team", 200);
    let sales_role = f.text("sales_role", 60);
    let password = password_field(&body, &mut f);
    finish_fields(&mut f)?;
    let person = people::create_person(
        &state.db,
        &state.live,
        &actor(&caller),
        NewPerson {
            email: email.unwrap_or_default(),
            name: name.unwrap_or_default(),
            role,
            team,
            sales_role,
            password,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserView::from(person))).into_response())
}

fn role_field(f: &mut Fields<'_>) -> Option<AccessRole> {
    let r = f.text("role", 20)?;
    let parsed = AccessRole::parse(&r);
    if parsed.is_none() {
        f.fail("role", "must be rep, manager or admin");
    }
    parsed
}

/// Not trimmed: a password is taken exactly as sent.
fn password_field(body: &Value, f: &mut Fields<'_>) -> Option<String> {
    match body.get("password") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => {
            f.fail("password", "must be a string");
            None
        }
    }
}

/// Changes to a person; fields left out keep their value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeInput {
    /// `rep`, `manager` or `admin`.
    pub role: Option<String>,
    /// Team name (created when new); `""` for no team.
    pub team: Option<String>,
    /// Sales role key; `""` for none (the person is then not scored).
    pub sales_role: Option<String>,
    /// `false` deactivates the person and ends their sessions.
    pub active: Option<bool>,
    /// A new password (at least 12 characters); ends the person's sessions.
    pub password: Option<String>,
}

const USER_CHANGE_FIELDS: [&str; 5] = ["role", "team", "sales_role", "active", "password"];

#[utoipa::path(
    patch,
    path = "/api/v1/users/{email}",
    tag = "configuration",
    params(("email" = String, Path, description = "The person's email")),
    request_body(content = UserChangeInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "The person as now", body = UserView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 404, description = "No person with that email", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields (nothing changed)", body = super::error::ErrorBody),
    )
)]
pub async fn change_user(
    State(state): State<AppState>,
    Admin(caller): Admin,
    email: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UserView>, ApiError> {
    let Path(email) = email.map_err(|_| ApiError::not_found("No such user route."))?;
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &USER_CHANGE_FIELDS)?;
    let mut changes = Vec::new();
    if let Some(role) = role_field(&mut f) {
        changes.push(PersonChange::Role(role));
    }
    if f.is_present("team") {
        changes.push(PersonChange::Team(f.text("team", 200).unwrap_or_default()));
    }
    if f.is_present("sales_role") {
        changes.push(PersonChange::SalesRole(
            f.text("sales_role", 60).unwrap_or_default(),
        ));
    }
    if let Some(active) = f.boolean("active") {
        changes.push(PersonChange::Active(active));
    }
    if let Some(p) = password_field(&body, &mut f) {
        changes.push(PersonChange::Password(p));
    }
    finish_fields(&mut f)?;
    let person = people::person_by_email(&state.db, &email)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No person with email '{email}'.")))?;
    let mut now = person;
    for change in changes {
        now =
            people::change_person(&state.db, &state.live, &actor(&caller), now.id, change).await?;
    }
    Ok(Json(UserView::from(now)))
}

/// Creates or renames a sales role.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesRoleInput {
    /// Required to create a role.
    #[schema(max_length = 60, example = "Account Executive")]
    pub name: Option<String>,
    /// `true` makes it the role a rep created without one gets.
    pub default: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SalesRoleView {
    pub key: String,
    pub name: String,
    pub default: bool,
}

impl From<SalesRole> for SalesRoleView {
    fn from(r: SalesRole) -> SalesRoleView {
        SalesRoleView {
            key: r.key,
            name: r.name,
            default: r.is_default,
        }
    }
}

#[utoipa::path(
    put,
    path = "/api/v1/sales-roles/{key}",
    tag = "configuration",
    params(("key" = String, Path, description = "The role's key: lowercase letters, digits and `_`, e.g. `ae`")),
    request_body(content = SalesRoleInput, content_type = "application/json"),
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "Created", body = SalesRoleView),
        (status = 200, description = "Updated", body = SalesRoleView),
        (status = 400, description = "Malformed JSON", body = super::error::ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = super::error::ErrorBody),
        (status = 403, description = "The token lacks the admin scope", body = super::error::ErrorBody),
        (status = 415, description = "Not JSON", body = super::error::ErrorBody),
        (status = 422, description = "Invalid fields", body = super::error::ErrorBody),
    )
)]
pub async fn put_sales_role(
    State(state): State<AppState>,
    Admin(caller): Admin,
    key: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Path(key) = key.map_err(|_| ApiError::not_found("No such sales role route."))?;
    let body = json_body(&headers, body)?;
    let mut f = fields(&body, &["name", "default"])?;
    let name = f.text("name", 200);
    let make_default = f.boolean("default").unwrap_or(false);
    finish_fields(&mut f)?;
    let (role, created) = people::put_sales_role(
        &state.db,
        &state.live,
        &actor(&caller),
        &key,
        name.as_deref(),
        make_default,
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(SalesRoleView::from(role))).into_response())
}
