//! Shared widgets: the top bar, period tabs, error messages.

pub mod chart;
pub mod data;
pub mod deferred;
pub mod me_nav;
pub mod page_sheet;
pub mod sync_hydrate;

pub use chart::ChartView;
pub use data::{data, Json};
pub use me_nav::{MeNav, ME_AREAS};
pub use sync_hydrate::{
    mark_page_hydrated, next_task, page_hydrated, Later, LaterPage, SyncHydrate,
};

use leptos::either::Either;
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
pub fn TopBar(user: Resource<Result<Option<UserInfo>, AppError>, Json>) -> impl IntoView {
    // A plain form (it posts without JavaScript too); in the browser the action sends it.
    let sign_out = ServerAction::<SignOut>::new();
    let sign_out_url = <SignOut as leptos::server_fn::ServerFn>::url();
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
                                    Either::Left(view! {
                                        {matches!(u.role, AccessRole::Manager | AccessRole::Admin)
                                            .then(|| view! { <A href="/team">"Team"</A> })}
                                        {desk_home(u.role)
                                            .map(|href| view! { <A href=href>"Desk"</A> })}
                                        <span class="who" title=u.email.clone()>{u.name.clone()}</span>
                                        <form method="post" action=sign_out_url class="inline" on:submit=move |ev| {
                                            ev.prevent_default();
                                            sign_out.dispatch(SignOut {});
                                        }>
                                            <button
                                                type="submit"
                                                class="link"
                                                title=format!("Sign out {}", u.name)
                                                aria-label=format!("Sign out {}", u.name)
                                            >
                                                "Sign out"
                                            </button>
                                        </form>
                                    })
                                }
                                _ => Either::Right(view! { <A href="/login">"Sign in"</A> }),
                            })
                    }}
                </Transition>
            </nav>
        </header>
    }
}

/// Tabs that switch `?period=` on the current page (client-side navigation after hydration).
#[component]
pub fn PeriodTabs(
    #[prop(into)] base: String,
    current: Signal<String>,
    /// More of the query to keep when switching period (`&metric=deals_won`).
    #[prop(optional, into)]
    keep: MaybeProp<String>,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Period">
            {PERIOD_TABS
                .iter()
                .map(|(key, label)| {
                    let base = base.clone();
                    let href = move || format!("{base}?period={key}{}", keep.get().unwrap_or_default());
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

/// What an action's last run said: "saved" text on success, the error on failure.
#[component]
pub fn ActionOutcome(
    #[prop(into)] result: Signal<Option<Result<(), AppError>>>,
    #[prop(into)] saved: String,
) -> impl IntoView {
    move || match result.get() {
        Some(Ok(())) => Some(Either::Left(
            view! { <p class="ok" role="status">{saved.clone()}</p> },
        )),
        Some(Err(e)) => Some(Either::Right(
            view! { <p class="error" role="alert">{e.to_string()}</p> },
        )),
        None => None,
    }
}

/// Counts the successful runs of actions: a page refetches its data on this counter, so a
/// failed save leaves the form, and what was typed in it, in place.
#[derive(Clone, Copy)]
pub struct Saves(RwSignal<usize>);

impl Default for Saves {
    fn default() -> Self {
        Saves(RwSignal::new(0))
    }
}

impl Saves {
    /// Follows one action's results (in the browser; without JavaScript a post reloads).
    pub fn watch<T: 'static>(
        self,
        value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    ) -> Self {
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                self.0.update(|n| *n += 1);
            }
        });
        self
    }

    pub fn get(self) -> usize {
        self.0.get()
    }
}
/// The field problems of a server action's last answer (empty when it succeeded or failed
/// for another reason), for [`FieldMessage`].
pub fn field_errors<T>(result: &Option<Result<T, AppError>>) -> Vec<crate::error::FieldError> {
    match result {
        Some(Err(AppError::Invalid(errors))) => errors.clone(),
        _ => Vec::new(),
    }
}

/// Whether `field` (or one of its parts, `field.part`) has a problem.
pub fn has_error(errors: &[crate::error::FieldError], field: &str) -> bool {
    errors.iter().any(|e| {
        e.field == field
            || e.field
                .strip_prefix(field)
                .is_some_and(|r| r.starts_with('.'))
    })
}

/// The message under a form field when the server found it wrong. Give the input
/// `aria-describedby` = `id` and `aria-invalid` from [`has_error`].
#[component]
pub fn FieldMessage(
    #[prop(into)] errors: Signal<Vec<crate::error::FieldError>>,
    field: &'static str,
    /// For the input's `aria-describedby`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    move || {
        let text = errors.with(|all| {
            all.iter()
                .filter(|e| has_error(std::slice::from_ref(*e), field))
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        });
        (!text.is_empty()).then(|| {
            view! { <span class="field-error" id=id.clone() data-field=field>{text}</span> }
        })
    }
}
