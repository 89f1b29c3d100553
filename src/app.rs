//! The HTML shell, the root component and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

use crate::activities::page::MyScorePage;
use crate::activity_types::page::WeightsPage;
use crate::admin::page::AdminPage;
use crate::auth::page::SignInPage;
use crate::auth::whoami;
use crate::calendar::page::CalendarPage;
use crate::components::{LaterPage, SyncHydrate, TopBar};
use crate::deals::page::MyDealsPage;
use crate::displays::page::DisplaysPage;
use crate::leaderboard::page::LeaderboardPage;
use crate::progress::page::{HistoryPage, ProgressPage, ReportPage};
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
    // The bundle's versioned address (see `server::assets`): cached for a year, new with
    // every release.
    #[cfg(feature = "ssr")]
    let assets = crate::server::assets::root(&options).to_string();
    #[cfg(not(feature = "ssr"))]
    let assets = String::new();
    let stylesheet = format!("{assets}/pkg/pacesetter.css");
    // The surface's own sheet, if the page has one (`components::page_sheet`).
    #[cfg(feature = "ssr")]
    let page_sheet = use_context::<axum::http::request::Parts>()
        .and_then(|parts| crate::components::page_sheet::page_sheet(parts.uri.path()))
        .map(|sheet| {
            view! { <link rel="stylesheet" data-sheet=sheet href=format!("{assets}/pkg/{sheet}.css")/> }
        });
    #[cfg(not(feature = "ssr"))]
    let page_sheet: Option<()> = None;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                // Installable on a phone's home screen; the service worker (public/sw.js) keeps
                // the shell and the last /me for offline use.
                <link rel="manifest" href="/manifest.webmanifest"/>
                <meta name="theme-color" content="#0b63ce" media="(prefers-color-scheme: light)"/>
                <meta name="theme-color" content="#101317" media="(prefers-color-scheme: dark)"/>
                <link rel="icon" type="image/svg+xml" href="/icons/icon.svg"/>
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                {page_sheet}
                <AutoReload options=options.clone()/>
                <HydrationScript options root=assets/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The script that loads the browser bundle and hydrates the page: leptos's
/// `<HydrationScripts>`, except that the bundle is fetched once the page has painted.
///
/// The server's HTML is the page: it reads, and its forms post, before and without the
/// WebAssembly. So the first paint should not share a phone's bandwidth with 250 KB of
/// code. `<HydrationScripts>` preloads the bundle (and a lazy route's chunks) from `<head>`;
/// here nothing is fetched until the first frame is on screen, then the bundle and, once it
/// runs, the route's chunks. A backstop starts it anyway after 3 s (a tab opened in the
/// background paints no frame until it is shown).
#[component]
fn HydrationScript(options: LeptosOptions, root: String) -> impl IntoView {
    let pkg = format!("{root}/{}/{}", options.site_pkg_dir, options.output_name);
    let script = format!(
        "(function(pkg){{let started=false;const go=()=>{{if(started)return;started=true;\
         import(pkg+'.js').then(m=>m.default({{module_or_path:pkg+'.wasm'}}).then(()=>m.hydrate()));}};\
         requestAnimationFrame(()=>setTimeout(go,0));setTimeout(go,3000);}})({pkg:?});"
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser. (The body's `data-hydrated` mark is set in
    // `lib.rs::hydrate`, once the whole page, lazy chunk included, is hydrated.)
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        register_service_worker();
    });
    view! {
        <Title text="Pacesetter"/>
        <Router>
            <FlatRoutes fallback=|| view! { <main class="page"><h1>"Page not found"</h1></main> }>
                // The rep's phone page is in the first bundle; every other page, sign-in included,
                // is its own lazily loaded WebAssembly chunk (`scripts/build.sh` splits the
                // bundle), so a phone downloads only what the page it opens needs.
                <Route path=path!("/tv/:token") view={Lazy::<TvRoute>::new()}/>
                // Pages that may redirect to sign-in render fully before responding, so the redirect
                // is a real HTTP 302 even without JavaScript.
                <Route path=path!("/me") view=|| view! { <Framed title="My score">{LaterPage::new(|| view! { <MyScorePage/> })}</Framed> } ssr=SsrMode::Async/>
                <Route path=path!("/me/deals") view={Lazy::<MyDealsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/me/progress") view={Lazy::<ProgressRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/me/report") view={Lazy::<ReportRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/me/history") view={Lazy::<HistoryRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/") view={Lazy::<LeaderboardRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/weights") view={Lazy::<WeightsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/displays") view={Lazy::<DisplaysRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/scorecards") view={Lazy::<ScorecardsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/calendar") view={Lazy::<CalendarRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/targets") view={Lazy::<TargetsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/team") view={Lazy::<TeamRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/team/rep/:id") view={Lazy::<TeamRepRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/login") view={Lazy::<SignInRoute>::new()}/>
            </FlatRoutes>
        </Router>
    }
}

/// Registers public/sw.js (offline shell and quick log). Browsers offer service workers only
/// in secure contexts (https, localhost); elsewhere the app simply stays online-only.
#[cfg(feature = "hydrate")]
fn register_service_worker() {
    let navigator = window().navigator();
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let registering = navigator.service_worker().register("/sw.js");
        leptos::task::spawn_local(async move {
            if let Err(e) = wasm_bindgen_futures::JsFuture::from(registering).await {
                leptos::logging::warn!("service worker not registered: {e:?}");
            }
        });
    }
}

/// The top bar and page frame shared by every page but the TV; `title` names the page in
/// the browser's tab and history, and to screen readers ("My score · Pacesetter"). The page
/// is typed, not boxed. The frame hydrates in one synchronous pass ([`SyncHydrate`]); the
/// page is built and hydrated in tasks of its own after the frame's ([`LaterPage`]): `/me`
/// in two parts (`MyScorePage` marks the second one
/// [`Later`](crate::components::Later)), a lazily loaded page in one pass. So a phone is
/// never busy for one long task.
#[component]
fn Framed<C: IntoView + 'static>(title: &'static str, children: TypedChildren<C>) -> impl IntoView {
    let user = crate::components::data(|| (), |_| whoami());
    let page = children.into_inner();
    (
        SyncHydrate(view! {
            <Title text=format!("{title} · Pacesetter")/>
            <TopBar user=user/>
        }),
        view! { <main class="page">{page()}</main> },
    )
}

/// A page in the frame, as a route whose code is a separate WebAssembly chunk, fetched the
/// first time the page is opened (or, on a first load, before it hydrates).
macro_rules! lazy_page {
    ($route:ident, $page:ident, $title:literal) => {
        lazy_page!(
            $route,
            || view! { <Framed title=$title>{LaterPage::new(|| SyncHydrate(view! { <$page/> }))}</Framed> }
        );
    };
    ($route:ident, || $view:expr) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                crate::components::page_sheet::with_page_sheet(move || $view).into_any()
            }
        }
    };
}

lazy_page!(TvRoute, || SyncHydrate(view! { <TvPage/> }));
lazy_page!(MyDealsRoute, MyDealsPage, "My deals");
lazy_page!(ProgressRoute, ProgressPage, "My progress");
lazy_page!(ReportRoute, ReportPage, "Weekly report");
lazy_page!(HistoryRoute, HistoryPage, "My history");
lazy_page!(TeamRoute, TeamPage, "Team");
lazy_page!(TeamRepRoute, TeamRepPage, "One-to-one");
lazy_page!(LeaderboardRoute, LeaderboardPage, "Leaderboard");
lazy_page!(AdminRoute, AdminPage, "Admin");
lazy_page!(WeightsRoute, WeightsPage, "Activity weights");
lazy_page!(DisplaysRoute, DisplaysPage, "TV displays");
lazy_page!(ScorecardsRoute, ScorecardsPage, "Role scorecards");
lazy_page!(CalendarRoute, CalendarPage, "Calendar");
lazy_page!(SettingsRoute, SettingsPage, "Settings");
lazy_page!(TargetsRoute, TargetsPage, "Targets");
lazy_page!(SignInRoute, SignInPage, "Sign in");
