//! The rep's own scorecard panel: one row per role metric with its band, then the composite.

use leptos::prelude::*;

use super::{get_scorecard, BandView, ScorecardView};
use crate::components::ErrorMessage;
use crate::error::AppError;

/// The signed-in rep's scorecard for the current month. Loads on its own, so any page can
/// mount it; shows nothing to a visitor who is not signed in. It reloads whenever
/// `refresh` changes (e.g. after the rep logs or deletes an activity).
#[component]
pub fn ScorecardPanel(#[prop(optional, into)] refresh: Option<Signal<usize>>) -> impl IntoView {
    let card = Resource::new(
        move || refresh.map(|r| r.get()),
        |_| get_scorecard("month".to_string(), None),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading scorecard…"</p> }>
            {move || {
                card.get()
                    .map(|r| match r {
                        Ok(c) => view! { <ScorecardTable card=c/> }.into_any(),
                        Err(AppError::Unauthenticated) => ().into_any(),
                        Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn BandBadge(band: BandView) -> impl IntoView {
    let class = band.css_class();
    view! { <span class=class data-band=band.key>{band.label}</span> }
}

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
    let role = card.role.unwrap_or_default();
    let lines = card.lines;
    let pace_cap = card.pace_cap;
    view! {
        <section class="scorecard role-scorecard" aria-labelledby="role-scorecard-title">
            <div class="score-head">
                <div>
                    <h2 id="role-scorecard-title">"Scorecard"</h2>
                    <span class="muted">{role} " · " {card.period_label} " · " {days}</span>
                </div>
                <div class="score-side">
                    <div class="score-rank" data-testid="composite">{card.composite}</div>
                    <BandBadge band=card.composite_band/>
                </div>
            </div>
            <Show
                when=move || has_lines
                fallback=|| view! { <p class="muted">"Your role has no scorecard yet."</p> }
            >
                <div class="scroll">
                    <table class="explain scorecard-lines">
                        <thead>
                            <tr>
                                <th scope="col">"Metric"</th>
                                <th scope="col" class="num">"Actual"</th>
                                <th scope="col" class="num">"Target" <small>"expected"</small></th>
                                <th scope="col" class="num">"Pace" <small>"attained"</small></th>
                                <th scope="col" class="band-col">"Band"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {lines
                                .clone()
                                .into_iter()
                                .map(|l| {
                                    view! {
                                        <tr data-metric=l.metric.clone()>
                                            <th scope="row">
                                                {l.label}
                                                <small class="muted indicator">
                                                    " " {l.indicator} " ×" {l.weight}
                                                </small>
                                                // Phones have no room for the band column.
                                                <span class="band-inline">
                                                    <BandBadge band=l.band.clone()/>
                                                </span>
                                            </th>
                                            <td class="num">{l.actual}</td>
                                            <td class="num">
                                                {l.target}
                                                <small class="muted" title="Expected to date">
                                                    {l.expected_to_date}
                                                </small>
                                            </td>
                                            <td class="num">
                                                {l.pace}
                                                <small class="muted" title="Attainment">
                                                    {l.attainment}
                                                </small>
                                            </td>
                                            <td class="band-col">
                                                <BandBadge band=l.band/>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="muted small">
                    {basis} " Composite: each metric's pace counted up to " {pace_cap.clone()} "."
                </p>
            </Show>
        </section>
    }
}
