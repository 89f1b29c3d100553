//! The calendar area of the manager's desk: the working week and organisation holidays
//! (admins), rep absences (admins for anyone, managers for their own team). Pacing uses a
//! change at once. Form fields live in page-level signals, so a refresh after a save keeps
//! what was typed when the server refused it.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;

use super::{
    get_calendar_desk, AddAbsence, AdminAddHoliday, AdminRemoveHoliday, AdminSetWorkingWeek,
    CalendarDesk, RemoveAbsence,
};
use crate::auth::AccessRole;
use crate::components::{field_errors, has_error, DeskNav, ErrorMessage, FieldMessage};
use crate::error::{AppError, FieldError};

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Everything the calendar's forms hold: the server actions and what is typed in them.
#[derive(Clone, Copy)]
struct Forms {
    week: ServerAction<AdminSetWorkingWeek>,
    add_holiday: ServerAction<AdminAddHoliday>,
    remove_holiday: ServerAction<AdminRemoveHoliday>,
    add_absence: ServerAction<AddAbsence>,
    remove_absence: ServerAction<RemoveAbsence>,
    /// The week being edited (`None`: as saved).
    week_draft: RwSignal<Option<[bool; 7]>>,
    holiday_day: RwSignal<String>,
    holiday_name: RwSignal<String>,
    absence_rep: RwSignal<String>,
    absence_start: RwSignal<String>,
    absence_end: RwSignal<String>,
    absence_reason: RwSignal<String>,
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let year = Signal::derive(move || {
        query
            .with(|q| q.get("year"))
            .and_then(|y| y.parse::<i32>().ok())
    });
    let forms = Forms {
        week: ServerAction::new(),
        add_holiday: ServerAction::new(),
        remove_holiday: ServerAction::new(),
        add_absence: ServerAction::new(),
        remove_absence: ServerAction::new(),
        week_draft: RwSignal::new(None),
        holiday_day: RwSignal::new(String::new()),
        holiday_name: RwSignal::new(String::new()),
        absence_rep: RwSignal::new(String::new()),
        absence_start: RwSignal::new(String::new()),
        absence_end: RwSignal::new(String::new()),
        absence_reason: RwSignal::new(String::new()),
    };
    let desk = crate::components::data(
        move || {
            (
                year.get(),
                forms.week.version().get(),
                forms.add_holiday.version().get(),
                forms.remove_holiday.version().get(),
                forms.add_absence.version().get(),
                forms.remove_absence.version().get(),
            )
        },
        |(year, ..)| get_calendar_desk(year),
    );
    // After a successful add, the form is ready for the next one.
    Effect::new(move |_| {
        if matches!(forms.add_holiday.value().get(), Some(Ok(()))) {
            forms.holiday_day.set(String::new());
            forms.holiday_name.set(String::new());
        }
    });
    Effect::new(move |_| {
        if matches!(forms.add_absence.value().get(), Some(Ok(_))) {
            forms.absence_start.set(String::new());
            forms.absence_end.set(String::new());
            forms.absence_reason.set(String::new());
        }
    });
    view! {
        <section class="admin desk calendar">
            <h1>"Calendar"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    desk.get()
                        .map(|r| match r {
                            Ok(d) => view! { <DeskNav current="calendar" role=d.role/> <CalendarDeskView desk=d forms=forms/> }.into_any(),
                            Err(AppError::Unauthenticated) => {
                                view! { <Redirect path="/login?next=/admin/calendar"/> }.into_any()
                            }
                            Err(AppError::Forbidden) => {
                                view! {
                                    <p class="error" role="alert" data-testid="forbidden">
                                        "This page is for managers and admins. Ask your manager to record an absence."
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

/// "Saved" after a success, the reason after a refusal (field problems are shown on their
/// fields, so only a pointer to them here).
fn outcome<T: Clone + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
    done: &'static str,
) -> impl IntoView {
    move || {
        value.with(|v| match v {
            Some(Ok(_)) => Some(view! { <p class="ok" role="status">{done}</p> }.into_any()),
            Some(Err(AppError::Invalid(_))) => Some(
                view! { <p class="error">"Nothing was saved: correct the field marked above."</p> }
                    .into_any(),
            ),
            Some(Err(e)) => Some(view! { <ErrorMessage error=e.clone()/> }.into_any()),
            None => None,
        })
    }
}

fn errors_of<T: Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
) -> Signal<Vec<FieldError>> {
    Signal::derive(move || value.with(field_errors))
}

fn date_text(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

#[component]
fn CalendarDeskView(desk: CalendarDesk, forms: Forms) -> impl IntoView {
    let admin = desk.role == AccessRole::Admin;
    let scope = match (&desk.role, &desk.team) {
        (AccessRole::Admin, _) => "everyone".to_string(),
        (_, Some(team)) => format!("team {team}"),
        (_, None) => "your team (you have none yet)".to_string(),
    };
    let year = desk.year;
    view! {
        <nav class="tabs years" aria-label="Year">
            {desk
                .years
                .clone()
                .into_iter()
                .map(|y| {
                    let here = y == year;
                    view! {
                        <A href=format!("/admin/calendar?year={y}") attr:class=if here { "tab active" } else { "tab" }
                            attr:aria-current=here.then_some("page")>
                            {y.to_string()}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
        <div class="calendar-grid">
            <div class="calendar-org">
                {admin.then(|| view! { <WorkingWeek desk=desk.clone() forms=forms/> })}
                <Holidays desk=desk.clone() forms=forms admin=admin/>
            </div>
            <div class="calendar-absences">
                <h2>"Absences in " {year.to_string()} <span class="muted">" · " {scope}</span></h2>
                <AbsenceList desk=desk.clone() forms=forms/>
                <AbsenceForm desk=desk forms=forms/>
            </div>
        </div>
    }
}

#[component]
fn WorkingWeek(desk: CalendarDesk, forms: Forms) -> impl IntoView {
    let saved = desk.working_weekdays;
    let errors = errors_of(forms.week.value());
    let days = move || forms.week_draft.get().unwrap_or(saved);
    view! {
        <h2>"Working week"</h2>
        <p class="muted">
            {format!("{} working days in {} after holidays.", desk.working_days_in_year, desk.year)}
        </p>
        <ActionForm action=forms.week attr:class="grid-form week-form">
            <fieldset class="weekdays" aria-describedby="working_weekdays-error"
                data-invalid=move || errors.with(|e| has_error(e, "working_weekdays")).then_some("true")>
                <legend>"Days people work"</legend>
                {WEEKDAYS
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name=format!("days[{i}]")
                                    value=(i + 1).to_string()
                                    prop:checked=move || days()[i]
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let mut week = forms.week_draft.get_untracked().unwrap_or(saved);
                                        week[i] = on;
                                        forms.week_draft.set(Some(week));
                                    }
                                />
                                {*name}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit" class="primary">"Save working week"</button>
        </ActionForm>
        <FieldMessage errors=errors field="working_weekdays" id="working_weekdays-error"/>
        {outcome(forms.week.value(), "Working week saved. Pacing now counts these days.")}
    }
}

#[component]
fn Holidays(desk: CalendarDesk, forms: Forms, admin: bool) -> impl IntoView {
    let errors = errors_of(forms.add_holiday.value());
    let invalid =
        move |field: &'static str| move || errors.with(|e| has_error(e, field)).then_some("true");
    let rows = desk.holidays.clone();
    view! {
        <h2>"Holidays in " {desk.year.to_string()}</h2>
        {if rows.is_empty() {
            view! { <p class="muted" data-testid="no-holidays">"No organisation holidays this year."</p> }.into_any()
        } else {
            view! {
                <table class="holidays">
                    <thead>
                        <tr>
                            <th scope="col">"Day"</th>
                            <th scope="col">"Name"</th>
                            {admin.then(|| view! { <th scope="col"><span class="sr-only">"Remove"</span></th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|h| {
                                let day = h.day.to_string();
                                let remove = admin.then(|| {
                                    let label = format!("Remove the holiday {} on {}", h.name, day);
                                    let day = day.clone();
                                    view! {
                                        <td class="actions">
                                            <ActionForm action=forms.remove_holiday attr:class="inline">
                                                <input type="hidden" name="day" value=day/>
                                                <button type="submit" class="link danger" aria-label=label>"Remove"</button>
                                            </ActionForm>
                                        </td>
                                    }
                                });
                                view! {
                                    <tr data-day=day.clone()>
                                        <td><time datetime=day.clone()>{date_text(h.day)}</time></td>
                                        <td>{h.name.clone()}</td>
                                        {remove}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
        {outcome(forms.remove_holiday.value(), "Holiday removed.")}
        {admin.then(|| view! {
            <h3>"Add a holiday"</h3>
            <ActionForm action=forms.add_holiday attr:class="grid-form holiday-form">
                <div class="field">
                    <label>
                        "Day"
                        <input type="date" name="day" required prop:value=forms.holiday_day
                            on:input=move |ev| forms.holiday_day.set(event_target_value(&ev))
                            aria-invalid=invalid("day") aria-describedby="holiday-day-error"/>
                    </label>
                    <FieldMessage errors=errors field="day" id="holiday-day-error"/>
                </div>
                <div class="field">
                    <label>
                        "Holiday name"
                        <input type="text" name="name" required maxlength="100" placeholder="e.g. Christmas Day"
                            prop:value=forms.holiday_name
                            on:input=move |ev| forms.holiday_name.set(event_target_value(&ev))
                            aria-invalid=invalid("name") aria-describedby="holiday-name-error"/>
                    </label>
                    <FieldMessage errors=errors field="name" id="holiday-name-error"/>
                </div>
                <button type="submit" class="primary">"Add holiday"</button>
            </ActionForm>
            {outcome(forms.add_holiday.value(), "Holiday added. Pacing already counts it.")}
        })}
    }
}

#[component]
fn AbsenceList(desk: CalendarDesk, forms: Forms) -> impl IntoView {
    if desk.absences.is_empty() {
        return view! { <p class="muted" data-testid="no-absences">"No absences recorded this year."</p> }.into_any();
    }
    view! {
        <div class="scroll">
            <table class="absences">
                <thead>
                    <tr>
                        <th scope="col">"Rep"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"To"</th>
                        <th scope="col" class="num">"Working days"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col"><span class="sr-only">"Remove"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {desk
                        .absences
                        .into_iter()
                        .map(|a| {
                            let label = format!("Remove {}'s absence from {} to {}", a.rep_name, a.start, a.end);
                            view! {
                                <tr data-absence=a.id>
                                    <td>{a.rep_name.clone()}</td>
                                    <td>{a.team.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td><time datetime=a.start.to_string()>{date_text(a.start)}</time></td>
                                    <td><time datetime=a.end.to_string()>{date_text(a.end)}</time></td>
                                    <td class="num">{a.working_days}</td>
                                    <td>{a.reason.clone()}</td>
                                    <td class="actions">
                                        <ActionForm action=forms.remove_absence attr:class="inline">
                                            <input type="hidden" name="id" value=a.id.to_string()/>
                                            <button type="submit" class="link danger" aria-label=label>"Remove"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {outcome(forms.remove_absence.value(), "Absence removed.")}
    }
    .into_any()
}

#[component]
fn AbsenceForm(desk: CalendarDesk, forms: Forms) -> impl IntoView {
    if desk.reps.is_empty() {
        return view! { <p class="muted">"There is no rep whose absences you can record."</p> }
            .into_any();
    }
    let errors = errors_of(forms.add_absence.value());
    let invalid =
        move |field: &'static str| move || errors.with(|e| has_error(e, field)).then_some("true");
    // Nothing chosen yet: the browser picks the first rep.
    let chosen = forms.absence_rep.get_untracked();
    view! {
        <h3>"Record an absence"</h3>
        <ActionForm action=forms.add_absence attr:class="grid-form absence-form">
            <div class="field">
                <label for="absence-rep">"Rep"</label>
                <select id="absence-rep" name="rep_id" on:change=move |ev| forms.absence_rep.set(event_target_value(&ev))
                    aria-invalid=invalid("rep_id") aria-describedby="absence-rep-error">
                    {desk
                        .reps
                        .into_iter()
                        .map(|r| {
                            let id = r.id.to_string();
                            let selected = id == chosen;
                            let text = match r.team {
                                Some(t) => format!("{} ({t})", r.name),
                                None => r.name,
                            };
                            view! { <option value=id selected=selected>{text}</option> }
                        })
                        .collect_view()}
                </select>
                <FieldMessage errors=errors field="rep_id" id="absence-rep-error"/>
            </div>
            <div class="field">
                <label>
                    "First day away"
                    <input type="date" name="start" required prop:value=forms.absence_start
                        on:input=move |ev| forms.absence_start.set(event_target_value(&ev))
                        aria-invalid=invalid("start") aria-describedby="absence-start-error"/>
                </label>
                <FieldMessage errors=errors field="start" id="absence-start-error"/>
            </div>
            <div class="field">
                <label>
                    "Last day away"
                    <input type="date" name="end" required prop:value=forms.absence_end
                        on:input=move |ev| forms.absence_end.set(event_target_value(&ev))
                        aria-invalid=invalid("end") aria-describedby="absence-end-error"/>
                </label>
                <FieldMessage errors=errors field="end" id="absence-end-error"/>
            </div>
            <div class="field grow">
                <label>
                    "Reason"
                    <input type="text" name="reason" maxlength="200" placeholder="e.g. annual leave, training"
                        prop:value=forms.absence_reason
                        on:input=move |ev| forms.absence_reason.set(event_target_value(&ev))
                        aria-invalid=invalid("reason") aria-describedby="absence-reason-error"/>
                </label>
                <FieldMessage errors=errors field="reason" id="absence-reason-error"/>
            </div>
            <button type="submit" class="primary">"Record absence"</button>
        </ActionForm>
        {outcome(forms.add_absence.value(), "Absence recorded. The rep's pacing already leaves these days out.")}
    }
    .into_any()
}
