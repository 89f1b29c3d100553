//! The role scorecards area of the manager's desk: per sales role, pick metrics from the
//! catalogue, mark them leading or lagging, weigh them; advice on the balance; and a real
//! rep's scorecard recomputed in the browser with the draft, before anything is saved.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::page::ScorecardTable;
use super::{
    get_scorecard_desk, get_scorecard_preview, AdminPutScorecard, RoleTemplate, ScorecardDesk,
    ScorecardView, TemplateLine,
};
use crate::components::{ActionOutcome, DeskNav, ErrorMessage, Saves};
use crate::error::AppError;
use crate::scoring::{Indicator, ScorecardMetric, ScorecardTemplate};

#[component]
pub fn ScorecardsPage() -> impl IntoView {
    let save = ServerAction::<AdminPutScorecard>::new();
    let saves = Saves::default().watch(save.value());
    let desk = crate::components::data(move || saves.get(), |_| get_scorecard_desk());
    // Which role is open survives a save (the page reloads its data).
    let role = RwSignal::new(String::new());
    view! {
        <section class="admin desk">
            <h1>"Role scorecards"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(d) => {
                                view! {
                                    <DeskNav current="scorecards"/>
                                    <Editor desk=d save=save role=role/>
                                }
                                    .into_any()
                            }
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/admin/scorecards"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">
                                        "This page is for admins."
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

/// One line of the draft: `id` keeps a row's inputs in place while lines move.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Draft {
    id: usize,
    metric: String,
    leading: bool,
    weight: String,
}

fn drafts(lines: &[TemplateLine]) -> Vec<Draft> {
    lines
        .iter()
        .enumerate()
        .map(|(id, l)| Draft {
            id,
            metric: l.metric.clone(),
            leading: l.leading,
            weight: l.weight.to_string(),
        })
        .collect()
}

/// The draft as the server will read it: a weight that is not a whole number is sent as 0
/// and refused there with the rule's own message.
fn lines_of(draft: &[Draft]) -> Vec<TemplateLine> {
    draft
        .iter()
        .map(|d| TemplateLine {
            metric: d.metric.clone(),
            leading: d.leading,
            weight: d.weight.trim().parse().unwrap_or(0),
        })
        .collect()
}

#[component]
fn Editor(
    desk: ScorecardDesk,
    save: ServerAction<AdminPutScorecard>,
    role: RwSignal<String>,
) -> impl IntoView {
    if desk.roles.is_empty() {
        return view! { <p class="muted">"There is no sales role yet: add one on the People page."</p> }.into_any();
    }
    if !desk.roles.iter().any(|r| r.key == role.get_untracked()) {
        role.set(desk.roles[0].key.clone());
    }
    let desk = StoredValue::new(desk);
    let current = move || -> Option<RoleTemplate> {
        let k = role.get();
        desk.with_value(|d| d.roles.iter().find(|r| r.key == k).cloned())
    };
    let draft = RwSignal::new(current().map(|r| drafts(&r.lines)).unwrap_or_default());
    let next_id = StoredValue::new(1000usize);
    let rep = RwSignal::new(current().and_then(|r| r.reps.first().map(|(id, _)| *id)));
    let pick_role = move |key: String| {
        role.set(key);
        let r = current();
        draft.set(r.as_ref().map(|r| drafts(&r.lines)).unwrap_or_default());
        rep.set(r.and_then(|r| r.reps.first().map(|(id, _)| *id)));
    };
    let label_of = move |key: &str| {
        desk.with_value(|d| {
            d.catalogue
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, l, _)| l.clone())
                .unwrap_or_else(|| key.to_string())
        })
    };
    // The draft as a template, for the advice and the preview.
    let template = Memo::new(move |_| {
        let metrics: Vec<ScorecardMetric> = draft.with(|lines| {
            lines
                .iter()
                .filter_map(|l| {
                    let metric = l.metric.parse().ok()?;
                    Some(ScorecardMetric {
                        metric,
                        indicator: if l.leading {
                            Indicator::Leading
                        } else {
                            Indicator::Lagging
                        },
                        weight: l.weight.trim().parse().unwrap_or(0),
                    })
                })
                .collect()
        });
        ScorecardTemplate::new(0, role.get(), metrics)
    });
    let advice = move || {
        let warnings = template.with(|t| t.warnings());
        let (leading, lagging) = template.with(|t| (t.leading_count(), t.lagging_count()));
        view! {
            <p class="muted" data-testid="balance">{format!("{leading} leading : {lagging} lagging metrics")}</p>
            {(!warnings.is_empty()).then(|| view! {
                <ul class="hints" data-testid="hints">
                    {warnings.into_iter().map(|w| view! { <li>"⚠ " {w.to_string()}</li> }).collect_view()}
                </ul>
            })}
        }
    };
    // Preview: a rep of this role, loaded once per choice; recomputed here on every edit.
    let inputs = crate::components::data(
        move || rep.get(),
        |rep| async move {
            match rep {
                Some(id) => get_scorecard_preview(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let preview = move || -> Option<Result<ScorecardView, AppError>> {
        let loaded = inputs.get()?;
        Some(match loaded {
            Err(e) => Err(e),
            Ok(None) => Err(AppError::NotFound("Rep".into())),
            Ok(Some(p)) => {
                let mut t = template.get();
                t.pace_cap = p.template.pace_cap;
                t.role_id = p.template.role_id;
                Ok(ScorecardView::build(
                    &p.rep_name,
                    &p.rep_email,
                    p.role.clone(),
                    &p.inputs,
                    &t,
                ))
            }
        })
    };
    let errors = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let row_error = move |index: usize| {
        errors.with(|e| match e {
            Some(AppError::Invalid(list)) => list
                .iter()
                .filter(|f| f.index == Some(index as i64))
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
            _ => String::new(),
        })
    };
    let add_choice = RwSignal::new(String::new());
    let on_add = move |_| {
        let key = add_choice.get();
        if key.is_empty() {
            return;
        }
        let leading = desk.with_value(|d| {
            d.catalogue
                .iter()
                .find(|c| c.0 == key)
                .map(|c| c.2)
                .unwrap_or(true)
        });
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        draft.update(|v| {
            v.push(Draft {
                id,
                metric: key,
                leading,
                weight: "1".into(),
            })
        });
        add_choice.set(String::new());
    };
    let move_line = move |id: usize, by: isize| {
        draft.update(|v| {
            if let Some(i) = v.iter().position(|d| d.id == id) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < v.len() {
                    v.swap(i, j as usize);
                }
            }
        })
    };
    let on_save = move |_| {
        let lines = draft.with(|d| lines_of(d));
        save.dispatch(AdminPutScorecard {
            role: role.get(),
            lines,
        });
    };
    view! {
        <div class="role-tabs" role="group" aria-label="Sales role">
            {desk.with_value(|d| d.roles.clone())
                .into_iter()
                .map(|r| {
                    let (k1, k2, k3) = (r.key.clone(), r.key.clone(), r.key.clone());
                    view! {
                        <button type="button" class="tab" class:active=move || role.get() == k1
                            aria-pressed=move || (role.get() == k2).to_string()
                            on:click=move |_| pick_role(k3.clone())>
                            {r.name.clone()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <div class="desk-columns">
            <div>
                <h2>"Metrics of the " {move || current().map(|r| r.name).unwrap_or_default()} " scorecard"</h2>
                <table class="template-lines" data-testid="template">
                    <thead>
                        <tr>
                            <th scope="col">"Metric"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Weight"</th>
                            <th scope="col"><span class="sr-only">"Order and removal"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || draft.get() key=|d| d.id let:line>
                            {
                                let id = line.id;
                                let index = move || draft.with(|v| v.iter().position(|d| d.id == id).unwrap_or(0));
                                let set = move |f: &dyn Fn(&mut Draft)| draft.update(|v| {
                                    if let Some(d) = v.iter_mut().find(|d| d.id == id) { f(d) }
                                });
                                let label = label_of(&line.metric);
                                view! {
                                    <tr data-metric=line.metric.clone()>
                                        <th scope="row">{label.clone()}</th>
                                        <td>
                                            <select aria-label=format!("Kind of {label}") on:change=move |ev| {
                                                let v = event_target_value(&ev) == "leading";
                                                set(&|d| d.leading = v);
                                            }>
                                                <option value="leading" selected=line.leading>"leading"</option>
                                                <option value="lagging" selected=!line.leading>"lagging"</option>
                                            </select>
                                        </td>
                                        <td>
                                            <input type="text" inputmode="numeric" class="weight" aria-label=format!("Weight of {label}")
                                                value=line.weight.clone()
                                                on:input=move |ev| { let v = event_target_value(&ev); set(&|d| d.weight = v.clone()); }/>
                                            {move || {
                                                let e = row_error(index());
                                                (!e.is_empty()).then(|| view! { <span class="field-error">"⚠ " {e}</span> })
                                            }}
                                        </td>
                                        <td class="row-actions">
                                            <button type="button" class="icon" aria-label=format!("Move {label} up") on:click=move |_| move_line(id, -1)>"↑"</button>
                                            <button type="button" class="icon" aria-label=format!("Move {label} down") on:click=move |_| move_line(id, 1)>"↓"</button>
                                            <button type="button" class="icon danger" aria-label=format!("Remove {label}")
                                                on:click=move |_| draft.update(|v| v.retain(|d| d.id != id))>"✕"</button>
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
                <div class="grid-form add-metric">
                    <label>
                        "Add a metric"
                        <select prop:value=add_choice on:change=move |ev| add_choice.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {move || {
                                let used: Vec<String> = draft.with(|v| v.iter().map(|d| d.metric.clone()).collect());
                                desk.with_value(|d| d.catalogue.clone())
                                    .into_iter()
                                    .filter(|(k, _, _)| !used.contains(k))
                                    .map(|(k, l, _)| view! { <option value=k>{l}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                    <button type="button" on:click=on_add>"Add"</button>
                </div>
                {advice}
                <p>
                    <button type="button" class="primary" on:click=on_save disabled=move || save.pending().get()>
                        "Save scorecard"
                    </button>
                </p>
                <ActionOutcome result=save.value() saved="Saved. Every rep with this role sees the new scorecard now."/>
            </div>
            <div>
                <h2>"Preview"</h2>
                <label class="inline-label">
                    "Rep"
                    <select on:change=move |ev| rep.set(event_target_value(&ev).parse().ok())>
                        {move || {
                            current()
                                .map(|r| r.reps)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(id, name)| view! { <option value=id.to_string() selected=move || rep.get() == Some(id)>{name}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <p class="muted small">"This month's scorecard with the draft above, computed here as you edit; nothing is saved yet."</p>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || match preview() {
                        None => None,
                        Some(Ok(card)) => Some(view! { <div data-testid="preview"><ScorecardTable card=card/></div> }.into_any()),
                        Some(Err(AppError::NotFound(_))) => Some(view! { <p class="muted">"No rep has this role yet."</p> }.into_any()),
                        Some(Err(e)) => Some(view! { <ErrorMessage error=e/> }.into_any()),
                    }}
                </Transition>
            </div>
        </div>
    }
    .into_any()
}
