//! The leaderboard page (signed-in users). The TV page is [`crate::tv::page`].

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use super::{format_index, get_leaderboard, Leaderboard};
use crate::components::{ErrorMessage, PeriodTabs};
use crate::error::AppError;

/// Refetches a resource every `seconds` in the browser (never during server rendering).
pub fn refetch_every<T>(resource: Resource<T, crate::components::Json>, seconds: u64)
where
    T: 'static + Send + Sync + serde::Serialize + serde::de::DeserializeOwned,
{
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || resource.refetch(),
            std::time::Duration::from_secs(seconds),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    });
}

/// Percent-encodes a query value (metric keys and team names).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    let query = use_query_map();
    let period = Signal::derive(move || {
        query
            .with(|q| q.get("period"))
            .unwrap_or_else(|| "month".to_string())
    });
    let metric = Signal::derive(move || query.with(|q| q.get("metric")).filter(|m| !m.is_empty()));
    let team = Signal::derive(move || query.with(|q| q.get("team")).filter(|t| !t.is_empty()));
    let keep = Signal::derive(move || {
        let mut k = String::new();
        if let Some(m) = metric.get() {
            k.push_str(&format!("&metric={}", encode(&m)));
        }
        if let Some(t) = team.get() {
            k.push_str(&format!("&team={}", encode(&t)));
        }
        k
    });
    let board = crate::components::data(
        move || (period.get(), metric.get(), team.get()),
        |(period, metric, team)| get_leaderboard(period, metric, team),
    );
    // Pushed changes refresh at once; the slow poll is a safety net.
    crate::live::client::subscribe("/events".into(), move || board.refetch());
    refetch_every(board, 120);
    view! {
        <section class="board-page">
            <PeriodTabs base="/" current=period keep=keep/>
            <Transition fallback=|| view! { <p class="muted">"Loading the leaderboard…"</p> }>
                {move || {
                    board.get()
                        .map(|r| match r {
                            Ok(b) => view! { <LeaderboardTable board=b period=period.get_untracked()/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/"/> }.into_any(),
                            Err(e) => view! {
                                <ErrorMessage error=e/>
                                <p><a href="/">"Back to the activity ranking"</a></p>
                            }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

/// Choose what to rank by and whose ranking: a plain GET form (works before hydration).
#[component]
fn BoardChoice(board: Leaderboard, period: String) -> impl IntoView {
    let current_metric = board.metric.clone();
    let current_team = board.team.clone().unwrap_or_default();
    view! {
        <form class="board-choice" method="get" action="/">
            <input type="hidden" name="period" value=period/>
            <label>
                "Rank by"
                <select name="metric">
                    {board
                        .metrics
                        .iter()
                        .map(|m| {
                            let selected = m.key == current_metric;
                            view! { <option value=m.key.clone() selected=selected>{m.label.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Team"
                <select name="team">
                    <option value="" selected=current_team.is_empty()>"Whole organisation"</option>
                    {board
                        .teams
                        .iter()
                        .map(|t| {
                            let selected = *t == current_team;
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit">"Show"</button>
        </form>
    }
}

#[component]
pub fn LeaderboardTable(
    board: Leaderboard,
    #[prop(optional, into)] period: String,
) -> impl IntoView {
    let empty = board.entries.is_empty();
    let activity = board.metric == "activity_score";
    let scope = board.team.clone().unwrap_or_else(|| board.org_name.clone());
    let value_head = if activity {
        "Points".to_string()
    } else {
        board.metric_label.clone()
    };
    let bar_head = if activity { "Index" } else { "Share of best" };
    let bar_title = if activity {
        "Activity Index: 10 = the highest score this period"
    } else {
        "The value as a share of the best value (10 = the leader)"
    };
    let period = if period.is_empty() {
        board.period.kind.as_str().to_string()
    } else {
        period
    };
    view! {
        <div class="board">
            <h1>
                {board.metric_label.clone()} " · " {scope} " "
                <span class="period-label">{board.period_label.clone()}</span>
            </h1>
            <BoardChoice board=board.clone() period/>
            <p class="board-explain muted">
                {board.explanation.clone()} " "
                <span class="board-updated">"Updated " <time>{board.updated.clone()}</time></span>
            </p>
            <Show when=move || empty>
                <p class="muted">"No reps yet. An admin can add them with `pacesetter create-user`."</p>
            </Show>
            <table class="leaderboard" data-metric=board.metric.clone()>
                <thead>
                    <tr>
                        <th scope="col" class="rank">"#"</th>
                        <th scope="col">"Rep"</th>
                        <th scope="col" class="team">"Team"</th>
                        <th scope="col" class="num value">{value_head}</th>
                        <th scope="col" class="num index" title=bar_title>{bar_head}</th>
                    </tr>
                </thead>
                <tbody>
                    {board
                        .entries
                        .into_iter()
                        .map(|e| {
                            let width = format!("width: {}%", e.index_tenths);
                            view! {
                                <tr data-rep-id=e.rep_id>
                                    <td class="rank">{e.rank}</td>
                                    <td class="name">{e.name}</td>
                                    <td class="team">{e.team.unwrap_or_default()}</td>
                                    <td class="num points">{e.display}</td>
                                    <td class="num index">
                                        <span class="index-bar" aria-hidden="true"><span style=width></span></span>
                                        {format_index(e.index_tenths)}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
