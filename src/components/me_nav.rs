//! The tab bar between the rep's own pages, at the bottom of the screen where a thumb
//! reaches it.

use leptos::prelude::*;

/// The rep's pages: `(label, href)`, in tab order.
pub const ME_AREAS: &[(&str, &str)] = &[
    ("Log", "/me"),
    ("Deals", "/me/deals"),
    ("Progress", "/me/progress"),
    ("Report", "/me/report"),
    ("History", "/me/history"),
];

/// The rep's pages as a tab bar; `current` is the href of the page shown (marked with
/// `aria-current`).
#[component]
pub fn MeNav(current: &'static str) -> impl IntoView {
    view! {
        <nav class="me-nav" aria-label="My pages">
            {ME_AREAS
                .iter()
                .map(|(label, href)| {
                    let here = *href == current;
                    view! {
                        <a href=*href class="me-tab" aria-current=here.then_some("page")>
                            {*label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
