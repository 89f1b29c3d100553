//! Parts of a page whose code the browser fetches only when they are needed.
//!
//! The server renders such a part in full, so it reads before (and without) the
//! WebAssembly. The browser leaves that copy as it is — not hydrated, no code for it in the
//! page's first bundle — until the part is *woken*: the rep opens it (an entry's edit
//! form), or what it shows changes (the scorecard: until then the server's copy is exact,
//! so scrolling to it runs no code). Its live version is a separate chunk (`#[lazy]`),
//! fetched then; it replaces the server's copy once it has its data, so nothing flickers or
//! shows twice.
//! The service worker keeps these chunks for offline use (`public/sw.js`); where there is
//! none, a part is not woken while the browser is offline (it wakes when the network is
//! back), since a chunk that cannot be fetched stops the page.

use leptos::prelude::*;

/// Whether a deferred part's chunk can be fetched: the browser is online, or a service
/// worker (which keeps the chunks) controls the page. Followed live; `true` on the server.
pub fn chunks_reachable() -> Signal<bool> {
    let reachable = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    {
        let navigator = window().navigator();
        let controlled = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false)
            && navigator.service_worker().controller().is_some();
        let online = RwSignal::new(navigator.on_line());
        let on = window_event_listener(leptos::ev::online, move |_| online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| online.set(false));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
        Effect::new(move |_| reachable.set(controlled || online.get()));
    }
    reachable.into()
}
