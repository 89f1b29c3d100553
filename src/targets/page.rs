//! The targets area of the manager's desk: reps (grouped by team and sales role) × the 12
//! months of a fiscal year for one metric; role defaults and reps' own targets shown apart;
//! a row filled from an annual figure × a seasonality profile by `src/scoring` in the
//! browser; spreadsheet keys and paste; every edit saved in one batch.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use super::grid::{cell_name, is_block, pasted_block};
use super::{
    get_target_desk, save_seasonality_profile, save_targets, CellEdit, SavedProfile, TargetDesk,
};
use crate::components::{DeskNav, ErrorMessage};
use crate::error::{AppError, FieldError};
use crate::scoring::{
    distribute_annual, entry_scale, format_target_entry, parse_target_entry, EntryError,
    MetricUnit, SeasonalityPreset, SeasonalityProfile, YearMonth,
};

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn short_month(m: YearMonth) -> &'static str {
    MONTH_ABBR[(m.month.clamp(1, 12) - 1) as usize]
}

#[component]
pub fn TargetsPage() -> impl IntoView {
    let query = use_query_map();
    let metric = move || query.with(|q| q.get("metric")).unwrap_or_default();
    let year = move || query.with(|q| q.get("year")).unwrap_or_default();
    // Bumped after a successful save: the grid reloads what the server now holds.
    let reload = RwSignal::new(0_u32);
    // Survives the reload, so "Saved" is still said after the grid is rebuilt.
    let flash = RwSignal::new(None::<String>);
    let desk = crate::components::data(
        move || (metric(), year(), reload.get()),
        |(m, y, _)| get_target_desk(m, y),
    );
    view! {
        <section class="admin desk targets-desk">
            <h1>"Targets"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(d) => {
                                let role = d.viewer_role;
                                view! {
                                    <DeskNav current="targets" role=role/>
                                    <TargetDeskView desk=d reload=reload flash=flash/>
                                }
                                    .into_any()
                            }
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/admin/targets"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">
                                        "Targets are set by managers and admins. Ask your manager if a target looks wrong."
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

/// One row of the grid: a role default or a rep's own targets.
#[derive(Clone)]
struct GridRow {
    /// What the row is called in messages and labels.
    name: String,
    /// A group heading shown above this row.
    heading: Option<String>,
    role_key: Option<String>,
    rep_email: Option<String>,
    editable: bool,
    /// The stored values, one per month.
    stored: Vec<Option<i64>>,
    /// For a rep: their role's default per month (shown where they have no own target).
    inherited: Vec<Option<i64>>,
}

fn grid_rows(desk: &TargetDesk) -> Vec<GridRow> {
    let mut rows: Vec<GridRow> = desk
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| GridRow {
            name: format!("{} default", r.name),
            heading: (i == 0).then(|| {
                if desk.may_edit_roles {
                    "Role defaults (every rep of the role without their own target)".to_string()
                } else {
                    "Role defaults (set by admins; shown read-only)".to_string()
                }
            }),
            role_key: Some(r.key.clone()),
            rep_email: None,
            editable: desk.may_edit_roles,
            stored: r.values.clone(),
            inherited: vec![None; 12],
        })
        .collect();
    let mut last_group = None;
    for rep in &desk.reps {
        let group = format!(
            "{} · {}",
            rep.team.clone().unwrap_or_else(|| "No team".into()),
            rep.role_name
        );
        let heading = (last_group.as_ref() != Some(&group)).then(|| group.clone());
        last_group = Some(group);
        let inherited = desk
            .roles
            .iter()
            .find(|r| r.id == rep.role_id)
            .map(|r| r.values.clone())
            .unwrap_or_else(|| vec![None; 12]);
        rows.push(GridRow {
            name: rep.name.clone(),
            heading,
            role_key: None,
            rep_email: Some(rep.email.clone()),
            editable: true,
            stored: rep.values.clone(),
            inherited,
        });
    }
    rows
}

fn cell_id(r: usize, c: usize) -> String {
    format!("cell-{r}-{c}")
}

/// Moves the focus to a cell (and selects its text, as a spreadsheet does).
fn focus_cell(r: usize, c: usize) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id(&cell_id(r, c))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            let _ = input.focus();
            input.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (r, c);
}

/// Whether an arrow key should leave the cell to the left and to the right: the caret is
/// at that edge of the text, or the whole text is selected.
fn caret_at_edges(ev: &leptos::ev::KeyboardEvent) -> (bool, bool) {
    #[cfg(feature = "hydrate")]
    {
        let input: web_sys::HtmlInputElement = event_target(ev);
        let len = input.value().encode_utf16().count() as u32;
        let start = input.selection_start().ok().flatten().unwrap_or(0);
        let end = input.selection_end().ok().flatten().unwrap_or(len);
        // Just arrived (the whole text selected, as on entering a cell): arrows move on.
        let all = start == 0 && end == len;
        (
            all || (start == 0 && end == 0),
            all || (start == len && end == len),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        (true, true)
    }
}

/// The plain text of a paste.
fn pasted_text(ev: &leptos::ev::ClipboardEvent) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let data = js_sys::Reflect::get(ev, &"clipboardData".into()).ok()?;
        let get: js_sys::Function = js_sys::Reflect::get(&data, &"getData".into())
            .ok()?
            .dyn_into()
            .ok()?;
        get.call1(&data, &"text/plain".into()).ok()?.as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// A cell's text read in the metric's unit: `Ok(None)` when empty.
fn read_cell(unit: MetricUnit, text: &str) -> Result<Option<i64>, EntryError> {
    match parse_target_entry(unit, text) {
        Ok(v) => Ok(Some(v)),
        Err(EntryError::Empty) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The profiles offered for a fill: the presets, then the saved ones.
fn profile_choices(
    start: u32,
    saved: &[SavedProfile],
) -> Vec<(String, String, SeasonalityProfile)> {
    SeasonalityPreset::ALL
        .iter()
        .map(|p| {
            (
                format!("preset:{}", p.key()),
                p.label().to_string(),
                p.profile(start),
            )
        })
        .chain(saved.iter().map(|s| {
            (
                format!("saved:{}", s.name),
                s.name.clone(),
                s.profile.clone(),
            )
        }))
        .collect()
}

#[component]
fn TargetDeskView(
    desk: TargetDesk,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
) -> impl IntoView {
    let unit = desk.metric.unit;
    let (_, _, unit_name) = entry_scale(unit);
    let months = desk.months.clone();
    let rows = grid_rows(&desk);
    let original: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.stored
                .iter()
                .map(|v| v.map(|v| format_target_entry(unit, v)).unwrap_or_default())
                .collect()
        })
        .collect();
    let cells: Vec<Vec<RwSignal<String>>> = original
        .iter()
        .map(|row| row.iter().map(|t| RwSignal::new(t.clone())).collect())
        .collect();
    // Problems the server found, by cell; a cell's own is cleared when it is edited.
    let server_errors: Vec<Vec<RwSignal<Option<String>>>> = rows
        .iter()
        .map(|_| (0..12).map(|_| RwSignal::new(None)).collect())
        .collect();
    let editable_rows: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.editable)
        .map(|(i, _)| i)
        .collect();
    let rows = StoredValue::new(rows);
    let original = StoredValue::new(original);
    let cells = StoredValue::new(cells);
    let server_errors = StoredValue::new(server_errors);
    let editable_rows = StoredValue::new(editable_rows);
    let months_sv = StoredValue::new(months.clone());
    let note = RwSignal::new(None::<(bool, String)>);
    let saving = RwSignal::new(false);
    let fill_row = RwSignal::new(editable_rows.with_value(|e| e.first().copied()));

    let cell = move |r: usize, c: usize| cells.with_value(|cs| cs[r][c]);
    let name_of = move |r: usize, c: usize| {
        let m = months_sv.with_value(|m| m[c]);
        rows.with_value(|rows| cell_name(&rows[r].name, m))
    };
    // What is wrong with a cell, if anything: the server's word, else the typed text.
    let cell_error = move |r: usize, c: usize| -> Option<String> {
        server_errors.with_value(|e| e[r][c].get()).or_else(|| {
            read_cell(unit, &cell(r, c).get())
                .err()
                .map(|e| e.to_string())
        })
    };
    let dirty = move |r: usize, c: usize| original.with_value(|o| o[r][c] != cell(r, c).get());
    let row_count = rows.with_value(Vec::len);
    let changed = Memo::new(move |_| {
        (0..row_count)
            .flat_map(|r| (0..12).map(move |c| (r, c)))
            .filter(|(r, c)| dirty(*r, *c))
            .count()
    });
    let problems = Memo::new(move |_| {
        (0..row_count)
            .flat_map(|r| (0..12).map(move |c| (r, c)))
            .filter_map(|(r, c)| {
                cell_error(r, c).map(|e| (r, c, format!("{}: {e}", name_of(r, c))))
            })
            .collect::<Vec<_>>()
    });

    // The next editable row above (-1) or below (+1) `r`.
    let step_row = move |r: usize, down: bool| -> Option<usize> {
        editable_rows.with_value(|e| {
            let i = e.iter().position(|x| *x == r)?;
            if down {
                e.get(i + 1).copied()
            } else {
                i.checked_sub(1).and_then(|j| e.get(j).copied())
            }
        })
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent, r: usize, c: usize| {
        let key = ev.key();
        let target = match key.as_str() {
            "ArrowUp" => step_row(r, false).map(|r| (r, c)),
            "ArrowDown" => step_row(r, true).map(|r| (r, c)),
            "Enter" => step_row(r, !ev.shift_key()).map(|r| (r, c)),
            "ArrowLeft" if c > 0 && caret_at_edges(&ev).0 => Some((r, c - 1)),
            "ArrowRight" if c < 11 && caret_at_edges(&ev).1 => Some((r, c + 1)),
            _ => None,
        };
        if key == "Enter" {
            // Enter never submits anything here; it moves down like a spreadsheet.
            ev.prevent_default();
        }
        if let Some((r, c)) = target {
            ev.prevent_default();
            focus_cell(r, c);
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent, r: usize, c: usize| {
        let Some(text) = pasted_text(&ev) else { return };
        if !is_block(&text) {
            return;
        }
        ev.prevent_default();
        let block = pasted_block(&text);
        let targets: Vec<usize> =
            editable_rows.with_value(|e| e.iter().copied().skip_while(|x| *x != r).collect());
        let (mut placed, mut outside, mut bad) = (0, 0, Vec::new());
        for (i, line) in block.iter().enumerate() {
            for (j, text) in line.iter().enumerate() {
                match (targets.get(i), c + j) {
                    (Some(&row), col) if col < 12 => {
                        cell(row, col).set(text.clone());
                        server_errors.with_value(|e| e[row][col].set(None));
                        placed += 1;
                        if let Err(e) = read_cell(unit, text) {
                            bad.push(format!("{} ('{text}': {e})", name_of(row, col)));
                        }
                    }
                    _ => outside += 1,
                }
            }
        }
        let mut msg = format!("Pasted {placed} cells.");
        if outside > 0 {
            msg.push_str(&format!(
                " {outside} fell outside the grid and were left out."
            ));
        }
        if !bad.is_empty() {
            msg.push_str(&format!(
                " {} {}: {}. Fix {} before saving.",
                bad.len(),
                if bad.len() == 1 {
                    "cell needs fixing"
                } else {
                    "cells need fixing"
                },
                bad.join("; "),
                if bad.len() == 1 { "it" } else { "them" },
            ));
        }
        note.set(Some((bad.is_empty(), msg)));
    };

    let metric_key = desk.metric.key.clone();
    let save = move |_| {
        flash.set(None);
        if !problems.get_untracked().is_empty() {
            note.set(Some((
                false,
                "Not saved: fix the cells listed below first.".into(),
            )));
            return;
        }
        let mut edits = Vec::new();
        let mut at = Vec::new();
        rows.with_value(|rows| {
            for (r, row) in rows.iter().enumerate() {
                for c in 0..12 {
                    if row.editable && dirty(r, c) {
                        edits.push(CellEdit {
                            rep_email: row.rep_email.clone(),
                            role: row.role_key.clone(),
                            month: months_sv.with_value(|m| m[c].key()),
                            value: cell(r, c).get_untracked(),
                        });
                        at.push((r, c));
                    }
                }
            }
        });
        if edits.is_empty() {
            note.set(Some((true, "Nothing to save: no cell was changed.".into())));
            return;
        }
        saving.set(true);
        let metric = metric_key.clone();
        leptos::task::spawn_local(async move {
            let result = save_targets(metric, edits).await;
            saving.set(false);
            match result {
                Ok(done) => {
                    let mut msg = format!(
                        "Saved: {} target{} set",
                        done.set,
                        if done.set == 1 { "" } else { "s" }
                    );
                    if done.cleared > 0 {
                        msg.push_str(&format!(", {} removed", done.cleared));
                    }
                    msg.push('.');
                    flash.set(Some(msg));
                    reload.update(|n| *n += 1);
                }
                Err(AppError::Invalid(errors)) => {
                    let mut general: Vec<String> = Vec::new();
                    for FieldError { index, message, .. } in errors {
                        match index.and_then(|i| at.get(usize::try_from(i).ok()?)) {
                            Some(&(r, c)) => {
                                // The server names the cell; the list below names it too.
                                let prefix = format!("{}: ", name_of(r, c));
                                let message = message
                                    .strip_prefix(&prefix)
                                    .map(str::to_string)
                                    .unwrap_or(message);
                                server_errors.with_value(|e| e[r][c].set(Some(message)))
                            }
                            None => general.push(message),
                        }
                    }
                    let mut msg =
                        "Not saved; nothing was changed. Fix the cells listed below.".to_string();
                    if !general.is_empty() {
                        msg = format!("Not saved: {}", general.join("; "));
                    }
                    note.set(Some((false, msg)));
                }
                Err(AppError::Forbidden) => note.set(Some((
                    false,
                    "Not saved: you may only set targets for your own team's reps.".into(),
                ))),
                Err(e) => note.set(Some((false, format!("Not saved: {e}")))),
            }
        });
    };

    let fill_desk = desk.clone();

    let head = months
        .iter()
        .map(|m| view! { <th scope="col" class="num">{short_month(*m)}<span class="year">{m.year.to_string()}</span></th> })
        .collect_view();
    let render_row = move |r: usize| {
        let row = rows.with_value(|rows| rows[r].clone());
        let is_role = row.role_key.is_some();
        let tds = (0..12)
                .map(|c| {
                    let label = name_of(r, c);
                    if !row.editable {
                        let text = row.stored[c]
                            .map(|v| format_target_entry(unit, v))
                            .unwrap_or_else(|| "—".into());
                        return view! { <td class="num readonly" title=label>{text}</td> }.into_any();
                    }
                    let inherited = row.inherited[c]
                        .map(|v| format!("{} role", format_target_entry(unit, v)))
                        .unwrap_or_default();
                    let sig = cell(r, c);
                    let err_id = format!("err-{r}-{c}");
                    view! {
                        <td class="num">
                            <input
                                id=cell_id(r, c)
                                type="text"
                                inputmode="decimal"
                                autocomplete="off"
                                class="cell"
                                class:dirty=move || dirty(r, c)
                                class:invalid=move || cell_error(r, c).is_some()
                                aria-label=label
                                aria-invalid=move || cell_error(r, c).is_some().then_some("true")
                                aria-describedby=move || cell_error(r, c).is_some().then(|| err_id.clone())
                                placeholder=inherited
                                prop:value=move || sig.get()
                                on:input=move |ev| {
                                    sig.set(event_target_value(&ev));
                                    server_errors.with_value(|e| e[r][c].set(None));
                                }
                                on:focus=move |_| fill_row.set(Some(r))
                                on:keydown=move |ev| on_key(ev, r, c)
                                on:paste=move |ev| on_paste(ev, r, c)
                            />
                        </td>
                    }
                        .into_any()
                })
                .collect_view();
        let total = move || {
            let mut sum: i64 = 0;
            let mut any = false;
            for c in 0..12 {
                let own = read_cell(unit, &cell(r, c).get()).ok().flatten();
                let inherited = rows.with_value(|rows| rows[r].inherited[c]);
                if let Some(v) = own.or(inherited) {
                    sum = sum.saturating_add(v);
                    any = true;
                }
            }
            if any {
                format_target_entry(unit, sum)
            } else {
                "—".into()
            }
        };
        view! {
            <tr class=if is_role { "role-row" } else { "rep-row" } data-row=row.name.clone()>
                <th scope="row">
                    {row.name.clone()}
                </th>
                {tds}
                <td class="num total">{total}</td>
            </tr>
        }
    };
    // One `<tbody>` per group (role defaults, then team · sales role), headed by its name.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    rows.with_value(|rows| {
        for (r, row) in rows.iter().enumerate() {
            match (&row.heading, groups.last_mut()) {
                (None, Some(last)) => last.1.push(r),
                (h, _) => groups.push((h.clone().unwrap_or_default(), vec![r])),
            }
        }
    });
    let body = groups
        .into_iter()
        .map(|(heading, members)| {
            view! {
                <tbody>
                    <tr class="group"><th colspan="14" scope="rowgroup">{heading}</th></tr>
                    {members.into_iter().map(render_row).collect_view()}
                </tbody>
            }
        })
        .collect_view();

    let note_view = move || {
        note.get().map(|(ok, text)| {
            if ok {
                view! { <p class="ok" role="status" data-testid="grid-note">{text}</p> }.into_any()
            } else {
                view! { <p class="error" role="alert" data-testid="grid-note">{text}</p> }
                    .into_any()
            }
        })
    };
    let problem_list = move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            view! {
                <ul class="cell-errors" data-testid="cell-errors">
                    {list
                        .into_iter()
                        .map(|(r, c, text)| {
                            view! {
                                <li id=format!("err-{r}-{c}")>
                                    <button type="button" class="link" on:click=move |_| focus_cell(r, c)>{text}</button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    };
    let scope_note = match (&desk.viewer_team, desk.may_edit_roles) {
        (_, true) => "You may set every rep's targets and the role defaults.".to_string(),
        (Some(team), false) => {
            format!("You see and set the targets of team {team}. Role defaults are set by admins.")
        }
        (None, false) => "You have no team, so there are no reps to set targets for.".to_string(),
    };

    view! {
        <TargetPickers desk=desk.clone() note=scope_note/>
        {move || flash.get().map(|m| view! { <p class="ok" role="status" data-testid="saved">{m}</p> })}
        <FillPanel
            desk=fill_desk
            rows=rows
            editable_rows=editable_rows
            fill_row=fill_row
            cells=cells
            server_errors=server_errors
            note=note
        />
        <h2>{format!("{} — fiscal year {}", desk.metric.label, desk.fiscal_year)}</h2>
        <p class="muted legend">
            "Unit: " {unit_name} ". An italic value marked "
            <em>"role"</em>
            " is the role default, in force where the rep has no own target; type to override it, clear a cell to go back to the default. Arrows and Enter move between cells; paste a spreadsheet block into its first cell."
        </p>
        <div class="scroll">
            <table class="target-grid" data-testid="target-grid">
                <thead>
                    <tr>
                        <th scope="col">"Rep"</th>
                        {head}
                        <th scope="col" class="num">"Year"</th>
                    </tr>
                </thead>
                {body}
            </table>
        </div>
        <div class="save-bar">
            <button type="button" class="primary" on:click=save disabled=move || saving.get()>
                {move || if saving.get() { "Saving…" } else { "Save targets" }}
            </button>
            <span class="muted" data-testid="unsaved">
                {move || match changed.get() {
                    0 => "No unsaved changes.".to_string(),
                    1 => "1 unsaved change.".to_string(),
                    n => format!("{n} unsaved changes."),
                }}
            </span>
        </div>
        {note_view}
        {problem_list}
    }
}

/// The metric and fiscal-year pickers: a plain GET form (works without JavaScript), that
/// moves at once when a choice changes.
#[component]
fn TargetPickers(desk: TargetDesk, note: String) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let metric = RwSignal::new(desk.metric.key.clone());
    let year = RwSignal::new(desk.fiscal_year.to_string());
    let go = move || {
        navigate(
            &format!(
                "/admin/targets?metric={}&year={}",
                metric.get_untracked().replace(':', "%3A"),
                year.get_untracked()
            ),
            Default::default(),
        )
    };
    let go2 = go.clone();
    let current_metric = desk.metric.key.clone();
    view! {
        <form method="get" action="/admin/targets" class="grid-form pickers">
            <label>
                "Metric"
                <select name="metric" on:change=move |ev| { metric.set(event_target_value(&ev)); go(); }>
                    {desk.metrics
                        .iter()
                        .map(|m| {
                            view! { <option value=m.key.clone() selected=m.key == current_metric>{m.label.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Fiscal year"
                <select name="year" on:change=move |ev| { year.set(event_target_value(&ev)); go2(); }>
                    {desk.fiscal_years
                        .iter()
                        .map(|y| {
                            let first = crate::scoring::fiscal_year_first_month(*y, desk.fiscal_start_month);
                            let last = first.plus_months(11);
                            let text = format!(
                                "FY {y} ({} {} – {} {})",
                                short_month(first),
                                first.year,
                                short_month(last),
                                last.year
                            );
                            view! { <option value=y.to_string() selected=*y == desk.fiscal_year>{text}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <noscript><button type="submit">"Show"</button></noscript>
            <p class="muted scope-note">{note}</p>
        </form>
    }
}

/// Fill a row from an annual figure × a seasonality profile, computed here by
/// `distribute_annual` (no round trip); admins may save a custom profile for later.
#[component]
fn FillPanel(
    desk: TargetDesk,
    rows: StoredValue<Vec<GridRow>>,
    editable_rows: StoredValue<Vec<usize>>,
    fill_row: RwSignal<Option<usize>>,
    cells: StoredValue<Vec<Vec<RwSignal<String>>>>,
    server_errors: StoredValue<Vec<Vec<RwSignal<Option<String>>>>>,
    note: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let unit = desk.metric.unit;
    let (_, _, unit_name) = entry_scale(unit);
    let start = desk.fiscal_start_month;
    let fiscal_year = desk.fiscal_year;
    let is_admin = desk.may_edit_roles;
    let saved = RwSignal::new(desk.profiles.clone());
    let choice = RwSignal::new("preset:flat".to_string());
    let percents: Vec<RwSignal<String>> = SeasonalityProfile::flat()
        .percent_texts()
        .into_iter()
        .map(RwSignal::new)
        .collect();
    let percents = StoredValue::new(percents);
    let annual = RwSignal::new(String::new());
    let annual_error = RwSignal::new(None::<String>);
    let profile_name = RwSignal::new(String::new());
    let profile_note = RwSignal::new(None::<(bool, String)>);
    let name_error = RwSignal::new(None::<String>);

    let typed = move || percents.with_value(|p| p.iter().map(|s| s.get()).collect::<Vec<_>>());
    let profile = Memo::new(move |_| SeasonalityProfile::parse_percents(&typed()));
    let sum_text = move || {
        let sum: i64 = typed()
            .iter()
            .filter_map(|t| parse_target_entry(MetricUnit::BasisPoints, t).ok())
            .sum();
        format!("{} %", format_target_entry(MetricUnit::BasisPoints, sum))
    };
    let pick = move |key: String| {
        let found = profile_choices(start, &saved.get_untracked())
            .into_iter()
            .find(|(k, _, _)| *k == key);
        if let Some((_, _, p)) = found {
            let texts = p.percent_texts();
            percents.with_value(|ps| {
                for (s, t) in ps.iter().zip(texts) {
                    s.set(t);
                }
            });
        }
        choice.set(key);
    };
    let months = desk.months.clone();
    let fill = move |_| {
        note.set(None);
        let Some(r) = fill_row.get_untracked() else {
            return;
        };
        let total = match parse_target_entry(unit, &annual.get_untracked()) {
            Ok(v) => v,
            Err(e) => {
                annual_error.set(Some(format!("Annual target {e}.")));
                return;
            }
        };
        annual_error.set(None);
        let Ok(profile) = profile.get_untracked() else {
            return;
        };
        let parts = distribute_annual(total, &profile, fiscal_year, start);
        cells.with_value(|cs| {
            for (c, (_, v)) in parts.iter().enumerate() {
                cs[r][c].set(format_target_entry(unit, *v));
                server_errors.with_value(|e| e[r][c].set(None));
            }
        });
        let name = rows.with_value(|rows| rows[r].name.clone());
        note.set(Some((
            true,
            format!(
                "Filled {name}: {} over 12 months. Save targets to keep them.",
                format_target_entry(unit, total)
            ),
        )));
    };
    let save_profile = move |_| {
        profile_note.set(None);
        name_error.set(None);
        let name = profile_name.get_untracked();
        let texts = typed();
        leptos::task::spawn_local(async move {
            match save_seasonality_profile(name, texts).await {
                Ok(p) => {
                    let key = format!("saved:{}", p.name);
                    profile_note.set(Some((true, format!("Profile “{}” saved.", p.name))));
                    saved.update(|s| {
                        s.retain(|x| x.name != p.name);
                        s.push(p);
                        s.sort_by(|a, b| a.name.cmp(&b.name));
                    });
                    choice.set(key);
                }
                Err(AppError::Invalid(errors)) => {
                    let mut other = Vec::new();
                    for e in errors {
                        if e.field == "name" {
                            name_error.set(Some(format!("Name {}.", e.message)));
                        } else {
                            other.push(e.message);
                        }
                    }
                    if !other.is_empty() {
                        profile_note
                            .set(Some((false, format!("Not saved: {}.", other.join("; ")))));
                    }
                }
                Err(e) => profile_note.set(Some((false, format!("Not saved: {e}")))),
            }
        });
    };
    let row_options = move || {
        rows.with_value(|rows| {
            editable_rows.with_value(|e| {
                e.iter()
                    .map(|&r| {
                        let selected = fill_row.get() == Some(r);
                        view! { <option value=r.to_string() selected=selected>{rows[r].name.clone()}</option> }
                    })
                    .collect_view()
            })
        })
    };
    let percent_inputs = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let s = percents.with_value(|p| p[i]);
            let bad = move || matches!(profile.get(), Err(crate::scoring::SeasonalityError::NotANumber { month_index } | crate::scoring::SeasonalityError::Negative { month_index }) if month_index as usize == i);
            view! {
                <label class="percent">
                    {short_month(*m)}
                    <input
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        name=format!("percents[{i}]")
                        aria-label=format!("{} share in %", m.label())
                        aria-invalid=move || bad().then_some("true")
                        aria-describedby="profile-error"
                        class:invalid=bad
                        prop:value=move || s.get()
                        on:input=move |ev| {
                            s.set(event_target_value(&ev));
                            choice.set("custom".into());
                        }
                    />
                </label>
            }
        })
        .collect_view();
    let has_rows = editable_rows.with_value(|e| !e.is_empty());
    view! {
        <details class="fill-panel">
            <summary>"Fill a row from an annual target × seasonality"</summary>
            <div class="grid-form fill-form">
                <label>
                    "Row"
                    <select on:change=move |ev| fill_row.set(event_target_value(&ev).parse().ok())>
                        {row_options}
                    </select>
                </label>
                <label>
                    {format!("Annual target ({unit_name})")}
                    <input
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        placeholder="e.g. 120,000"
                        aria-invalid=move || annual_error.get().is_some().then_some("true")
                        aria-describedby="annual-error"
                        prop:value=move || annual.get()
                        on:input=move |ev| annual.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Seasonality"
                    <select on:change=move |ev| pick(event_target_value(&ev))>
                        {move || {
                            let current = choice.get();
                            profile_choices(start, &saved.get())
                                .into_iter()
                                .map(|(k, label, _)| {
                                    let selected = k == current;
                                    view! { <option value=k selected=selected>{label}</option> }
                                })
                                .collect_view()
                        }}
                        <option value="custom" selected=move || choice.get() == "custom">"Custom (as typed below)"</option>
                    </select>
                </label>
                <button type="button" class="primary" on:click=fill disabled=move || profile.get().is_err() || !has_rows>
                    "Fill row"
                </button>
            </div>
            {move || annual_error.get().map(|e| view! { <p class="error" id="annual-error" role="alert">{e}</p> })}
            <fieldset class="percents">
                <legend>"Monthly shares (%), must add up to 100 — sum: " <strong data-testid="percent-sum">{sum_text}</strong></legend>
                {percent_inputs}
            </fieldset>
            {move || match profile.get() {
                Ok(_) => None,
                Err(e) => Some(view! { <p class="error" id="profile-error" role="alert" data-testid="profile-error">{format!("Seasonality: {e}.")}</p> }),
            }}
            {is_admin.then(|| view! {
                <div class="grid-form profile-form">
                    <label>
                        "Save these shares as"
                        <input
                            type="text"
                            autocomplete="off"
                            maxlength="60"
                            placeholder="Profile name"
                            aria-invalid=move || name_error.get().is_some().then_some("true")
                            aria-describedby="profile-name-error"
                            prop:value=move || profile_name.get()
                            on:input=move |ev| profile_name.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="button" on:click=save_profile>"Save profile"</button>
                </div>
                {move || name_error.get().map(|e| view! { <p class="error" id="profile-name-error" role="alert">{e}</p> })}
            })}
            {move || profile_note.get().map(|(ok, text)| if ok {
                view! { <p class="ok" role="status">{text}</p> }.into_any()
            } else {
                view! { <p class="error" role="alert">{text}</p> }.into_any()
            })}
        </details>
    }
}
