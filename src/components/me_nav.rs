//! The rep's own pages as a tab bar: log, progress, report, history.

use leptos::prelude::*;

/// The rep's areas: `(label, href)`, in tab order.
pub const ME_AREAS: [(&str, &str); 4] = [
    ("Log", "/me"),
    ("Progress", "/me/progress"),
    ("Report", "/me/report"),
    ("History", "/me/history"),
];

/// A tab bar over the rep's own pages; `current` is the href of the page shown, marked with
/// `aria-current="page"` (and in bold, not by colour alone).
#[component]
pub fn MeNav(current: &'static str) -> impl IntoView {
    view! {
        <nav class="me-nav" aria-label="My pages">
            {ME_AREAS
                .iter()
                .map(|(label, href)| {
                    let here = *href == current;
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
