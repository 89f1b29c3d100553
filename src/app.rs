//! The HTML shell, the root component and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::activities::page::MyScorePage;
use crate::activity_types::page::WeightsPage;
use crate::admin::page::AdminPage;
use crate::auth::page::SignInPage;
use crate::auth::whoami;
use crate::calendar::page::CalendarPage;
use crate::components::TopBar;
use crate::displays::page::DisplaysPage;
use crate::leaderboard::page::LeaderboardPage;
use crate::scorecard::desk::ScorecardsPage;
use crate::settings::page::SettingsPage;
use crate::targets::page::TargetsPage;
use crate::team::page::{TeamPage, TeamRepPage};
use crate::tv::page::TvPage;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(csp) = axum::http::HeaderValue::from_str(
            &crate::server::http::content_security_policy(&nonce.to_string()),
        ) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser, after hydration: tests and CSS can rely on this mark.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/pacesetter.css"/>
        <Title text="Pacesetter"/>
        <Meta name="color-scheme" content="light dark"/>
        <Router>
            <Routes fallback=|| view! { <main class="page"><h1>"Page not found"</h1></main> }>
                <Route path=path!("/tv/:token") view=TvPage/>
                // Pages that may redirect to sign-in render fully before responding, so the redirect
                // is a real HTTP 302 even without JavaScript.
                <Route path=path!("/") view=|| view! { <Framed><LeaderboardPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/me") view=|| view! { <Framed><MyScorePage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/team") view=|| view! { <Framed><TeamPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/team/rep/:id") view=|| view! { <Framed><TeamRepPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=|| view! { <Framed><AdminPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/weights") view=|| view! { <Framed><WeightsPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/displays") view=|| view! { <Framed><DisplaysPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/scorecards") view=|| view! { <Framed><ScorecardsPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/calendar") view=|| view! { <Framed><CalendarPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/settings") view=|| view! { <Framed><SettingsPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/targets") view=|| view! { <Framed><TargetsPage/></Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/login") view=|| view! { <Framed><SignInPage/></Framed> }/>
            </Routes>
        </Router>
    }
}

/// The top bar and page frame shared by every page but the TV.
#[component]
fn Framed(children: Children) -> impl IntoView {
    let user = Resource::new(|| (), |_| whoami());
    view! {
        <TopBar user=user/>
        <main class="page">{children()}</main>
    }
}
