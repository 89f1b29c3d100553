//! The leaderboard page (signed-in users). The TV page is [`crate::tv::page`].

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use super::{format_index, get_leaderboard, Leaderboard};
use crate::components::{ErrorMessage, PeriodTabs};
use crate::error::AppError;

/// Refetches a resource every `seconds` in the browser (never during server rendering).
pub fn refetch_every<T>(resource: Resource<T>, seconds: u64)
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

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    let query = use_query_map();
    let period = Signal::derive(move || {
        query
            .with(|q| q.get("period"))
            .unwrap_or_else(|| "month".to_string())
    });
    let board = Resource::new(move || period.get(), get_leaderboard);
    // Pushed changes refresh at once; the slow poll is a safety net.
    crate::live::client::subscribe("/events".into(), move || board.refetch());
    refetch_every(board, 120);
    view! {
        <section class="board-page">
            <PeriodTabs base="/" current=period/>
            <Transition fallback=|| view! { <p class="muted">"Loading the leaderboard…"</p> }>
                {move || {
                    board.get()
                        .map(|r| match r {
                            Ok(b) => view! { <LeaderboardTable board=b/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/"/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
pub fn LeaderboardTable(board: Leaderboard) -> impl IntoView {
    let empty = board.entries.is_empty();
    view! {
        <div class="board">
            <h1>
                "Activity score " <span class="period-label">{board.period_label.clone()}</span>
            </h1>
            <Show when=move || empty>
                <p class="muted">"No reps yet. An admin can add them with `pacesetter create-user`."</p>
            </Show>
            <table class="leaderboard">
                <thead>
                    <tr>
                        <th scope="col" class="rank">"#"</th>
                        <th scope="col">"Rep"</th>
                        <th scope="col" class="team">"Team"</th>
                        <th scope="col" class="num">"Points"</th>
                        <th scope="col" class="num index" title="Activity Index: 10 = the highest score this period">"Index"</th>
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
                                    <td class="num points">{e.points.display()}</td>
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
