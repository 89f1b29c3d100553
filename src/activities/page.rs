//! The rep's phone page: quick-log buttons, own score with its explanation, today's entries.

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use super::{
    get_my_score, list_activity_types, ActivityTypeView, DeleteActivity, LogActivity, MyScore,
};
use crate::components::ErrorMessage;
use crate::error::AppError;
use crate::leaderboard::format_index;

/// A fresh key for each tap, so a retried request is stored once but two taps count twice.
fn new_client_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let a = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        let b = js_sys::Date::now() as u64;
        format!("{b:x}-{a:x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

#[component]
pub fn MyScorePage() -> impl IntoView {
    let log = ServerAction::<LogActivity>::new();
    let delete = ServerAction::<DeleteActivity>::new();
    let types = Resource::new(|| (), |_| list_activity_types());
    // Activities logged elsewhere (another device, the CRM through the API) arrive live.
    let pushed = RwSignal::new(0usize);
    crate::live::client::subscribe("/events".into(), move || pushed.update(|n| *n += 1));
    let score = Resource::new(
        move || (log.version().get(), delete.version().get(), pushed.get()),
        |_| get_my_score("month".to_string()),
    );
    let last_logged = RwSignal::new(None::<String>);

    view! {
        <section class="me">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    types.get()
                        .map(|r| match r {
                            Ok(types) => view! { <QuickLog types=types log=log last_logged=last_logged/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/me"/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
            <p class="flash" role="status" aria-live="polite">
                {move || match log.value().get() {
                    Some(Ok(l)) if l.duplicate => "Already logged (retry ignored).".to_string(),
                    Some(Ok(_)) => last_logged.get().map(|l| format!("Logged: {l}")).unwrap_or_default(),
                    Some(Err(e)) => e.to_string(),
                    None => String::new(),
                }}
            </p>
            <Transition fallback=|| ()>
                {move || {
                    score.get()
                        .map(|r| match r {
                            Ok(s) => view! { <ScoreCard score=s delete=delete/> }.into_any(),
                            Err(AppError::Unauthenticated) => ().into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
            <crate::scorecard::ScorecardPanel refresh=Signal::derive(move || {
                log.version().get() + delete.version().get() + pushed.get()
            })/>
        </section>
    }
}

#[component]
fn QuickLog(
    types: Vec<ActivityTypeView>,
    log: ServerAction<LogActivity>,
    last_logged: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="quicklog" aria-label="Log an activity">
            {types
                .into_iter()
                .map(|t| {
                    let key = t.key.clone();
                    let label = t.label.clone();
                    let log_url = <LogActivity as leptos::server_fn::ServerFn>::url();
                    let on_submit = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        last_logged.set(Some(label.clone()));
                        log.dispatch(LogActivity {
                            type_key: key.clone(),
                            client_key: Some(new_client_key()),
                        });
                    };
                    view! {
                        <form method="post" action=log_url on:submit=on_submit>
                            <input type="hidden" name="type_key" value=t.key.clone()/>
                            <button type="submit" class="log-button" data-type=t.key.clone()>
                                <span class="icon" aria-hidden="true">{t.icon.clone()}</span>
                                <span class="label">{t.label.clone()}</span>
                                <span class="weight">"+" {t.weight.display()}</span>
                            </button>
                        </form>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn ScoreCard(score: MyScore, delete: ServerAction<DeleteActivity>) -> impl IntoView {
    let rank = score
        .rank
        .map(|(r, of)| format!("#{r} of {of}"))
        .unwrap_or_else(|| "not ranked".to_string());
    let has_lines = !score.lines.is_empty();
    let has_today = !score.today.is_empty();
    // The latest entries are the ones a rep may want to fix; the rest is summarised.
    const TODAY_SHOWN: usize = 10;
    let earlier = score.today.len().saturating_sub(TODAY_SHOWN);
    view! {
        <div class="scorecard">
            <div class="score-head">
                <div>
                    <span class="muted">{score.period_label.clone()}</span>
                    <div class="score-total" data-testid="my-total">{score.total.display()}</div>
                    <span class="muted">"points"</span>
                </div>
                <div class="score-side">
                    <div class="score-rank" data-testid="my-rank">{rank}</div>
                    <div class="muted">"Index " {format_index(score.index_tenths)} " / 10"</div>
                    <A href="/">"Leaderboard →"</A>
                </div>
            </div>
            <h2>"Why this score"</h2>
            <Show when=move || has_lines fallback=|| view! { <p class="muted">"Nothing logged this period yet."</p> }>
                <table class="explain">
                    <thead>
                        <tr>
                            <th scope="col">"Activity"</th>
                            <th scope="col" class="num">"Units"</th>
                            <th scope="col" class="num">"× Weight"</th>
                            <th scope="col" class="num">"= Points"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {score
                            .lines
                            .clone()
                            .into_iter()
                            .map(|l| {
                                let over = l.units - l.counted_units;
                                let since = l.weight_from.map(|d| format!("since {d}")).unwrap_or_else(|| "no weight".into());
                                view! {
                                    <tr>
                                        <td>{l.icon} " " {l.label}</td>
                                        <td class="num">
                                            {l.counted_units}
                                            {(over > 0).then(|| view! { <small class="flag">" (+" {over} " over cap)"</small> })}
                                        </td>
                                        <td class="num" title=since>{l.weight.display()}</td>
                                        <td class="num">{l.points.display()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </Show>
            <h2>"Today"</h2>
            <Show when=move || has_today fallback=|| view! { <p class="muted">"No activities logged today."</p> }>
                <ul class="today">
                    {score
                        .today
                        .clone()
                        .into_iter()
                        .take(TODAY_SHOWN)
                        .map(|a| {
                            view! {
                                <li>
                                    <span class="time">{a.time}</span>
                                    <span>{a.icon} " " {a.label}</span>
                                    {(!a.counts).then(|| view! { <small class="flag">"too short to count"</small> })}
                                    <ActionForm action=delete attr:class="inline">
                                        <input type="hidden" name="id" value=a.id/>
                                        <button type="submit" class="link danger" aria-label="Delete this activity">"Delete"</button>
                                    </ActionForm>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                {(earlier > 0).then(|| view! { <p class="muted">"…and " {earlier} " earlier today."</p> })}
            </Show>
        </div>
    }
}
