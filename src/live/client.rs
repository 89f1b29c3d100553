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
        browser::open(&url, on_change.clone());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, on_change);
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;

    use leptos::prelude::on_cleanup;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use crate::live::{LiveKind, LiveMessage};

    pub fn open(url: &str, on_change: impl Fn() + 'static) {
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
                    _ => on_change(),
                }
            })
        };
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let source = SendWrapper::new(source);
        let on_message = SendWrapper::new(on_message);
        on_cleanup(move || {
            source.close();
            source.set_onmessage(None);
            drop(on_message);
        });
    }
}
