//! The TV page: plays the display's rotation, one frame at a time (a long ranking is several
//! frames of [`ROWS_PER_PAGE`] rows), refetching its data on every live notice.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{get_tv_show, TvShow, ROWS_PER_PAGE};
use crate::displays::Slide;
use crate::leaderboard::format_index;
use crate::leaderboard::page::refetch_every;
use crate::live::WonDeal;

/// Seconds a won deal's celebration stays on screen before the rotation resumes.
pub const CELEBRATION_SECONDS: u64 = 6;

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
    let show = crate::components::data(token, get_tv_show);
    let connected = RwSignal::new(true);
    // The won deal being celebrated, with a serial number so that two wins in a row each
    // get their full time on screen.
    let celebration = RwSignal::new(None::<(u32, WonDeal)>);
    let chimes = RwSignal::new(0u32);
    let serials = StoredValue::new(0u32);
    let on_won = move |won: WonDeal| {
        serials.update_value(|n| *n = n.wrapping_add(1));
        let serial = serials.get_value();
        celebration.set(Some((serial, won)));
        let sound = matches!(show.get_untracked(), Some(Ok(ref s)) if s.sound);
        if sound && sound::chime() {
            chimes.update(|n| *n += 1);
        }
        set_timeout(
            move || {
                if celebration.with_untracked(|c| c.as_ref().map(|c| c.0)) == Some(serial) {
                    celebration.set(None);
                }
            },
            std::time::Duration::from_secs(CELEBRATION_SECONDS),
        );
    };
    // Pushed changes refresh within a second; the slow poll is a safety net.
    let stream = format!(
        "/tv/{}/events",
        params
            .with_untracked(|p| p.get("token"))
            .unwrap_or_default()
    );
    crate::live::client::subscribe_with_status(stream, move || show.refetch(), connected, on_won);
    refetch_every(show, 60);

    // A new server build (a deploy): reload, so the page's code matches the server's.
    let loaded_build = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(s)) = show.get() {
            match loaded_build.get_value() {
                None => loaded_build.set_value(Some(s.build.clone())),
                Some(b) if b != s.build => {
                    #[cfg(feature = "hydrate")]
                    {
                        let _ = window().location().reload();
                    }
                }
                Some(_) => {}
            }
        }
    });

    // The rotation: `position` is the frame on screen, `elapsed` its seconds so far. It
    // holds still during a celebration.
    let position = RwSignal::new(0usize);
    let elapsed = RwSignal::new(0i64);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if celebration.with_untracked(Option::is_some) {
                    return;
                }
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
        <div class="tv" data-chimes=move || chimes.get()>
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
            {move || celebration.get().map(|(serial, won)| view! { <Celebration serial won/> })}
            <Show when=move || !connected.get()>
                <span class="tv-reconnecting" role="status">"Reconnecting…"</span>
            </Show>
        </div>
    }
}

/// A won deal, full screen: the rep, the account, the amount unless the display is private.
#[component]
fn Celebration(serial: u32, won: WonDeal) -> impl IntoView {
    let has_amount = won.amount.is_some();
    view! {
        <div class="tv-celebration" role="alert" data-serial=serial data-testid="celebration">
            <div class="tv-confetti" aria-hidden="true">
                {(0..18).map(|i| view! { <span style=format!("--i:{i}")></span> }).collect_view()}
            </div>
            <div class="tv-cele-card">
                <p class="tv-cele-kicker">"Deal won!"</p>
                <p class="tv-cele-rep">{won.rep}</p>
                <p class="tv-cele-account">{won.account}</p>
                <Show when=move || has_amount>
                    <p class="tv-cele-amount">{won.amount.clone()}</p>
                </Show>
            </div>
        </div>
    }
}

/// A short rising chime made with the Web Audio API (no sound file). Built through
/// reflection so the page needs no extra browser bindings. Returns whether it started (a
/// browser may refuse audio before any user gesture: start kiosk Chromium with
/// `--autoplay-policy=no-user-gesture-required`).
mod sound {
    #[cfg(feature = "hydrate")]
    pub fn chime() -> bool {
        play().is_ok()
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn chime() -> bool {
        false
    }

    #[cfg(feature = "hydrate")]
    fn play() -> Result<(), wasm_bindgen::JsValue> {
        use js_sys::{Array, Function, Reflect};
        use wasm_bindgen::{JsCast, JsValue};
        let window: JsValue = web_sys::window().ok_or(JsValue::NULL)?.into();
        let get = |o: &JsValue, k: &str| Reflect::get(o, &JsValue::from_str(k));
        let call = |o: &JsValue, k: &str, args: &[JsValue]| -> Result<JsValue, JsValue> {
            let f: Function = get(o, k)?.dyn_into()?;
            f.apply(o, &args.iter().cloned().collect::<Array>())
        };
        let ctor = match get(&window, "AudioContext") {
            Ok(c) if c.is_function() => c,
            _ => get(&window, "webkitAudioContext")?,
        };
        let ctor: Function = ctor.dyn_into()?;
        let ctx = Reflect::construct(&ctor, &Array::new())?;
        let _ = call(&ctx, "resume", &[]);
        let now = get(&ctx, "currentTime")?.as_f64().unwrap_or(0.0);
        let out = get(&ctx, "destination")?;
        // C major arpeggio, each note a soft bell.
        for (i, freq) in [523.25f64, 659.25, 783.99, 1046.5].into_iter().enumerate() {
            let t = now + i as f64 * 0.13;
            let osc = call(&ctx, "createOscillator", &[])?;
            let gain = call(&ctx, "createGain", &[])?;
            Reflect::set(&osc, &"type".into(), &"sine".into())?;
            Reflect::set(&get(&osc, "frequency")?, &"value".into(), &freq.into())?;
            let g = get(&gain, "gain")?;
            call(&g, "setValueAtTime", &[0.0001.into(), t.into()])?;
            call(
                &g,
                "exponentialRampToValueAtTime",
                &[0.3.into(), (t + 0.02).into()],
            )?;
            call(
                &g,
                "exponentialRampToValueAtTime",
                &[0.0001.into(), (t + 0.7).into()],
            )?;
            call(&osc, "connect", std::slice::from_ref(&gain))?;
            call(&gain, "connect", std::slice::from_ref(&out))?;
            call(&osc, "start", &[t.into()])?;
            call(&osc, "stop", &[(t + 0.75).into()])?;
        }
        // Free the audio context once the chime is over (a TV runs for weeks).
        leptos::prelude::set_timeout(
            move || {
                let _ = Reflect::get(&ctx, &"close".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<Function>().ok())
                    .map(|f| f.call0(&ctx));
            },
            std::time::Duration::from_millis(1600),
        );
        Ok(())
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
        Slide::MostImproved => most_improved(&show).into_any(),
        Slide::PersonalBests => personal_bests(&show).into_any(),
        Slide::Pipeline => pipeline(&show).into_any(),
        Slide::Ranking => ranking(&show, frame.page).into_any(),
    };
    let title = match frame.slide {
        Slide::Ranking if !show.ranking_is_activity => format!("Ranking: {}", show.ranking_label),
        other => other.label().to_string(),
    };
    view! {
        <div class="tv-screen" data-slide=frame.slide.key() data-page=frame.page>
            <header class="tv-head">
                <span class="tv-org">{scope}</span>
                <span class="tv-title">{title}</span>
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
    let activity = show.ranking_is_activity;
    let legend = if activity {
        "Points this period · Activity Index: 10 = the top score".to_string()
    } else if show.privacy && show.ranking.iter().all(|e| e.display.is_empty()) {
        format!(
            "{} this period · bars: share of the leader's",
            show.ranking_label
        )
    } else {
        format!(
            "{} this period · bars: share of the best",
            show.ranking_label
        )
    };
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"No reps to rank yet."</p>
        </Show>
        <ol class="tv-board" class:tv-metric=!activity>
            {rows
                .into_iter()
                .map(|e| {
                    let width = format!("width: {}%", e.index_tenths);
                    let index = activity.then(|| view! {
                        <span class="tv-index" title="Activity Index">{format_index(e.index_tenths)}</span>
                    });
                    let value = if activity { e.points.round_whole().to_string() } else { e.display.clone() };
                    view! {
                        <li data-rep-id=e.rep_id>
                            <span class="tv-rank">{e.rank}</span>
                            <span class="tv-name">{e.name}</span>
                            <span class="tv-bar"><span style=width></span></span>
                            {index}
                            <span class="tv-points">{value}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="tv-legend">{legend}</p>
    }
}

fn most_improved(show: &TvShow) -> impl IntoView {
    let empty = show.improved.is_empty();
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"Nobody is ahead of the same days last month yet."</p>
        </Show>
        <ol class="tv-board tv-improved">
            {show
                .improved
                .iter()
                .map(|c| {
                    view! {
                        <li data-rep-id=c.rep_id>
                            <span class="tv-rank">{c.rank}</span>
                            <span class="tv-name">{c.name.clone()}</span>
                            <span class="tv-was">{format!("{} → {}", c.previous, c.current)}</span>
                            <span class="tv-change">{c.change.clone()}</span>
                            <span class="tv-pct">{c.change_pct.clone()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="tv-legend">{format!("Activity points, {} · gain in points and percent", show.improved_compared)}</p>
    }
}

fn personal_bests(show: &TvShow) -> impl IntoView {
    let empty = show.bests.is_empty();
    view! {
        <Show when=move || empty>
            <p class="tv-empty">"No personal best yet this month: every record still stands."</p>
        </Show>
        <ol class="tv-board tv-bests">
            {show
                .bests
                .iter()
                .map(|b| {
                    view! {
                        <li data-rep-id=b.rep_id>
                            <span class="tv-star" aria-hidden="true">"★"</span>
                            <span class="tv-name">{b.name.clone()}</span>
                            <span class="tv-points">{b.current.clone()}</span>
                            <span class="tv-record">{format!("record {} ({})", b.record, b.record_period)}</span>
                            <span class="tv-pct">{b.margin.clone()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="tv-legend">{format!("{} (activity points)", show.bests_rule)}</p>
    }
}

fn pipeline(show: &TvShow) -> impl IntoView {
    use crate::components::ChartView;
    let rows = show.pipeline.clone();
    let format = show.pipeline_format.clone();
    let empty = rows.iter().all(|r| r.deals == 0);
    let label = format!(
        "Weighted pipeline by expected close month: {}",
        rows.iter()
            .map(|r| format!("{} {}", r.month, r.label))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let height = chart_height(0.62, 640);
    let chart_rows = rows.clone();
    view! {
        <div class="tv-gauge tv-pipeline">
            <Show when=move || empty>
                <p class="tv-empty">"No open deals expected to close in the next six months."</p>
            </Show>
            <ChartView
                id="tv-pipeline"
                label=label
                height
                chart=move || (!empty).then(|| pipeline_chart(&chart_rows, &format, height))
            >
                <ul class="tv-months">
                    {rows
                        .iter()
                        .map(|r| view! { <li>{format!("{}: {}", r.month, r.label)}</li> })
                        .collect_view()}
                </ul>
            </ChartView>
        </div>
        <p class="tv-legend">{show.pipeline_total.clone()}</p>
    }
}

/// A chart's height: `share` of the screen's height (1080p or 4K alike).
fn chart_height(share: f64, fallback: u32) -> u32 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .map(|h| (h * share) as u32)
            .unwrap_or(fallback)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = share;
        fallback
    }
}

/// The pipeline's bars, one per month, each labelled on top; no value axis (the labels
/// say it all, and a private display has no amounts to put on one).
fn pipeline_chart(rows: &[super::TvPipelineMonth], format: &str, height: u32) -> charming::Chart {
    use charming::component::{Axis, Grid};
    use charming::element::{
        AxisLabel, AxisLine, AxisTick, AxisType, ItemStyle, Label, LabelPosition, SplitLine,
    };
    use charming::series::Bar;
    let h = f64::from(height);
    let months: Vec<String> = rows.iter().map(|r| r.month.clone()).collect();
    // An empty month has no bar and no "0" label over its name ("-" is ECharts' gap).
    let bars: Vec<charming::datatype::DataPoint> = rows
        .iter()
        .map(|r| match r.bar_tenths {
            0 => "-".into(),
            t => (t as f64 / 10.0).into(),
        })
        .collect();
    charming::Chart::new()
        .background_color("transparent")
        .animation(false)
        .grid(
            Grid::new()
                .left("2%")
                .right("2%")
                .top(h * 0.13)
                .bottom(h * 0.13),
        )
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(months)
                .axis_tick(AxisTick::new().show(false))
                .axis_line(AxisLine::new().show(false))
                .axis_label(
                    AxisLabel::new()
                        .color("#dfe7ef")
                        .font_size(h * 0.055)
                        .distance(h * 0.03),
                ),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .show(false)
                .split_line(SplitLine::new().show(false)),
        )
        .series(
            Bar::new()
                .bar_width("56%")
                .item_style(ItemStyle::new().color("#56ccf2").border_radius(h * 0.02))
                .label(
                    Label::new()
                        .show(true)
                        .position(LabelPosition::Top)
                        .color("#ffffff")
                        .font_size(h * 0.06)
                        .font_weight("bold")
                        .formatter(format),
                )
                .data(bars),
        )
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
