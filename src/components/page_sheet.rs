//! A surface's own stylesheet, beside the one every page loads.
//!
//! `pacesetter.css` holds what the rep's phone and the shared frame need; the office TV, the
//! manager's desk and the team view each have their rules in a sheet of their own
//! (`style/tv.css`, `style/desk.css`, `style/team.css`), so the rep's first load does not
//! carry them. [`page_sheet`] says which sheet a path needs, in one place:
//! - the server links it in the page's `<head>` (`app::shell`), so a first load is styled
//!   before it paints;
//! - a page reached in the browser ([`with_page_sheet`]) adds the link and shows the page once
//!   the sheet has loaded (or failed to: then unstyled rather than blank), never unstyled
//!   for a frame.

use leptos::either::Either;
use leptos::prelude::*;

/// The surfaces with a sheet of their own: a path prefix and the sheet's name
/// (`/pkg/<name>.css`, built from `style/<name>.css`).
const PAGE_SHEETS: [(&str, &str); 3] = [("/tv/", "tv"), ("/admin", "desk"), ("/team", "team")];

/// The sheet the page at `path` needs beside `pacesetter.css`, if any.
pub fn page_sheet(path: &str) -> Option<&'static str> {
    PAGE_SHEETS
        .iter()
        .find(|(prefix, _)| {
            path.strip_prefix(prefix).is_some_and(|rest| {
                prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/')
            })
        })
        .map(|(_, sheet)| *sheet)
}

/// A page waiting for its sheet: nothing until the sheet has loaded, then the page.
type Waiting<V> = Box<dyn FnMut() -> Option<V> + Send>;

/// `page`, shown once the sheet of the current path is on the page (see the module's text).
/// On the server, and on a first load (where the server linked the sheet), it is `page` as it
/// is, so hydration finds what the server rendered.
pub fn with_page_sheet<V, F>(page: F) -> Either<V, Waiting<V>>
where
    V: IntoView + 'static,
    F: FnOnce() -> V + Send + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        if let Some(loaded) = page_sheet(&path).and_then(client::add_sheet) {
            let mut page = Some(page);
            return Either::Right(Box::new(move || {
                if loaded.get() {
                    page.take().map(|page| page())
                } else {
                    None
                }
            }));
        }
    }
    Either::Left(page())
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// Adds `<link rel=stylesheet data-sheet=NAME>` unless the page has it; the signal turns
    /// true when it has loaded (or failed). `None` when it was already there.
    pub fn add_sheet(sheet: &'static str) -> Option<ReadSignal<bool>> {
        let doc = document();
        if doc
            .query_selector(&format!("link[data-sheet=\"{sheet}\"]"))
            .ok()
            .flatten()
            .is_some()
        {
            return None;
        }
        // The sheets sit beside pacesetter.css, under the release's versioned address.
        let main = doc.get_element_by_id("leptos")?.get_attribute("href")?;
        let href = main.replace("/pacesetter.css", &format!("/{sheet}.css"));
        let link = doc.create_element("link").ok()?;
        link.set_attribute("rel", "stylesheet").ok()?;
        link.set_attribute("data-sheet", sheet).ok()?;
        link.set_attribute("href", &href).ok()?;
        let (loaded, set_loaded) = signal(false);
        for event in ["load", "error"] {
            let done = Closure::once_into_js(move || set_loaded.set(true));
            link.add_event_listener_with_callback(event, done.unchecked_ref())
                .ok()?;
        }
        doc.head()?.append_child(&link).ok()?;
        Some(loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::page_sheet;

    #[test]
    fn each_surface_has_its_sheet_and_the_rep_pages_none() {
        assert_eq!(page_sheet("/tv/abc123"), Some("tv"));
        assert_eq!(page_sheet("/admin"), Some("desk"));
        assert_eq!(page_sheet("/admin/weights"), Some("desk"));
        assert_eq!(page_sheet("/team"), Some("team"));
        assert_eq!(page_sheet("/team/rep/7"), Some("team"));
        assert_eq!(page_sheet("/"), None);
        assert_eq!(page_sheet("/me"), None);
        assert_eq!(page_sheet("/me/deals"), None);
        assert_eq!(page_sheet("/teams"), None);
        assert_eq!(page_sheet("/administrator"), None);
        assert_eq!(page_sheet("/tv"), None);
    }
}
