//! The sign-in page: a plain form that works before (and without) the WebAssembly bundle.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::SignIn;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || {
        query
            .with(|q| q.get("next"))
            .unwrap_or_else(|| "/me".to_string())
    };
    // The page's own last answer, or the code a plain form post came back with.
    let error = move || match action.value().get() {
        Some(r) => r.err().map(|e| e.to_string()),
        None => query
            .with(|q| q.get("error"))
            .and_then(|code| super::sign_in_error_message(&code))
            .map(str::to_string),
    };
    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="stack">
                <input type="hidden" name="next" value=next/>
                <label>
                    "Email"
                    <input type="email" name="email" autocomplete="username" required inputmode="email"/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <Show when=move || error().is_some()>
                    <p class="error" role="alert">{error}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </section>
    }
}
