//! What one page render reads many times, read once.
//!
//! A server-rendered page runs the server functions of all its parts at once, and each
//! asks again who is signed in and for the organisation's settings, activity types and
//! weights: `/me` made 27 queries, 5 of them the same session and 4 the same settings.
//! For a page (a `GET` through the Leptos routes) [`provide`] puts a [`PageReads`] in the
//! render's context, and those reads go through [`once`]: the first one asks the database,
//! the others wait for it and share its answer. A page never writes these (its forms and
//! buttons post to server functions, each its own request, where nothing is shared), so
//! nothing goes stale. Everywhere else (server functions, the API, the command line) there
//! is no `PageReads` and every read asks the database.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::auth::session::User;
use crate::error::AppError;
use crate::scoring::{ActivityTypeRule, WeightTable};
use crate::server::org::OrgSettings;

/// The answers shared by one page render.
#[derive(Clone, Default)]
pub struct PageReads {
    pub user: Arc<OnceCell<Option<User>>>,
    pub settings: Arc<OnceCell<OrgSettings>>,
    pub scoring_types: Arc<OnceCell<Vec<ActivityTypeRule>>>,
    pub weights: Arc<OnceCell<WeightTable>>,
}

/// For the Leptos routes' context: a fresh [`PageReads`] for a page render (`GET`).
pub fn provide() {
    use leptos::prelude::{provide_context, use_context};
    let is_page = use_context::<axum::http::request::Parts>()
        .is_some_and(|p| p.method == axum::http::Method::GET);
    if is_page {
        provide_context(PageReads::default());
    }
}

/// `read`'s answer, shared with the rest of the page render when there is one (`cell`
/// picks the answer's place); an error is not kept, so the next reader asks again.
pub async fn once<T, F>(
    cell: impl FnOnce(&PageReads) -> Arc<OnceCell<T>>,
    read: F,
) -> Result<T, AppError>
where
    T: Clone,
    F: Future<Output = Result<T, AppError>>,
{
    match leptos::prelude::use_context::<PageReads>() {
        Some(reads) => cell(&reads).get_or_try_init(|| read).await.cloned(),
        None => read.await,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use leptos::prelude::{provide_context, Owner};

    use super::*;
    use crate::server::org::OrgSettings;

    fn settings(name: &str) -> OrgSettings {
        OrgSettings {
            org_name: name.into(),
            time_zone: "UTC".into(),
            fiscal_year_start_month: 1,
            working_weekdays: "1,2,3,4,5".into(),
            band_outstanding_bp: 12000,
            band_on_track_bp: 10000,
            band_at_risk_bp: 8000,
            composite_cap_bp: 15000,
            currency: "EUR".into(),
        }
    }

    async fn read(count: &AtomicUsize) -> Result<OrgSettings, AppError> {
        let n = count.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            Err(AppError::Unavailable)
        } else {
            Ok(settings(&format!("read {n}")))
        }
    }

    #[tokio::test]
    async fn a_page_render_reads_once_and_keeps_no_error() {
        let count = AtomicUsize::new(0);
        // Outside a page render: every call reads.
        assert!(once(|r| r.settings.clone(), read(&count)).await.is_err());
        assert_eq!(
            once(|r| r.settings.clone(), read(&count))
                .await
                .unwrap()
                .org_name,
            "read 1"
        );
        let owner = Owner::new();
        owner.set();
        provide_context(PageReads::default());
        count.store(0, Ordering::SeqCst);
        // In a render: an error is not kept, the first answer is, and shared.
        assert!(once(|r| r.settings.clone(), read(&count)).await.is_err());
        for _ in 0..3 {
            assert_eq!(
                once(|r| r.settings.clone(), read(&count))
                    .await
                    .unwrap()
                    .org_name,
                "read 1"
            );
        }
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
