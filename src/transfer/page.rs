//! The admin desk's import and export panel: pick a CSV file (read in the browser) or paste
//! its text, check it (dry run) with every bad row listed, then import it; download exports.

use leptos::prelude::*;

use super::{AdminImportCsv, ImportReport};

#[component]
pub fn ImportExportPanel() -> impl IntoView {
    let kind = RwSignal::new("activities".to_string());
    let text = RwSignal::new(String::new());
    let file_note = RwSignal::new(None::<String>);
    let import = ServerAction::<AdminImportCsv>::new();
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                let name = file.name();
                file_note.set(Some(format!("Reading {name}…")));
                leptos::task::spawn_local(async move {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        Ok(v) => {
                            text.set(v.as_string().unwrap_or_default());
                            file_note.set(Some(format!("{name} loaded; check it, then import.")));
                        }
                        Err(_) => file_note.set(Some(format!(
                            "Could not read {name}; paste its text below instead."
                        ))),
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, file_note);
    };
    let run = move |dry_run: bool| {
        import.dispatch(AdminImportCsv {
            kind: kind.get_untracked(),
            csv: text.get_untracked(),
            dry_run,
        });
    };
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let period = RwSignal::new("month".to_string());
    let date = RwSignal::new(String::new());
    let range = move || {
        let mut q = Vec::new();
        if !from.get().is_empty() {
            q.push(format!("from={}", from.get()));
        }
        if !to.get().is_empty() {
            q.push(format!("to={}", to.get()));
        }
        if q.is_empty() {
            String::new()
        } else {
            format!("?{}", q.join("&"))
        }
    };
    let board = move || {
        let mut href = format!("/export/leaderboard.csv?period={}", period.get());
        if !date.get().is_empty() {
            href.push_str(&format!("&date={}", date.get()));
        }
        href
    };
    view! {
        <section class="import-export" data-testid="import-export">
            <h2>"Import CSV"</h2>
            <p class="muted">
                "Columns as in the integration API, header row first. Check the file first: every bad row is listed and nothing is written. An import is all or nothing, and importing the same file again changes nothing."
            </p>
            <div class="grid-form">
                <label>
                    "What"
                    <select on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                        <option value="activities">"Activities"</option>
                        <option value="deals">"Deals"</option>
                        <option value="targets">"Targets"</option>
                    </select>
                </label>
                <label>"File" <input type="file" accept=".csv,text/csv" on:change=on_file/></label>
            </div>
            {move || file_note.get().map(|n| view! { <p class="muted" role="status">{n}</p> })}
            <label class="block">
                "CSV text"
                <textarea
                    rows="6"
                    spellcheck="false"
                    placeholder="rep_email,type,occurred_at,quantity"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <div class="actions">
                <button type="button" disabled=move || import.pending().get() on:click=move |_| run(true)>
                    "Check (dry run)"
                </button>
                <button type="button" class="primary" disabled=move || import.pending().get() on:click=move |_| run(false)>
                    "Import"
                </button>
            </div>
            {move || {
                import
                    .value()
                    .get()
                    .map(|r| match r {
                        Ok(report) => view! { <ImportResult report=report/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    })
            }}
            <h2>"Export CSV"</h2>
            <div class="grid-form">
                <label>"From" <input type="date" on:input=move |ev| from.set(event_target_value(&ev))/></label>
                <label>"To" <input type="date" on:input=move |ev| to.set(event_target_value(&ev))/></label>
                <a class="button" href=move || format!("/export/activities.csv{}", range()) download>"Activities"</a>
                <a class="button" href=move || format!("/export/deals.csv{}", range()) download>"Deals"</a>
            </div>
            <div class="grid-form">
                <label>
                    "Leaderboard period"
                    <select on:change=move |ev| period.set(event_target_value(&ev))>
                        <option value="day">"Day"</option>
                        <option value="week">"Week"</option>
                        <option value="month" selected>"Month"</option>
                        <option value="quarter">"Quarter"</option>
                        <option value="year">"Year"</option>
                    </select>
                </label>
                <label>"Containing" <input type="date" on:input=move |ev| date.set(event_target_value(&ev))/></label>
                <a class="button" href=board download>"Leaderboard"</a>
            </div>
        </section>
    }
}

#[component]
fn ImportResult(report: ImportReport) -> impl IntoView {
    let summary = report.summary();
    if report.errors.is_empty() {
        return view! { <p class="success" role="status" data-testid="import-summary">{summary}</p> }
            .into_any();
    }
    let more = (report.more_errors > 0).then(|| {
        format!(
            "The first {} are listed; fix them and check again to see the rest.",
            report.errors.len()
        )
    });
    view! {
        <p class="error" role="alert" data-testid="import-summary">{summary}</p>
        {more.map(|m| view! { <p>{m}</p> })}
        <div class="scroll">
            <table class="import-errors">
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Problem"</th>
                    </tr>
                </thead>
                <tbody>
                    {report
                        .errors
                        .into_iter()
                        .map(|e| view! { <tr><td>{e.line}</td><td>{e.message}</td></tr> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
