//! Shared widgets: the top bar, period tabs, error messages.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::{AccessRole, SignOut, UserInfo};
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
                                        {desk_home(u.role)
                                            .map(|href| view! { <A href=href>"Desk"</A> })}
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

/// The areas of the manager's desk: `(key, href, label, managers may use it)`.
pub const DESK_AREAS: [(&str, &str, &str, bool); 7] = [
    ("people", "/admin", "People and data", false),
    ("weights", "/admin/weights", "Activity weights", false),
    ("targets", "/admin/targets", "Targets", true),
    ("calendar", "/admin/calendar", "Calendar", true),
    ("scorecards", "/admin/scorecards", "Role scorecards", false),
    ("displays", "/admin/displays", "TV displays", false),
    ("settings", "/admin/settings", "Settings", false),
];

/// The first desk page a person may use (`None` for reps).
pub fn desk_home(role: AccessRole) -> Option<&'static str> {
    DESK_AREAS
        .iter()
        .find(|a| may_use_area(role, a.3))
        .map(|a| a.1)
}

fn may_use_area(role: AccessRole, managers_too: bool) -> bool {
    match role {
        AccessRole::Admin => true,
        AccessRole::Manager => managers_too,
        AccessRole::Rep => false,
    }
}

/// The areas of the manager's desk this person may use, with the current one marked.
#[component]
pub fn DeskNav(
    current: &'static str,
    #[prop(default = AccessRole::Admin)] role: AccessRole,
) -> impl IntoView {
    view! {
        <nav class="desk-nav" aria-label="Desk areas">
            {DESK_AREAS
                .iter()
                .filter(|a| may_use_area(role, a.3))
                .map(|(key, href, label, _)| {
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
