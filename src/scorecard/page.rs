//! The rep's own scorecard panel: one card per role metric with its band, then the composite.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::{get_scorecard, BandView, ScorecardView};
use crate::components::ErrorMessage;
use crate::error::AppError;

/// The signed-in rep's scorecard for the current month, where it sits below the fold (the
/// rep's `/me`). The server renders it in full, and that copy is exact until what it shows
/// changes: its live version is a chunk fetched only when `refresh` changes (after the rep
/// logs, edits or deletes an activity, or one is pushed live), which then reloads it on every
/// change (`components::deferred`). A first load, scrolled or not, runs none of its code.
/// Shows nothing to a visitor who is not signed in.
#[component]
pub fn ScorecardPanel(refresh: Signal<usize>) -> impl IntoView {
    // Drawn in the browser (the rep came from another page) there is no server copy to show
    // meanwhile: it wakes at once.
    let drawn_here = cfg!(feature = "hydrate")
        && !Owner::current_shared_context().is_some_and(|sc| sc.during_hydration());
    let wake = RwSignal::new(drawn_here);
    let ready = RwSignal::new(false);
    let copy = NodeRef::<leptos::html::Div>::new();
    let reachable = crate::components::deferred::chunks_reachable();
    let first = refresh.get_untracked();
    Effect::new(move |_| {
        if refresh.get() != first {
            wake.set(true);
        }
    });
    // The live panel has its data: the server's copy goes.
    Effect::new(move |_| {
        if ready.get() {
            if let Some(el) = copy.get_untracked() {
                el.set_inner_html("");
            }
        }
    });
    let live =
        Memo::new(move |was: Option<&bool>| was == Some(&true) || (wake.get() && reachable.get()));
    view! {
        {server_copy(copy)}
        {move || live.get().then(|| view! {
            <div class="deferred-live" hidden=move || !ready.get()>
                <Suspense fallback=|| ()>
                    {Suspend::new(async move { deferred_scorecard_panel(refresh, ready).await })}
                </Suspense>
            </div>
        })}
    }
}

/// The panel as the server renders it, in the page's HTML (not hydrated: see above).
#[cfg(feature = "ssr")]
fn server_copy(copy: NodeRef<leptos::html::Div>) -> impl IntoView {
    view! {
        <div class="deferred-copy" node_ref=copy>
            <Suspense fallback=|| view! { <p class="muted">"Loading scorecard…"</p> }>
                {Suspend::new(async { panel_view(get_scorecard("month".to_string(), None).await) })}
            </Suspense>
        </div>
    }
}

/// In the browser the server's copy is left as it is: an element without children does not
/// hydrate what the server put in it.
#[cfg(not(feature = "ssr"))]
fn server_copy(copy: NodeRef<leptos::html::Div>) -> impl IntoView {
    view! { <div class="deferred-copy" node_ref=copy></div> }
}

/// The live panel: its own chunk, loaded when the panel wakes; it says when it has its data.
#[leptos::lazy]
fn deferred_scorecard_panel(refresh: Signal<usize>, ready: RwSignal<bool>) -> AnyView {
    let card = LocalResource::new(move || {
        refresh.track();
        get_scorecard("month".to_string(), None)
    });
    // Ready once it has its data; until then (or offline) the server's copy stays.
    Effect::new(move |_| {
        if card.with(|c| matches!(c, Some(Ok(_)))) {
            ready.set(true);
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || card.get().map(panel_view)}
        </Transition>
    }
    .into_any()
}

fn panel_view(card: Result<ScorecardView, AppError>) -> impl IntoView {
    match card {
        Ok(c) => EitherOf3::A(view! { <ScorecardTable card=c/> }),
        Err(AppError::Unauthenticated) => EitherOf3::B(()),
        Err(e) => EitherOf3::C(view! { <ErrorMessage error=e/> }),
    }
}

#[component]
fn BandBadge(band: BandView) -> impl IntoView {
    let class = band.css_class();
    view! { <span class=class data-band=band.key>{band.label}</span> }
}

/// Width of a pace bar: pace against expected-to-date, drawn up to the composite's 150 %.
fn pace_width(pace_bp: Option<i64>) -> String {
    // Tenths of a percent, in whole numbers: no float formatting in the browser bundle.
    let tenths = (pace_bp.unwrap_or(0).clamp(0, 15_000) * 10 + 75) / 150;
    format!("width: {}.{}%", tenths / 10, tenths % 10)
}

/// The role scorecard as one card per metric, so it reads on a 360 px phone as well as in the
/// desk's preview: the band is written out on every card (its colour only repeats it).
#[component]
pub fn ScorecardTable(card: ScorecardView) -> impl IntoView {
    let has_lines = !card.lines.is_empty();
    let basis = if card.closed {
        "Closed period: bands follow attainment."
    } else {
        "Open period: bands follow pace (actual against expected to date)."
    };
    let days = format!(
        "{} of {} working days",
        card.working_days_elapsed, card.working_days
    );
    let needs: Vec<_> = card.lines.iter().map(|l| card.what_it_takes(l)).collect();
    let role = card.role.unwrap_or_default();
    let lines: Vec<_> = card.lines.into_iter().zip(needs).collect();
    let pace_cap = card.pace_cap;
    view! {
        <section class="scorecard role-scorecard" aria-labelledby="role-scorecard-title">
            <div class="score-head">
                <div>
                    <h2 id="role-scorecard-title">"Scorecard"</h2>
                    <span class="muted">{role} " · " {card.period_label} " · " {days}</span>
                </div>
                <div class="score-side">
                    <div class="muted small-label">"Composite"</div>
                    <div class="score-rank" data-testid="composite">{card.composite}</div>
                    <BandBadge band=card.composite_band/>
                </div>
            </div>
            <Show
                when=move || has_lines
                fallback=|| view! { <p class="muted">"Your role has no scorecard yet."</p> }
            >
                <ul class="metric-cards">
                    {lines
                        .clone()
                        .into_iter()
                        .map(|(l, need)| {
                            let edge = format!("metric-card edge-{}", l.band.key);
                            view! {
                                <li class=edge data-metric=l.metric.clone()>
                                    <div class="metric-top">
                                        <h3>{l.label}</h3>
                                        <BandBadge band=l.band/>
                                    </div>
                                    <div class="metric-actual">
                                        <span class="figure">{l.actual}</span>
                                        <span class="muted">" of " {l.target}</span>
                                    </div>
                                    <div class="pace-bar" aria-hidden="true">
                                        <span style=pace_width(l.pace_bp)></span>
                                        <i class="pace-mark"></i>
                                    </div>
                                    <dl class="metric-figures">
                                        <div>
                                            <dt>"Expected to date"</dt>
                                            <dd>{l.expected_to_date}</dd>
                                        </div>
                                        <div>
                                            <dt>"Pace"</dt>
                                            <dd>{l.pace}</dd>
                                        </div>
                                        <div>
                                            <dt>"Attained"</dt>
                                            <dd>{l.attainment}</dd>
                                        </div>
                                    </dl>
                                    {need.map(|n| {
                                        let class = if n.reached {
                                            "what-it-takes reached"
                                        } else if n.behind {
                                            "what-it-takes behind"
                                        } else {
                                            "what-it-takes"
                                        };
                                        view! {
                                            <p class=class data-testid="what-it-takes">
                                                <strong>{if n.reached { "Done: " } else { "What it takes: " }}</strong>
                                                {n.text}
                                            </p>
                                        }
                                    })}
                                    <small class="muted indicator">
                                        {l.indicator} " · weight " {l.weight}
                                    </small>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="muted small">
                    {basis} " Composite: each metric's pace counted up to " {pace_cap.clone()} "."
                </p>
            </Show>
        </section>
    }
}
