//! The rep's phone page: quick-log buttons with an undo, own score with its explanation,
//! every entry of today to edit or delete (with an undo), the scorecard as cards.
//!
//! The quick log works in three conditions:
//! * before the WebAssembly has loaded, or without JavaScript: each button is a plain form
//!   carrying an idempotency key made at render; the server answers with a redirect to `/me`
//!   and a readable note ([`FormNotice`]);
//! * online with JavaScript: one tap logs, with an undo toast;
//! * offline: the tap is kept on the device ([`device`], `localStorage`), shown as pending
//!   and sent, with its own key, when the connection is back (the `online` event, page load,
//!   and every few seconds), so a retry never counts twice.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use std::collections::HashMap;
use std::time::Duration;

use super::{
    get_my_score, list_activity_types, ActivityTypeView, DeleteActivity, EditActivity, LogActivity,
    Logged, MyScore, TodayActivity,
};
use crate::auth::{whoami, UserInfo};
use crate::components::{
    field_errors, has_error, ErrorMessage, FieldMessage, Later, MeNav, Saves, SyncHydrate,
};
use crate::error::AppError;
use crate::leaderboard::format_index;
use crate::scoring::ordinal;

/// How long the undo stays on screen after a log or a delete.
const UNDO_FOR: Duration = Duration::from_secs(6);

/// How often taps kept on the device are retried while the page is open.
#[cfg(feature = "hydrate")]
const RETRY_EVERY: Duration = Duration::from_secs(15);

/// What a plain form post (no JavaScript) of the quick log did, carried back to `/me` in a
/// short, readable address: `?logged=12`, `?logged=12&again=1`, `?deleted=1`, `?problem=gone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormNotice {
    /// The session is gone: sign in and come back.
    SignIn,
    /// Stored (or, `again`, the same form sent twice: stored once).
    Logged {
        id: i64,
        again: bool,
    },
    Deleted,
    /// An edit was saved.
    Saved,
    Problem(Problem),
}

/// Why a plain form post did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The activity type or the entry no longer exists.
    Gone,
    /// Not allowed for this account (no sales role).
    Refused,
    /// Our side failed; trying again may work.
    Failed,
}

impl Problem {
    pub fn of(e: &AppError) -> Self {
        match e {
            AppError::NotFound(_) => Problem::Gone,
            AppError::Internal
            | AppError::Transport(_)
            | AppError::TooManyRequests(_)
            | AppError::Unavailable => Problem::Failed,
            _ => Problem::Refused,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Problem::Gone => "gone",
            Problem::Refused => "refused",
            Problem::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [Problem::Gone, Problem::Refused, Problem::Failed]
            .into_iter()
            .find(|p| p.code() == code)
    }

    fn message(self) -> &'static str {
        match self {
            Problem::Gone => "Nothing was changed: that activity type or entry no longer exists.",
            Problem::Refused => {
                "Nothing was logged: this account cannot log activities. Ask an admin to give it a sales role."
            }
            Problem::Failed => "Nothing was changed: something went wrong on our side. Please try again.",
        }
    }
}

impl FormNotice {
    pub fn after_log(result: &Result<Logged, AppError>) -> Self {
        Self::after(result, |l| FormNotice::Logged {
            id: l.id,
            again: l.duplicate,
        })
    }

    pub fn after_delete(result: &Result<(), AppError>) -> Self {
        Self::after(result, |_| FormNotice::Deleted)
    }

    fn after<T>(result: &Result<T, AppError>, done: impl FnOnce(&T) -> Self) -> Self {
        match result {
            Ok(v) => done(v),
            Err(AppError::Unauthenticated) => FormNotice::SignIn,
            Err(e) => FormNotice::Problem(Problem::of(e)),
        }
    }

    /// Where the browser is sent after the post.
    pub fn location(&self) -> String {
        match self {
            FormNotice::SignIn => "/login?next=%2Fme".into(),
            FormNotice::Logged { id, again: false } => format!("/me?logged={id}"),
            FormNotice::Logged { id, again: true } => format!("/me?logged={id}&again=1"),
            FormNotice::Deleted => "/me?deleted=1".into(),
            FormNotice::Saved => "/me?saved=1".into(),
            FormNotice::Problem(p) => format!("/me?problem={}", p.code()),
        }
    }

    /// The notice in `/me`'s query (`get` reads one parameter), if any.
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        if let Some(id) = get("logged").and_then(|v| v.parse().ok()) {
            let again = get("again").is_some_and(|v| v == "1");
            return Some(FormNotice::Logged { id, again });
        }
        if get("deleted").is_some() {
            return Some(FormNotice::Deleted);
        }
        if get("saved").is_some() {
            return Some(FormNotice::Saved);
        }
        get("problem")
            .and_then(|c| Problem::from_code(&c))
            .map(FormNotice::Problem)
    }
}

/// A refused edit posted without JavaScript comes back to `/me` with what was typed and
/// why, in plain words in the address (`?edit=12&note=…&minutes=ten&field=duration_minutes&error=…`);
/// its form opens again holding them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EditReturn {
    pub id: i64,
    pub note: String,
    pub minutes: String,
    pub account: String,
    /// The field the refusal is about, when it is about one.
    pub field: Option<String>,
    pub error: String,
}

impl EditReturn {
    /// What to bring back after `error` refused the edit of `id` with these values.
    pub fn refused(id: i64, note: &str, minutes: &str, account: &str, error: &AppError) -> Self {
        let (field, error) = match error {
            AppError::Invalid(errors) if !errors.is_empty() => (
                Some(errors[0].field.clone()),
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => (None, other.to_string()),
        };
        EditReturn {
            id,
            note: note.to_string(),
            minutes: minutes.to_string(),
            account: account.to_string(),
            field,
            error,
        }
    }

    pub fn location(&self) -> String {
        let q = crate::forms::encode_query_value;
        let field = self
            .field
            .as_deref()
            .map(|f| format!("&field={}", q(f)))
            .unwrap_or_default();
        format!(
            "/me?edit={}&note={}&minutes={}&account={}{field}&error={}#activity-{}",
            self.id,
            q(&self.note),
            q(&self.minutes),
            q(&self.account),
            q(&self.error),
            self.id
        )
    }

    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let id = get("edit")?.parse().ok()?;
        Some(EditReturn {
            id,
            note: get("note").unwrap_or_default(),
            minutes: get("minutes").unwrap_or_default(),
            account: get("account").unwrap_or_default(),
            field: get("field").filter(|f| !f.is_empty()),
            error: get("error").unwrap_or_default(),
        })
    }
}

/// A tap not yet confirmed by the server: kept on the device until it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingTap {
    /// The idempotency key sent with every try.
    pub key: String,
    /// Whose tap it is: another account signed in on the same phone never sends it.
    pub user: i64,
    pub type_key: String,
    pub label: String,
    /// When it was tapped (milliseconds since 1970, the device's clock).
    pub at: f64,
}

/// Taps kept in the browser's `localStorage`: they survive a reload and a closed tab, and
/// every tab of the app sees the same list.
mod device {
    use super::PendingTap;

    #[cfg(feature = "hydrate")]
    const KEY: &str = "pacesetter.pending-taps.v1";

    #[cfg(feature = "hydrate")]
    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    /// Whether taps can be kept at all (not in some private modes).
    pub fn available() -> bool {
        #[cfg(feature = "hydrate")]
        {
            storage().is_some()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            false
        }
    }

    pub fn all() -> Vec<PendingTap> {
        #[cfg(feature = "hydrate")]
        {
            storage()
                .and_then(|s| s.get_item(KEY).ok().flatten())
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Vec::new()
        }
    }

    fn save(taps: &[PendingTap]) -> bool {
        #[cfg(feature = "hydrate")]
        {
            let Some(s) = storage() else { return false };
            if taps.is_empty() {
                return s.remove_item(KEY).is_ok();
            }
            serde_json::to_string(taps)
                .ok()
                .is_some_and(|json| s.set_item(KEY, &json).is_ok())
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = taps;
            false
        }
    }

    /// Keeps one more tap; false when the device cannot keep it.
    pub fn add(tap: &PendingTap) -> bool {
        let mut taps = all();
        taps.push(tap.clone());
        save(&taps)
    }

    pub fn remove(key: &str) {
        let mut taps = all();
        let before = taps.len();
        taps.retain(|t| t.key != key);
        if taps.len() != before {
            save(&taps);
        }
    }
}

/// What the toast's Undo button takes back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Undo {
    /// A log just stored: undo deletes it.
    Logged(i64),
    /// A delete not yet sent: undo keeps the activity; the delete is sent when the toast goes.
    Deleting(i64),
    /// A tap kept on the device, not sent yet: undo drops it.
    Queued(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    serial: u32,
    text: String,
    undo: Option<Undo>,
}

/// The toast under the quick log: one at a time, each replacing the last.
#[derive(Clone, Copy)]
struct Toasts {
    current: RwSignal<Option<Toast>>,
    serial: StoredValue<u32>,
    /// Activities whose delete is waiting for its undo to run out (hidden from the list).
    hidden: RwSignal<Vec<i64>>,
    delete: ServerAction<DeleteActivity>,
}

impl Toasts {
    fn show(self, text: String, undo: Option<Undo>) {
        // A pending delete is carried out when another toast replaces its undo.
        self.settle();
        let serial = self.serial.get_value() + 1;
        self.serial.set_value(serial);
        self.current.set(Some(Toast { serial, text, undo }));
        set_timeout(
            move || {
                if self
                    .current
                    .with_untracked(|t| t.as_ref().map(|t| t.serial))
                    == Some(serial)
                {
                    self.settle();
                    self.current.set(None);
                }
            },
            UNDO_FOR,
        );
    }

    /// The current toast's undo is no longer offered: a pending delete is sent.
    fn settle(self) {
        if let Some(Toast {
            undo: Some(Undo::Deleting(id)),
            ..
        }) = self.current.get_untracked()
        {
            self.delete.dispatch(DeleteActivity { id });
        }
    }

    /// The queued tap `key` has been stored as `id`: its undo now deletes it.
    fn retarget(self, key: &str, id: i64) {
        self.current.update(|t| {
            if let Some(t) = t {
                if t.undo.as_ref() == Some(&Undo::Queued(key.to_string())) {
                    t.undo = Some(Undo::Logged(id));
                }
            }
        });
    }

    /// Takes back what the toast offers; a tap still on the device is the caller's to drop
    /// (its key is returned).
    fn undo(self) -> Option<String> {
        match self.current.get_untracked().and_then(|t| t.undo) {
            Some(Undo::Logged(id)) => {
                self.delete.dispatch(DeleteActivity { id });
                self.current.set(None);
                None
            }
            Some(Undo::Deleting(id)) => {
                self.current.set(None);
                self.hidden.update(|h| h.retain(|x| *x != id));
                None
            }
            Some(Undo::Queued(key)) => {
                self.current.set(None);
                Some(key)
            }
            None => None,
        }
    }
}

/// Whether a failed send is worth trying again later (no network, the server busy or down).
fn retry_later(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Transport(_)
            | AppError::Internal
            | AppError::TooManyRequests(_)
            | AppError::Unavailable
    )
}

/// The quick log's taps: each kept on the device first, then sent; those that could not be
/// sent stay pending and are sent again later with the same key.
#[derive(Clone, Copy)]
struct Taps {
    me: Resource<Result<Option<UserInfo>, AppError>, crate::components::Json>,
    /// The signed-in rep's pending taps, for the buttons and the pending line.
    pending: RwSignal<Vec<PendingTap>>,
    /// Taps when the device cannot keep them (kept for this page only).
    memory: StoredValue<Vec<PendingTap>>,
    flushing: StoredValue<bool>,
    /// Taps made on this page not tried yet: their first answer is shown in the toast.
    fresh: StoredValue<Vec<String>>,
    /// Taps undone while their send was under way: deleted if the send stored them.
    undone: StoredValue<Vec<String>>,
    /// The last answer of a send, for the page to reload its figures.
    sent: RwSignal<Option<Result<Logged, AppError>>>,
    toasts: Toasts,
}

impl Taps {
    fn user(self) -> Option<i64> {
        self.me
            .get_untracked()
            .and_then(|r| r.ok().flatten())
            .map(|u| u.id)
    }

    fn all(self) -> Vec<PendingTap> {
        if device::available() {
            device::all()
        } else {
            self.memory.get_value()
        }
    }

    fn forget(self, key: &str) {
        device::remove(key);
        self.memory.update_value(|m| m.retain(|t| t.key != key));
        self.refresh();
    }

    /// Shows what the device holds for the signed-in rep (another tab may have changed it).
    fn refresh(self) {
        let user = self.user();
        let mine: Vec<PendingTap> = self
            .all()
            .into_iter()
            .filter(|t| Some(t.user) == user)
            .collect();
        if self.pending.with_untracked(|p| *p != mine) {
            self.pending.set(mine);
        }
    }

    fn tap(self, type_key: String, label: String) {
        let Some(user) = self.user() else {
            self.toasts
                .show(AppError::Unauthenticated.to_string(), None);
            return;
        };
        let tap = PendingTap {
            key: crate::forms::new_client_key(),
            user,
            type_key,
            label,
            at: now_ms(),
        };
        if !device::add(&tap) {
            self.memory.update_value(|m| m.push(tap.clone()));
        }
        self.fresh.update_value(|f| f.push(tap.key.clone()));
        self.refresh();
        self.flush();
    }

    /// Drops a tap still waiting (its undo).
    fn cancel(self, key: String) {
        self.undone.update_value(|u| u.push(key.clone()));
        self.forget(&key);
    }

    /// Sends the signed-in rep's pending taps, oldest first, until one cannot be sent.
    fn flush(self) {
        if self.flushing.get_value() {
            // The running flush reads the device again after each send: it takes this one too.
            return;
        }
        let Some(user) = self.user() else { return };
        self.flushing.set_value(true);
        leptos::task::spawn_local(async move {
            let mut tried = Vec::<String>::new();
            let mut later = 0usize;
            let mut stopped = None::<AppError>;
            loop {
                let next = self
                    .all()
                    .into_iter()
                    .find(|t| t.user == user && !tried.contains(&t.key));
                let Some(tap) = next else { break };
                tried.push(tap.key.clone());
                let fresh = self.fresh.with_value(|f| f.contains(&tap.key));
                self.fresh.update_value(|f| f.retain(|k| *k != tap.key));
                let result = super::log_activity(
                    tap.type_key.clone(),
                    Some(tap.key.clone()),
                    Some(tap.at as i64),
                )
                .await;
                match result {
                    Ok(logged) => {
                        let undone = self.undone.with_value(|u| u.contains(&tap.key));
                        self.forget(&tap.key);
                        if undone {
                            // Undone while it was being sent: take it back.
                            self.toasts
                                .delete
                                .dispatch(DeleteActivity { id: logged.id });
                            continue;
                        }
                        self.sent.set(Some(Ok(logged)));
                        if fresh {
                            if logged.duplicate {
                                self.toasts
                                    .show("Already logged (retry ignored).".into(), None);
                            } else {
                                self.toasts.show(
                                    format!("Logged: {}", tap.label),
                                    Some(Undo::Logged(logged.id)),
                                );
                            }
                        } else {
                            self.toasts.retarget(&tap.key, logged.id);
                            later += 1;
                        }
                    }
                    Err(e) if retry_later(&e) || matches!(e, AppError::Unauthenticated) => {
                        // Kept; every later tap would fail the same way now.
                        if fresh {
                            self.fresh.update_value(|f| f.push(tap.key.clone()));
                        }
                        stopped = Some(e);
                        break;
                    }
                    Err(e) => {
                        // Refused for good (the type was removed…): dropped, and said so.
                        self.forget(&tap.key);
                        self.toasts
                            .show(format!("{} was not logged: {e}", tap.label), None);
                    }
                }
            }
            self.flushing.set_value(false);
            // A tap made on this page that could not be sent: say where it is.
            let waiting = self.fresh.get_value();
            self.fresh.set_value(Vec::new());
            if let (Some(e), Some(key)) = (stopped, waiting.last()) {
                let label = self
                    .all()
                    .into_iter()
                    .find(|t| t.key == *key)
                    .map(|t| t.label)
                    .unwrap_or_default();
                let text = if matches!(e, AppError::Unauthenticated) {
                    format!("Signed out: {label} waits on this phone until you sign in again.")
                } else if device::available() {
                    format!("No connection: {label} saved on this phone, sent when you are back online.")
                } else {
                    format!("No connection: {label} will be sent while this page stays open.")
                };
                self.toasts.show(text, Some(Undo::Queued(key.clone())));
            } else if later > 0 {
                let taps = if later == 1 { "tap" } else { "taps" };
                self.toasts
                    .show(format!("Sent {later} {taps} saved on this phone."), None);
            }
            self.refresh();
        });
    }

    /// Sends what is pending on page load, when the connection comes back, and every few
    /// seconds; follows other tabs' changes to the device's list.
    fn keep_sending(self) {
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| {
            // Once the page is hydrated (the server's HTML knows nothing of this phone's
            // taps) and the rep is known (the page's data has arrived).
            if !crate::components::page_hydrated() || self.me.with(|m| m.is_none()) {
                return;
            }
            self.refresh();
            self.flush();
            let online = window_event_listener(leptos::ev::online, move |_| self.flush());
            let storage = window_event_listener(leptos::ev::storage, move |_| self.refresh());
            let interval = set_interval_with_handle(move || self.flush(), RETRY_EVERY).ok();
            on_cleanup(move || {
                online.remove();
                storage.remove();
                if let Some(i) = interval {
                    i.clear();
                }
            });
        });
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

#[component]
pub fn MyScorePage() -> impl IntoView {
    let delete = ServerAction::<DeleteActivity>::new();
    let edit = ServerAction::<EditActivity>::new();
    let types = crate::components::data(|| (), |_| list_activity_types());
    let me = crate::components::data(|| (), |_| whoami());
    // Activities logged elsewhere (another device, the CRM through the API) arrive live.
    let pushed = RwSignal::new(0usize);
    crate::live::client::subscribe("/events".into(), move || pushed.update(|n| *n += 1));
    let toasts = Toasts {
        current: RwSignal::new(None),
        serial: StoredValue::new(0),
        hidden: RwSignal::new(Vec::new()),
        delete,
    };
    let taps = Taps {
        me,
        pending: RwSignal::new(Vec::new()),
        memory: StoredValue::new(Vec::new()),
        flushing: StoredValue::new(false),
        fresh: StoredValue::new(Vec::new()),
        undone: StoredValue::new(Vec::new()),
        sent: RwSignal::new(None),
        toasts,
    };
    taps.keep_sending();
    // Only successful changes reload the page's data: a refused edit keeps what was typed.
    let saves = Saves::default()
        .watch(taps.sent)
        .watch(delete.value())
        .watch(edit.value());
    let score = crate::components::data(
        move || (saves.get(), pushed.get()),
        |_| get_my_score("month".to_string()),
    );
    Effect::new(move |_| {
        if let Some(Err(e)) = delete.value().get() {
            toasts.show(e.to_string(), None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = edit.value().get() {
            toasts.show("Saved.".into(), None);
        }
    });
    // Today's count per activity type, for the buttons (pending deletes already taken off).
    let counts = Signal::derive(move || {
        let hidden = toasts.hidden.get();
        let mut counts = HashMap::<String, i64>::new();
        if let Some(Ok(s)) = score.get() {
            for a in s.today.iter().filter(|a| !hidden.contains(&a.id)) {
                *counts.entry(a.type_key.clone()).or_default() += a.quantity;
            }
        }
        counts
    });
    let edits = Edits {
        edit,
        last_edit: RwSignal::new(None),
        woken: RwSignal::new(Vec::new()),
        reachable: crate::components::deferred::chunks_reachable(),
    };
    // The note of a post made without JavaScript, until the next tap.
    let query = use_query_map();
    let notice = RwSignal::new(query.with_untracked(|q| FormNotice::from_query(|k| q.get(k))));

    // The log buttons come alive first, in one task; today's list, the score and the rest
    // in the next (`components::Later`): a tap waits for neither the other nor one long task.
    let log = view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                types.get()
                    .map(|r| match r {
                        Ok(types) => EitherOf3::A(view! { <QuickLog types=types taps=taps counts=counts notice=notice/> }),
                        Err(AppError::Unauthenticated) => EitherOf3::B(view! { <Redirect path="/login?next=/me"/> }),
                        Err(e) => EitherOf3::C(view! { <ErrorMessage error=e/> }),
                    })
            }}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                let today = score.get().and_then(Result::ok).map(|s| s.today).unwrap_or_default();
                notice.get().map(|n| view! { <NoticeLine notice=n today=today/> })
            }}
        </Transition>
        <PendingLine taps=taps/>
        <div class="toast" role="status" aria-live="polite" class:shown=move || toasts.current.with(|t| t.is_some())>
            {move || toasts.current.get().map(|t| view! {
                <span class="toast-text">{t.text}</span>
                {t.undo.map(|_| view! {
                    <button type="button" class="undo" on:click=move |_| {
                        if let Some(key) = toasts.undo() {
                            taps.cancel(key);
                        }
                    }>"Undo"</button>
                })}
            })}
        </div>
    };
    let rest = view! {
        <Transition fallback=|| ()>
            {move || {
                score.get()
                    .map(|r| match r {
                        Ok(s) => EitherOf3::A(view! { <ScoreCard score=s toasts=toasts edits=edits/> }),
                        Err(AppError::Unauthenticated) => EitherOf3::B(()),
                        Err(e) => EitherOf3::C(view! { <ErrorMessage error=e/> }),
                    })
            }}
        </Transition>
        <crate::scorecard::ScorecardPanel refresh=Signal::derive(move || saves.get() + pushed.get())/>
        <MeNav current="/me"/>
    };
    view! { <section class="me">{SyncHydrate(log)}{Later(SyncHydrate(rest))}</section> }
}

/// What a post made without JavaScript did, in words; after a log, its undo (a plain form too).
#[component]
fn NoticeLine(notice: FormNotice, today: Vec<TodayActivity>) -> impl IntoView {
    let delete_url = <DeleteActivity as leptos::server_fn::ServerFn>::url();
    let (text, undo) = match notice {
        FormNotice::Logged { id, again } => {
            let entry = today.iter().find(|a| a.id == id);
            let what = entry
                .map(|a| format!("{} at {}", a.label, a.time))
                .unwrap_or_else(|| "your activity".into());
            let text = if again {
                format!("Already logged: {what}. The same tap arrived twice and counts once.")
            } else {
                format!("Logged: {what}")
            };
            (text, (entry.is_some() && !again).then_some(id))
        }
        FormNotice::Deleted => ("Deleted.".to_string(), None),
        FormNotice::Saved => ("Saved.".to_string(), None),
        FormNotice::Problem(p) => {
            return Some(Either::Right(view! {
                <p class="error" role="alert" data-testid="log-notice">{p.message()}</p>
            }))
        }
        FormNotice::SignIn => return None,
    };
    let undo = undo.map(|id| {
        view! {
            <form method="post" action=delete_url class="inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="undo">"Undo"</button>
            </form>
        }
    });
    Some(Either::Left(view! {
        <div class="log-notice" data-testid="log-notice">
            <span>{text}</span>
            {undo}
        </div>
    }))
}

/// Taps kept on this device and not yet sent: how many, in words, and a way to send now.
#[component]
fn PendingLine(taps: Taps) -> impl IntoView {
    move || {
        let n = taps.pending.with(Vec::len);
        (n > 0).then(|| {
            let what = if n == 1 { "1 tap".to_string() } else { format!("{n} taps") };
            view! {
                <div class="pending-line" data-testid="pending-line">
                    <span class="pending-mark" aria-hidden="true">"⏳"</span>
                    <span>{format!("Pending: {what} saved on this phone, not sent yet.")}</span>
                    <button type="button" class="link" on:click=move |_| taps.flush()>"Send now"</button>
                </div>
            }
        })
    }
}

#[component]
fn QuickLog(
    types: Vec<ActivityTypeView>,
    taps: Taps,
    counts: Signal<HashMap<String, i64>>,
    notice: RwSignal<Option<FormNotice>>,
) -> impl IntoView {
    let log_url = <LogActivity as leptos::server_fn::ServerFn>::url();
    view! {
        <div class="quicklog" aria-label="Log an activity">
            {types
                .into_iter()
                .map(|t| {
                    let key = t.key.clone();
                    let count_key = t.key.clone();
                    let pending_key = t.key.clone();
                    let label = t.label.clone();
                    // Before the WebAssembly runs, the form posts itself with this key.
                    let form_key = crate::forms::new_client_key();
                    let on_submit = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        notice.set(None);
                        taps.tap(key.clone(), label.clone());
                    };
                    let pending = move || {
                        taps.pending.with(|p| p.iter().filter(|x| x.type_key == pending_key).count())
                    };
                    view! {
                        <form method="post" action=log_url on:submit=on_submit>
                            <input type="hidden" name="type_key" value=t.key.clone()/>
                            <input type="hidden" name="client_key" value=form_key/>
                            <button type="submit" class="log-button" data-type=t.key.clone()>
                                <span class="count" data-testid="today-count">
                                    {move || counts.with(|c| c.get(&count_key).copied().unwrap_or(0))}
                                    <span class="sr-only">" today"</span>
                                </span>
                                <span class="icon" aria-hidden="true">{t.icon.clone()}</span>
                                <span class="label">{t.label.clone()}</span>
                                <span class="weight">"+" {t.weight.display()}</span>
                                {move || {
                                    let n = pending();
                                    (n > 0).then(|| view! {
                                        <span class="pending-count" data-testid="pending-count">{n} " pending"</span>
                                    })
                                }}
                            </button>
                        </form>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// What the entries of today share for their edit forms: the action, which entry was saved
/// last (its answer is shown under it), the entries whose live form is woken (kept across
/// reloads of the list) and whether their chunk can be fetched.
#[derive(Clone, Copy)]
struct Edits {
    edit: ServerAction<EditActivity>,
    last_edit: RwSignal<Option<i64>>,
    woken: RwSignal<Vec<i64>>,
    reachable: Signal<bool>,
}

/// One entry of today: tap Edit to change its note, duration or account, or delete it
/// (with an undo). Without JavaScript both forms post. The edit form's code is its own chunk
/// (`components::deferred`), fetched when a finger or the keyboard reaches "Edit".
#[component]
fn TodayItem(a: TodayActivity, toasts: Toasts, edits: Edits) -> impl IntoView {
    let id = a.id;
    let label = a.label.clone();
    let delete_url = <DeleteActivity as leptos::server_fn::ServerFn>::url();
    let on_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        toasts.show(format!("Deleted: {label}"), Some(Undo::Deleting(id)));
        toasts.hidden.update(|h| h.push(id));
    };
    // A refused edit of this entry posted without JavaScript, back with what was typed; or
    // the page asked for with this entry's form open (`?open=`, the link in the server's copy).
    let (returned, asked) = use_query_map().with_untracked(|q| {
        (
            EditReturn::from_query(|k| q.get(k)).filter(|r| r.id == id),
            q.get("open").is_some_and(|o| o == id.to_string()),
        )
    });
    let open_form = returned.is_some() || asked;
    let form = EditFormData::new(&a, returned, edits);
    let copy = NodeRef::<leptos::html::Div>::new();
    let wake = move || {
        if !edits.woken.with_untracked(|w| w.contains(&id)) {
            edits.woken.update(|w| w.push(id));
        }
    };
    // An entry drawn again in the browser (the list reloads after every change) may hold the
    // server's copy of another entry, or of this one before it changed: it goes.
    let from_server = Owner::current_shared_context().is_some_and(|sc| sc.during_hydration());
    Effect::new(move |_| {
        if !from_server {
            if let Some(el) = copy.get_untracked() {
                el.set_inner_html("");
                // Left open: its live form comes at once.
                if el.parent_element().is_some_and(|d| d.has_attribute("open")) {
                    wake();
                }
            }
        }
    });
    // A form that came back open wakes once the page is hydrated.
    Effect::new(move |_| {
        if open_form {
            wake();
        }
    });
    let live = move || edits.reachable.get() && edits.woken.with(|w| w.contains(&id));
    let delete_label = format!("Delete {} at {}", a.label, a.time);
    let details = [
        (!a.note.is_empty()).then(|| a.note.clone()),
        (!a.account.is_empty()).then(|| a.account.clone()),
        a.duration_minutes.map(|m| format!("{m} min")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <li id=format!("activity-{id}") data-activity=id style:display=move || toasts.hidden.with(|h| h.contains(&id)).then_some("none")>
            <div class="today-line">
                <span class="time">{a.time}</span>
                <span class="what">{a.icon} " " {a.label.clone()}</span>
                {(!a.counts).then(|| view! { <small class="flag">"too short to count"</small> })}
                <form method="post" action=delete_url class="inline" on:submit=on_delete>
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="link danger" aria-label=delete_label>"Delete"</button>
                </form>
            </div>
            {(!details.is_empty()).then(|| view! { <div class="muted small today-details">{details}</div> })}
            // Stays open after a refused save (nothing reloads), closes with the reload after a good one.
            <details class="edit-activity" open=open_form on:toggle=move |_| wake()>
                <summary on:pointerdown=move |_| wake() on:focus=move |_| wake()>"Edit"</summary>
                {edit_copy(form.clone(), copy, open_form)}
                {move || live().then(|| {
                    let form = form.clone();
                    view! {
                        <Suspense fallback=|| ()>
                            {Suspend::new(async move { deferred_edit_form(form, copy).await })}
                        </Suspense>
                    }
                })}
            </details>
        </li>
    }
}

/// One entry's edit form: what it starts with and where its answers go.
#[derive(Clone)]
struct EditFormData {
    id: i64,
    note: String,
    minutes: String,
    account: String,
    /// A refusal of a post made without JavaScript, on one field or on the whole edit.
    returned_field: Option<crate::error::FieldError>,
    returned_other: Option<String>,
    edits: Edits,
}

impl EditFormData {
    fn new(a: &TodayActivity, returned: Option<EditReturn>, edits: Edits) -> Self {
        let minutes = a
            .duration_minutes
            .map(|m| m.to_string())
            .unwrap_or_default();
        match returned {
            Some(r) => EditFormData {
                id: a.id,
                returned_field: r
                    .field
                    .clone()
                    .map(|f| crate::error::FieldError::new(f, r.error.clone())),
                returned_other: r.field.is_none().then(|| r.error.clone()),
                note: r.note,
                minutes: r.minutes,
                account: r.account,
                edits,
            },
            None => EditFormData {
                id: a.id,
                note: a.note.clone(),
                minutes,
                account: a.account.clone(),
                returned_field: None,
                returned_other: None,
                edits,
            },
        }
    }
}

/// What the server puts in an entry's "Edit" (not hydrated): the form itself when the page
/// was asked for with it open, otherwise a link that asks for that. Twenty entries' forms
/// in every load of /me cost a phone ~100 ms of the browser's own form scanning, for forms
/// that only matter without JavaScript (with it, opening "Edit" wakes the live form).
#[cfg(feature = "ssr")]
fn edit_copy(form: EditFormData, copy: NodeRef<leptos::html::Div>, open: bool) -> impl IntoView {
    let id = form.id;
    let inner = if open {
        Either::Left(view! { <EditForm form=form/> })
    } else {
        Either::Right(view! {
            <p class="small"><a href=format!("/me?open={id}#activity-{id}")>"Open the edit form"</a></p>
        })
    };
    view! { <div class="deferred-copy" node_ref=copy>{inner}</div> }
}

/// In the browser the server's copy is left as it is until the live form replaces it.
#[cfg(not(feature = "ssr"))]
fn edit_copy(_form: EditFormData, copy: NodeRef<leptos::html::Div>, _open: bool) -> impl IntoView {
    view! { <div class="deferred-copy" node_ref=copy></div> }
}

/// The live edit form, its own chunk: it takes over from the server's copy, keeping what was
/// typed there (and the focus) while the chunk loaded.
#[leptos::lazy]
fn deferred_edit_form(form: EditFormData, copy: NodeRef<leptos::html::Div>) -> AnyView {
    #[allow(unused_mut)]
    let mut form = form;
    #[cfg(feature = "hydrate")]
    if let Some(el) = copy.get_untracked() {
        use wasm_bindgen::JsCast;
        let typed = |name: &str| {
            el.query_selector(&format!("input[name={name}]"))
                .ok()
                .flatten()
                .and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok())
                .filter(|i| i.value() != i.default_value())
                .map(|i| i.value())
        };
        if let Some(v) = typed("note") {
            form.note = v;
        }
        if let Some(v) = typed("duration_minutes") {
            form.minutes = v;
        }
        if let Some(v) = typed("account") {
            form.account = v;
        }
        let focused = document()
            .active_element()
            .filter(|f| el.contains(Some(f)))
            .map(|f| f.id());
        el.set_inner_html("");
        if let Some(focused) = focused.filter(|f| !f.is_empty()) {
            request_animation_frame(move || {
                if let Some(input) = document()
                    .get_element_by_id(&focused)
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = input.focus();
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = copy;
    view! { <EditForm form=form/> }.into_any()
}

/// The form that changes one entry's note, minutes and account: a plain form that posts
/// without JavaScript; in the browser the action sends what was typed, and a refused edit
/// leaves it in place with the reason under the field.
#[component]
fn EditForm(form: EditFormData) -> impl IntoView {
    let EditFormData {
        id,
        note,
        minutes,
        account,
        returned_field,
        returned_other,
        edits,
    } = form;
    let Edits {
        edit, last_edit, ..
    } = edits;
    let errors = Signal::derive(move || {
        if last_edit.get() == Some(id) {
            field_errors(&edit.value().get())
        } else {
            returned_field.clone().into_iter().collect()
        }
    });
    let other_error = move || {
        if last_edit.get() == Some(id) {
            match edit.value().get() {
                Some(Err(e)) if !matches!(e, AppError::Invalid(_)) => Some(e.to_string()),
                _ => None,
            }
        } else {
            returned_other.clone()
        }
    };
    let edit_url = <EditActivity as leptos::server_fn::ServerFn>::url();
    let note_input = NodeRef::<leptos::html::Input>::new();
    let minutes_input = NodeRef::<leptos::html::Input>::new();
    let account_input = NodeRef::<leptos::html::Input>::new();
    let on_edit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = |input: NodeRef<leptos::html::Input>| {
            input.get().map(|i| i.value()).unwrap_or_default()
        };
        last_edit.set(Some(id));
        edit.dispatch(EditActivity {
            id,
            note: typed(note_input),
            duration_minutes: typed(minutes_input),
            account: typed(account_input),
        });
    };
    let invalid = move |f: &'static str| errors.with(|e| has_error(e, f)).then_some("true");
    let f = move |name: &str| format!("{name}-{id}");
    view! {
        <form method="post" action=edit_url class="edit-form" on:submit=on_edit>
            <input type="hidden" name="id" value=id/>
            <label for=f("note")>"Note"</label>
            <input id=f("note") node_ref=note_input name="note" type="text" value=note maxlength="500"
                aria-invalid=move || invalid("note") aria-describedby=f("note-error")/>
            <FieldMessage errors=errors field="note" id=f("note-error")/>
            <div class="edit-row">
                <div>
                    <label for=f("duration")>"Minutes"</label>
                    <input id=f("duration") node_ref=minutes_input name="duration_minutes" type="text" inputmode="numeric"
                        value=minutes
                        aria-invalid=move || invalid("duration_minutes") aria-describedby=f("duration-error")/>
                    <FieldMessage errors=errors field="duration_minutes" id=f("duration-error")/>
                </div>
                <div>
                    <label for=f("account")>"Account"</label>
                    <input id=f("account") node_ref=account_input name="account" type="text" value=account maxlength="200"
                        aria-invalid=move || invalid("account") aria-describedby=f("account-error")/>
                    <FieldMessage errors=errors field="account" id=f("account-error")/>
                </div>
            </div>
            {move || other_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="primary">"Save"</button>
        </form>
    }
}

/// "3rd of 8 on North · 5th of 24 overall", both from the leaderboard.
fn rank_text(score: &MyScore) -> String {
    let place = |(r, of): (i32, i32)| format!("{} of {of}", ordinal(r as i64));
    let overall = score.rank.map(|r| format!("{} overall", place(r)));
    let team = score
        .team_rank
        .zip(score.team.as_ref())
        .map(|(r, t)| format!("{} on {t}", place(r)));
    match (team, overall) {
        (Some(t), Some(o)) => format!("{t} · {o}"),
        (Some(t), None) => t,
        (None, Some(o)) => o,
        (None, None) => "not ranked".to_string(),
    }
}

#[component]
fn ScoreCard(score: MyScore, toasts: Toasts, edits: Edits) -> impl IntoView {
    let rank = rank_text(&score);
    let has_lines = !score.lines.is_empty();
    let has_today = !score.today.is_empty();
    view! {
        <div class="scorecard">
            <div class="score-head">
                <div>
                    <span class="muted">{score.period_label.clone()}</span>
                    <div class="score-total" data-testid="my-total">{score.total.display()}</div>
                    <span class="muted">"points"</span>
                </div>
                <div class="score-side">
                    <div class="muted">"Index " {format_index(score.index_tenths)} " / 10"</div>
                    <A href="/">"Leaderboard →"</A>
                </div>
            </div>
            <p class="rank-line" data-testid="my-rank">{rank}</p>
            <h2>"Why this score"</h2>
            <Show when=move || has_lines fallback=|| view! { <p class="muted">"Nothing logged this period yet."</p> }>
                <table class="explain">
                    <thead>
                        <tr>
                            <th scope="col">"Activity"</th>
                            <th scope="col" class="num">"Units"</th>
                            <th scope="col" class="num">"× Weight"</th>
                            <th scope="col" class="num">"= Points"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {score
                            .lines
                            .clone()
                            .into_iter()
                            .map(|l| {
                                let over = l.units - l.counted_units;
                                let since = l.weight_from.map(|d| format!("since {d}")).unwrap_or_else(|| "no weight".into());
                                view! {
                                    <tr>
                                        <td>{l.icon} " " {l.label}</td>
                                        <td class="num">
                                            {l.counted_units}
                                            {(over > 0).then(|| view! { <small class="flag">" (+" {over} " over cap)"</small> })}
                                        </td>
                                        <td class="num" title=since>{l.weight.display()}</td>
                                        <td class="num">{l.points.display()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </Show>
            <h2>"Today"</h2>
            <Show when=move || has_today fallback=|| view! { <p class="muted">"No activities logged today."</p> }>
                <ul class="today">
                    {score
                        .today
                        .clone()
                        .into_iter()
                        .map(|a| view! { <TodayItem a=a toasts=toasts edits=edits/> })
                        .collect_view()}
                </ul>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a location's query the way the page does.
    fn parse(location: &str) -> Option<FormNotice> {
        let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FormNotice::from_query(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn every_form_notice_comes_back_from_its_address() {
        for n in [
            FormNotice::Logged {
                id: 12,
                again: false,
            },
            FormNotice::Logged { id: 7, again: true },
            FormNotice::Deleted,
            FormNotice::Problem(Problem::Gone),
            FormNotice::Problem(Problem::Refused),
            FormNotice::Problem(Problem::Failed),
        ] {
            let at = n.location();
            assert!(at.starts_with("/me"), "{at}");
            // Short and readable: letters, digits and a few separators only.
            assert!(
                at.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/?=&".contains(c)),
                "{at}"
            );
            assert_eq!(parse(&at), Some(n));
        }
        assert_eq!(FormNotice::SignIn.location(), "/login?next=%2Fme");
        assert_eq!(parse("/me"), None);
        assert_eq!(parse("/me?problem=nonsense"), None);
        assert_eq!(parse("/me?logged=x"), None);
    }

    #[test]
    fn answers_become_notices() {
        let ok = Ok(Logged {
            id: 3,
            duplicate: false,
        });
        assert_eq!(
            FormNotice::after_log(&ok),
            FormNotice::Logged {
                id: 3,
                again: false
            }
        );
        let dup = Ok(Logged {
            id: 3,
            duplicate: true,
        });
        assert_eq!(
            FormNotice::after_log(&dup),
            FormNotice::Logged { id: 3, again: true }
        );
        assert_eq!(
            FormNotice::after_log(&Err(AppError::Unauthenticated)),
            FormNotice::SignIn
        );
        assert_eq!(
            FormNotice::after_log(&Err(AppError::NotFound("Activity type 'x'".into()))),
            FormNotice::Problem(Problem::Gone)
        );
        assert_eq!(
            FormNotice::after_delete(&Err(AppError::Internal)),
            FormNotice::Problem(Problem::Failed)
        );
        assert_eq!(
            FormNotice::after_log(&Err(AppError::BadRequest("no sales role".into()))),
            FormNotice::Problem(Problem::Refused)
        );
        assert_eq!(FormNotice::after_delete(&Ok(())), FormNotice::Deleted);
    }
}
