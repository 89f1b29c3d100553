//! The settings area of the manager's desk: one form for the organisation's name, time zone,
//! fiscal year, currency, band thresholds and composite cap. Problems are shown on the field
//! that is wrong and the form keeps what was typed.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{get_settings_desk, AdminSaveLostReasons, AdminSaveSettings, SettingsForm};
use crate::components::{field_errors, has_error, DeskNav, ErrorMessage, FieldMessage};
use crate::error::AppError;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[component]
pub fn SettingsPage() -> impl IntoView {
    // Loaded once: a save (good or bad) does not re-render the form, so what was typed stays.
    let desk = crate::components::data(|| (), |_| get_settings_desk());
    view! {
        <section class="admin desk">
            <h1>"Settings"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(form) => {
                                let reasons = form.lost_reasons.clone();
                                view! {
                                    <DeskNav current="settings"/>
                                    <SettingsFormView form=form/>
                                    <LostReasonsForm reasons=reasons/>
                                }
                                    .into_any()
                            }
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/admin/settings"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">
                                        "This page is for admins. Ask an admin if a setting should change."
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn SettingsFormView(form: SettingsForm) -> impl IntoView {
    let save = ServerAction::<AdminSaveSettings>::new();
    let errors = Signal::derive(move || save.value().with(field_errors));
    let invalid =
        move |field: &'static str| move || errors.with(|e| has_error(e, field)).then_some("true");
    let outcome = move || {
        save.value().with(|v| match v {
            Some(Ok(saved)) => {
                let moved = match saved.activities_redated {
                    0 => String::new(),
                    1 => " The new time zone moved 1 activity to another local day.".to_string(),
                    n => format!(" The new time zone moved {n} activities to another local day."),
                };
                Some(view! { <p class="ok" role="status">{format!("Settings saved.{moved}")}</p> }.into_any())
            }
            Some(Err(AppError::Invalid(_))) => Some(
                view! { <p class="error" data-testid="not-saved">"Nothing was saved: correct the fields marked below."</p> }
                    .into_any(),
            ),
            Some(Err(e)) => Some(view! { <ErrorMessage error=e.clone()/> }.into_any()),
            None => None,
        })
    };
    let month = form.fiscal_year_start_month;
    view! {
        {outcome}
        <ActionForm action=save attr:class="settings-form" attr:novalidate=true>
            <fieldset>
                <legend>"Organisation"</legend>
                <div class="field">
                    <label>
                        "Organisation name"
                        <input type="text" name="org_name" value=form.org_name maxlength="100" required
                            aria-invalid=invalid("org_name") aria-describedby="org_name-error"/>
                    </label>
                    <FieldMessage errors=errors field="org_name" id="org_name-error"/>
                </div>
                <div class="field">
                    <label>
                        "Time zone"
                        <input type="text" name="time_zone" value=form.time_zone list="zones" autocomplete="off" required
                            aria-invalid=invalid("time_zone") aria-describedby="time_zone-help time_zone-error"/>
                    </label>
                    <small class="muted" id="time_zone-help">"An IANA name such as Europe/Paris. Activities are dated in this zone."</small>
                    <FieldMessage errors=errors field="time_zone" id="time_zone-error"/>
                </div>
                <datalist id="zones">
                    {form.zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                </datalist>
                <div class="field">
                    <label for="fiscal_year_start_month">"Fiscal year starts in"</label>
                    <select id="fiscal_year_start_month" name="fiscal_year_start_month" aria-invalid=invalid("fiscal_year_start_month")
                        aria-describedby="fiscal_year_start_month-error">
                        {MONTHS
                            .iter()
                            .zip(1i64..)
                            .map(|(name, m)| view! { <option value=m.to_string() selected=m == month>{*name}</option> })
                            .collect_view()}
                    </select>
                    <FieldMessage errors=errors field="fiscal_year_start_month" id="fiscal_year_start_month-error"/>
                </div>
                <div class="field">
                    <label>
                        "Currency"
                        <input type="text" name="currency" value=form.currency maxlength="3" size="4" required
                            autocomplete="off" aria-invalid=invalid("currency") aria-describedby="currency-help currency-error"/>
                    </label>
                    <small class="muted" id="currency-help">"ISO 4217 code, e.g. EUR, USD, GBP."</small>
                    <FieldMessage errors=errors field="currency" id="currency-error"/>
                </div>
            </fieldset>
            <fieldset class="bands" aria-describedby="band_thresholds-help band_thresholds-error"
                data-invalid=invalid("band_thresholds")>
                <legend>"Bands"</legend>
                <p class="muted small" id="band_thresholds-help">
                    "Pace (open periods) or attainment (closed ones) from which a rep is in each band, in percent. Outstanding must be above on track, on track above at risk. Below at risk: needs intervention."
                </p>
                <div class="row">
                    <label>
                        "Outstanding from (%)"
                        <input type="text" inputmode="decimal" name="bands[outstanding]" value=form.band_outstanding required
                            aria-invalid=invalid("band_thresholds") aria-describedby="band_thresholds-error"/>
                    </label>
                    <label>
                        "On track from (%)"
                        <input type="text" inputmode="decimal" name="bands[on_track]" value=form.band_on_track required
                            aria-invalid=invalid("band_thresholds") aria-describedby="band_thresholds-error"/>
                    </label>
                    <label>
                        "At risk from (%)"
                        <input type="text" inputmode="decimal" name="bands[at_risk]" value=form.band_at_risk required
                            aria-invalid=invalid("band_thresholds") aria-describedby="band_thresholds-error"/>
                    </label>
                </div>
                <FieldMessage errors=errors field="band_thresholds" id="band_thresholds-error"/>
            </fieldset>
            <fieldset>
                <legend>"Composite score"</legend>
                <div class="field">
                    <label>
                        "Cap on one metric's pace (%)"
                        <input type="text" inputmode="decimal" name="composite_cap" value=form.composite_cap required
                            aria-invalid=invalid("composite_cap") aria-describedby="composite_cap-help composite_cap-error"/>
                    </label>
                    <small class="muted" id="composite_cap-help">"100 to 1000. At 150, a metric at 300 % pace counts as 150 %."</small>
                    <FieldMessage errors=errors field="composite_cap" id="composite_cap-error"/>
                </div>
            </fieldset>
            <button type="submit" class="primary">"Save settings"</button>
        </ActionForm>
    }
}

/// The organisation's lost reasons: what a rep picks from when they log a lost deal.
#[component]
fn LostReasonsForm(reasons: String) -> impl IntoView {
    let save = ServerAction::<AdminSaveLostReasons>::new();
    let errors = Signal::derive(move || save.value().with(field_errors));
    let outcome = move || {
        save.value().with(|v| match v {
            Some(Ok(list)) => Some(
                view! { <p class="ok" role="status">{format!("Lost reasons saved ({}).", list.len())}</p> }
                    .into_any(),
            ),
            Some(Err(AppError::Invalid(_))) => None,
            Some(Err(e)) => Some(view! { <ErrorMessage error=e.clone()/> }.into_any()),
            None => None,
        })
    };
    let rows = reasons.lines().count().clamp(4, 12).to_string();
    view! {
        <ActionForm action=save attr:class="settings-form lost-reasons-form" attr:novalidate=true>
            <fieldset>
                <legend>"Lost reasons"</legend>
                <div class="field">
                    <label for="lost_reasons">"Reasons a deal is lost, one a line"</label>
                    <textarea id="lost_reasons" name="lost_reasons" rows=rows
                        aria-invalid=move || errors.with(|e| has_error(e, "lost_reasons")).then_some("true")
                        aria-describedby="lost_reasons-help lost_reasons-error">{reasons}</textarea>
                    <small class="muted" id="lost_reasons-help">
                        "Reps pick one of these when they log a lost deal; the team view groups lost business by them. Deals from the API or an import keep the reason they came with."
                    </small>
                    <FieldMessage errors=errors field="lost_reasons" id="lost_reasons-error"/>
                </div>
            </fieldset>
            {outcome}
            <button type="submit" class="primary">"Save lost reasons"</button>
        </ActionForm>
    }
}
