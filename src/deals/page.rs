//! The rep's deals page (`/me/deals`), phone first: this month's turnover, win rate and
//! pipeline; log a deal won or lost; move the open deals along or close them. Every form
//! posts without JavaScript too and comes back with a confirmation, or with what was typed
//! and the problems.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use std::time::Duration;

use super::{
    get_my_deals, CloseMyDeal, DealFigures, DealSaved, LogLostDeal, LogWonDeal, MyDeals,
    OpenDealView, UpdateMyDeal, MY_DEALS_PATH, PIPELINE_STAGES,
};
use crate::components::{field_errors, has_error, ErrorMessage, FieldMessage, MeNav, Saves};
use crate::error::{AppError, FieldError};
use crate::forms::ReturnedForm;

/// How long a confirmation stays on screen after a save.
const TOAST_FOR: Duration = Duration::from_secs(6);

/// The confirmation after a plain form post, from its `?done=` code.
fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "won" => "Won deal logged. Your turnover and win rate include it.",
        "lost" => "Lost deal logged. Your win rate includes it.",
        "updated" => "Deal updated.",
        "closed-won" => "Deal marked won. Your turnover and win rate include it.",
        "closed-lost" => "Deal marked lost.",
        _ => return None,
    })
}

/// The page's actions, and which pipeline deal was last acted on (its form shows the answer).
#[derive(Clone, Copy)]
struct Actions {
    won: ServerAction<LogWonDeal>,
    lost: ServerAction<LogLostDeal>,
    update: ServerAction<UpdateMyDeal>,
    close: ServerAction<CloseMyDeal>,
    last_deal: RwSignal<Option<i64>>,
}

/// One confirmation at a time; each replaces the last and goes after a few seconds.
#[derive(Clone, Copy)]
struct Toast {
    text: RwSignal<Option<String>>,
    serial: StoredValue<u32>,
}

impl Toast {
    fn show(self, text: String) {
        let serial = self.serial.get_value() + 1;
        self.serial.set_value(serial);
        self.text.set(Some(text));
        set_timeout(
            move || {
                if self.serial.get_value() == serial {
                    self.text.set(None);
                }
            },
            TOAST_FOR,
        );
    }

    fn follow(
        self,
        value: impl Get<Value = Option<Result<DealSaved, AppError>>> + Send + Sync + 'static,
    ) {
        Effect::new(move |_| {
            if let Some(Ok(saved)) = value.get() {
                self.show(saved.notice);
            }
        });
    }
}

#[component]
pub fn MyDealsPage() -> impl IntoView {
    let actions = Actions {
        won: ServerAction::new(),
        lost: ServerAction::new(),
        update: ServerAction::new(),
        close: ServerAction::new(),
        last_deal: RwSignal::new(None),
    };
    // Only successful saves reload the page's data: a refused form keeps what was typed.
    let saves = Saves::default()
        .watch(actions.won.value())
        .watch(actions.lost.value())
        .watch(actions.update.value())
        .watch(actions.close.value());
    let data = crate::components::data(move || saves.get(), |_| get_my_deals());
    let toast = Toast {
        text: RwSignal::new(None),
        serial: StoredValue::new(0),
    };
    toast.follow(actions.won.value());
    toast.follow(actions.lost.value());
    toast.follow(actions.update.value());
    toast.follow(actions.close.value());
    let query = use_query_map();
    // The confirmation of a plain post, until the page saves something itself.
    let done = move || {
        let acted = actions.won.value().with(Option::is_some)
            || actions.lost.value().with(Option::is_some)
            || actions.update.value().with(Option::is_some)
            || actions.close.value().with(Option::is_some);
        (!acted)
            .then(|| query.with(|q| q.get("done")))
            .flatten()
            .and_then(|c| done_message(&c))
    };
    view! {
        <section class="me deals-page">
            <h1>"My deals"</h1>
            {move || done().map(|m| view! { <p class="ok notice" role="status" data-testid="done">{m}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok(d) => view! { <DealsView d=d actions=actions/> }.into_any(),
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path=format!("/login?next={MY_DEALS_PATH}")/> }.into_any()
                            }
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
            <div class="toast" role="status" aria-live="polite" class:shown=move || toast.text.with(Option::is_some)>
                {move || toast.text.get().map(|t| view! { <span class="toast-text">{t}</span> })}
            </div>
            <MeNav current="/me/deals"/>
        </section>
    }
}

/// The field problems to show on one form: the page's own last answer when it sent this
/// form, else those a plain post came back with.
fn problems<V>(
    value: V,
    mine: impl Fn() -> bool + Send + Sync + 'static,
    returned: &Option<ReturnedForm>,
    form: &str,
) -> (Signal<Vec<FieldError>>, Signal<Option<String>>)
where
    V: Get<Value = Option<Result<DealSaved, AppError>>> + Clone + Send + Sync + 'static,
{
    let returned_errors = ReturnedForm::errors_of(returned, form);
    let returned_message = ReturnedForm::message_of(returned, form);
    let mine = std::sync::Arc::new(mine);
    let mine2 = mine.clone();
    let value2 = value.clone();
    let errors = Signal::derive(move || match value.get() {
        Some(v) if mine() => field_errors(&Some(v)),
        Some(_) => Vec::new(),
        None => returned_errors.clone(),
    });
    let message = Signal::derive(move || match value2.get() {
        Some(Err(AppError::Invalid(_))) if mine2() => {
            Some("Nothing was saved: correct the fields marked below.".to_string())
        }
        Some(Err(e)) if mine2() => Some(e.to_string()),
        Some(_) => None,
        None => returned_message.clone(),
    });
    (errors, message)
}

fn invalid(
    errors: Signal<Vec<FieldError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> {
    move || errors.with(|e| has_error(e, field)).then_some("true")
}

#[component]
fn FormProblem(message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="error" role="alert">{m}</p> })
    }
}

#[component]
fn DealsView(d: MyDeals, actions: Actions) -> impl IntoView {
    let MyDeals {
        currency,
        today,
        figures,
        open,
        lost_reasons,
        returned,
    } = d;
    let has_open = !open.is_empty();
    let reasons = StoredValue::new(lost_reasons);
    let returned = StoredValue::new(returned);
    view! {
        <Figures f=figures/>
        <LogWon actions=actions currency=currency.clone() today=today.clone() returned=returned.get_value()/>
        <LogLost actions=actions currency=currency today=today reasons=reasons.get_value() returned=returned.get_value()/>
        <h2 id="pipeline">"My open pipeline"</h2>
        <Show when=move || has_open fallback=|| view! { <p class="muted">"No open deals. Deals from your CRM appear here."</p> }>
            <ul class="pipeline">
                {open
                    .clone()
                    .into_iter()
                    .map(|deal| view! {
                        <PipelineDeal deal=deal actions=actions reasons=reasons.get_value() returned=returned.get_value()/>
                    })
                    .collect_view()}
            </ul>
        </Show>
    }
}

#[component]
fn Figures(f: DealFigures) -> impl IntoView {
    let closed = format!("{} won · {} lost", f.won, f.lost);
    let open = match f.open_count {
        1 => "1 open deal".to_string(),
        n => format!("{n} open deals"),
    };
    view! {
        <div class="deal-figures" aria-label="Where you stand">
            <div class="figure">
                <span class="figure-label">"Turnover won"</span>
                <span class="figure-value" data-testid="turnover">{f.turnover_won}</span>
                <span class="figure-note">{f.period_label}</span>
            </div>
            <div class="figure">
                <span class="figure-label">"Win rate"</span>
                <span class="figure-value" data-testid="win-rate">{f.win_rate}</span>
                <span class="figure-note" data-testid="won-lost">{closed}</span>
            </div>
            <div class="figure">
                <span class="figure-label">"Open pipeline"</span>
                <span class="figure-value" data-testid="open-pipeline">{f.open_amount}</span>
                <span class="figure-note">{open}</span>
            </div>
            <div class="figure">
                <span class="figure-label">"Weighted pipeline"</span>
                <span class="figure-value" data-testid="weighted-pipeline">{f.weighted}</span>
                <span class="figure-note">"amount × probability"</span>
            </div>
        </div>
    }
}

#[component]
fn LogWon(
    actions: Actions,
    currency: String,
    today: String,
    returned: Option<ReturnedForm>,
) -> impl IntoView {
    let (errors, message) = problems(actions.won.value(), || true, &returned, "won");
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // The form's retry key: sending it twice stores one deal; each saved deal gets a new one.
    let key = RwSignal::new(crate::forms::new_client_key());
    // After a save the form is empty again, ready for the next deal.
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.won.value().get() {
            if let Some(form) = form_ref.get() {
                form.reset();
            }
            key.set(crate::forms::new_client_key());
        }
    });
    let typed = |field: &str| ReturnedForm::value(&returned, "won", field).unwrap_or_default();
    let (amount, account, name) = (typed("amount"), typed("account"), typed("name"));
    let closed_on = ReturnedForm::value(&returned, "won", "closed_on").unwrap_or(today);
    let new_customer = !typed("new_customer").is_empty();
    view! {
        <details class="deal-card" id="won" open=true>
            <summary><h2>"Log a deal won"</h2></summary>
            <ActionForm action=actions.won node_ref=form_ref attr:class="deal-form" attr:novalidate=true>
                <input type="hidden" name="client_key" value=move || key.get()/>
                <FormProblem message=message/>
                <div class="field">
                    <label for="won-amount">{format!("Amount ({currency})")}</label>
                    <input id="won-amount" name="amount" type="text" inputmode="decimal" autocomplete="off"
                        placeholder="e.g. 12500" value=amount
                        aria-invalid=invalid(errors, "amount") aria-describedby="won-amount-error"/>
                    <FieldMessage errors=errors field="amount" id="won-amount-error"/>
                </div>
                <div class="field">
                    <label for="won-account">"Account"</label>
                    <input id="won-account" name="account" type="text" maxlength="200" autocomplete="off"
                        value=account
                        aria-invalid=invalid(errors, "account") aria-describedby="won-account-error"/>
                    <FieldMessage errors=errors field="account" id="won-account-error"/>
                </div>
                <label class="check">
                    <input type="checkbox" name="new_customer" value="on" checked=new_customer/>
                    <span>"New customer"</span>
                </label>
                <details class="more">
                    <summary>"Name and close date"</summary>
                    <div class="field">
                        <label for="won-name">"Deal name"</label>
                        <input id="won-name" name="name" type="text" maxlength="200" autocomplete="off"
                            placeholder="The account's name if blank" value=name
                            aria-invalid=invalid(errors, "name") aria-describedby="won-name-error"/>
                        <FieldMessage errors=errors field="name" id="won-name-error"/>
                    </div>
                    <div class="field">
                        <label for="won-closed">"Won on"</label>
                        <input id="won-closed" name="closed_on" type="date" value=closed_on
                            aria-invalid=invalid(errors, "closed_on") aria-describedby="won-closed-error"/>
                        <FieldMessage errors=errors field="closed_on" id="won-closed-error"/>
                    </div>
                </details>
                <button type="submit" class="primary big">"Log won deal"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn LogLost(
    actions: Actions,
    currency: String,
    today: String,
    reasons: Vec<String>,
    returned: Option<ReturnedForm>,
) -> impl IntoView {
    let (errors, message) = problems(actions.lost.value(), || true, &returned, "lost");
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // The form's retry key: sending it twice stores one deal; each saved deal gets a new one.
    let key = RwSignal::new(crate::forms::new_client_key());
    // After a save the form is empty again, ready for the next deal.
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.lost.value().get() {
            if let Some(form) = form_ref.get() {
                form.reset();
            }
            key.set(crate::forms::new_client_key());
        }
    });
    let typed = |field: &str| ReturnedForm::value(&returned, "lost", field).unwrap_or_default();
    let (amount, account, name) = (typed("amount"), typed("account"), typed("name"));
    let closed_on = ReturnedForm::value(&returned, "lost", "closed_on").unwrap_or(today);
    // Open when a plain post came back refused, so the problems show.
    let open = returned.as_ref().is_some_and(|r| r.form == "lost");
    let chosen = typed("lost_reason");
    view! {
        <details class="deal-card" id="lost" open=open>
            <summary><h2>"Log a deal lost"</h2></summary>
            <ActionForm action=actions.lost node_ref=form_ref attr:class="deal-form" attr:novalidate=true>
                <input type="hidden" name="client_key" value=move || key.get()/>
                <FormProblem message=message/>
                <div class="field">
                    <label for="lost-amount">{format!("Amount ({currency})")}</label>
                    <input id="lost-amount" name="amount" type="text" inputmode="decimal" autocomplete="off"
                        placeholder="e.g. 12500" value=amount
                        aria-invalid=invalid(errors, "amount") aria-describedby="lost-amount-error"/>
                    <FieldMessage errors=errors field="amount" id="lost-amount-error"/>
                </div>
                <div class="field">
                    <label for="lost-reason">"Reason"</label>
                    <ReasonPicker id="lost-reason".to_string() reasons=reasons chosen=chosen errors=errors/>
                    <FieldMessage errors=errors field="lost_reason" id="lost-reason-error"/>
                </div>
                <div class="field">
                    <label for="lost-account">"Account"</label>
                    <input id="lost-account" name="account" type="text" maxlength="200" autocomplete="off"
                        value=account
                        aria-invalid=invalid(errors, "account") aria-describedby="lost-account-error"/>
                    <FieldMessage errors=errors field="account" id="lost-account-error"/>
                </div>
                <details class="more">
                    <summary>"Name and close date"</summary>
                    <div class="field">
                        <label for="lost-name">"Deal name"</label>
                        <input id="lost-name" name="name" type="text" maxlength="200" autocomplete="off"
                            placeholder="The account's name if blank" value=name
                            aria-invalid=invalid(errors, "name") aria-describedby="lost-name-error"/>
                        <FieldMessage errors=errors field="name" id="lost-name-error"/>
                    </div>
                    <div class="field">
                        <label for="lost-closed">"Lost on"</label>
                        <input id="lost-closed" name="closed_on" type="date" value=closed_on
                            aria-invalid=invalid(errors, "closed_on") aria-describedby="lost-closed-error"/>
                        <FieldMessage errors=errors field="closed_on" id="lost-closed-error"/>
                    </div>
                </details>
                <button type="submit" class="primary big">"Log lost deal"</button>
            </ActionForm>
        </details>
    }
}

/// The organisation's lost reasons as a picker (free text when it keeps no list).
#[component]
fn ReasonPicker(
    id: String,
    reasons: Vec<String>,
    chosen: String,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let described = format!("{id}-error");
    if reasons.is_empty() {
        return view! {
            <input id=id name="lost_reason" type="text" maxlength="200" value=chosen
                aria-invalid=invalid(errors, "lost_reason") aria-describedby=described/>
        }
        .into_any();
    }
    view! {
        <select id=id name="lost_reason" aria-invalid=invalid(errors, "lost_reason") aria-describedby=described>
            <option value="" selected=chosen.is_empty()>"Choose a reason…"</option>
            {reasons
                .into_iter()
                .map(|r| {
                    let selected = r == chosen;
                    let label = r.clone();
                    view! { <option value=r selected=selected>{label}</option> }
                })
                .collect_view()}
        </select>
    }
    .into_any()
}

#[component]
fn PipelineDeal(
    deal: OpenDealView,
    actions: Actions,
    reasons: Vec<String>,
    returned: Option<ReturnedForm>,
) -> impl IntoView {
    let id = deal.id;
    let mine = move || actions.last_deal.get() == Some(id);
    let update_form = format!("deal-{id}");
    let close_form = format!("close-{id}");
    let (errors, message) = problems(actions.update.value(), mine, &returned, &update_form);
    let (close_errors, close_message) =
        problems(actions.close.value(), mine, &returned, &close_form);
    let typed = |field: &str| ReturnedForm::value(&returned, &update_form, field);
    let stage_now = typed("stage").unwrap_or_else(|| deal.stage.clone());
    let probability = typed("probability").unwrap_or_else(|| deal.probability.to_string());
    let month = typed("expected_month").unwrap_or_else(|| deal.expected_month.clone());
    let editing = returned
        .as_ref()
        .is_some_and(|r| r.form == update_form || r.form == close_form);
    let mut stages: Vec<String> = PIPELINE_STAGES.iter().map(|(s, _)| s.to_string()).collect();
    if !stages.contains(&stage_now) && !stage_now.is_empty() {
        stages.insert(0, stage_now.clone());
    }
    let f = move |name: &str| format!("{name}-{id}");
    let chosen = ReturnedForm::value(&returned, &close_form, "lost_reason").unwrap_or_default();
    let details = [
        Some(deal.account.clone()).filter(|a| !a.is_empty()),
        Some(deal.expected_label.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let pick = move |_| actions.last_deal.set(Some(id));
    view! {
        <li class="deal-card pipeline-deal" data-deal=id id=format!("deal-{id}")>
            <div class="deal-head">
                <span class="deal-name">{deal.name.clone()}</span>
                <span class="deal-amount">{deal.amount.clone()}</span>
            </div>
            <div class="muted small">{details}</div>
            <div class="deal-stage" data-testid="stage-line">
                {deal.stage.clone()} " · " {deal.probability} "%"
            </div>
            <details class="more" open=editing>
                <summary>"Update or close"</summary>
                <ActionForm action=actions.update attr:class="deal-form" attr:novalidate=true>
                    <input type="hidden" name="id" value=id/>
                    <FormProblem message=message/>
                    <div class="field">
                        <label for=f("stage")>"Stage"</label>
                        <select id=f("stage") name="stage" aria-invalid=invalid(errors, "stage") aria-describedby=f("stage-error")>
                            {stages
                                .into_iter()
                                .map(|s| {
                                    let selected = s == stage_now;
                                    let label = s.clone();
                                    view! { <option value=s selected=selected>{label}</option> }
                                })
                                .collect_view()}
                        </select>
                        <FieldMessage errors=errors field="stage" id=f("stage-error")/>
                    </div>
                    <div class="field-row">
                        <div class="field">
                            <label for=f("probability")>"Probability (%)"</label>
                            <input id=f("probability") name="probability" type="text" inputmode="numeric" value=probability
                                aria-invalid=invalid(errors, "probability") aria-describedby=f("probability-error")/>
                            <FieldMessage errors=errors field="probability" id=f("probability-error")/>
                        </div>
                        <div class="field">
                            <label for=f("month")>"Expected close"</label>
                            <input id=f("month") name="expected_month" type="month" value=month placeholder="2026-12"
                                aria-invalid=invalid(errors, "expected_month") aria-describedby=f("month-error")/>
                            <FieldMessage errors=errors field="expected_month" id=f("month-error")/>
                        </div>
                    </div>
                    <button type="submit" class="primary" on:click=pick>"Save"</button>
                </ActionForm>
                <div class="close-deal">
                    <FormProblem message=close_message/>
                    <ActionForm action=actions.close attr:class="close-won">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="outcome" value="won"/>
                        <button type="submit" class="good big" on:click=pick>"Mark won"</button>
                    </ActionForm>
                    <ActionForm action=actions.close attr:class="close-lost" attr:novalidate=true>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="outcome" value="lost"/>
                        <label for=f("reason")>"Lost because"</label>
                        <ReasonPicker id=f("reason") reasons=reasons chosen=chosen errors=close_errors/>
                        <FieldMessage errors=close_errors field="lost_reason" id=f("reason-error")/>
                        <button type="submit" class="danger big" on:click=pick>"Mark lost"</button>
                    </ActionForm>
                </div>
            </details>
        </li>
    }
}
