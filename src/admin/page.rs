//! The admin desk page: people, sales roles, API tokens, import and export, audit log.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{
    get_admin_overview, AdminCreateApiToken, AdminCreateUser, AdminOverview, AdminPutSalesRole,
    AdminResetPassword, AdminRevoke, AdminSetActive, AdminSetRole, AdminSetSalesRole, AdminSetTeam,
    NewSecret, TokenRow,
};
use crate::components::ErrorMessage;
use crate::error::AppError;

/// The error message of an action's last run, if it failed.
macro_rules! action_error {
    ($action:expr) => {
        $action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let create_user = ServerAction::<AdminCreateUser>::new();
    let set_active = ServerAction::<AdminSetActive>::new();
    let set_role = ServerAction::<AdminSetRole>::new();
    let set_team = ServerAction::<AdminSetTeam>::new();
    let set_sales_role = ServerAction::<AdminSetSalesRole>::new();
    let put_sales_role = ServerAction::<AdminPutSalesRole>::new();
    let reset = ServerAction::<AdminResetPassword>::new();
    let new_token = ServerAction::<AdminCreateApiToken>::new();
    let revoke = ServerAction::<AdminRevoke>::new();
    let data = crate::components::data(
        move || {
            (
                create_user.version().get(),
                set_active.version().get(),
                set_role.version().get(),
                set_team.version().get(),
                set_sales_role.version().get(),
                put_sales_role.version().get(),
                reset.version().get(),
                new_token.version().get(),
                revoke.version().get(),
            )
        },
        |_| get_admin_overview(),
    );
    let errors = move || {
        [
            action_error!(create_user),
            action_error!(set_active),
            action_error!(set_role),
            action_error!(set_team),
            action_error!(set_sales_role),
            action_error!(put_sales_role),
            action_error!(reset),
            action_error!(new_token),
            action_error!(revoke),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <section class="admin">
            <h1>"Admin"</h1>
            <Show when=move || errors().is_some()>
                <p class="error" role="alert">{errors}</p>
            </Show>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok(o) => {
                                view! {
                                    <crate::components::DeskNav current="people"/>
                                    <AdminBody
                                        o=o
                                        set_active=set_active
                                        set_role=set_role
                                        set_team=set_team
                                        set_sales_role=set_sales_role
                                        put_sales_role=put_sales_role
                                        reset=reset
                                        revoke=revoke
                                    />
                                    <AdminForms create_user=create_user new_token=new_token/>
                                }
                                    .into_any()
                            }
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin"/> }.into_any(),
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">
                                        "This page is for admins. Ask an admin if you need something changed."
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

/// The forms that add things; shown only to admins (the server refuses everyone else too).
#[component]
fn AdminForms(
    create_user: ServerAction<AdminCreateUser>,
    new_token: ServerAction<AdminCreateApiToken>,
) -> impl IntoView {
    view! {
    <h2>"Add a person"</h2>
    <ActionForm action=create_user attr:class="grid-form">
        <label>"Name" <input type="text" name="name" required/></label>
        <label>"Email" <input type="email" name="email" required/></label>
        <label>
            "Role"
            <select name="role">
                <option value="rep">"Rep"</option>
                <option value="manager">"Manager"</option>
                <option value="admin">"Admin"</option>
            </select>
        </label>
        <label>"Team" <input type="text" name="team" list="team-names" maxlength="100" placeholder="optional"/></label>
        <label>
            "Sales role"
            <input type="text" name="sales_role" list="sales-role-keys" maxlength="40" placeholder="default for reps"/>
        </label>
        <label>"First password" <input type="password" name="password" minlength="12" required autocomplete="new-password"/></label>
        <button type="submit" class="primary">"Add"</button>
    </ActionForm>
    <h2>"New API token"</h2>
    <ActionForm action=new_token attr:class="grid-form">
        <label>"Name" <input type="text" name="name" placeholder="CRM sync" required/></label>
        <fieldset class="scopes">
            <legend>"Scopes"</legend>
            <label class="check"><input type="checkbox" name="scopes[0]" value="ingest" checked/>" ingest"</label>
            <label class="check"><input type="checkbox" name="scopes[1]" value="read"/>" read"</label>
            <label class="check"><input type="checkbox" name="scopes[2]" value="admin"/>" admin"</label>
        </fieldset>
        <button type="submit" class="primary">"Create token"</button>
    </ActionForm>
    <ShowSecret value=Signal::derive(move || new_token.value().get().and_then(|r| r.ok())) what="Copy this token now. It is shown only once."/>
    <crate::transfer::page::ImportExportPanel/>
    }
}

#[component]
fn ShowSecret(value: Signal<Option<NewSecret>>, what: &'static str) -> impl IntoView {
    move || {
        value.get().map(|s| {
            view! {
                <div class="secret" role="status">
                    <strong>{s.name}</strong>
                    " — "
                    {what}
                    <code data-testid="new-secret">{s.secret}</code>
                </div>
            }
        })
    }
}

#[component]
fn AdminBody(
    o: AdminOverview,
    set_active: ServerAction<AdminSetActive>,
    set_role: ServerAction<AdminSetRole>,
    set_team: ServerAction<AdminSetTeam>,
    set_sales_role: ServerAction<AdminSetSalesRole>,
    put_sales_role: ServerAction<AdminPutSalesRole>,
    reset: ServerAction<AdminResetPassword>,
    revoke: ServerAction<AdminRevoke>,
) -> impl IntoView {
    let roles = o.sales_roles.clone();
    view! {
        <h2>"People"</h2>
        <datalist id="team-names">
            {o.teams.into_iter().map(|t| view! { <option value=t></option> }).collect_view()}
        </datalist>
        <datalist id="sales-role-keys">
            {o.sales_roles.iter().map(|r| view! { <option value=r.key.clone()>{r.name.clone()}</option> }).collect_view()}
        </datalist>
        <div class="scroll">
            <table class="admin-users">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Sales role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"New password"</th>
                    </tr>
                </thead>
                <tbody>
                    {o.users
                        .into_iter()
                        .map(|u| {
                            let role = u.role.as_str();
                            let email = u.email.clone();
                            let mine = u.sales_role.clone().unwrap_or_default();
                            let options = roles
                                .iter()
                                .map(|r| {
                                    let selected = r.key == mine;
                                    view! { <option value=r.key.clone() selected=selected>{r.name.clone()}</option> }
                                })
                                .collect_view();
                            view! {
                                <tr data-user=email>
                                    <td>{u.name}</td>
                                    <td>{u.email}</td>
                                    <td>
                                        <ActionForm action=set_team attr:class="inline">
                                            <input type="hidden" name="id" value=u.id/>
                                            <input type="text" name="team" list="team-names" maxlength="100" value=u.team.unwrap_or_default() aria-label="Team" placeholder="no team"/>
                                            <button type="submit" class="link">"Save"</button>
                                        </ActionForm>
                                    </td>
                                    <td>
                                        <ActionForm action=set_role attr:class="inline">
                                            <input type="hidden" name="id" value=u.id/>
                                            <select name="role" aria-label="Role">
                                                <option value="rep" selected=role == "rep">"Rep"</option>
                                                <option value="manager" selected=role == "manager">"Manager"</option>
                                                <option value="admin" selected=role == "admin">"Admin"</option>
                                            </select>
                                            <button type="submit" class="link">"Save"</button>
                                        </ActionForm>
                                    </td>
                                    <td>
                                        <ActionForm action=set_sales_role attr:class="inline">
                                            <input type="hidden" name="id" value=u.id/>
                                            <select name="sales_role" aria-label="Sales role">
                                                <option value="" selected=mine.is_empty()>"— not scored"</option>
                                                {options}
                                            </select>
                                            <button type="submit" class="link">"Save"</button>
                                        </ActionForm>
                                    </td>
                                    <td>
                                        <ActionForm action=set_active attr:class="inline">
                                            <input type="hidden" name="id" value=u.id/>
                                            <input type="hidden" name="active" value=if u.active { "false" } else { "true" }/>
                                            {if u.active { "Active " } else { "Deactivated " }}
                                            <button type="submit" class="link">
                                                {if u.active { "Deactivate" } else { "Reactivate" }}
                                            </button>
                                        </ActionForm>
                                    </td>
                                    <td>
                                        <ActionForm action=reset attr:class="inline">
                                            <input type="hidden" name="id" value=u.id/>
                                            <input type="password" name="password" minlength="12" autocomplete="new-password" aria-label="New password"/>
                                            <button type="submit" class="link">"Set"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"Sales roles"</h2>
        <p class="muted">"A rep added without a sales role gets the default one, so they can log and be ranked at once."</p>
        <ul class="sales-roles">
            {o.sales_roles
                .into_iter()
                .map(|r| {
                    view! {
                        <li>
                            <strong>{r.name}</strong>
                            " ("<code>{r.key}</code>")"
                            {r.is_default.then_some(" — default")}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <ActionForm action=put_sales_role attr:class="grid-form">
            <label>"Key" <input type="text" name="key" required maxlength="40" pattern="[a-z0-9_]+" placeholder="ae"/></label>
            <label>"Name" <input type="text" name="name" maxlength="60" placeholder="Account Executive"/></label>
            <label class="check"><input type="checkbox" name="make_default" value="on"/>" Default for new reps"</label>
            <button type="submit" class="primary">"Add or rename"</button>
        </ActionForm>
        <h2>"TV displays"</h2>
        <p><a href="/admin/displays">"Create, set up and revoke TV displays"</a></p>
        <h2>"API tokens"</h2>
        <TokenTable rows=o.api_tokens kind="api_token" revoke=revoke/>
        <h2>"Audit log"</h2>
        <div class="scroll">
            <table class="audit">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Change (before → after)"</th>
                    </tr>
                </thead>
                <tbody>
                    {o.audit
                        .into_iter()
                        .map(|a| {
                            view! {
                                <tr>
                                    <td>{a.at}</td>
                                    <td>{a.actor}</td>
                                    <td>{a.action} " " {a.entity}</td>
                                    <td class="change">{audit_change(a.before.as_deref(), a.after.as_deref())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A value as a person reads it: text without quotes, long values cut.
fn readable(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

/// An audit entry's before → after as the fields that changed ("team: Atlas → Cascade"),
/// or the fields of a new record; unreadable entries are shown as stored.
pub fn audit_change(before: Option<&str>, after: Option<&str>) -> String {
    use serde_json::{Map, Value};
    let parse = |s: Option<&str>| -> Option<Map<String, Value>> {
        s.and_then(|s| serde_json::from_str::<Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
    };
    let (b, a) = (parse(before), parse(after));
    let raw = || {
        [before, after]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let parts: Vec<String> = match (&b, &a) {
        (Some(b), Some(a)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter_map(|k| {
                    let (old, new) = (b.get(k), a.get(k));
                    (old != new).then(|| {
                        let show =
                            |v: Option<&Value>| v.map(readable).unwrap_or_else(|| "—".into());
                        format!("{k}: {} → {}", show(old), show(new))
                    })
                })
                .collect()
        }
        (None, Some(m)) | (Some(m), None) if before.is_none() || after.is_none() => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", readable(v)))
            .collect(),
        _ => return raw(),
    };
    if parts.is_empty() {
        "no field changed".to_string()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::audit_change;

    #[test]
    fn audit_entries_read_as_what_changed() {
        assert_eq!(
            audit_change(
                Some(r#"{"team":"Atlas","active":true,"name":"Sam"}"#),
                Some(r#"{"team":"Cascade","active":true,"name":"Sam"}"#)
            ),
            "team: Atlas → Cascade"
        );
        assert_eq!(
            audit_change(None, Some(r#"{"name":"Sales floor"}"#)),
            "name: Sales floor"
        );
        assert_eq!(audit_change(None, None), "");
        assert_eq!(audit_change(Some("not json"), None), "not json");
    }
}

#[component]
fn TokenTable(
    rows: Vec<TokenRow>,
    kind: &'static str,
    revoke: ServerAction<AdminRevoke>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"None yet."</p> }.into_any();
    }
    view! {
        <table class="tokens">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Scopes"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|t| {
                        view! {
                            <tr>
                                <td>{t.name}</td>
                                <td>{t.scopes}</td>
                                <td>{t.created_at}</td>
                                <td>
                                    {if t.revoked {
                                        view! { <span class="muted">"Revoked"</span> }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=revoke attr:class="inline">
                                                <input type="hidden" name="kind" value=kind/>
                                                <input type="hidden" name="id" value=t.id/>
                                                <button type="submit" class="link danger">"Revoke"</button>
                                            </ActionForm>
                                        }
                                            .into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
