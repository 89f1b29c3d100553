//! The rep's own scorecard panel: one card per role metric with its band, then the composite.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::{get_scorecard, BandView, ScorecardView};
use crate::components::ErrorMessage;
use crate::error::AppError;

/// The signed-in rep's scorecard for the current month. Loads on its own, so any page can
/// mount it; shows nothing to a visitor who is not signed in. It reloads whenever
/// `refresh` changes (e.g. after the rep logs or deletes an activity).
#[component]
pub fn ScorecardPanel(#[prop(optional, into)] refresh: Option<Signal<usize>>) -> impl IntoView {
    let card = crate::components::data(
        move || refresh.map(|r| r.get()),
        |_| get_scorecard("month".to_string(), None),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading scorecard…"</p> }>
            {move || {
                card.get()
                    .map(|r| match r {
                        Ok(c) => EitherOf3::A(view! { <ScorecardTable card=c/> }),
                        Err(AppError::Unauthenticated) => EitherOf3::B(()),
                        Err(e) => EitherOf3::C(view! { <ErrorMessage error=e/> }),
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
