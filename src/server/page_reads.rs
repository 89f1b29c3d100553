//! What one page render reads many times, read once.
//!
//! A server-rendered page runs the server functions of all its parts at once, and each
//! asks again who is signed in and for the organisation's settings, activity types and
//! weights: `/me` made 27 queries, 5 of them the same session and 4 the same settings.
//! For a page (a `GET` through the Leptos routes) [`provide`] puts a [`PageReads`] in the
//! render's context:
//!
//! - who is signed in goes through [`once`]: the first read asks the database, the others
//!   in the same render wait for it and share its answer; never kept across requests;
//! - the organisation's configuration (settings, activity types, weights, scorecard
//!   metrics, holidays), which changes rarely and which every page reads, goes through
//!   [`config`]: kept across page renders in this instance's [`crate::live::Live::config`]
//!   memo until the instance hears of any change (every service announces its writes, on
//!   every instance; this instance forgets at once when it writes), and at most
//!   [`crate::live::MEMO_MAX_AGE`] (what nothing announces: the command line writing to
//!   SQLite). `/me`: 14 statements a render → 8.
//!
//! A page never writes (its forms and buttons post to server functions, each its own
//! request). Everywhere else (server functions, the API, the command line) there is no
//! `PageReads` and every read asks the database, so a save reads back its own write.

use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::auth::session::User;
use crate::error::AppError;

/// The answers shared by one page render.
#[derive(Clone, Default)]
pub struct PageReads {
    pub user: Arc<OnceCell<Option<User>>>,
    /// This instance's memo of the configuration, kept across page renders ([`config`]).
    shared: Option<Arc<Shared>>,
}

/// What [`config`] keeps across page renders: one value a key, of the key's own type.
pub type Shared = crate::live::Memo<Arc<dyn Any + Send + Sync>>;

/// For the Leptos routes' context: a fresh [`PageReads`] for a page render (`GET`).
pub fn provide() {
    use leptos::prelude::{provide_context, use_context};
    let is_page = use_context::<axum::http::request::Parts>()
        .is_some_and(|p| p.method == axum::http::Method::GET);
    if is_page {
        provide_context(PageReads {
            user: Default::default(),
            shared: use_context::<crate::server::state::AppState>().map(|s| s.live.config.clone()),
        });
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

/// `read`'s answer, kept under `key` across page renders when this is one (see the
/// module's documentation): the organisation's configuration only, never anything of one
/// user. Readers that miss at once take turns: one reads, the others share its answer. An
/// error is not kept.
pub async fn config<T, F>(key: impl Into<String>, read: F) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    F: Future<Output = Result<T, AppError>>,
{
    let Some(memo) = leptos::prelude::use_context::<PageReads>().and_then(|r| r.shared) else {
        return read.await;
    };
    let key = key.into();
    let kept = memo
        .get_or_compute(key.clone(), || async move {
            read.await
                .map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>)
        })
        .await?;
    kept.downcast_ref::<T>().cloned().ok_or_else(|| {
        tracing::error!(key, "page reads: the key holds a value of another type");
        AppError::Internal
    })
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

    async fn read(count: &AtomicUsize) -> Result<Option<User>, AppError> {
        let n = count.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            Err(AppError::Unavailable)
        } else {
            Ok(None)
        }
    }

    #[tokio::test]
    async fn a_page_render_reads_who_is_signed_in_once_and_keeps_no_error() {
        let count = AtomicUsize::new(0);
        // Outside a page render: every call reads.
        assert!(once(|r| r.user.clone(), read(&count)).await.is_err());
        assert!(once(|r| r.user.clone(), read(&count)).await.is_ok());
        assert_eq!(count.load(Ordering::SeqCst), 2);
        let owner = Owner::new();
        owner.set();
        provide_context(PageReads::default());
        count.store(0, Ordering::SeqCst);
        // In a render: an error is not kept, the first answer is, and shared.
        assert!(once(|r| r.user.clone(), read(&count)).await.is_err());
        for _ in 0..3 {
            assert!(once(|r| r.user.clone(), read(&count)).await.is_ok());
        }
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn the_configuration_is_kept_across_page_renders_until_a_change() {
        let (tx, _) = tokio::sync::broadcast::channel(4);
        let memo: Arc<Shared> = Arc::new(crate::live::Memo::new(tx.subscribe()));
        let count = AtomicUsize::new(0);
        let render = |memo: &Arc<Shared>| {
            let owner = Owner::new();
            owner.set();
            provide_context(PageReads {
                user: Default::default(),
                shared: Some(memo.clone()),
            });
            owner
        };
        let name = || async {
            config("settings", async {
                let n = count.fetch_add(1, Ordering::SeqCst);
                Ok(settings(&format!("read {n}")))
            })
            .await
            .unwrap()
            .org_name
        };
        // Two renders, each asking twice: one read.
        for _ in 0..2 {
            let _render = render(&memo);
            assert_eq!(name().await, "read 0");
            assert_eq!(name().await, "read 0");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
        // Another key of another type beside it.
        {
            let _render = render(&memo);
            let days: Vec<u32> = config("holidays", async { Ok(vec![1, 2]) }).await.unwrap();
            assert_eq!(days, [1, 2]);
            assert_eq!(name().await, "read 0");
        }
        // A change heard (another instance's notice) or made here: the next render reads.
        tx.send("{}".into()).unwrap();
        {
            let _render = render(&memo);
            assert_eq!(name().await, "read 1");
        }
        memo.forget();
        {
            let _render = render(&memo);
            assert_eq!(name().await, "read 2");
        }
        // Outside a page render (a server function, the API): always the database.
        Owner::new().set();
        assert_eq!(name().await, "read 3");
        assert_eq!(name().await, "read 4");
    }
}
