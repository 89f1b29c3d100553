//! The weights area of the manager's desk: every activity type with its weight history, a
//! form to set a new weight from a day on, and the impact preview recomputed in the browser
//! by `src/scoring` on every keystroke (no round trip), equal to what the server computes on
//! save.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{get_weight_desk, AdminAddType, AdminEditType, AdminSetWeight, TypeRow, WeightDesk};
use crate::components::{
    field_errors, ActionOutcome, ChartView, DeskNav, ErrorMessage, FieldMessage, Saves,
};
use crate::error::AppError;
use crate::scoring::{weight_impact_on, ImpactRow, Points};

#[component]
pub fn WeightsPage() -> impl IntoView {
    let save = ServerAction::<AdminSetWeight>::new();
    let add = ServerAction::<AdminAddType>::new();
    let edit = ServerAction::<AdminEditType>::new();
    let saves = Saves::default()
        .watch(save.value())
        .watch(add.value())
        .watch(edit.value());
    let desk = crate::components::data(move || saves.get(), |_| get_weight_desk());
    view! {
        <section class="admin desk">
            <h1>"Activity types and weights"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(d) => {
                                view! {
                                    <DeskNav current="weights"/>
                                    <WeightDeskView desk=d.clone() save=save/>
                                    <TypeForms types=d.types add=add edit=edit/>
                                }
                                    .into_any()
                            }
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

fn minutes_text(seconds: Option<i64>) -> String {
    match seconds {
        None => "none".into(),
        Some(s) if s % 60 == 0 => format!("{} min", s / 60),
        Some(s) => format!("{s} s"),
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
    // The board as it is, ranked once; each keystroke ranks only the board after.
    let baseline = StoredValue::new(desk.inputs.baseline());
    let desk = StoredValue::new(desk);
    // The whole preview, in the browser: parse what is typed, add it as a new version,
    // rank the period after it against the baseline.
    let impact = Memo::new(move |_| -> Option<Vec<ImpactRow>> {
        let w = Points::parse(weight.get().trim())
            .ok()
            .filter(|w| w.0 >= 0)?;
        let d = NaiveDate::parse_from_str(from.get().trim(), "%Y-%m-%d").ok()?;
        let k = key.get();
        desk.with_value(|desk| {
            let t = desk.types.iter().find(|t| t.key == k)?;
            Some(baseline.with_value(|b| weight_impact_on(&desk.inputs, b, t.id, w, d)))
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
                        <th scope="col">"Min. duration"</th>
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
                                        " "
                                        <code class="muted">{t.key.clone()}</code>
                                        {(!t.active).then_some(" (retired)")}
                                    </td>
                                    <td class="num">{t.weight_now.map(|w| w.display()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{if t.leading { "leading" } else { "lagging" }}</td>
                                    <td class="num">{t.daily_cap.map(|c| c.to_string()).unwrap_or_else(|| "none".into())}</td>
                                    <td class="num">{minutes_text(t.min_duration_seconds)}</td>
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
                let chart_height = 64 + 26 * rows.len() as u32;
                view! {
                    <p class="muted" role="status" data-testid="impact-summary">
                        {format!("{moved} of {} reps change places.", rows.len())}
                    </p>
                    <ChartView
                        id="impact-chart"
                        label="Points per rep before and after the change, as a bar chart; the table below has the same figures."
                        height=chart_height
                        chart=move || impact.get().map(|rows| impact_chart(&rows, &name_of))
                    >
                        <span class="muted">"Bars: points before (grey) and after (blue) the change, rep by rep in the new order."</span>
                    </ChartView>
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

/// Before and after, one pair of bars per rep, in the order of the board after the change.
fn impact_chart(rows: &[ImpactRow], name_of: &impl Fn(i64) -> String) -> charming::Chart {
    use charming::component::{Axis, Grid, Legend};
    use charming::element::{AxisType, Tooltip, Trigger};
    use charming::series::Bar;
    let points = |p: Points| p.0 as f64 / 100.0;
    let names: Vec<String> = rows.iter().map(|r| name_of(r.rep_id)).collect();
    // No animation: the chart follows every keystroke.
    charming::Chart::new()
        .animation(false)
        .background_color("transparent")
        .legend(Legend::new().top(0))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(
            Grid::new()
                .left(8)
                .right(24)
                .top(32)
                .bottom(8)
                .contain_label(true),
        )
        .x_axis(Axis::new().type_(AxisType::Value))
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .inverse(true)
                .data(names),
        )
        .color(vec!["#8a94a6", "#2f7de1"])
        .series(
            Bar::new().name("Before").data(
                rows.iter()
                    .map(|r| points(r.before.score))
                    .collect::<Vec<_>>(),
            ),
        )
        .series(
            Bar::new().name("After").data(
                rows.iter()
                    .map(|r| points(r.after.score))
                    .collect::<Vec<_>>(),
            ),
        )
}

/// Add a type; change one (rename, icon, kind, cap, minimum duration, retire/reactivate).
#[component]
fn TypeForms(
    types: Vec<TypeRow>,
    add: ServerAction<AdminAddType>,
    edit: ServerAction<AdminEditType>,
) -> impl IntoView {
    let add_error = Signal::derive(move || field_errors(&add.value().get()));
    let edit_error = Signal::derive(move || field_errors(&edit.value().get()));
    let types = StoredValue::new(types);
    let first = types.with_value(|t| t.first().map(|t| t.key.clone()).unwrap_or_default());
    let chosen = RwSignal::new(first);
    let current = move || {
        let k = chosen.get();
        types.with_value(|t| t.iter().find(|t| t.key == k).cloned())
    };
    let cap_text = |c: Option<i64>| c.map(|c| c.to_string()).unwrap_or_default();
    let minutes = |s: Option<i64>| s.map(|s| (s / 60).to_string()).unwrap_or_default();
    view! {
        <div class="desk-columns">
            <div>
                <h2 id="add-type">"Add an activity type"</h2>
                <ActionForm action=add attr:class="grid-form type-form" attr:aria-labelledby="add-type">
                    <label>
                        "Key"
                        <input type="text" name="form[key]" required pattern="[a-z0-9_]{1,40}" autocomplete="off" placeholder="e.g. site_visit"/>
                        <FieldMessage errors=add_error field="key"/>
                    </label>
                    <label>
                        "Label"
                        <input type="text" name="form[label]" required maxlength="60" autocomplete="off" placeholder="e.g. Site visit"/>
                        <FieldMessage errors=add_error field="label"/>
                    </label>
                    <label class="short">
                        "Icon"
                        <input type="text" name="form[icon]" required maxlength="16" autocomplete="off" placeholder="🏗️"/>
                        <FieldMessage errors=add_error field="icon"/>
                    </label>
                    <label>
                        "Kind"
                        <select name="form[kind]">
                            <option value="leading" selected>"leading (effort)"</option>
                            <option value="lagging">"lagging (outcome)"</option>
                        </select>
                    </label>
                    <label class="short">
                        "Points per unit"
                        <input type="text" name="form[weight]" required inputmode="decimal" autocomplete="off" placeholder="e.g. 5"/>
                        <FieldMessage errors=add_error field="weight"/>
                    </label>
                    <label class="short">
                        "Daily cap"
                        <input type="text" name="form[daily_cap]" inputmode="numeric" autocomplete="off" placeholder="none"/>
                        <FieldMessage errors=add_error field="daily_cap"/>
                    </label>
                    <label class="short">
                        "Min. minutes"
                        <input type="text" name="form[min_minutes]" inputmode="numeric" autocomplete="off" placeholder="none"/>
                        <FieldMessage errors=add_error field="min_minutes"/>
                    </label>
                    <input type="hidden" name="form[active]" value=""/>
                    <button type="submit" class="primary">"Add type"</button>
                </ActionForm>
                <ActionOutcome result=add.value() saved="Added. It is on every quick-log screen now, scoring from the start of this month."/>
            </div>
            <div>
                <h2 id="edit-type">"Rename, change or retire a type"</h2>
                <ActionForm action=edit attr:class="grid-form type-form" attr:aria-labelledby="edit-type">
                    <label>
                        "Type"
                        <select name="form[key]" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            {types
                                .get_value()
                                .into_iter()
                                .map(|t| {
                                    let selected = t.key == chosen.get_untracked();
                                    let text = if t.active { t.label.clone() } else { format!("{} (retired)", t.label) };
                                    view! { <option value=t.key.clone() selected=selected>{text}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    {move || {
                        current()
                            .map(|t| {
                                view! {
                                    <label>
                                        "Label"
                                        <input type="text" name="form[label]" required maxlength="60" autocomplete="off" value=t.label.clone()/>
                                        <FieldMessage errors=edit_error field="label"/>
                                    </label>
                                    <label class="short">
                                        "Icon"
                                        <input type="text" name="form[icon]" required maxlength="16" autocomplete="off" value=t.icon.clone()/>
                                        <FieldMessage errors=edit_error field="icon"/>
                                    </label>
                                    <label>
                                        "Kind"
                                        <select name="form[kind]">
                                            <option value="leading" selected=t.leading>"leading (effort)"</option>
                                            <option value="lagging" selected=!t.leading>"lagging (outcome)"</option>
                                        </select>
                                    </label>
                                    <label class="short">
                                        "Daily cap"
                                        <input type="text" name="form[daily_cap]" inputmode="numeric" autocomplete="off" placeholder="none" value=cap_text(t.daily_cap)/>
                                        <FieldMessage errors=edit_error field="daily_cap"/>
                                    </label>
                                    <label class="short">
                                        "Min. minutes"
                                        <input type="text" name="form[min_minutes]" inputmode="numeric" autocomplete="off" placeholder="none" value=minutes(t.min_duration_seconds)/>
                                        <FieldMessage errors=edit_error field="min_minutes"/>
                                    </label>
                                    <label>
                                        "Status"
                                        <select name="form[active]">
                                            <option value="true" selected=t.active>"in use"</option>
                                            <option value="false" selected=!t.active>"retired (history still scores)"</option>
                                        </select>
                                    </label>
                                }
                            })
                    }}
                    <input type="hidden" name="form[weight]" value=""/>
                    <button type="submit" class="primary">"Save type"</button>
                </ActionForm>
                <ActionOutcome result=edit.value() saved="Saved. Its history and weights are unchanged."/>
            </div>
        </div>
    }
}
