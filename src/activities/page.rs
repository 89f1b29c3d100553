//! The rep's phone page: quick-log buttons with an undo, own score with its explanation,
//! every entry of today to edit or delete (with an undo), the scorecard as cards.

use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

use std::collections::HashMap;
use std::time::Duration;

use super::{
    get_my_score, list_activity_types, ActivityTypeView, DeleteActivity, EditActivity, LogActivity,
    MyScore, TodayActivity,
};
use crate::components::{field_errors, has_error, ErrorMessage, FieldMessage, Saves};
use crate::error::AppError;
use crate::leaderboard::format_index;
use crate::scoring::ordinal;

/// A fresh key for each tap, so a retried request is stored once but two taps count twice.
fn new_client_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let a = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        let b = js_sys::Date::now() as u64;
        format!("{b:x}-{a:x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// How long the undo stays on screen after a log or a delete.
const UNDO_FOR: Duration = Duration::from_secs(6);

/// What the toast's Undo button takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Undo {
    /// A log just stored: undo deletes it.
    Logged(i64),
    /// A delete not yet sent: undo keeps the activity; the delete is sent when the toast goes.
    Deleting(i64),
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

    fn undo(self) {
        match self.current.get_untracked().and_then(|t| t.undo) {
            Some(Undo::Logged(id)) => {
                self.delete.dispatch(DeleteActivity { id });
                self.current.set(None);
            }
            Some(Undo::Deleting(id)) => {
                self.current.set(None);
                self.hidden.update(|h| h.retain(|x| *x != id));
            }
            None => {}
        }
    }
}

#[component]
pub fn MyScorePage() -> impl IntoView {
    let log = ServerAction::<LogActivity>::new();
    let delete = ServerAction::<DeleteActivity>::new();
    let edit = ServerAction::<EditActivity>::new();
    let types = Resource::new(|| (), |_| list_activity_types());
    // Activities logged elsewhere (another device, the CRM through the API) arrive live.
    let pushed = RwSignal::new(0usize);
    crate::live::client::subscribe("/events".into(), move || pushed.update(|n| *n += 1));
    // Only successful changes reload the page's data: a refused edit keeps what was typed.
    let saves = Saves::default()
        .watch(log.value())
        .watch(delete.value())
        .watch(edit.value());
    let score = Resource::new(
        move || (saves.get(), pushed.get()),
        |_| get_my_score("month".to_string()),
    );
    let last_logged = RwSignal::new(None::<String>);
    let toasts = Toasts {
        current: RwSignal::new(None),
        serial: StoredValue::new(0),
        hidden: RwSignal::new(Vec::new()),
        delete,
    };
    Effect::new(move |_| match log.value().get() {
        Some(Ok(l)) if l.duplicate => toasts.show("Already logged (retry ignored).".into(), None),
        Some(Ok(l)) => {
            let what = last_logged.get_untracked().unwrap_or_default();
            toasts.show(format!("Logged: {what}"), Some(Undo::Logged(l.id)));
        }
        Some(Err(e)) => toasts.show(e.to_string(), None),
        None => {}
    });
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

    view! {
        <section class="me">
            <crate::components::MeNav current="/me"/>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    types.get()
                        .map(|r| match r {
                            Ok(types) => view! { <QuickLog types=types log=log last_logged=last_logged counts=counts/> }.into_any(),
                            Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/me"/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
            <div class="toast" role="status" aria-live="polite" class:shown=move || toasts.current.with(|t| t.is_some())>
                {move || toasts.current.get().map(|t| view! {
                    <span class="toast-text">{t.text}</span>
                    {t.undo.map(|_| view! {
                        <button type="button" class="undo" on:click=move |_| toasts.undo()>"Undo"</button>
                    })}
                })}
            </div>
            <Transition fallback=|| ()>
                {move || {
                    score.get()
                        .map(|r| match r {
                            Ok(s) => view! { <ScoreCard score=s toasts=toasts edit=edit/> }.into_any(),
                            Err(AppError::Unauthenticated) => ().into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
            <crate::scorecard::ScorecardPanel refresh=Signal::derive(move || saves.get() + pushed.get())/>
        </section>
    }
}

#[component]
fn QuickLog(
    types: Vec<ActivityTypeView>,
    log: ServerAction<LogActivity>,
    last_logged: RwSignal<Option<String>>,
    counts: Signal<HashMap<String, i64>>,
) -> impl IntoView {
    view! {
        <div class="quicklog" aria-label="Log an activity">
            {types
                .into_iter()
                .map(|t| {
                    let key = t.key.clone();
                    let count_key = t.key.clone();
                    let label = t.label.clone();
                    let log_url = <LogActivity as leptos::server_fn::ServerFn>::url();
                    let on_submit = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        last_logged.set(Some(label.clone()));
                        log.dispatch(LogActivity {
                            type_key: key.clone(),
                            client_key: Some(new_client_key()),
                        });
                    };
                    view! {
                        <form method="post" action=log_url on:submit=on_submit>
                            <input type="hidden" name="type_key" value=t.key.clone()/>
                            <button type="submit" class="log-button" data-type=t.key.clone()>
                                <span class="count" data-testid="today-count">
                                    {move || counts.with(|c| c.get(&count_key).copied().unwrap_or(0))}
                                    <span class="sr-only">" today"</span>
                                </span>
                                <span class="icon" aria-hidden="true">{t.icon.clone()}</span>
                                <span class="label">{t.label.clone()}</span>
                                <span class="weight">"+" {t.weight.display()}</span>
                            </button>
                        </form>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// One entry of today: tap Edit to change its note, duration or account, or delete it
/// (with an undo). Without JavaScript both forms post.
#[component]
fn TodayItem(
    a: TodayActivity,
    toasts: Toasts,
    edit: ServerAction<EditActivity>,
    last_edit: RwSignal<Option<i64>>,
) -> impl IntoView {
    let id = a.id;
    let label = a.label.clone();
    let delete_url = <DeleteActivity as leptos::server_fn::ServerFn>::url();
    let on_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        toasts.show(format!("Deleted: {label}"), Some(Undo::Deleting(id)));
        toasts.hidden.update(|h| h.push(id));
    };
    let errors = Signal::derive(move || {
        if last_edit.get() == Some(id) {
            field_errors(&edit.value().get())
        } else {
            Vec::new()
        }
    });
    let other_error = move || {
        (last_edit.get() == Some(id))
            .then(|| match edit.value().get() {
                Some(Err(e)) if !matches!(e, AppError::Invalid(_)) => Some(e.to_string()),
                _ => None,
            })
            .flatten()
    };
    let invalid = move |f: &'static str| errors.with(|e| has_error(e, f)).then_some("true");
    let f = move |name: &str| format!("{name}-{id}");
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
        <li data-activity=id style:display=move || toasts.hidden.with(|h| h.contains(&id)).then_some("none")>
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
            <details class="edit-activity">
                <summary>"Edit"</summary>
                <ActionForm action=edit attr:class="edit-form">
                    <input type="hidden" name="id" value=id/>
                    <label for=f("note")>"Note"</label>
                    <input id=f("note") name="note" type="text" value=a.note.clone() maxlength="500"
                        aria-invalid=move || invalid("note") aria-describedby=f("note-error")/>
                    <FieldMessage errors=errors field="note" id=f("note-error")/>
                    <div class="edit-row">
                        <div>
                            <label for=f("duration")>"Minutes"</label>
                            <input id=f("duration") name="duration_minutes" type="text" inputmode="numeric"
                                value=a.duration_minutes.map(|m| m.to_string()).unwrap_or_default()
                                aria-invalid=move || invalid("duration_minutes") aria-describedby=f("duration-error")/>
                            <FieldMessage errors=errors field="duration_minutes" id=f("duration-error")/>
                        </div>
                        <div>
                            <label for=f("account")>"Account"</label>
                            <input id=f("account") name="account" type="text" value=a.account.clone() maxlength="200"
                                aria-invalid=move || invalid("account") aria-describedby=f("account-error")/>
                            <FieldMessage errors=errors field="account" id=f("account-error")/>
                        </div>
                    </div>
                    {move || other_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <button type="submit" class="primary" on:click=move |_| last_edit.set(Some(id))>"Save"</button>
                </ActionForm>
            </details>
        </li>
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
fn ScoreCard(score: MyScore, toasts: Toasts, edit: ServerAction<EditActivity>) -> impl IntoView {
    let rank = rank_text(&score);
    let has_lines = !score.lines.is_empty();
    let has_today = !score.today.is_empty();
    let last_edit = RwSignal::new(None::<i64>);
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
                        .map(|a| view! { <TodayItem a=a toasts=toasts edit=edit last_edit=last_edit/> })
                        .collect_view()}
                </ul>
            </Show>
        </div>
    }
}
