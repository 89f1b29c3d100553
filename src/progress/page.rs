//! The rep's progress pages: trend (`/me/progress`), weekly report (`/me/report`) and own
//! history by period (`/me/history`). Phone first: nothing scrolls sideways at 360 px.

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;

use super::{
    get_my_history, get_my_report, get_my_trend, History, Trend, WeeklyReport, HISTORY_PERIODS,
};
use crate::components::{ChartView, ErrorMessage, MeNav};
use crate::error::AppError;
use crate::scoring::Points;

/// `?period=` of the page, or `default`.
fn period_param(default: &'static str) -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || {
        query
            .with(|q| q.get("period"))
            .unwrap_or_else(|| default.to_string())
    })
}

/// Tabs switching `?period=` on `base`; the current one is marked `aria-current`.
#[component]
fn Tabs(
    base: &'static str,
    label: &'static str,
    tabs: &'static [(&'static str, &'static str)],
    current: Signal<String>,
    /// Wrap onto a second line instead of scrolling sideways.
    #[prop(optional)]
    wrap: bool,
) -> impl IntoView {
    view! {
        <nav class=if wrap { "tabs wrap" } else { "tabs" } aria-label=label>
            {tabs
                .iter()
                .map(|(key, text)| {
                    let key = *key;
                    let here = move || current.get() == key;
                    view! {
                        <A
                            href=format!("{base}?period={key}")
                            attr:class=move || if here() { "tab active" } else { "tab" }
                            attr:aria-current=move || here().then_some("page")
                        >
                            {*text}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
    }
}

const TREND_TABS: [(&str, &str); 2] = [("month", "Months"), ("week", "Weeks")];

/// `/me/progress`: the last six months (or weeks) of the rep's activity score against the
/// team median and their personal best, as a chart with the same figures in a table.
#[component]
pub fn ProgressPage() -> impl IntoView {
    let period = period_param("month");
    let trend = crate::components::data(move || period.get(), |p| get_my_trend(p, None));
    view! {
        <section class="me me-progress">
            <MeNav current="/me/progress"/>
            <h1>"My progress"</h1>
            <Tabs base="/me/progress" label="Periods" tabs=&TREND_TABS current=period/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    trend.get()
                        .map(|r| match r {
                            Ok(t) => view! { <TrendView trend=t/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/me/progress"/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

fn pts(p: Points) -> f64 {
    p.0 as f64 / 100.0
}

/// Bars: the rep's score per period; a line: the team median; a dashed line: the best.
fn trend_chart(t: &Trend) -> charming::Chart {
    use charming::component::Axis;
    use charming::element::{AxisType, LineStyle, LineStyleType};
    use charming::series::{Bar, Line};
    let labels: Vec<String> = t.points.iter().map(|p| p.short_label.clone()).collect();
    let mut chart = crate::components::chart::axis_frame([36.0, 12.0, 4.0, 4.0], false)
        .animation(false)
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value))
        .color(vec!["#2f7de1", "#8a5a00", "#0f6b4f"])
        .series(
            Bar::new()
                .name("You")
                .data(t.points.iter().map(|p| pts(p.score)).collect::<Vec<_>>()),
        )
        .series(
            Line::new()
                .name(format!("Median of {}", t.team_label))
                .data(
                    t.points
                        .iter()
                        .map(|p| pts(p.team_median.unwrap_or(Points::ZERO)))
                        .collect::<Vec<_>>(),
                ),
        );
    if let Some((_, best)) = &t.personal_best {
        chart = chart.series(
            Line::new()
                .name("Your best")
                .show_symbol(false)
                .line_style(LineStyle::new().type_(LineStyleType::Dashed).width(2))
                .data(vec![pts(*best); t.points.len()]),
        );
    }
    chart
}

#[component]
fn TrendView(trend: Trend) -> impl IntoView {
    let last = trend.points.last().cloned();
    let unit = if trend.kind == "week" {
        "week"
    } else {
        "month"
    };
    let summary = last.map(|p| {
        let median = p
            .team_median
            .map(|m| m.display())
            .unwrap_or_else(|| "n/a".into());
        format!(
            "This {unit} so far: {} points; median of {}: {median}.",
            p.score.display(),
            trend.team_label
        )
    });
    let best = match (&trend.personal_best, trend.new_best) {
        (Some(_), true) => "New personal best this period!".to_string(),
        (Some((label, p)), false) => format!("Your best: {} points in {label}.", p.display()),
        (None, _) => "No closed period yet to set a personal best.".to_string(),
    };
    let label = format!(
        "Your activity score for the last {} {unit}s as bars, the median of {} as a line and your best as a dashed line; the table below has the same figures.",
        trend.points.len(),
        trend.team_label
    );
    let for_chart = trend.clone();
    let median_head = format!("Median of {}", trend.team_label);
    let best_value = trend.personal_best.as_ref().map(|b| b.1);
    view! {
        <p class="trend-summary" data-testid="trend-summary">{summary}</p>
        <p class="muted" data-testid="personal-best">{best}</p>
        <ChartView id="trend-chart" label=label height=260 chart=move || Some(trend_chart(&for_chart))>
            <table class="trend-table" data-testid="trend-table">
                <caption class="sr-only">"Activity score by period"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Period"</th>
                        <th scope="col" class="num">"You"</th>
                        <th scope="col" class="num">{median_head}</th>
                        <th scope="col" class="num">"vs best"</th>
                    </tr>
                </thead>
                <tbody>
                    {trend
                        .points
                        .into_iter()
                        .map(|p| {
                            let vs = best_value
                                .map(|b| {
                                    let d = Points(p.score.0 - b.0);
                                    if d.0 >= 0 { format!("+{}", d.display()) } else { d.display() }
                                })
                                .unwrap_or_else(|| "n/a".into());
                            view! {
                                <tr class:current=p.current>
                                    <th scope="row">
                                        {p.label}
                                        {p.current.then(|| view! { <small class="muted">" (so far)"</small> })}
                                    </th>
                                    <td class="num" data-testid="trend-score">{p.score.display()}</td>
                                    <td class="num" data-testid="trend-median">
                                        {p.team_median.map(|m| m.display()).unwrap_or_else(|| "n/a".into())}
                                    </td>
                                    <td class="num">{vs}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </ChartView>
    }
}

/// `/me/report`: this week against the average week of the last 30 days, per activity type.
/// Prints on one A4 page (the print stylesheet hides navigation and buttons) and downloads
/// as CSV.
#[component]
pub fn ReportPage() -> impl IntoView {
    let report = crate::components::data(|| (), |_| get_my_report(None));
    view! {
        <section class="me me-report">
            <MeNav current="/me/report"/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    report.get()
                        .map(|r| match r {
                            Ok(r) => view! { <ReportView report=r/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/me/report"/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

/// A count given in hundredths, without trailing zeros: "4.67", "1.4", "3".
fn count_text(hundredths: i64) -> String {
    let s = Points(hundredths).display();
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[component]
fn ReportView(report: WeeklyReport) -> impl IntoView {
    let days = if report.week_start == report.today {
        report.today.format("%a %-d %b").to_string()
    } else {
        format!(
            "{} – {}",
            report.week_start.format("%a %-d %b"),
            report.today.format("%a %-d %b")
        )
    };
    let span = format!(
        "{} · {days} · against the average week of {} – {}",
        report.week_label,
        report.window_start.format("%-d %b"),
        report.window_end.format("%-d %b %Y"),
    );
    let share = crate::scoring::Percent::ratio(report.week_total.0, report.average_total.0)
        .map(|p| format!("{} of an average week so far", p.display()))
        .unwrap_or_else(|| "no average week to compare with".to_string());
    let empty = report.lines.is_empty();
    view! {
        <h1>"Weekly activity report"</h1>
        <p class="muted report-name">{report.rep_name.clone()}</p>
        <p class="muted">{span}</p>
        <div class="report-actions no-print">
            <a class="button" href="/me/report.csv" download="" data-testid="report-csv">"Download CSV"</a>
            <button type="button" class="button secondary" on:click=move |_| print_page()>"Print"</button>
        </div>
        <Show when=move || !empty fallback=|| view! { <p class="muted">"No activity types yet."</p> }>
            <table class="report-table" data-testid="report-table">
                <caption class="sr-only">"This week against the average week of the last 30 days"</caption>
                <thead>
                    <tr>
                        <th scope="col" rowspan="2">"Activity"</th>
                        <th scope="colgroup" colspan="2" class="num">"Count"</th>
                        <th scope="colgroup" colspan="2" class="num">"Points"</th>
                    </tr>
                    <tr>
                        <th scope="col" class="num">"This week"</th>
                        <th scope="col" class="num">"Avg week"</th>
                        <th scope="col" class="num">"This week"</th>
                        <th scope="col" class="num">"Avg week"</th>
                    </tr>
                </thead>
                <tbody>
                    {report
                        .lines
                        .clone()
                        .into_iter()
                        .map(|l| {
                            view! {
                                <tr data-type=l.type_key.clone()>
                                    <th scope="row">
                                        <span class="icon" aria-hidden="true">{l.icon}" "</span>{l.label}
                                    </th>
                                    <td class="num" data-testid="week-count">{l.week_count}</td>
                                    <td class="num" data-testid="avg-count">{count_text(l.average_count_hundredths)}</td>
                                    <td class="num" data-testid="week-points">{l.week_points.display()}</td>
                                    <td class="num" data-testid="avg-points">{l.average_points.display()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">
                            "Total"
                        </th>
                        <td></td>
                        <td></td>
                        <td class="num" data-testid="week-total">{report.week_total.display()}</td>
                        <td class="num" data-testid="avg-total">{report.average_total.display()}</td>
                    </tr>
                </tfoot>
            </table>
        </Show>
        <p class="report-share" data-testid="report-share">"Points this week: " {share} "."</p>
        <p class="muted small">
            "Counts are the units that score (over a daily cap or too short: not counted). "
            "An average week is the last 30 days × 7 ÷ 30."
        </p>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

/// `/me/history`: the rep's own activities of this or last week or month, by day.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let period = period_param("this_week");
    let history = crate::components::data(move || period.get(), get_my_history);
    view! {
        <section class="me me-history">
            <MeNav current="/me/history"/>
            <h1>"My activities"</h1>
            <Tabs base="/me/history" label="Periods" tabs=&HISTORY_PERIODS current=period wrap=true/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    history.get()
                        .map(|r| match r {
                            Ok(h) => view! { <HistoryView history=h/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/me/history"/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryView(history: History) -> impl IntoView {
    let count = history.total_activities;
    let summary = format!(
        "{} · {} {} ({} units)",
        history.label,
        count,
        if count == 1 { "activity" } else { "activities" },
        history.total_units
    );
    let shown = history.items.len() as i64;
    let partial = (shown < count).then(|| format!("Showing the latest {shown}."));
    // Items come newest first; group them by day.
    let mut days: Vec<(chrono::NaiveDate, Vec<super::HistoryItem>)> = Vec::new();
    for item in history.items {
        match days.last_mut() {
            Some((d, items)) if *d == item.date => items.push(item),
            _ => days.push((item.date, vec![item])),
        }
    }
    let empty = days.is_empty();
    view! {
        <p class="muted" data-testid="history-summary">{summary} " " {partial}</p>
        <Show when=move || !empty fallback=|| view! { <p class="muted">"Nothing logged in this period."</p> }>
            {days
                .clone()
                .into_iter()
                .map(|(date, items)| {
                    view! {
                        <h2 class="history-day">{date.format("%A %-d %B").to_string()}</h2>
                        <ul class="today history">
                            {items
                                .into_iter()
                                .map(|a| {
                                    let details = [
                                        (!a.note.is_empty()).then(|| a.note.clone()),
                                        (!a.account.is_empty()).then(|| a.account.clone()),
                                    ]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(" · ");
                                    view! {
                                        <li data-activity=a.id>
                                            <div class="today-line">
                                                <span class="time">{a.time}</span>
                                                <span class="what">
                                                    <span aria-hidden="true">{a.icon}" "</span>{a.label}
                                                    {(a.quantity != 1).then(|| format!(" × {}", a.quantity))}
                                                </span>
                                                {(!a.counts).then(|| view! { <small class="flag">"too short to count"</small> })}
                                            </div>
                                            {(!details.is_empty()).then(|| view! { <div class="muted small today-details">{details}</div> })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
                .collect_view()}
        </Show>
    }
}
