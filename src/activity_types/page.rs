//! The weights area of the manager's desk: every activity type with its weight history, a
//! form to set a new weight from a day on, and the impact preview recomputed in the browser
//! by `src/scoring` on every keystroke (no round trip), equal to what the server computes on
//! save.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{get_weight_desk, AdminSetWeight, WeightDesk};
use crate::components::{DeskNav, ErrorMessage};
use crate::error::AppError;
use crate::scoring::{weight_impact, ImpactRow, Points};

#[component]
pub fn WeightsPage() -> impl IntoView {
    let save = ServerAction::<AdminSetWeight>::new();
    let desk = Resource::new(move || save.version().get(), |_| get_weight_desk());
    view! {
        <section class="admin desk">
            <h1>"Activity weights"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(d) => view! { <DeskNav current="weights"/> <WeightDeskView desk=d save=save/> }.into_any(),
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/admin/weights"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">
                                        "This page is for admins. Ask an admin if a weight should change."
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

fn history_text(history: &[(NaiveDate, Points)]) -> String {
    history
        .iter()
        .map(|(from, w)| format!("{} from {from}", w.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn WeightDeskView(desk: WeightDesk, save: ServerAction<AdminSetWeight>) -> impl IntoView {
    let first_key = desk
        .types
        .iter()
        .find(|t| t.active)
        .map(|t| t.key.clone())
        .unwrap_or_default();
    let key = RwSignal::new(first_key);
    let weight = RwSignal::new(String::new());
    let from = RwSignal::new(desk.default_from.to_string());
    let period_label = desk.period_label.clone();
    let rows = desk.types.clone();
    let options = desk.types.clone();
    let desk = StoredValue::new(desk);
    // The whole preview, in the browser: parse what is typed, add it as a new version,
    // rank the period before and after.
    let impact = Memo::new(move |_| -> Option<Vec<ImpactRow>> {
        let w = Points::parse(weight.get().trim())
            .ok()
            .filter(|w| w.0 >= 0)?;
        let d = NaiveDate::parse_from_str(from.get().trim(), "%Y-%m-%d").ok()?;
        let k = key.get();
        desk.with_value(|desk| {
            let t = desk.types.iter().find(|t| t.key == k)?;
            Some(weight_impact(&desk.inputs, t.id, w, d))
        })
    });
    let name_of = move |id: i64| {
        desk.with_value(|d| {
            d.names
                .iter()
                .find(|(rid, _)| *rid == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        })
    };
    let outcome = move || {
        match save.value().get() {
        Some(Ok(())) => Some(view! { <p class="ok" role="status">"Saved. Leaderboards now use the new weight from that day."</p> }.into_any()),
        Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any()),
        None => None,
    }
    };
    view! {
        <div class="scroll">
            <table class="types">
                <thead>
                    <tr>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Points now"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Daily cap"</th>
                        <th scope="col">"Weight history"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|t| {
                            view! {
                                <tr data-type=t.key.clone()>
                                    <td>
                                        <span aria-hidden="true">{t.icon.clone()}</span>
                                        " "
                                        {t.label.clone()}
                                        {(!t.active).then_some(" (retired)")}
                                    </td>
                                    <td class="num">{t.weight_now.map(|w| w.display()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{if t.leading { "leading" } else { "lagging" }}</td>
                                    <td class="num">{t.daily_cap.map(|c| c.to_string()).unwrap_or_else(|| "none".into())}</td>
                                    <td class="muted">{history_text(&t.history)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"Change a weight"</h2>
        <ActionForm action=save attr:class="grid-form weight-form">
            <label>
                "Activity type"
                <select name="key" on:change=move |ev| key.set(event_target_value(&ev))>
                    {options
                        .into_iter()
                        .filter(|t| t.active)
                        .map(|t| {
                            let selected = t.key == key.get_untracked();
                            view! { <option value=t.key.clone() selected=selected>{t.label.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "New points per unit"
                <input
                    type="text"
                    name="weight"
                    inputmode="decimal"
                    required
                    autocomplete="off"
                    placeholder="e.g. 4.5"
                    prop:value=weight
                    on:input=move |ev| weight.set(event_target_value(&ev))
                />
            </label>
            <label>
                "In force from"
                <input
                    type="date"
                    name="effective_from"
                    required
                    prop:value=from
                    on:input=move |ev| from.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" class="primary">"Save weight"</button>
        </ActionForm>
        {outcome}
        <h2>"Impact on " {period_label}</h2>
        {move || match impact.get() {
            None => view! { <p class="muted" data-testid="impact-empty">"Type a weight to see who moves, before you save."</p> }.into_any(),
            Some(rows) => {
                let moved = rows.iter().filter(|r| r.places_up() != 0).count();
                view! {
                    <p class="muted" role="status" data-testid="impact-summary">
                        {format!("{moved} of {} reps change places.", rows.len())}
                    </p>
                    <div class="scroll">
                        <table class="impact" data-testid="impact">
                            <thead>
                                <tr>
                                    <th scope="col">"Rank"</th>
                                    <th scope="col">"Rep"</th>
                                    <th scope="col">"Points before"</th>
                                    <th scope="col">"Points after"</th>
                                    <th scope="col">"Move"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let up = r.places_up();
                                        let (class, text) = match up {
                                            0 => ("same", "no change".to_string()),
                                            n if n > 0 => ("up", format!("▲ up {n}")),
                                            n => ("down", format!("▼ down {}", -n)),
                                        };
                                        view! {
                                            <tr class=class data-rep=r.rep_id>
                                                <td class="num">{format!("{} → {}", r.before.rank, r.after.rank)}</td>
                                                <td>{name_of(r.rep_id)}</td>
                                                <td class="num">{r.before.score.display()}</td>
                                                <td class="num" data-testid="after">{r.after.score.display()}</td>
                                                <td>{text}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }
        }}
    }
}
