//! `/team`: the manager's view, desktop first (1440×900), readable on a tablet, printable.
//! Every chart is drawn by the shared [`ChartView`] and has the same figures as a table.
//! `/team/rep/:id`: one rep for a one-to-one — their scorecard, trend and breakdown.

use std::sync::Arc;

use charming::Chart;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    get_team_view, money, percent, tenths, ActivityRateLine, SellerLine, TeamCompareLine, TeamView,
    TurnoverLine, PAGE_REPS, TEAM_PERIODS, TOP_ACCOUNTS, UNTOUCHED_DAYS,
};
use crate::components::{ChartView, ErrorMessage};
use crate::error::AppError;
use crate::scorecard::{get_scorecard, page::ScorecardTable};
use crate::scoring::Money;

/// Money as a chart value (major units).
fn major(m: Money) -> f64 {
    m.0 as f64 / 100.0
}

fn date_text(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|| "never".to_string())
}

/// `?period=…&team=…` as the page and its links carry them.
fn team_query() -> (Signal<String>, Signal<Option<String>>) {
    let query = use_query_map();
    let period = Signal::derive(move || {
        query
            .with(|q| q.get("period"))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "month".to_string())
    });
    let team = Signal::derive(move || query.with(|q| q.get("team")).filter(|t| !t.is_empty()));
    (period, team)
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query string of a team link: `period=month&team=Alpha`.
fn qs(period: &str, team: Option<&str>) -> String {
    match team {
        Some(t) => format!("period={}&team={}", encode(period), encode(t)),
        None => format!("period={}", encode(period)),
    }
}

/// What a rep (or anyone turned away) reads instead of the view.
fn refused() -> AnyView {
    view! {
        <div class="card" data-testid="forbidden">
            <p class="error" role="alert">
                "The team view is for managers and admins."
            </p>
            <p>"Your own scores and scorecard are on " <a href="/me">"My score"</a> "."</p>
        </div>
    }
    .into_any()
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let (period, team) = team_query();
    let data = crate::components::data(
        move || (period.get(), team.get()),
        |(p, t)| get_team_view(p, t, None),
    );
    view! {
        <section class="team-page">
            <Transition fallback=|| view! { <p class="muted">"Loading the team view…"</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok(v) => view! { <TeamDashboard view=v period=period.get()/> }.into_any(),
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/team"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => refused(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn TeamDashboard(view: TeamView, period: String) -> impl IntoView {
    // Shared by the sections, not copied into each (a whole organisation's is megabytes).
    let v = Arc::new(view);
    let team = v.team.clone();
    let title = team
        .clone()
        .unwrap_or_else(|| format!("{} (all teams)", v.org_name));
    let q = qs(&period, team.as_deref());
    let export = move |table: &str| format!("/export/team/{table}.csv?{q}");
    let state = if v.closed {
        "closed"
    } else {
        "open, figures to date"
    };
    view! {
        <header class="team-head">
            <div>
                <h1>
                    {title.clone()} " · " <span class="period-label">{v.period_label.clone()}</span>
                </h1>
                <p class="muted small">
                    {format!("{} to {} ({state})", v.period_start.format("%-d %b %Y"), v.period_end.format("%-d %b %Y"))}
                </p>
            </div>
            <div class="team-controls no-print">
                <nav class="tabs" aria-label="Period">
                    {TEAM_PERIODS
                        .iter()
                        .map(|(key, label)| {
                            let href = format!("/team?{}", qs(key, team.as_deref()));
                            let here = *key == period;
                            view! {
                                <A href=href attr:class=if here { "tab active" } else { "tab" } attr:aria-current=here.then_some("page")>
                                    {*label}
                                </A>
                            }
                        })
                        .collect_view()}
                </nav>
                <TeamSwitch teams=v.teams.clone() current=team.clone() period=period.clone()/>
            </div>
        </header>

        {(!v.listed).then(|| view! {
            <p class="notice no-print" data-testid="teams-only">
                {format!("{} reps are more than a page can list ({PAGE_REPS}): it compares the teams. Open a team for its reps; every CSV has every rep.", crate::scoring::points::grouped_count(v.rep_count))}
            </p>
        })}
        <div class="team-grid">
            <TurnoverSection v=v.clone() export=export("turnover") period=period.clone()/>
            <SideSection v=v.clone()/>
        </div>
        // (Teams compared when there are two groups at least: a team and another, or the reps
        // in no team.)
        {(v.by_team.len() > 1).then(|| view! { <TeamsSection v=v.clone() export=export("teams") period=period.clone()/> })}
        {v.listed.then(|| view! { <SellersSection v=v.clone() export=export("sellers") period=period.clone()/> })}
        <div class="team-grid">
            <PipelineSection v=v.clone() export=export("pipeline")/>
            <LostSection v=v.clone() export=export("lost")/>
        </div>
        <ActivitySection v=v.clone() export=export("activity")/>
        <CoachingSection v=v.clone() export=export("coaching") period=period.clone()/>
        <CoverageSection v=v.clone() export=export("accounts") export_reps=export("rep_accounts") export_untouched=export("untouched")/>
    }
}

/// An admin's choice of team (or the whole organisation); nothing for a manager.
#[component]
fn TeamSwitch(teams: Vec<String>, current: Option<String>, period: String) -> impl IntoView {
    (!teams.is_empty()).then(|| {
        view! {
            <form method="get" action="/team" class="team-switch">
                <input type="hidden" name="period" value=period/>
                <label class="inline-label">
                    "Team"
                    <select name="team" data-testid="team-switch">
                        <option value="" selected=current.is_none()>"All teams"</option>
                        {teams
                            .into_iter()
                            .map(|t| {
                                let selected = current.as_deref() == Some(t.as_str());
                                view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="button secondary">"Show"</button>
            </form>
        }
    })
}

fn csv_link(href: String, what: &'static str) -> impl IntoView {
    view! {
        <a class="csv no-print" href=href download="">
            "CSV" <span class="sr-only">{format!(" of {what}")}</span>
        </a>
    }
}

#[component]
fn TurnoverSection(v: Arc<TeamView>, export: String, period: String) -> impl IntoView {
    let t = v.turnover.clone();
    let cur = v.currency.clone();
    let bp = t.ratio_bp;
    let label = format!(
        "Turnover against objective: {} of the objective.",
        percent(bp)
    );
    let summary = turnover_sentence(&t, &cur);
    // Rep by rep, or (an organisation too large to list) team by team, each a link to it.
    let listed = v.listed;
    let rows: Vec<(TurnoverLine, Option<String>)> = if listed {
        v.reps.iter().map(|l| (l.clone(), None)).collect()
    } else {
        v.by_team
            .iter()
            .map(|l| {
                (
                    l.turnover.clone(),
                    l.team
                        .as_deref()
                        .map(|t| format!("/team?{}", qs(&period, Some(t)))),
                )
            })
            .collect()
    };
    view! {
        <section class="panel" aria-labelledby="turnover-title" data-testid="turnover">
            <div class="panel-head">
                <h2 id="turnover-title">"Turnover vs objective"</h2>
                {csv_link(export, "turnover against objective")}
            </div>
            <div class="gauge-row">
                <ChartView id="team-gauge" label=label height=220 chart=move || bp.map(gauge)>
                    <p class="figure-big">{percent(bp)}</p>
                    <p>{summary}</p>
                </ChartView>
            </div>
            <table class="compact">
                <caption class="sr-only">{if listed { "Turnover against objective per rep" } else { "Turnover against objective per team" }}</caption>
                <thead>
                    <tr>
                        <th scope="col">{if listed { "Rep" } else { "Team" }}</th>
                        <th scope="col" class="num">"Won"</th>
                        <th scope="col" class="num">"Objective"</th>
                        <th scope="col" class="num">"vs objective"</th>
                        <th scope="col" class="num">"Pace"</th>
                        <th scope="col" class="num">"Gap"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(l, href)| turnover_row(l, href, &cur)).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

fn turnover_sentence(t: &TurnoverLine, cur: &str) -> String {
    match (t.objective, t.gap) {
        (Some(o), Some(g)) => {
            let pace = t
                .pace_bp
                .map(|p| format!(" Pace: {} of what was expected by today.", percent(Some(p))))
                .unwrap_or_default();
            let gap = if g.0 > 0 {
                format!("{} still to win.", money(g, cur))
            } else {
                "Objective reached.".to_string()
            };
            format!(
                "{} won of the {} objective. {gap}{pace}",
                money(t.won, cur),
                money(o, cur)
            )
        }
        _ => format!(
            "{} won; no objective is set for this period.",
            money(t.won, cur)
        ),
    }
}

fn turnover_row(l: TurnoverLine, href: Option<String>, cur: &str) -> impl IntoView {
    let opt = |m: Option<Money>| m.map(|m| money(m, cur)).unwrap_or_else(|| "n/a".into());
    let below = l.ratio_bp.is_some_and(|b| b < 10_000);
    let name = match href {
        Some(href) => view! { <a href=href>{l.name.clone()}</a> }.into_any(),
        None => l.name.clone().into_any(),
    };
    view! {
        <tr data-rep-id=l.rep_id>
            <td>{name}</td>
            <td class="num">{money(l.won, cur)}</td>
            <td class="num">{opt(l.objective)}</td>
            <td class="num" class:below=below>{percent(l.ratio_bp)}</td>
            <td class="num">{percent(l.pace_bp)}</td>
            <td class="num">{opt(l.gap)}</td>
        </tr>
    }
}

/// The turnover gauge: a ring from 0 to 150 %; the ratio itself is the text under it.
fn gauge(bp: i64) -> Chart {
    use charming::element::{AxisLabel, AxisLine, AxisLineStyle, AxisTick, Pointer, SplitLine};
    use charming::series::{Gauge, GaugeDetail, GaugeProgress, GaugeTitle};
    let pct = bp as f64 / 100.0;
    Chart::new().background_color("transparent").series(
        Gauge::new()
            .min(0.0)
            .max(150.0)
            .radius("95%")
            .center(("50%", "58%"))
            .progress(GaugeProgress::new().show(true).width(18))
            .axis_line(AxisLine::new().line_style(AxisLineStyle::from((1.0, "#dfe3e8", 18.0))))
            .pointer(Pointer::new().show(false))
            .axis_tick(AxisTick::new().show(false))
            .split_line(SplitLine::new().show(false))
            .axis_label(AxisLabel::new().show(false))
            .title(GaugeTitle::new().show(false))
            // The figure is written once, under the ring (also without JavaScript).
            .detail(GaugeDetail::new().show(false))
            .data(vec![(pct.round().min(150.0), "Turnover vs objective")]),
    )
}

/// The whole organisation's teams side by side, each a link to its own view.
#[component]
fn TeamsSection(v: Arc<TeamView>, export: String, period: String) -> impl IntoView {
    let cur = v.currency.clone();
    let lines = v.by_team.clone();
    let flagged: i64 = lines.iter().map(|l| l.flagged).sum();
    view! {
        <section class="panel" aria-labelledby="teams-title" data-testid="teams">
            <div class="panel-head">
                <h2 id="teams-title">"Teams side by side"</h2>
                {csv_link(export, "the teams side by side")}
            </div>
            <div class="scroll">
                <table class="compact">
                    <caption class="table-note">
                        {format!("This period's figures of each team, summed over its reps; all amounts in {cur}. ⚑ counts the reps whose effort is there while conversion is not ({flagged} in all).")}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Team"</th>
                            <th scope="col" class="num">"Reps"</th>
                            <th scope="col" class="num">"Won"</th>
                            <th scope="col" class="num">"vs objective"</th>
                            <th scope="col" class="num">"Pace"</th>
                            <th scope="col" class="num">"Per seller"</th>
                            <th scope="col" class="num">"Won / lost"</th>
                            <th scope="col" class="num">"Win rate"</th>
                            <th scope="col" class="num">"Pipeline"</th>
                            <th scope="col" class="num">"Activities / target"</th>
                            <th scope="col" class="num">"Activity score"</th>
                            <th scope="col" class="num">"⚑"<span class="sr-only">" effort without conversion"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {lines.into_iter().map(|l| team_row(l, &period)).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn team_row(l: TeamCompareLine, period: &str) -> impl IntoView {
    let t = &l.turnover;
    let below = t.ratio_bp.is_some_and(|b| b < 10_000);
    let name = match &l.team {
        Some(team) => {
            let href = format!("/team?{}", qs(period, Some(team)));
            view! { <a href=href data-testid="open-team">{team.clone()}</a> }.into_any()
        }
        None => view! { <span class="muted">{t.name.clone()}</span> }.into_any(),
    };
    let activity = match l.activity_target {
        Some(g) => format!("{} / {g} ({})", l.activities, percent(l.activity_rate_bp)),
        None => format!("{} / no target", l.activities),
    };
    view! {
        <tr data-team=l.team.clone()>
            <th scope="row">{name}</th>
            <td class="num">{l.reps}</td>
            <td class="num">{t.won.plain()}</td>
            <td class="num" class:below=below>{percent(t.ratio_bp)}</td>
            <td class="num">{percent(t.pace_bp)}</td>
            <td class="num">{l.per_seller.plain()}</td>
            <td class="num">{format!("{} / {}", l.deals_won, l.deals_lost)}</td>
            <td class="num">{percent(l.win_rate_bp)}</td>
            <td class="num">{l.pipeline.plain()}</td>
            <td class="num">{activity}</td>
            <td class="num">{l.effort.display()}</td>
            <td class="num">{l.flagged}</td>
        </tr>
    }
}

#[component]
fn SideSection(v: Arc<TeamView>) -> impl IntoView {
    let s = v.side.clone();
    let cur = v.currency.clone();
    let m = |x: Option<Money>| x.map(|x| money(x, &cur)).unwrap_or_else(|| "n/a".into());
    let items = vec![
        (
            "Win rate",
            percent(s.win_rate_bp),
            format!("{} won, {} lost", s.deals_won, s.deals_lost),
        ),
        (
            "Average deal size",
            m(s.average_deal_size),
            "turnover ÷ deals won".to_string(),
        ),
        (
            "Sales cycle",
            s.cycle_day_tenths
                .map(|t| format!("{} days", tenths(Some(t))))
                .unwrap_or_else(|| "n/a".into()),
            "created to won, on average".to_string(),
        ),
        (
            "Sales velocity",
            s.velocity
                .map(|v| format!("{} / day", money(v, &cur)))
                .unwrap_or_else(|| "n/a".into()),
            "open deals × size × win rate ÷ cycle".to_string(),
        ),
        (
            "New-customer rate",
            percent(s.new_customer_rate_bp),
            "of the deals won".to_string(),
        ),
    ];
    view! {
        <section class="panel" aria-labelledby="side-title" data-testid="side">
            <h2 id="side-title">"Beside the five"</h2>
            <dl class="side-metrics">
                {items
                    .into_iter()
                    .map(|(k, val, hint)| {
                        view! {
                            <div>
                                <dt>{k}</dt>
                                <dd class="figure">{val}</dd>
                                <dd class="muted small">{hint}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

/// "▼ drop" / "▲ exceptional": the period against the average of the ones before it.
fn trend_mark(s: &SellerLine) -> Option<(&'static str, &'static str)> {
    let (last, before) = s.trend.split_last()?;
    let prior: Vec<i64> = before.iter().map(|m| m.0).filter(|m| *m > 0).collect();
    if prior.is_empty() {
        return None;
    }
    let avg = prior.iter().sum::<i64>() / prior.len() as i64;
    if last.0 * 2 < avg {
        Some(("drop", "▼ well below their usual"))
    } else if last.0 * 2 > avg * 3 {
        Some(("peak", "▲ exceptional"))
    } else {
        None
    }
}

#[component]
fn SellersSection(v: Arc<TeamView>, export: String, period: String) -> impl IntoView {
    let cur = v.currency.clone();
    let labels = v.trend_labels.clone();
    let sellers = v.sellers.clone();
    let team = v.team.clone();
    let shown = sellers.len().min(12);
    let chart_sellers = {
        let mut s = sellers.clone();
        s.sort_by_key(|x| std::cmp::Reverse(x.trend.last().copied().unwrap_or(Money::ZERO)));
        s.truncate(shown);
        s
    };
    let note = if sellers.len() > shown {
        format!("The chart shows the {shown} sellers with the most turnover this period; the table has everyone.")
    } else {
        "One line per seller; the table below has the same figures.".to_string()
    };
    let chart_labels = labels.clone();
    let chart = move || Some(trend_chart(&chart_labels, &chart_sellers));
    view! {
        <section class="panel" aria-labelledby="sellers-title" data-testid="sellers">
            <div class="panel-head">
                <h2 id="sellers-title">"Turnover per seller"</h2>
                {csv_link(export, "turnover per seller")}
            </div>
            <ChartView id="team-trend" label="Turnover per seller over the last six periods, one line per seller." height=280 chart=chart>
                <span class="muted small">{note}</span>
            </ChartView>
            <div class="scroll">
                <table class="compact">
                    <caption class="table-note">{format!("Turnover won in each of the last six periods; all amounts in {cur}.")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Seller"</th>
                            {labels.iter().map(|l| view! { <th scope="col" class="num">{l.clone()}</th> }).collect_view()}
                            <th scope="col" class="num">"Won / lost"</th>
                            <th scope="col" class="num">"Win rate"</th>
                            <th scope="col" class="num">"Avg deal"</th>
                            <th scope="col" class="num">"Pipeline"</th>
                            <th scope="col"><span class="sr-only">"Details"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {sellers
                            .into_iter()
                            .map(|s| {
                                let mark = trend_mark(&s);
                                let href = format!("/team/rep/{}?{}", s.rep_id, qs(&period, team.as_deref()));
                                let n = s.trend.len();
                                view! {
                                    <tr data-rep-id=s.rep_id>
                                        <th scope="row">
                                            {s.name.clone()}
                                            {mark.map(|(class, text)| view! { <span class=format!("trend-mark {class}")>" " {text}</span> })}
                                        </th>
                                        {s.trend
                                            .iter()
                                            .enumerate()
                                            .map(|(i, m)| {
                                                view! { <td class="num" class:current=i + 1 == n>{m.plain()}</td> }
                                            })
                                            .collect_view()}
                                        <td class="num">{format!("{} / {}", s.deals_won, s.deals_lost)}</td>
                                        <td class="num">{percent(s.win_rate_bp)}</td>
                                        <td class="num">{s.average_deal_size.map(Money::plain).unwrap_or_else(|| "n/a".into())}</td>
                                        <td class="num">{s.pipeline.plain()}</td>
                                        <td><a href=href data-testid="drill">"One-to-one"</a></td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn trend_chart(labels: &[String], sellers: &[SellerLine]) -> Chart {
    use charming::component::Axis;
    use charming::element::AxisType;
    use charming::series::Line;
    let mut chart = crate::components::chart::axis_frame([36.0, 24.0, 8.0, 8.0], true)
        .x_axis(Axis::new().type_(AxisType::Category).data(labels.to_vec()))
        .y_axis(Axis::new().type_(AxisType::Value));
    for s in sellers {
        chart = chart.series(
            Line::new()
                .name(s.name.clone())
                .data(s.trend.iter().map(|m| major(*m)).collect::<Vec<_>>()),
        );
    }
    chart
}

#[component]
fn PipelineSection(v: Arc<TeamView>, export: String) -> impl IntoView {
    let cur = v.currency.clone();
    let stages = v.stages.clone();
    let months = v.pipeline.clone();
    let (cs, cm) = (stages.clone(), months.clone());
    let total: Money = months
        .iter()
        .fold(Money::ZERO, |a, m| a.saturating_add(m.weighted));
    let label = format!(
        "Weighted pipeline by expected close month, stacked by stage, against each month's turnover objective: {} over six months.",
        money(total, &cur)
    );
    view! {
        <section class="panel" aria-labelledby="pipeline-title" data-testid="pipeline">
            <div class="panel-head">
                <h2 id="pipeline-title">"Weighted pipeline"</h2>
                {csv_link(export, "the weighted pipeline")}
            </div>
            <ChartView id="team-pipeline" label=label height=280 chart=move || Some(pipeline_chart(&cs, &cm))>
                <span class="muted small">"Σ amount × probability of open deals, by expected close month; the line is the month's turnover objective."</span>
            </ChartView>
            <div class="scroll">
                <table class="compact">
                    <caption class="sr-only">"Weighted pipeline by month"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Month"</th>
                            <th scope="col" class="num">"Open deals"</th>
                            <th scope="col" class="num">"Weighted"</th>
                            <th scope="col" class="num">"Objective"</th>
                            <th scope="col" class="num">"Coverage"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {months
                            .into_iter()
                            .map(|m| {
                                let coverage = m
                                    .target
                                    .and_then(|t| crate::scoring::Percent::ratio(m.weighted.0, t.0))
                                    .map(|p| p.0);
                                view! {
                                    <tr>
                                        <th scope="row">{m.label.clone()}</th>
                                        <td class="num">{m.open_deals}</td>
                                        <td class="num">{money(m.weighted, &cur)}</td>
                                        <td class="num">{m.target.map(|t| money(t, &cur)).unwrap_or_else(|| "n/a".into())}</td>
                                        <td class="num">{percent(coverage)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn pipeline_chart(stages: &[String], months: &[super::PipelineMonthLine]) -> Chart {
    use charming::component::Axis;
    use charming::element::AxisType;
    use charming::series::{Bar, Line};
    let labels: Vec<String> = months.iter().map(|m| m.label.clone()).collect();
    let mut chart = crate::components::chart::axis_frame([36.0, 24.0, 8.0, 8.0], true)
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value));
    for (i, stage) in stages.iter().enumerate() {
        let name = if stage.is_empty() {
            "(no stage)".to_string()
        } else {
            stage.clone()
        };
        chart = chart.series(
            Bar::new().name(name).stack("pipeline").data(
                months
                    .iter()
                    .map(|m| major(m.by_stage.get(i).copied().unwrap_or(Money::ZERO)))
                    .collect::<Vec<_>>(),
            ),
        );
    }
    chart.series(
        Line::new().name("Objective").data(
            months
                .iter()
                .map(|m| m.target.map(major))
                .collect::<Vec<_>>(),
        ),
    )
}

#[component]
fn LostSection(v: Arc<TeamView>, export: String) -> impl IntoView {
    let cur = v.currency.clone();
    let lost = v.lost.clone();
    let c = lost.change.clone();
    let prev_label = lost.previous_label.clone();
    let mut callouts = Vec::new();
    if c.rising {
        callouts.push(format!(
            "More deals lost: {} this period against {} in {}.",
            c.count, c.previous_count, prev_label
        ));
    }
    if c.new_dominant {
        let reason = c
            .dominant
            .clone()
            .map(|r| {
                if r.is_empty() {
                    "(no reason given)".into()
                } else {
                    r
                }
            })
            .unwrap_or_default();
        callouts.push(match &c.previous_dominant {
            Some(p) => format!("A new main reason: “{reason}” (it was “{p}”)."),
            None => format!("A new main reason: “{reason}”."),
        });
    }
    if c.count == 0 {
        callouts.push("No deal lost this period.".to_string());
    }
    // Every reason of either period, this period's order first.
    let mut reasons: Vec<String> = lost.current.iter().map(|l| l.reason.clone()).collect();
    for l in &lost.previous {
        if !reasons.contains(&l.reason) {
            reasons.push(l.reason.clone());
        }
    }
    let find = |v: &[crate::scoring::LostReasonLine], r: &str| {
        v.iter()
            .find(|l| l.reason == r)
            .map(|l| (l.count, l.amount))
            .unwrap_or((0, Money::ZERO))
    };
    let rows: Vec<LostRow> = reasons
        .iter()
        .map(|r| (r.clone(), find(&lost.current, r), find(&lost.previous, r)))
        .collect();
    let chart_rows = rows.clone();
    let pl = prev_label.clone();
    let alt = format!(
        "{} lost ({}) against {} ({}) in {}.",
        c.count,
        money(c.amount, &cur),
        c.previous_count,
        money(c.previous_amount, &cur),
        prev_label
    );
    let label = format!(
        "Deals lost by reason, this period against {prev_label}: {} against {}.",
        c.count, c.previous_count
    );
    view! {
        <section class="panel" aria-labelledby="lost-title" data-testid="lost">
            <div class="panel-head">
                <h2 id="lost-title">"Lost business"</h2>
                {csv_link(export, "lost business")}
            </div>
            {(!callouts.is_empty()).then(|| view! {
                <ul class="callouts" data-testid="lost-callouts">
                    {callouts.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}
                </ul>
            })}
            <ChartView id="team-lost" label=label height=240 chart=move || Some(lost_chart(&chart_rows, &pl))>
                <span class="muted small">
                    {alt}
                </span>
            </ChartView>
            <table class="compact">
                <caption class="sr-only">"Lost business by reason"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Reason"</th>
                        <th scope="col" class="num">"Lost"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col" class="num">"Before"</th>
                        <th scope="col" class="num">"Amount before"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(r, now, before)| {
                            view! {
                                <tr>
                                    <th scope="row">{if r.is_empty() { "(no reason given)".to_string() } else { r }}</th>
                                    <td class="num">{now.0}</td>
                                    <td class="num">{money(now.1, &cur)}</td>
                                    <td class="num">{before.0}</td>
                                    <td class="num">{money(before.1, &cur)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// A lost reason with (count, amount) this period and the previous one.
type LostRow = (String, (i64, Money), (i64, Money));

fn lost_chart(rows: &[LostRow], previous: &str) -> Chart {
    use charming::component::Axis;
    use charming::element::AxisType;
    use charming::series::Bar;
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            if r.0.is_empty() {
                "(none)".to_string()
            } else {
                r.0.clone()
            }
        })
        .collect();
    crate::components::chart::axis_frame([36.0, 24.0, 8.0, 8.0], false)
        .x_axis(Axis::new().type_(AxisType::Value).min_interval(1))
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .inverse(true)
                .data(names),
        )
        .color(vec!["#c0362c", "#8a94a6"])
        .series(
            Bar::new()
                .name("This period")
                .data(rows.iter().map(|r| r.1 .0).collect::<Vec<_>>()),
        )
        .series(
            Bar::new()
                .name(previous.to_string())
                .data(rows.iter().map(|r| r.2 .0).collect::<Vec<_>>()),
        )
}

#[component]
fn ActivitySection(v: Arc<TeamView>, export: String) -> impl IntoView {
    let team_lines: Vec<ActivityRateLine> = v
        .activity
        .iter()
        .filter(|l| l.rep_id.is_none())
        .cloned()
        .collect();
    // Each rep's line of each type, found by (rep, type): a whole organisation has
    // thousands.
    let mut rep_lines: Vec<((i64, i64), &ActivityRateLine)> = v
        .activity
        .iter()
        .filter_map(|l| l.rep_id.map(|id| ((id, l.activity_type_id), l)))
        .collect();
    rep_lines.sort_unstable_by_key(|(k, _)| *k);
    let line_of = |key: (i64, i64)| {
        rep_lines
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| rep_lines[i].1.clone())
    };
    let types: Vec<(i64, String)> = team_lines
        .iter()
        .map(|l| (l.activity_type_id, l.type_label.clone()))
        .collect();
    let opt = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_else(|| "n/a".into());
    let listed = v.listed;
    let reps: Vec<(i64, String)> = v
        .reps
        .iter()
        .filter_map(|r| r.rep_id.map(|id| (id, r.name.clone())))
        .collect();
    view! {
        <section class="panel" aria-labelledby="activity-title" data-testid="activity">
            <div class="panel-head">
                <h2 id="activity-title">"Activity rate"</h2>
                {csv_link(export, "the activity rate")}
            </div>
            <div class="scroll">
                <table class="compact">
                    <caption class="sr-only">"Activities done against activity targets, team"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Activity"</th>
                            <th scope="col" class="num">"Done"</th>
                            <th scope="col" class="num">"Target"</th>
                            <th scope="col" class="num">"Expected by now"</th>
                            <th scope="col" class="num">"Rate"</th>
                            <th scope="col" class="num">"Pace"</th>
                            <th scope="col" class="bar-col"><span class="sr-only">"Rate as a bar"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {team_lines
                            .into_iter()
                            .map(|l| {
                                let width = format!("width: {}%", l.rate_bp.unwrap_or(0).clamp(0, 10_000) / 100);
                                view! {
                                    <tr>
                                        <th scope="row">{l.type_label.clone()}</th>
                                        <td class="num">{l.count}</td>
                                        <td class="num">{opt(l.target)}</td>
                                        <td class="num">{opt(l.expected)}</td>
                                        <td class="num">{percent(l.rate_bp)}</td>
                                        <td class="num">{percent(l.pace_bp)}</td>
                                        <td class="bar-col"><span class="index-bar" aria-hidden="true"><span style=width></span></span></td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <h3 class:hidden=!listed>"Per rep: done / target (rate, pace)"</h3>
            <div class="scroll" class:hidden=!listed>
                <table class="compact">
                    <caption class="sr-only">"Activities per rep and type against their targets"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Rep"</th>
                            {types.iter().map(|(_, t)| view! { <th scope="col" class="num">{t.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {reps
                            .into_iter()
                            .map(|(id, name)| {
                                let cells: Vec<String> = types
                                    .iter()
                                    .map(|(t, _)| {
                                        line_of((id, *t))
                                            .map(|l| match l.target {
                                                Some(g) => format!("{} / {} ({}, pace {})", l.count, g, percent(l.rate_bp), percent(l.pace_bp)),
                                                None => format!("{} / no target", l.count),
                                            })
                                            .unwrap_or_default()
                                    })
                                    .collect();
                                view! {
                                    <tr data-rep-id=id>
                                        <th scope="row">{name}</th>
                                        {cells.into_iter().map(|c| view! { <td class="num">{c}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn CoachingSection(v: Arc<TeamView>, export: String, period: String) -> impl IntoView {
    let c = v.coaching.clone();
    let team = v.team.clone();
    let team_apw = c.team_activities_per_won;
    let median = c
        .median_effort
        .map(|p| p.display())
        .unwrap_or_else(|| "n/a".into());
    let flagged: Vec<_> = c.reps.iter().filter(|r| r.flagged).cloned().collect();
    // One point per rep; an organisation too large to list rep by rep plots its teams.
    let listed = v.listed;
    let (points, unplotted): (Vec<(String, f64, f64)>, usize) = if listed {
        (
            c.reps
                .iter()
                .filter_map(|r| {
                    r.result_bp
                        .map(|b| (r.name.clone(), r.effort.0 as f64 / 100.0, b as f64 / 100.0))
                })
                .collect(),
            c.reps.iter().filter(|r| r.result_bp.is_none()).count(),
        )
    } else {
        (
            v.by_team
                .iter()
                .filter_map(|l| {
                    l.turnover.ratio_bp.map(|b| {
                        (
                            l.turnover.name.clone(),
                            l.effort.0 as f64 / 100.0,
                            b as f64 / 100.0,
                        )
                    })
                })
                .collect(),
            v.by_team
                .iter()
                .filter(|l| l.turnover.ratio_bp.is_none())
                .count(),
        )
    };
    let unit = if listed { "rep" } else { "team" };
    let mut alt = format!(
        "Across: activity score; up: turnover vs objective (the line is 100 %). Median effort of a rep {median}."
    );
    if unplotted > 0 {
        alt.push_str(&format!(
            " {unplotted} {unit}(s) without an objective are not plotted."
        ));
    }
    let flagged_all: i64 = v.by_team.iter().map(|l| l.flagged).sum();
    let shown = flagged.len();
    let more_flagged = (!listed)
        .then(|| flagged_all - shown as i64)
        .filter(|n| *n > 0);
    let chart_label = format!(
        "Effort (activity score) against result (turnover vs objective), one point per {unit}."
    );
    view! {
        <section class="panel" aria-labelledby="coaching-title" data-testid="coaching">
            <div class="panel-head">
                <h2 id="coaching-title">"Coaching insight"</h2>
                {csv_link(export, "effort against result")}
            </div>
            <div class="team-grid">
                <ChartView id="team-effort" label=chart_label height=300 chart=move || Some(effort_chart(&points))>
                    <span class="muted small">
                        {alt}
                    </span>
                </ChartView>
                <div>
                    <h3>"Effort is there, conversion is not"</h3>
                    {if flagged.is_empty() {
                        view! { <p class="muted" data-testid="no-flag">"Nobody: every rep working at or above the median is on target (or has no objective)."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="flags" data-testid="flagged">
                                {flagged
                                    .into_iter()
                                    .map(|r| {
                                        let href = format!("/team/rep/{}?{}", r.rep_id, qs(&period, team.as_deref()));
                                        view! {
                                            <li>
                                                <a href=href><strong>{r.name.clone()}</strong></a>
                                                {format!(
                                                    ": effort is there, conversion is not — {} points (median {}), {} of objective, {} activities per won deal against the team's {}.",
                                                    r.effort.display(), median, percent(r.result_bp), tenths(r.activities_per_won), tenths(team_apw)
                                                )}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {more_flagged.map(|n| view! {
                                <p class="muted small">{format!("The {shown} with the most effort; {n} more in their teams and in the CSV.")}</p>
                            })}
                        }.into_any()
                    }}
                </div>
            </div>
            <div class="scroll">
                <table class="compact">
                    <caption class="sr-only">{if listed { "Effort against result per rep" } else { "Effort against result of the reps named above" }}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Rep"</th>
                            <th scope="col" class="num">"Activity score"</th>
                            <th scope="col" class="num">"vs objective"</th>
                            <th scope="col" class="num">"Activities"</th>
                            <th scope="col" class="num">"Deals won"</th>
                            <th scope="col" class="num">"Activities per won deal"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {c.reps
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <tr data-rep-id=r.rep_id class:flagged=r.flagged>
                                        <th scope="row">{r.name.clone()} {r.flagged.then_some(" ⚑")}</th>
                                        <td class="num">{r.effort.display()}</td>
                                        <td class="num">{percent(r.result_bp)}</td>
                                        <td class="num">{r.activities}</td>
                                        <td class="num">{r.deals_won}</td>
                                        <td class="num">{tenths(r.activities_per_won)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn effort_chart(points: &[(String, f64, f64)]) -> Chart {
    use charming::component::{Axis, Grid};
    use charming::element::{
        AxisType, MarkLine, MarkLineData, MarkLineVariant, NameLocation, Tooltip, Trigger,
    };
    use charming::series::Scatter;
    // The axis names sit centred outside the labels (the grid's `contain_label` does not
    // count them: at an axis's end they were cut off at the chart's edge). The 100 % line is
    // always on the chart: the axis goes at least a step past it, whatever the results.
    let highest = points.iter().map(|p| p.2).fold(100.0_f64, f64::max);
    let y_max = (highest / 20.0).floor() * 20.0 + 20.0;
    Chart::new()
        .background_color("transparent")
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .grid(
            Grid::new()
                .left(28)
                .right(16)
                .top(16)
                .bottom(32)
                .contain_label(true),
        )
        .x_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("Activity score")
                .name_location(NameLocation::Middle)
                .name_gap(28),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name("% of objective")
                .name_location(NameLocation::Middle)
                .name_gap(44)
                .min(0)
                .max(y_max),
        )
        .series(
            Scatter::new()
                .symbol_size(14)
                .data(
                    points
                        .iter()
                        .map(|(n, x, y)| (vec![*x, *y], n.clone()))
                        .collect::<Vec<_>>(),
                )
                .mark_line(
                    MarkLine::new()
                        .silent(true)
                        .data(vec![MarkLineVariant::Simple(
                            MarkLineData::new().y_axis(100),
                        )]),
                ),
        )
}

#[component]
fn CoverageSection(
    v: Arc<TeamView>,
    export: String,
    export_reps: String,
    export_untouched: String,
) -> impl IntoView {
    let cur = v.currency.clone();
    let cov = v.coverage.clone();
    let top: Vec<_> = cov.accounts.iter().take(TOP_ACCOUNTS).cloned().collect();
    let more = cov.accounts_worked.saturating_sub(TOP_ACCOUNTS);
    let empty = cov.accounts.is_empty();
    let listed = v.listed;
    view! {
        <section class="panel" aria-labelledby="coverage-title" data-testid="coverage">
            <div class="panel-head">
                <h2 id="coverage-title">"Account coverage"</h2>
                {csv_link(export, "account coverage")}
                {csv_link(export_reps, "account coverage per rep")}
            </div>
            <div class="team-grid">
                <div>
                    <h3>"Most attended accounts"</h3>
                    {empty.then(|| view! { <p class="muted">"No activity was logged against an account this period."</p> })}
                    <table class="compact" class:hidden=empty>
                        <thead>
                            <tr>
                                <th scope="col">"Account"</th>
                                <th scope="col" class="num">"Points"</th>
                                <th scope="col" class="num">"Activities"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Last"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {top
                                .into_iter()
                                .map(|a| {
                                    let who = a.reps.iter().map(|(n, p)| format!("{n} ({})", p.display())).collect::<Vec<_>>().join(", ");
                                    view! {
                                        <tr>
                                            <th scope="row">{a.account.clone()}</th>
                                            <td class="num">{a.points.display()}</td>
                                            <td class="num">{a.units}</td>
                                            <td>{who}</td>
                                            <td>{date_text(a.last_activity)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    {(more > 0).then(|| view! { <p class="muted small">{format!("{more} more in the CSV.")}</p> })}
                    <h3 class:hidden=!listed>"Per rep"</h3>
                    <table class="compact" class:hidden=!listed>
                        <thead>
                            <tr>
                                <th scope="col">"Rep"</th>
                                <th scope="col" class="num">"Accounts"</th>
                                <th scope="col" class="num">"Points"</th>
                                <th scope="col">"Most attended"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {cov.by_rep
                                .into_iter()
                                .map(|r| {
                                    let top = r.top.iter().map(|(a, p)| format!("{a} ({})", p.display())).collect::<Vec<_>>().join(", ");
                                    view! {
                                        <tr data-rep-id=r.rep_id>
                                            <th scope="row">{r.name.clone()}</th>
                                            <td class="num">{r.accounts}</td>
                                            <td class="num">{r.points.display()}</td>
                                            <td>{top}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <div>
                    <div class="panel-head">
                        <h3>{format!("Open deals nobody touched in {UNTOUCHED_DAYS} days")}</h3>
                        {csv_link(export_untouched, "untouched accounts")}
                    </div>
                    {if cov.untouched.is_empty() {
                        view! { <p class="muted">"None: every account with an open deal had an activity in the last 30 days."</p> }.into_any()
                    } else {
                        view! {
                            <table class="compact" data-testid="untouched">
                                <thead>
                                    <tr>
                                        <th scope="col">"Account"</th>
                                        <th scope="col" class="num">"Open deals"</th>
                                        <th scope="col" class="num">"Amount"</th>
                                        <th scope="col">"Last touched"</th>
                                        <th scope="col">"Owner"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {cov.untouched
                                        .into_iter()
                                        .map(|a| view! {
                                            <tr>
                                                <th scope="row">{a.account.clone()}</th>
                                                <td class="num">{a.open_deals}</td>
                                                <td class="num">{money(a.open_amount, &cur)}</td>
                                                <td>{date_text(a.last_activity)}</td>
                                                <td>{a.owners.join(", ")}</td>
                                            </tr>
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </div>
            </div>
        </section>
    }
}

/// `/team/rep/:id`: one rep for a one-to-one: their scorecard, turnover trend, activity
/// breakdown, coaching figures and accounts, from the same data as the team view.
#[component]
pub fn TeamRepPage() -> impl IntoView {
    let params = use_params_map();
    let (period, team) = team_query();
    let rep_id = Signal::derive(move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| s.parse::<i64>().ok())
    });
    let card = crate::components::data(
        move || (period.get(), rep_id.get()),
        |(p, id)| async move {
            match id {
                Some(id) => get_scorecard(p, Some(id)).await,
                None => Err(AppError::NotFound("Rep".into())),
            }
        },
    );
    let data = crate::components::data(
        move || (period.get(), team.get()),
        |(p, t)| get_team_view(p, t, None),
    );
    view! {
        <section class="team-page team-rep">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let (Some(d), Some(c)) = (data.get(), card.get()) else { return None };
                    let id = rep_id.get();
                    let back = format!("/team?{}", qs(&period.get(), team.get().as_deref()));
                    Some(match (d, c) {
                        (Err(AppError::Unauthenticated), _) | (_, Err(AppError::Unauthenticated)) => {
                            view! { <Redirect path="/login?next=/team"/> }.into_any()
                        }
                        (Err(AppError::Forbidden), _) => refused(),
                        (Err(e), _) | (_, Err(e)) => view! { <ErrorMessage error=e/> }.into_any(),
                        (Ok(v), Ok(card)) => {
                            let cur = v.currency.clone();
                            let seller = v.sellers.iter().find(|s| Some(s.rep_id) == id).cloned();
                            let coach = v.coaching.reps.iter().find(|r| Some(r.rep_id) == id).cloned();
                            let turnover = v.reps.iter().find(|r| r.rep_id == id).cloned();
                            let lines: Vec<ActivityRateLine> = v.activity.iter().filter(|l| l.rep_id.is_some() && l.rep_id == id).cloned().collect();
                            let accounts = v.coverage.by_rep.iter().find(|r| Some(r.rep_id) == id).cloned();
                            let labels = v.trend_labels.clone();
                            let team_apw = v.coaching.team_activities_per_won;
                            view! {
                                <p class="no-print"><a href=back>"← Back to the team"</a></p>
                                <h1 data-testid="rep-name">{card.rep_name.clone()} " · " <span class="period-label">{v.period_label.clone()}</span></h1>
                                {turnover.map(|t| view! { <p class="lead">{turnover_sentence(&t, &cur)}</p> })}
                                {coach.map(|c| view! {
                                    <p class:flag-text=c.flagged>
                                        {c.flagged.then_some("Effort is there, conversion is not: ")}
                                        {format!("{} activity points, {} of objective, {} activities per won deal (team: {}).",
                                            c.effort.display(), percent(c.result_bp), tenths(c.activities_per_won), tenths(team_apw))}
                                    </p>
                                })}
                                <div class="team-grid">
                                    <ScorecardTable card=card/>
                                    <div>
                                        {seller.map(|s| {
                                            let one = vec![s.clone()];
                                            let l2 = labels.clone();
                                            view! {
                                                <section class="panel" aria-labelledby="rep-trend-title">
                                                    <h2 id="rep-trend-title">"Turnover, last six periods"</h2>
                                                    <ChartView id="rep-trend" label="This rep's turnover over the last six periods." height=220 chart=move || Some(trend_chart(&l2, &one))>
                                                        <table class="compact">
                                                            <tbody>
                                                                {labels.iter().zip(&s.trend).map(|(l, m)| view! {
                                                                    <tr><th scope="row">{l.clone()}</th><td class="num">{money(*m, &cur)}</td></tr>
                                                                }).collect_view()}
                                                            </tbody>
                                                        </table>
                                                    </ChartView>
                                                </section>
                                            }
                                        })}
                                        <section class="panel" aria-labelledby="rep-activity-title">
                                            <h2 id="rep-activity-title">"Activities against targets"</h2>
                                            <table class="compact">
                                                <thead>
                                                    <tr>
                                                        <th scope="col">"Activity"</th>
                                                        <th scope="col" class="num">"Done"</th>
                                                        <th scope="col" class="num">"Target"</th>
                                                        <th scope="col" class="num">"Rate"</th>
                                                        <th scope="col" class="num">"Pace"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {lines.into_iter().map(|l| view! {
                                                        <tr>
                                                            <th scope="row">{l.type_label.clone()}</th>
                                                            <td class="num">{l.count}</td>
                                                            <td class="num">{l.target.map(|t| t.to_string()).unwrap_or_else(|| "n/a".into())}</td>
                                                            <td class="num">{percent(l.rate_bp)}</td>
                                                            <td class="num">{percent(l.pace_bp)}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </section>
                                        {accounts.map(|a| view! {
                                            <section class="panel">
                                                <h2>"Where the effort went"</h2>
                                                <p>{format!("{} accounts worked on, {} points.", a.accounts, a.points.display())}</p>
                                                <ul>
                                                    {a.top.into_iter().map(|(n, p)| view! { <li>{format!("{n}: {} points", p.display())}</li> }).collect_view()}
                                                </ul>
                                            </section>
                                        })}
                                    </div>
                                </div>
                            }
                                .into_any()
                        }
                    })
                }}
            </Transition>
        </section>
    }
}
