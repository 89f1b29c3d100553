//! Shared widgets: the top bar, period tabs, error messages.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::{SignOut, UserInfo};
use crate::error::AppError;

/// The periods a user can switch between on the leaderboard and the scorecard.
pub const PERIOD_TABS: [(&str, &str); 5] = [
    ("day", "Today"),
    ("week", "Week"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("last_30", "30 days"),
];

#[component]
pub fn TopBar(user: Resource<Result<Option<UserInfo>, AppError>>) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"Pacesetter"</A>
            <nav>
                <A href="/">"Leaderboard"</A>
                <A href="/me">"My score"</A>
                <Transition fallback=|| ()>
                    {move || {
                        user.get()
                            .map(|u| match u {
                                Ok(Some(u)) => {
                                    view! {
                                        {(u.role == crate::auth::AccessRole::Admin)
                                            .then(|| view! { <A href="/admin">"Admin"</A> })}
                                        <span class="who" title=u.email.clone()>{u.name.clone()}</span>
                                        <ActionForm action=sign_out attr:class="inline">
                                            <button type="submit" class="link">"Sign out"</button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                                _ => view! { <A href="/login">"Sign in"</A> }.into_any(),
                            })
                    }}
                </Transition>
            </nav>
        </header>
    }
}

/// Tabs that switch `?period=` on the current page (client-side navigation after hydration).
#[component]
pub fn PeriodTabs(#[prop(into)] base: String, current: Signal<String>) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Period">
            {PERIOD_TABS
                .iter()
                .map(|(key, label)| {
                    let href = format!("{base}?period={key}");
                    let key = *key;
                    view! {
                        <A href=href attr:class=move || if current.get() == key { "tab active" } else { "tab" }>
                            {*label}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// The areas of the manager's desk, with the current one marked.
#[component]
pub fn DeskNav(current: &'static str) -> impl IntoView {
    const AREAS: [(&str, &str, &str); 2] = [
        ("people", "/admin", "People, displays and data"),
        ("weights", "/admin/weights", "Activity weights"),
    ];
    view! {
        <nav class="desk-nav" aria-label="Desk areas">
            {AREAS
                .iter()
                .map(|(key, href, label)| {
                    let here = *key == current;
                    view! {
                        <a href=*href class=if here { "tab active" } else { "tab" } aria-current=here.then_some("page")>
                            {*label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
