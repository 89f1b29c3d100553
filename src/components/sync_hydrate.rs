//! A view that hydrates in one synchronous pass.
//!
//! The app hydrates asynchronously (`lib.rs::hydrate`): a lazily loaded page must wait for its
//! chunk first. Left alone, that makes the compiler build an `async` state machine for the
//! hydration of every element, text and closure on every page: a second copy of each page's
//! hydration code, larger than the first, and the biggest single part of the rep's first
//! bundle. A page itself never waits (its data comes with the HTML, and no part of a page is
//! loaded lazily), so each page hydrates through [`SyncHydrate`]: the wait for the route's
//! chunk stays asynchronous, the page's own hydration is the ordinary synchronous one.
//!
//! One synchronous pass is one task, though, and a phone's browser can do nothing else in
//! it: a tap waits, and Lighthouse counts every millisecond past 50 as blocking time. So a
//! page that is larger than a few small tasks' worth marks where its hydration may pause,
//! with [`Later`]: the part before it is live at once, the part in it follows in a task of
//! its own (the server's HTML is on screen throughout, and its forms post). A page split
//! this way is not wrapped in [`SyncHydrate`] as a whole: each of its parts hydrates in one
//! synchronous pass of its own.

use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// `inner`, rendered as it is, hydrated synchronously even when its parent hydrates
/// asynchronously (see the module's text).
pub struct SyncHydrate<T>(pub T);

/// The trait impls a wrapper shares with the view it wraps: it renders, and hydrates
/// synchronously, as that view does; only its asynchronous hydration is its own.
macro_rules! wraps_a_view {
    ($wrapper:ident, |$this:ident, $cursor:ident, $position:ident| $hydrate_async:expr) => {
        impl<T: Render> Render for $wrapper<T> {
            type State = T::State;

            fn build(self) -> Self::State {
                self.0.build()
            }

            fn rebuild(self, state: &mut Self::State) {
                self.0.rebuild(state)
            }
        }

        impl<T: RenderHtml> RenderHtml for $wrapper<T> {
            type AsyncOutput = $wrapper<T::AsyncOutput>;
            type Owned = $wrapper<T::Owned>;

            const MIN_LENGTH: usize = T::MIN_LENGTH;
            const EXISTS: bool = T::EXISTS;

            fn dry_resolve(&mut self) {
                self.0.dry_resolve();
            }

            async fn resolve(self) -> Self::AsyncOutput {
                $wrapper(self.0.resolve().await)
            }

            fn html_len(&self) -> usize {
                self.0.html_len()
            }

            fn to_html_with_buf(
                self,
                buf: &mut String,
                position: &mut Position,
                escape: bool,
                mark_branches: bool,
                extra_attrs: Vec<AnyAttribute>,
            ) {
                self.0
                    .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
            }

            fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
                self,
                buf: &mut StreamBuilder,
                position: &mut Position,
                escape: bool,
                mark_branches: bool,
                extra_attrs: Vec<AnyAttribute>,
            ) where
                Self: Sized,
            {
                self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
                    buf,
                    position,
                    escape,
                    mark_branches,
                    extra_attrs,
                )
            }

            fn hydrate<const FROM_SERVER: bool>(
                self,
                cursor: &Cursor,
                position: &PositionState,
            ) -> Self::State {
                self.0.hydrate::<FROM_SERVER>(cursor, position)
            }

            async fn hydrate_async(
                self,
                $cursor: &Cursor,
                $position: &PositionState,
            ) -> Self::State {
                let $this = self;
                $hydrate_async
            }

            fn into_owned(self) -> Self::Owned {
                $wrapper(self.0.into_owned())
            }
        }

        impl<T: AddAnyAttr> AddAnyAttr for $wrapper<T> {
            type Output<SomeNewAttr: Attribute> = $wrapper<T::Output<SomeNewAttr>>;

            fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
            where
                Self::Output<NewAttr>: RenderHtml,
            {
                $wrapper(self.0.add_any_attr(attr))
            }
        }
    };
}

// One await-free future, whatever `T` is.
wraps_a_view!(SyncHydrate, |this, cursor, position| this
    .0
    .hydrate::<true>(cursor, position));

/// `inner`, hydrated in a task of its own after the browser has had a turn (see the module's
/// text): in one synchronous pass when `inner` is a [`SyncHydrate`], else as `inner` hydrates
/// (a part that holds a lazily loaded route waits for its chunk). On the server, and
/// when the page is rendered in the browser rather than hydrated, it is `inner` itself. Parts
/// marked `Later` one after the other hydrate in order, one task each.
pub struct Later<T>(pub T);

// The owner (and observer) of the part before, kept across the pause: what `inner` creates
// as it hydrates (effects, event handlers' cleanups) belongs where it would have without it.
wraps_a_view!(Later, |this, cursor, position| {
    leptos::reactive::computed::ScopedFuture::new(async move {
        next_task().await;
        this.0.hydrate_async(cursor, position).await
    })
    .await
});

/// Resolves in a new task of the browser's event loop (a `setTimeout` of 0), after whatever
/// was waiting: input, painting. At once outside the browser.
pub async fn next_task() {
    #[cfg(feature = "hydrate")]
    {
        let turn = js_sys::Promise::new(&mut |resolve, _| {
            if leptos::prelude::window()
                .set_timeout_with_callback(&resolve)
                .is_err()
            {
                let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(turn).await;
    }
}

/// Whether the page the server sent is hydrated (tracked): false in the browser until
/// `lib.rs::hydrate` is done, true from then on and on the server.
///
/// The effects of a part of the page run before the parts hydrated in later tasks
/// ([`LaterPage`], [`Later`]) are hydrated. An effect that changes what the page shows from
/// something the server could not know (taps waiting on this phone) waits for this, so that
/// each part finds the server's HTML as the server wrote it.
pub fn page_hydrated() -> bool {
    use leptos::prelude::Get;
    hydrated_mark().get()
}

/// Marks the page hydrated (`lib.rs::hydrate`, once the whole page is).
pub fn mark_page_hydrated() {
    use leptos::prelude::Set;
    hydrated_mark().set(true);
}

fn hydrated_mark() -> &'static leptos::prelude::ArcRwSignal<bool> {
    static MARK: std::sync::OnceLock<leptos::prelude::ArcRwSignal<bool>> =
        std::sync::OnceLock::new();
    MARK.get_or_init(|| leptos::prelude::ArcRwSignal::new(cfg!(not(feature = "hydrate"))))
}

/// A page built and hydrated in tasks of its own (see the module's text): in the browser,
/// the page's own setup (its data read from the HTML, its signals and effects) waits for the
/// next task, after the frame around it, and its hydration for the one after that. It stays
/// waiting when a lazily loaded route takes its owned form. The page hydrates as it is written:
/// in the parts it marks [`Later`], or wrapped in [`SyncHydrate`] as a whole. On the server
/// the page is built at once, as any view.
pub struct LaterPage<F, V>(LaterPageState<F, V>);

enum LaterPageState<F, V> {
    Waiting(F),
    Built(V),
}

impl<F: FnOnce() -> V, V> LaterPage<F, V> {
    pub fn new(page: F) -> Self {
        if cfg!(feature = "ssr") {
            LaterPage(LaterPageState::Built(page()))
        } else {
            LaterPage(LaterPageState::Waiting(page))
        }
    }

    fn built(self) -> V {
        match self.0 {
            LaterPageState::Waiting(page) => page(),
            LaterPageState::Built(view) => view,
        }
    }
}

impl<F: FnOnce() -> V, V: Render> Render for LaterPage<F, V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.built().build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.built().rebuild(state)
    }
}

impl<F, V> RenderHtml for LaterPage<F, V>
where
    F: FnOnce() -> V + Send + 'static,
    V: RenderHtml,
{
    type AsyncOutput = SyncHydrate<V::AsyncOutput>;
    // Still waiting: a lazily loaded route takes its view's owned form before hydrating it,
    // and building the page there would bring it back into the frame's task.
    type Owned = LaterPage<Box<dyn FnOnce() -> V::Owned + Send>, V::Owned>;

    const MIN_LENGTH: usize = 0;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        if let LaterPageState::Built(view) = &mut self.0 {
            view.dry_resolve();
        }
    }

    async fn resolve(self) -> Self::AsyncOutput {
        SyncHydrate(self.built().resolve().await)
    }

    fn html_len(&self) -> usize {
        match &self.0 {
            LaterPageState::Built(view) => view.html_len(),
            LaterPageState::Waiting(_) => 0,
        }
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.built()
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        self.built().to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        )
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.built().hydrate::<FROM_SERVER>(cursor, position)
    }

    async fn hydrate_async(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        // Built and hydrated under the owner of the frame around it, as without the pause.
        leptos::reactive::computed::ScopedFuture::new(async move {
            next_task().await;
            let page = self.built();
            // Its data decoded and its signals made, one task; hydrated, the next.
            next_task().await;
            page.hydrate_async(cursor, position).await
        })
        .await
    }

    fn into_owned(self) -> Self::Owned {
        LaterPage(match self.0 {
            LaterPageState::Waiting(page) => {
                LaterPageState::Waiting(Box::new(move || page().into_owned()))
            }
            LaterPageState::Built(view) => LaterPageState::Built(view.into_owned()),
        })
    }
}

impl<F, V> AddAnyAttr for LaterPage<F, V>
where
    F: FnOnce() -> V + Send + 'static,
    V: RenderHtml + AddAnyAttr,
{
    type Output<SomeNewAttr: Attribute> = SyncHydrate<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        SyncHydrate(self.built().add_any_attr(attr))
    }
}
