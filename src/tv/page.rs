//! The TV page: plays the display's rotation, one frame at a time (a long ranking is several
//! frames of [`ROWS_PER_PAGE`] rows), refetching its data on every live notice.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{get_tv_show, TvShow, ROWS_PER_PAGE};
use crate::displays::Slide;
use crate::leaderboard::format_index;
use crate::leaderboard::page::refetch_every;

/// One screen of the rotation: a slide, and for paged slides which page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub slide: Slide,
    pub page: usize,
    pub pages: usize,
}

/// The frames of a show, in order: every slide once, the paged ones once per page, so that
/// every rep appears across the pages.
pub fn frames(show: &TvShow) -> Vec<Frame> {
    show.slides
        .iter()
        .flat_map(|&slide| {
            let rows = match slide {
                Slide::Ranking => show.ranking.len(),
                Slide::Scorecards => show.scorecards.len(),
                _ => 0,
            };
            let pages = rows.div_ceil(ROWS_PER_PAGE).max(1);
            (0..pages).map(move |page| Frame { slide, page, pages })
        })
        .collect()
}

fn page_of<T: Clone>(rows: &[T], page: usize) -> Vec<T> {
    rows.iter()
        .skip(page * ROWS_PER_PAGE)
        .take(ROWS_PER_PAGE)
        .cloned()
        .collect()
}

/// The office TV: opened by URL with a display token, no sign-in, dark and large.
#[component]
pub fn TvPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let show = Resource::new(token, get_tv_show);
    let connected = RwSignal::new(true);
    // Pushed changes refresh within a second; the slow poll is a safety net.
    let stream = format!(
        "/tv/{}/events",
        params
            .with_untracked(|p| p.get("token"))
            .unwrap_or_default()
    );
    crate::live::client::subscribe_with_status(stream, move || show.refetch(), connected);
    refetch_every(show, 60);

    // The rotation: `position` is the frame on screen, `elapsed` its seconds so far.
    let position = RwSignal::new(0usize);
    let elapsed = RwSignal::new(0i64);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let Some(Ok(s)) = show.get_untracked() else {
                    return;
                };
                let count = frames(&s).len().max(1);
                let next = elapsed.get_untracked() + 1;
                if next >= s.seconds_per_slide {
                    elapsed.set(0);
                    position.set((position.get_untracked() + 1) % count);
                } else {
                    elapsed.set(next);
                }
            },
            std::time::Duration::from_secs(1),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    });

    view! {
        <div class="tv">
            <Transition fallback=|| view! { <p class="tv-status">"Loading…"</p> }>
                {move || {
                    show.get()
                        .map(|r| match r {
                            Ok(s) => {
                                // Re-rendered on every change of frame as well as of data.
                                let index = position.get();
                                view! { <TvScreen show=s index elapsed/> }.into_any()
                            }
                            Err(e) => view! { <p class="tv-status">{e.to_string()}</p> }.into_any(),
                        })
                }}
            </Transition>
            <Show when=move || !connected.get()>
                <span class="tv-reconnecting" role="status">"Reconnecting…"</span>
            </Show>
        </div>
    }
}

#[component]
fn TvScreen(show: TvShow, index: usize, elapsed: RwSignal<i64>) -> impl IntoView {
    let all = frames(&show);
    let count = all.len().max(1);
    // A refetch may shorten the rotation (fewer reps): stay within it.
    let index = index % count;
    let frame = all.get(index).copied().unwrap_or(Frame {
        slide: Slide::Ranking,
        page: 0,
        pages: 1,
    });
    let seconds = show.seconds_per_slide.max(1);
    let progress = move || {
        let pct = ((elapsed.get() + 1) * 100 / seconds).min(100);
        format!("width: {pct}%")
    };
    let scope = show.team.clone().unwrap_or_else(|| show.org_name.clone());
    let page_mark = (frame.pages > 1).then(|| {
        let first = frame.page * ROWS_PER_PAGE + 1;
        let total = match frame.slide {
            Slide::Scorecards => show.scorecards.len(),
            _ => show.ranking.len(),
        };
        let last = (first + ROWS_PER_PAGE - 1).min(total);
        format!("{first}–{last} of {total}")
    });
    let body = match frame.slide {
        Slide::Scorecards => scorecards(&show, frame.page).into_any(),
        Slide::TeamRace => team_race(&show).into_any(),
        Slide::RecentWins => recent_wins(&show).into_any(),
        Slide::Turnover => turnover(&show).into_any(),
        _ => ranking(&show, frame.page).into_any(),
    };
    view! {
        <div class="tv-screen" data-slide=frame.slide.key() data-page=frame.page>
            <header class="tv-head">
                <span class="tv-org">{scope}</span>
                <span class="tv-title">{frame.slide.label()}</span>
                <span class="tv-period">{show.period_label.clone()}</span>
            </header>
            <main class="tv-body">{body}</main>
            <footer class="tv-foot">
                <span class="tv-page">{page_mark}</span>
                <span class="tv-progress" aria-hidden="true"><span style=progress></span></span>
                <span class="tv-position">{format!("{} / {}", index + 1, count)}</span>
            </footer>
        </div>
    }
}

fn ranking(show: &TvShow, page: usize) -> impl IntoView {
    let rows = page_of(&show.ranking, page);
    let empty = rows.is_empty();
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"No reps to rank yet."</p>
        </Show>
        <ol class="tv-board">
            {rows
                .into_iter()
                .map(|e| {
                    let width = format!("width: {}%", e.index_tenths);
                    view! {
                        <li data-rep-id=e.rep_id>
                            <span class="tv-rank">{e.rank}</span>
                            <span class="tv-name">{e.name}</span>
                            <span class="tv-bar"><span style=width></span></span>
                            <span class="tv-index" title="Activity Index">{format_index(e.index_tenths)}</span>
                            <span class="tv-points">{e.points.round_whole()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="tv-legend">"Points this period · Activity Index: 10 = the top score"</p>
    }
}

fn scorecards(show: &TvShow, page: usize) -> impl IntoView {
    let rows = page_of(&show.scorecards, page);
    let empty = rows.is_empty();
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"No scorecards yet."</p>
        </Show>
        <ol class="tv-board tv-cards">
            {rows
                .into_iter()
                .map(|c| {
                    let band_class = format!("tv-band {}", c.band.css_class());
                    view! {
                        <li data-rep-id=c.rep_id>
                            <span class="tv-name">{c.name}</span>
                            <span class="tv-composite">{c.composite}</span>
                            <span class=band_class>{c.band.label}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="tv-legend">"Composite attainment of each rep's scorecard, paced to date"</p>
    }
}

fn team_race(show: &TvShow) -> impl IntoView {
    let top = show.teams.first().map(|t| t.points.0).unwrap_or(0).max(1);
    let empty = show.teams.is_empty();
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"No teams yet."</p>
        </Show>
        <ol class="tv-board tv-teams">
            {show
                .teams
                .iter()
                .map(|t| {
                    let width = format!("width: {}%", (t.points.0.max(0) * 100 / top));
                    view! {
                        <li>
                            <span class="tv-name">{t.name.clone()}</span>
                            <span class="tv-bar"><span style=width></span></span>
                            <span class="tv-points">{t.points.round_whole()}</span>
                            <span class="tv-reps">{format!("{} reps", t.reps)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="tv-legend">"Total activity points of each team this period"</p>
    }
}

fn recent_wins(show: &TvShow) -> impl IntoView {
    let empty = show.wins.is_empty();
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"No deals won yet."</p>
        </Show>
        <ol class="tv-board tv-wins">
            {show
                .wins
                .iter()
                .map(|w| {
                    view! {
                        <li>
                            <span class="tv-date">{w.closed_on.clone()}</span>
                            <span class="tv-name">{w.rep.clone()}</span>
                            <span class="tv-account">{w.account.clone()}</span>
                            <span class="tv-amount">{w.amount.clone()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

fn turnover(show: &TvShow) -> impl IntoView {
    use crate::components::ChartView;
    let t = show.turnover.clone();
    let bp = t.attainment_bp;
    let label = format!("Turnover against objective: {}", t.attainment);
    let figures = match (&t.won, &t.objective) {
        (Some(won), Some(objective)) => format!("{won} won of the {objective} objective"),
        _ => "of the turnover objective".to_string(),
    };
    let no_objective = bp.is_none();
    // The gauge is sized to the screen (1080p or 4K alike).
    let height = {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.inner_height().ok())
                .and_then(|h| h.as_f64())
                .map(|h| (h * 0.58) as u32)
                .unwrap_or(620)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            620
        }
    };
    view! {
        <div class="tv-gauge">
            <Show when=move || no_objective>
                <p class="tv-empty">"No turnover objective set for this period."</p>
            </Show>
            <ChartView id="tv-gauge" label=label height chart=move || bp.map(|bp| gauge(bp, height))>
                <p class="tv-attainment">{t.attainment.clone()}</p>
                <p class="tv-figures">{figures.clone()}</p>
            </ChartView>
        </div>
    }
}

/// The turnover gauge: the arc is the objective (full at 100 %, beyond stays full), the
/// number in the middle the attainment, however high.
fn gauge(bp: i64, height: u32) -> charming::Chart {
    use charming::element::{
        AxisLabel, AxisLine, AxisLineStyle, AxisTick, ItemStyle, Pointer, SplitLine,
    };
    use charming::series::{Gauge, GaugeDetail, GaugeProgress, GaugeTitle};
    let pct = bp as f64 / 100.0;
    let h = f64::from(height);
    charming::Chart::new()
        .background_color("transparent")
        .series(
            Gauge::new()
                .min(0.0)
                .max(100.0)
                .radius("92%")
                .center(("50%", "55%"))
                .progress(
                    GaugeProgress::new()
                        .show(true)
                        .width(h * 0.07)
                        .round_cap(true)
                        .item_style(ItemStyle::new().color("#56ccf2")),
                )
                // The unfilled track, visible on the dark screen.
                .axis_line(
                    AxisLine::new()
                        .round_cap(true)
                        .line_style(AxisLineStyle::from((1.0, "#2a3a4d", h * 0.07))),
                )
                .pointer(Pointer::new().show(false))
                .axis_tick(AxisTick::new().show(false))
                .split_line(SplitLine::new().show(false))
                .axis_label(AxisLabel::new().show(false))
                .title(GaugeTitle::new().show(false))
                .detail(
                    GaugeDetail::new()
                        .font_size(h * 0.17)
                        .font_weight(charming::element::font_settings::FontWeight::Bolder)
                        .color("#ffffff")
                        .formatter("{value}%")
                        .value_animation(false),
                )
                .data(vec![(pct.round(), "Turnover")]),
        )
}
