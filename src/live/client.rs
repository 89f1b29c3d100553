//! The browser half of live updates: listen to a stream and refetch on every change.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// While the calling component is mounted, listens to the live stream at `url` and calls
/// `on_change` on every change, and after every reconnect (changes may have been missed
/// while the connection was down). The browser's `EventSource` reconnects by itself after
/// a server restart or a network drop. When the server says the page runs an older version
/// than the server, the page reloads itself. Does nothing during server rendering.
pub fn subscribe(url: String, on_change: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        browser::open(&url, on_change.clone(), None, None);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, on_change);
}

/// [`subscribe`] for a TV: also keeps `connected` up to date (false while the stream is
/// down — server restarting, network dropped — and the browser retries, true once it is
/// back) and hands every won deal to `on_won` (then refetches as on any change).
pub fn subscribe_with_status(
    url: String,
    on_change: impl Fn() + Clone + 'static,
    connected: leptos::prelude::RwSignal<bool>,
    on_won: impl Fn(crate::live::WonDeal) + Clone + 'static,
) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let on_won = on_won.clone();
        browser::open(
            &url,
            on_change.clone(),
            Some(connected),
            Some(std::rc::Rc::new(on_won) as std::rc::Rc<dyn Fn(crate::live::WonDeal)>),
        );
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, on_change, connected, on_won);
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;

    use leptos::prelude::{on_cleanup, RwSignal, Set};
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use crate::live::{LiveKind, LiveMessage, WonDeal};

    pub fn open(
        url: &str,
        on_change: impl Fn() + 'static,
        connected: Option<RwSignal<bool>>,
        on_won: Option<Rc<dyn Fn(WonDeal)>>,
    ) {
        let mark = move |up: bool| {
            if let Some(c) = connected {
                c.set(up);
            }
        };
        let Ok(source) = EventSource::new(url) else {
            return;
        };
        let hellos = Rc::new(Cell::new(0u32));
        let on_message = {
            let source = source.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                let Ok(message) = serde_json::from_str::<LiveMessage>(&text) else {
                    return;
                };
                match message.kind {
                    LiveKind::Hello => {
                        if message.version.as_deref() != Some(env!("CARGO_PKG_VERSION")) {
                            let _ = web_sys::window().map(|w| w.location().reload());
                            return;
                        }
                        mark(true);
                        hellos.set(hellos.get() + 1);
                        // The first hello comes with the page's fresh data; a later one is a
                        // reconnect.
                        if hellos.get() > 1 {
                            on_change();
                        }
                    }
                    LiveKind::Closed => {
                        source.close();
                        on_change();
                    }
                    LiveKind::Won => {
                        if let (Some(celebrate), Some(won)) = (&on_won, message.won) {
                            celebrate(won);
                        }
                        on_change();
                    }
                    _ => on_change(),
                }
            })
        };
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error means the stream is down; the browser retries by itself.
        let on_error = Closure::<dyn Fn()>::new(move || mark(false));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let source = SendWrapper::new(source);
        let on_message = SendWrapper::new(on_message);
        let on_error = SendWrapper::new(on_error);
        on_cleanup(move || {
            source.close();
            source.set_onmessage(None);
            source.set_onerror(None);
            drop(on_message);
            drop(on_error);
        });
    }
}
