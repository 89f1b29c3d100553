//! The TV displays area of the desk: create a display (its secret link is shown once, with a
//! copy button), choose its slides, seconds per slide, team, privacy and sound; revoke it.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{
    get_displays_desk, AdminCreateDisplay, AdminUpdateDisplay, DisplayConfig, DisplaysDesk, Slide,
};
use crate::admin::AdminRevoke;
use crate::components::{field_errors, ActionOutcome, DeskNav, ErrorMessage, FieldMessage, Saves};
use crate::error::{AppError, FieldError};

#[component]
pub fn DisplaysPage() -> impl IntoView {
    let create = ServerAction::<AdminCreateDisplay>::new();
    let update = ServerAction::<AdminUpdateDisplay>::new();
    let revoke = ServerAction::<AdminRevoke>::new();
    let saves = Saves::default()
        .watch(create.value())
        .watch(update.value())
        .watch(revoke.value());
    let desk = crate::components::data(move || saves.get(), |_| get_displays_desk());
    view! {
        <section class="admin desk">
            <h1>"TV displays"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(d) => {
                                view! {
                                    <DeskNav current="displays"/>
                                    <DisplaysBody desk=d create=create update=update revoke=revoke/>
                                }
                                    .into_any()
                            }
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/admin/displays"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">"This page is for admins."</p>
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

/// The fields shared by the create and edit forms, filled from `d` when editing.
#[component]
fn DisplayFields(
    teams: Vec<String>,
    metrics: Vec<crate::leaderboard::MetricChoice>,
    d: Option<DisplayConfig>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    prefix: &'static str,
) -> impl IntoView {
    let name = d.as_ref().map(|d| d.name.clone()).unwrap_or_default();
    let team = d.as_ref().and_then(|d| d.team.clone()).unwrap_or_default();
    let chosen: Vec<Slide> = d
        .as_ref()
        .map(|d| d.slides.clone())
        .unwrap_or_else(|| Slide::ALL.to_vec());
    let seconds = d
        .as_ref()
        .map(|d| d.seconds_per_slide)
        .unwrap_or(super::DEFAULT_SECONDS)
        .to_string();
    let privacy = d.as_ref().is_some_and(|d| d.privacy);
    let sound = d.as_ref().is_some_and(|d| d.sound);
    let metric = d
        .as_ref()
        .and_then(|d| d.ranking_metric.clone())
        .unwrap_or_default();
    let id = move |what: &str| format!("{prefix}-{what}");
    view! {
        <label>
            "Name"
            <input type="text" name="form[name]" required maxlength="100" placeholder="Office TV" value=name autocomplete="off"/>
            <FieldMessage errors=errors field="name"/>
        </label>
        <label>
            "Shows"
            <select name="form[team]">
                <option value="" selected=team.is_empty()>"The whole organisation"</option>
                {teams
                    .into_iter()
                    .map(|t| {
                        let selected = t == team;
                        view! { <option value=t.clone() selected=selected>{format!("Team {t}")}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldMessage errors=errors field="team"/>
        </label>
        <label class="short">
            "Seconds per slide"
            <input type="number" name="form[seconds]" min="5" max="600" required value=seconds/>
            <FieldMessage errors=errors field="seconds"/>
        </label>
        <label>
            "Ranking by"
            <select name="form[metric]">
                {metrics
                    .into_iter()
                    .map(|m| {
                        let key = if m.key == "activity_score" { String::new() } else { m.key.clone() };
                        let selected = key == metric;
                        view! { <option value=key selected=selected>{m.label}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldMessage errors=errors field="metric"/>
        </label>
        <fieldset class="scopes slides">
            <legend>"Slides, in this order (none ticked: all)"</legend>
            {Slide::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let checked = chosen.contains(s);
                    view! {
                        <label class="check">
                            <input type="checkbox" name=format!("form[slides][{i}]") value=s.key() checked=checked id=id(s.key())/>
                            " "
                            {s.label()}
                            {s.shows_money().then_some(" (amounts)")}
                        </label>
                    }
                })
                .collect_view()}
            <FieldMessage errors=errors field="slides"/>
        </fieldset>
        <fieldset class="scopes">
            <legend>"Options"</legend>
            <label class="check">
                <input type="checkbox" name="form[privacy]" checked=privacy/>
                " Privacy mode: ranks, bands and points only, never money"
            </label>
            <label class="check">
                <input type="checkbox" name="form[sound]" checked=sound/>
                " Play a sound when a deal is won"
            </label>
        </fieldset>
    }
}

#[component]
fn DisplaysBody(
    desk: DisplaysDesk,
    create: ServerAction<AdminCreateDisplay>,
    update: ServerAction<AdminUpdateDisplay>,
    revoke: ServerAction<AdminRevoke>,
) -> impl IntoView {
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let create_fields = Signal::derive(move || field_errors(&create.value().get()));
    let update_fields = Signal::derive(move || field_errors(&update.value().get()));
    let teams = desk.teams.clone();
    let teams_new = desk.teams.clone();
    let metrics = desk.metrics.clone();
    let metrics_new = desk.metrics.clone();
    let rows = desk.displays.clone();
    let copied = RwSignal::new(false);
    // After a display is created, the form starts again from its defaults.
    let new_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            if let Some(form) = new_form.get_untracked() {
                form.reset();
            }
        }
    });
    let link = move || {
        create.value().get().and_then(|r| r.ok()).map(|n| {
            let origin = window().location().origin().unwrap_or_default();
            (n.name, format!("{origin}{}", n.path))
        })
    };
    view! {
        <h2 id="new-display">"New display"</h2>
        <ActionForm action=create node_ref=new_form attr:class="grid-form display-form" attr:aria-labelledby="new-display">
            <DisplayFields teams=teams_new metrics=metrics_new d=None errors=create_fields prefix="new"/>
            <button type="submit" class="primary">"Create display link"</button>
        </ActionForm>
        {move || create_error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        {move || {
            link()
                .map(|(name, url)| {
                    let to_copy = url.clone();
                    view! {
                        <div class="secret" role="status">
                            <strong>{name}</strong>
                            " — open this link on the TV. It is shown only once: copy it now."
                            <code data-testid="new-secret">{url}</code>
                            <button type="button" on:click=move |_| {
                                #[cfg(feature = "hydrate")]
                                {
                                    let _ = window().navigator().clipboard().write_text(&to_copy);
                                }
                                let _ = &to_copy;
                                copied.set(true);
                            }>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
                        </div>
                    }
                })
        }}
        <h2>"Displays"</h2>
        <ActionOutcome result=update.value() saved="Saved. Open TVs switch to the new rotation now."/>
        <ActionOutcome result=revoke.value() saved="Revoked. That TV went blank."/>
        {if rows.is_empty() {
            view! { <p class="muted">"No display yet."</p> }.into_any()
        } else {
            view! {
                <table class="tokens displays" data-testid="displays">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Shows"</th>
                            <th scope="col">"Slides"</th>
                            <th scope="col" class="num">"Seconds"</th>
                            <th scope="col">"Privacy"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|d| {
                                let slides = if d.default_slides {
                                    "All (default)".to_string()
                                } else {
                                    d.slides.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ")
                                };
                                let id = d.id;
                                let teams = teams.clone();
                                let metrics = metrics.clone();
                                let editing = d.clone();
                                view! {
                                    <tr data-display=d.name.clone()>
                                        <td>{d.name.clone()}</td>
                                        <td>{d.team.clone().map(|t| format!("Team {t}")).unwrap_or_else(|| "Whole organisation".into())}</td>
                                        <td class="slides-list">{slides}</td>
                                        <td class="num">{d.seconds_per_slide}</td>
                                        <td>{if d.privacy { "on: no money" } else { "off" }} {d.sound.then_some(", sound")}</td>
                                        <td>{d.created_at.clone()}</td>
                                        <td>
                                            {if d.revoked {
                                                view! { <span class="muted">"Revoked"</span> }.into_any()
                                            } else {
                                                view! {
                                                    <details class="edit-display">
                                                        <summary>"Edit"</summary>
                                                        <ActionForm action=update attr:class="grid-form display-form">
                                                            <input type="hidden" name="id" value=id.to_string()/>
                                                            <DisplayFields teams=teams metrics=metrics d=Some(editing) errors=update_fields prefix="edit"/>
                                                            <button type="submit" class="primary">"Save display"</button>
                                                        </ActionForm>
                                                    </details>
                                                    <ActionForm action=revoke attr:class="inline">
                                                        <input type="hidden" name="kind" value="display"/>
                                                        <input type="hidden" name="id" value=id.to_string()/>
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
        }}
    }
}
